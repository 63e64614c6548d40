package tui

import (
	"context"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/ovhtui/ovhtui/notify"
	"github.com/ovhtui/ovhtui/order"
)

// termAlerts rings the terminal and raises a desktop notification for the
// events the notifier would send by default (notify.DefaultSet): a bell,
// OSC 9 (iTerm2, Windows Terminal, kitty, WezTerm) and OSC 777 (foot,
// Ghostty, urxvt, VTE terminals), wrapped for tmux passthrough when $TMUX
// is set (tmux needs `set -g allow-passthrough on`; the bell needs no
// wrapping). The Silence key turns them off and on.
type termAlerts struct {
	describe *notify.Describer // shared by the copies of the model: Update runs one at a time
	set      notify.Set
	tmux     bool
	silenced bool
	demo     bool // titles say so (demoTitle), as the notifier's do
}

func newTermAlerts(demo bool) termAlerts {
	return termAlerts{describe: &notify.Describer{}, set: notify.DefaultSet(), tmux: os.Getenv("TMUX") != "", demo: demo}
}

// forEvent returns the command that alerts the user of ev, or nil; name
// gives an entry's display name.
func (a termAlerts) forEvent(ev order.Event, name func(entry string) string) tea.Cmd {
	a.describe.Name = name
	m, ok := a.describe.Describe(context.Background(), ev)
	if !ok || !a.set[m.Kind] || a.silenced {
		return nil
	}
	title := m.Title
	if a.demo {
		title = demoTitlePrefix + title
	}
	return tea.Raw(desktopAlert(title, m.Text, a.tmux))
}

// desktopAlert is a bell followed by the OSC 9 and OSC 777 notifications
// of title and body.
func desktopAlert(title, body string, tmux bool) string {
	title, body = oscText(title), oscText(body)
	osc9 := "\x1b]9;" + title + ": " + body + "\a"
	osc777 := "\x1b]777;notify;" + strings.ReplaceAll(title, ";", ",") + ";" + body + "\a"
	if tmux {
		osc9, osc777 = tmuxPassthrough(osc9), tmuxPassthrough(osc777)
	}
	return "\a" + osc9 + osc777
}

// tmuxPassthrough wraps seq so that tmux hands it to the outer terminal.
func tmuxPassthrough(seq string) string {
	return "\x1bPtmux;" + strings.ReplaceAll(seq, "\x1b", "\x1b\x1b") + "\x1b\\"
}

// maxOSCText bounds a notification's text: terminals cut long ones anyway.
const maxOSCText = 200

// oscText makes s safe inside an OSC string: one line, no control
// characters (an ESC or BEL would end the sequence early), bounded.
func oscText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > maxOSCText {
		s = string(r[:maxOSCText-1]) + "…"
	}
	return s
}
