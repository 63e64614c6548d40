package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/shutdown"
	"github.com/ovhtui/ovhtui/tui"
)

// runCommand is `ovhtui run`: the engine with the UI (what ovhtui does
// without a command).
func (a *app) runCommand() *cobra.Command {
	var o options
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Watch, order and show it all in the terminal UI (the default)",
		Long: "Runs the engine with the terminal UI: availability per datacenter, carts, prices against your\n" +
			"ceilings, the log. Every change made in the UI is saved to preferences.json at once.",
		Example: "ovhtui run --demo\novhtui run --prefs ~/ovhtui/preferences.json --log-file ~/ovhtui/ovhtui.log",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkEngineFlags(cmd, &o); err != nil {
				return err
			}
			return a.ui(cmd, o)
		},
	}
	addEngineFlags(cmd.Flags(), &o)
	return cmd
}

// uiFrontEnd is the setup of the UI.
var uiFrontEnd = frontEnd{catalogAtOnce: true, problemsToStderr: true}

// ui runs the engine with the UI.
func (a *app) ui(cmd *cobra.Command, opts options) error {
	ctx, stop := shutdown.Context(cmd.Context())
	defer stop()
	r, code := a.setupEngine(ctx, opts, uiFrontEnd)
	if code != exitOK {
		return exitCode(code)
	}
	defer r.close()
	return exitCode(a.runUI(ctx, r))
}

// runUI runs the UI on r until the user quits or a signal comes.
func (a *app) runUI(ctx context.Context, r *engineRun) int {
	if r.demo != nil {
		fmt.Fprintf(a.stderr, "demo: simulator at %s, preferences in %s\n", r.demo.endpoint, r.demo.prefsPath)
		if r.demo.copiedFrom != "" {
			fmt.Fprintf(a.stderr, "demo: that is a copy of %s, which the demo never writes\n", r.demo.copiedFrom)
		}
	}
	// The engine gets its own context: quitting the UI cancels it, and Run
	// returns only once a checkout in flight has finished and been saved.
	engCtx, stopEng := context.WithCancel(context.Background())
	engDone := make(chan error, 1)
	go func() { engDone <- r.eng.Run(engCtx) }()
	d := a.uiDeps(r)
	d.Events, d.Farewell = r.events, a.stderr
	uiErr := tui.Run(ctx, d)
	uiDone := time.Now()
	stopEng()
	engErr := <-engDone
	// A checkout the UI did not see start finishes after it closed: say so.
	for _, sv := range r.store.Snapshot().Servers {
		if sv.OrderID != 0 && !sv.OrderedAt.Before(uiDone.Add(-time.Second)) {
			fmt.Fprintf(a.stderr, "order %d placed in %s while exiting: %s\n", sv.OrderID, sv.OrderedIn, ovhapi.OrderLink(sv.OrderURL))
		}
	}
	if uiErr != nil {
		fmt.Fprintln(a.stderr, "ovhtui:", a.secrets.redact(uiErr.Error()))
		return exitProblems
	}
	if engErr != nil {
		fmt.Fprintln(a.stderr, "ovhtui: engine:", a.secrets.redact(engErr.Error()))
		return exitProblems
	}
	return exitOK
}

// uiDeps is what a UI of r needs, but its events: the local UI's and each
// SSH session's (serve.go), so that both act through the same functions
// (and every euro through the one money gate).
func (a *app) uiDeps(r *engineRun) tui.Deps {
	return tui.Deps{
		Store:          r.store,
		Rearm:          r.eng.Rearm,
		BuyAnother:     r.eng.BuyAnother,
		Remove:         r.eng.Remove,
		Catalog:        r.src.Current,
		CatalogUpdates: r.src.Updates(),
		RefreshCatalog: r.src.ForceRefresh,
		Availability:   availabilityLookup(r.api, r.requests),
		History:        r.radar.reader(), // nil with --history off
		OrderExpiry:    orderExpiry(r.api),
		Account:        r.account,
		Endpoint:       r.endpoint,
		Subsidiary:     r.snap.Subsidiary,
		Poll:           r.opts.poll,
		Log:            r.log,
		NoColor:        a.env.get("NO_COLOR") != "",
		Demo:           r.demo != nil,
	}
}
