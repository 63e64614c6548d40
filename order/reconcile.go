package order

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ovhtui/ovhtui/gate"
	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// reconcileMargin widens the /me/order lookup before the attempt, on
// OVH's clock: the latch time is converted to OVH's time with the delta
// read from /auth/time, and OVH dates the order after the latch.
const reconcileMargin = 5 * time.Minute

// DefaultLookUpRetries are the delays of further lookups when the first
// finds nothing (OVH may list a fresh order late; how late is uncertain):
// 10 s, then 40 s. --headless waits for them before it exits.
func DefaultLookUpRetries() []time.Duration {
	return []time.Duration{10 * time.Second, 40 * time.Second}
}

// reconcile looks up the order of an entry latched without an order id and
// records it if found. Otherwise the entry needs the user's decision, and
// a few later lookups run in the background while the engine runs (OVH may
// list a fresh order late). The entry counts as having a lookup pending
// until the last of them is done: meanwhile it cannot be re-armed and
// ExitWhenIdle waits.
func (e *Engine) reconcile(ctx context.Context, key string) {
	e.lookupPending(key, true)
	e.setEntryStatus(key, StatusNeedsDecision, "looking the order up in /me/order")
	found, done, err := e.reconcileOnce(ctx, key)
	if found || done {
		e.lookupPending(key, false)
		return
	}
	e.needsDecision(key, reconcileReason(err)+"; looking again shortly")
	e.goTracked(func() {
		defer e.lookupPending(key, false)
		e.reconcileLater(key)
	})
}

// lookupPending marks (or clears) a pending /me/order lookup of key.
func (e *Engine) lookupPending(key string, on bool) {
	e.mu.Lock()
	if e.lookups == nil {
		e.lookups = map[string]int{}
	}
	if on {
		e.lookups[key]++
	} else if e.lookups[key]--; e.lookups[key] <= 0 {
		delete(e.lookups, key)
	}
	e.mu.Unlock()
	if !on {
		e.checkIdle()
	}
}

// lookingUp reports a pending /me/order lookup of key.
func (e *Engine) lookingUp(key string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lookups[key] > 0
}

func reconcileReason(err error) string {
	var pe *gate.PendingError
	if errors.As(err, &pe) && pe.Err == nil {
		err = nil
	}
	if err != nil {
		return "the checkout outcome is unknown and /me/order could not be read: " + err.Error()
	}
	return "the checkout outcome is unknown and no matching order was found in /me/order"
}

// reconcileLater retries the lookup after each of the retry delays.
func (e *Engine) reconcileLater(key string) {
	e.mu.Lock()
	rc := e.runCtx
	retries := e.reconcileRetries
	e.mu.Unlock()
	if rc == nil {
		return
	}
	if retries == nil {
		retries = DefaultLookUpRetries()
	}
	var err error
	for _, d := range retries {
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
// reconcile (the entry is gone, re-armed or already has its order, or the
// journal shows its checkout did not buy). A checkout the journal has
// pending is looked up through the gate, from the journaled intent (what
// was sent, not what the file says now); a latch the journal knows
// nothing of (written by an ovhtui without a journal) from the file's
// latch. An order whose details cannot be read does not stop the lookup:
// the others are still read, and the error is returned only if nothing
// matched.
func (e *Engine) reconcileOnce(ctx context.Context, key string) (found, done bool, err error) {
	f := e.store.Snapshot()
	i := f.Find(key)
	if (i < 0 || !f.Servers[i].OrderAttempted) && e.journalAttempted(key) {
		// An old copy of the file dropped the latch: the journal puts it back.
		e.syncJournal()
		f = e.store.Snapshot()
		i = f.Find(key)
	}
	if i < 0 || !f.Servers[i].OrderAttempted || f.Servers[i].OrderID != 0 {
		return false, true, nil
	}
	s := f.Servers[i]
	es := e.journalEntry(key)
	switch {
	case es.Phase() == journal.PhaseAttempted:
		res, err := e.gate.Settle(ctx, gate.Target{Kind: journal.KindCheckout, Entry: key}, e.lookUpCheckout)
		if err != nil {
			return false, false, err
		}
		if res.Succeeded() {
			dc := res.Intent.DC
			price := money.Amount{Ucents: res.AmountUcents, Currency: res.Currency}
			e.recordOrder(ctx, key, dc, res.OrderID, res.URL, price, s, true, res.Intent.Proc != e.gate.Proc(), true)
			return true, true, nil
		}
		return false, false, nil
	case es.Phase() == journal.PhaseOrdered:
		e.syncJournal() // the journal's order goes back into the file
		return false, true, nil
	case es != nil && es.Intent != nil && es.Outcome != nil:
		// Every checkout leaves with its intent journaled first: the last
		// one is settled as not buying, so this latch bought nothing
		// (killed while rebuilding a gone cart, or a latch whose checkout
		// was never sent).
		e.release(key, s.OrderAttemptedIn, s.OrderAttemptedCart, s.OrderAttemptedQty,
			fmt.Sprintf("the journal records the last checkout as %s and none after it: nothing was bought; watching again", es.Outcome.Result), false)
		return false, true, nil
	}
	return e.reconcileByLatch(ctx, key, s)
}

// journalEntry returns a copy of what the journal says of entry key (nil
// when nothing).
func (e *Engine) journalEntry(key string) *journal.EntryState {
	e.jmu.Lock()
	defer e.jmu.Unlock()
	es := e.jstate.Entry(key)
	if es == nil {
		return nil
	}
	c := *es
	return &c
}

// lookUpCheckout searches /me/order for the order a checkout intent made:
// from the intent's time on OVH's clock (less a margin), an order not
// given to another entry whose details are what the intent sent (plan,
// DC, quantity, addons). It is the gate's LookUp for checkouts.
func (e *Engine) lookUpCheckout(ctx context.Context, intent journal.Record) (gate.Answer, bool, error) {
	ovhNow, err := e.gate.OVHNow(ctx)
	if err != nil {
		e.emit(APIError{Base: e.base(intent.Entry, intent.DC), Call: "GET /auth/time", Err: err.Error(), RetryAfter: ovhapi.RetryAfterOf(err)})
		return gate.Answer{}, false, err
	}
	from := intent.OVHTime
	if from.IsZero() {
		from = intent.Time.Add(ovhNow.Sub(e.now()))
	}
	want := sentOrder{plan: intent.PlanCode, dc: intent.DC, qty: intent.Qty, addons: intent.Addons}
	id, o, err := e.findOrder(ctx, intent.Entry, want, from.Add(-reconcileMargin), ovhNow.Add(time.Minute))
	if err != nil || id == 0 {
		return gate.Answer{}, false, err
	}
	p := o.PriceWithoutTax.Money()
	return gate.Answer{Result: journal.ResultOrdered, OrderID: id, URL: o.URL, AmountUcents: p.Ucents, Currency: p.Currency}, true, nil
}

// sentOrder is what a checkout sent, to recognise its order by.
type sentOrder struct {
	plan, dc string
	qty      int
	addons   []string
}

// findOrder returns the newest order of the account between from and to
// (OVH's clock) that is want and not another entry's; 0 when none.
func (e *Engine) findOrder(ctx context.Context, key string, want sentOrder, from, to time.Time) (int64, ovhapi.MyOrder, error) {
	ids, err := e.api.MyOrders(ctx, from, to)
	if err != nil {
		e.emit(APIError{Base: e.base(key, want.dc), Call: "GET /me/order", Err: err.Error(), RetryAfter: ovhapi.RetryAfterOf(err)})
		return 0, ovhapi.MyOrder{}, err
	}
	taken := map[int64]bool{}
	for _, o := range e.store.Snapshot().Servers {
		if o.OrderID != 0 {
			taken[o.OrderID] = true
		}
	}
	// Newest first.
	slices.Sort(ids)
	slices.Reverse(ids)
	var readErr error
	for _, id := range ids {
		if owner, ok := e.journalOrderOwner(id); taken[id] || ok && owner != key {
			continue
		}
		items, err := e.api.MyOrderItems(ctx, id)
		if err != nil {
			e.emit(APIError{Base: e.base(key, want.dc), Call: "GET /me/order/{id}/details", Err: fmt.Sprintf("order %d: %v", id, err)})
			readErr = err
			continue
		}
		if !orderMatches(items, want) {
			continue
		}
		o, err := e.api.MyOrder(ctx, id)
		if err != nil {
			e.emit(APIError{Base: e.base(key, want.dc), Call: "GET /me/order/{id}", Err: err.Error()})
			return 0, ovhapi.MyOrder{}, err
		}
		return id, o, nil
	}
	return 0, ovhapi.MyOrder{}, readErr
}

// reconcileByLatch looks the order of a latch the journal knows nothing of
// up from the file's latch.
func (e *Engine) reconcileByLatch(ctx context.Context, key string, s prefs.Server) (found, done bool, err error) {
	// The window is on OVH's clock: the local one may be off.
	ovhNow, err := e.api.ServerTime(ctx)
	if err != nil {
		e.emit(APIError{Base: e.base(key, s.OrderAttemptedIn), Call: "GET /auth/time", Err: err.Error(), RetryAfter: ovhapi.RetryAfterOf(err)})
		return false, false, err
	}
	delta := ovhNow.Sub(e.now())
	from := s.OrderAttemptedAt.Add(delta - reconcileMargin)
	if s.OrderAttemptedAt.IsZero() {
		from = ovhNow.AddDate(0, 0, -7)
	}
	want := sentOrder{plan: s.PlanCode, dc: s.OrderAttemptedIn, qty: s.OrderAttemptedQty, addons: s.AddonPlanCodes}
	id, o, err := e.findOrder(ctx, key, want, from, ovhNow.Add(time.Minute))
	if err != nil || id == 0 {
		return false, false, err
	}
	e.recordOrder(ctx, key, s.OrderAttemptedIn, id, o.URL, o.PriceWithoutTax.Money(), s, true, true, false)
	return true, true, nil
}

// orderMatches reports whether an order, given as its flat details, is
// what a checkout sent: one detail is the eco plan in the DC with the
// quantity sent (when both are known), and the order's plan codes include
// every addon sent. Never by date alone.
func orderMatches(items []ovhapi.OrderItem, s sentOrder) bool {
	plan := slices.ContainsFunc(items, func(it ovhapi.OrderItem) bool {
		if it.PlanCode != s.plan {
			return false
		}
		if dc, ok := it.Configurations[ovhapi.LabelDatacenter]; !ok || dc != s.dc {
			return false
		}
		return s.qty <= 0 || it.Quantity <= 0 || it.Quantity == s.qty
	})
	if !plan {
		return false
	}
	codes := map[string]bool{}
	for _, it := range items {
		codes[it.PlanCode] = true
	}
	for _, a := range s.addons {
		if !codes[a] {
			return false
		}
	}
	return true
}

// describeLatch is a one-line summary of an entry's latch for messages.
func describeLatch(s prefs.Server) string {
	return fmt.Sprintf("checkout of cart %s in %s at %s", s.OrderAttemptedCart, s.OrderAttemptedIn, s.OrderAttemptedAt.UTC().Format(time.RFC3339))
}
