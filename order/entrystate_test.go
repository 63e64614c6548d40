package order

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/prefs"
)

// TestEntryStatesFollowDecide: the published state says what Decide does,
// in the DC it does it, for each case of a small table; and nothing is
// said to be ordered when Decide does nothing.
func TestEntryStatesFollowDecide(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		avail map[string]string
		price int64
		edit  func(*prefs.Server)
		life  Lifecycle
	}{
		{"orders in gra", map[string]string{"gra": "1H-low"}, 19_00000000, nil, LifeWatching},
		{"retires over the ceiling", map[string]string{"fra": "1H-high"}, 21_00000000, nil, LifeWatching},
		{"waits", map[string]string{"fra": "120H"}, 1, nil, LifeWatching},
		{"120H orderable with 240", map[string]string{"fra": "120H"}, 1, func(s *prefs.Server) { h := 240; s.MaxDeliveryHours = &h }, LifeWatching},
		{"stopped", map[string]string{"fra": "1H-high"}, 1, func(s *prefs.Server) { s.Qty = 0 }, LifeStopped},
		{"latched", map[string]string{"fra": "1H-high"}, 1, func(s *prefs.Server) { s.OrderAttempted, s.Qty = true, 0 }, LifeNeedsDecision},
		{"ordered", map[string]string{"fra": "1H-high"}, 1, func(s *prefs.Server) { s.OrderID, s.Qty = 7, 0 }, LifeOrdered},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := baseFile(t)
			if tc.edit != nil {
				tc.edit(&f.Servers[0])
			}
			s := f.Servers[0]
			in := DecideInput{File: f, Now: now, Avail: map[AvailKey]string{}, Carts: map[CartKey]CartState{}}
			for dc, v := range tc.avail {
				in.Avail[AvailKey{FQN: testFQN, DC: dc}] = v
			}
			for _, dc := range s.DCNames() {
				in.Carts[CartKey{Entry: s.Key(), DC: dc}] = CartState{CartID: "c-" + dc, Ready: true, Expire: now.Add(24 * time.Hour),
					Fingerprint: Fingerprint("IE", s, dc), Price: money.Amount{Ucents: tc.price, Currency: "EUR"}, ValidatedAt: now}
			}
			acts := Decide(in)
			v := EntryStates(in, Reports{})[0]
			if v.Lifecycle != tc.life {
				t.Fatalf("lifecycle %s, want %s", v.Lifecycle, tc.life)
			}
			if len(acts) == 0 {
				if v.Target != "" || v.Action != 0 {
					t.Fatalf("Decide does nothing; the state says %s in %s", v.Action, v.Target)
				}
			} else if v.Target != acts[0].DC || v.Action != acts[0].Kind {
				t.Fatalf("Decide: %s in %s; the state says %s in %s", acts[0].Kind, acts[0].DC, v.Action, v.Target)
			}
			for _, d := range v.DCs {
				if d.OrderNow != (len(acts) == 1 && acts[0].Kind == ActCheckout && acts[0].DC == d.DC) {
					t.Errorf("%s: OrderNow %v, Decide %+v", d.DC, d.OrderNow, acts)
				}
				if d.Class != ClassifyAvailability(d.Avail, s.MaxDelivery()) {
					t.Errorf("%s: class %v", d.DC, d.Class)
				}
				if tc.life == LifeWatching && d.HasCart {
					want := PriceWithin
					if tc.price > s.CeilingUcents() {
						want = PriceOver
					}
					if d.Verdict != want {
						t.Errorf("%s: verdict %v, want %v", d.DC, d.Verdict, want)
					}
				}
			}
			if tc.life == LifeStopped && !strings.Contains(v.DCs[0].Note, "stopped") {
				t.Errorf("stopped entry says %q", v.DCs[0].Note)
			}
		})
	}
}

func BenchmarkEntryStates(b *testing.B) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	f := &prefs.File{Subsidiary: "IE"}
	in := DecideInput{File: f, Now: now, Avail: map[AvailKey]string{}, Carts: map[CartKey]CartState{}}
	base := func() prefs.Server {
		tb := &testing.T{}
		return baseFile(tb).Servers[0]
	}()
	dcs := []string{"gra", "rbx", "sbg", "fra", "lon", "waw", "bhs"}
	for i := range 50 {
		s := base
		s.PlanCode = base.PlanCode + string(rune('a'+i%26)) + string(rune('a'+i/26))
		s.FQN = s.PlanCode + ".x"
		s.Datacenters = nil
		for _, dc := range dcs {
			s.Datacenters = append(s.Datacenters, prefs.Datacenter{Datacenter: dc})
			in.Avail[AvailKey{FQN: s.FQN, DC: dc}] = "72H"
			in.Carts[CartKey{Entry: s.Key(), DC: dc}] = CartState{CartID: "c", Ready: true, Expire: now.Add(time.Hour),
				Fingerprint: Fingerprint("IE", s, dc), Price: money.Amount{Ucents: 1, Currency: "EUR"}, ValidatedAt: now}
		}
		f.Servers = append(f.Servers, s)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = EntryStates(in, Reports{})
	}
}

// TestStoppingWithACheckoutInFlightSaysSoThenReportsTheOutcome: cancelled
// while OVH has not answered the checkout, the engine says what it waits
// for (the UI and --headless print it), waits, and reports the order.
func TestStoppingWithACheckoutInFlightSaysSoThenReportsTheOutcome(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	carts := h.waitCarts("fra", "gra")
	// OVH answers the checkout only once the engine was told to stop and
	// said what it waits for: held, not delayed, since on a loaded machine
	// a delay can end before this goroutine gets to cancel the engine.
	hold := make(chan struct{})
	var release sync.Once
	t.Cleanup(func() { release.Do(func() { close(hold) }) }) // before the harness stops the engine
	env.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: "/order/cart/" + carts["fra"] + "/checkout", Hold: hold, Times: 1})
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	h.wait("the checkout leaves", func(ev Event) bool { a, ok := ev.(OrderAttempted); return ok && !a.DryRun })
	h.wait("the state says busy", func(ev Event) bool {
		s, ok := ev.(EntryStatesChanged)
		return ok && len(s.Entries) == 1 && s.Entries[0].Lifecycle == LifeBusy && s.Entries[0].Reason == "checkout in fra in flight"
	})
	h.cancel()
	h.wait("stopping says what it waits for", func(ev Event) bool {
		i, ok := ev.(Info)
		return ok && strings.Contains(i.Text, "stopping: waiting for the checkout of "+simPlan+" in fra")
	})
	release.Do(func() { close(hold) })
	h.wait("the order", isA[OrderPlaced])
}

// Paused and retired entries are stopped in words that say which and why.
func TestEntryStatesPausedRetired(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		edit func(*prefs.Server)
		life Lifecycle
		note string
	}{
		{"paused", func(s *prefs.Server) {
			if err := s.Pause(); err != nil {
				t.Fatal(err)
			}
		}, LifePaused, "paused (qty 1 kept): z resumes"},
		{"retired", func(s *prefs.Server) { s.Retire() }, LifeStopped, "retired over its ceiling: R brings it back"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := baseFile(t)
			tc.edit(&f.Servers[0])
			in := DecideInput{File: f, Now: now, Avail: map[AvailKey]string{{FQN: testFQN, DC: "fra"}: "1H-high"}}
			if acts := Decide(in); len(acts) != 0 {
				t.Fatalf("Decide acts on a %s entry: %+v", tc.name, acts)
			}
			v := EntryStates(in, Reports{})[0]
			if v.Lifecycle != tc.life || v.DCs[0].Note != tc.note {
				t.Fatalf("%s: %q, want %s: %q", v.Lifecycle, v.DCs[0].Note, tc.life, tc.note)
			}
		})
	}
}

// Remove deletes an entry through the store, and refuses one whose
// checkout outcome is unknown: it stays in the file.
func TestEngineRemove(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	latched := entry(func(m map[string]any) {
		m["planCode"], m["fqn"], m["id"] = simPlan, simFQN, "latched-1"
		m["datacenters"] = []map[string]string{{"region": "europe", "dedicated_datacenter": "rbx"}}
		m["qty"], m["order_attempted"], m["order_attempted_at"], m["order_attempted_in"] = 0, true, "2026-11-23T09:00:00Z", "rbx"
	})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) { m["id"] = "wanted-1" }), latched))
	h.wait("the engine publishes", isA[EntryStatesChanged])
	if err := h.eng.Remove(context.Background(), "latched-1"); err == nil {
		t.Fatal("removed an entry whose checkout outcome is unknown")
	}
	if err := h.eng.Remove(context.Background(), "wanted-1"); err != nil {
		t.Fatal(err)
	}
	f := h.store.Snapshot()
	if len(f.Servers) != 1 || f.Servers[0].Key() != "latched-1" {
		t.Fatalf("left %d entries", len(f.Servers))
	}
	if err := h.eng.Remove(context.Background(), "wanted-1"); err == nil {
		t.Fatal("removed an entry twice")
	}
}
