package budget

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock that moves only when Advance is called.
type fakeClock struct {
	mu      sync.Mutex
	t       time.Time
	waiters []waiter
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.t
		return ch
	}
	c.waiters = append(c.waiters, waiter{at: c.t.Add(d), ch: ch})
	return ch
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if !w.at.After(c.t) {
			w.ch <- c.t
		} else {
			kept = append(kept, w)
		}
	}
	c.waiters = kept
}

func TestIntervalStretchesBeyondTheBudget(t *testing.T) {
	b := New(DefaultPerMin, newFakeClock())
	for _, c := range []struct {
		plans int
		poll  time.Duration
		want  time.Duration
	}{
		{1, time.Second, time.Second}, // the default keeps one plan at 1 s
		{2, time.Second, time.Second}, // 120/min exactly
		{3, time.Second, 1500 * time.Millisecond},
		{6, time.Second, 3 * time.Second},
		{20, time.Second, 10 * time.Second},
		{5, 10 * time.Second, 10 * time.Second},
		{7, time.Second, 3500 * time.Millisecond},
	} {
		if got := b.Interval(c.plans, c.poll); got != c.want {
			t.Errorf("%d plans at %s: every %s, want %s", c.plans, c.poll, got, c.want)
		}
	}
	if got, want := b.Describe(3, time.Second), "3 plans, budget 120/min: each polled every 1.5s"; got != want {
		t.Errorf("Describe: %q, want %q", got, want)
	}
	if got := New(Unlimited, nil).Interval(50, time.Second); got != time.Second {
		t.Errorf("unlimited: every %s", got)
	}
	var none *Budget
	if got := none.Interval(50, time.Second); got != time.Second {
		t.Errorf("nil budget: every %s", got)
	}
}

func TestTooManyHalvesForAWhile(t *testing.T) {
	clk := newFakeClock()
	b := New(120, clk)
	st := b.TooMany()
	if st.Effective != 60 || !st.Throttled() {
		t.Fatalf("after a 429: %+v", st)
	}
	if got := b.Interval(3, time.Second); got != 3*time.Second {
		t.Errorf("3 plans on a halved budget: every %s, want 3s", got)
	}
	if d := b.Describe(3, time.Second); !strings.Contains(d, "halved") || !strings.Contains(d, "429") {
		t.Errorf("Describe does not say the budget is halved: %q", d)
	}
	clk.Advance(time.Minute)
	if st := b.TooMany(); st.Effective != 30 {
		t.Errorf("second 429: %d/min, want 30", st.Effective)
	}
	for range 10 {
		b.TooMany()
	}
	if st := b.State(); st.Effective != MinPerMin {
		t.Errorf("many 429s: %d/min, want the floor %d", st.Effective, MinPerMin)
	}
	clk.Advance(ThrottleFor)
	if st := b.State(); st.Effective != 120 || st.Throttled() {
		t.Errorf("after the period: %+v", st)
	}
}

// TestBackgroundNeverTakesWhatWantedNeeds: with one plan at 1 s (60/min
// wanted) the sweep gets the other 60 a minute, one a second; with plans
// using the whole budget it gets nothing, and wanted requests never wait.
func TestBackgroundNeverTakesWhatWantedNeeds(t *testing.T) {
	clk := newFakeClock()
	b := New(120, clk)
	b.Interval(1, time.Second)
	ctx := context.Background()
	got := 0
	for range 120 { // two minutes: one wanted poll a second, and the sweep
		b.Spend(Wanted)
		for {
			ok := tryBackground(b)
			if !ok {
				break
			}
			got++
		}
		clk.Advance(time.Second)
	}
	if got < 110 || got > 122 {
		t.Errorf("background got %d in 2 minutes beside 60/min wanted; want about 120", got)
	}
	if n := b.LastMinute(); n > 120 {
		t.Errorf("%d requests in the last minute, budget 120", n)
	}

	b2 := New(120, clk)
	b2.Interval(3, time.Second) // stretched: the plans use the whole budget
	if tryBackground(b2) {
		t.Error("background request while the plans use the whole budget")
	}
	ctx2, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() { errc <- b2.Wait(ctx2, Background) }()
	b2.Spend(Wanted) // a wanted request never waits, even with a sweep blocked
	b2.Interval(1, time.Second)
	if err := <-errc; err != nil {
		t.Errorf("background after the demand fell: %v", err)
	}
	cancel()
}

// tryBackground spends a background request when one fits now.
func tryBackground(b *Budget) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clk.Now()
	if b.backgroundWaitLocked(now) != 0 {
		return false
	}
	b.spent = append(b.spent, spend{at: now, p: Background})
	b.lastBackground = now
	return true
}

func TestBackgroundWaitEndsWithContext(t *testing.T) {
	b := New(120, newFakeClock())
	b.Interval(2, time.Second) // 120/min wanted: no room
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- b.Wait(ctx, Background) }()
	cancel()
	if err := <-errc; err == nil {
		t.Error("Wait returned nil after its context ended")
	}
}

func TestParsePerMin(t *testing.T) {
	for in, want := range map[string]int{"120/min": 120, "120": 120, "2/s": 120, "off": 0, "0": 0, " 60/MIN ": 60} {
		if got, err := ParsePerMin(in); err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "fast", "-1", "3/min", "1.5/s"} {
		if _, err := ParsePerMin(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}
