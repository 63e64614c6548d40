package tui

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/ovhapi"
)

// TestLogRepeatsCollapse: an error repeated every poll is one line, counted.
func TestLogRepeatsCollapse(t *testing.T) {
	m := dashboardModel(t, 120, 40)
	var evs []order.Event
	for i := range 12 {
		evs = append(evs, order.Info{Base: order.Base{Time: fixedNow.Add(time.Duration(i) * 3 * time.Second)}, Sev: slog.LevelError,
			Text: "preferences not reloaded: preferences.json:3:1: invalid character"})
	}
	m = send(m, eventsMsg{events: evs, now: fixedNow})
	screen := screenText(m)
	if n := strings.Count(screen, "preferences not reloaded"); n != 1 {
		t.Fatalf("%d lines for one repeated error:\n%s", n, screen)
	}
	if !strings.Contains(screen, "(×12, last 10:00:33)") {
		t.Fatalf("no count:\n%s", screen)
	}
}

// TestLogLongLinesWrap: in the focused log, enter wraps long lines so all
// of them can be read; enter again cuts them.
func TestLogLongLinesWrap(t *testing.T) {
	m := dashboardModel(t, 80, 24)
	url := "https://www.ovh.ie/cgi-bin/order/display-order.cgi?orderId=248119999&orderPassword=QWERTYUIOP"
	m = send(m, eventsMsg{events: []order.Event{order.Info{Base: order.Base{Time: fixedNow}, Sev: slog.LevelWarn, Text: "see " + url}}, now: fixedNow})
	if strings.Contains(strings.ReplaceAll(screenText(m), "\n", ""), "QWERTYUIOP") {
		t.Fatal("the end of the line shows before wrapping")
	}
	m = send(m, press("tab", "enter")...)
	flat := screenText(m)
	if !strings.Contains(flat, "\n              "+url[:60]) {
		t.Fatalf("wrapped: the URL does not start its own row:\n%s", flat)
	}
	// A URL is never wrapped (issue 18): cut on its row, its OSC 8 link whole.
	if strings.Contains(flat, "QWERTYUIOP") || !strings.Contains(m.View().Content, ansi.SetHyperlink(ovhapi.OrderLink(url))+url[:65]) {
		t.Fatalf("wrapped: the URL was wrapped, or is not a whole link:\n%s", flat)
	}
	m = send(m, press("enter")...)
	if strings.Contains(screenText(m), "\n              "+url[:60]) {
		t.Fatal("enter did not cut lines again")
	}
}

// TestHelpShowsTheScreenItCameFrom: ? in the log pane lists the log pane's
// keys and the global ones, and returns to the log pane with its focus.
func TestHelpShowsTheScreenItCameFrom(t *testing.T) {
	m := dashboardModel(t, 120, 40)
	m = send(m, press("tab", "?")...)
	screen := screenText(m)
	for _, want := range []string{"keys of the log pane", "oldest", "follow", "wrap lines", "everywhere", "ctrl+c"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("%q missing from the log pane's help:\n%s", want, screen)
		}
	}
	m = send(m, press("?")...)
	if !m.logFocus || m.helpOf != nil {
		t.Fatal("closing the help did not return to the focused log pane")
	}
	// In the browser ? is typed into the filter; F1 opens the help.
	m = send(m, press("tab", "/", "?")...)
	if m.helpOf != nil || m.browser.filter.String() != "?" {
		t.Fatal("? in the browser's filter opened the help")
	}
	m = send(m, tea.KeyPressMsg{Code: tea.KeyF1})
	if m.helpOf == nil || !strings.Contains(screenText(m), "keys of the catalog browser") {
		t.Fatalf("F1 did not open the browser's help:\n%s", screenText(m))
	}
	m = send(m, press("esc")...)
	if m.browser == nil || m.helpOf != nil {
		t.Fatal("esc from the help left the browser")
	}
}
