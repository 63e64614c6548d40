package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/ovhtui/ovhtui/order"
)

// TestOrderLinksAreWholeHyperlinks: the banner's and the log pane's order
// URL is an OSC 8 hyperlink with the whole URL, and no row of the screen
// starts in the middle of it, at any width (issue 18).
func TestOrderLinksAreWholeHyperlinks(t *testing.T) {
	for _, size := range []struct{ w, h int }{{40, 10}, {80, 24}, {120, 40}} {
		m := dashboardModel(t, size.w, size.h)
		ev := orderPlaced(m)
		m = send(m, eventsMsg{events: []order.Event{ev}, now: fixedNow})
		url := "https://www.ovh.ie/cgi-bin/order/display-order.cgi?orderId=248119999" // without the password
		if n := strings.Count(m.View().Content, ansi.SetHyperlink(url)); n < 1 {
			t.Errorf("%dx%d: the order URL is not a whole OSC 8 link", size.w, size.h)
		}
		for _, l := range strings.Split(screenText(m), "\n") {
			l = strings.TrimSpace(l)
			for _, piece := range []string{"orderId", "display-order", "248119999"} {
				if strings.HasPrefix(l, piece) || strings.HasPrefix(l, "cgi-bin") || strings.HasPrefix(l, "order/") {
					t.Errorf("%dx%d: a row starts inside the URL (%s): %q", size.w, size.h, piece, l)
				}
			}
		}
		if strings.Contains(m.View().Content, "QWERTYUIOP") {
			t.Errorf("%dx%d: the order password is shown", size.w, size.h)
		}
	}
}

// TestHelpLineKeepsHelpAndQuitDownTo40x10: however small the window and
// whatever is shown (a banner, a reminder), the last line is the help line
// with ? and q, and the view is never taller than the window (issue 18).
func TestHelpLineKeepsHelpAndQuitDownTo40x10(t *testing.T) {
	for _, size := range []struct{ w, h int }{{40, 10}, {50, 12}, {80, 24}} {
		m := dashboardModel(t, size.w, size.h)
		m = send(m, eventsMsg{events: []order.Event{orderPlaced(m), order.Reminder{Base: order.Base{Time: fixedNow}, Kind: order.RemindUnpaid,
			OrderID: 248119999, Due: fixedNow.Add(2 * 3600e9)}}, now: fixedNow})
		lines := strings.Split(screenText(m), "\n")
		if len(lines) != size.h {
			t.Errorf("%dx%d: %d lines", size.w, size.h, len(lines))
		}
		last := lines[len(lines)-1]
		if !strings.Contains(last, "? help") || !strings.Contains(last, "q quit") {
			t.Errorf("%dx%d: the last line %q lost ? or q:\n%s", size.w, size.h, last, strings.Join(lines, "\n"))
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > size.w {
				t.Errorf("%dx%d: line wider than the window: %q", size.w, size.h, l)
			}
		}
	}
}

// TestEveryScreenKeepsHelpAndQuitAt40x10: the dashboard, the log pane and
// the Orders and Servers screens keep ? and q on their last line at 40x10.
func TestEveryScreenKeepsHelpAndQuitAt40x10(t *testing.T) {
	for name, keys := range map[string][]string{"dashboard": nil, "log pane": {"tab"}, "Orders": {"O"}, "Servers": {"S"}} {
		m := dashboardModel(t, 40, 10)
		m = send(m, press(keys...)...)
		lines := strings.Split(screenText(m), "\n")
		last := lines[len(lines)-1]
		if len(lines) != 10 || !strings.Contains(last, "? help") || !strings.Contains(last, "q quit") {
			t.Errorf("%s at 40x10: %d lines, last %q", name, len(lines), last)
		}
	}
}
