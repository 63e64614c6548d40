package order

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ovhtui/ovhtui/prefs"
)

// reconcileClockSkew widens the /me/order lookup before the attempt: the
// local clock and OVH's may differ.
const reconcileClockSkew = 10 * time.Minute

// reconcileRetries are the delays of further lookups when the first finds
// nothing (OVH may list a fresh order late).
var reconcileRetries = []time.Duration{30 * time.Second, 2 * time.Minute}

// reconcile looks up the order of an entry latched without an order id and
// records it if found. Otherwise the entry needs the user's decision, and
// a few later lookups run in the background while the engine runs (OVH may
// list a fresh order late).
func (e *Engine) reconcile(ctx context.Context, key string) {
	e.setEntryStatus(key, StatusNeedsDecision, "looking the order up in /me/order")
	found, done, err := e.reconcileOnce(ctx, key)
	if found || done {
		return
	}
	e.needsDecision(key, reconcileReason(err)+"; looking again shortly")
	e.goTracked(func() { e.reconcileLater(key) })
}

func reconcileReason(err error) string {
	if err != nil {
		return "the checkout outcome is unknown and /me/order could not be read: " + err.Error()
	}
	return "the checkout outcome is unknown and no matching order was found in /me/order"
}

// reconcileLater retries the lookup after each of reconcileRetries.
func (e *Engine) reconcileLater(key string) {
	e.mu.Lock()
	rc := e.runCtx
	e.mu.Unlock()
	if rc == nil {
		return
	}
	var err error
	for _, d := range reconcileRetries {
		t := time.NewTimer(d)
		select {
		case <-rc.Done():
			t.Stop()
			return
		case <-t.C:
		}
		var found, done bool
		found, done, err = e.reconcileOnce(rc, key)
		if found || done {
			return
		}
	}
	e.needsDecision(key, reconcileReason(err)+"; re-arm it to order again, or leave it")
}

func (e *Engine) needsDecision(key, reason string) {
	e.emit(NeedsDecision{Base: e.base(key, ""), Reason: reason})
	e.setEntryStatus(key, StatusNeedsDecision, reason)
	e.checkIdle()
}

// reconcileOnce does one lookup. done reports that nothing is left to
// reconcile (the entry is gone, re-armed or already has its order).
func (e *Engine) reconcileOnce(ctx context.Context, key string) (found, done bool, err error) {
	f := e.store.Snapshot()
	i := f.Find(key)
	if i < 0 || !f.Servers[i].OrderAttempted || f.Servers[i].OrderID != 0 {
		return false, true, nil
	}
	s := f.Servers[i]
	now := e.now()
	from := s.OrderAttemptedAt.Add(-reconcileClockSkew)
	if s.OrderAttemptedAt.IsZero() {
		from = now.AddDate(0, 0, -7)
	}
	ids, err := e.api.MyOrders(ctx, from, now.Add(time.Minute))
	if err != nil {
		e.emit(APIError{Base: e.base(key, s.OrderAttemptedIn), Call: "GET /me/order", Err: err.Error(), RetryAfter: RetryAfterOf(err)})
		return false, false, err
	}
	taken := map[int64]bool{}
	for _, o := range f.Servers {
		if o.OrderID != 0 {
			taken[o.OrderID] = true
		}
	}
	// Newest first.
	slices.Sort(ids)
	slices.Reverse(ids)
	for _, id := range ids {
		if taken[id] {
			continue
		}
		items, err := e.api.MyOrderItems(ctx, id)
		if err != nil {
			e.emit(APIError{Base: e.base(key, s.OrderAttemptedIn), Call: "GET /me/order/{id}/details", Err: err.Error()})
			return false, false, err
		}
		if !slices.ContainsFunc(items, func(it OrderItem) bool { return orderMatches(it, s) }) {
			continue
		}
		o, err := e.api.MyOrder(ctx, id)
		if err != nil {
			e.emit(APIError{Base: e.base(key, s.OrderAttemptedIn), Call: "GET /me/order/{id}", Err: err.Error()})
			return false, false, err
		}
		e.recordOrder(ctx, key, s.OrderAttemptedIn, id, o.URL, o.PriceWithoutTax.Money(), s, true)
		return true, true, nil
	}
	return false, false, nil
}

// orderMatches reports whether an ordered item is what the latched entry
// attempted: same plan, same DC, same addons, same quantity (when known).
// Never by date alone.
func orderMatches(it OrderItem, s prefs.Server) bool {
	if it.PlanCode != s.PlanCode {
		return false
	}
	if dc, ok := it.Configurations[labelDatacenter]; !ok || dc != s.OrderAttemptedIn {
		return false
	}
	if s.OrderAttemptedQty > 0 && it.Quantity > 0 && it.Quantity != s.OrderAttemptedQty {
		return false
	}
	got := slices.Clone(it.Addons)
	want := slices.Clone(s.AddonPlanCodes)
	slices.Sort(got)
	slices.Sort(want)
	return slices.Equal(got, want)
}

// describeLatch is a one-line summary of an entry's latch for messages.
func describeLatch(s prefs.Server) string {
	return fmt.Sprintf("checkout of cart %s in %s at %s", s.OrderAttemptedCart, s.OrderAttemptedIn, s.OrderAttemptedAt.UTC().Format(time.RFC3339))
}
