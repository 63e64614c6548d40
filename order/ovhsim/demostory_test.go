package ovhsim

import (
	"testing"
	"time"
)

// TestDemoPriceRiseAndFallBack: a raised price shows in a new cart's
// summary; ResetPlanPrice gives the catalog's back.
func TestDemoPriceRiseAndFallBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	monthly, setup, ok := e.sim.PlanPrice(testPlan)
	if !ok || monthly <= 0 {
		t.Fatalf("PlanPrice = %d, %d, %v", monthly, setup, ok)
	}
	summary := func() int64 {
		id, _ := e.buildCart(t, defaultSpec())
		var s struct {
			Prices struct {
				WithoutTax struct{ PriceInUcents int64 } `json:"withoutTax"`
			} `json:"prices"`
		}
		if err := e.client.Get("/order/cart/"+id+"/summary", &s); err != nil {
			t.Fatal(err)
		}
		return s.Prices.WithoutTax.PriceInUcents
	}
	before := summary()
	e.sim.SetPlanPrice(testPlan, monthly+10_00000000, setup)
	if m, _, _ := e.sim.PlanPrice(testPlan); m != monthly+10_00000000 {
		t.Errorf("PlanPrice after the rise = %d", m)
	}
	if got := summary(); got != before+10_00000000 {
		t.Errorf("summary after the rise = %d, want %d", got, before+10_00000000)
	}
	e.sim.ResetPlanPrice(testPlan)
	if got := summary(); got != before {
		t.Errorf("summary after the fall = %d, want %d", got, before)
	}
	if _, _, ok := e.sim.PlanPrice("noplan"); ok {
		t.Errorf("PlanPrice of an unknown plan is ok")
	}
}

// TestDemoNearExpiry: time flies for the manual-renewal server next in
// line (one just renewed is last), unless one is near already; automatic
// ones never.
func TestDemoNearExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	now := e.clock.Now()
	e.sim.AddServer(Server{Name: "auto", PlanCode: testPlan, DC: "gra", Expiration: now.AddDate(0, 0, 2), AutomaticRenew: true})
	e.sim.AddServer(Server{Name: "early", PlanCode: testPlan, DC: "gra", Expiration: now.AddDate(0, 0, 20), ManualPayment: true})
	e.sim.AddServer(Server{Name: "late", PlanCode: testPlan, DC: "gra", Expiration: now.AddDate(0, 2, 0), ManualPayment: true})
	name, exp := e.sim.NearExpiry(3*24*time.Hour, 7*24*time.Hour)
	if name != "early" || !exp.Equal(dateOf(now.Add(3*24*time.Hour))) {
		t.Fatalf("NearExpiry = %q %v, want early in 3 days", name, exp)
	}
	if name, _ := e.sim.NearExpiry(3*24*time.Hour, 7*24*time.Hour); name != "" {
		t.Errorf("a second NearExpiry moved %q while early is near", name)
	}
	for _, sv := range e.sim.Servers() {
		if sv.Name == "early" && !sv.Expiration.Equal(exp) || sv.Name == "late" && !sv.Expiration.Equal(dateOf(now.AddDate(0, 2, 0))) {
			t.Errorf("%s expires %v", sv.Name, sv.Expiration)
		}
	}
}

// TestDemoOrdersLapseAndServersAreKept: Options.OrderLife dates unpaid
// orders; Options.KeepDelivered keeps the latest delivered servers.
func TestDemoOrdersLapseAndServersAreKept(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{OrderLife: 10 * time.Minute, KeepDelivered: 2, DeliveryDelay: time.Minute})
	unpaid := e.placeOrder(t, false)
	near := ""
	for range 4 {
		e.placeOrder(t, true)
		e.clock.Advance(2 * time.Minute)
		if near == "" {
			near, _ = e.sim.NearExpiry(3*24*time.Hour, 7*24*time.Hour) // the first delivered, told to renew: kept
		}
	}
	e.clock.Advance(3 * time.Minute) // 11 minutes after the unpaid order
	var kept []string
	for _, sv := range e.sim.Servers() {
		if sv.OrderID != 0 {
			kept = append(kept, sv.Name)
		}
	}
	if near == "" || len(kept) != 3 || kept[0] != near {
		t.Errorf("delivered servers kept %v, want %q (near its expiry) and the 2 latest", kept, near)
	}
	for _, o := range e.sim.Orders() {
		switch {
		case o.ID == unpaid && (o.Status != StatusCancelled || !o.Expiration.Equal(o.Date.Add(10*time.Minute)) || !o.PaidAt.IsZero()):
			t.Errorf("unpaid order 11 minutes later, with a life of 10: %+v", o)
		case o.ID != unpaid && o.PaidAt.IsZero():
			t.Errorf("autopay order %d has no PaidAt", o.ID)
		}
	}
}
