package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/order"
)

// TestRetiredRow: a retired entry (qty 0, ceiling 0, as the engine leaves
// it) shows no "0.00" ceiling, and its status never leaves a currency
// alone on the next row (issue 18).
func TestRetiredRow(t *testing.T) {
	for _, w := range []int{80, 120} {
		m := dashboardModel(t, w, 40)
		f := m.file.Clone()
		f.Servers[0].Qty, f.Servers[0].CeilingPrice = 0, 0
		sc := scenario{
			avail: map[int]map[string]string{0: {"fra": "1H-high", "gra": "720H"}},
			carts: map[int]map[string]testCart{0: {
				"fra": {11398000000, time.Minute, time.Hour, false},
				"gra": {11398000000, time.Minute, time.Hour, false},
			}},
			notes: map[int]string{0: "retired: 113.98 EUR in fra > ceiling 40.00 EUR"},
		}
		m = send(m, prefsMsg{file: f}, eventsMsg{events: []order.Event{engineStates(f, sc)}, now: fixedNow})
		screen := screenText(m)
		fra, gra := lineWith(t, screen, " fra "), lineWith(t, screen, " gra ")
		for _, row := range []string{fra, gra} {
			if strings.Contains(row, "/0.00") || !strings.Contains(row, "113.98/—") {
				t.Errorf("%d columns: the retired row shows a ceiling of 0: %q", w, row)
			}
		}
		if strings.HasSuffix(strings.TrimSpace(strings.TrimSuffix(gra, "")), " EUR") && !strings.Contains(gra, "40.00 EUR") {
			t.Errorf("%d columns: the currency wrapped alone: %q / %q", w, fra, gra)
		}
		if w == 120 && !strings.Contains(fra+gra, "40.00 EUR") {
			t.Errorf("%d columns: the amount and its currency were split: %q / %q", w, fra, gra)
		}
	}
}
