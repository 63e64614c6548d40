package tui

import (
	"log/slog"

	tea "charm.land/bubbletea/v2"

	"github.com/ovhtui/ovhtui/order"
)

// An order placed without autopay is not paid: OVH holds nothing until it
// is, and cancels it when it lapses. The banner and the row say so, with the
// date OVH gives (GET /me/order/{id} expirationDate) once read.

// unpaid reports whether the order of the entry with key was placed without
// autopay, from the engine's state (the file before it speaks).
func (m *Model) unpaid(key string) bool {
	if v := m.live.view(key); v != nil {
		return v.OrderID != 0 && !v.Autopay && !m.paid[v.OrderID]
	}
	if i := m.file.Find(key); i >= 0 {
		return !m.file.Servers[i].Autopay
	}
	return false
}

// unpaidText is "UNPAID: pay before DATE or it lapses" (without the date
// while it is not known).
func (m *Model) unpaidText(orderID int64, short bool) string {
	at, ok := m.expiry[orderID]
	switch {
	case ok && short:
		return "UNPAID: pay by " + at.UTC().Format("Jan 2")
	case ok:
		return "UNPAID: pay before " + at.UTC().Format("2006-01-02 15:04 UTC") + " or it lapses"
	case short:
		return "UNPAID"
	}
	return "UNPAID: pay it or it lapses (OVH holds nothing until it is paid)"
}

// askExpiries starts a lookup of the expiry of each unpaid order not asked yet.
func (m *Model) askExpiries() tea.Cmd {
	if m.deps.OrderExpiry == nil {
		return nil
	}
	var cmds []tea.Cmd
	ask := func(id int64) {
		if id == 0 || m.expiryAsked[id] {
			return
		}
		m.expiryAsked[id] = true
		cmds = append(cmds, orderExpiryCmd(m.ctx, m.deps.OrderExpiry, id))
	}
	for _, v := range m.live.views {
		if v.Lifecycle == order.LifeOrdered && !v.Autopay {
			ask(v.OrderID)
		}
	}
	if m.banner != nil && m.unpaid(m.banner.ev.Entry) {
		ask(m.banner.ev.OrderID)
	}
	return tea.Batch(cmds...)
}

// setExpiry records when an unpaid order lapses.
func (m *Model) setExpiry(msg expiryMsg) {
	if msg.err != nil {
		m.logf(slog.LevelWarn, "order %d: could not read when it lapses: %v", msg.orderID, msg.err)
		return
	}
	if !msg.at.IsZero() {
		m.expiry[msg.orderID] = msg.at
		if m.banner != nil {
			m.relayout()
		}
	}
}
