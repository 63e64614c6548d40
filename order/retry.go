package order

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ovhtui/ovhtui/ovhapi"
)

// Waiting rules after a failed call, in one place.
const (
	// MaxRetryAfter caps how long a Retry-After from OVH is honoured: a
	// longer one (an hour, or 999999999 s) is cut to this, and the user is
	// told. OVH's Retry-After is taken as given below it, never compounded
	// with the backoff.
	MaxRetryAfter = time.Minute
	// maxBackoffIntervals caps the backoff of a failing availability poll:
	// after an outage the next poll is at most this many intervals away.
	maxBackoffIntervals = 4
	// maxRefusalBackoff caps the wait before a checkout refused the same
	// way is tried again.
	maxRefusalBackoff = time.Minute
)

// retryAfterCapped returns OVH's Retry-After capped at MaxRetryAfter, and
// what OVH asked for when that was longer (0 otherwise).
func retryAfterCapped(err error) (wait, askedLonger time.Duration) {
	ra := ovhapi.RetryAfterOf(err)
	if ra > MaxRetryAfter {
		return MaxRetryAfter, ra
	}
	return ra, 0
}

// pollDelay is when a plan is polled next after an answer, a pure
// function of the interval, the plan's consecutive failures before this
// answer, and its outcome. fromAnswer reports that the delay counts from
// the answer (a Retry-After) rather than from the start of the poll, and
// fails the plan's new failure count.
//
//   - A normal answer: one interval, fixed rate; failures reset.
//   - Retry-After: honoured as given (capped at MaxRetryAfter), from the
//     answer, not added to any backoff; the failure count is kept.
//   - An unreadable 2xx: OVH is up: one interval; failures reset.
//   - Any other failure: the interval doubled per consecutive failure,
//     capped at maxBackoffIntervals intervals, with up to 10% less jitter.
func pollDelay(poll time.Duration, fails int, err error) (delay time.Duration, fromAnswer bool, newFails int, askedLonger time.Duration) {
	if err == nil {
		return poll, false, 0, 0
	}
	if ra, longer := retryAfterCapped(err); ra > 0 {
		return ra, true, fails, longer
	}
	var ce *ovhapi.CallError
	if errors.As(err, &ce) && ce.Malformed && ce.Status >= 200 && ce.Status <= 299 {
		return poll, false, 0, 0
	}
	fails++
	d := poll
	for i := 1; i < fails && d < maxBackoffIntervals*poll; i++ {
		d *= 2
	}
	d = min(d, maxBackoffIntervals*poll)
	d -= time.Duration(float64(d) * 0.1 * rand.Float64())
	return max(d, poll), false, fails, 0
}

// refusalDelay is how long an entry+DC is not checked out again after its
// n-th consecutive refusal (or a checkout that could not be sent): OVH's
// Retry-After when it gave one (capped), else one interval doubled per
// refusal, capped at maxRefusalBackoff.
func refusalDelay(poll time.Duration, n int, err error) (time.Duration, time.Duration) {
	if ra, longer := retryAfterCapped(err); ra > 0 {
		return ra, longer
	}
	d := poll
	for i := 1; i < n && d < maxRefusalBackoff; i++ {
		d *= 2
	}
	return min(d, maxRefusalBackoff), 0
}

// retryState is the engine's per-plan poll state and per-entry+DC refusal
// count (guarded by its own mutex).
type retryState struct {
	mu       sync.Mutex
	plans    map[string]*planPoll
	refusals map[CartKey]int
	// spreadSet and spreadIv are the plan set and interval the plans'
	// phases were spread for (due spreads them again when they change).
	spreadSet string
	spreadIv  time.Duration
}

// planPoll is the poll state of one planCode.
type planPoll struct {
	next     time.Time // when it is due (wall clock)
	fails    int
	inFlight bool
}

// due marks the plans of want that are due at now as in flight and
// returns them; plans no longer wanted are forgotten. When the set of
// plans or the interval iv changes, the plans are spread evenly over iv
// (spreadPlans).
func (r *retryState) due(want map[string][]string, now time.Time, iv time.Duration) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.plans == nil {
		r.plans = map[string]*planPoll{}
	}
	for p := range r.plans {
		if _, ok := want[p]; !ok && !r.plans[p].inFlight {
			delete(r.plans, p)
		}
	}
	names := sortedKeys(want)
	for _, p := range names {
		if r.plans[p] == nil {
			r.plans[p] = &planPoll{}
		}
	}
	set := strings.Join(names, "\x00")
	if d := iv - r.spreadIv; set != r.spreadSet || d > iv/10 || -d > iv/10 {
		// A new set of plans, or an interval changed by over a tenth:
		// spread them again (a small change keeps the phases).
		r.spreadSet, r.spreadIv = set, iv
		r.spreadPlans(names, now, iv)
	}
	var out []string
	for _, p := range names {
		st := r.plans[p]
		if st.inFlight || now.Before(st.next) {
			continue
		}
		st.inFlight = true
		out = append(out, p)
	}
	return out
}

// spreadPlans gives the plans evenly spaced phases over iv: the one due
// first (a new plan first of all) at now, the next iv/n later, and so on;
// a plan polled before is never polled again within iv/n of its last poll.
// A failing plan keeps its backoff. Right after a change of plans a plan
// may be polled once sooner than iv after its last poll: such a change is
// rare, and the even spread is what keeps the budget.
func (r *retryState) spreadPlans(names []string, now time.Time, iv time.Duration) {
	order := slices.Clone(names)
	sort.SliceStable(order, func(i, j int) bool { return r.plans[order[i]].next.Before(r.plans[order[j]].next) })
	step := iv / time.Duration(max(len(order), 1))
	for i, p := range order {
		st := r.plans[p]
		if st.inFlight || st.fails > 0 && st.next.After(now) {
			continue
		}
		next := now.Add(time.Duration(i) * step)
		if !st.next.IsZero() {
			next = later(next, st.next.Add(-iv+step)) // st.next-iv: its last poll (fixed rate)
		}
		st.next = next
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// answered records the outcome of plan's poll started at start and
// answered at end; it returns what OVH asked for when its Retry-After was
// capped.
func (r *retryState) answered(plan string, poll time.Duration, start, end time.Time, err error) (askedLonger time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.plans[plan]
	if st == nil {
		st = &planPoll{}
		r.plans[plan] = st
	}
	d, fromAnswer, fails, longer := pollDelay(poll, st.fails, err)
	st.inFlight, st.fails = false, fails
	if fromAnswer {
		st.next = end.Add(d)
	} else {
		st.next = start.Add(d)
	}
	return longer
}

// nextDue is the earliest time a plan not in flight is due (zero: none).
func (r *retryState) nextDue() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	var t time.Time
	for _, st := range r.plans {
		if !st.inFlight && (t.IsZero() || st.next.Before(t)) {
			t = st.next
		}
	}
	return t
}

// refused counts a refusal of key and returns how long to wait before the
// next checkout there.
func (r *retryState) refused(key CartKey, poll time.Duration, err error) (wait, askedLonger time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.refusals == nil {
		r.refusals = map[CartKey]int{}
	}
	r.refusals[key]++
	return refusalDelay(poll, r.refusals[key], err)
}

// describeWait is the user-facing note on a capped Retry-After.
func describeWait(wait, askedLonger time.Duration) string {
	return fmt.Sprintf("OVH asked to wait %s; waiting %s instead (Retry-After is capped at %s)", askedLonger, wait, MaxRetryAfter)
}
