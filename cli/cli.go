// Package cli is the ovhtui command tree (cobra, styled by fang): one file
// per command, flags and wiring only. prefs owns the file, catalog the eco
// catalog, order the pipeline (and order/ovhsim the simulator used by
// --demo and the tests), tui the terminal UI, account what comes after a
// win.
//
// Nothing here is process-wide: the environment, the secrets to scrub and
// the standard streams are values of one run (Process, app), so that tests
// run many commands in parallel.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"charm.land/fang/v2"
	"github.com/spf13/cobra"

	"github.com/ovhtui/ovhtui/shutdown"
)

// Exit codes, documented in --help (exitCodesHelp) and the README.
const (
	exitOK       = 0 // ok; --check found nothing; headless stopped by a signal after saving, or had nothing left to do
	exitProblems = 1 // problems found, no valid entry (headless), the lock taken or in the way, or a runtime failure
	exitUsage    = 2 // unusable input: unreadable, unparsable or non-regular file, duplicate keys, bad flags
)

// exitCodesHelp is the exit code table of --help.
const exitCodesHelp = `Exit codes:
  0  ok: check found no problem; headless stopped on SIGINT, SIGTERM or SIGHUP after saving,
     or had nothing left to do
  1  problems found (check lists them; headless exits 1 at start, listing them, when no entry
     can be ordered as written), another ovhtui holds the lock, a file is in the way of the lock
     file, or a runtime failure
  2  unusable input: a preferences or .env file that is unreadable, not a regular file, too
     large, not valid JSON, with a key written twice or a value of the wrong type; bad flags or
     arguments`

// Process is what one run of ovhtui gets from the process it runs in.
type Process struct {
	Args    []string // without the program name
	Environ []string // KEY=value, as os.Environ
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
	Version string // set at build time; "dev" or "" when not
}

// Main runs ovhtui in this process and returns its exit code. version is
// the version set at build time.
func Main(version string) int {
	shutdown.Catch() // done already by main's import of shutdown/atstart; first thing for any other caller
	return Run(context.Background(), Process{
		Args: os.Args[1:], Environ: os.Environ(),
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Version: version,
	})
}

// app is one run of ovhtui: its environment, its secrets and its streams.
type app struct {
	env     *environ
	secrets *redactor
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
	version string

	// notifyFlushTimeout bounds the delivery of queued notifications at
	// exit.
	notifyFlushTimeout time.Duration
	// notifyCatalogWait bounds the one wait of the first notification for
	// the catalog that names products (messageCatalog).
	notifyCatalogWait time.Duration
	// checkCatalogFetch bounds the catalog download of --check and of the
	// account commands' names (catalogForCheck); tests give it minutes, as
	// under -race on a loaded machine the simulator's catalog took over 30 s.
	checkCatalogFetch time.Duration
	// lookUpRetries, when set, replaces the engine's delays between the
	// look-ups of a checkout whose outcome is unknown
	// (order.Config.LookUpRetries); tests make them short.
	lookUpRetries []time.Duration
	// demoHistoryDays, when set, replaces demoHistoryDays: how much
	// invented history --demo seeds before its UI shows; tests that are not
	// about the history make it short (under -race, a month takes seconds).
	demoHistoryDays int
}

func newApp(p Process) *app {
	return &app{
		env:                newEnviron(p.Environ),
		secrets:            &redactor{},
		stdin:              cmpReader(p.Stdin),
		stdout:             p.Stdout,
		stderr:             p.Stderr,
		version:            buildVersion(p.Version),
		notifyFlushTimeout: 5 * time.Second,
		notifyCatalogWait:  5 * time.Second,
		checkCatalogFetch:  30 * time.Second,
	}
}

func cmpReader(r io.Reader) io.Reader {
	if r == nil {
		return strings.NewReader("")
	}
	return r
}

// Run runs the command line of p and returns the exit code.
func Run(ctx context.Context, p Process) int {
	return newApp(p).run(ctx, p.Args)
}

// run executes args through the command tree.
func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCommand()
	root.SetArgs(legacyArgs(root, args))
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := fang.Execute(ctx, root,
		fang.WithVersion(a.version),
		fang.WithErrorHandler(a.printError),
		fang.WithoutManpage(), // ours (man.go) writes where the command's output goes
	)
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// cobra's own: an unknown command or flag, a missing flag value.
	return exitUsage
}

// exitError ends a command with an exit code. msg (may be empty: the
// command said everything already) is printed as one line, with the hint
// on the next one.
type exitError struct {
	code int
	cmd  string // "ovhtui renew"
	msg  string
	hint string // "see `ovhtui renew --help`"
}

func (e *exitError) Error() string { return e.msg }

// exitCode ends a command with code, saying nothing more.
func exitCode(code int) error {
	if code == exitOK {
		return nil
	}
	return &exitError{code: code}
}

// usageError is a bad flag or argument of cmd: one line, and where to read
// more.
func usageError(cmd *cobra.Command, format string, args ...any) error {
	return &exitError{
		code: exitUsage,
		cmd:  cmd.CommandPath(),
		msg:  fmt.Sprintf(format, args...),
		hint: fmt.Sprintf("see `%s --help`", cmd.CommandPath()),
	}
}

// failure is a command that failed with code after it started: one line,
// secrets scrubbed.
func (a *app) failure(cmd *cobra.Command, code int, err error) error {
	if err == nil {
		return exitCode(code)
	}
	return &exitError{code: code, cmd: cmd.CommandPath(), msg: a.secrets.redact(err.Error())}
}

// printError is fang's error handler: one line (the command, what is
// wrong), then a hint to the command's help for a usage error; never the
// whole usage.
func (a *app) printError(w io.Writer, _ fang.Styles, err error) {
	var ee *exitError
	if !errors.As(err, &ee) {
		// cobra's: "unknown flag: --x", "unknown command ..."
		fmt.Fprintf(w, "ovhtui: %s\n", a.secrets.redact(err.Error()))
		fmt.Fprintln(w, "see `ovhtui --help`")
		return
	}
	if ee.msg == "" {
		return
	}
	prefix := "ovhtui"
	if ee.cmd != "" {
		prefix = ee.cmd
	}
	fmt.Fprintf(w, "%s: %s\n", prefix, ee.msg)
	if ee.hint != "" {
		fmt.Fprintln(w, ee.hint)
	}
}

// buildVersion is the version set at build time or by go install.
func buildVersion(v string) string {
	if v != "" && v != "dev" {
		return v
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// legacyArgs keeps the command lines of Go's flag package working: a long
// flag written with one dash (-demo, -prefs=x) gets its second dash, as
// pflag reads "-demo" as the short flags d, e, m, o.
func legacyArgs(root *cobra.Command, args []string) []string {
	out := make([]string, 0, len(args))
	for i, arg := range args {
		if arg == "--" {
			return append(out, args[i:]...)
		}
		if len(arg) > 2 && arg[0] == '-' && arg[1] != '-' {
			name, _, _ := strings.Cut(arg[1:], "=")
			if isLongFlag(root, name) {
				arg = "-" + arg
			}
		}
		out = append(out, arg)
	}
	return out
}

// isLongFlag reports whether a command of the tree has a flag called name
// (help and version are added by cobra as it executes).
func isLongFlag(c *cobra.Command, name string) bool {
	if name == "help" || name == "version" || c.Flags().Lookup(name) != nil || c.PersistentFlags().Lookup(name) != nil {
		return true
	}
	for _, sub := range c.Commands() {
		if isLongFlag(sub, name) {
			return true
		}
	}
	return false
}
