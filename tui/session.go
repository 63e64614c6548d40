package tui

import (
	"context"
	"fmt"

	"log/slog"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// A session is one UI among several watching the same engine (ovhtui
// serve): it detaches without waiting for the engine's work, and it may be
// read-only. A read-only UI shows everything and changes nothing: the keys
// that would change preferences, buy, pay or renew are refused here, and
// queueSave refuses any save that would still be asked for.

// readOnlyRefused reports, and says in the log pane, that msg would change
// something and the UI is read-only.
func (m *Model) readOnlyRefused(msg tea.KeyPressMsg, sc screen) bool {
	if !m.deps.ReadOnly || !m.changes(msg, sc) {
		return false
	}
	why := fmt.Sprintf("read-only session: %q changes nothing (preferences, buying, paying and renewing are not allowed)", msg.String())
	m.logf(slog.LevelWarn, "%s", why)
	if m.after != nil {
		m.after.note, m.after.noteBad = why, true // the Orders and Servers screens hide the log
	}
	return true
}

// changes reports whether msg, on screen sc, would change preferences or
// spend money.
func (m *Model) changes(msg tea.KeyPressMsg, sc screen) bool {
	k := &m.keys
	switch sc {
	case screenDashboard:
		return key.Matches(msg, k.PlaceOrder, k.Autopay, k.QtyUp, k.QtyDown, k.Ceiling, k.DCOrder, k.EditAddons, k.Rearm, k.BuyAnother, k.Remove, k.Pause)
	case screenBrowserConfig:
		return key.Matches(msg, k.Add)
	case screenOrders:
		return (m.after != nil && m.after.dialog != nil) || key.Matches(msg, k.aw.Pay)
	case screenServers:
		return (m.after != nil && m.after.dialog != nil) || key.Matches(msg, k.aw.Renew)
	case screenConfirm, screenCeiling, screenDCOrder, screenBuy:
		return true // unreachable read-only: nothing opens them
	}
	return false
}

// NewSession builds the root model of one session of several: ctx ends
// with the session (its commands stop with it). Set Deps.Detach, and
// Deps.ReadOnly for a key that may only watch. The first replayed events
// of Deps.Events are the past a late session catches up on: shown, but
// they ring no bell.
func NewSession(ctx context.Context, d Deps, replayed int) Model {
	m := New(d)
	m.ctx = ctx
	m.replaying = replayed
	return m
}
