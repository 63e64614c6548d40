package order

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/ovhtui/ovhtui/gate"
	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// notAvailableCooldown is how long an entry+DC is not tried again after
// checkout refused it as "not available" while availability still claimed
// stock (OVH's feed lags its stock).
const notAvailableCooldown = 10 * time.Second

// errStale aborts a latch whose entry changed since Decide looked at it.
var errStale = errors.New("entry changed since the decision")

// checkout checks a out through the money gate (package gate): decide
// again (fresh availability, then the latch saved durably only if the
// freshest file still decides the same), journal the intent, POST
// checkout with no other request in between, and settle. When the cart
// is gone at checkout (404), the cart is rebuilt and the checkout goes
// through the gate once more: decided again on the file as it is then
// (place_order, the ceiling, autopay, the DCs), never the request built
// at the latch.
func (e *Engine) checkout(ctx context.Context, a Action) {
	st := e.gatedCheckout(ctx, a, "")
	if !st.cartGone {
		return
	}
	next, ok := e.rebuildGoneCart(ctx, a, st)
	if !ok {
		return
	}
	e.gatedCheckout(ctx, next, a.CartID)
}

// checkoutState is what a gated checkout left behind.
type checkoutState struct {
	s        prefs.Server // the entry as latched
	sub      string
	cartGone bool // OVH answered 404: the cart died before the checkout
}

// gatedCheckout sends one checkout of a through the gate. retryOf is the
// cart of the checkout whose cart was gone ("" for the first): the latch
// is held and moves to a's cart only if the fresh file decides a.
func (e *Engine) gatedCheckout(ctx context.Context, a Action, retryOf string) checkoutState {
	key, dc := a.Entry, a.DC
	var st checkoutState
	latched := retryOf != ""
	var cerr error
	res, err := e.gate.Do(ctx, gate.Request{
		Target: gate.Target{Kind: journal.KindCheckout, Entry: key},
		Decide: func(ctx context.Context) (journal.Record, error) {
			if err := e.freshAvailability(ctx, key, dc); err != nil {
				return journal.Record{}, err
			}
			s, sub, err := e.latch(a, retryOf)
			if err != nil {
				return journal.Record{}, err
			}
			st.s, st.sub, latched = s, sub, true
			if retryOf == "" {
				e.latchSaved(key, dc)
			}
			return intentRecord(s, dc, a.CartID, a), nil
		},
		Send: func(ctx context.Context, _ journal.Record) gate.Answer {
			// emit only queues: it costs no time on the way to the checkout.
			if retryOf == "" {
				e.emit(PrefsSaved{Base: e.base(key, dc), Reason: "order attempt in " + dc})
			}
			e.emit(OrderAttempted{Base: e.base(key, dc), CartID: a.CartID, Price: a.Price, Autopay: a.Autopay})
			e.setStatus(key, dc, StatusOrdering, "cart "+a.CartID)
			req := ovhapi.CheckoutRequest{AutoPayWithPreferredPaymentMethod: a.Autopay, WaiveRetractationPeriod: a.Waive}
			r, err := e.api.Checkout(ctx, a.CartID, req)
			cerr = err
			e.reload()
			return checkoutAnswer(r, err)
		},
		LookUp: e.lookUpCheckout,
	})
	var unclear *gate.UnclearError
	var pending *gate.PendingError
	switch {
	case errors.Is(err, errStale), errors.Is(err, errNoEntry):
		if retryOf != "" {
			e.release(key, dc, retryOf, a.Qty, "cart gone at checkout; not retried: "+err.Error(), false)
			return st
		}
		e.emit(Info{Base: e.base(key, dc), Sev: slog.LevelInfo, Text: "checkout skipped: " + err.Error() + "; deciding again"})
		e.reload()
		e.wakeKeeper()
		return st
	case errors.Is(err, errNotFresh):
		e.emit(Info{Base: e.base(key, dc), Sev: slog.LevelWarn, Text: "checkout skipped: " + err.Error()})
		if retryOf != "" {
			e.release(key, dc, retryOf, a.Qty, "cart gone at checkout; not retried: "+err.Error(), false)
		}
		return st
	case errors.Is(err, prefs.ErrNotDurable):
		e.latchNotDurable(ctx, key, dc, err)
		return st
	case errors.As(err, &unclear):
		why := unclear.Err.Error()
		e.dropCart(key, dc) // it may have been checked out
		e.emit(OrderFailed{Base: e.base(key, dc), Definitive: false, Err: why})
		e.setStatus(key, dc, StatusNeedsDecision, "outcome unknown, looking it up")
		e.reconcile(ctx, key)
		return st
	case errors.As(err, &pending):
		// An earlier checkout of the entry is unresolved: it may have
		// bought; the latch stays and the entry is looked up.
		e.emit(Info{Base: e.base(key, dc), Sev: slog.LevelWarn, Text: "checkout not sent: " + err.Error()})
		e.reconcile(ctx, key)
		return st
	case err != nil && !latched:
		e.latchNotSaved(key, dc, err) // a failure here, not at OVH: said once, then counted
		return st
	case err != nil && !res.Sent:
		// Latched, but the gate sent nothing (the journal could not be
		// written, was replaced, OVH's time could not be read).
		e.coolDown(key, dc, time.Minute, true)
		cart := a.CartID
		if retryOf != "" {
			cart = retryOf
		}
		why := "the journal could not be written, so the checkout was not sent: " + err.Error()
		var rep *journal.ReplacedError
		switch {
		case errors.As(err, &rep):
			why = err.Error()
		case errors.Is(err, gate.ErrNoOVHTime):
			why = "OVH's time could not be read, so the checkout was not sent: " + err.Error()
		}
		e.releaseNotSent(key, dc, cart, a.Qty, why)
		return st
	case err != nil:
		// Sent and answered, but the outcome could not be journaled: the
		// answer is acted on; the file keeps the latch or the order.
		e.emit(Info{Base: e.base(key, dc), Sev: slog.LevelError, Text: "journal: " + err.Error()})
	}
	switch {
	case res.Result == journal.ResultOrdered:
		price := money.Amount{Ucents: res.AmountUcents, Currency: res.Currency}
		e.recordOrder(ctx, key, dc, res.OrderID, res.URL, price, st.s, res.Found, false, true)
	case retryOf == "" && cerr != nil && ovhapi.IsNotFound(cerr):
		st.cartGone = true
	default:
		if cerr == nil {
			cerr = errors.New(res.Detail)
		}
		e.refused(key, dc, a.CartID, a, cerr)
	}
	return st
}

// checkoutAnswer classifies OVH's answer to POST checkout for the gate.
// The URL is the full one (the journal scrubs its order password).
func checkoutAnswer(r ovhapi.CartOrder, err error) gate.Answer {
	switch {
	case err == nil && r.OrderID != nil:
		p := r.Prices.WithoutTax.Money()
		return gate.Answer{Result: journal.ResultOrdered, OrderID: *r.OrderID, URL: r.URL, AmountUcents: p.Ucents, Currency: p.Currency}
	case err == nil:
		return gate.Answer{Detail: "no order id in the checkout response"}
	case ovhapi.IsNotFound(err):
		return gate.Answer{Result: journal.ResultRefused, Err: err, Detail: "cart gone at checkout: " + err.Error()}
	case ovhapi.IsAmbiguous(err):
		return gate.Answer{Err: err}
	case ovhapi.IsNotSent(err):
		return gate.Answer{Result: journal.ResultNotSent, Err: err}
	}
	return gate.Answer{Result: journal.ResultRefused, Err: err}
}

// latch saves the latch of a in the file, deciding again on the content
// being saved, the freshest there is: an edit since the decision
// (place_order, qty, ceiling, skip_validate, the DCs and their order,
// autopay, the cart, the journal) that changes the answer means no latch
// and no checkout (errStale). retryOf: the latch is already held for the
// checkout of that cart, whose cart was gone; the entry is decided again
// as if unlatched and the latch moves to a's cart only if the decision is
// a.
func (e *Engine) latch(a Action, retryOf string) (prefs.Server, string, error) {
	key, dc := a.Entry, a.DC
	var s prefs.Server
	var sub string
	reason := fmt.Sprintf("order attempt in %s (cart %s)", dc, a.CartID)
	if retryOf != "" {
		reason = "order attempt retried with cart " + a.CartID
	}
	err := e.store.Update(reason, func(f *prefs.File) error {
		i := f.Find(key)
		if i < 0 {
			return errNoEntry
		}
		cur := &f.Servers[i]
		if retryOf != "" {
			if !cur.OrderAttempted || cur.OrderID != 0 || cur.OrderAttemptedCart != retryOf {
				return errStale
			}
			qty := cur.OrderAttemptedQty
			clearLatch(cur)
			cur.Qty = qty
		}
		if fresh := e.decideFor(f, key); !sameDecision(fresh, a) {
			return staleBecause(fresh, a)
		}
		cur.Latch(e.now(), dc, a.CartID)
		s, sub = *cur, f.Subsidiary
		return nil
	})
	return s, sub, err
}

// staleBecause says why the fresh decision is not a.
func staleBecause(fresh *Action, a Action) error {
	switch {
	case fresh == nil:
		return fmt.Errorf("%w: it is not to be ordered now (qty, place_order, ceiling, availability or the journal)", errStale)
	case fresh.Kind == ActDryRun:
		return fmt.Errorf("%w: place_order is off", errStale)
	case fresh.Kind == ActRetire:
		return fmt.Errorf("%w: the price is over the ceiling", errStale)
	case fresh.DC != a.DC:
		return fmt.Errorf("%w: %s comes first now", errStale, fresh.DC)
	case fresh.Autopay != a.Autopay:
		return fmt.Errorf("%w: autopay changed", errStale)
	}
	return errStale
}

// rebuildGoneCart rebuilds the cart of a checkout OVH answered 404 (the
// latch is held) and returns the checkout to send through the gate again:
// the fresh decision with the new cart. ok false: released, nothing to
// send.
func (e *Engine) rebuildGoneCart(ctx context.Context, a Action, st checkoutState) (Action, bool) {
	key, dc := a.Entry, a.DC
	j := cartJob{key: CartKey{Entry: key, DC: dc}, sub: st.sub, s: st.s}
	j.s.Qty = a.Qty
	info, berr := e.buildCart(ctx, j)
	if berr != nil {
		e.release(key, dc, a.CartID, a.Qty, "cart gone at checkout and rebuild failed: "+berr.Error(), false)
		return Action{}, false
	}
	e.mu.Lock()
	e.carts[j.key] = info
	e.mu.Unlock()
	e.emit(CartRenewed{Base: e.base(key, dc), OldCartID: a.CartID, NewCartID: info.CartID, Reason: "cart gone at checkout"})
	e.persistCart(j.key, info)
	// The decision on the file as it is now, as if unlatched.
	f := e.store.Snapshot().Clone()
	i := f.Find(key)
	if i < 0 || !f.Servers[i].OrderAttempted || f.Servers[i].OrderAttemptedCart != a.CartID {
		e.release(key, dc, a.CartID, a.Qty, "cart gone at checkout; not retried: the entry changed meanwhile", false)
		return Action{}, false
	}
	qty := f.Servers[i].OrderAttemptedQty
	clearLatch(&f.Servers[i])
	f.Servers[i].Qty = qty
	fresh := e.decideFor(f, key)
	if fresh == nil || fresh.Kind != ActCheckout || fresh.DC != dc || fresh.CartID != info.CartID {
		e.release(key, dc, a.CartID, a.Qty, "cart gone at checkout; not retried: "+staleBecause(fresh, a).Error(), false)
		return Action{}, false
	}
	return *fresh, true
}

// errNotFresh: availability could not be read afresh before a checkout.
var errNotFresh = errors.New("availability could not be read afresh")

// freshAvailability makes sure the availability of key's plan in dc was
// read no longer than one poll interval ago, polling it now when older
// (after an order the plan is no longer polled: buying another must not
// rely on what was seen then).
func (e *Engine) freshAvailability(ctx context.Context, key, dc string) error {
	e.mu.Lock()
	k := e.availKeyOf(key, dc)
	at := e.availAt[k]
	plan := ""
	if e.file != nil {
		if i := e.file.Find(key); i >= 0 {
			plan = e.file.Servers[i].PlanCode
		}
	}
	maxAge := e.poll
	e.mu.Unlock()
	now := e.now()
	if plan == "" || maxAge <= 0 || !at.IsZero() && !at.After(now) && now.Sub(at) <= maxAge {
		return nil
	}
	e.spendUnsigned()
	items, err := e.api.Availability(ctx, plan, []string{dc})
	if err != nil {
		return fmt.Errorf("%w in %s (%v): not ordered on availability %s old", errNotFresh, dc, err, describeAge(at, now))
	}
	nv := ""
	for _, it := range items {
		if it.FQN != k.FQN {
			continue
		}
		for _, d := range it.Datacenters {
			if d.Datacenter == dc {
				nv = d.Availability
			}
		}
	}
	e.mu.Lock()
	old := e.avail[k]
	e.avail[k], e.availAt[k] = nv, e.now()
	e.mu.Unlock()
	if old != nv {
		e.emit(AvailabilityChanged{Base: Base{Time: e.now(), Entry: key, DC: dc}, FQN: k.FQN, Old: old, New: nv, Orderable: Orderable(nv, e.maxDelivery(key))})
	}
	return nil
}

// maxDelivery is the entry's delivery limit.
func (e *Engine) maxDelivery(key string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.file != nil {
		if i := e.file.Find(key); i >= 0 {
			return e.file.Servers[i].MaxDelivery()
		}
	}
	return 0
}

func describeAge(at, now time.Time) string {
	if at.IsZero() {
		return "never read"
	}
	return now.Sub(at).Round(time.Second).String()
}

// latchNotDurable handles a latch save whose rename succeeded but whose
// folder sync failed: the latch may or may not survive a crash, so it is
// treated as written. No checkout leaves; the folder sync is tried again,
// the user is told, and the entry is reconciled as after an ambiguous
// outcome (the lookup finds nothing, since nothing was sent, and the
// entry waits for the user's decision).
func (e *Engine) latchNotDurable(ctx context.Context, key, dc string, err error) {
	e.reload()
	e.emit(OrderFailed{Base: e.base(key, dc), Definitive: false,
		Err: "the latch was written but the folder sync failed: checkout not sent; treating the latch as written: " + err.Error()})
	if serr := e.store.SyncFolder(); serr != nil {
		e.emit(Info{Base: e.base(key, dc), Sev: slog.LevelError, Text: "folder sync failed again (disk trouble?): " + serr.Error()})
	} else {
		e.emit(Info{Base: e.base(key, dc), Sev: slog.LevelWarn, Text: "folder sync retried: the latch is durable now"})
	}
	e.reconcile(ctx, key)
}

// refused handles a checkout that OVH refused (definitive) or that was
// never sent: no order exists. The latch is released; the entry+DC is not
// checked out again before a backoff that grows with each refusal in a row
// (OVH's Retry-After, capped, when it gave one), so a refusal that repeats
// does not check out on every poll. A refusal the engine does not know
// also drops the cart, which the keeper rebuilds.
func (e *Engine) refused(key, dc, cartID string, a Action, err error) {
	msg := ovhapi.MessageOf(err)
	low := strings.ToLower(msg)
	wait, longer := e.retry.refused(CartKey{Entry: key, DC: dc}, e.poll, err)
	if longer > 0 {
		e.emit(Info{Base: e.base(key, dc), Sev: slog.LevelWarn, Text: "checkout: " + describeWait(wait, longer)})
	}
	switch {
	case ovhapi.IsNotSent(err):
		e.coolDown(key, dc, wait, false)
		e.releaseNotSent(key, dc, cartID, a.Qty, fmt.Sprintf("checkout not sent (%v); tried again in %s", err, wait))
	case a.Autopay && strings.Contains(low, "payment method"):
		e.release(key, dc, cartID, 0, "autopay refused: "+msg+" — entry stopped (qty 0): register a preferred payment method or set autopay false, then set qty again", true)
	case strings.Contains(low, "is not available in"):
		e.mu.Lock()
		e.cooldown[CartKey{Entry: key, DC: dc}] = e.now().Add(notAvailableCooldown)
		e.avail[e.availKeyOf(key, dc)] = "unavailable"
		e.mu.Unlock()
		e.release(key, dc, cartID, a.Qty, "not available at checkout: "+msg, false)
	case ovhapi.IsRateLimited(err):
		// Fair use is counted per consumer key: every DC waits.
		e.coolDown(key, dc, wait, true)
		e.release(key, dc, cartID, a.Qty, fmt.Sprintf("%v; no checkout for %s", err, wait), false)
	default:
		e.coolDown(key, dc, wait, false)
		e.dropCart(key, dc)
		e.goTracked(func() { _ = e.api.DeleteCart(context.WithoutCancel(e.ctxOrBackground()), cartID) })
		e.release(key, dc, cartID, a.Qty, fmt.Sprintf("%v; cart dropped, no checkout in %s for %s", err, dc, wait), false)
	}
}

// coolDown keeps Decide from checking out key in dc (every DC of the entry
// when all) for wait.
func (e *Engine) coolDown(key, dc string, wait time.Duration, all bool) {
	dcs := []string{dc}
	if all {
		dcs = e.entryDCs(key)
	}
	until := e.now().Add(wait)
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, d := range dcs {
		k := CartKey{Entry: key, DC: d}
		if until.After(e.cooldown[k]) {
			e.cooldown[k] = until
		}
	}
}

// ctxOrBackground is Run's context, or a background one before Run.
func (e *Engine) ctxOrBackground() context.Context {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.runCtx != nil {
		return e.runCtx
	}
	return context.Background()
}

// availKeyOf returns the availability key of an entry in dc. The caller
// holds e.mu.
func (e *Engine) availKeyOf(key, dc string) AvailKey {
	fqn := ""
	if e.file != nil {
		if i := e.file.Find(key); i >= 0 {
			fqn = e.file.Servers[i].FQN
		}
	}
	return AvailKey{FQN: fqn, DC: dc}
}

// release undoes the latch after a definitive refusal: order_error, qty
// back to restoreQty (0 stops the entry), and the entry is watched again.
func (e *Engine) release(key, dc, cartID string, restoreQty int, why string, stop bool) {
	e.releaseAs(OrderFailed{Base: e.base(key, dc), Definitive: true, Err: why}, cartID, restoreQty, stop)
}

// releaseNotSent is release for a checkout that never reached OVH (a
// failure on this machine or on the way): it is not told as a refusal.
func (e *Engine) releaseNotSent(key, dc, cartID string, restoreQty int, why string) {
	e.releaseAs(OrderFailed{Base: e.base(key, dc), Definitive: true, NotSent: true, Err: why}, cartID, restoreQty, false)
}

// releaseAs releases the latch and reports it with ev.
func (e *Engine) releaseAs(ev OrderFailed, cartID string, restoreQty int, stop bool) {
	key, dc, why := ev.Entry, ev.DC, ev.Err
	err := e.update("checkout refused in "+dc, func(f *prefs.File) error {
		i := f.Find(key)
		if i < 0 {
			return errNoEntry
		}
		s := &f.Servers[i]
		if !s.OrderAttempted || s.OrderID != 0 {
			return errStale
		}
		clearLatch(s)
		s.Qty = restoreQty
		s.OrderError = why
		return nil
	})
	e.emit(ev)
	if err != nil {
		e.emit(Info{Base: e.base(key, dc), Sev: slog.LevelError, Text: "releasing the latch failed: " + err.Error()})
		return
	}
	if stop {
		e.setEntryStatus(key, StatusIdle, "stopped: "+why)
		return
	}
	e.setStatus(key, dc, StatusWatching, "refused: "+why)
}

// recordOrder saves an order OVH created and reports it.
// The journal records it first, by entry identity; the file's entry is
// found by its id, or if the user changed that meanwhile by its latch on
// the same cart, whatever else was edited.
//
// reconciled: found by a look-up (afterRestart: of an intent an earlier
// process wrote); journaled: the gate has journaled the outcome already.
func (e *Engine) recordOrder(ctx context.Context, key, dc string, orderID int64, url string, price money.Amount, s prefs.Server, reconciled, afterRestart, journaled bool) {
	if !journaled {
		e.journalOutcome(key, dc, journal.ResultOrdered, orderID, url, price, "")
	}
	err := e.update(fmt.Sprintf("order %d in %s", orderID, dc), recordOrderChange(key, s.OrderAttemptedCart, dc, orderID, url, e.now()))
	e.dropCart(key, dc)
	if err != nil {
		// The order exists; the latch stays on disk, so a restart reconciles
		// it; meanwhile it is written as soon as the disk allows.
		e.orderNotSaved(key, s.OrderAttemptedCart, dc, orderID, url, err)
	}
	over := !s.Accepts(price.Ucents)
	e.emit(OrderPlaced{Base: e.base(key, dc), OrderID: orderID, URL: ovhapi.OrderLink(url), Price: price, OverCeiling: over, Reconciled: reconciled, AfterRestart: afterRestart})
	e.setStatus(key, dc, StatusOrdered, fmt.Sprintf("order %d", orderID))
	for _, other := range e.entryDCs(key) {
		if other != dc {
			e.setStatus(key, other, StatusIdle, "ordered in "+dc)
		}
	}
}

// recordOrderChange records in the file the order OVH created in dc for
// the entry key, found by its key or, if the user changed that meanwhile,
// by its latch on cart.
func recordOrderChange(key, cart, dc string, orderID int64, url string, now time.Time) func(*prefs.File) error {
	return func(f *prefs.File) error {
		i := f.Find(key)
		if i < 0 && cart != "" {
			i = slices.IndexFunc(f.Servers, func(x prefs.Server) bool {
				return x.Latched() && x.OrderAttemptedCart == cart
			})
		}
		if i < 0 {
			return errNoEntry
		}
		s := &f.Servers[i]
		s.OrderedAt = now.UTC()
		s.OrderedIn = dc
		s.OrderID = orderID
		s.OrderURL = url
		s.OrderError = ""
		s.DCCarts.Delete(dc) // checked out: read-only from now on
		return nil
	}
}

// dryRun handles place_order false: GET checkout, report what would have
// been ordered, and stop the entry (qty 0).
func (e *Engine) dryRun(ctx context.Context, a Action) {
	res, err := e.api.CheckoutPreview(ctx, a.CartID)
	e.emit(OrderAttempted{Base: e.base(a.Entry, a.DC), CartID: a.CartID, Price: a.Price, DryRun: true})
	if err != nil {
		e.emit(APIError{Base: e.base(a.Entry, a.DC), Call: "GET /order/cart/{id}/checkout", Err: err.Error(), RetryAfter: ovhapi.RetryAfterOf(err), Class: ErrorClass(err)})
		if ovhapi.IsDefinitive(err) && strings.Contains(strings.ToLower(ovhapi.MessageOf(err)), "is not available in") {
			e.mu.Lock()
			e.cooldown[CartKey{Entry: a.Entry, DC: a.DC}] = e.now().Add(notAvailableCooldown)
			e.mu.Unlock()
		}
		return
	}
	price := res.Prices.WithoutTax.Money()
	if price.Ucents == 0 && price.Currency == "" {
		price = a.Price
	}
	err = e.update("dry run in "+a.DC+": qty 0", func(f *prefs.File) error {
		i := f.Find(a.Entry)
		if i < 0 {
			return errNoEntry
		}
		if !sameDecision(e.decideFor(f, a.Entry), a) {
			return errStale // e.g. place_order turned on meanwhile: decide again
		}
		f.Servers[i].Qty = 0
		return nil
	})
	if errors.Is(err, errStale) || errors.Is(err, errNoEntry) {
		e.emit(Info{Base: e.base(a.Entry, a.DC), Sev: slog.LevelInfo, Text: "dry run: the entry changed meanwhile; deciding again"})
		return
	}
	if err != nil {
		e.emit(Info{Base: e.base(a.Entry, a.DC), Sev: slog.LevelError, Text: "saving qty 0 after the dry run failed: " + err.Error()})
	}
	e.emit(WouldHaveOrdered{Base: e.base(a.Entry, a.DC), Price: price})
	e.setNote(a.Entry, fmt.Sprintf("dry run done: would have ordered in %s at %s", a.DC, price))
	e.setEntryStatus(a.Entry, StatusIdle, "dry run done")
}

// retire handles a validated price over the ceiling in the orderable DC:
// prefs.Server.Retire (qty 0 and ceiling_price 0, as the existing tool
// does, the qty kept in retired_qty for bringing it back).
func (e *Engine) retire(a Action) {
	err := e.update(fmt.Sprintf("price %s over the ceiling in %s: retired", a.Price, a.DC), func(f *prefs.File) error {
		i := f.Find(a.Entry)
		if i < 0 {
			return errNoEntry
		}
		s := &f.Servers[i]
		// Decide again on the freshest content: a ceiling raised (or
		// skip_validate set, qty changed...) since the decision keeps it.
		if !sameDecision(e.decideFor(f, a.Entry), a) {
			return errStale
		}
		s.Retire()
		return nil
	})
	if err != nil {
		if !errors.Is(err, errStale) && !errors.Is(err, errNoEntry) {
			e.emit(Info{Base: e.base(a.Entry, a.DC), Sev: slog.LevelError, Text: "retiring failed: " + err.Error()})
		}
		return
	}
	e.emit(PriceOverCeiling{Base: e.base(a.Entry, a.DC), Price: a.Price, Ceiling: a.Ceiling, Retired: true})
	e.setNote(a.Entry, fmt.Sprintf("retired: %s in %s > ceiling %s", a.Price, a.DC, a.Ceiling))
	e.setEntryStatus(a.Entry, StatusRetired, fmt.Sprintf("price %s over ceiling %s", a.Price, a.Ceiling))
}

// dropCart forgets the cart of key in dc, so the keeper builds a new one
// should the entry be wanted again.
func (e *Engine) dropCart(key, dc string) {
	e.mu.Lock()
	delete(e.carts, CartKey{Entry: key, DC: dc})
	e.mu.Unlock()
}
