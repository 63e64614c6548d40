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
	BuyAnother     key.Binding
	Remove         key.Binding // remove the entry (confirmed)
	Pause          key.Binding // pause / resume the entry
	Detail         key.Binding // log pane: the selected line in full
	Focus          key.Binding
	Dismiss        key.Binding
	Silence        key.Binding
	Help           key.Binding
	Quit           key.Binding
	HelpAny        key.Binding // F1: help from any screen, text fields included
	HelpShort      key.Binding // HelpAny in the short help line
	ForceQuit      key.Binding // ctrl+c: quit from any screen

	// Display-only bindings of the help lines.
	MoveHelp, QtyHelp, BackHelp, ScrollHelp, PageHelp, FieldHelp, ChoiceHelp, MoveDCHelp key.Binding
	TypeFilter, TypeAmount, TypeQty, ClearField, ListPage, BuyConfirm                    key.Binding

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
	StockFilter      key.Binding // restock radar: in stock now only
	OfferHistory     key.Binding // restock radar: the history view of the offer

	// History view (historyview.go); History opens it on the dashboard.
	History     key.Binding
	HistoryZone key.Binding
	Prev, Next  key.Binding
	Toggle      key.Binding
	Add         key.Binding

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
		Rearm:      b("R", "re-arm / bring back", "R"),
		BuyAnother: b("B", "buy another (ordered entry)", "B"),
		Remove:     b("d", "remove entry", "d"),
		Pause:      b("z", "pause/resume", "z"),
		Detail:     b("enter", "wrap lines", "enter"),
		Focus:      b("tab", "log", "tab"),
		Dismiss:    b("x", "dismiss banner", "x"),
		Silence:    b("b", "alerts on/off", "b"),
		Help:       b("?", "help", "?"),
		Quit:       b("q", "quit", "q", "ctrl+c"),
		HelpAny:    b("?/F1", "help of the screen you are on (F1 in text fields)", "f1"),
		HelpShort:  b("F1", "help", "f1"),
		ForceQuit:  b("ctrl+c", "quit (twice: leave without waiting for a checkout)", "ctrl+c"),

		MoveHelp:   b("↑↓", "move", "up", "down"),
		QtyHelp:    b("+/-", "qty", "+", "-"),
		ScrollHelp: b("↑↓", "scroll", "up", "down"),
		BackHelp:   b("tab", "dashboard", "tab"),
		PageHelp:   b("pgup/pgdn", "page", "pgup", "pgdown"),
		FieldHelp:  b("↑↓", "field", "up", "down"),
		ChoiceHelp: b("←→", "choice", "left", "right"),
		MoveDCHelp: b("K/J", "move DC", "K", "J"),
		TypeFilter: b("type", "filter by name", ""),
		TypeAmount: b("type", "amount (25 or 24.99)", ""),
		TypeQty:    b("type", "qty (1 to 99)", ""),
		BuyConfirm: b("y/enter", "buy another", "y", "enter"),
		ClearField: b("ctrl+u", "clear the field", "ctrl+u"),
		ListPage:   b("pgup/pgdn", "page", "pgup", "pgdown"),

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
		StockFilter: b("ctrl+o", "in stock only", "ctrl+o"),
		// ctrl+r: not a terminal control (unlike ctrl+h/i/m/j/[), free in
		// the filter field, and r as in restocks.
		OfferHistory: b("ctrl+r", "restock history", "ctrl+r"),

		History:     b("H", "restock history", "H"),
		HistoryZone: b("t", "heatmap: OVH's time / yours", "t"),
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

// helpFor returns the bindings of a screen: short for the help line,
// full (every binding) for the help screen.
func (k keyMap) helpFor(s screen) helpKeys {
	switch s {
	case screenOrders, screenServers:
		return k.afterWinHelp(s)
	case screenLog:
		return helpKeys{
			short: []key.Binding{k.ScrollHelp, k.Detail, k.Top, k.Bottom, k.BackHelp, k.Help, k.Quit, k.PageHelp},
			full:  [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Top, k.Bottom, k.Detail}, {k.BackHelp, k.Dismiss, k.Quit}},
		}
	case screenConfirm:
		return helpKeys{short: []key.Binding{k.Confirm, k.Cancel, k.Help}, full: [][]key.Binding{{k.Confirm, k.Cancel}}}
	case screenCeiling:
		return helpKeys{short: []key.Binding{k.Save, k.Cancel, k.HelpShort}, full: [][]key.Binding{{k.TypeAmount, k.ClearField}, {k.Save, k.Cancel}}}
	case screenBuy:
		return helpKeys{short: []key.Binding{k.QtyHelp, k.BuyConfirm, k.Cancel, k.HelpShort}, full: [][]key.Binding{{k.QtyUp, k.QtyDown, k.TypeQty}, {k.BuyConfirm, k.Cancel}}}
	case screenDCOrder:
		return helpKeys{
			short: []key.Binding{k.MoveHelp, k.MoveDCHelp, k.Save, k.Cancel, k.Help},
			full:  [][]key.Binding{{k.Up, k.Down}, {k.MoveUp, k.MoveDn}, {k.Save, k.Cancel}},
		}
	case screenBrowserList:
		return helpKeys{
			short: []key.Binding{k.MoveHelp, k.Choose, k.Back, k.RangeFilter, k.DCFilter, k.Sort, k.HelpShort},
			full:  [][]key.Binding{{k.ListUp, k.ListDown, k.ListPage, k.Choose}, {k.TypeFilter, k.RangeFilter, k.DCFilter, k.Sort, k.StockFilter}, {k.OfferHistory, k.Back}},
		}
	case screenBrowserConfig:
		return helpKeys{
			short: []key.Binding{k.Add, k.Back, k.FieldHelp, k.ChoiceHelp, k.Toggle, k.MoveDCHelp, k.HelpShort},
			full:  [][]key.Binding{{k.ListUp, k.ListDown, k.Prev, k.Next}, {k.Toggle, k.MoveUp, k.MoveDn}, {k.TypeAmount, k.Add, k.Back}},
		}
	case screenHelp:
		return helpKeys{short: []key.Binding{k.Back, k.Help}}
	case screenHistory:
		return helpKeys{
			short: []key.Binding{k.Back, k.HistoryZone, k.Help, k.Quit},
			full:  [][]key.Binding{{k.Back, k.HistoryZone, k.Quit}},
		}
	}
	return helpKeys{
		short: []key.Binding{k.PlaceOrder, k.Autopay, k.QtyHelp, k.Ceiling, k.DCOrder, k.Help, k.Quit, k.Browse, k.Focus, k.MoveHelp},
		full: [][]key.Binding{
			{k.Up, k.Down, k.Focus, k.Dismiss, k.Silence, k.Quit},
			{k.PlaceOrder, k.Autopay, k.QtyUp, k.QtyDown, k.Ceiling, k.DCOrder, k.Pause},
			{k.Rearm, k.BuyAnother, k.Remove, k.Browse, k.EditAddons, k.Refresh, k.History},
			{k.aw.Orders, k.aw.Servers},
		},
	}
}
