package tui

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/prefs"
)

// ceilingEditor edits an entry's ceiling_price, or, with bringBack, sets
// the ceiling of a retired entry and watches it again (entryactions.go).
type ceilingEditor struct {
	key   string
	name  string
	from  int64
	qty   int
	input lineInput
	err   string

	bringBack bool
	catalog   int64 // the catalog's first invoice for qty units (0: unknown), bringBack only
}

func (m *Model) openCeiling(s *prefs.Server) {
	ed := &ceilingEditor{key: s.Key(), name: m.serverName(s.PlanCode) + " " + shortFQN(s.PlanCode, s.FQN), from: s.CeilingUcents(), qty: s.Units()}
	ed.input = lineInput{limit: 16}
	ed.input.set(money.CeilingDecimal(ed.from))
	m.ceiling = ed
	m.relayout()
}

// perUnit says what the typed ceiling comes to per unit, for qty > 1.
func (ed *ceilingEditor) perUnit() string {
	if ed.qty < 2 {
		return ""
	}
	u, err := money.Parse(ed.input.String())
	if err != nil {
		return fmt.Sprintf("  for %d units", ed.qty)
	}
	return fmt.Sprintf("  for %d units: %s per unit", ed.qty, money.CeilingDecimal(money.Scale(u, ed.qty, 1)))
}

func (m Model) updateCeiling(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	ed := m.ceiling
	switch {
	case key.Matches(msg, m.keys.Cancel) && msg.String() == "esc":
		m.ceiling = nil
		m.relayout()
		return m, nil
	case key.Matches(msg, m.keys.Save):
		to, err := money.Parse(ed.input.String())
		if err != nil {
			ed.err = err.Error()
			return m, nil
		}
		if ed.bringBack {
			if to <= 0 {
				ed.err = "a ceiling of 0 accepts no price: type the most you accept"
				return m, nil
			}
			m.ceiling = nil
			m.relayout()
			return m, m.queueSave(saveReq{
				reason: fmt.Sprintf("%s brought back: ceiling %s for %s, watched again", ed.name, money.CeilingDecimal(to), unitsWord(ed.qty)),
				change: bringBack(ed.key, to),
			})
		}
		m.ceiling = nil
		m.relayout()
		if to == ed.from || ed.input.String() == money.CeilingDecimal(ed.from) {
			return m, nil // unchanged: a ceiling holding a fraction of a cent is kept as it is
		}
		return m, m.queueSave(saveReq{
			reason: "ceiling_price of " + ed.name + " " + money.CeilingDecimal(ed.from) + " -> " + money.CeilingDecimal(to),
			change: setCeiling(ed.key, ed.from, to),
		})
	}
	if ed.input.update(msg) {
		ed.err = ""
	}
	return m, nil
}

func (m *Model) ceilingView() string {
	ed := m.ceiling
	st := &m.styles
	w := m.layout.width - 4
	lines := []string{
		st.DialogTitle.Render(cut("Ceiling of "+ed.name, w)),
		cut("Most you accept for the first invoice (excl. tax, setup included, all units).", w),
		cut("The engine never checks out above it. A plain amount, at most two decimals.", w),
	}
	i := m.file.Find(ed.key)
	if ed.bringBack {
		lines = []string{st.DialogTitle.Render(cut("Bring back "+ed.name+" with a new ceiling", w))}
		if i >= 0 {
			lines = append(lines, m.bringBackLines(ed, &m.file.Servers[i], w)...)
		}
	}
	lines = append(lines, "ceiling: "+ed.input.view(st.Input, min(20, max(w-9, 1)), true)+st.Dim.Render(ed.perUnit()))
	if ed.err != "" {
		lines = append(lines, st.Danger.Render(cut("not saved: "+ed.err, w)))
	}
	if i >= 0 && !ed.bringBack {
		lines = append(lines, m.priceLines(&m.file.Servers[i], w)...)
	}
	save := "enter saves · esc cancels"
	if ed.bringBack {
		save = "enter brings it back · esc cancels"
	}
	lines = append(lines, st.Dim.Render(cut(save, w)))
	return st.Dialog.Width(m.layout.width).Render(strings.Join(lines, "\n"))
}

// dcEditor reorders an entry's datacenters.
type dcEditor struct {
	key    string
	name   string
	dcs    []string
	orig   []string
	cursor int
}

func (m *Model) openDCOrder(s *prefs.Server) {
	dcs := s.DCNames()
	m.dcOrder = &dcEditor{key: s.Key(), name: m.serverName(s.PlanCode) + " " + shortFQN(s.PlanCode, s.FQN), dcs: dcs, orig: slices.Clone(dcs)}
	m.relayout()
}

func (m Model) updateDCOrder(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	ed := m.dcOrder
	n := len(ed.dcs)
	switch {
	case msg.String() == "esc" || msg.String() == "n":
		m.dcOrder = nil
		m.relayout()
	case key.Matches(msg, m.keys.MoveUp):
		if ed.cursor > 0 {
			ed.dcs[ed.cursor], ed.dcs[ed.cursor-1] = ed.dcs[ed.cursor-1], ed.dcs[ed.cursor]
			ed.cursor--
		}
	case key.Matches(msg, m.keys.MoveDn):
		if ed.cursor < n-1 {
			ed.dcs[ed.cursor], ed.dcs[ed.cursor+1] = ed.dcs[ed.cursor+1], ed.dcs[ed.cursor]
			ed.cursor++
		}
	case key.Matches(msg, m.keys.Up):
		ed.cursor = max(ed.cursor-1, 0)
	case key.Matches(msg, m.keys.Down):
		ed.cursor = min(ed.cursor+1, n-1)
	case key.Matches(msg, m.keys.Save):
		m.dcOrder = nil
		m.relayout()
		if slices.Equal(ed.dcs, ed.orig) {
			return m, nil
		}
		i := m.file.Find(ed.key)
		if i < 0 {
			m.logf(slog.LevelError, "not saved: %v", errEntryGone)
			return m, nil
		}
		next := m.file.Servers[i]
		next.Datacenters = make([]prefs.Datacenter, len(ed.dcs))
		for j, dc := range ed.dcs {
			next.Datacenters[j] = prefs.Datacenter{Datacenter: dc}
		}
		return m, m.queueSave(saveReq{
			reason:    "DC order of " + ed.name + ": " + strings.Join(ed.dcs, " > "),
			change:    setDCOrder(ed.key, ed.orig, ed.dcs),
			selectKey: next.Key(),
		})
	}
	return m, nil
}

func (m *Model) dcOrderView() string {
	ed := m.dcOrder
	st := &m.styles
	w := m.layout.width - 4
	lines := []string{st.DialogTitle.Render(cut("DC preference order of "+ed.name+" (first in stock wins)", w))}
	for i, dc := range ed.dcs {
		line := fit(" "+itoa(i+1)+". "+dc, 16)
		if i == ed.cursor {
			line = st.Cursor.Render(line)
		}
		lines = append(lines, line)
	}
	lines = append(lines, st.Dim.Render(cut("↑/↓ select · K/J or shift+↑/↓ move · enter saves · esc cancels", w)))
	return st.Dialog.Width(m.layout.width).Render(strings.Join(lines, "\n"))
}
