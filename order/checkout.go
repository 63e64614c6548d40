package order

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

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
		// Re-check on the content being saved: an external edit may have
		// latched, ordered, changed qty or lowered the ceiling meanwhile.
		if !Wanted(*cur) || cur.Qty != a.Qty || cur.Autopay != a.Autopay || cur.WaiveRetractation != a.Waive {
			return errStale
		}
		if !cur.Accepts(a.Price.Ucents) {
			return errStale
		}
		e.mu.Lock()
		c := e.carts[CartKey{Entry: key, DC: dc}]
		fpOK := c != nil && c.CartID == cartID && c.Fingerprint == Fingerprint(f.Subsidiary, *cur, dc)
		e.mu.Unlock()
		if !fpOK {
			return errStale
		}
		cur.OrderAttempted = true
		cur.OrderAttemptedAt = e.now().UTC()
		cur.OrderAttemptedIn = dc
		cur.OrderAttemptedQty = cur.Qty
		cur.OrderAttemptedCart = cartID
		cur.Qty = 0
		s, sub = *cur, f.Subsidiary
		return nil
	})
	switch {
	case errors.Is(err, errStale), errors.Is(err, errNoEntry):
		e.emit(Info{Base: e.base(key, dc), Sev: slog.LevelInfo, Text: "checkout skipped: " + err.Error()})
		e.reload()
		return
	case err != nil:
		e.latchNotSaved(key, dc, err) // a failure here, not at OVH: said once, then counted
		return
	}
	e.latchSaved(key, dc)
	// emit only queues: it costs no time on the way to the checkout.
	e.emit(PrefsSaved{Base: e.base(key, dc), Reason: "order attempt in " + dc})
	e.emit(OrderAttempted{Base: e.base(key, dc), CartID: cartID, Price: a.Price, Autopay: a.Autopay})
	e.setStatus(key, dc, StatusOrdering, "cart "+cartID)
	req := CheckoutRequest{AutoPayWithPreferredPaymentMethod: a.Autopay, WaiveRetractationPeriod: a.Waive}
	res, cerr := e.api.Checkout(ctx, cartID, req)
	e.reload()

	if cerr != nil && IsNotFound(cerr) {
		// The cart died: rebuild and retry once at once, latch held.
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
		e.emit(OrderAttempted{Base: e.base(key, dc), CartID: cartID, Price: a.Price, Autopay: a.Autopay})
		res, cerr = e.api.Checkout(ctx, cartID, req)
	}

	switch {
	case cerr == nil && res.OrderID != nil:
		e.recordOrder(ctx, key, dc, *res.OrderID, res.URL, res.Prices.WithoutTax.Money(), s, false)
	case cerr == nil || IsAmbiguous(cerr):
		why := "no order id in the checkout response"
		if cerr != nil {
			why = cerr.Error()
		}
		e.dropCart(key, dc) // it may have been checked out
		e.emit(OrderFailed{Base: e.base(key, dc), Definitive: false, Err: why})
		e.setStatus(key, dc, StatusNeedsDecision, "outcome unknown, looking it up")
		e.reconcile(ctx, key)
	default:
		e.refused(key, dc, cartID, a, cerr)
	}
}

// refused handles a checkout that OVH refused (definitive) or that was
// never sent: no order exists. The latch is released; the entry+DC is not
// checked out again before a backoff that grows with each refusal in a row
// (OVH's Retry-After, capped, when it gave one), so a refusal that repeats
// does not check out on every poll. A refusal the engine does not know
// also drops the cart, which the keeper rebuilds.
func (e *Engine) refused(key, dc, cartID string, a Action, err error) {
	msg := messageOf(err)
	low := strings.ToLower(msg)
	wait, longer := e.retry.refused(CartKey{Entry: key, DC: dc}, e.poll, err)
	if longer > 0 {
		e.emit(Info{Base: e.base(key, dc), Sev: slog.LevelWarn, Text: "checkout: " + describeWait(wait, longer)})
	}
	switch {
	case IsNotSent(err):
		e.coolDown(key, dc, wait, false)
		e.release(key, dc, cartID, a.Qty, fmt.Sprintf("checkout not sent (%v); tried again in %s", err, wait), false)
	case a.Autopay && strings.Contains(low, "payment method"):
		e.release(key, dc, cartID, 0, "autopay refused: "+msg+" — entry stopped (qty 0): register a preferred payment method or set autopay false, then set qty again", true)
	case strings.Contains(low, "is not available in"):
		e.mu.Lock()
		e.cooldown[CartKey{Entry: key, DC: dc}] = e.now().Add(notAvailableCooldown)
		e.avail[e.availKeyOf(key, dc)] = "unavailable"
		e.mu.Unlock()
		e.release(key, dc, cartID, a.Qty, "not available at checkout: "+msg, false)
	case IsRateLimited(err):
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
	e.emit(OrderFailed{Base: e.base(key, dc), Definitive: true, Err: why})
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
func (e *Engine) recordOrder(ctx context.Context, key, dc string, orderID int64, url string, price Money, s prefs.Server, reconciled bool) {
	err := e.update(fmt.Sprintf("order %d in %s", orderID, dc), func(f *prefs.File) error {
		i := f.Find(key)
		if i < 0 {
			return errNoEntry
		}
		recordOrderIn(&f.Servers[i], dc, orderID, url, e.now())
		return nil
	})
	e.dropCart(key, dc)
	if err != nil {
		// The order exists; the latch stays on disk, so a restart reconciles
		// it; meanwhile it is written as soon as the disk allows.
		e.orderNotSaved(key, dc, orderID, url, err)
	}
	over := !s.Accepts(price.Ucents)
	e.emit(OrderPlaced{Base: e.base(key, dc), OrderID: orderID, URL: OrderLink(url), Price: price, OverCeiling: over, Reconciled: reconciled})
	e.setStatus(key, dc, StatusOrdered, fmt.Sprintf("order %d", orderID))
	for _, other := range e.entryDCs(key) {
		if other != dc {
			e.setStatus(key, other, StatusIdle, "ordered in "+dc)
		}
	}
}

// recordOrderIn records in s the order OVH created in dc.
func recordOrderIn(s *prefs.Server, dc string, orderID int64, url string, now time.Time) {
	s.OrderedAt = now.UTC()
	s.OrderedIn = dc
	s.OrderID = orderID
	s.OrderURL = url
	s.OrderError = ""
	s.DCCarts.Delete(dc) // checked out: read-only from now on
}

// dryRun handles place_order false: GET checkout, report what would have
// been ordered, and stop the entry (qty 0).
func (e *Engine) dryRun(ctx context.Context, a Action) {
	res, err := e.api.CheckoutPreview(ctx, a.CartID)
	e.emit(OrderAttempted{Base: e.base(a.Entry, a.DC), CartID: a.CartID, Price: a.Price, DryRun: true})
	if err != nil {
		e.emit(APIError{Base: e.base(a.Entry, a.DC), Call: "GET /order/cart/{id}/checkout", Err: err.Error(), RetryAfter: RetryAfterOf(err)})
		if IsDefinitive(err) && strings.Contains(strings.ToLower(messageOf(err)), "is not available in") {
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
		f.Servers[i].Qty = 0
		return nil
	})
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
		if s.SkipValidate || !Wanted(*s) {
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
	e.setNote(a.Entry, fmt.Sprintf("retired: price in %s %s over the ceiling %s", a.DC, a.Price, a.Ceiling))
	e.setEntryStatus(a.Entry, StatusRetired, fmt.Sprintf("price %s over ceiling %s", a.Price, a.Ceiling))
}

// dropCart forgets the cart of key in dc, so the keeper builds a new one
// should the entry be wanted again.
func (e *Engine) dropCart(key, dc string) {
	e.mu.Lock()
	delete(e.carts, CartKey{Entry: key, DC: dc})
	e.mu.Unlock()
}
