package tui

import (
	"strings"
	"testing"
	"time"
)

// TestOldAvailabilityShowsItsAge: the ordered entry's DC, no longer
// polled, shows how long ago its availability was read, never the value
// as if current; the age follows the model's clock (the tick), not a
// clock read in View (issue 18, issue 16 path 2).
func TestOldAvailabilityShowsItsAge(t *testing.T) {
	m := dashboardModel(t, 120, 40)
	row := lineWith(t, screenText(m), "KS-LE-A")
	if strings.Contains(row, "1H-low") || !strings.Contains(row, "12m ago") {
		t.Fatalf("ordered row shows its old availability as current: %q", row)
	}
	if a, b := screenText(m), screenText(m); a != b {
		t.Fatal("View is not a pure function of the model")
	}
	m = send(m, tickMsg{now: fixedNow.Add(3 * time.Minute)})
	if row := lineWith(t, screenText(m), "KS-LE-A"); !strings.Contains(row, "15m ago") {
		t.Fatalf("the age does not follow the tick: %q", row)
	}
	// A DC still polled shows OVH's word.
	lineWith(t, screenText(m), "rbx  2160H")
}

// lineWith returns the first line of screen holding s.
func lineWith(t *testing.T, screen, s string) string {
	t.Helper()
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, s) {
			return l
		}
	}
	t.Fatalf("no line with %q in\n%s", s, screen)
	return ""
}
