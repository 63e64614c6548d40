package order

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"time"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// cartInfo is the engine's in-memory record of a cart kept for an entry and DC.
type cartInfo struct {
	CartState
	ItemIDs    []int64 // eco item first, then its options
	EcoItemID  int64
	VerifiedAt time.Time
	Adopt      bool // read from dc_carts at start, not verified yet
	NextTry    time.Time
	Fails      int
}

// errNoEntry aborts an Update whose entry is gone (edited out meanwhile).
var errNoEntry = errors.New("entry no longer in preferences")

// cartJob is one entry and DC the keeper looks after.
type cartJob struct {
	key  CartKey
	sub  string
	s    prefs.Server
	rush bool
}

// adoptPersistedCarts loads dc_carts into memory; the keeper verifies each
// with GET /order/cart/{id} before use.
func (e *Engine) adoptPersistedCarts() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, s := range e.file.Servers {
		for _, c := range s.DCCarts {
			if c.CartID == "" || !slices.Contains(s.DCNames(), c.DC) {
				continue
			}
			info := &cartInfo{Adopt: true, ItemIDs: c.ItemIDs}
			info.CartID, info.Expire = c.CartID, c.CartExpire
			if len(c.ItemIDs) > 0 {
				info.EcoItemID = c.ItemIDs[0]
			}
			if c.Summary != nil {
				info.Price = money.Amount{Ucents: c.Summary.WithoutTaxUcents, Currency: c.Summary.Currency}
				info.PriceTax = money.Amount{Ucents: c.Summary.WithTaxUcents, Currency: c.Summary.Currency}
				info.ValidatedAt = c.Summary.ValidatedAt
			}
			e.carts[CartKey{Entry: s.Key(), DC: c.DC}] = info
		}
	}
}

// keeperLoop builds, verifies, re-validates and renews carts, one unit of
// work at a time, rush requests first. It never runs in the poller's
// goroutine, so a slow cart build never delays a checkout.
func (e *Engine) keeperLoop(ctx context.Context) {
	for {
		e.fetchCatalogs(ctx)
		next, worked := e.keeperStep(ctx)
		if ctx.Err() != nil {
			return
		}
		if worked {
			continue
		}
		d := next.Sub(e.now())
		if d < 0 {
			d = 0
		}
		if d > time.Minute {
			d = time.Minute
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-e.keeperWake:
			t.Stop()
		case <-t.C:
		}
	}
}

// jobs lists the carts to keep: every DC of every watched entry, rush first.
func (e *Engine) jobs() []cartJob {
	e.mu.Lock()
	defer e.mu.Unlock()
	var rush, rest []cartJob
	if e.file == nil {
		return nil
	}
	for _, s := range e.file.Servers {
		if !Wanted(s) {
			continue
		}
		if _, bad := e.blocked[s.Key()]; bad {
			continue
		}
		for _, dc := range s.DCNames() {
			j := cartJob{key: CartKey{Entry: s.Key(), DC: dc}, sub: e.file.Subsidiary, s: s}
			if e.rush[j.key] || e.reval[j.key] {
				j.rush = true
				rush = append(rush, j)
			} else {
				rest = append(rest, j)
			}
		}
	}
	return append(rush, rest...)
}

// keeperStep does the first due unit of work and reports it, or returns
// when the next one is due.
func (e *Engine) keeperStep(ctx context.Context) (time.Time, bool) {
	now := e.now()
	next := now.Add(time.Minute)
	for _, j := range e.jobs() {
		e.mu.Lock()
		c := e.carts[j.key]
		var cp cartInfo
		if c != nil {
			cp = *c
		}
		wantReval := e.reval[j.key]
		delete(e.rush, j.key)
		e.mu.Unlock()

		if c != nil && cp.NextTry.After(now) {
			if cp.NextTry.Before(next) {
				next = cp.NextTry
			}
			continue
		}
		if !e.claimCart(j.key) {
			continue // a rush build is at work on it
		}
		worked := e.keeperWork(ctx, j, c != nil, cp, wantReval, now, &next)
		e.unclaimCart(j.key)
		if worked {
			return now, true
		}
	}
	return next, false
}

// keeperWork does the cart's due unit of work and reports it, or lowers
// next to when it is due.
func (e *Engine) keeperWork(ctx context.Context, j cartJob, have bool, cp cartInfo, wantReval bool, now time.Time, next *time.Time) bool {
	{
		fp := Fingerprint(j.sub, j.s, j.key.DC)
		switch {
		case !have || cp.CartID == "":
			e.rebuild(ctx, j, "", "new cart")
		case cp.Adopt:
			e.adopt(ctx, j, cp)
		case cp.Fingerprint != fp:
			e.rebuild(ctx, j, cp.CartID, "settings changed")
		case cp.Expire.Sub(now) < e.renewBefore:
			e.rebuild(ctx, j, cp.CartID, "renewal before expiry")
		case now.Sub(cp.VerifiedAt) >= e.verifyEvery:
			e.verify(ctx, j, cp)
		case wantReval || !j.s.SkipValidate && (!PriceFresh(cp.ValidatedAt, now) || now.Sub(cp.ValidatedAt) >= e.recheckEvery()):
			e.revalidate(ctx, j, cp)
		default:
			for _, t := range []time.Time{cp.VerifiedAt.Add(e.verifyEvery), cp.Expire.Add(-e.renewBefore)} {
				if t.Before(*next) {
					*next = t
				}
			}
			if !j.s.SkipValidate {
				if t := cp.ValidatedAt.Add(e.recheckEvery()); t.Before(*next) {
					*next = t
				}
			}
			return false
		}
		return true
	}
}

// claimCart marks the cart of k as being worked on, so the keeper and a
// rush build never build it at the same time; false when it already is.
func (e *Engine) claimCart(k CartKey) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.building == nil {
		e.building = map[CartKey]bool{}
	}
	if e.building[k] {
		return false
	}
	e.building[k] = true
	return true
}

func (e *Engine) unclaimCart(k CartKey) {
	e.mu.Lock()
	delete(e.building, k)
	e.mu.Unlock()
}

// rushBuild builds the cart of an orderable DC at once, in its own
// goroutine beside the keeper, so the carts of several orderable DCs are
// built in parallel and none waits behind the keeper's routine work. It
// does nothing while the cart is being worked on or its last failure asks
// to wait.
func (e *Engine) rushBuild(ctx context.Context, k CartKey) {
	e.mu.Lock()
	var j *cartJob
	if e.file != nil {
		if i := e.file.Find(k.Entry); i >= 0 {
			j = &cartJob{key: k, sub: e.file.Subsidiary, s: e.file.Servers[i], rush: true}
		}
	}
	old := ""
	if c := e.carts[k]; c != nil {
		if c.NextTry.After(e.now()) {
			j = nil
		}
		old = c.CartID
	}
	e.mu.Unlock()
	if j == nil || !e.claimCart(k) {
		return
	}
	e.goTracked(func() {
		defer e.unclaimCart(k)
		e.rebuild(ctx, *j, old, "orderable now")
	})
}

// failCart records a failed cart operation and backs off.
func (e *Engine) failCart(j cartJob, what string, err error) {
	e.mu.Lock()
	c := e.carts[j.key]
	if c == nil {
		c = &cartInfo{}
		e.carts[j.key] = c
	}
	c.Fails++
	c.NextTry = e.now().Add(backoff(e.cartRetryBase, 5*time.Minute, c.Fails-1, ovhapi.RetryAfterOf(err)))
	e.mu.Unlock()
	var ce *ovhapi.CallError
	call := what
	if errors.As(err, &ce) {
		call = ce.Call
	}
	text := fmt.Sprintf("%s for %s in %s: %v", what, j.s.PlanCode, j.key.DC, err)
	if why := explainRefusal(err); why != "" {
		text += " — " + why
	}
	e.emit(APIError{Base: e.base(j.key.Entry, j.key.DC), Call: call, Err: text, RetryAfter: ovhapi.RetryAfterOf(err), Class: ErrorClass(err)})
	e.setStatus(j.key.Entry, j.key.DC, StatusError, what+" failed")
	e.noteCartFailure(j.key, err)
}

// rebuild builds a new cart for the job and switches to it; the old cart,
// if any, is deleted afterwards (best effort).
func (e *Engine) rebuild(ctx context.Context, j cartJob, oldID, reason string) {
	if oldID == "" {
		e.setStatus(j.key.Entry, j.key.DC, StatusBuildingCart, reason)
	}
	info, err := e.buildCart(ctx, j)
	if err != nil {
		if ctx.Err() == nil {
			e.failCart(j, "build cart", err)
		}
		return
	}
	e.installCart(ctx, j, info, false)
	if oldID != "" {
		e.emit(CartRenewed{Base: e.base(j.key.Entry, j.key.DC), OldCartID: oldID, NewCartID: info.CartID, Reason: reason})
		if oldID != info.CartID {
			_ = e.api.DeleteCart(ctx, oldID) // best effort: an unused cart expires anyway
		}
	}
}

// buildCart creates and fills a cart for the job, checks it holds exactly
// what was asked and reads its price. A half-built cart is deleted.
func (e *Engine) buildCart(ctx context.Context, j cartJob) (*cartInfo, error) {
	s, dc := j.s, j.key.DC
	now := e.now()
	var cart ovhapi.Cart
	var err error
	// About a month ahead, like the existing tool; the maximum OVH accepts is
	// uncertain, so a refused date falls back to a week, then to OVH's default.
	for _, exp := range []time.Time{now.AddDate(0, 0, 30), now.AddDate(0, 0, 7), {}} {
		cart, err = e.api.CreateCart(ctx, j.sub, exp)
		if err == nil || !ovhapi.IsDefinitive(err) {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("create cart for %s in %s: %w", s.PlanCode, dc, err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = e.api.DeleteCart(context.WithoutCancel(ctx), cart.CartID)
		}
	}()
	if err := e.api.AssignCart(ctx, cart.CartID); err != nil {
		return nil, fmt.Errorf("assign cart %s: %w", cart.CartID, err)
	}
	item, err := e.api.AddEcoItem(ctx, cart.CartID, ovhapi.EcoItemRequest{PlanCode: s.PlanCode, Duration: ovhapi.DurationMonthly, PricingMode: ovhapi.PricingModeDefault, Quantity: s.Qty})
	if err != nil {
		return nil, fmt.Errorf("add %s to cart %s: %w", s.PlanCode, cart.CartID, err)
	}
	info := &cartInfo{EcoItemID: item.ItemID, ItemIDs: []int64{item.ItemID}}
	for _, addon := range s.AddonPlanCodes {
		opt, err := e.api.AddEcoOption(ctx, cart.CartID, ovhapi.EcoOptionRequest{ItemID: item.ItemID, PlanCode: addon, Duration: ovhapi.DurationMonthly, PricingMode: ovhapi.PricingModeDefault, Quantity: s.Qty})
		if err != nil {
			return nil, fmt.Errorf("add option %s to cart %s: %w", addon, cart.CartID, err)
		}
		info.ItemIDs = append(info.ItemIDs, opt.ItemID)
	}
	// The item is new: no label is set yet, so each is posted exactly once.
	for _, kv := range wantedLabels(s, dc) {
		if _, err := e.api.AddConfiguration(ctx, cart.CartID, item.ItemID, kv[0], kv[1]); err != nil {
			return nil, fmt.Errorf("set %s=%s on cart %s: %w", kv[0], kv[1], cart.CartID, err)
		}
	}
	for _, code := range s.Coupons {
		if err := e.api.AddCoupon(ctx, cart.CartID, code); err != nil {
			e.emit(Info{Base: e.base(j.key.Entry, dc), Sev: slog.LevelWarn,
				Text: fmt.Sprintf("coupon %q refused, skipped (the ceiling still guards the price): %s", code, ovhapi.MessageOf(err))})
		}
	}
	got, err := e.api.GetCart(ctx, cart.CartID)
	if err != nil {
		return nil, fmt.Errorf("read back cart %s: %w", cart.CartID, err)
	}
	if err := e.checkItems(ctx, cart.CartID, got.Items, info.ItemIDs, s); err != nil {
		return nil, err
	}
	sum, err := e.api.Summary(ctx, cart.CartID)
	switch {
	case err != nil && s.SkipValidate:
		// skip_validate: the price is not checked, so a failing summary
		// does not hold the cart back (built and verified is ready).
		e.emit(Info{Base: e.base(j.key.Entry, dc), Sev: slog.LevelWarn,
			Text: fmt.Sprintf("summary of cart %s failed (%v); skip_validate: the cart is ready without a price", cart.CartID, err)})
		sum = ovhapi.CartOrder{}
	case err != nil:
		return nil, fmt.Errorf("summary of cart %s: %w", cart.CartID, err)
	case !s.SkipValidate:
		if why := PriceProblem(sum.Prices.WithoutTax.Money(), j.sub); why != "" {
			return nil, fmt.Errorf("cart %s not ready: %s", cart.CartID, why)
		}
	}
	info.CartID = cart.CartID
	info.Expire = got.Expire
	if info.Expire.IsZero() {
		info.Expire = cart.Expire
	}
	info.Fingerprint = Fingerprint(j.sub, s, dc)
	info.Ready = true
	info.Price = sum.Prices.WithoutTax.Money()
	info.PriceTax = sum.Prices.WithTax.Money()
	if err == nil {
		info.ValidatedAt = e.now()
	}
	info.VerifiedAt = e.now()
	ok = true
	return info, nil
}

// wantedLabels are the configurations of the eco item: the entry's labels,
// then dedicated_datacenter and region from the DC entry (which win over
// labels of the same name).
func wantedLabels(s prefs.Server, dc string) [][2]string {
	var out [][2]string
	for _, k := range s.Labels.Keys() {
		if k == ovhapi.LabelDatacenter || k == ovhapi.LabelRegion {
			continue
		}
		v, _ := s.Labels.Get(k)
		out = append(out, [2]string{k, v})
	}
	out = append(out, [2]string{ovhapi.LabelDatacenter, dc})
	if r := regionOf(s, dc); r != "" {
		out = append(out, [2]string{ovhapi.LabelRegion, r})
	} else if v, ok := s.Labels.Get(ovhapi.LabelRegion); ok {
		out = append(out, [2]string{ovhapi.LabelRegion, v})
	}
	return out
}

// checkItems verifies that a cart holds exactly the items built (no stale
// duplicates), the plan with qty and every addon once.
func (e *Engine) checkItems(ctx context.Context, cartID string, have, want []int64, s prefs.Server) error {
	h := slices.Clone(have)
	w := slices.Clone(want)
	slices.Sort(h)
	slices.Sort(w)
	if !slices.Equal(h, w) {
		return fmt.Errorf("cart %s holds items %v, expected %v", cartID, have, want)
	}
	var plans, addons []string
	for _, id := range have {
		it, err := e.api.GetItem(ctx, cartID, id)
		if err != nil {
			return fmt.Errorf("read item %d of cart %s: %w", id, cartID, err)
		}
		if it.Settings.Quantity != s.Qty {
			return fmt.Errorf("cart %s item %d (%s) has quantity %d, expected %d", cartID, id, it.Settings.PlanCode, it.Settings.Quantity, s.Qty)
		}
		if id == want[0] {
			plans = append(plans, it.Settings.PlanCode)
		} else {
			addons = append(addons, it.Settings.PlanCode)
		}
	}
	wantAddons := slices.Clone(s.AddonPlanCodes)
	sort.Strings(addons)
	sort.Strings(wantAddons)
	if len(plans) != 1 || plans[0] != s.PlanCode || !slices.Equal(addons, wantAddons) {
		return fmt.Errorf("cart %s holds %v + %v, expected %s + %v", cartID, plans, addons, s.PlanCode, s.AddonPlanCodes)
	}
	return nil
}

// installCart makes info the cart of the job, saves it in dc_carts and
// reports it; a checkout may follow at once.
func (e *Engine) installCart(ctx context.Context, j cartJob, info *cartInfo, revalidated bool) {
	e.mu.Lock()
	e.carts[j.key] = info
	e.mu.Unlock()
	e.noteCartOK(j.key)
	e.persistCart(j.key, info)
	e.reportPrice(j, info, revalidated)
	e.evaluate(ctx)
}

// persistCart saves the cart in the entry's dc_carts.
func (e *Engine) persistCart(k CartKey, info *cartInfo) {
	err := e.update(fmt.Sprintf("cart %s in %s", info.CartID, k.DC), func(f *prefs.File) error {
		i := f.Find(k.Entry)
		if i < 0 {
			return errNoEntry
		}
		sum := &prefs.Summary{
			WithoutTaxUcents: info.Price.Ucents, WithTaxUcents: info.PriceTax.Ucents,
			Currency: info.Price.Currency, Text: info.Price.String(), ValidatedAt: info.ValidatedAt.UTC(),
		}
		if old, ok := f.Servers[i].DCCarts.Get(k.DC); ok && old.CartID == info.CartID && old.Summary != nil {
			s2 := *old.Summary // keeps unknown keys
			s2.WithoutTaxUcents, s2.WithTaxUcents, s2.Currency, s2.Text, s2.ValidatedAt = sum.WithoutTaxUcents, sum.WithTaxUcents, sum.Currency, sum.Text, sum.ValidatedAt
			sum = &s2
		}
		f.Servers[i].DCCarts.Set(prefs.DCCart{DC: k.DC, CartID: info.CartID, CartExpire: info.Expire.UTC(), ItemIDs: info.ItemIDs, Summary: sum})
		return nil
	})
	if err != nil && !errors.Is(err, errNoEntry) {
		e.emit(Info{Base: e.base(k.Entry, k.DC), Sev: slog.LevelError, Text: "saving the cart failed: " + err.Error()})
	}
}

// reportPrice emits CartReady and the status the price gives.
func (e *Engine) reportPrice(j cartJob, info *cartInfo, revalidated bool) {
	ceiling := money.Amount{Ucents: j.s.CeilingUcents(), Currency: info.Price.Currency}
	e.emit(CartReady{Base: e.base(j.key.Entry, j.key.DC), CartID: info.CartID, Expire: info.Expire, Price: info.Price,
		PriceTax: info.PriceTax, Ceiling: ceiling, SkipCheck: j.s.SkipValidate, Revalidate: revalidated})
	if !j.s.Accepts(info.Price.Ucents) {
		e.mu.Lock()
		prev := e.status[j.key]
		e.mu.Unlock()
		if prev != StatusOverCeiling {
			e.emit(PriceOverCeiling{Base: e.base(j.key.Entry, j.key.DC), Price: info.Price, Ceiling: ceiling})
		}
		e.setStatus(j.key.Entry, j.key.DC, StatusOverCeiling, info.Price.String())
		return
	}
	e.setStatus(j.key.Entry, j.key.DC, StatusReady, info.Price.String())
}

// adopt verifies a cart read from dc_carts at start: it must exist, not
// expire within the renewal margin, hold exactly the plan, qty, addons,
// labels and coupons the entry asks for. Otherwise it is rebuilt.
func (e *Engine) adopt(ctx context.Context, j cartJob, c cartInfo) {
	reason, err := e.checkAdopted(ctx, j, c)
	if err != nil && !ovhapi.IsNotFound(err) {
		if ctx.Err() == nil {
			e.failCart(j, "verify saved cart", err)
		}
		return
	}
	if reason != "" {
		e.rebuild(ctx, j, c.CartID, reason)
		return
	}
	c.Adopt = false
	c.Ready = true
	c.Fingerprint = Fingerprint(j.sub, j.s, j.key.DC)
	c.VerifiedAt = e.now()
	c.Fails, c.NextTry = 0, time.Time{}
	e.mu.Lock()
	e.carts[j.key] = &c
	e.mu.Unlock()
	e.emit(Info{Base: e.base(j.key.Entry, j.key.DC), Sev: slog.LevelInfo, Text: "reusing saved cart " + c.CartID})
	e.reportPrice(j, &c, false)
	e.evaluate(ctx)
}

// checkAdopted returns why a saved cart cannot be reused ("" if it can).
func (e *Engine) checkAdopted(ctx context.Context, j cartJob, c cartInfo) (string, error) {
	cart, err := e.api.GetCart(ctx, c.CartID)
	if ovhapi.IsNotFound(err) {
		return "saved cart gone", nil
	}
	if err != nil {
		return "", err
	}
	if cart.ReadOnly {
		return "saved cart already checked out", nil
	}
	if cart.Expire.Sub(e.now()) < e.renewBefore {
		return "saved cart expires soon", nil
	}
	if len(c.ItemIDs) == 0 {
		return "saved cart has no items recorded", nil
	}
	if err := e.checkItems(ctx, c.CartID, cart.Items, c.ItemIDs, j.s); err != nil {
		return "saved cart differs: " + err.Error(), nil
	}
	cfgs, err := e.api.ItemConfigurations(ctx, c.CartID, c.EcoItemID)
	if err != nil {
		return "", err
	}
	got := map[string]string{}
	for _, x := range cfgs {
		got[x.Label] = x.Value
	}
	want := wantedLabels(j.s, j.key.DC)
	if len(got) != len(want) {
		return "saved cart has other labels", nil
	}
	for _, kv := range want {
		if got[kv[0]] != kv[1] {
			return "saved cart has other labels", nil
		}
	}
	coupons, err := e.api.Coupons(ctx, c.CartID)
	if err != nil {
		return "", err
	}
	for _, code := range coupons {
		if !slices.Contains(j.s.Coupons, code) {
			return "saved cart has other coupons", nil
		}
	}
	if len(coupons) < len(j.s.Coupons) {
		// A missing coupon may have been refused at build time; it cannot be
		// told apart from a coupon added to the preferences since: rebuild.
		return "saved cart lacks a coupon", nil
	}
	c.Expire = cart.Expire
	return "", nil
}

// verify checks now and then that the cart still exists and holds its items
// (GET /order/cart/{id}: never in the hot path).
func (e *Engine) verify(ctx context.Context, j cartJob, c cartInfo) {
	cart, err := e.api.GetCart(ctx, c.CartID)
	switch {
	case ovhapi.IsNotFound(err):
		e.rebuild(ctx, j, c.CartID, "cart gone")
		return
	case err != nil:
		if ctx.Err() == nil {
			e.failCart(j, "verify cart", err)
		}
		return
	case cart.ReadOnly:
		e.rebuild(ctx, j, c.CartID, "cart read-only")
		return
	}
	h, w := slices.Clone(cart.Items), slices.Clone(c.ItemIDs)
	slices.Sort(h)
	slices.Sort(w)
	if !slices.Equal(h, w) {
		e.rebuild(ctx, j, c.CartID, "cart items changed")
		return
	}
	e.mu.Lock()
	if cur := e.carts[j.key]; cur != nil && cur.CartID == c.CartID {
		cur.VerifiedAt = e.now()
		if !cart.Expire.IsZero() {
			cur.Expire = cart.Expire
		}
		cur.Fails, cur.NextTry = 0, time.Time{}
	}
	e.mu.Unlock()
}

// revalidate re-reads the cart's summary so the fast path never relies on
// a price older than MaxValidationAge.
func (e *Engine) revalidate(ctx context.Context, j cartJob, c cartInfo) {
	e.spendUnsigned() // an unsigned re-check: it counts in the request budget
	sum, err := e.api.Summary(ctx, c.CartID)
	e.tooMany(err)
	e.mu.Lock()
	delete(e.reval, j.key)
	e.mu.Unlock()
	if ovhapi.IsNotFound(err) {
		e.rebuild(ctx, j, c.CartID, "cart gone")
		return
	}
	if err != nil {
		if ctx.Err() == nil {
			e.failCart(j, "re-validate cart", err)
		}
		return
	}
	price, priceTax := sum.Prices.WithoutTax.Money(), sum.Prices.WithTax.Money()
	if why := PriceProblem(price, j.sub); why != "" && !j.s.SkipValidate {
		// The old price ages out: no checkout until a valid one is read.
		e.failCart(j, "re-validate cart", fmt.Errorf("summary of cart %s: %s", c.CartID, why))
		return
	}
	e.mu.Lock()
	cur := e.carts[j.key]
	if cur == nil || cur.CartID != c.CartID {
		e.mu.Unlock()
		return
	}
	changed := cur.Price != price || cur.PriceTax != priceTax
	cur.Price, cur.PriceTax, cur.ValidatedAt = price, priceTax, e.now()
	cur.Fails, cur.NextTry = 0, time.Time{}
	cp := *cur
	e.mu.Unlock()
	if changed {
		e.persistCart(j.key, &cp)
		e.reportPrice(j, &cp, true)
	}
	e.evaluate(ctx)
}
