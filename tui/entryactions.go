package tui

// The dashboard's entry actions: remove (d), pause and resume (z), bring a
// retired entry back (R, e), and place_order on an entry that is finished
// (p). Where an entry stands, and what each action may do to it, is the
// lifecycle's rule (prefs.Server.Stage, Pause, Resume, BringBack,
// RemoveHold); this file asks it and says it in words.

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

// removeMsg reports the end of a removal through Deps.Remove.
type removeMsg struct {
	key, name string
	err       error
}

func removeCmd(ctx context.Context, fn func(context.Context, string) error, key, name string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, rearmTimeout)
		defer cancel()
		return removeMsg{key: key, name: name, err: fn(ctx, key)}
	}
}

// handleRemoved reports a removal and reads the file again.
func (m Model) handleRemoved(msg removeMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		m.logf(slog.LevelError, "%s not removed: %v", msg.name, msg.err)
	} // else the engine says it removed the entry (an event)
	return m, snapshotCmd(m.deps.Store)
}

// askRemove opens the removal dialog (d), or says at once why the entry
// may not go.
func (m Model) askRemove(s *prefs.Server, name string) (tea.Model, tea.Cmd) {
	if why := prefs.RemoveHold(*s, nil); why != "" {
		m.logf(slog.LevelWarn, "%s not removed: %s", name, why)
		return m, nil
	}
	if v := m.live.view(s.Key()); v != nil && v.Lifecycle == order.LifeBusy {
		m.logf(slog.LevelWarn, "%s not removed: %s; wait for the outcome", name, v.Reason)
		return m, nil
	}
	m.confirm = &confirmDialog{kind: confirmRemove, key: s.Key(), name: name}
	m.relayout()
	return m, nil
}

// confirmedRemove removes the entry the dialog named.
func (m Model) confirmedRemove(d *confirmDialog) (tea.Model, tea.Cmd) {
	if m.deps.Remove != nil {
		m.logf(slog.LevelWarn, "removing %s…", d.name)
		return m, removeCmd(m.ctx, m.deps.Remove, d.key, d.name)
	}
	return m, m.queueSave(saveReq{reason: "removed " + d.name + " (confirmed)", change: removeEntry(d.key)})
}

// pauseOrResume is z: pause a wanted entry (confirmed), resume a paused one
// (confirmed only when it would order and pay for real at once).
func (m Model) pauseOrResume(s *prefs.Server, name string) (tea.Model, tea.Cmd) {
	switch s.Stage() {
	case prefs.StageWanted:
		m.confirm = &confirmDialog{kind: confirmPause, key: s.Key(), name: name, qty: s.Qty}
		m.relayout()
	case prefs.StagePaused:
		if s.PlaceOrder && s.Autopay {
			m.confirm = &confirmDialog{kind: confirmResume, key: s.Key(), name: name, qty: s.PausedQty}
			m.relayout()
			return m, nil
		}
		return m, m.queueSave(saveReq{reason: resumeReason(s, name), change: resumeEntry(s.Key())})
	default:
		m.logf(slog.LevelInfo, "%s: nothing to pause, %s", name, stageWords(s))
	}
	return m, nil
}

func resumeReason(s *prefs.Server, name string) string {
	what := "watched again"
	if !s.PlaceOrder {
		what += " (dry run: place_order off)"
	}
	return fmt.Sprintf("%s resumed, qty %d: %s", name, s.PausedQty, what)
}

// stageWords says where an entry that is not wanted stands and the key
// that moves it on.
func stageWords(s *prefs.Server) string {
	switch s.Stage() {
	case prefs.StageOrdered:
		return fmt.Sprintf("it is ordered (#%d): B buys another", s.OrderID)
	case prefs.StageLatched:
		return "its checkout has no known outcome: check your OVH orders, then R re-arms it"
	case prefs.StagePaused:
		return fmt.Sprintf("it is paused: z resumes it (qty %d)", s.PausedQty)
	case prefs.StageRetired:
		return "it is retired over its ceiling: R brings it back with a new ceiling"
	case prefs.StageStopped:
		return "qty is 0: + raises it"
	}
	return "it is watched"
}

// flagNote says, for a flag changed on an entry that is not wanted, when
// the change applies ("" for a wanted entry: at once).
func flagNote(s *prefs.Server) string {
	switch s.Stage() {
	case prefs.StageOrdered:
		return fmt.Sprintf(" (ordered #%d: applies to a buy another, B)", s.OrderID)
	case prefs.StagePaused:
		return " (paused: applies when you resume it, z)"
	case prefs.StageRetired:
		return " (retired: applies once you bring it back, R)"
	case prefs.StageStopped:
		return " (qty 0: applies once you raise qty)"
	case prefs.StageLatched:
		return " (checkout outcome unknown: applies once re-armed, R)"
	}
	return ""
}

// askFinishedPlace is p turning place_order on for a finished entry
// (ordered or retired): a dialog says it buys nothing now and when it
// applies.
func (m Model) askFinishedPlace(s *prefs.Server, name string) (tea.Model, tea.Cmd) {
	m.confirm = &confirmDialog{kind: confirmFinishedPlace, key: s.Key(), name: name, fromPlace: s.PlaceOrder, fromPay: s.Autopay}
	m.relayout()
	return m, nil
}

// openBringBack opens the ceiling editor of a retired entry, preset at the
// catalog's first invoice for the units it comes back with; saving sets
// the ceiling and the qty (prefs.Server.BringBack).
func (m *Model) openBringBack(s *prefs.Server) {
	qty := s.Units()
	ed := &ceilingEditor{key: s.Key(), name: m.serverName(s.PlanCode) + " " + shortFQN(s.PlanCode, s.FQN), from: s.CeilingUcents(), qty: qty, bringBack: true}
	ed.input = lineInput{limit: 16}
	if p, ok := prefs.CatalogPrice(*s, m.cat); ok {
		ed.catalog = p.FirstInvoice() * int64(qty)
		ed.input.set(money.Decimal(ed.catalog))
	}
	m.ceiling = ed
	m.relayout()
}

// bringBackLines are the lines of the ceiling editor that say what
// bringing the entry back does.
func (m *Model) bringBackLines(ed *ceilingEditor, s *prefs.Server, w int) []string {
	st := &m.styles
	cur := ""
	if m.cat != nil {
		cur = " " + m.cat.Currency
	}
	what := "orders for real as soon as a wanted DC is in stock"
	switch {
	case !s.PlaceOrder:
		what = "runs a dry run when a wanted DC is in stock (place_order off)"
	case s.Autopay:
		what = "orders and pays at once as soon as a wanted DC is in stock"
	}
	lines := wrapText(fmt.Sprintf("It was retired: a price over its ceiling (now qty 0, ceiling 0). Saving sets this ceiling and qty %d: ovhtui watches it again and %s.", ed.qty, what), w)
	if ed.catalog > 0 {
		lines = append(lines, cut(fmt.Sprintf("The catalog's first invoice now: %s%s for %s excl. tax.", money.Decimal(ed.catalog), cur, unitsWord(ed.qty)), w))
		if to, err := money.Parse(ed.input.String()); err == nil && to > 0 && !(&prefs.Server{CeilingPrice: money.ToFloat(to)}).Accepts(ed.catalog) {
			lines = append(lines, st.Danger.Render(cut("Below the catalog's price: it would be retired again at that price.", w)))
		}
	} else {
		lines = append(lines, st.Dim.Render(cut("No catalog price for it yet: type the most you accept.", w)))
	}
	return lines
}

func unitsWord(n int) string {
	if n == 1 {
		return "1 unit"
	}
	return strconv.Itoa(n) + " units"
}
