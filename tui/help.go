package tui

import (
	"strings"

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
const legend = "avail: a delivery window (1H-high, 24H, 72H…) in green is orderable within the entry's max_delivery_hours, " +
	"in yellow it is longer; out = unavailable, coming = comingSoon, unknown = OVH does not say, … = no poll yet. " +
	"price/ceil: the validated first invoice (excl. tax, all units) ≤ within the ceiling, > above it, ? to be read again before ordering, nocheck = skip_validate."

// helpView renders the help of the screen it was opened from in height lines.
func (m *Model) helpView(height int) string {
	st := &m.styles
	w := m.layout.width
	from := *m.helpOf
	lines := []string{st.PaneTitleFocused.Render(fit(" keys of the "+screenNames[from]+" (? or esc returns to it) ", w)), ""}
	full := m.screenKeys(from).full
	lines = append(lines, strings.Split(m.help.FullHelpView(full), "\n")...)
	lines = append(lines, "", st.DialogTitle.Render(" everywhere"))
	lines = append(lines, strings.Split(m.help.FullHelpView([][]key.Binding{m.keys.globalKeys()}), "\n")...)
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
