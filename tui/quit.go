package tui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ovhtui/ovhtui/order"
)

// quitState is what quitting waits for: the saves asked for, and any
// checkout in flight, whose outcome is shown before the UI exits (and
// printed after it, see Model.Farewell).
type quitState struct {
	since   time.Time
	waiting []string // keys of the entries busy when the user quit
	outcome []string // one line per entry waited for, once known
	forced  bool     // a second ctrl+c: leave without waiting
}

// outcomeShown is how long the outcome stays on screen before the UI exits.
const outcomeShown = 2 * time.Second

// quitNowMsg ends the UI after the outcome was shown.
type quitNowMsg struct{}

// quit ends the UI once the saves asked for are done and no checkout is in
// flight. A second ctrl+c leaves at once (the engine still finishes the
// checkout before the program exits).
func (m Model) quit(force bool) (tea.Model, tea.Cmd) {
	if m.leaving != nil {
		if force {
			m.leaving.forced = true
			return m, tea.Quit
		}
		return m, nil
	}
	m.leaving = &quitState{since: m.now}
	m.confirm, m.ceiling, m.dcOrder, m.buy, m.browser, m.helpOf = nil, nil, nil, nil, nil, nil
	for _, s := range m.file.Servers {
		if m.deps.Detach {
			break // the engine runs on: nothing to wait for
		}
		if v := m.live.view(s.Key()); v != nil && v.Lifecycle == order.LifeBusy {
			m.leaving.waiting = append(m.leaving.waiting, s.Key())
		}
	}
	m.relayout()
	return m, m.quitIfDone()
}

// quitIfDone quits when nothing is left to wait for: at once when nothing
// was in flight, after showing the outcome otherwise.
func (m *Model) quitIfDone() tea.Cmd {
	q := m.leaving
	if q == nil || m.saving || len(m.saves) > 0 {
		return nil
	}
	if len(q.waiting) == 0 {
		return tea.Quit
	}
	if q.outcome != nil {
		return nil // already shown, quitNowMsg on its way
	}
	for _, key := range q.waiting {
		if v := m.live.view(key); v != nil && v.Lifecycle == order.LifeBusy {
			return nil
		}
	}
	for _, key := range q.waiting {
		q.outcome = append(q.outcome, m.outcomeOf(key))
	}
	return tea.Tick(outcomeShown, func(time.Time) tea.Msg { return quitNowMsg{} })
}

// outcomeOf says how the checkout of an entry ended, from the engine's state.
func (m *Model) outcomeOf(key string) string {
	name := m.labelOf(key)
	if o, ok := m.live.orders[entryID(key)]; ok {
		s := fmt.Sprintf("%s: ORDER %d PLACED in %s at %s %s", name, o.OrderID, o.DC, o.Price, o.URL)
		if m.unpaidOrder(o.OrderID) {
			s += " — " + m.unpaidText(o.OrderID, false)
		}
		return s
	}
	v := m.live.view(key)
	switch {
	case v == nil:
		return name + ": outcome not reported: check your OVH orders"
	case v.Lifecycle == order.LifeNeedsDecision:
		return name + ": outcome unknown: check your OVH orders before re-arming it (R)"
	case v.Lifecycle == order.LifeOrdered:
		s := fmt.Sprintf("%s: ordered #%d in %s %s", name, v.OrderID, v.OrderedIn, v.OrderURL)
		if m.unpaidOrder(v.OrderID) {
			s += " — " + m.unpaidText(v.OrderID, false)
		}
		return s
	}
	return name + ": no order: " + v.Reason
}

// quitLine is the help line while quitting.
func (m *Model) quitLine() string {
	q := m.leaving
	if q.outcome != nil {
		return "checkout over: " + strings.Join(q.outcome, "; ")
	}
	if len(q.waiting) > 0 {
		var dcs []string
		for _, key := range q.waiting {
			if i := m.file.Find(key); i >= 0 && m.file.Servers[i].OrderAttemptedIn != "" {
				dcs = append(dcs, m.file.Servers[i].OrderAttemptedIn)
			}
		}
		what := "the engine's work in flight"
		if len(dcs) > 0 {
			what = "the checkout in " + strings.Join(dcs, ", ")
		}
		return fmt.Sprintf("quitting: waiting for %s, %s… (ctrl+c again leaves now; the checkout still completes)",
			what, fmtAge(m.now.Sub(q.since)))
	}
	return "quitting… (finishing saves)"
}

// quitView is the pane shown while quitting with a checkout in flight.
func (m *Model) quitView() string {
	st := &m.styles
	w := m.layout.width - 4
	var lines []string
	for _, l := range strings.Split(ansi.Wordwrap(m.quitLine(), w, ""), "\n") {
		lines = append(lines, st.Danger.Render(cut(l, w)))
	}
	if m.leaving.outcome != nil {
		lines = []string{st.DialogTitle.Render("Checkout finished; exiting:")}
		for _, o := range m.leaving.outcome {
			lines = append(lines, linkRows(o, w, true)...) // links whole, never wrapped
		}
	}
	return st.Dialog.Width(m.layout.width).Render(strings.Join(lines, "\n"))
}

// Farewell is what the UI says after it exits: the orders placed while it
// ran and the outcome of a checkout it waited for, one line each.
func (m Model) Farewell() []string {
	var out []string
	if m.leaving != nil {
		out = append(out, m.leaving.outcome...)
	}
	ids := make([]string, 0, len(m.live.orders))
	for id := range m.live.orders {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return m.live.orders[ids[i]].OrderID < m.live.orders[ids[j]].OrderID })
	for _, id := range ids {
		o := m.live.orders[id]
		line := fmt.Sprintf("%s: order %d placed in %s at %s %s", m.labelOf(o.Entry), o.OrderID, o.DC, o.Price, o.URL)
		if m.unpaidOrder(o.OrderID) {
			line += " — " + m.unpaidText(o.OrderID, false)
		}
		seen := false
		for _, l := range out {
			if strings.Contains(l, fmt.Sprintf("ORDER %d PLACED", o.OrderID)) {
				seen = true
			}
		}
		if !seen {
			out = append(out, line)
		}
	}
	if m.leaving != nil && m.leaving.forced && m.leaving.outcome == nil && len(m.leaving.waiting) > 0 {
		out = append(out, "left while a checkout was in flight: ovhtui finishes it before exiting; check your OVH orders")
	}
	return out
}
