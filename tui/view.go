package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// layout holds what is computed once per window size.
type layout struct {
	width, height int
	cols          dashCols
}

// Fixed heights of the frame.
const (
	headerHeight = 2
	helpHeight   = 1
	minLogHeight = 4
)

// setSize computes the layout for a new window size.
func (m *Model) setSize(w, h int) {
	w, h = max(w, 20), max(h, 8)
	m.layout = layout{width: w, height: h, cols: computeDashCols(w)}
	m.help.SetWidth(w)
	if m.browser != nil {
		m.browser.setSize(w, m.bodyHeight())
	}
	m.ensureVisible()
}

// relayout recomputes what depends on the panes shown (banner, dialogs).
func (m *Model) relayout() { m.ensureVisible() }

// bodyHeight is the height between the header (and banner) and the help line.
func (m *Model) bodyHeight() int {
	h := m.layout.height - headerHeight - helpHeight
	if m.banner != nil {
		h -= lipgloss.Height(m.bannerView())
	}
	if m.reminder != nil {
		h--
	}
	return max(h, 1)
}

// logHeight is the height of the log pane under the dashboard: a third of
// the body (two thirds with the focus), and whatever the dashboard's rows
// leave free.
func (m *Model) logHeight() int {
	body := m.bodyHeight()
	h := max(body*35/100, minLogHeight)
	if m.logFocus {
		h = max(body*2/3, minLogHeight)
	}
	free := body - 1 - max(m.totalRows(), 1)
	return min(max(h, free), body)
}

// bottomView is what is shown under the dashboard: a dialog, the full help
// or the log pane.
func (m *Model) bottomView() string {
	switch {
	case m.leaving != nil && len(m.leaving.waiting) > 0:
		return m.quitView()
	case m.confirm != nil:
		return m.confirmView()
	case m.ceiling != nil:
		return m.ceilingView()
	case m.dcOrder != nil:
		return m.dcOrderView()
	case m.buy != nil:
		return m.buyView()
	}
	return m.log.view(&m.styles, m.layout.width, m.logHeight(), m.logFocus)
}

// dashHeight is the number of lines of the dashboard (column titles included).
func (m *Model) dashHeight(bottom string) int {
	return max(m.bodyHeight()-lipgloss.Height(bottom), 2)
}

// ensureVisible scrolls the dashboard so the selected entry is in view.
func (m *Model) ensureVisible() {
	if m.file == nil {
		return
	}
	rows := m.dashHeight(m.bottomView()) - 1
	start, n := m.entryRows(m.sel)
	if start < m.dashTop {
		m.dashTop = start
	}
	if start+n > m.dashTop+rows {
		m.dashTop = max(start+n-rows, 0)
		if start < m.dashTop { // entry taller than the pane: show its top
			m.dashTop = start
		}
	}
	total := m.totalRows()
	m.dashTop = max(min(m.dashTop, total-rows), 0)
}

// View renders the model. It is a pure function of the model.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "ovhtui"
	return v
}

func (m *Model) render() string {
	var b strings.Builder
	b.Grow(m.layout.width * m.layout.height * 2)
	b.WriteString(m.headerView())
	if m.banner != nil {
		b.WriteByte('\n')
		b.WriteString(m.bannerView())
	}
	if m.reminder != nil {
		b.WriteByte('\n')
		b.WriteString(m.reminderView())
	}
	b.WriteByte('\n')
	if m.helpOf != nil {
		b.WriteString(m.helpView(m.bodyHeight()))
	} else if m.after != nil {
		b.WriteString(m.afterWinView(m.layout.width, m.bodyHeight()))
	} else if m.history != nil {
		b.WriteString(m.history.view(&m.styles, m.layout.width, m.bodyHeight()))
	} else if m.browser != nil {
		b.WriteString(m.browser.view(&m.styles, m.layout.width, m.bodyHeight()))
	} else {
		bottom := m.bottomView()
		b.WriteString(m.dashboardView(m.dashHeight(bottom)))
		b.WriteByte('\n')
		b.WriteString(bottom)
	}
	b.WriteByte('\n')
	b.WriteString(m.helpLineView())
	return keepLastLine(b.String(), m.layout.height)
}

// keepLastLine cuts s to height lines keeping its last one, the help line
// with ? and q: in a small window (40x10) the banner, a reminder and the
// dashboard's two lines can add up to more than fits.
func keepLastLine(s string, height int) string {
	if strings.Count(s, "\n") < height {
		return s
	}
	lines := strings.Split(s, "\n")
	return strings.Join(append(lines[:height-1], lines[len(lines)-1]), "\n")
}

// helpLineView is the short help, always visible. When it does not fit,
// bindings are dropped from the end, but ? (help) and q (quit) always stay.
func (m *Model) helpLineView() string {
	if m.leaving != nil {
		return m.styles.Danger.Render(cut(m.quitLine(), m.layout.width))
	}
	keys := m.screenKeys(m.screen()).short
	h := m.help
	h.SetWidth(0) // measured here: bubbles/help would cut it with "…"
	line := h.ShortHelpView(keys)
	for ansi.StringWidth(line) > m.layout.width && len(keys) > 2 {
		keep := keys[:0:0]
		dropped := false
		for i := len(keys) - 1; i >= 0; i-- {
			k := keys[i]
			if !dropped && !isAlwaysShown(k, m.keys) {
				dropped = true
				continue
			}
			keep = append([]key.Binding{k}, keep...)
		}
		if !dropped {
			break
		}
		keys = keep
		line = h.ShortHelpView(keys)
	}
	return cut(line, m.layout.width)
}

// isAlwaysShown reports the bindings the short help never drops.
func isAlwaysShown(b key.Binding, k keyMap) bool {
	return b.Help().Key == k.Help.Help().Key || b.Help().Key == k.HelpShort.Help().Key || b.Help().Key == k.Quit.Help().Key
}

// screenKeys are the bindings of screen s as they apply now (the browser's
// enter saves a change rather than adds an entry when C opened it).
func (m *Model) screenKeys(s screen) helpKeys {
	h := m.keys.helpFor(s)
	if s == screenBrowserConfig && m.browser != nil && m.browser.config != nil && m.browser.config.changing != nil {
		swap := func(bs []key.Binding) []key.Binding {
			out := make([]key.Binding, len(bs))
			for i, b := range bs {
				out[i] = b
				if b.Help() == m.keys.Add.Help() {
					out[i] = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "save the change"))
				}
			}
			return out
		}
		h.short = swap(h.short)
		for i := range h.full {
			h.full[i] = swap(h.full[i])
		}
	}
	return h
}
