package tui

import (
	"unicode"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// lineInput is a one-line text field: typing appends, backspace deletes,
// ctrl+u clears. It has no blinking cursor, so it never wakes the program
// and renders the same every time.
type lineInput struct {
	value []rune
	limit int
	// accept filters typed runes (nil accepts printable runes).
	accept func(rune) bool
}

// update handles a key. It reports whether the key was used.
func (in *lineInput) update(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "backspace", "ctrl+h":
		if len(in.value) > 0 {
			in.value = in.value[:len(in.value)-1]
		}
		return true
	case "ctrl+u":
		in.value = in.value[:0]
		return true
	case "space":
		return in.insert(" ")
	}
	if msg.Text == "" || msg.Mod&(tea.ModCtrl|tea.ModAlt) != 0 {
		return false
	}
	return in.insert(msg.Text)
}

func (in *lineInput) insert(text string) bool {
	used := false
	for _, r := range text {
		if !unicode.IsPrint(r) || (in.accept != nil && !in.accept(r)) {
			continue
		}
		if in.limit > 0 && len(in.value) >= in.limit {
			break
		}
		in.value = append(in.value, r)
		used = true
	}
	return used
}

func (in *lineInput) set(s string) { in.value = []rune(s) }

func (in *lineInput) String() string { return string(in.value) }

// view renders the value and a block cursor, cut at the left to width.
func (in *lineInput) view(st lipgloss.Style, width int, focused bool) string {
	s := string(in.value)
	if focused {
		s += "█"
	}
	r := []rune(s)
	if len(r) > width && width > 0 {
		r = r[len(r)-width:]
	}
	return st.Render(fit(string(r), width))
}
