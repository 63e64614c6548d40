package ovhsim

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Today's OVH (the 2025-10 export): zone-named DCs, the payment method's
// status, the order follow-up.

func TestZoneNamedDatacenterIsServedAndOrdered(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{AZDatacenters: map[string][]string{testPlan: {"eu-west-par-a"}}})
	var cat struct {
		Plans []struct {
			PlanCode       string `json:"planCode"`
			Configurations []struct {
				Name   string   `json:"name"`
				Values []string `json:"values"`
			} `json:"configurations"`
		} `json:"plans"`
	}
	if err := e.client.GetUnAuth("/order/catalog/public/eco?ovhSubsidiary=IE", &cat); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range cat.Plans {
		for _, c := range p.Configurations {
			if p.PlanCode == testPlan && c.Name == "dedicated_datacenter" {
				found = strings.Contains(strings.Join(c.Values, ","), "eu-west-par-a")
			}
		}
	}
	if !found {
		t.Fatal("the catalog does not sell the plan in eu-west-par-a")
	}
	e.sim.SetAvailability(testFQN, "eu-west-par-a", Avail1HHigh)
	var feed []struct {
		FQN         string `json:"fqn"`
		Datacenters []struct{ Datacenter, Availability string }
	}
	if err := e.client.GetUnAuth("/dedicated/server/datacenter/availabilities?planCode="+testPlan+"&datacenters=eu-west-par-a", &feed); err != nil {
		t.Fatal(err)
	}
	ok := false
	for _, it := range feed {
		ok = ok || it.FQN == testFQN && len(it.Datacenters) == 1 && it.Datacenters[0].Availability == Avail1HHigh
	}
	if !ok {
		t.Fatalf("feed in eu-west-par-a: %+v", feed)
	}
	sp := defaultSpec()
	sp.configs = [][2]string{{"dedicated_datacenter", "eu-west-par-a"}, {"dedicated_os", "none_64.en"}, {"region", "europe"}}
	id, _ := e.buildCart(t, sp)
	var out orderResp
	if err := e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(true), &out); err != nil {
		t.Fatal(err)
	}
	if os := e.sim.Orders(); len(os) != 1 || os[0].DC != "eu-west-par-a" {
		t.Fatalf("orders: %+v", os)
	}
	if v := e.sim.SchemaViolations(); len(v) > 0 {
		t.Fatalf("violations: %q", v)
	}
	if _, err := New(testCatalog(t), Options{AZDatacenters: map[string][]string{testPlan: {"mars-north-1"}}}); err == nil {
		t.Error("a DC outside the 2025-10 enum was accepted")
	}
}

func TestDefaultPaymentMethodStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	read := func() (ids []int64, status string) {
		t.Helper()
		if err := e.client.Get("/me/payment/method?default=true", &ids); err != nil {
			t.Fatal(err)
		}
		if len(ids) == 1 {
			var m struct{ Status string }
			if err := e.client.Get(fmt.Sprintf("/me/payment/method/%d", ids[0]), &m); err != nil {
				t.Fatal(err)
			}
			status = m.Status
		}
		return ids, status
	}
	if ids, st := read(); len(ids) != 1 || st != "VALID" {
		t.Fatalf("valid: %v %q", ids, st)
	}
	if err := e.sim.SetPaymentMethodStatus("PAUSED"); err != nil {
		t.Fatal(err)
	}
	if _, st := read(); st != "PAUSED" {
		t.Fatalf("paused: %q", st)
	}
	if err := e.sim.SetPaymentMethodStatus("none"); err != nil {
		t.Fatal(err)
	}
	if ids, _ := read(); len(ids) != 0 {
		t.Fatalf("none: %v", ids)
	}
	if err := e.sim.SetPaymentMethodStatus("BROKEN"); err == nil {
		t.Error("a status outside the enum was accepted")
	}
	if v := e.sim.SchemaViolations(); len(v) > 0 {
		t.Fatalf("violations: %q", v)
	}
}

func TestOrderFollowUp(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	e := newEnv(t, Options{Now: clk.Now, DeliveryDelay: time.Hour})
	oid := e.placeOrder(t, false)
	type step struct {
		Step, Status string
		History      []struct{ Label string }
	}
	read := func() map[string]step {
		t.Helper()
		var out []step
		if err := e.client.Get(fmt.Sprintf("/me/order/%d/followUp", oid), &out); err != nil {
			t.Fatal(err)
		}
		m := map[string]step{}
		for _, s := range out {
			m[s.Step] = s
		}
		return m
	}
	if m := read(); m["VALIDATING"].Status != "DOING" || m["AVAILABLE"].Status != "TODO" {
		t.Fatalf("not paid: %+v", m)
	}
	var ids []int64
	if err := e.client.Get("/me/payment/method?default=true", &ids); err != nil || len(ids) != 1 {
		t.Fatal(ids, err)
	}
	if err := e.client.Post(fmt.Sprintf("/me/order/%d/payWithRegisteredPaymentMean", oid),
		map[string]any{"paymentMean": "creditCard", "paymentMeanId": simPaymentMeanID}, nil); err != nil {
		t.Fatal(err)
	}
	m := read()
	if m["VALIDATING"].Status != "DONE" || m["DELIVERING"].Status != "DOING" || len(m["VALIDATING"].History) < 3 {
		t.Fatalf("paid: %+v", m)
	}
	clk.Advance(2 * time.Hour)
	if m := read(); m["AVAILABLE"].Status != "DONE" {
		t.Fatalf("delivered: %+v", m)
	}
	if v := e.sim.SchemaViolations(); len(v) > 0 {
		t.Fatalf("violations: %q", v)
	}
}
