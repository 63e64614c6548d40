package order

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

const checkoutSuffix = "/checkout"

func TestFullCycleOrdersOnceWithLatchSavedFirst(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	carts := h.waitCarts("fra", "gra")

	// When the checkout arrives at OVH, the latch must already be on disk.
	type latchSeen struct {
		f   *prefs.File
		err error
		req ovhsim.Request
	}
	seen := make(chan latchSeen, 4)
	env.sim.OnRequest(func(r ovhsim.Request) {
		if r.Method == "POST" && strings.HasSuffix(r.Path, checkoutSuffix) {
			f, err := prefs.Load(h.path)
			seen <- latchSeen{f, err, r}
		}
	})
	env.sim.SetAvailability(simFQN, "gra", "1H-low")
	placed := h.waitOrder()

	ls := <-seen
	if ls.err != nil {
		t.Fatal(ls.err)
	}
	s := ls.f.Servers[0]
	if !s.OrderAttempted || s.Qty != 0 || s.OrderAttemptedIn != "gra" || s.OrderAttemptedQty != 1 ||
		s.OrderAttemptedCart != carts["gra"] || s.OrderAttemptedAt.IsZero() {
		t.Fatalf("latch on disk at checkout time: attempted=%v qty=%d in=%q qty0=%d cart=%q at=%v",
			s.OrderAttempted, s.Qty, s.OrderAttemptedIn, s.OrderAttemptedQty, s.OrderAttemptedCart, s.OrderAttemptedAt)
	}
	if !strings.Contains(ls.req.Path, carts["gra"]) {
		t.Fatalf("checkout of %s, want the ready cart %s", ls.req.Path, carts["gra"])
	}

	orders := env.sim.Orders()
	if len(orders) != 1 || orders[0].DC != "gra" || orders[0].PlanCode != simPlan || !orders[0].Autopay || orders[0].Quantity != 1 {
		t.Fatalf("orders: %+v", orders)
	}
	if placed.OrderID != orders[0].ID || placed.DC != "gra" || placed.OverCeiling || placed.Reconciled {
		t.Fatalf("OrderPlaced %+v, sim order %d", placed, orders[0].ID)
	}
	h.wait("prefs saved with the order", func(ev Event) bool {
		p, ok := ev.(PrefsSaved)
		return ok && strings.HasPrefix(p.Reason, "order ")
	})
	f := h.file().Servers[0]
	if f.OrderID != orders[0].ID || f.OrderedIn != "gra" || f.OrderURL == "" || f.OrderedAt.IsZero() || f.Qty != 0 || f.OrderError != "" {
		t.Fatalf("recorded order: id=%d in=%q url=%q at=%v qty=%d err=%q", f.OrderID, f.OrderedIn, f.OrderURL, f.OrderedAt, f.Qty, f.OrderError)
	}

	// Fast path: the request before the checkout is the poll that showed gra
	// orderable; nothing for that entry's carts in between.
	reqs := env.sim.Requests()
	i := slices.IndexFunc(reqs, func(r ovhsim.Request) bool { return r.Method == "POST" && strings.HasSuffix(r.Path, checkoutSuffix) })
	j := i - 1
	for j >= 0 && !strings.HasPrefix(reqs[j].Path, "/dedicated/server/datacenter/availabilities") {
		if strings.Contains(reqs[j].Path, carts["gra"]) || strings.Contains(reqs[j].Path, carts["fra"]) {
			t.Fatalf("request %s %s between the poll and the checkout", reqs[j].Method, reqs[j].Path)
		}
		j--
	}
	if j < 0 || !strings.Contains(reqs[j].RawQuery, "planCode="+simPlan) {
		t.Fatalf("no filtered poll before the checkout")
	}
	if n := len(env.requests("POST", checkoutSuffix)); n != 1 {
		t.Fatalf("%d checkouts, want 1", n)
	}
}

func TestPollIsFilteredAndPublicCallsUnsigned(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	h.waitCarts("fra", "gra")
	h.waitPolls(2)
	h.stop()
	for _, r := range env.sim.Requests() {
		signedWanted := strings.HasSuffix(r.Path, "/assign") || strings.HasSuffix(r.Path, "/checkout") ||
			strings.HasSuffix(r.Path, "/coupon") || strings.HasPrefix(r.Path, "/me") || r.Path == "/auth/time"
		if r.Path == "/auth/time" {
			continue
		}
		if r.Signed != signedWanted {
			t.Errorf("%s %s signed=%v, want %v", r.Method, r.Path, r.Signed, signedWanted)
		}
		if strings.HasPrefix(r.Path, "/dedicated/server/datacenter/availabilities") {
			if !strings.Contains(r.RawQuery, "planCode="+simPlan) || !strings.Contains(r.RawQuery, "datacenters=fra%2Cgra") {
				t.Errorf("unfiltered poll: %s", r.RawQuery)
			}
		}
	}
}

func TestCartHoldsExactlyWhatWasAsked(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) { m["qty"] = 2 })))
	carts := h.waitCarts("fra", "gra")
	for _, c := range env.sim.Carts() {
		if c.ID != carts["fra"] {
			continue
		}
		var plans, addons []string
		for _, it := range c.Items {
			if it.Quantity != 2 || it.Duration != "P1M" || it.PricingMode != "default" {
				t.Errorf("item %+v", it)
			}
			if it.ParentID == 0 {
				plans = append(plans, it.PlanCode)
				want := map[string]string{"dedicated_os": "none_64.en", "dedicated_datacenter": "fra", "region": "europe"}
				if len(it.Configurations) != len(want) {
					t.Errorf("configurations %v", it.Configurations)
				}
				for k, v := range want {
					if it.Configurations[k] != v {
						t.Errorf("configuration %s=%q, want %q", k, it.Configurations[k], v)
					}
				}
			} else {
				addons = append(addons, it.PlanCode)
			}
		}
		slices.Sort(addons)
		want := slices.Clone(simAddons)
		slices.Sort(want)
		if !slices.Equal(plans, []string{simPlan}) || !slices.Equal(addons, want) {
			t.Fatalf("cart holds %v + %v", plans, addons)
		}
		if c.Expire.Sub(c.Created) < 29*24*time.Hour {
			t.Errorf("cart expires %v after creation, want about a month", c.Expire.Sub(c.Created))
		}
		return
	}
	t.Fatal("cart not found in the simulator")
}

func TestQty2OneCartOneCheckout(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) { m["qty"] = 2 })))
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "24H")
	h.waitOrder()
	orders := env.sim.Orders()
	if len(orders) != 1 || orders[0].Quantity != 2 || orders[0].DC != "fra" {
		t.Fatalf("orders %+v", orders)
	}
	if n := len(env.requests("POST", checkoutSuffix)); n != 1 {
		t.Fatalf("%d checkouts", n)
	}
}

func TestDefinitiveRefusalReleasesLatchAndKeepsWatching(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	carts := h.waitCarts("fra", "gra")
	env.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: "/order/cart/" + carts["fra"] + "/checkout", Status: 400,
		Body: `{"class":"Client::BadRequest","message":"Something in your cart is wrong"}`, Times: 1})
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	failed := h.wait("definitive failure", isA[OrderFailed]).(OrderFailed)
	if !failed.Definitive || !strings.Contains(failed.Err, "Something in your cart is wrong") {
		t.Fatalf("OrderFailed %+v", failed)
	}
	// Keeps watching: the next poll orders for real.
	h.waitOrder()
	if n := len(env.requests("POST", checkoutSuffix)); n != 2 {
		t.Fatalf("%d checkouts, want 2 (refused, then ordered)", n)
	}
	if n := len(env.sim.Orders()); n != 1 {
		t.Fatalf("%d orders", n)
	}
}

func TestDefinitiveRefusalRestoresQty(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) { m["qty"] = 2 })))
	carts := h.waitCarts("fra", "gra")
	env.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: "/order/cart/" + carts["fra"] + "/checkout", Status: 403,
		Body: `{"class":"Client::Forbidden","message":"This call has not been granted"}`})
	// The refused cart is dropped and none is built again, so the released
	// entry is not latched anew for a second checkout (20 ms later) before
	// the file is read below, however late that read comes.
	env.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: "/order/cart", Status: 500})
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	h.wait("definitive failure", isA[OrderFailed])
	h.wait("latch released", func(ev Event) bool {
		p, ok := ev.(PrefsSaved)
		return ok && strings.HasPrefix(p.Reason, "checkout refused")
	})
	s := h.file().Servers[0]
	if s.OrderAttempted || s.Qty != 2 || !strings.Contains(s.OrderError, "not been granted") || s.OrderID != 0 {
		t.Fatalf("after refusal: attempted=%v qty=%d error=%q", s.OrderAttempted, s.Qty, s.OrderError)
	}
}

func TestAmbiguousCheckoutKeepsLatchAndReconciles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault ovhsim.Fault
	}{
		{"500 after the order was made", ovhsim.Fault{Status: 500, AfterHandler: true}},
		{"connection dropped after the order was made", ovhsim.Fault{DropConnection: true, AfterHandler: true}},
		{"malformed 200 after the order was made", ovhsim.Fault{Body: `{"orderId": 12`, AfterHandler: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newSim(t, ovhsim.Options{})
			h := startEngine(t, env, "", prefsJSON(t, entry()))
			carts := h.waitCarts("fra", "gra")
			f := tc.fault
			f.Method, f.Path, f.Times = "POST", "/order/cart/"+carts["fra"]+"/checkout", 1
			env.sim.InjectFault(f)
			env.sim.SetAvailability(simFQN, "fra", "1H-high")
			// The gate looks the order up at once after the unclear answer.
			placed := h.waitOrder()
			if !placed.Reconciled || placed.AfterRestart || placed.DC != "fra" {
				t.Fatalf("OrderPlaced %+v", placed)
			}
			orders := env.sim.Orders()
			if len(orders) != 1 || placed.OrderID != orders[0].ID {
				t.Fatalf("orders %+v", orders)
			}
			h.waitPolls(3)
			if n := len(env.requests("POST", checkoutSuffix)); n != 1 {
				t.Fatalf("%d checkouts, want exactly 1", n)
			}
			s := h.file().Servers[0]
			if s.OrderID != orders[0].ID || s.OrderURL == "" || s.OrderedIn != "fra" {
				t.Fatalf("recorded %+v", s)
			}
		})
	}
}

func TestAmbiguousCheckoutWithoutOrderNeedsDecision(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	carts := h.waitCarts("fra", "gra")
	env.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: "/order/cart/" + carts["fra"] + "/checkout", Status: 503})
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	env.sim.SetAvailability(simFQN, "gra", "1H-high")
	h.wait("needs decision", isA[NeedsDecision])
	h.waitPolls(3)
	if n := len(env.requests("POST", checkoutSuffix)); n != 1 {
		t.Fatalf("%d checkouts: an ambiguous outcome must never be retried, nor moved to another DC", n)
	}
	s := h.file().Servers[0]
	if !s.OrderAttempted || s.Qty != 0 || s.OrderID != 0 {
		t.Fatalf("latch not kept: %+v", s)
	}
	if len(env.sim.Orders()) != 0 {
		t.Fatal("an order exists")
	}

	// The user's confirmed re-arm restores qty; the entry orders again.
	env.sim.ClearFaults()
	// Once the look-up retries ended (NeedsDecision is said before the
	// goroutine that says it ends, and until then re-arm is refused).
	if err := h.buyAnother(s.Key(), 0); err != nil {
		t.Fatal(err)
	}
	h.waitOrder()
	if n := len(env.sim.Orders()); n != 1 {
		t.Fatalf("%d orders", n)
	}
}

func TestCartGoneAtCheckoutRebuildsAndRetriesOnce(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	carts := h.waitCarts("fra", "gra")
	env.sim.ExpireCart(carts["fra"])
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	placed := h.waitOrder()
	ren := h.wait("cart renewed", isA[CartRenewed]).(CartRenewed)
	if ren.OldCartID != carts["fra"] || ren.NewCartID == carts["fra"] {
		t.Fatalf("renewed %+v", ren)
	}
	checkouts := env.requests("POST", checkoutSuffix)
	if len(checkouts) != 2 || checkouts[0].Status != 404 || !strings.Contains(checkouts[1].Path, ren.NewCartID) {
		t.Fatalf("checkouts %+v", checkouts)
	}
	orders := env.sim.Orders()
	if len(orders) != 1 || orders[0].ID != placed.OrderID || orders[0].CartID != ren.NewCartID {
		t.Fatalf("orders %+v", orders)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	h.waitPolls(1)
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: "/dedicated/server/datacenter/availabilities", Status: 429, RetryAfter: time.Second, Times: 1})
	apiErr := h.wait("429", func(ev Event) bool { a, ok := ev.(APIError); return ok && a.RetryAfter > 0 }).(APIError)
	if apiErr.RetryAfter != time.Second {
		t.Fatalf("RetryAfter %v", apiErr.RetryAfter)
	}
	// Polls are per plan: wait for this plan's next answer.
	h.wait("a poll after the 429", func(ev Event) bool { p, ok := ev.(PollOK); return ok && p.Time.After(apiErr.Time) })
	polls := env.requests("GET", "/dedicated/server/datacenter/availabilities")
	for i, r := range polls {
		if r.Status == 429 {
			if i+1 >= len(polls) {
				t.Fatal("no poll after the 429")
			}
			if gap := polls[i+1].Wall.Sub(r.Wall); gap < time.Second {
				t.Fatalf("next poll %v after the 429, want >= Retry-After 1s", gap)
			}
			return
		}
	}
	t.Fatal("no 429 seen")
}

func TestMalformedPollKeepsGoing(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	h.waitCarts("fra", "gra")
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: "/dedicated/server/datacenter/availabilities", Body: `[{"fqn": `, Times: 2})
	h.wait("malformed poll error", func(ev Event) bool {
		a, ok := ev.(APIError)
		return ok && strings.Contains(a.Err, "malformed")
	})
	env.sim.SetAvailability(simFQN, "gra", "1H-low")
	if p := h.waitOrder(); p.DC != "gra" {
		t.Fatalf("ordered in %s", p.DC)
	}
}

func TestServerErrorsDuringCartBuildAreRetried(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	env.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: "/order/cart", Status: 500, Times: 2})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) {
		m["datacenters"] = []map[string]string{{"region": "europe", "dedicated_datacenter": "fra"}}
	})), func(e *Engine) { e.cartRetryBase = time.Millisecond }) // not 5 s, then 10 s
	isCartCreation := func(ev Event) bool { a, ok := ev.(APIError); return ok && a.Call == "POST /order/cart" }
	h.wait("api error", isCartCreation)
	h.waitCarts("fra")
	// Only the cart creations count: any other call that fails on a loaded
	// machine is not what this test is about.
	if n := h.count(isCartCreation); n != 2 {
		t.Errorf("%d API errors on POST /order/cart, want one per 500:\n%s", n, h.dump())
	}
}

func TestPriceRaisedAfterValidationCaughtByRevalidation(t *testing.T) {
	clock := newFakeClock()
	env := newSim(t, ovhsim.Options{Now: clock.Now})
	h := startEngine(t, env, "", prefsJSON(t, entry()), func(c *Config) { c.Now = clock.Now })
	h.waitCarts("fra", "gra")
	env.sim.SetPlanPrice(simPlan, 60_00000000, 0)
	clock.Advance(4*time.Minute + time.Second)
	h.eng.wakeKeeper()
	over := h.wait("price over ceiling", isA[PriceOverCeiling]).(PriceOverCeiling)
	if over.Retired || over.Price.Ucents <= 50_00000000 {
		t.Fatalf("PriceOverCeiling %+v", over)
	}
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	env.sim.SetAvailability(simFQN, "gra", "1H-high")
	h.wait("retired", func(ev Event) bool { p, ok := ev.(PriceOverCeiling); return ok && p.Retired })
	h.waitPolls(2)
	if n := len(env.requests("POST", checkoutSuffix)); n != 0 {
		t.Fatalf("%d checkouts over the ceiling", n)
	}
	s := h.file().Servers[0]
	if s.Qty != 0 || s.CeilingPrice != 0 {
		t.Fatalf("not retired: qty %d ceiling %v", s.Qty, s.CeilingPrice)
	}
}

func TestStaleValidationWaitsForRevalidation(t *testing.T) {
	clock := newFakeClock()
	env := newSim(t, ovhsim.Options{Now: clock.Now})
	h := startEngine(t, env, "", prefsJSON(t, entry()), func(c *Config) { c.Now = clock.Now },
		func(e *Engine) { e.revalidateEvery = time.Hour })
	h.waitCarts("fra", "gra")
	// Jump past MaxValidationAge without waking the keeper: the poll finds
	// fra orderable with a stale price and asks for a re-read first.
	clock.Advance(MaxValidationAge + time.Second)
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	h.waitOrder()
	reqs := env.sim.Requests()
	i := slices.IndexFunc(reqs, func(r ovhsim.Request) bool { return r.Method == "POST" && strings.HasSuffix(r.Path, checkoutSuffix) })
	sawSummary := false
	for _, r := range reqs[:i] {
		if strings.HasSuffix(r.Path, "/summary") && r.Time.Equal(clock.Now()) {
			sawSummary = true
		}
	}
	if !sawSummary {
		t.Fatal("checkout without a fresh summary")
	}
}

func TestCheckoutTotalOverCeilingIsFlagged(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	h.waitCarts("fra", "gra")
	env.sim.SetPlanPrice(simPlan, 60_00000000, 0) // after validation, before the next re-read
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	p := h.waitOrder()
	if !p.OverCeiling || p.Level().String() != "ERROR" {
		t.Fatalf("OrderPlaced %+v not flagged", p)
	}
}

func TestDCPreferenceAndDeliveryWindows(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	h.waitCarts("fra", "gra")
	// Over the default 72 h: not orderable.
	env.sim.SetAvailability(simFQN, "fra", "240H")
	env.sim.SetAvailability(simFQN, "gra", "comingSoon")
	h.wait("availability seen", func(ev Event) bool { a, ok := ev.(AvailabilityChanged); return ok && a.New == "240H" && !a.Orderable })
	h.waitPolls(3)
	if n := len(env.requests("POST", checkoutSuffix)); n != 0 {
		t.Fatalf("ordered a 240H / comingSoon server")
	}
	// Both orderable at once: fra comes first in the list.
	env.setAvailabilities(simFQN, "gra", "1H-high", "fra", "72H")
	if p := h.waitOrder(); p.DC != "fra" {
		t.Fatalf("ordered in %s, want fra (first listed)", p.DC)
	}
}

func TestMaxDeliveryHoursAccepts240H(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) { m["max_delivery_hours"] = 240 })))
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "gra", "240H")
	if p := h.waitOrder(); p.DC != "gra" {
		t.Fatalf("ordered in %s", p.DC)
	}
}

func TestPlaceOrderFalseDryRunStopsEntry(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) { m["place_order"] = false })))
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "gra", "1H-high")
	w := h.wait("would have ordered", isA[WouldHaveOrdered]).(WouldHaveOrdered)
	if w.DC != "gra" || w.Price.Ucents <= 0 || !strings.Contains(w.Message(), "would have ordered in gra") {
		t.Fatalf("%+v", w)
	}
	h.wait("qty 0 saved", func(ev Event) bool { p, ok := ev.(PrefsSaved); return ok && strings.HasPrefix(p.Reason, "dry run") })
	if s := h.file().Servers[0]; s.Qty != 0 || s.OrderAttempted {
		t.Fatalf("qty %d attempted %v", s.Qty, s.OrderAttempted)
	}
	if len(env.requests("POST", checkoutSuffix)) != 0 || len(env.requests("GET", checkoutSuffix)) != 1 || len(env.sim.Orders()) != 0 {
		t.Fatal("dry run placed an order or did not GET checkout once")
	}
}

func TestSkipValidateOrdersAboveCeiling(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) {
		m["skip_validate"] = true
		m["ceiling_price"] = 1.0
	})))
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	if p := h.waitOrder(); p.OverCeiling {
		t.Fatalf("skip_validate order flagged over ceiling: %+v", p)
	}
}

func TestCouponsInvalidReportedAndSkipped(t *testing.T) {
	env := newSim(t, ovhsim.Options{Coupons: map[string]int64{"GOOD10": 10}})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) {
		m["coupons"] = []string{"BADCODE", "GOOD10"}
		m["datacenters"] = []map[string]string{{"region": "europe", "dedicated_datacenter": "fra"}}
	})))
	ready := h.waitCarts("fra")
	h.wait("coupon refused", func(ev Event) bool {
		i, ok := ev.(Info)
		return ok && strings.Contains(i.Text, `"BADCODE" refused`)
	})
	for _, c := range env.sim.Carts() {
		if c.ID == ready["fra"] && !slices.Equal(c.Coupons, []string{"GOOD10"}) {
			t.Fatalf("cart coupons %v", c.Coupons)
		}
	}
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	h.waitOrder()
}

func TestAutopayAndWaivePassedThrough(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) {
		m["autopay"] = false
		m["waive_retractation"] = true
	})))
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	h.waitOrder()
	o := env.sim.Orders()
	if len(o) != 1 || o[0].Autopay || !o[0].Waive {
		t.Fatalf("orders %+v", o)
	}
}

func TestRefusedPaymentMethodStopsEntry(t *testing.T) {
	env := newSim(t, ovhsim.Options{PaymentMethod: ovhsim.PaymentNone})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	f := h.wait("refused", isA[OrderFailed]).(OrderFailed)
	if !f.Definitive || !strings.Contains(f.Err, "payment method") {
		t.Fatalf("%+v", f)
	}
	h.wait("released", func(ev Event) bool {
		p, ok := ev.(PrefsSaved)
		return ok && strings.HasPrefix(p.Reason, "checkout refused")
	})
	s := h.file().Servers[0]
	if s.Qty != 0 || s.OrderAttempted || !strings.Contains(s.OrderError, "payment method") {
		t.Fatalf("entry not stopped: qty %d attempted %v error %q", s.Qty, s.OrderAttempted, s.OrderError)
	}
	if n := len(env.requests("POST", checkoutSuffix)); n != 1 {
		t.Fatalf("%d checkouts", n)
	}
}

func TestNotAvailableAtCheckoutIsNotACartFailure(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	carts := h.waitCarts("fra", "gra")
	env.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: "/order/cart/" + carts["fra"] + "/checkout", Status: 400, Times: 1,
		Body: `{"class":"Client::BadRequest","message":"` + simFQN + ` is not available in fra"}`})
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	env.sim.SetAvailability(simFQN, "gra", "1H-high")
	// fra cools down; gra (next in the list) is ordered.
	if p := h.waitOrder(); p.DC != "gra" {
		t.Fatalf("ordered in %s", p.DC)
	}
	if n := h.count(isA[CartRenewed]); n != 0 {
		t.Fatalf("%d carts rebuilt after a 'not available' refusal", n)
	}
}

func TestCartRenewedBeforeExpiryAndRebuiltWhenGone(t *testing.T) {
	clock := newFakeClock()
	env := newSim(t, ovhsim.Options{Now: clock.Now})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) {
		m["datacenters"] = []map[string]string{{"region": "europe", "dedicated_datacenter": "fra"}}
	})), func(c *Config) { c.Now = clock.Now })
	first := h.waitCarts("fra")["fra"]

	clock.Advance(29*24*time.Hour + time.Hour) // less than a day left
	h.eng.wakeKeeper()
	ren := h.wait("renewal", isA[CartRenewed]).(CartRenewed)
	if ren.OldCartID != first || !strings.Contains(ren.Reason, "renewal") {
		t.Fatalf("%+v", ren)
	}
	h.wait("saved", func(ev Event) bool {
		p, ok := ev.(PrefsSaved)
		return ok && strings.Contains(p.Reason, ren.NewCartID)
	})
	if c, _ := h.file().Servers[0].DCCarts.Get("fra"); c.CartID != ren.NewCartID {
		t.Fatalf("dc_carts holds %s", c.CartID)
	}

	// A cart that dies is found by the occasional GET and rebuilt.
	env.sim.ExpireCart(ren.NewCartID)
	clock.Advance(11 * time.Minute)
	h.eng.wakeKeeper()
	gone := h.wait("rebuilt", func(ev Event) bool { r, ok := ev.(CartRenewed); return ok && r.OldCartID == ren.NewCartID }).(CartRenewed)
	if gone.Reason != "cart gone" {
		t.Fatalf("%+v", gone)
	}
}

func TestRestartReusesLiveCarts(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	carts := h.waitCarts("fra", "gra")
	h.stop()
	before := len(env.sim.Requests())

	h2 := startEngine(t, env, h.path, nil)
	again := h2.waitCarts("fra", "gra")
	if again["fra"] != carts["fra"] || again["gra"] != carts["gra"] {
		t.Fatalf("carts %v after restart, want %v", again, carts)
	}
	for _, r := range env.sim.Requests()[before:] {
		if r.Method == "POST" && r.Path == "/order/cart" {
			t.Fatal("a new cart was created after restart")
		}
	}
	env.sim.SetAvailability(simFQN, "gra", "1H-high")
	if p := h2.waitOrder(); !strings.Contains(env.sim.Orders()[0].CartID, carts["gra"]) || p.DC != "gra" {
		t.Fatalf("order %+v", env.sim.Orders())
	}
}

func TestRestartRebuildsCartsWhenSettingsChanged(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	carts := h.waitCarts("fra", "gra")
	h.stop()
	f := h.file()
	f.Servers[0].Qty = 2
	data, _ := f.Marshal()
	h2 := startEngine(t, env, h.path, data)
	again := h2.waitCarts("fra")
	if again["fra"] == carts["fra"] {
		t.Fatal("cart for qty 1 reused for qty 2")
	}
}

func TestStartupReconciliation(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	carts := h.waitCarts("fra", "gra")
	h.stop()

	// The process died after OVH made the order, before recording it:
	// simulate by checking out directly, with the latch on disk.
	env.sim.SetAvailability(simFQN, "gra", "1H-high")
	f := h.file()
	s := &f.Servers[0]
	s.OrderAttempted, s.OrderAttemptedAt, s.OrderAttemptedIn, s.OrderAttemptedQty, s.OrderAttemptedCart, s.Qty =
		true, time.Now().UTC(), "gra", 1, carts["gra"], 0
	if _, err := h.api.Checkout(context.Background(), carts["gra"], ovhapi.CheckoutRequest{AutoPayWithPreferredPaymentMethod: true}); err != nil {
		t.Fatal(err)
	}
	data, _ := f.Marshal()
	h2 := startEngine(t, env, h.path, data, func(c *Config) { c.ExitWhenIdle = true })
	p := h2.waitOrder()
	if !p.Reconciled || p.OrderID != env.sim.Orders()[0].ID {
		t.Fatalf("%+v", p)
	}
	select {
	case err := <-h2.done:
		h2.done <- err
	case <-time.After(waitTimeout):
		t.Fatal("ExitWhenIdle: Run did not return")
	}
	rec := h2.file().Servers[0]
	if rec.OrderID != p.OrderID || rec.OrderURL == "" {
		t.Fatalf("%+v", rec)
	}
	if n := len(env.requests("POST", checkoutSuffix)); n != 1 {
		t.Fatalf("%d checkouts", n)
	}
}

func TestStartupLatchWithoutOrderNeedsDecisionAndIdleExit(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	// Another order of the same plan in another DC must not match.
	api := env.client(t)
	env.sim.SetAvailability(simFQN, "gra", "1H-high")
	other := buildCartDirect(t, api, "gra")
	if _, err := api.Checkout(context.Background(), other, ovhapi.CheckoutRequest{}); err != nil {
		t.Fatal(err)
	}
	content := prefsJSON(t, entry(func(m map[string]any) {
		m["order_attempted"] = true
		m["order_attempted_at"] = time.Now().UTC().Format(time.RFC3339)
		m["order_attempted_in"] = "fra"
		m["order_attempted_qty"] = 1
		m["qty"] = 0
	}))
	h := startEngine(t, env, "", content, func(c *Config) { c.ExitWhenIdle = true })
	nd := h.wait("needs decision", isA[NeedsDecision]).(NeedsDecision)
	if !strings.Contains(nd.Reason, "no matching order") {
		t.Fatalf("%+v", nd)
	}
	select {
	case err := <-h.done:
		h.done <- err
	case <-time.After(waitTimeout):
		t.Fatal("ExitWhenIdle: Run did not return")
	}
	s := h.file().Servers[0]
	if !s.OrderAttempted || s.OrderID != 0 {
		t.Fatalf("%+v", s)
	}
	lines := Summary(h.file())
	if len(lines) != 1 || !strings.Contains(lines[0], "needs your decision") {
		t.Fatalf("summary %q", lines)
	}
}

// buildCartDirect builds a complete cart with the API, as the engine would.
func buildCartDirect(t *testing.T, api *ovhapi.OVHClient, dc string) string {
	t.Helper()
	f, err := prefs.Parse("x", prefsJSON(t, entry()))
	if err != nil {
		t.Fatal(err)
	}
	e := New(Config{API: api})
	info, err := e.buildCart(context.Background(), cartJob{key: CartKey{Entry: "x", DC: dc}, sub: "IE", s: f.Servers[0]})
	if err != nil {
		t.Fatal(err)
	}
	return info.CartID
}

type catalogFromBytes struct {
	data []byte
	mu   sync.Mutex
	n    int
}

func (c *catalogFromBytes) Catalog(ctx context.Context) (*catalog.Catalog, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return catalog.Parse(c.data, catalog.ParseOptions{Subsidiary: "IE"})
}

func TestFetchCatalogResolvesAddons(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	cp := &catalogFromBytes{data: catalogJSON(t)}
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) {
		m["addon_planCodes"] = []string{}
		m["fetch_catalog"] = map[string]string{"storage": "", "memory": "", "bandwidth": ""}
	})), func(c *Config) { c.Catalog = cp })
	h.waitCarts("fra", "gra")
	s := h.file().Servers[0]
	got := slices.Clone(s.AddonPlanCodes)
	slices.Sort(got)
	want := slices.Clone(simAddons)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("addons %v, want %v", s.AddonPlanCodes, want)
	}
	if s.FetchCatalog == nil || s.FetchCatalog.Len() != 0 {
		t.Fatalf("fetch_catalog not cleared to {}: %+v", s.FetchCatalog)
	}
	h.waitPolls(3)
	cp.mu.Lock()
	n := cp.n
	cp.mu.Unlock()
	if n != 1 {
		t.Fatalf("catalog fetched %d times, want once (only while needed)", n)
	}
}

func TestFetchCatalogWithoutProviderIsAnError(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) {
		m["addon_planCodes"] = []string{}
		m["fetch_catalog"] = map[string]string{"memory": ""}
	})))
	h.wait("error", func(ev Event) bool {
		i, ok := ev.(Info)
		return ok && strings.Contains(i.Text, "fetch_catalog")
	})
}

func TestExternalEditPickedUp(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) { m["qty"] = 0 })))
	h.wait("started", isA[Info])
	f := h.file()
	f.Servers[0].Qty = 1
	data, _ := f.Marshal()
	if err := prefs.SaveAtomic(h.path, data); err != nil {
		t.Fatal(err)
	}
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	h.waitOrder()
}

func TestIdleEngineCostsOnePollPerPlan(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	two := entry(func(m map[string]any) {
		m["fqn"] = simPlan + ".ram-32g-ecc-2400.softraid-2x2000sa"
		m["addon_planCodes"] = []string{"softraid-2x2000sa-25skle", "bandwidth-300-25skle", "ram-32g-ecc-2400-25skle"}
	})
	// The carts' periodic re-check (every 30 s) is not what this counts: it
	// is kept out of the window however long a loaded machine makes it.
	h := startEngine(t, env, "", prefsJSON(t, entry(), two), func(e *Engine) { e.revalidateEvery = time.Hour })
	h.waitCarts("fra", "gra")
	h.wait("4 carts", func(Event) bool { return h.countLocked(isA[CartReady]) >= 4 })
	h.waitPolls(2)
	// Counted against the poll cycles the engine ran meanwhile, not against
	// a number of cycles waited for: the engine goes on cycling while this
	// goroutine waits to be scheduled, and on a loaded machine a poll can
	// outlast a cycle (the next cycle then skips the plan, still in flight).
	before := h.cyclesNow()
	env.sim.ResetRequests()
	const wantPolls = 10
	h.wait(fmt.Sprintf("%d polls", wantPolls), func(Event) bool {
		return len(env.requests("GET", "/dedicated/server/datacenter/availabilities")) >= wantPolls
	})
	h.stop()
	cycles := h.cyclesNow() - before
	polls := 0
	for _, r := range env.sim.Requests() {
		if strings.HasPrefix(r.Path, "/dedicated/server/datacenter/availabilities") {
			polls++
			continue
		}
		t.Errorf("idle request %s %s", r.Method, r.Path)
	}
	// One plan: a cycle starts at most one poll (none while the last one is
	// in flight). Beyond the cycles counted, the poll a cycle started before
	// the reset may be logged after it, and the last cycle may start one
	// and see the engine stop before it counts. One poll per entry instead
	// of per plan would be two a cycle.
	if polls > cycles+2 {
		t.Fatalf("%d polls in %d poll cycles of one planCode (one per plan: at most %d; one per entry: about %d)",
			polls, cycles, cycles+2, 2*cycles)
	}
}
