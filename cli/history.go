package cli

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/history"
	"github.com/ovhtui/ovhtui/notify"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/prefs"
	"github.com/ovhtui/ovhtui/tui"
)

// historyFlags are the restock radar's flags (package history), taken by
// the engine's front ends and by `ovhtui history`.
type historyFlags struct {
	path     string        // --history: "" the default file, "off" none
	keep     time.Duration // --history-keep
	keepText string
	sweep    time.Duration // --sweep: 0 off
	sweepTxt string
}

// off reports whether --history off was given.
func (h historyFlags) off() bool { return h.path == "off" }

// addHistoryFlags registers --history and --history-keep (and, for the
// engine, --sweep) on fs.
func addHistoryFlags(fs *pflag.FlagSet, h *historyFlags, engine bool) {
	fs.StringVar(&h.path, "history", "", "restock history database `PATH|off` (default $XDG_STATE_HOME/ovhtui/history.db or the platform's state folder; off: no history, no sweep)")
	fs.StringVar(&h.keepText, "history-keep", "400d", "prune history older than `DURATION` (e.g. 400d, 8760h)")
	if engine {
		fs.StringVar(&h.sweepTxt, "sweep", order.DefaultSweep.String(), "background sweep of every ECO model for the history every `DURATION`, within the request budget (off: only wanted plans are recorded)")
	}
}

// checkHistoryFlags validates the flags of addHistoryFlags.
func checkHistoryFlags(cmd *cobra.Command, h *historyFlags) error {
	d, err := parseDays(h.keepText)
	if err != nil || d <= 0 {
		return usageError(cmd, "--history-keep %q: give a positive duration such as 400d or 720h", h.keepText)
	}
	h.keep = d
	switch h.sweepTxt {
	case "":
	case "off", "0":
		h.sweep = 0
	default:
		d, err := time.ParseDuration(h.sweepTxt)
		if err != nil || d < time.Minute {
			return usageError(cmd, "--sweep %q: give a duration of at least 1m (e.g. 5m), or off", h.sweepTxt)
		}
		h.sweep = d
	}
	return nil
}

// parseDays reads a Go duration, or whole days ("400d") and weeks ("2w").
func parseDays(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v < 0 {
				return 0, fmt.Errorf("%q is not a number of %s", n, map[string]string{"d": "days", "w": "weeks"}[suffix])
			}
			return time.Duration(v) * unit, nil
		}
	}
	return time.ParseDuration(s)
}

// historyPath is the database file of h ("" when off).
func (a *app) historyPath(h historyFlags) (string, error) {
	switch h.path {
	case "off":
		return "", nil
	case "":
		return history.DefaultPathIn(a.env.get)
	}
	return h.path, nil
}

// radar is the running restock radar of the engine: its store and recorder.
type radar struct {
	store *history.Store
	rec   *history.Recorder
	stop  func()
	// engine, once set (setup.go), holds the recorder's writes while a
	// checkout is under way (order.Engine.Quiet).
	engine *atomic.Pointer[order.Engine]
}

// holdFor makes the recorder wait for eng's checkouts before it writes.
func (r *radar) holdFor(eng *order.Engine) {
	if r != nil {
		r.engine.Store(eng)
	}
}

// close stops the recorder (writing what is queued) and closes the file.
func (r *radar) close() {
	if r == nil {
		return
	}
	r.stop()
	r.store.Close()
}

// reader is what the UI reads of the radar (nil when off: a nil
// interface, not a nil store): the store, and the recorder's word that
// the history changed.
func (r *radar) reader() tui.RadarReader {
	if r == nil {
		return nil
	}
	return radarReader{Store: r.store, rec: r.rec}
}

// radarReader is the store read by the UI, told of changes by the recorder.
type radarReader struct {
	*history.Store
	rec *history.Recorder
}

// Changed implements tui.RadarReader.
func (r radarReader) Changed() <-chan struct{} { return r.rec.Changed() }

// listen is the recorder's listener on the event fan-out (nil when off).
func (r *radar) listen() func(order.Event) {
	if r == nil {
		return nil
	}
	return r.rec.Listen
}

// startRadar opens the history database and starts its recorder. Any
// problem with the file is said once (the returned message) and the engine
// runs on without history: nil radar, never an exit. seed, when set, fills
// a new demo database before anything live is recorded. news gets what
// alerts may tell (may be nil).
func startRadar(h historyFlags, path string, log *slog.Logger, seed func(emit func(history.Observation)), news func(history.News)) (*radar, string) {
	if h.off() || path == "" {
		return nil, ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*history.BusyTimeout)
	store, err := history.Open(ctx, path)
	cancel()
	if err != nil {
		msg := "history: " + err.Error() + "; ovhtui runs on without history"
		log.Warn(msg)
		return nil, msg
	}
	engine := &atomic.Pointer[order.Engine]{}
	rec := history.NewRecorder(store, history.RecorderOptions{
		Keep: h.keep,
		Hold: func() <-chan struct{} {
			if e := engine.Load(); e != nil {
				return e.Quiet()
			}
			return nil
		},
		OnError: func(err error) {
			log.Error("history: " + err.Error())
		},
		OnNews: news,
		Seed:   seed,
	})
	rctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rec.Run(rctx) }()
	if seed != nil {
		// The demo's invented month is written before anything shows
		// (about a second): every view has its history from the first
		// frame.
		<-rec.Ready()
	}
	return &radar{store: store, rec: rec, stop: func() { stop(); <-done }, engine: engine}, ""
}

// historyCommand is `ovhtui history [PLAN|FQN] [--dc DC] [--since
// DURATION|DATE] [--json|--csv]`: the transitions recorded, as JSON or CSV,
// or a summary per fqn and DC.
func (a *app) historyCommand() *cobra.Command {
	var (
		h             historyFlags
		dc, since     string
		sub           string
		asJSON, asCSV bool
	)
	cmd := &cobra.Command{
		Use:   "history [PLAN|FQN]",
		Short: "Show the restock history: when servers came back, where, for how long",
		Long: "Reads the restock radar's database (the engine records every availability change it sees).\n" +
			"Without --json or --csv: a summary per fqn and DC (value now, restocks, last in stock, median\n" +
			"and longest time in stock). --json prints every transition, oldest first, as\n" +
			`{"time","subsidiary","planCode","fqn","datacenter","from","to"} (time: RFC 3339, UTC).`,
		Example: "ovhtui history\novhtui history 24ska01 --dc gra --since 30d\novhtui history --json --since 2026-11-01",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkHistoryFlags(cmd, &h); err != nil {
				return err
			}
			if asJSON && asCSV {
				return usageError(cmd, "--json and --csv cannot be combined")
			}
			if h.off() {
				return usageError(cmd, "--history off: no history to read")
			}
			now := time.Now()
			f := history.Filter{Subsidiary: strings.ToUpper(sub), DC: dc}
			if len(args) == 1 {
				if strings.Contains(args[0], ".") {
					f.FQN = args[0]
				} else {
					f.PlanCode = args[0]
				}
			}
			if since != "" {
				t, err := parseSince(since, now)
				if err != nil {
					return usageError(cmd, "--since: %s", err)
				}
				f.Since = t
			}
			path, err := a.historyPath(h)
			if err != nil {
				return a.failure(cmd, exitProblems, err)
			}
			return exitCode(a.printHistory(cmd.Context(), path, f, now, asJSON, asCSV))
		},
	}
	fs := cmd.Flags()
	addHistoryFlags(fs, &h, false)
	fs.StringVar(&dc, "dc", "", "only this datacenter `DC`")
	fs.StringVar(&since, "since", "", "only since `DURATION` ago (72h, 30d, 2w) or DATE (2026-11-01, RFC 3339)")
	fs.StringVar(&sub, "subsidiary", "", "only this `SUBSIDIARY` (e.g. IE)")
	fs.BoolVar(&asJSON, "json", false, "print the transitions as a JSON array, oldest first")
	fs.BoolVar(&asCSV, "csv", false, "print the transitions as CSV, oldest first")
	return cmd
}

// printHistory prints what f selects of the database at path.
func (a *app) printHistory(ctx context.Context, path string, f history.Filter, now time.Time, asJSON, asCSV bool) int {
	stdout, stderr := a.stdout, a.stderr
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if asJSON {
			fmt.Fprintln(stdout, "[]")
		}
		fmt.Fprintf(stderr, "ovhtui history: no history yet in %s (ovhtui records it while it runs)\n", path)
		return exitOK
	}
	store, err := history.Open(ctx, path)
	if err != nil {
		fmt.Fprintln(stderr, "ovhtui history:", err)
		return exitProblems
	}
	defer store.Close()
	if asJSON || asCSV {
		ts, err := store.Transitions(ctx, f)
		if err != nil {
			fmt.Fprintln(stderr, "ovhtui history:", err)
			return exitProblems
		}
		if asJSON {
			if ts == nil {
				ts = []history.Transition{}
			}
			if err := writeJSON(stdout, ts); err != nil {
				fmt.Fprintln(stderr, "ovhtui history:", err)
				return exitProblems
			}
			return exitOK
		}
		w := csv.NewWriter(stdout)
		w.Write([]string{"time", "subsidiary", "planCode", "fqn", "datacenter", "from", "to"})
		for _, t := range ts {
			w.Write([]string{t.Time.UTC().Format(time.RFC3339Nano), t.Subsidiary, t.PlanCode, t.FQN, t.DC, t.From, t.To})
		}
		w.Flush()
		if err := w.Error(); err != nil {
			fmt.Fprintln(stderr, "ovhtui history:", err)
			return exitProblems
		}
		return exitOK
	}
	sums, err := store.Summaries(ctx, f, now)
	if err != nil {
		fmt.Fprintln(stderr, "ovhtui history:", err)
		return exitProblems
	}
	if len(sums) == 0 {
		fmt.Fprintln(stderr, "ovhtui history: nothing recorded matches")
		return exitOK
	}
	sort.Slice(sums, func(i, j int) bool {
		if sums[i].FQN != sums[j].FQN {
			return sums[i].FQN < sums[j].FQN
		}
		return sums[i].DC < sums[j].DC
	})
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FQN\tDC\tNOW\tRESTOCKS\tLAST IN STOCK\tMEDIAN\tLONGEST")
	for _, s := range sums {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", s.FQN, s.DC, dash(s.Now), s.Stats.Restocks,
			history.LastInStock(s.Stock, now), durOrDash(s.Stats.MedianInStock), durOrDash(s.Stats.LongestInStock))
	}
	tw.Flush()
	if !f.Since.IsZero() {
		fmt.Fprintf(stdout, "\nsince %s; database %s\n", f.Since.UTC().Format(time.RFC3339), path)
	} else {
		fmt.Fprintf(stdout, "\ndatabase %s\n", path)
	}
	return exitOK
}

// parseSince reads --since: a duration back from now, or a date.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := parseDays(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("%q: give a positive duration", s)
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither a duration (72h, 30d, 2w) nor a date (2026-11-01, RFC 3339)", s)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func durOrDash(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return history.FormatDuration(d)
}

// demoHistoryPath is the demo's own history file, beside its preferences:
// the demo never writes the user's history.
func demoHistoryPath(d *demoEnv) string { return filepath.Join(d.tmpDir, history.FileName) }

// startEngineRadar starts the radar of the engine: the user's history file,
// or with --demo the demo's own, seeded with weeks of invented restocks.
// Alerts of unwatched restocks, price changes and new plans go to notifier.
func (a *app) startEngineRadar(opts options, demo *demoEnv, sub string, store *prefs.Store, notifier *notify.Notifier, log *slog.Logger) (*radar, string) {
	if opts.history.off() {
		return nil, ""
	}
	var seed func(func(history.Observation))
	path := opts.history.path
	switch {
	case demo != nil && path == "":
		days := demoHistoryDays
		if a.demoHistoryDays > 0 {
			days = a.demoHistoryDays
		}
		path, seed = demoHistoryPath(demo), demoHistorySeed(sub, days)
	default:
		p, err := a.historyPath(opts.history)
		if err != nil {
			return nil, "history: " + err.Error() + "; ovhtui runs on without history"
		}
		path = p
	}
	var news func(history.News)
	if notifier != nil {
		news = func(n history.News) { radarAlerts(n, store, notifier.Offer) }
	}
	return startRadar(opts.history, path, log, seed, news)
}

// radarAlerts offers the radar's news to the notifier: restocks of models
// no entry watches, price changes, plans appearing or leaving. Which of
// them are sent is OVHTUI_NOTIFY_EVENTS' choice (opt-in kinds).
func radarAlerts(n history.News, store *prefs.Store, offer func(order.Event)) {
	watched := map[string]bool{}
	for _, s := range store.Snapshot().Servers {
		if s.FQN != "" {
			watched[s.FQN] = true
		}
	}
	for _, t := range n.Restocks {
		if !watched[t.FQN] {
			offer(history.RestockAlert{Transition: t})
		}
	}
	for _, p := range n.Prices {
		offer(history.PriceAlert{PriceChange: p})
	}
	for _, p := range n.Plans {
		offer(history.PlanAlert{PlanChange: p})
	}
}

// demoHistoryDays is how much invented history the demo starts with: the
// history view's 30-day timeline is full from the first frame.
const demoHistoryDays = 31

// demoHistorySeed invents days (demoHistoryDays) of restocks for every fqn and
// DC of the demo's catalog, ending a minute ago.
func demoHistorySeed(sub string, days int) func(func(history.Observation)) {
	return func(emit func(history.Observation)) {
		c, err := catalog.Parse(ovhsim.DefaultCatalog(), catalog.ParseOptions{Subsidiary: sub})
		if err != nil {
			return
		}
		var series []history.SynthSeries
		for _, o := range c.Offers {
			for _, v := range o.Variants {
				for _, dc := range o.Datacenters {
					series = append(series, history.SynthSeries{PlanCode: o.PlanCode, FQN: v.FQN, DC: dc})
				}
			}
		}
		end := time.Now().Add(-time.Minute)
		history.Synthesize(sub, series, end.Add(-time.Duration(days)*24*time.Hour), end, 7, emit)
	}
}
