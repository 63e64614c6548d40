package tui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// The help screen lists every binding of the screen it was opened from,
// then the global ones, and returns to that screen, as it was, when closed.
// ? opens it wherever ? is not typed into a text field; F1 opens it
// everywhere.

// screenNames name the screens in the help's title.
var screenNames = map[screen]string{
	screenDashboard:     "dashboard",
	screenLog:           "log pane",
	screenConfirm:       "confirmation",
	screenCeiling:       "ceiling editor",
	screenDCOrder:       "DC order editor",
	screenBrowserList:   "catalog browser",
	screenBrowserConfig: "server configuration",
	screenBuy:           "buy another",
	screenOrders:        "Orders screen",
	screenServers:       "Servers screen",
	screenHistory:       "history view",
}

// typesText reports whether s takes typed text, where ? is a character.
func (m *Model) typesText(s screen) bool {
	switch s {
	case screenCeiling, screenBrowserList, screenBuy:
		return true
	case screenBrowserConfig:
		c := m.browser.config
		return c.field == c.ceilingField()
	}
	return false
}

// opensHelp reports whether msg opens the help on screen s.
func (m *Model) opensHelp(msg tea.KeyPressMsg, s screen) bool {
	if msg.String() == "f1" {
		return true
	}
	return key.Matches(msg, m.keys.Help) && !m.typesText(s)
}

// updateHelp handles a key while the help is shown: ?, F1, esc and q close
// it; anything else is ignored.
func (m Model) updateHelp(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "?", "f1", "esc", "q", "enter":
		m.helpOf = nil
		m.relayout()
	}
	return m, nil
}

// globalKeys are the bindings that work on every screen.
func (k keyMap) globalKeys() []key.Binding {
	return []key.Binding{k.HelpAny, k.ForceQuit}
}

// legend explains the words and signs of the dashboard.
const legend = "avail: a delivery window in green is orderable within max_delivery_hours, in yellow it is longer; " +
	"out = unavailable, coming = comingSoon, unknown = OVH does not say, … = no poll yet, " +
	"\"5m ago\" (dimmed) = no longer current: not polled since ordered or stopped, or polls fail. " +
	"price/ceil: the validated first invoice (excl. tax, all units), ≤ within the ceiling, > above, ? to re-read before ordering, " +
	"nocheck = skip_validate, — = no ceiling (retired)."

// helpView renders the help of the screen it was opened from in height
// lines: every binding of that screen (whatever the key map holds for it),
// in as many columns as the width takes, then the global ones, then the
// legend in what is left.
func (m *Model) helpView(height int) string {
	st := &m.styles
	w := m.layout.width
	from := *m.helpOf
	lines := []string{st.PaneTitleFocused.Render(fit(" keys of the "+screenNames[from]+" (? or esc returns to it) ", w)), ""}
	var keys []key.Binding
	for _, group := range m.screenKeys(from).full {
		keys = append(keys, group...)
	}
	lines = append(lines, keyColumns(st.Help, keys, w)...)
	lines = append(lines, "", st.DialogTitle.Render(" everywhere"))
	lines = append(lines, keyColumns(st.Help, m.keys.globalKeys(), w)...)
	if from == screenDashboard || from == screenLog {
		lines = append(lines, "")
		for _, l := range strings.Split(ansi.Wordwrap(legend, w-1, ""), "\n") {
			lines = append(lines, st.Dim.Render(" "+l))
		}
	}
	for i, l := range lines {
		lines[i] = cut(l, w)
	}
	return padLines(lines, height)
}

// helpGap separates the columns of keyColumns; helpRows is the height
// they take at least (more when the width needs it).
const (
	helpGap  = 3
	helpRows = 6
)

// keyColumns lays bindings out in columns, filled top to bottom in their
// order, as few rows as fit in width: each column as wide as its widest
// key and description, at least helpRows rows (a short list reads down a
// column). A description too long even for one column is cut.
func keyColumns(st help.Styles, bindings []key.Binding, width int) []string {
	var keys []key.Binding
	for _, b := range bindings {
		if b.Enabled() && b.Help().Key != "" {
			keys = append(keys, b)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	type column struct{ keyW, descW int }
	layout := func(rows int) ([]column, int) {
		var cols []column
		total := 1 // the leading space
		for start := 0; start < len(keys); start += rows {
			var c column
			for _, b := range keys[start:min(start+rows, len(keys))] {
				c.keyW = max(c.keyW, ansi.StringWidth(b.Help().Key))
				c.descW = max(c.descW, ansi.StringWidth(b.Help().Desc))
			}
			if len(cols) > 0 {
				total += helpGap
			}
			total += c.keyW + 1 + c.descW
			cols = append(cols, c)
		}
		return cols, total
	}
	rows := min(len(keys), helpRows) // a short list reads down a column
	cols, total := layout(rows)
	for total > width && rows < len(keys) {
		rows++
		cols, total = layout(rows)
	}
	out := make([]string, rows)
	for i := range out {
		line := " "
		for c, col := range cols {
			j := c*rows + i
			if j >= len(keys) {
				break
			}
			if c > 0 {
				line += strings.Repeat(" ", helpGap)
			}
			h := keys[j].Help()
			desc := h.Desc
			if c == len(cols)-1 {
				desc = cut(desc, max(width-ansi.StringWidth(line)-col.keyW-1, 1))
			} else {
				desc = fit(desc, col.descW)
			}
			line += st.FullKey.Render(fit(h.Key, col.keyW)) + " " + st.FullDesc.Render(desc)
		}
		out[i] = strings.TrimRight(line, " ")
	}
	return out
}
