package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/ovh/go-ovh/ovh"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/budget"
	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/metrics"
	"github.com/ovhtui/ovhtui/notify"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
	"github.com/ovhtui/ovhtui/safefile"
)

// frontEnd is what a front end of the engine (the UI, headless, and later
// the SSH server) asks of the setup they share.
type frontEnd struct {
	// logsToStdout: the log lines are the front end's output (headless);
	// otherwise they go only to --log-file (the UI owns the terminal).
	logsToStdout bool
	// catalogAtOnce starts the catalog source at once (a browser wants
	// it); otherwise the engine asks for it only while an entry has
	// fetch_catalog.
	catalogAtOnce bool
	// exitWhenIdle stops the engine when no entry has anything left to do.
	exitWhenIdle bool
	// needValidEntry fails the start (exit 1, the problems on stderr) when
	// no entry could ever be ordered: a supervisor must see a failure.
	needValidEntry bool
	// problemsToStderr prints the preferences problems on stderr as well
	// as in the log.
	problemsToStderr bool
	// listeners hear every event of the engine, beside the notifier and
	// the metrics (serve's hub of SSH sessions).
	listeners []func(order.Event)
}

// engineRun is the engine set up for a front end: the preferences store
// (locked), the OVH client (or the demo's simulator), the catalog source,
// the notifier, and the engine's events tapped for every listener. close
// releases it all, in the reverse order.
type engineRun struct {
	opts     options
	log      *slog.Logger
	logOut   io.Writer
	endpoint string
	demo     *demoEnv
	store    *prefs.Store
	snap     *prefs.File // at start
	client   *ovh.Client
	api      *ovhapi.OVHClient
	src      *catalog.Source
	requests *budget.Budget // the one budget of unsigned requests
	notifier *notify.Notifier
	radar    *radar // the restock radar; nil with --history off or an unusable file
	eng      *order.Engine
	// account is the after-the-win client (the UI's Orders and Servers
	// screens, the reminders).
	account *account.Client
	// metrics is --metrics' collector (nil when off).
	metrics *metrics.Collector
	// events are the engine's events, for the front end to drain.
	events <-chan order.Event

	closers []func()
}

// onClose runs f at close, before what was set up earlier.
func (r *engineRun) onClose(f func()) { r.closers = append(r.closers, f) }

// close releases what the setup opened, last first.
func (r *engineRun) close() {
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
	r.closers = nil
}

// setupEngine sets the engine up for fe. On failure it has said why on
// stderr and released what it opened; the code is the exit code.
func (a *app) setupEngine(ctx context.Context, opts options, fe frontEnd) (r *engineRun, code int) {
	r = &engineRun{opts: opts}
	defer func() {
		if code != exitOK {
			r.close()
			r = nil
		}
	}()

	// No file may serve two roles (--log-file preferences.json would
	// append log lines to the preferences): checked before any is opened.
	if err := claimRoles(opts); err != nil {
		fmt.Fprintln(a.stderr, "ovhtui:", err)
		return r, exitUsage
	}

	// Logs: --log-file, else stdout when logsToStdout; the UI never writes
	// to the terminal outside its screen.
	r.logOut = io.Discard
	var stdout io.Writer = a.stdout
	if fe.logsToStdout {
		// A closed stdout (`ovhtui headless | head -1`) is said once on
		// stderr; the log file and the engine go on.
		surviveBrokenPipes()
		stdout = &outputGuard{w: a.stdout, report: func(err error) {
			where := "the log lines go on to the log file " + opts.logFile
			if opts.logFile == "" {
				where = "ovhtui goes on without printing its log (give --log-file to keep it)"
			}
			fmt.Fprintf(a.stderr, "ovhtui: stdout can no longer be written (%s): %s\n", causeOf(err), where)
		}}
		r.logOut = stdout
	}
	if opts.logFile != "" {
		lf, err := a.openLogFile(r, fe)
		if err != nil {
			fmt.Fprintln(a.stderr, "ovhtui:", err)
			return r, exitUsage
		}
		r.logOut = lf
		if fe.logsToStdout {
			r.logOut = io.MultiWriter(stdout, lf)
		}
	}
	r.log = a.newLogger(r.logOut, opts.logFormat, slog.LevelInfo)

	cacheDir := a.env.cacheDir()
	if opts.demo {
		demo, err := a.startDemo(ctx, opts, r.log)
		if err != nil {
			fmt.Fprintln(a.stderr, "ovhtui: demo:", err)
			var pe *prefs.ParseError
			if errors.Is(err, safefile.ErrNotRegular) || errors.Is(err, safefile.ErrTooLarge) || errors.Is(err, os.ErrNotExist) || errors.As(err, &pe) {
				return r, exitUsage // the --prefs given is unusable, as without --demo
			}
			return r, exitProblems
		}
		r.onClose(demo.close)
		r.demo = demo
		r.client, r.endpoint, cacheDir = demo.client, demo.endpoint, demo.cacheDir
		r.opts.prefsPath = demo.prefsPath
	} else {
		w, err := loadEnvFile(a.env, opts.envPath)
		if err != nil {
			fmt.Fprintln(a.stderr, "ovhtui:", err)
			return r, exitUsage
		}
		a.secrets.collect(a.env)
		if w != "" {
			fmt.Fprintln(a.stderr, "warning:", w)
			r.log.Warn(w)
		}
		r.client, err = a.newOVHClient()
		if err != nil {
			fmt.Fprintln(a.stderr, "ovhtui:", err)
			return r, exitUsage
		}
		r.endpoint = a.endpointName()
	}

	// A journal ovhtui cannot use (a FIFO, a folder) is said at once, in
	// one line, before the engine starts.
	if err := journal.CheckPath(journal.Beside(r.opts.prefsPath)); err != nil {
		fmt.Fprintln(a.stderr, "ovhtui:", err)
		return r, exitUsage
	}
	// The store logs only what the engine's PrefsSaved events do not say
	// (merges of external edits, refused saves).
	store, err := prefs.Open(r.opts.prefsPath, a.newLogger(r.logOut, opts.logFormat, slog.LevelWarn))
	if err != nil {
		fmt.Fprintln(a.stderr, "ovhtui:", a.secrets.redact(err.Error()))
		var le *prefs.LockedError
		var fe *prefs.ForeignLockFileError
		if errors.As(err, &le) || errors.As(err, &fe) {
			return r, exitProblems
		}
		return r, exitUsage
	}
	r.store = store
	r.onClose(func() { store.Close() })

	r.snap = store.Snapshot()
	problems := prefs.Validate(r.snap, r.endpoint)
	if fe.needValidEntry && noValidEntry(r.snap, r.endpoint) {
		for _, p := range problems {
			fmt.Fprintf(a.stderr, "%s: %s\n", r.opts.prefsPath, p)
		}
		fmt.Fprintf(a.stderr, "ovhtui: no entry of %s can be ordered as written: fix the problems above (ovhtui check lists them)\n", r.opts.prefsPath)
		return r, exitProblems
	}
	for _, p := range problems {
		// The engine leaves entries with problems alone; say why.
		r.log.Warn("preferences problem: "+p.String(), "file", r.opts.prefsPath)
		if fe.problemsToStderr {
			fmt.Fprintf(a.stderr, "%s: %s\n", r.opts.prefsPath, p)
		}
	}

	refused := &refusedRelay{} // 401/403 on signed calls (watch.go)
	r.api = ovhapi.NewOVHClient(r.client, ovhapi.ClientOptions{OnRefused: refused.report})
	r.src = catalog.NewSource(catalog.SourceOptions{
		Fetch:      catalog.NewOVHFetcher(r.client, 30*time.Second),
		CacheDir:   cacheDir,
		Endpoint:   r.endpoint,
		Subsidiary: r.snap.Subsidiary,
		Log:        r.log,
	})
	srcCtx, stopSrc := context.WithCancel(context.Background())
	r.onClose(func() { stopSrc(); r.src.Wait() })
	if fe.catalogAtOnce {
		// Cache first, then a refresh when older than an hour.
		r.src.Start(srcCtx)
	}

	r.account = accountClient(r.api, r.opts.prefsPath) // account.go
	var delivered func(string, error)
	if opts.metricsAddr != "" {
		r.metrics = metrics.New(metrics.Options{Poll: opts.poll})
		delivered = r.metrics.NotificationResult
	}
	r.notifier, err = a.startNotifier(r.api, store, r.src, opts.demo, r.log, delivered)
	if err != nil {
		fmt.Fprintln(a.stderr, "ovhtui:", a.secrets.redact(err.Error()))
		return r, exitUsage
	}
	// The one budget of unsigned requests: the engine's polls and re-checks,
	// the browser's look-ups (and any other sweep) draw from it.
	r.requests = budget.New(int(opts.budget), nil)
	// The restock radar (history.go): a problem with its file is said once
	// and the engine runs on without it.
	rad, radMsg := a.startEngineRadar(r.opts, r.demo, r.snap.Subsidiary, store, r.notifier, r.log)
	if radMsg != "" && !fe.logsToStdout {
		fmt.Fprintln(a.stderr, "ovhtui:", radMsg)
	}
	r.radar = rad
	if r.metrics != nil && rad != nil && rad.rec != nil {
		r.metrics.CountHistoryWrites(func() float64 { return float64(rad.rec.Written()) })
	}
	r.onClose(rad.close) // after the fan-out delivered the last event (onClose below)
	sweep := time.Duration(0)
	if rad != nil {
		sweep = opts.history.sweep
	}
	cfg := order.Config{
		API:          r.api,
		Store:        store,
		Catalog:      r.src,
		Poll:         opts.poll,
		Endpoint:     r.endpoint,
		Log:          r.log,
		ExitWhenIdle: fe.exitWhenIdle,
		Budget:       r.requests,
		Sweep:        sweep,

		CredentialExpiry:     credentialExpiry(r.client, r.api),
		UnpaidOrders:         unpaidOrders(r.account, store),
		ServerTerms:          serverTerms(r.account),
		DefaultPaymentMethod: r.api.DefaultPaymentMethod,
		LookUpRetries:        a.lookUpRetries,
	}
	if r.demo != nil {
		cfg = demoEngineConfig(cfg)
	}
	r.eng = order.New(cfg)
	refused.eng.Store(r.eng)
	rad.holdFor(r.eng) // the radar's writes wait for checkouts (order/quiet.go)
	var listeners []func(order.Event)
	if r.notifier != nil {
		listeners = append(listeners, r.notifier.Offer)
	}
	if rad != nil { // the restock radar records from the fan-out, off the poll-to-checkout path
		listeners = append(listeners, rad.listen())
	}
	if r.metrics != nil {
		listeners = append(listeners, r.metrics.Observe)
		mctx, stopMetrics := context.WithCancel(context.Background())
		r.onClose(stopMetrics)
		addr, err := metrics.Serve(mctx, opts.metricsAddr, r.metrics.Handler(), r.log)
		if err != nil {
			fmt.Fprintln(a.stderr, "ovhtui:", err)
			return r, exitUsage
		}
		r.log.Info("metrics: serving /metrics, /healthz and /readyz", "addr", addr.String())
	}
	listeners = append(listeners, fe.listeners...)
	engineEvents := r.eng.Events()
	if r.demo != nil {
		// The demo's story, told in the same events (demo_story.go).
		story, stop := startDemoStory(r.demo.sim, store, r.eng, func(k string) string { return entryName(store, r.src.Current(), k) }, r.demo.fqns)
		r.onClose(stop)
		listeners = append(listeners, story.hear)
		engineEvents = mergeEvents(engineEvents, story.out)
	}
	// Every consumer sees the same events; none can slow the engine (tap.go).
	events, heard := tapEvents(engineEvents, listeners...)
	r.events = events
	r.onClose(func() { <-heard; a.flushNotifier(r.notifier) })
	return r, exitOK
}

// openLogFile opens --log-file for r. A failing log file is said once: at
// once when the logs are the output, after the front end (which owns the
// terminal) has ended otherwise.
func (a *app) openLogFile(r *engineRun, fe frontEnd) (*logFileWriter, error) {
	var (
		mu       sync.Mutex
		reported string
	)
	report := func(msg string) {
		if fe.logsToStdout {
			fmt.Fprintln(a.stderr, "ovhtui:", msg)
			return
		}
		mu.Lock()
		reported = msg
		mu.Unlock()
	}
	lf, err := openLogFile(r.opts.logFile, report)
	if err != nil {
		return nil, err
	}
	r.onClose(func() {
		lost := lf.Close()
		mu.Lock()
		defer mu.Unlock()
		if reported != "" {
			fmt.Fprintln(a.stderr, "ovhtui:", reported)
		}
		if lost != "" {
			fmt.Fprintln(a.stderr, "ovhtui:", lost)
		}
	})
	return lf, nil
}

// newLogger builds the slog logger writing to w (secrets scrubbed).
func (a *app) newLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	w = a.secrets.writer(w)
	ho := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, ho))
	}
	return slog.New(slog.NewTextHandler(w, ho))
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

// orderExpiry is when an unpaid order lapses, read from OVH.
func orderExpiry(api *ovhapi.OVHClient) func(ctx context.Context, id int64) (time.Time, error) {
	return func(ctx context.Context, id int64) (time.Time, error) {
		o, err := api.MyOrder(ctx, id)
		if err != nil || o.ExpirationDate == nil {
			return time.Time{}, err
		}
		return *o.ExpirationDate, nil
	}
}
