package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/shutdown"
)

// headlessCommand is `ovhtui headless`: the engine without UI.
func (a *app) headlessCommand() *cobra.Command {
	var o options
	cmd := &cobra.Command{
		Use:   "headless",
		Short: "Watch and order without UI, one log line per event (servers, containers)",
		Long: "Runs the engine without UI: one log line per event on stdout (and --log-file). Exits 0 on\n" +
			"SIGINT, SIGTERM or SIGHUP after saving, or when no entry has anything left to do (never with\n" +
			"--demo, whose story goes on); exits 1 at start, listing the problems, when no entry can be\n" +
			"ordered as written.",
		Example: "ovhtui headless --prefs /data/preferences.json --env /data/.env\novhtui headless --demo --log-format json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkEngineFlags(cmd, &o); err != nil {
				return err
			}
			return a.headless(cmd, o)
		},
	}
	addEngineFlags(cmd.Flags(), &o)
	return cmd
}

// headlessFrontEnd is the setup of headless.
var headlessFrontEnd = frontEnd{logsToStdout: true, exitWhenIdle: true, needValidEntry: true}

// headless runs the engine without UI.
func (a *app) headless(cmd *cobra.Command, opts options) error {
	ctx, stop := shutdown.Context(cmd.Context())
	defer stop()
	r, code := a.setupEngine(ctx, opts, headlessFrontEnd)
	if code != exitOK {
		return exitCode(code)
	}
	defer r.close()
	return exitCode(a.runHeadless(ctx, r))
}

// runHeadless prints the engine's events as log lines until the engine
// stops (a signal, or nothing left to do), then the final summary.
func (a *app) runHeadless(ctx context.Context, r *engineRun) int {
	printed := make(chan struct{})
	go func() {
		// Drains until Run closes the channel: no order event is lost.
		order.RunHeadless(context.Background(), r.events, r.log)
		close(printed)
	}()
	runErr := r.eng.Run(ctx)
	<-printed
	for _, line := range r.eng.Summary() {
		r.log.Info("final: " + line)
	}
	if runErr != nil {
		r.log.Error("engine stopped", "err", runErr)
		return exitProblems
	}
	return exitOK
}
