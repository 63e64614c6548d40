package order

import (
	"context"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/order/ovhsim"
)

// fixedCatalog serves one parsed catalog.
type fixedCatalog struct{ c *catalog.Catalog }

func (f fixedCatalog) Catalog(context.Context) (*catalog.Catalog, error) { return f.c, nil }

func sweepCatalog(t testing.TB) fixedCatalog {
	t.Helper()
	c, err := catalog.Parse(catalogJSON(t), catalog.ParseOptions{Subsidiary: "IE"})
	if err != nil {
		t.Fatal(err)
	}
	return fixedCatalog{c}
}

func isSweep(ev Event) bool { a, ok := ev.(AvailabilitySeen); return ok && a.Sweep }

// TestSweepReadsWholeFeedWhenNothingIsWanted: with no entry wanted, the
// sweep still reads the feed (one unfiltered request a round), keeps the
// catalog's plans, and reports the catalog once.
func TestSweepReadsWholeFeedWhenNothingIsWanted(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	cat := sweepCatalog(t)
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) { m["qty"] = 0 })), func(c *Config) {
		c.Sweep = 30 * time.Millisecond
		c.Catalog = cat
	})
	first := h.wait("a sweep answer", isSweep).(AvailabilitySeen)
	h.wait("a second sweep round", func(Event) bool { return h.count(isA[SweepDone]) >= 2 })
	if first.PlanCode != "" || first.Subsidiary != "IE" || len(first.Items) == 0 {
		t.Fatalf("sweep answer: plan %q, sub %q, %d items", first.PlanCode, first.Subsidiary, len(first.Items))
	}
	for _, it := range first.Items {
		if _, ok := cat.c.Offer(it.PlanCode); !ok {
			t.Fatalf("item of plan %s, not in the catalog", it.PlanCode)
		}
	}
	if d := h.wait("sweep done", isA[SweepDone]).(SweepDone); d.Mode != SweepWhole || d.Requests != 1 {
		t.Fatalf("sweep round: %+v", d)
	}
	if n := h.count(isA[CatalogSeen]); n != 1 {
		t.Fatalf("CatalogSeen %d times; want once for one catalog", n)
	}
	if reqs := env.requests("GET", "/dedicated/server/datacenter/availabilities"); len(reqs) < 2 {
		t.Fatalf("%d availability requests", len(reqs))
	}
}

// TestSweepFallsBackToPerPlan: when the unfiltered request keeps failing,
// the sweep polls each plan of the catalog instead.
func TestSweepFallsBackToPerPlan(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: "/dedicated/server/datacenter/availabilities", Status: 504, Times: sweepFallbackAfter})
	cat := sweepCatalog(t)
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) { m["qty"] = 0 })), func(c *Config) {
		c.Sweep = 20 * time.Millisecond
		c.Catalog = cat
	})
	d := h.wait("a per-plan round", func(ev Event) bool { d, ok := ev.(SweepDone); return ok && d.Mode == SweepPerPlan }).(SweepDone)
	if d.Requests != len(cat.c.Offers) || d.Failed != 0 {
		t.Fatalf("per-plan round: %+v; want %d requests", d, len(cat.c.Offers))
	}
	if h.count(func(ev Event) bool { a, ok := ev.(AvailabilitySeen); return ok && a.Sweep && a.PlanCode == simPlan }) == 0 {
		t.Fatal("no per-plan answer for " + simPlan)
	}
}
