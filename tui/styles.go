package tui

import (
	"image/color"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Styles holds every style the UI uses. Colours carry meaning and are named
// for it; they are ANSI 16 colours where possible so that a 16-colour
// terminal (tmux over SSH) shows them as meant, and the program downsamples
// the rest to the detected colour profile.
type Styles struct {
	Header      lipgloss.Style
	HeaderDim   lipgloss.Style
	HealthOK    lipgloss.Style
	HealthBad   lipgloss.Style
	ColumnTitle lipgloss.Style
	Selected    lipgloss.Style // marker of the selected entry
	Name        lipgloss.Style
	Dim         lipgloss.Style

	// Availability by meaning.
	AvailNow     lipgloss.Style // 1H: orderable at once
	AvailSoon    lipgloss.Style // 24H, 72H
	AvailLater   lipgloss.Style // longer windows, comingSoon
	AvailNone    lipgloss.Style // unavailable
	AvailUnknown lipgloss.Style // unknown or a value ovhtui does not know
	AvailOld     lipgloss.Style // a value no longer current: shown as its age

	// Price against the ceiling.
	PriceWithin lipgloss.Style
	PriceAbove  lipgloss.Style

	// Status of an entry in a DC.
	StatusOK       lipgloss.Style // ready, ordered
	StatusBusy     lipgloss.Style // building cart, ordering
	StatusBad      lipgloss.Style // error, over ceiling
	StatusDecision lipgloss.Style // needs your decision
	StatusQuiet    lipgloss.Style // retired, idle

	// Entry flags: a flag that can spend money is loud.
	FlagLive lipgloss.Style
	FlagOff  lipgloss.Style

	// Log severities.
	LogTime  lipgloss.Style
	LogDebug lipgloss.Style
	LogInfo  lipgloss.Style
	LogWarn  lipgloss.Style
	LogError lipgloss.Style

	PaneTitle        lipgloss.Style
	PaneTitleFocused lipgloss.Style

	Banner      lipgloss.Style // order placed
	BannerAlarm lipgloss.Style // order placed above the ceiling
	Dialog      lipgloss.Style // confirmation and editors
	DialogTitle lipgloss.Style
	Danger      lipgloss.Style // real money
	Input       lipgloss.Style
	Cursor      lipgloss.Style // highlighted line in lists
	Heat        lipgloss.Style // restocks in the history view's heatmap

	Help help.Styles

	ink inks // the inline styles above, pre-rendered
}

// ANSI colours: the terminal's palette decides the exact shade, which keeps
// them readable on dark and light backgrounds alike.
var (
	ansiRed     = lipgloss.Color("1")
	ansiGreen   = lipgloss.Color("2")
	ansiYellow  = lipgloss.Color("3")
	ansiBlue    = lipgloss.Color("4")
	ansiMagenta = lipgloss.Color("5")
	ansiCyan    = lipgloss.Color("6")
	ansiGrey    = lipgloss.Color("8")
	ansiBrRed   = lipgloss.Color("9")
	ansiBlack   = lipgloss.Color("0")
	ansiWhite   = lipgloss.Color("15")
)

// newStyles builds the styles for a dark or light background.
func newStyles(isDark bool) Styles {
	ld := lipgloss.LightDark(isDark)
	var faint color.Color = ld(lipgloss.Color("245"), lipgloss.Color("243"))
	plain := lipgloss.NewStyle()
	fg := func(c color.Color) lipgloss.Style { return plain.Foreground(c) }
	return Styles{
		Header:      plain.Bold(true),
		HeaderDim:   fg(faint),
		HealthOK:    fg(ansiGreen),
		HealthBad:   fg(ansiRed).Bold(true),
		ColumnTitle: fg(faint).Underline(true),
		Selected:    fg(ansiCyan).Bold(true),
		Name:        plain.Bold(true),
		Dim:         fg(faint),

		AvailNow:     fg(ansiGreen).Bold(true),
		AvailSoon:    fg(ansiYellow),
		AvailLater:   fg(faint),
		AvailNone:    fg(ansiGrey),
		AvailUnknown: fg(ansiMagenta).Italic(true),
		AvailOld:     fg(faint).Italic(true),

		PriceWithin: fg(ansiGreen),
		PriceAbove:  fg(ansiRed).Bold(true),

		StatusOK:       fg(ansiGreen),
		StatusBusy:     fg(ansiYellow),
		StatusBad:      fg(ansiRed).Bold(true),
		StatusDecision: fg(ansiMagenta).Bold(true),
		StatusQuiet:    fg(faint),

		FlagLive: fg(ansiYellow).Bold(true),
		FlagOff:  fg(faint),

		LogTime:  fg(faint),
		LogDebug: fg(faint),
		LogInfo:  fg(ansiBlue),
		LogWarn:  fg(ansiYellow).Bold(true),
		LogError: fg(ansiBrRed).Bold(true),

		PaneTitle:        fg(faint).Bold(true),
		PaneTitleFocused: fg(ansiCyan).Bold(true),

		Banner:      plain.Foreground(ansiBlack).Background(ansiGreen).Bold(true),
		BannerAlarm: plain.Foreground(ansiWhite).Background(ansiRed).Bold(true),
		Dialog:      plain.Border(lipgloss.RoundedBorder()).BorderForeground(ansiCyan).Padding(0, 1),
		DialogTitle: plain.Bold(true),
		Danger:      fg(ansiRed).Bold(true),
		Input:       plain.Underline(true),
		Cursor:      plain.Reverse(true),
		Heat:        fg(ansiGreen),

		Help: help.DefaultStyles(isDark),
	}
}

// plainStyles is used with NO_COLOR: no colour at all, only attributes that
// keep the layout readable (bold, reverse, underline). Meaning is also
// carried by the text itself (availability values, "<=" or ">" between price
// and ceiling, status words).
func plainStyles() Styles {
	p := lipgloss.NewStyle()
	b := p.Bold(true)
	return Styles{
		Header: b, HeaderDim: p, HealthOK: p, HealthBad: b, ColumnTitle: p.Underline(true),
		Selected: b, Name: b, Dim: p,
		AvailNow: b, AvailSoon: p, AvailLater: p, AvailNone: p, AvailUnknown: p, AvailOld: p,
		PriceWithin: p, PriceAbove: b,
		StatusOK: p, StatusBusy: p, StatusBad: b, StatusDecision: b, StatusQuiet: p,
		FlagLive: b, FlagOff: p,
		LogTime: p, LogDebug: p, LogInfo: p, LogWarn: b, LogError: b,
		PaneTitle: p, PaneTitleFocused: b.Underline(true),
		Banner: p.Reverse(true).Bold(true), BannerAlarm: p.Reverse(true).Bold(true),
		Dialog:      p.Border(lipgloss.NormalBorder()).Padding(0, 1),
		DialogTitle: b, Danger: b, Input: p.Underline(true), Cursor: p.Reverse(true), Heat: p,
		Help: help.Styles{},
	}
}

// ink is an inline style rendered once to its escape sequences, for the
// hot paths (dashboard rows, log lines): painting is then a concatenation
// instead of a lipgloss render.
type ink struct{ pre, post string }

// inkOf captures an inline style (no width, padding, margin or border).
func inkOf(st lipgloss.Style) ink {
	r := st.Render("\x01")
	i := strings.IndexByte(r, '\x01')
	if i < 0 {
		return ink{}
	}
	return ink{pre: r[:i], post: r[i+1:]}
}

// Render paints s, which must be a single line.
func (k ink) Render(s string) string {
	if k.pre == "" && k.post == "" {
		return s
	}
	return k.pre + s + k.post
}

// inks are the inks of the styles used on every row.
type inks struct {
	Plain, Name, Dim, Selected, ColumnTitle                            ink
	AvailNow, AvailSoon, AvailLater, AvailNone, AvailUnknown, AvailOld ink
	PriceWithin, PriceAbove                                            ink
	StatusOK, StatusBusy, StatusBad, StatusDecision, StatusQuiet       ink
	FlagLive, FlagOff, LogTime, LogDebug, LogInfo, LogWarn, LogError   ink
	Heat                                                               ink
}

func newInks(s *Styles) inks {
	return inks{
		Name: inkOf(s.Name), Dim: inkOf(s.Dim), Selected: inkOf(s.Selected), ColumnTitle: inkOf(s.ColumnTitle),
		AvailNow: inkOf(s.AvailNow), AvailSoon: inkOf(s.AvailSoon), AvailLater: inkOf(s.AvailLater),
		AvailNone: inkOf(s.AvailNone), AvailUnknown: inkOf(s.AvailUnknown), AvailOld: inkOf(s.AvailOld),
		PriceWithin: inkOf(s.PriceWithin), PriceAbove: inkOf(s.PriceAbove),
		StatusOK: inkOf(s.StatusOK), StatusBusy: inkOf(s.StatusBusy), StatusBad: inkOf(s.StatusBad),
		StatusDecision: inkOf(s.StatusDecision), StatusQuiet: inkOf(s.StatusQuiet),
		FlagLive: inkOf(s.FlagLive), FlagOff: inkOf(s.FlagOff),
		LogTime: inkOf(s.LogTime), LogDebug: inkOf(s.LogDebug), LogInfo: inkOf(s.LogInfo),
		LogWarn: inkOf(s.LogWarn), LogError: inkOf(s.LogError),
		Heat: inkOf(s.Heat),
	}
}
