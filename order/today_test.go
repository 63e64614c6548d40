package order

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/prefs"
)

// Today's OVH: zone-named DCs, plan codes of any shape, the refusal of a
// label sent twice.

// TestZoneNamedDCOrdered: an entry whose DC is eu-west-par-a (OVH's 2025-10
// enum) is validated against the catalog ovhsim serves, watched, and
// ordered there.
func TestZoneNamedDCOrdered(t *testing.T) {
	const az = "eu-west-par-a"
	env := newSim(t, ovhsim.Options{AZDatacenters: map[string][]string{simPlan: {az}}})
	one := entry(func(m map[string]any) {
		m["datacenters"] = []map[string]string{{"region": "europe", "dedicated_datacenter": az}}
	})
	content := prefsJSON(t, one)
	f, err := prefs.Parse("preferences.json", content)
	if err != nil {
		t.Fatal(err)
	}
	cat := simCatalog(t, env)
	if probs := append(prefs.Validate(f, ""), prefs.CheckProblems(f, cat)...); len(probs) > 0 {
		t.Fatalf("an entry in %s is refused: %v", az, probs)
	}
	h := startEngine(t, env, "", content)
	h.waitCarts(az)
	env.sim.SetAvailability(simFQN, az, ovhsim.Avail1HHigh)
	o := h.waitOrder()
	if o.DC != az {
		t.Fatalf("ordered in %q, want %s", o.DC, az)
	}
	if orders := env.sim.Orders(); len(orders) != 1 || orders[0].DC != az {
		t.Fatalf("simulator orders: %+v", orders)
	}
}

// simCatalog reads the catalog the simulator serves.
func simCatalog(t *testing.T, env *simEnv) *catalog.Catalog {
	t.Helper()
	req := httptest.NewRequest("GET", "/1.0/order/catalog/public/eco?ovhSubsidiary=IE", nil)
	rec := httptest.NewRecorder()
	env.sim.ServeHTTP(rec, req)
	cat, err := catalog.Parse(rec.Body.Bytes(), catalog.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// churnedCatalog is the test catalog with simPlan renamed 26skle01-v1 and
// its bandwidth addon renamed bandwidth-1000-ks-gen0, the shapes users
// report.
func churnedCatalog(t *testing.T) []byte {
	t.Helper()
	s := string(catalogJSON(t))
	s = strings.ReplaceAll(s, `"`+simPlan+`"`, `"26skle01-v1"`)
	s = strings.ReplaceAll(s, `"bandwidth-300-25skle"`, `"bandwidth-1000-ks-gen0"`)
	var probe map[string]any
	if err := json.Unmarshal([]byte(s), &probe); err != nil {
		t.Fatal(err)
	}
	return []byte(s)
}

// TestPlanCodeChurn: a plan code with a suffix and an addon code of a new
// shape go through validation, the catalog and an order like any other.
func TestPlanCodeChurn(t *testing.T) {
	env := newSimOf(t, churnedCatalog(t), ovhsim.Options{})
	sim := env.sim
	cat := simCatalog(t, env)
	var offer *catalog.Offer
	for _, o := range cat.Offers {
		if o.PlanCode == "26skle01-v1" {
			offer = o
		}
	}
	if offer == nil || len(offer.Variants) == 0 {
		t.Fatal("the catalog lost 26skle01-v1")
	}
	fqn := "26skle01-v1.ram-32g-ecc-2400.softraid-2x450nvme"
	addons := []string{"softraid-2x450nvme-25skle", "bandwidth-1000-ks-gen0", "ram-32g-ecc-2400-25skle"}
	content := prefsJSON(t, entry(func(m map[string]any) {
		m["planCode"], m["fqn"], m["addon_planCodes"] = "26skle01-v1", fqn, addons
	}))
	f, err := prefs.Parse("preferences.json", content)
	if err != nil {
		t.Fatal(err)
	}
	if probs := append(prefs.Validate(f, ""), prefs.CheckProblems(f, cat)...); len(probs) > 0 {
		t.Fatalf("refused: %v", probs)
	}
	h := startEngine(t, env, "", content)
	h.waitCarts("fra")
	sim.SetAvailability(fqn, "fra", ovhsim.Avail1HLow)
	if o := h.waitOrder(); o.DC != "fra" {
		t.Fatalf("ordered in %s", o.DC)
	}
}

// TestLabelSentTwiceIsExplained: OVH's "Custom field dedicated_datacenter
// is duplicated for product ..." is a definitive refusal of that cart,
// said in plain words; the cart is dropped and a new one built.
func TestLabelSentTwiceIsExplained(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	env.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: "/order/cart/*/item/*/configuration", Status: 400, Times: 1,
		Body: `{"class":"Client::BadRequest","message":"Custom field dedicated_datacenter is duplicated for product ` + simPlan + `"}`})
	h := startEngine(t, env, "", prefsJSON(t, entry()), func(e *Engine) { e.cartRetryBase = time.Millisecond })
	ev := h.wait("the refusal", func(ev Event) bool {
		e, ok := ev.(APIError)
		return ok && strings.Contains(e.Err, "duplicated")
	}).(APIError)
	for _, want := range []string{"can be set only once", "new cart"} {
		if !strings.Contains(ev.Err, want) {
			t.Errorf("refusal not explained (%q): %s", want, ev.Err)
		}
	}
	h.waitCarts("fra", "gra")
}
