package order

import (
	"context"
	"log/slog"

	"sort"
	"sync"
	"time"

	"github.com/ovhtui/ovhtui/ovhapi"
)

// pollLoop polls availability, each wanted planCode on its own: a plan is
// polled every interval (fixed rate, from the start of one poll to the
// start of the next) while OVH answers normally, and backs off on its own
// when it fails (pollDelay). The interval is e.poll, stretched when the
// plans would need more than the request budget (pacing.go), and the
// plans' polls are spread evenly over it, not sent in a burst (retryState.due).
// Each answer is recorded and decided on as it arrives, so neither a
// failing nor a slow plan delays another's checkout. At least every e.poll
// the loop also picks up edits of the preferences.
func (e *Engine) pollLoop(ctx context.Context) {
	for {
		start := time.Now()
		e.refreshPrefs()
		plans := e.wantedPlans()
		iv := e.pacing(len(plans))
		done := e.startDuePolls(ctx, plans, start, iv)
		tick := time.NewTimer(e.poll)
		// Wait for this cycle's answers, but never past the next tick: a
		// slow plan keeps going on its own and is skipped until it answers.
		select {
		case <-ctx.Done():
			tick.Stop()
			return
		case <-done:
		case <-tick.C:
		}
		e.evaluate(ctx) // decisions that need no new answer (a cooldown over)
		e.checkJournal()
		e.checkIdle()
		if e.cycleHook != nil {
			e.cycleHook()
		}
		wake := start.Add(e.poll)
		if t := e.retry.nextDue(); !t.IsZero() && t.Before(wake) {
			wake = t
		}
		tick.Reset(max(time.Until(wake), 0))
		select {
		case <-ctx.Done():
			tick.Stop()
			return
		case <-tick.C:
		}
	}
}

// refreshPrefs picks up external edits of the file, and changes other
// users of the store (the TUI) saved.
func (e *Engine) refreshPrefs() {
	if _, err := e.store.Refresh(); err != nil {
		e.reloadFailed(err) // once, then counted
	} else {
		e.reloaded()
	}
	e.saveUnsaved()
	e.reload()      // an edit wakes the cart keeper
	e.syncJournal() // ids, and what an old copy of the file lost (journal.go)
}

// startDuePolls polls every plan that is due at the cycle's start, each in
// its own goroutine, and returns a channel closed once they all answered.
func (e *Engine) startDuePolls(ctx context.Context, plans map[string][]string, cycle time.Time, iv time.Duration) <-chan struct{} {
	done := make(chan struct{})
	due := e.retry.due(plans, cycle, iv)
	if len(due) == 0 {
		close(done)
		return done
	}
	var wg sync.WaitGroup
	for _, plan := range due {
		wg.Add(1)
		e.goTracked(func() {
			defer wg.Done()
			e.pollPlan(ctx, plan, plans[plan], cycle, iv)
		})
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	return done
}

// pollPlan polls one planCode, records its answer and decides at once.
// Its fixed-rate schedule counts from the start of the cycle that
// launched it, so the plan is due again exactly when the loop wakes.
func (e *Engine) pollPlan(ctx context.Context, plan string, dcs []string, cycle time.Time, iv time.Duration) {
	start := time.Now()
	e.spendUnsigned()
	items, err := e.api.Availability(ctx, plan, dcs)
	end, seen := time.Now(), e.now()
	if ctx.Err() != nil {
		e.retry.answered(plan, iv, cycle, end, nil)
		return
	}
	longer := e.retry.answered(plan, iv, cycle, end, err)
	if err != nil {
		e.tooMany(err)
		ra := ovhapi.RetryAfterOf(err)
		e.emit(APIError{Base: e.base("", ""), Call: "GET /dedicated/server/datacenter/availabilities?planCode=" + plan, Err: err.Error(), RetryAfter: ra, Class: ErrorClass(err)})
		if longer > 0 {
			e.emit(Info{Base: e.base("", ""), Sev: slog.LevelWarn, Text: "availability of " + plan + ": " + describeWait(MaxRetryAfter, longer)})
		}
		return
	}
	vals := map[AvailKey]string{}
	for _, it := range items {
		for _, d := range it.Datacenters {
			vals[AvailKey{FQN: it.FQN, DC: d.Datacenter}] = d.Availability
		}
	}
	e.recordAvailability(map[string]map[AvailKey]string{plan: vals})
	e.emit(PollOK{Base: e.base("", ""), Plan: plan, Duration: end.Sub(start), Entries: len(items)})
	e.evaluate(ctx)
	// After the decision: history listeners cost a checkout nothing.
	e.emit(AvailabilitySeen{Base: Base{Time: seen}, Subsidiary: e.subsidiary(), PlanCode: plan, DCs: dcs, Items: items})
}

// wantedPlans maps each planCode some watched entry wants to the union of
// its DCs, sorted.
func (e *Engine) wantedPlans() map[string][]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	sets := map[string]map[string]bool{}
	if e.file == nil {
		return nil
	}
	for _, s := range e.file.Servers {
		if !Wanted(s) || s.PlanCode == "" {
			continue
		}
		if _, bad := e.blocked[s.Key()]; bad {
			continue
		}
		if sets[s.PlanCode] == nil {
			sets[s.PlanCode] = map[string]bool{}
		}
		for _, dc := range s.DCNames() {
			sets[s.PlanCode][dc] = true
		}
	}
	out := make(map[string][]string, len(sets))
	for plan, set := range sets {
		dcs := make([]string, 0, len(set))
		for dc := range set {
			dcs = append(dcs, dc)
		}
		sort.Strings(dcs)
		out[plan] = dcs
	}
	return out
}

// recordAvailability stores the values of the polled plans for every
// watched entry and emits AvailabilityChanged per entry and DC that changed.
// A value absent from a successful answer is "" (not orderable).
func (e *Engine) recordAvailability(byPlan map[string]map[AvailKey]string) {
	type change struct {
		ev AvailabilityChanged
	}
	var changes []change
	e.mu.Lock()
	if e.file != nil {
		next := map[AvailKey]string{}
		for _, s := range e.file.Servers {
			vals, ok := byPlan[s.PlanCode]
			if !ok || !Wanted(s) {
				continue
			}
			for _, dc := range s.DCNames() {
				k := AvailKey{FQN: s.FQN, DC: dc}
				nv := vals[k]
				next[k] = nv
				if old := e.avail[k]; old != nv {
					changes = append(changes, change{AvailabilityChanged{
						Base: Base{Time: e.now(), Entry: s.Key(), DC: dc}, FQN: s.FQN, Old: old, New: nv,
						Orderable: Orderable(nv, s.MaxDelivery()),
					}})
				}
			}
		}
		for k, v := range next {
			e.avail[k] = v
			e.availAt[k] = e.now()
		}
	}
	e.mu.Unlock()
	for _, c := range changes {
		e.emit(c.ev)
	}
}
