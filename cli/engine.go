package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ovh/go-ovh/ovh"

	"github.com/ovhtui/ovhtui/budget"
	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
	"github.com/ovhtui/ovhtui/safefile"
	"github.com/ovhtui/ovhtui/shutdown"
	"github.com/ovhtui/ovhtui/tui"
)

// runEngine runs the engine with the UI, or headless, against OVH or (with
// --demo) the built-in simulator.
func runEngine(opts options, stdout, stderr io.Writer) int {
	ctx, stop := shutdown.Context(context.Background())
	defer stop()

	// No file may serve two roles (--log-file preferences.json would
	// append log lines to the preferences): checked before any is opened.
	if err := claimRoles(opts); err != nil {
		fmt.Fprintln(stderr, "ovhtui:", err)
		return exitUsage
	}

	// Logs: --log-file, else stdout when headless; the UI never writes to
	// the terminal outside its screen.
	var logOut io.Writer = io.Discard
	if opts.headless {
		// A closed stdout (`ovhtui --headless | head -1`) is said once on
		// stderr; the log file and the engine go on.
		surviveBrokenPipes()
		stdout = &outputGuard{w: stdout, report: func(err error) {
			where := "the log lines go on to the log file " + opts.logFile
			if opts.logFile == "" {
				where = "ovhtui goes on without printing its log (give --log-file to keep it)"
			}
			fmt.Fprintf(stderr, "ovhtui: stdout can no longer be written (%s): %s\n", causeOf(err), where)
		}}
		logOut = stdout
	}
	if opts.logFile != "" {
		// A failing log file is said once: at once headless, after the
		// UI (which owns the terminal) has ended otherwise.
		var (
			reportMu sync.Mutex
			reported string
		)
		report := func(msg string) {
			if opts.headless {
				fmt.Fprintln(stderr, "ovhtui:", msg)
				return
			}
			reportMu.Lock()
			reported = msg
			reportMu.Unlock()
		}
		lf, err := openLogFile(opts.logFile, report)
		if err != nil {
			fmt.Fprintln(stderr, "ovhtui:", err)
			return exitUsage
		}
		defer func() {
			lost := lf.Close()
			reportMu.Lock()
			defer reportMu.Unlock()
			if reported != "" {
				fmt.Fprintln(stderr, "ovhtui:", reported)
			}
			if lost != "" {
				fmt.Fprintln(stderr, "ovhtui:", lost)
			}
		}()
		logOut = lf
		if opts.headless {
			logOut = io.MultiWriter(stdout, lf)
		}
	}
	log := newLogger(logOut, opts.logFormat, slog.LevelInfo)

	var (
		client   *ovh.Client
		endpoint string
		cacheDir string // "" = the user's cache dir
		demo     *demoEnv
	)
	if opts.demo {
		var err error
		demo, err = startDemo(ctx, opts, log)
		if err != nil {
			fmt.Fprintln(stderr, "ovhtui: demo:", err)
			var pe *prefs.ParseError
			if errors.Is(err, safefile.ErrNotRegular) || errors.Is(err, safefile.ErrTooLarge) || errors.Is(err, os.ErrNotExist) || errors.As(err, &pe) {
				return exitUsage // the --prefs given is unusable, as without --demo
			}
			return exitProblems
		}
		defer demo.close()
		client, endpoint, cacheDir = demo.client, demo.endpoint, demo.cacheDir
		opts.prefsPath = demo.prefsPath
		if !opts.headless {
			fmt.Fprintf(stderr, "demo: simulator at %s, preferences in %s\n", demo.endpoint, demo.prefsPath)
			if demo.copiedFrom != "" {
				fmt.Fprintf(stderr, "demo: that is a copy of %s, which the demo never writes\n", demo.copiedFrom)
			}
		}
	} else {
		w, err := loadEnvFile(opts.envPath)
		if err != nil {
			fmt.Fprintln(stderr, "ovhtui:", err)
			return exitUsage
		}
		collectSecrets()
		if w != "" {
			fmt.Fprintln(stderr, "warning:", w)
			log.Warn(w)
		}
		client, err = newOVHClient()
		if err != nil {
			fmt.Fprintln(stderr, "ovhtui:", err)
			return exitUsage
		}
		endpoint = endpointName()
	}

	// The store logs only what the engine's PrefsSaved events do not say
	// (merges of external edits, refused saves).
	store, err := prefs.Open(opts.prefsPath, newLogger(logOut, opts.logFormat, slog.LevelWarn))
	if err != nil {
		fmt.Fprintln(stderr, "ovhtui:", redactString(err.Error()))
		var pe *prefs.ParseError
		var le *prefs.LockedError
		var fe *prefs.ForeignLockFileError
		switch {
		case errors.As(err, &le), errors.As(err, &fe):
			return exitProblems
		case errors.As(err, &pe), errors.Is(err, os.ErrNotExist):
			return exitUsage
		}
		return exitUsage
	}
	defer store.Close()

	snap := store.Snapshot()
	problems := prefs.Validate(snap, endpoint)
	if opts.headless && noValidEntry(snap, endpoint) {
		// Nothing could ever be ordered: a supervisor must see a failure,
		// with the problems --check lists.
		for _, p := range problems {
			fmt.Fprintf(stderr, "%s: %s\n", opts.prefsPath, p)
		}
		fmt.Fprintf(stderr, "ovhtui: no entry of %s can be ordered as written: fix the problems above (ovhtui --check lists them)\n", opts.prefsPath)
		return exitProblems
	}
	for _, p := range problems {
		// The engine leaves entries with problems alone; say why.
		log.Warn("preferences problem: "+p.String(), "file", opts.prefsPath)
		if opts.headless {
			continue
		}
		fmt.Fprintf(stderr, "%s: %s\n", opts.prefsPath, p)
	}

	refused := &refusedRelay{} // 401/403 on signed calls (watch.go)
	api := ovhapi.NewOVHClient(client, ovhapi.ClientOptions{OnRefused: refused.report})
	src := catalog.NewSource(catalog.SourceOptions{
		Fetch:      catalog.NewOVHFetcher(client, 30*time.Second),
		CacheDir:   cacheDir,
		Endpoint:   endpoint,
		Subsidiary: snap.Subsidiary,
		Log:        log,
	})
	srcCtx, stopSrc := context.WithCancel(context.Background())
	defer func() { stopSrc(); src.Wait() }()
	if !opts.headless {
		// The UI's browser wants the catalog at once (cache first, then a
		// refresh when older than an hour). Headless, the engine asks for
		// it only while an entry has fetch_catalog.
		src.Start(srcCtx)
	}

	notifier, err := startNotifier(api, store, src, opts.demo, log)
	if err != nil {
		fmt.Fprintln(stderr, "ovhtui:", redactString(err.Error()))
		return exitUsage
	}
	// The one budget of unsigned requests: the engine's polls and re-checks,
	// the browser's look-ups (and any other sweep) draw from it.
	requests := budget.New(opts.budget, nil)
	eng := order.New(order.Config{
		API:          api,
		Store:        store,
		Catalog:      src,
		Poll:         opts.poll,
		Endpoint:     endpoint,
		Log:          log,
		ExitWhenIdle: opts.headless,
		Budget:       requests,

		CredentialExpiry:     credentialExpiry(client, api),
		DefaultPaymentMethod: api.DefaultPaymentMethod,
	})
	refused.eng.Store(eng)
	var listeners []func(order.Event)
	if notifier != nil {
		listeners = append(listeners, notifier.Offer)
	}
	// Every consumer sees the same events; none can slow the engine (tap.go).
	events, heard := tapEvents(eng.Events(), listeners...)
	defer func() { <-heard; flushNotifier(notifier) }()

	if opts.headless {
		printed := make(chan struct{})
		go func() {
			// Drains until Run closes the channel: no order event is lost.
			order.RunHeadless(context.Background(), events, log)
			close(printed)
		}()
		runErr := eng.Run(ctx)
		<-printed
		for _, line := range eng.Summary() {
			log.Info("final: " + line)
		}
		if runErr != nil {
			log.Error("engine stopped", "err", runErr)
			return exitProblems
		}
		return exitOK
	}

	// The engine gets its own context: quitting the UI cancels it, and Run
	// returns only once a checkout in flight has finished and been saved.
	engCtx, stopEng := context.WithCancel(context.Background())
	engDone := make(chan error, 1)
	go func() { engDone <- eng.Run(engCtx) }()
	uiErr := tui.Run(ctx, tui.Deps{
		Store:          store,
		Events:         events,
		Rearm:          eng.Rearm,
		BuyAnother:     eng.BuyAnother,
		Catalog:        src.Current,
		CatalogUpdates: src.Updates(),
		RefreshCatalog: src.ForceRefresh,
		Availability:   availabilityLookup(api, requests),
		OrderExpiry: func(ctx context.Context, id int64) (time.Time, error) {
			o, err := api.MyOrder(ctx, id)
			if err != nil || o.ExpirationDate == nil {
				return time.Time{}, err
			}
			return *o.ExpirationDate, nil
		},
		Account:    accountClient(api, opts.prefsPath), // afterwin.go
		Endpoint:   endpoint,
		Subsidiary: snap.Subsidiary,
		Poll:       opts.poll,
		Log:        log,
		NoColor:    os.Getenv("NO_COLOR") != "",
		Farewell:   stderr,
	})
	uiDone := time.Now()
	stopEng()
	engErr := <-engDone
	// A checkout the UI did not see start finishes after it closed: say so.
	for _, sv := range store.Snapshot().Servers {
		if sv.OrderID != 0 && !sv.OrderedAt.Before(uiDone.Add(-time.Second)) {
			fmt.Fprintf(stderr, "order %d placed in %s while exiting: %s\n", sv.OrderID, sv.OrderedIn, ovhapi.OrderLink(sv.OrderURL))
		}
	}
	if uiErr != nil {
		fmt.Fprintln(stderr, "ovhtui:", redactString(uiErr.Error()))
		return exitProblems
	}
	if engErr != nil {
		fmt.Fprintln(stderr, "ovhtui: engine:", redactString(engErr.Error()))
		return exitProblems
	}
	if demo != nil {
		fmt.Fprintf(stderr, "demo preferences left in %s\n", filepath.Dir(demo.prefsPath))
	}
	return exitOK
}

// noValidEntry reports whether the engine would leave every entry of f
// alone for its problems: a problem of the whole file (e.g. the
// subsidiary), or a problem in each entry. A file without entries is not
// invalid: it has nothing to do, which headless reports by exiting 0.
func noValidEntry(f *prefs.File, endpoint string) bool {
	byEntry := prefs.EntryProblems(f, endpoint)
	if len(byEntry[prefs.FileProblems]) > 0 {
		return true
	}
	return len(f.Servers) > 0 && len(byEntry) == len(f.Servers)
}

// availabilityLookup serves the catalog browser: fqn -> DC -> value for a
// planCode, one filtered request.
func availabilityLookup(api order.API, requests *budget.Budget) func(context.Context, string) (map[string]map[string]string, error) {
	return func(ctx context.Context, planCode string) (map[string]map[string]string, error) {
		requests.Spend(budget.Wanted) // the user asked: it never waits, it counts
		items, err := api.Availability(ctx, planCode, nil)
		if err != nil {
			return nil, err
		}
		out := make(map[string]map[string]string, len(items))
		for _, it := range items {
			m := make(map[string]string, len(it.Datacenters))
			for _, d := range it.Datacenters {
				m[d.Datacenter] = d.Availability
			}
			out[it.FQN] = m
		}
		return out, nil
	}
}

func lookupNonEmpty(k string) bool { v, ok := os.LookupEnv(k); return ok && v != "" }
