package order

import (
	"context"
	"log/slog"

	"github.com/ovhtui/ovhtui/prefs"
	"sort"
	"sync"
	"time"
)

// pollLoop polls availability every e.poll (fixed rate: the interval is
// measured from the start of one poll to the start of the next), backing off
// with jitter on errors and honouring Retry-After.
func (e *Engine) pollLoop(ctx context.Context) {
	for {
		start := time.Now()
		delay, fromNow := e.pollOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		e.evaluate(ctx)
		e.checkIdle()
		if e.cycleHook != nil {
			e.cycleHook()
		}
		wait := delay
		if !fromNow {
			wait -= time.Since(start)
		}
		if wait < 0 {
			wait = 0
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
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

// pollOnce refreshes the preferences, polls every wanted planCode (one
// filtered request each, in parallel) and records the changes. It returns
// the delay before the next poll, counted from the start of this poll, or
// from now when fromNow (a Retry-After counts from OVH's answer).
func (e *Engine) pollOnce(ctx context.Context) (delay time.Duration, fromNow bool) {
	// Pick up external edits of the file, and changes other users of the
	// store (the TUI) saved.
	if _, err := e.store.Refresh(); err != nil {
		e.emit(Info{Base: e.base("", ""), Text: "preferences not reloaded: " + err.Error(), Sev: slog.LevelError})
	}
	if e.reload() {
		e.rearmFromFile()
		e.wakeKeeper()
	}
	plans := e.wantedPlans()
	if len(plans) == 0 {
		return e.poll, false
	}
	type result struct {
		plan  string
		items []Availability
		err   error
	}
	started := time.Now()
	results := make([]result, 0, len(plans))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for plan, dcs := range plans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			items, err := e.api.Availability(ctx, plan, dcs)
			mu.Lock()
			results = append(results, result{plan, items, err})
			mu.Unlock()
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return 0, false
	}
	took := time.Since(started)

	var retryAfter time.Duration
	failed := false
	okPlans := map[string]map[AvailKey]string{}
	count := 0
	for _, r := range results {
		if r.err != nil {
			failed = true
			ra := RetryAfterOf(r.err)
			if ra > retryAfter {
				retryAfter = ra
			}
			e.emit(APIError{Base: e.base("", ""), Call: "GET /dedicated/server/datacenter/availabilities?planCode=" + r.plan, Err: r.err.Error(), RetryAfter: ra})
			continue
		}
		vals := map[AvailKey]string{}
		for _, it := range r.items {
			for _, d := range it.Datacenters {
				vals[AvailKey{FQN: it.FQN, DC: d.Datacenter}] = d.Availability
			}
		}
		count += len(r.items)
		okPlans[r.plan] = vals
	}
	e.recordAvailability(okPlans)

	e.mu.Lock()
	if failed {
		e.pollFails++
	} else {
		e.pollFails = 0
	}
	fails := e.pollFails
	e.mu.Unlock()
	if !failed {
		e.emit(PollOK{Base: e.base("", ""), Duration: took, Entries: count})
	}
	if fails > 0 {
		return backoff(e.poll, 2*time.Minute, fails, retryAfter), retryAfter > 0
	}
	return e.poll, false
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
		}
	}
	e.mu.Unlock()
	for _, c := range changes {
		e.emit(c.ev)
	}
}

// rearmFromFile handles a latch the user released by editing the file:
// order_attempted false while order_attempted_qty still says what the latch
// took (the engine zeroes it whenever it releases a latch itself). qty is
// restored from it, as the UI's re-arm does.
func (e *Engine) rearmFromFile() {
	f := e.snapshot()
	var keys []string
	for _, s := range f.Servers {
		// Not while its order is being looked up: the lookup may still
		// find it (re-armed once the lookup is over).
		if !s.OrderAttempted && s.OrderAttemptedQty > 0 && s.Qty == 0 && s.OrderID == 0 && !e.lookingUp(s.Key()) {
			keys = append(keys, s.Key())
		}
	}
	for _, key := range keys {
		err := e.update("re-armed in the file: "+key, func(f *prefs.File) error {
			i := f.Find(key)
			if i < 0 {
				return errNoEntry
			}
			s := &f.Servers[i]
			if s.OrderAttempted || s.OrderAttemptedQty <= 0 || s.Qty != 0 || s.OrderID != 0 {
				return errStale
			}
			s.Qty = s.OrderAttemptedQty
			clearLatch(s)
			return nil
		})
		if err == nil {
			e.emit(Info{Base: e.base(key, ""), Sev: slog.LevelWarn, Text: "re-armed: order_attempted set to false in the file"})
			e.setEntryStatus(key, StatusWatching, "re-armed in the file")
		}
	}
}
