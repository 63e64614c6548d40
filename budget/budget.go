// Package budget is ovhtui's one budget of unsigned requests to OVH: the
// availability polls, the re-checks of ready carts and the history sweep
// all draw from it, so that one ovhtui stays a polite user of OVH's API
// from one IP address (other tools report IP bans).
//
// The budget is a number of requests per minute (--budget N/min, default
// DefaultPerMin). It has two priorities:
//
//   - Wanted requests (polls of wanted plans, re-checks of ready carts)
//     never wait on the budget: the poller paces itself with Interval,
//     which stretches each plan's interval when the plans would need more
//     than the budget, and records each request with Spend.
//   - Background requests (the history sweep) get only what wanted
//     traffic leaves: Wait blocks until a background request fits, spread
//     evenly, so the sweep never delays a wanted poll.
//
// A 429 from OVH (TooMany) halves the budget for ThrottleFor; another 429
// meanwhile halves it again (down to MinPerMin) and restarts the period.
//
// Time comes from a Clock, so tests and benchmarks run on a fake one.
package budget

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultPerMin is the default budget: one plan polled every second (60
// a minute) fits with room to spare, and the total stays at 120 a minute.
const DefaultPerMin = 120

// MinPerMin is the smallest budget, configured or halved.
const MinPerMin = 6

// ThrottleFor is how long a 429 halves the budget.
const ThrottleFor = 10 * time.Minute

// Unlimited is the per-minute value of a budget that never limits (New
// with 0): the tests of the engine run unpaced.
const Unlimited = 0

// Priority is what a request is for.
type Priority int

const (
	// Wanted is a request for what the user wants now: an availability
	// poll, the re-check of a ready cart. It never waits on the budget.
	Wanted Priority = iota
	// Background is a request nothing waits for (the history sweep): it
	// gets what wanted requests leave.
	Background
)

// Clock is where the budget reads the time and waits.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// After is time.After.
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Budget is the shared request budget. Its methods are safe for
// concurrent use; a nil *Budget is unlimited.
type Budget struct {
	clk    Clock
	perMin int // configured; 0: unlimited

	mu             sync.Mutex
	halvings       int       // 429s in the current throttle period
	throttledUntil time.Time // zero: not throttled
	spent          []spend   // the last minute's requests, oldest first
	demand         float64   // polls per minute the poller plans (Interval)
	recheckDemand  float64   // re-checks per minute the cart keeper plans (RecheckInterval)
	lastBackground time.Time
	wake           chan struct{} // closed when the budget changes (TooMany, Interval)
}

type spend struct {
	at time.Time
	p  Priority
}

// New returns a budget of perMin requests a minute on clk (nil:
// SystemClock). perMin 0 (Unlimited) never limits; a positive value below
// MinPerMin is raised to it.
func New(perMin int, clk Clock) *Budget {
	if clk == nil {
		clk = SystemClock{}
	}
	if perMin < 0 {
		perMin = 0
	}
	if perMin > 0 && perMin < MinPerMin {
		perMin = MinPerMin
	}
	return &Budget{clk: clk, perMin: perMin, wake: make(chan struct{})}
}

// ParsePerMin reads a --budget value: "120/min", "120" or "2/s" (120 a
// minute). "0" and "off" mean unlimited.
func ParsePerMin(s string) (int, error) {
	t := strings.TrimSpace(strings.ToLower(s))
	if t == "off" || t == "none" || t == "unlimited" {
		return Unlimited, nil
	}
	mult := 1
	switch {
	case strings.HasSuffix(t, "/min"):
		t = strings.TrimSuffix(t, "/min")
	case strings.HasSuffix(t, "/m"):
		t = strings.TrimSuffix(t, "/m")
	case strings.HasSuffix(t, "/s"):
		t, mult = strings.TrimSuffix(t, "/s"), 60
	}
	n, err := strconv.Atoi(strings.TrimSpace(t))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("budget %q: want a number of requests per minute, like 120/min", s)
	}
	if n > 0 && n*mult < MinPerMin {
		return 0, fmt.Errorf("budget %q: at least %d/min", s, MinPerMin)
	}
	return n * mult, nil
}

// State is the budget as the UI shows it.
type State struct {
	// PerMin is the configured budget (0: unlimited); Effective what
	// applies now (PerMin, halved per 429 while throttled).
	PerMin, Effective int
	// ThrottledUntil is when the halving ends (zero: not throttled).
	ThrottledUntil time.Time
}

// Throttled reports that a 429 halved the budget.
func (s State) Throttled() bool { return !s.ThrottledUntil.IsZero() }

// State returns the budget now.
func (b *Budget) State() State {
	if b == nil {
		return State{}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return State{PerMin: b.perMin, Effective: b.effectiveLocked(), ThrottledUntil: b.throttledUntil}
}

// effectiveLocked is the budget now, ending a throttle period that is over.
func (b *Budget) effectiveLocked() int {
	if b.perMin == 0 {
		return 0
	}
	if !b.throttledUntil.IsZero() && !b.clk.Now().Before(b.throttledUntil) {
		b.throttledUntil, b.halvings = time.Time{}, 0
	}
	n := b.perMin
	for range b.halvings {
		n /= 2
	}
	return max(n, MinPerMin)
}

// Interval is how often each of plans plans can be polled: poll, or longer
// when plans polls every poll would exceed the budget (plans a minute
// spread over the budget). The poller calls it on every cycle: it also
// records the wanted demand that background requests must leave room for.
func (b *Budget) Interval(plans int, poll time.Duration) time.Duration {
	return b.interval(plans, poll, true)
}

func (b *Budget) interval(plans int, poll time.Duration, record bool) time.Duration {
	if b == nil || plans <= 0 {
		return poll
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	iv := poll
	if eff := b.effectiveLocked(); eff > 0 {
		// Polls get what the re-checks of ready carts leave, and at
		// least half the budget.
		room := max(float64(eff)-b.recheckDemand, float64(eff)/2)
		need := time.Duration(float64(plans) * float64(time.Minute) / room)
		need = (need + 100*time.Millisecond - 1).Truncate(100 * time.Millisecond) // 1.5s, 2.9s: said plainly
		iv = max(iv, need)
	}
	if d := float64(plans) * float64(time.Minute) / float64(iv); record && d != b.demand {
		b.demand = d
		b.changedLocked()
	}
	return iv
}

// RecheckInterval is how often each of carts ready carts can be
// re-checked (its price read again): every, stretched so that re-checks
// use at most half the budget, and never longer than most (the age past
// which a price is no longer trusted). The cart keeper calls it before
// each re-check; polls get what re-checks leave (Interval). Beyond
// half the budget in carts (60 ready carts at 120/min) the re-checks keep
// every price fresh and the total exceeds the budget.
func (b *Budget) RecheckInterval(carts int, every, most time.Duration) time.Duration {
	if b == nil || carts <= 0 {
		return every
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	iv := every
	if eff := b.effectiveLocked(); eff > 0 {
		need := time.Duration(float64(carts) * float64(time.Minute) / (float64(eff) / 2))
		iv = min(max(iv, need.Truncate(time.Millisecond)), max(most, every))
	}
	if d := float64(carts) * float64(time.Minute) / float64(iv); d != b.recheckDemand {
		b.recheckDemand = d
		b.changedLocked()
	}
	return iv
}

// Describe is the line the header and the headless start line show, e.g.
// "3 plans, budget 120/min: each polled every 1.5s".
func (b *Budget) Describe(plans int, poll time.Duration) string {
	iv := b.interval(plans, poll, false)
	st := b.State()
	what := "1 plan"
	if plans != 1 {
		what = strconv.Itoa(plans) + " plans"
	}
	if st.PerMin == 0 {
		return fmt.Sprintf("%s, no request budget: each polled every %s", what, iv)
	}
	each := "each polled every " + iv.String()
	if plans == 1 {
		each = "polled every " + iv.String()
	}
	if st.Throttled() {
		return fmt.Sprintf("%s, budget %d/min (halved from %d/min after OVH answered 429, until %s): %s",
			what, st.Effective, st.PerMin, st.ThrottledUntil.Local().Format("15:04"), each)
	}
	return fmt.Sprintf("%s, budget %d/min: %s", what, st.Effective, each)
}

// Spend records one request of priority p sent now. It never waits:
// wanted requests are paced by Interval, background ones by Wait.
func (b *Budget) Spend(p Priority) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clk.Now()
	b.trimLocked(now)
	b.spent = append(b.spent, spend{at: now, p: p})
	if p == Background {
		b.lastBackground = now
	}
}

func (b *Budget) trimLocked(now time.Time) {
	cut := 0
	for cut < len(b.spent) && !b.spent[cut].at.After(now.Add(-time.Minute)) {
		cut++
	}
	b.spent = b.spent[cut:]
}

// LastMinute is how many requests were spent in the last minute.
func (b *Budget) LastMinute() int {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.trimLocked(b.clk.Now())
	return len(b.spent)
}

// backgroundWaitLocked is how long until one background request fits
// (0: now; -1: not while the budget stays as it is).
func (b *Budget) backgroundWaitLocked(now time.Time) time.Duration {
	eff := b.effectiveLocked()
	if eff == 0 {
		return 0
	}
	room := float64(eff) - b.demand - b.recheckDemand
	if room < 1 {
		return -1
	}
	gap := time.Duration(float64(time.Minute) / room)
	var wait time.Duration
	if !b.lastBackground.IsZero() {
		wait = b.lastBackground.Add(gap).Sub(now)
	}
	b.trimLocked(now)
	if len(b.spent) >= eff {
		wait = max(wait, b.spent[0].at.Add(time.Minute).Sub(now))
	}
	return max(wait, 0)
}

// Wait waits until a request of priority p fits the budget, then spends
// it. A Wanted request never waits. A Background request waits for the
// room wanted requests leave (the budget minus the plans' demand), one at
// a time, spread evenly over the minute; it returns ctx's error if ctx
// ends first.
func (b *Budget) Wait(ctx context.Context, p Priority) error {
	if b == nil || p == Wanted {
		b.Spend(p)
		return ctx.Err()
	}
	for {
		b.mu.Lock()
		now := b.clk.Now()
		wait := b.backgroundWaitLocked(now)
		if wait == 0 {
			b.spent = append(b.spent, spend{at: now, p: p})
			b.lastBackground = now
			b.mu.Unlock()
			return nil
		}
		wake := b.wake
		b.mu.Unlock()
		var timer <-chan time.Time
		if wait > 0 {
			timer = b.clk.After(wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
		case <-timer:
		}
	}
}

// TooMany records a 429 from OVH: the budget is halved (again, when it
// already was) until ThrottleFor from now. It returns the new state.
func (b *Budget) TooMany() State {
	if b == nil {
		return State{}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.perMin > 0 {
		b.effectiveLocked() // ends a period that is over
		if b.effectiveLocked() > MinPerMin {
			b.halvings++
		}
		b.throttledUntil = b.clk.Now().Add(ThrottleFor)
		b.changedLocked()
	}
	return State{PerMin: b.perMin, Effective: b.effectiveLocked(), ThrottledUntil: b.throttledUntil}
}

func (b *Budget) changedLocked() {
	close(b.wake)
	b.wake = make(chan struct{})
}
