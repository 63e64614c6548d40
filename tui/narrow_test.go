package tui

import (
	"strings"
	"testing"
)

// TestNarrowKeepsStatusQtyAndFlags: at 50 columns the status, qty and
// ord/pay columns stay (the others give way), and the footer keeps ? and q.
func TestNarrowKeepsStatusQtyAndFlags(t *testing.T) {
	for _, w := range []int{50, 60, 80} {
		m := dashboardModel(t, w, 24)
		screen := screenText(m)
		row := rowOf(t, screen, "fra")
		if !strings.Contains(row, "ready") || !strings.HasSuffix(row, "1 on  off") {
			t.Errorf("%d columns: the row lost its status or flags: %q", w, row)
		}
		lines := strings.Split(screen, "\n")
		if foot := lines[len(lines)-1]; !strings.Contains(foot, "? help") || !strings.Contains(foot, "q quit") {
			t.Errorf("%d columns: footer %q", w, foot)
		}
	}
}
