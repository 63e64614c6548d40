package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// healthcheckCommand is `ovhtui healthcheck URL`: a container's
// healthcheck (the image has no shell or curl).
func (a *app) healthcheckCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "healthcheck URL",
		Short:   "Ask a health URL of --metrics (/healthz): exit 0 on 200, 1 otherwise",
		Long:    "Asks URL (ovhtui's /healthz or /readyz, served with --metrics) and prints its answer: exit 0\non 200, 1 otherwise. For container healthchecks: the image has no shell or curl.",
		Example: "ovhtui healthcheck http://127.0.0.1:9188/healthz",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError(cmd, "healthcheck takes one URL")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, "GET", args[0], nil)
			if err != nil {
				return usageError(cmd, "%s", err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				fmt.Fprintln(a.stderr, "ovhtui healthcheck:", err)
				return exitCode(exitProblems)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
			fmt.Fprintf(a.stdout, "%d %s\n", resp.StatusCode, strings.TrimSpace(string(body)))
			if resp.StatusCode != http.StatusOK {
				return exitCode(exitProblems)
			}
			return nil
		},
	}
}
