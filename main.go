// Command ovhtui watches OVHcloud ECO dedicated servers (Kimsufi, So you
// Start, Rise) and orders them the moment they come back in stock, within
// the ceiling price the user set in preferences.json. See README.md.
//
// main.go holds flags and wiring only: prefs owns the file, catalog the
// eco catalog, order the pipeline (and order/ovhsim the simulator used by
// --demo and the tests), tui the terminal UI.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"time"
)

// version is set at build time with -ldflags "-X main.version=..."; go
// install fills it from the module version.
var version = "dev"

// Exit codes.
const (
	exitOK       = 0 // ok
	exitProblems = 1 // problems found, or a runtime failure
	exitUsage    = 2 // unusable input: unreadable or unparsable file, bad flags
)

// options are the command-line flags.
type options struct {
	prefsPath   string
	prefsSet    bool
	envPath     string
	headless    bool
	demo        bool
	check       bool
	poll        time.Duration
	logFile     string
	logFormat   string
	showVersion bool
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is main without os.Exit, for tests.
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
	fs.BoolVar(&opts.headless, "headless", false, "run the engine without UI, one log line per event on stdout; exits 0 on SIGINT/SIGTERM after saving, or when no entry has anything left to do")
	fs.BoolVar(&opts.demo, "demo", false, "run everything against the built-in OVH API simulator (no credentials read, OVH never contacted); without --prefs, a demo preferences file in a temp folder is used")
	fs.BoolVar(&opts.check, "check", false, "validate the preferences file; with credentials, also verify them and list the API rights the consumer key lacks")
	fs.DurationVar(&opts.poll, "poll", 3*time.Second, "availability poll `interval` (minimum 1s)")
	fs.StringVar(&opts.logFile, "log-file", "", "append logs to `PATH` (the UI never writes logs to the terminal)")
	fs.StringVar(&opts.logFormat, "log-format", "text", "log format: text or json")
	fs.BoolVar(&opts.showVersion, "version", false, "print the version and exit")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: ovhtui [flags]\n\nWatches OVHcloud ECO servers listed in preferences.json and orders them when they come back in stock.\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), "\nExit codes: 0 ok, 1 problems found or runtime failure, 2 unusable input (unreadable or unparsable file, bad flags).\n")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stdout)
			fs.Usage()
			return opts, exitOK, true
		}
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
	if opts.poll < time.Second {
		fmt.Fprintf(stderr, "ovhtui: --poll %s is below the minimum of 1s\n", opts.poll)
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

// openLogFile opens --log-file for appending (0600).
func openLogFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open log file: %w", err)
	}
	return f, nil
}
