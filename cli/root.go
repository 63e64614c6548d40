package cli

import (
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ovhtui/ovhtui/budget"
)

// maxPoll bounds --poll: a slower poll would miss restocks that sell out
// in minutes, and a typo (100h for 100s) would silently stop watching.
const maxPoll = time.Hour

// fileFlags are the flags every command takes, with one meaning everywhere.
type fileFlags struct {
	prefsPath string
	prefsSet  bool // --prefs was given
	envPath   string
	demo      bool
}

// options are the flags of the engine's front ends (run, headless) and of
// the root command, which keeps the flags of ovhtui before subcommands.
type options struct {
	fileFlags
	history   historyFlags // --history, --history-keep, --sweep (history.go)
	poll      time.Duration
	budget    budgetFlag // unsigned requests a minute (--budget; 0: unlimited)
	logFile   string
	logFormat string
	// metricsAddr is --metrics: where to serve /metrics, /healthz and
	// /readyz ("": off).
	metricsAddr string
	// The root command's ways to name a command as a flag.
	headless   bool
	check      bool
	notifyTest bool
	asJSON     bool // --json (with --check)
}

// Flag help, one text per flag for every command.
const (
	prefsHelp = "preferences file `PATH` (orders, pay, servers and renew only read it)"
	envHelp   = "environment file `PATH` with OVH credentials and OVHTUI_NOTIFY (missing is fine; never overrides variables already set)"
	demoHelp  = "run against the built-in OVH API simulator: no credentials read, OVH never contacted, nothing of yours written"
	jsonHelp  = "print the result as JSON, for scripts"
)

// addPrefsFlag adds --prefs.
func addPrefsFlag(fs *pflag.FlagSet, f *fileFlags) {
	fs.StringVar(&f.prefsPath, "prefs", "./preferences.json", prefsHelp)
}

// addEnvFlag adds --env.
func addEnvFlag(fs *pflag.FlagSet, f *fileFlags) {
	fs.StringVar(&f.envPath, "env", "./.env", envHelp)
}

// addFileFlags adds --prefs, --env and --demo.
func addFileFlags(fs *pflag.FlagSet, f *fileFlags) {
	addPrefsFlag(fs, f)
	addEnvFlag(fs, f)
	fs.BoolVar(&f.demo, "demo", false, demoHelp)
}

// addEngineFlags adds the flags of a front end of the engine.
func addEngineFlags(fs *pflag.FlagSet, o *options) {
	addFileFlags(fs, &o.fileFlags)
	fs.DurationVar(&o.poll, "poll", 3*time.Second, "availability poll interval (from 1s to 1h)")
	o.budget = budgetFlag(budget.DefaultPerMin)
	fs.Var(&o.budget, "budget", "N/min unsigned requests to OVH a minute, shared by every plan's poll and the re-checks of ready carts: when the plans need more, each is polled less often (the header says how often); a 429 from OVH halves it for 10 minutes; 0 or off: no limit")
	fs.StringVar(&o.logFile, "log-file", "", "append logs to `PATH` (the UI never writes logs to the terminal)")
	fs.StringVar(&o.logFormat, "log-format", "text", "log `format`: text or json")
	fs.StringVar(&o.metricsAddr, "metrics", "", "serve Prometheus metrics, /healthz and /readyz on `ADDR` (e.g. 127.0.0.1:9188; off by default)")
	addHistoryFlags(fs, &o.history, true)
}

// budgetFlag is --budget: N/min, 0 or off (budget.ParsePerMin). A bad
// value is a flag error, said before anything runs (even --version).
type budgetFlag int

func (b *budgetFlag) String() string { return strconv.Itoa(int(*b)) + "/min" }

// Set parses v.
func (b *budgetFlag) Set(v string) error {
	n, err := budget.ParsePerMin(v)
	if err != nil {
		return err
	}
	*b = budgetFlag(n)
	return nil
}

// Type is the value's name in help.
func (b *budgetFlag) Type() string { return "N/min" }

// checkEngineFlags validates the flags of addEngineFlags.
func checkEngineFlags(cmd *cobra.Command, o *options) error {
	o.prefsSet = cmd.Flags().Changed("prefs")
	if o.poll < time.Second {
		return usageError(cmd, "--poll %s is below the minimum of 1s", o.poll)
	}
	if o.poll > maxPoll {
		return usageError(cmd, "--poll %s is above the maximum of 1h (restocks sell out in minutes)", o.poll)
	}
	if o.logFormat != "text" && o.logFormat != "json" {
		return usageError(cmd, "--log-format must be text or json, not %q", o.logFormat)
	}
	if o.metricsAddr != "" {
		if _, _, err := net.SplitHostPort(o.metricsAddr); err != nil {
			return usageError(cmd, "--metrics %q is not HOST:PORT (e.g. 127.0.0.1:9188)", o.metricsAddr)
		}
	}
	return checkHistoryFlags(cmd, &o.history)
}

// noArgs refuses positional arguments in one line.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError(cmd, "unexpected argument %q", args[0])
	}
	return nil
}

// rootCommand is ovhtui: the UI by default, and every command.
func (a *app) rootCommand() *cobra.Command {
	var o options
	root := &cobra.Command{
		Use:   "ovhtui",
		Short: "Win OVHcloud ECO servers the moment they come back in stock",
		Long: "ovhtui watches the OVHcloud ECO dedicated servers (Kimsufi, So you Start, Rise) listed in\n" +
			"preferences.json and orders them the moment they come back in stock, within your ceiling.\n" +
			"Without a command it runs the UI (`ovhtui run`).\n\n" + exitCodesHelp,
		Example: "ovhtui --demo\novhtui check\novhtui headless --prefs /data/preferences.json\novhtui renew ns1234.ip-1-2-3.eu --period P1M",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkEngineFlags(cmd, &o); err != nil {
				return err
			}
			switch {
			case o.check && (o.demo || o.headless):
				return usageError(cmd, "--check cannot be combined with --demo or --headless")
			case o.notifyTest:
				return a.notifyTest(cmd, o.fileFlags)
			case o.check:
				return a.check(cmd, o.fileFlags, o.asJSON)
			case o.asJSON:
				return usageError(cmd, "--json goes with --check or with a command that prints a result")
			case o.headless:
				return a.headless(cmd, o)
			}
			return a.ui(cmd, o)
		},
	}
	root.SetVersionTemplate("ovhtui {{.Version}}\n")
	fs := root.Flags()
	addEngineFlags(fs, &o)
	// The commands as flags, as ovhtui had them before subcommands; kept
	// for scripts, the Dockerfile and the README's examples.
	fs.BoolVar(&o.headless, "headless", false, "same as `ovhtui headless`")
	fs.BoolVar(&o.check, "check", false, "same as `ovhtui check`")
	fs.BoolVar(&o.notifyTest, "notify-test", false, "same as `ovhtui notify-test`")
	fs.BoolVar(&o.asJSON, "json", false, "with --check: "+jsonHelp)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError(cmd, "%s", flagErrorText(err))
	})
	root.AddGroup(&cobra.Group{ID: "watch", Title: "Watch and order"}, &cobra.Group{ID: "after", Title: "After a win"})
	for _, c := range []*cobra.Command{a.runCommand(), a.headlessCommand(), a.serveCommand(), a.checkCommand(), a.notifyTestCommand(), a.healthcheckCommand()} {
		c.GroupID = "watch"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{a.historyCommand()} {
		c.GroupID = "watch"
		root.AddCommand(c)
	}
	for _, c := range []*cobra.Command{a.ordersCommand(), a.payCommand(), a.serversCommand(), a.renewCommand()} {
		c.GroupID = "after"
		root.AddCommand(c)
	}
	root.AddCommand(manCommand())
	return root
}

// flagErrorText is pflag's error without its Go-ish wording.
func flagErrorText(err error) string {
	s := err.Error()
	s = strings.Replace(s, "invalid argument ", "invalid value ", 1)
	return s
}
