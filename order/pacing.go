package order

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/ovhtui/ovhtui/budget"
	"github.com/ovhtui/ovhtui/ovhapi"
)

// PollPacing says how the wanted plans are polled within the request
// budget (Config.Budget): emitted at start and whenever the number of
// plans, the interval each gets or the budget (a 429 halving it, the
// halving ending) changes. Text is the line the header and the headless
// start line show, e.g. "3 plans, budget 120/min: each polled every 1.5s".
type PollPacing struct {
	Base
	Plans int
	// Poll is the configured interval, Interval what each plan gets (Poll,
	// or longer when the plans need more than the budget).
	Poll, Interval time.Duration
	Budget         budget.State
	Text           string
}

// Level implements Event: a warning when a 429 halved the budget.
func (e PollPacing) Level() slog.Level {
	if e.Budget.Throttled() {
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// Message implements Event.
func (e PollPacing) Message() string { return e.Text }

// Attrs implements Event.
func (e PollPacing) Attrs() []slog.Attr {
	return e.attrs(slog.Int("plans", e.Plans), slog.Duration("interval", e.Interval),
		slog.Int("budget_per_min", e.Budget.Effective), slog.Bool("throttled", e.Budget.Throttled()))
}

// pacing is the interval each of plans wanted plans gets now; it emits
// PollPacing when that, or the budget, changed since the last call.
func (e *Engine) pacing(plans int) time.Duration {
	iv := e.cfg.Budget.Interval(plans, e.poll)
	st := e.cfg.Budget.State()
	e.pacingMu.Lock()
	same := e.lastPacing.Plans == plans && e.lastPacing.Interval == iv && e.lastPacing.Budget == st && e.lastPacing.Poll == e.poll
	if !same {
		e.lastPacing = PollPacing{Base: e.base("", ""), Plans: plans, Poll: e.poll, Interval: iv, Budget: st,
			Text: e.cfg.Budget.Describe(plans, e.poll)}
	}
	ev := e.lastPacing
	e.pacingMu.Unlock()
	if !same {
		e.emit(ev)
	}
	return iv
}

// Pacing returns the last PollPacing the engine emitted (zero before the
// first poll cycle).
func (e *Engine) Pacing() PollPacing {
	e.pacingMu.Lock()
	defer e.pacingMu.Unlock()
	return e.lastPacing
}

// availFreshFor is how old an availability value may be and still count
// as current (DCView.AvailOld): two of the intervals each plan is polled
// at, so one late or failed poll is not yet "old", the second is.
func (e *Engine) availFreshFor() time.Duration {
	iv := e.Pacing().Interval
	return 2 * max(iv, e.poll)
}

// spendUnsigned records one unsigned request for what the user wants now
// (a poll, the re-check of a ready cart) in the budget.
func (e *Engine) spendUnsigned() { e.cfg.Budget.Spend(budget.Wanted) }

// recheckEvery is how often a ready cart's price is read again: every
// e.revalidateEvery, stretched within the request budget (never past
// MaxValidationAge, when a price stops being trusted).
func (e *Engine) recheckEvery() time.Duration {
	e.mu.Lock()
	carts := 0
	for _, c := range e.carts {
		if c.CartID != "" {
			carts++
		}
	}
	e.mu.Unlock()
	return e.cfg.Budget.RecheckInterval(carts, e.revalidateEvery, MaxValidationAge)
}

// tooMany tells the budget about a 429 answer to an unsigned request.
func (e *Engine) tooMany(err error) {
	var ce *ovhapi.CallError
	if errors.As(err, &ce) && ce.Status == http.StatusTooManyRequests {
		e.cfg.Budget.TooMany()
	}
}
