// Package cli is the ovhtui command: flags and wiring only. prefs owns the
// file, catalog the eco catalog, order the pipeline (and order/ovhsim the
// simulator used by --demo and the tests), tui the terminal UI.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/ovhtui/ovhtui/budget"
	"github.com/ovhtui/ovhtui/shutdown"
)

// version is the build's version, given to Main by package main.
var version = "dev"

// Exit codes, documented in --help (exitCodesHelp) and the README.
const (
	exitOK       = 0 // ok; --check found nothing; headless stopped by a signal after saving, or had nothing left to do
	exitProblems = 1 // problems found, no valid entry (headless), the lock taken or in the way, or a runtime failure
	exitUsage    = 2 // unusable input: unreadable, unparsable or non-regular file, duplicate keys, bad flags
)

// exitCodesHelp is the exit code table of --help.
const exitCodesHelp = `Exit codes:
  0  ok: --check found no problem; --headless stopped on SIGINT, SIGTERM or SIGHUP after saving,
     or had nothing left to do
  1  problems found (--check lists them; --headless exits 1 at start, listing them, when no entry
     can be ordered as written), another ovhtui holds the lock, a file is in the way of the lock file,
     or a runtime failure
  2  unusable input: a preferences or .env file that is unreadable, not a regular file, too large,
     not valid JSON, with a key written twice or a value of the wrong type; bad flags
`

// maxPoll bounds --poll: a slower poll would miss restocks that sell out
// in minutes, and a typo (100h for 100s) would silently stop watching.
const maxPoll = time.Hour

// options are the command-line flags.
type options struct {
	prefsPath   string
	prefsSet    bool
	envPath     string
	headless    bool
	demo        bool
	check       bool
	poll        time.Duration
	budget      int // unsigned requests a minute (--budget; 0: unlimited)
	logFile     string
	logFormat   string
	showVersion bool
	notifyTest  bool
}

// Main runs ovhtui with args (without the program name) and returns the
// exit code. v is the version set at build time.
func Main(v string, args []string, stdout, stderr io.Writer) int {
	shutdown.Catch() // done already by main's import of shutdown/atstart; first thing for any other caller
	if v != "" {
		version = v
	}
	return run(args, stdout, stderr)
}

// run is Main without the version, for tests.
func run(args []string, stdout, stderr io.Writer) int {
	if code, ok := runAfterWin(args, stdout, stderr); ok { // orders, pay, servers, renew (afterwin.go)
		return code
	}
	opts, code, done := parseFlags(args, stdout, stderr)
	if done {
		return code
	}
	if opts.showVersion {
		fmt.Fprintln(stdout, "ovhtui", buildVersion())
		return exitOK
	}
	if opts.notifyTest {
		return runNotifyTest(opts, stdout, stderr)
	}
	if opts.check {
		return runCheck(opts, stdout, stderr)
	}
	return runEngine(opts, stdout, stderr)
}

// parseFlags parses args. done is true when run must return code at once.
func parseFlags(args []string, stdout, stderr io.Writer) (opts options, code int, done bool) {
	fs := flag.NewFlagSet("ovhtui", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opts.prefsPath, "prefs", "./preferences.json", "preferences file `PATH`")
	fs.StringVar(&opts.envPath, "env", "./.env", "environment file `PATH` with OVH credentials (missing is fine; never overrides variables already set)")
	fs.BoolVar(&opts.headless, "headless", false, "run the engine without UI, one log line per event on stdout; exits 0 on SIGINT/SIGTERM/SIGHUP after saving, or when no entry has anything left to do; exits 1 at start when no entry can be ordered as written")
	fs.BoolVar(&opts.demo, "demo", false, "run everything against the built-in OVH API simulator (no credentials read, OVH never contacted); without --prefs, a demo preferences file in a temp folder is used")
	fs.BoolVar(&opts.check, "check", false, "validate the preferences file; with credentials, also verify them and list the API rights the consumer key lacks")
	fs.DurationVar(&opts.poll, "poll", 3*time.Second, "availability poll `interval` (from 1s to 1h)")
	budgetFlag := fs.String("budget", strconv.Itoa(budget.DefaultPerMin)+"/min", "`N/min` unsigned requests to OVH a minute, shared by every plan's poll and the re-checks of ready carts: when the plans need more, each is polled less often (the header says how often); a 429 from OVH halves it for 10 minutes; 0 or off: no limit")
	fs.StringVar(&opts.logFile, "log-file", "", "append logs to `PATH` (the UI never writes logs to the terminal)")
	fs.StringVar(&opts.logFormat, "log-format", "text", "log format: text or json")
	fs.BoolVar(&opts.showVersion, "version", false, "print the version and exit")
	fs.BoolVar(&opts.notifyTest, "notify-test", false, "send a test message to every service of OVHTUI_NOTIFY (environment or --env file) and print each result")
	usage := func(w io.Writer) {
		fmt.Fprintf(w, "Usage: ovhtui [flags]\n       ovhtui orders|pay|servers|renew ... (after a win: see ovhtui CMD --help)\n\nWatches OVHcloud ECO servers listed in preferences.json and orders them when they come back in stock.\n\nFlags:\n")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fmt.Fprint(w, "\n"+exitCodesHelp)
	}
	// On a bad flag the flag package prints the error and calls Usage
	// (also on --help): Usage does nothing; a bad flag points to --help,
	// and --help prints the text once, on stdout.
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return opts, exitOK, true
		}
		fmt.Fprintln(stderr, "run 'ovhtui --help' for the flags")
		return opts, exitUsage, true
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ovhtui: unexpected argument %q (see --help)\n", fs.Arg(0))
		return opts, exitUsage, true
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "prefs" {
			opts.prefsSet = true
		}
	})
	n, err := budget.ParsePerMin(*budgetFlag)
	if err != nil {
		fmt.Fprintf(stderr, "ovhtui: --%s\n", err)
		return opts, exitUsage, true
	}
	opts.budget = n
	if opts.poll < time.Second {
		fmt.Fprintf(stderr, "ovhtui: --poll %s is below the minimum of 1s\n", opts.poll)
		return opts, exitUsage, true
	}
	if opts.poll > maxPoll {
		fmt.Fprintf(stderr, "ovhtui: --poll %s is above the maximum of 1h (restocks sell out in minutes)\n", opts.poll)
		return opts, exitUsage, true
	}
	if opts.logFormat != "text" && opts.logFormat != "json" {
		fmt.Fprintf(stderr, "ovhtui: --log-format must be text or json, not %q\n", opts.logFormat)
		return opts, exitUsage, true
	}
	if opts.check && (opts.demo || opts.headless) {
		fmt.Fprintln(stderr, "ovhtui: --check cannot be combined with --demo or --headless")
		return opts, exitUsage, true
	}
	return opts, exitOK, false
}

// buildVersion is the version set at build time or by go install.
func buildVersion() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}

// newLogger builds the slog logger writing to w (secrets scrubbed).
func newLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	w = redactingWriter{w}
	ho := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, ho))
	}
	return slog.New(slog.NewTextHandler(w, ho))
}
