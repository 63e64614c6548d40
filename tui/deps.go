package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

// Deps is everything the UI needs from the rest of the program. The UI
// never reaches into the engine: it reads events, reads and updates
// preferences through the Store, and calls the functions given here from
// commands (never from Update).
type Deps struct {
	// Store owns preferences.json; every change the user makes goes through
	// Store.Update.
	Store *prefs.Store
	// Events is the engine's event channel. The UI drains it with one
	// re-arming command; a closed channel ends the draining.
	Events <-chan order.Event
	// Rearm re-arms an entry latched without an order ("needs your
	// decision"), after the user confirmed. When nil the UI clears
	// order_attempted through the Store, which the engine reads as a re-arm.
	Rearm func(ctx context.Context, entryKey string) error
	// BuyAnother re-arms an ordered entry to buy qty more units, after the
	// user confirmed (the engine's BuyAnother: new id, journal record).
	// When nil the UI calls prefs.Server.BuyAgain through the Store.
	BuyAnother func(ctx context.Context, entryKey string, qty int) error
	// Remove deletes an entry from preferences.json, after the user
	// confirmed (the engine's Remove: it refuses an entry whose checkout
	// outcome is unknown, in the file or in the journal, or whose checkout
	// or look-up is under way). When nil the UI removes it through the
	// Store with prefs.RemoveHold's rule on the file alone.
	Remove func(ctx context.Context, entryKey string) error
	// Catalog returns the current catalog, or nil while none is loaded. It
	// must never block.
	Catalog func() *catalog.Catalog
	// CatalogUpdates delivers each new catalog (may be nil).
	CatalogUpdates <-chan *catalog.Catalog
	// RefreshCatalog fetches the catalog again (the `r` key). May be nil.
	RefreshCatalog func(ctx context.Context) error
	// Availability returns the current availability of a planCode as
	// fqn -> DC -> value, for the catalog browser. May be nil.
	Availability func(ctx context.Context, planCode string) (map[string]map[string]string, error)

	// History reads the restock radar (package history): stock now and
	// last in stock of the browser's offers and of the entries. May be nil
	// (--history off): the UI shows no radar then.
	History RadarReader

	// OrderExpiry returns when an unpaid order lapses (GET /me/order/{id}
	// expirationDate), shown with the UNPAID warning. May be nil.
	OrderExpiry func(ctx context.Context, orderID int64) (time.Time, error)

	// Account serves the Orders (O) and Servers (S) screens. May be nil.
	Account AccountAPI

	// Endpoint and Subsidiary are shown in the header.
	Endpoint, Subsidiary string
	// Poll is the availability poll interval, shown in the header.
	Poll time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Log receives the UI's own log lines and every engine event (from
	// commands, never from Update). It must not write to the terminal.
	// Nil discards.
	Log *slog.Logger
	// Location is the user's time zone, for the history view's heatmap
	// beside OVH's (time.Local when nil).
	Location *time.Location
	// NoColor renders without any colour (NO_COLOR is set).
	NoColor bool
	// Demo: the engine runs against the demo's simulator. The header
	// says DEMO, the confirmations of money requests say no real money is
	// spent, and desktop alerts are titled as the demo's (demo.go).
	Demo bool
	// ReadOnly makes a UI that watches and changes nothing: no key changes
	// preferences, buys, pays or renews (session.go). ovhtui serve sets it
	// for a key marked read-only.
	ReadOnly bool
	// Detach makes quitting leave at once, without waiting for the
	// engine's work in flight: the UI is one session of several and the
	// engine runs on (ovhtui serve).
	Detach bool
	// Farewell, when set, receives after the UI exits the lines that must
	// outlive its screen: orders placed and the outcome of a checkout the
	// UI waited for (see Model.Farewell).
	Farewell io.Writer
}

func (d *Deps) defaults() {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Catalog == nil {
		d.Catalog = func() *catalog.Catalog { return nil }
	}
}

// Run runs the UI on the terminal, in the alternate screen, until the user
// quits or ctx is cancelled. It returns nil on either; the caller then waits
// for a checkout in flight, saves and releases the lock.
func Run(ctx context.Context, d Deps) error {
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(renderFPS)}
	if d.NoColor {
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	}
	m := New(d)
	m.ctx = ctx
	final, err := tea.NewProgram(m, opts...).Run()
	if fm, ok := final.(Model); ok && d.Farewell != nil {
		for _, line := range fm.Farewell() {
			fmt.Fprintln(d.Farewell, line)
		}
	}
	switch {
	case err == nil, errors.Is(err, tea.ErrInterrupted):
		return nil
	case errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil:
		return nil
	}
	return err
}

// renderFPS caps how often the screen is redrawn. bubbletea wakes at this
// rate to flush a changed view (an unchanged one writes nothing); its
// default of 60 costs about 1 % of a core at rest for nothing a dashboard
// needs. At 20, a key press shows within 50 ms.
const renderFPS = 20
