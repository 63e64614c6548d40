package tui

import "charm.land/bubbles/v2/key"

// keyMap is the one key map of the UI. Every binding has help text; the
// bindings of a screen are picked by helpFor.
type keyMap struct {
	// Dashboard.
	Up, Down       key.Binding
	PlaceOrder     key.Binding
	Autopay        key.Binding
	QtyUp, QtyDown key.Binding
	Ceiling        key.Binding
	DCOrder        key.Binding
	Browse         key.Binding
	EditAddons     key.Binding
	Refresh        key.Binding
	Rearm          key.Binding
	Focus          key.Binding
	Dismiss        key.Binding
	Silence        key.Binding
	Help           key.Binding
	Quit           key.Binding

	// Display-only bindings of the short help lines.
	MoveHelp, QtyHelp, BackHelp, ScrollHelp, PageHelp, FieldHelp, ChoiceHelp, MoveDCHelp key.Binding

	// Log pane.
	PageUp, PageDown key.Binding
	Top, Bottom      key.Binding

	// Dialogs and editors.
	Confirm, Cancel key.Binding
	MoveUp, MoveDn  key.Binding
	Save            key.Binding

	// Catalog browser.
	ListUp, ListDown key.Binding
	Choose           key.Binding
	Back             key.Binding
	RangeFilter      key.Binding
	DCFilter         key.Binding
	Sort             key.Binding
	Prev, Next       key.Binding
	Toggle           key.Binding
	Add              key.Binding

	// Orders and Servers screens (afterwin.go).
	aw afterWinKeys
}

func newKeyMap() keyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return keyMap{
		Up:         b("↑/k", "up", "up", "k"),
		Down:       b("↓/j", "down", "down", "j"),
		PlaceOrder: b("p", "place_order", "p"),

		Autopay:    b("a", "autopay", "a"),
		QtyUp:      b("+", "qty +1", "+", "="),
		QtyDown:    b("-", "qty -1", "-"),
		Ceiling:    b("e", "ceiling", "e"),
		DCOrder:    b("o", "DC order", "o"),
		Browse:     b("/", "catalog", "/", "c"),
		EditAddons: b("C", "change addons", "C"),
		Refresh:    b("r", "refresh catalog", "r"),
		Rearm:      b("R", "re-arm (decision)", "R"),
		Focus:      b("tab", "log", "tab"),
		Dismiss:    b("x", "dismiss banner", "x"),
		Silence:    b("b", "alerts on/off", "b"),
		Help:       b("?", "help", "?"),
		Quit:       b("q", "quit", "q", "ctrl+c"),

		MoveHelp:   b("↑↓", "move", "up", "down"),
		QtyHelp:    b("+/-", "qty", "+", "-"),
		ScrollHelp: b("↑↓", "scroll", "up", "down"),
		BackHelp:   b("tab", "dashboard", "tab"),
		PageHelp:   b("pgup/pgdn", "page", "pgup", "pgdown"),
		FieldHelp:  b("↑↓", "field", "up", "down"),
		ChoiceHelp: b("←→", "choice", "left", "right"),
		MoveDCHelp: b("K/J", "move DC", "K", "J"),

		PageUp:   b("pgup", "page up", "pgup", "ctrl+b"),
		PageDown: b("pgdn", "page down", "pgdown", "ctrl+f"),
		Top:      b("g", "oldest", "g", "home"),
		Bottom:   b("G", "follow", "G", "end"),

		Confirm: b("y", "confirm", "y"),
		Cancel:  b("esc", "cancel", "esc", "n"),
		MoveUp:  b("K/shift+↑", "move DC up", "K", "shift+up"),
		MoveDn:  b("J/shift+↓", "move DC down", "J", "shift+down"),
		Save:    b("enter", "save", "enter"),

		ListUp:      b("↑", "up", "up"),
		ListDown:    b("↓", "down", "down"),
		Choose:      b("enter", "choose", "enter"),
		Back:        b("esc", "back", "esc"),
		RangeFilter: b("tab", "range", "tab"),
		DCFilter:    b("shift+tab", "DC", "shift+tab"),
		Sort:        b("ctrl+s", "sort", "ctrl+s"),
		Prev:        b("←", "previous choice", "left"),
		Next:        b("→", "next choice", "right"),
		Toggle:      b("space", "want DC", "space"),
		Add:         b("enter", "add", "enter"),

		aw: newAfterWinKeys(),
	}
}

// helpKeys is the help of one screen, for bubbles/help.
type helpKeys struct {
	short []key.Binding
	full  [][]key.Binding
}

// ShortHelp implements help.KeyMap.
func (h helpKeys) ShortHelp() []key.Binding { return h.short }

// FullHelp implements help.KeyMap.
func (h helpKeys) FullHelp() [][]key.Binding { return h.full }

// helpFor returns the bindings shown for a screen.
func (k keyMap) helpFor(s screen) helpKeys {
	switch s {
	case screenOrders, screenServers:
		return k.afterWinHelp(s)
	case screenLog:
		return helpKeys{
			short: []key.Binding{k.ScrollHelp, k.PageHelp, k.Top, k.Bottom, k.BackHelp, k.Help, k.Quit},
			full:  [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Top, k.Bottom}, {k.BackHelp, k.Help, k.Quit}},
		}
	case screenConfirm:
		return helpKeys{short: []key.Binding{k.Confirm, k.Cancel}, full: [][]key.Binding{{k.Confirm, k.Cancel}}}
	case screenCeiling:
		return helpKeys{short: []key.Binding{k.Save, k.Cancel}, full: [][]key.Binding{{k.Save, k.Cancel}}}
	case screenDCOrder:
		return helpKeys{
			short: []key.Binding{k.MoveHelp, k.MoveDCHelp, k.Save, k.Cancel},
			full:  [][]key.Binding{{k.Up, k.Down}, {k.MoveUp, k.MoveDn}, {k.Save, k.Cancel}},
		}
	case screenBrowserList:
		return helpKeys{
			short: []key.Binding{k.MoveHelp, k.Choose, k.RangeFilter, k.DCFilter, k.Sort, k.Back},
			full:  [][]key.Binding{{k.ListUp, k.ListDown, k.Choose}, {k.RangeFilter, k.DCFilter, k.Sort}, {k.Back}},
		}
	case screenBrowserConfig:
		return helpKeys{
			short: []key.Binding{k.FieldHelp, k.ChoiceHelp, k.Toggle, k.MoveDCHelp, k.Add, k.Back},
			full:  [][]key.Binding{{k.ListUp, k.ListDown, k.Prev, k.Next}, {k.Toggle, k.MoveUp, k.MoveDn}, {k.Add, k.Back}},
		}
	}
	return helpKeys{
		short: []key.Binding{k.PlaceOrder, k.Autopay, k.QtyHelp, k.Ceiling, k.DCOrder, k.Help, k.Quit, k.Browse, k.Focus, k.MoveHelp},
		full: [][]key.Binding{
			{k.Up, k.Down, k.Focus, k.Dismiss, k.Silence, k.Help, k.Quit},
			{k.PlaceOrder, k.Autopay, k.QtyUp, k.QtyDown, k.Ceiling, k.DCOrder},
			{k.Rearm, k.Browse, k.EditAddons, k.Refresh},
		},
	}
}
