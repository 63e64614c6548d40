package order

import (
	"slices"
	"testing"
	"time"
)

// TestPollsSpreadOverTheInterval: the polls of several plans are spread
// evenly over the interval, not sent in a burst; a new plan goes first.
func TestPollsSpreadOverTheInterval(t *testing.T) {
	var r retryState
	t0 := time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)
	want := map[string][]string{"a": {"gra"}, "b": {"gra"}, "c": {"gra"}, "d": {"gra"}}
	iv := 4 * time.Second
	var order []string
	for step := range 8 { // two intervals, one second at a time
		now := t0.Add(time.Duration(step) * time.Second)
		due := r.due(want, now, iv)
		if len(due) > 1 {
			t.Fatalf("at +%ds: %v polled together", step, due)
		}
		for _, p := range due {
			order = append(order, p)
			r.answered(p, iv, now, now, nil)
		}
	}
	if !slices.Equal(order, []string{"a", "b", "c", "d", "a", "b", "c", "d"}) {
		t.Fatalf("polls %v, want each plan once per interval, one a second", order)
	}
	// A new plan: polled at once, and the five spread again.
	want["e"] = []string{"gra"}
	now := t0.Add(8 * time.Second)
	if due := r.due(want, now, iv); !slices.Equal(due, []string{"e"}) {
		t.Fatalf("with a new plan: %v due, want e first", due)
	}
}
