package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/history"
	"github.com/ovhtui/ovhtui/notify"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/prefs"
)

// historyFlags are the restock radar's flags (package history), taken by
// the engine and by `ovhtui history`.
type historyFlags struct {
	path  string        // --history: "" the default file, "off" none
	keep  time.Duration // --history-keep
	sweep time.Duration // --sweep: 0 off
}

// off reports whether --history off was given.
func (h historyFlags) off() bool { return h.path == "off" }

// addHistoryFlags registers --history and --history-keep (and, for the
// engine, --sweep) on fs; the returned func checks them after Parse.
func addHistoryFlags(fs *flag.FlagSet, h *historyFlags, engine bool) func() error {
	fs.StringVar(&h.path, "history", "", "restock history database `PATH|off` (default $XDG_STATE_HOME/ovhtui/history.db or the platform's state folder; off: no history, no sweep)")
	keep := fs.String("history-keep", "400d", "prune history older than `DURATION` (e.g. 400d, 8760h)")
	var sweep *string
	if engine {
		sweep = fs.String("sweep", order.DefaultSweep.String(), "background sweep of every ECO model for the history every `DURATION`, within the request budget (off: only wanted plans are recorded)")
	}
	return func() error {
		d, err := parseDays(*keep)
		if err != nil || d <= 0 {
			return fmt.Errorf("--history-keep %q: give a positive duration such as 400d or 720h", *keep)
		}
		h.keep = d
		if sweep != nil {
			switch *sweep {
			case "off", "0":
				h.sweep = 0
			default:
				d, err := time.ParseDuration(*sweep)
				if err != nil || d < time.Minute {
					return fmt.Errorf("--sweep %q: give a duration of at least 1m (e.g. 5m), or off", *sweep)
				}
				h.sweep = d
			}
		}
		return nil
	}
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
func historyPath(h historyFlags) (string, error) {
	switch h.path {
	case "off":
		return "", nil
	case "":
		return history.DefaultPath()
	}
	return h.path, nil
}

// radar is the running restock radar of the engine: its store and recorder.
type radar struct {
	store *history.Store
	rec   *history.Recorder
	stop  func()
}

// close stops the recorder (writing what is queued) and closes the file.
func (r *radar) close() {
	if r == nil {
		return
	}
	r.stop()
	r.store.Close()
}

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
	rec := history.NewRecorder(store, history.RecorderOptions{
		Keep: h.keep,
		OnError: func(err error) {
			log.Error("history: " + err.Error())
		},
		OnNews: news,
		Seed:   seed,
	})
	rctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rec.Run(rctx) }()
	return &radar{store: store, rec: rec, stop: func() { stop(); <-done }}, ""
}

// runHistory runs `ovhtui history [PLAN|FQN] [--dc DC] [--since
// DURATION|DATE] [--json|--csv]`: the transitions recorded, as JSON or CSV,
// or a summary per fqn and DC.
func runHistory(args []string, stdout, stderr io.Writer) (int, bool) {
	if len(args) == 0 || args[0] != "history" {
		return 0, false
	}
	fs := flag.NewFlagSet("ovhtui history", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var h historyFlags
	finish := addHistoryFlags(fs, &h, false)
	dc := fs.String("dc", "", "only this datacenter `DC`")
	since := fs.String("since", "", "only since `DURATION` ago (72h, 30d, 2w) or DATE (2026-11-01 or RFC 3339)")
	sub := fs.String("subsidiary", "", "only this `SUBSIDIARY` (e.g. IE)")
	asJSON := fs.Bool("json", false, `print the transitions as a JSON array, oldest first: {"time","subsidiary","planCode","fqn","datacenter","from","to"}`)
	asCSV := fs.Bool("csv", false, "print the transitions as CSV, oldest first")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: ovhtui history [PLAN|FQN] [--dc DC] [--since DURATION|DATE] [--json|--csv]\n\n"+
			"The restock history ovhtui recorded: without --json or --csv, a summary per fqn and DC\n"+
			"(value now, restocks, last in stock, median and longest time in stock).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	// Flags may follow the PLAN|FQN argument.
	rest := args[1:]
	var what string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		what, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, true
		}
		return exitUsage, true
	}
	if fs.NArg() > 0 {
		if what != "" || fs.NArg() > 1 {
			fmt.Fprintf(stderr, "ovhtui history: one PLAN or FQN at most, not %q\n", strings.Join(fs.Args(), " "))
			return exitUsage, true
		}
		what = fs.Arg(0)
	}
	if err := finish(); err != nil {
		fmt.Fprintln(stderr, "ovhtui history:", err)
		return exitUsage, true
	}
	if *asJSON && *asCSV {
		fmt.Fprintln(stderr, "ovhtui history: --json and --csv cannot be combined")
		return exitUsage, true
	}
	now := time.Now()
	f := history.Filter{Subsidiary: strings.ToUpper(*sub), DC: *dc}
	if strings.Contains(what, ".") {
		f.FQN = what
	} else {
		f.PlanCode = what
	}
	if *since != "" {
		t, err := parseSince(*since, now)
		if err != nil {
			fmt.Fprintln(stderr, "ovhtui history: --since:", err)
			return exitUsage, true
		}
		f.Since = t
	}
	if h.off() {
		fmt.Fprintln(stderr, "ovhtui history: --history off: no history to read")
		return exitUsage, true
	}
	path, err := historyPath(h)
	if err != nil {
		fmt.Fprintln(stderr, "ovhtui history:", err)
		return exitProblems, true
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if *asJSON {
			fmt.Fprintln(stdout, "[]")
		}
		fmt.Fprintf(stderr, "ovhtui history: no history yet in %s (ovhtui records it while it runs)\n", path)
		return exitOK, true
	}
	ctx := context.Background()
	store, err := history.Open(ctx, path)
	if err != nil {
		fmt.Fprintln(stderr, "ovhtui history:", err)
		return exitProblems, true
	}
	defer store.Close()
	switch {
	case *asJSON || *asCSV:
		ts, err := store.Transitions(ctx, f)
		if err != nil {
			fmt.Fprintln(stderr, "ovhtui history:", err)
			return exitProblems, true
		}
		if *asJSON {
			if ts == nil {
				ts = []history.Transition{}
			}
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(ts); err != nil {
				fmt.Fprintln(stderr, "ovhtui history:", err)
				return exitProblems, true
			}
			return exitOK, true
		}
		w := csv.NewWriter(stdout)
		w.Write([]string{"time", "subsidiary", "planCode", "fqn", "datacenter", "from", "to"})
		for _, t := range ts {
			w.Write([]string{t.Time.UTC().Format(time.RFC3339Nano), t.Subsidiary, t.PlanCode, t.FQN, t.DC, t.From, t.To})
		}
		w.Flush()
		if err := w.Error(); err != nil {
			fmt.Fprintln(stderr, "ovhtui history:", err)
			return exitProblems, true
		}
		return exitOK, true
	}
	sums, err := store.Summaries(ctx, f, now)
	if err != nil {
		fmt.Fprintln(stderr, "ovhtui history:", err)
		return exitProblems, true
	}
	if len(sums) == 0 {
		fmt.Fprintln(stderr, "ovhtui history: nothing recorded matches")
		return exitOK, true
	}
	sort.Slice(sums, func(i, j int) bool {
		a, b := sums[i], sums[j]
		if a.FQN != b.FQN {
			return a.FQN < b.FQN
		}
		return a.DC < b.DC
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
	return exitOK, true
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
func startEngineRadar(opts options, demo *demoEnv, sub string, store *prefs.Store, notifier *notify.Notifier, log *slog.Logger) (*radar, string) {
	if opts.history.off() {
		return nil, ""
	}
	var seed func(func(history.Observation))
	path := opts.history.path
	switch {
	case demo != nil && path == "":
		path, seed = demoHistoryPath(demo), demoHistorySeed(sub)
	default:
		p, err := historyPath(opts.history)
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

// demoHistoryWeeks is how much invented history the demo starts with.
const demoHistoryWeeks = 4

// demoHistorySeed invents demoHistoryWeeks of restocks for every fqn and
// DC of the demo's catalog, ending a minute ago.
func demoHistorySeed(sub string) func(func(history.Observation)) {
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
		history.Synthesize(sub, series, end.Add(-demoHistoryWeeks*7*24*time.Hour), end, 7, emit)
	}
}
