package cli

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/ovhtui/ovhtui/notify"
)

// notifyTestCommand is `ovhtui notify-test`.
func (a *app) notifyTestCommand() *cobra.Command {
	var f fileFlags
	cmd := &cobra.Command{
		Use:   "notify-test",
		Short: "Send a test message to every service of OVHTUI_NOTIFY and print each result",
		Long: "Sends a test message to every service of OVHTUI_NOTIFY (environment or --env file) and prints\n" +
			"each result. Exit 0: all delivered; 1: one failed; 2: none configured or a URL is invalid.",
		Example: "OVHTUI_NOTIFY=ntfy://ntfy.sh/my-topic ovhtui notify-test",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.notifyTest(cmd, f)
		},
	}
	addEnvFlag(cmd.Flags(), &f)
	return cmd
}

// notifyTest sends a test message to every channel of OVHTUI_NOTIFY and
// prints each result. Exit 0 when all were delivered, 1 when one failed, 2
// when none is configured or a URL is invalid.
func (a *app) notifyTest(cmd *cobra.Command, opts fileFlags) error {
	if _, err := loadEnvFile(a.env, opts.envPath); err != nil {
		return a.failure(cmd, exitUsage, err)
	}
	a.secrets.collect(a.env)
	chans, err := a.notifyChannels()
	if err != nil {
		return a.failure(cmd, exitUsage, err)
	}
	if len(chans) == 0 {
		return a.failure(cmd, exitUsage, fmt.Errorf("%s is not set (in the environment or %s): nothing to test", envNotify, opts.envPath))
	}
	if _, err := notify.ParseSet(a.env.get(envNotifyEvents)); err != nil {
		return a.failure(cmd, exitUsage, err)
	}
	host, _ := os.Hostname()
	text := fmt.Sprintf("Test message from ovhtui %s on %s: notifications reach you here.", a.version, host)
	code := exitOK
	for _, r := range notify.Test(chans, 15*time.Second, text) {
		if r.Err != nil {
			fmt.Fprintf(a.stdout, "FAIL %s: %s\n", r.Channel, a.secrets.redact(r.Err.Error()))
			code = exitProblems
			continue
		}
		fmt.Fprintf(a.stdout, "ok   %s (%s)\n", r.Channel, r.Took.Round(time.Millisecond))
	}
	return exitCode(code)
}
