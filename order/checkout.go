package order

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

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

// checkout is the fast path: latch saved durably, then POST checkout, with
// no other request in between.
func (e *Engine) checkout(ctx context.Context, a Action) {
	key, dc := a.Entry, a.DC
	cartID := a.CartID
	var s prefs.Server
	var sub string
	err := e.store.Update(fmt.Sprintf("order attempt in %s (cart %s)", dc, cartID), func(f *prefs.File) error {
		i := f.Find(key)
		if i < 0 {
			return errNoEntry
		}
		cur := &f.Servers[i]
		// Decide again on the content being saved, the freshest there is:
		// an edit since the decision (place_order, qty, ceiling,
		// skip_validate, the DCs and their order, autopay, the cart, the
		// journal) that changes the answer means no latch and no checkout.
		if !sameDecision(e.decideFor(f, key), a) {
			return errStale
		}
		cur.Latch(e.now(), dc, cartID)
		s, sub = *cur, f.Subsidiary
		return nil
	})
	switch {
	case errors.Is(err, errStale), errors.Is(err, errNoEntry):
		e.emit(Info{Base: e.base(key, dc), Sev: slog.LevelInfo, Text: "checkout skipped: " + err.Error() + "; deciding again"})
		e.reload()
		e.wakeKeeper()
		return
	case errors.Is(err, prefs.ErrNotDurable):
		e.latchNotDurable(ctx, key, dc, err)
		return
	case err != nil:
		e.latchNotSaved(key, dc, err) // a failure here, not at OVH: said once, then counted
		return
	}
	e.latchSaved(key, dc)
	// The journal holds the intent before the checkout leaves: whatever
	// happens to the file, ovhtui knows it may have bought.
	if err := e.journalAppend(intentRecord(s, dc, cartID, a)); err != nil {
		e.coolDown(key, dc, time.Minute, true)
		e.releaseNotSent(key, dc, cartID, a.Qty, "the journal could not be written, so the checkout was not sent: "+err.Error())
		return
	}
	// emit only queues: it costs no time on the way to the checkout.
	e.emit(PrefsSaved{Base: e.base(key, dc), Reason: "order attempt in " + dc})
	e.emit(OrderAttempted{Base: e.base(key, dc), CartID: cartID, Price: a.Price, Autopay: a.Autopay})
	e.setStatus(key, dc, StatusOrdering, "cart "+cartID)
	req := ovhapi.CheckoutRequest{AutoPayWithPreferredPaymentMethod: a.Autopay, WaiveRetractationPeriod: a.Waive}
	res, cerr := e.api.Checkout(ctx, cartID, req)
	e.reload()

	if cerr != nil && ovhapi.IsNotFound(cerr) {
		// The cart died: rebuild and retry once at once, latch held.
		e.journalOutcome(key, dc, journal.ResultRefused, 0, "", a.Price, "cart gone at checkout: "+cerr.Error())
		j := cartJob{key: CartKey{Entry: key, DC: dc}, sub: sub, s: s}
		j.s.Qty = a.Qty
		info, berr := e.buildCart(ctx, j)
		if berr != nil {
			e.release(key, dc, cartID, a.Qty, "cart gone at checkout and rebuild failed: "+berr.Error(), false)
			return
		}
		e.mu.Lock()
		e.carts[j.key] = info
		e.mu.Unlock()
		e.emit(CartRenewed{Base: e.base(key, dc), OldCartID: cartID, NewCartID: info.CartID, Reason: "cart gone at checkout"})
		if !s.Accepts(info.Price.Ucents) {
			e.release(key, dc, cartID, a.Qty, fmt.Sprintf("rebuilt cart costs %s, over the ceiling: not ordered", info.Price), false)
			return
		}
		if err := e.update("order attempt retried with cart "+info.CartID, func(f *prefs.File) error {
			i := f.Find(key)
			if i < 0 || !f.Servers[i].OrderAttempted || f.Servers[i].OrderAttemptedCart != cartID {
				return errStale
			}
			f.Servers[i].OrderAttemptedCart = info.CartID
			return nil
		}); err != nil {
			e.release(key, dc, cartID, a.Qty, "cart gone at checkout; retry not saved: "+err.Error(), false)
			return
		}
		e.persistCart(j.key, info)
		cartID = info.CartID
		a.Price = info.Price
		if err := e.journalAppend(intentRecord(s, dc, cartID, a)); err != nil {
			e.release(key, dc, cartID, a.Qty, "cart gone at checkout; journal not written, retry not sent: "+err.Error(), false)
			return
		}
		e.emit(OrderAttempted{Base: e.base(key, dc), CartID: cartID, Price: a.Price, Autopay: a.Autopay})
		res, cerr = e.api.Checkout(ctx, cartID, req)
	}

	switch {
	case cerr == nil && res.OrderID != nil:
		e.recordOrder(ctx, key, dc, *res.OrderID, res.URL, res.Prices.WithoutTax.Money(), s, false)
	case cerr == nil || ovhapi.IsAmbiguous(cerr):
		why := "no order id in the checkout response"
		if cerr != nil {
			why = cerr.Error()
		}
		e.journalOutcome(key, dc, journal.ResultUnknown, 0, "", a.Price, why)
		e.dropCart(key, dc) // it may have been checked out
		e.emit(OrderFailed{Base: e.base(key, dc), Definitive: false, Err: why})
		e.setStatus(key, dc, StatusNeedsDecision, "outcome unknown, looking it up")
		e.reconcile(ctx, key)
	default:
		res := journal.ResultRefused
		if ovhapi.IsNotSent(cerr) {
			res = journal.ResultNotSent
		}
		e.journalOutcome(key, dc, res, 0, "", a.Price, cerr.Error())
		e.refused(key, dc, cartID, a, cerr)
	}
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
func (e *Engine) recordOrder(ctx context.Context, key, dc string, orderID int64, url string, price money.Amount, s prefs.Server, reconciled bool) {
	e.journalOutcome(key, dc, journal.ResultOrdered, orderID, url, price, "")
	err := e.update(fmt.Sprintf("order %d in %s", orderID, dc), recordOrderChange(key, s.OrderAttemptedCart, dc, orderID, url, e.now()))
	e.dropCart(key, dc)
	if err != nil {
		// The order exists; the latch stays on disk, so a restart reconciles
		// it; meanwhile it is written as soon as the disk allows.
		e.orderNotSaved(key, s.OrderAttemptedCart, dc, orderID, url, err)
	}
	over := !s.Accepts(price.Ucents)
	e.emit(OrderPlaced{Base: e.base(key, dc), OrderID: orderID, URL: ovhapi.OrderLink(url), Price: price, OverCeiling: over, Reconciled: reconciled})
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
// qty 0 and ceiling_price 0, as the existing tool does.
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
		s.Qty = 0
		s.CeilingPrice = 0
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
