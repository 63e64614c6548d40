package order

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// stallCheckout holds the first POST checkout of cart until the returned
// release is called; arrived is closed when it reached the simulator.
func stallCheckout(env *simEnv, cart string) (arrived <-chan struct{}, release func()) {
	in := make(chan struct{})
	hold := make(chan struct{})
	first := true
	env.sim.OnRequest(func(r ovhsim.Request) {
		if r.Method != "POST" || !strings.HasSuffix(r.Path, cart+"/checkout") || !first {
			return
		}
		first = false
		close(in)
		<-hold
	})
	return in, func() { close(hold) }
}

func waitClosed(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(waitTimeout):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// Issue 16.1: the cart is gone at checkout (404), and meanwhile the user
// turned place_order off or lowered the ceiling: the retry is decided
// again on the file as it is then, so nothing more is sent and nothing is
// bought.
func TestCartGoneRetryDecidedAgain(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(s *prefs.Server)
	}{
		{"place_order off", func(s *prefs.Server) { s.PlaceOrder = false }},
		{"ceiling lowered", func(s *prefs.Server) { s.CeilingPrice = 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newSim(t, ovhsim.Options{})
			h := startEngine(t, env, "", prefsJSON(t, entry()))
			carts := h.waitCarts("fra", "gra")
			env.sim.ExpireCart(carts["fra"])
			arrived, release := stallCheckout(env, carts["fra"])
			env.sim.SetAvailability(simFQN, "fra", "1H-high")
			waitClosed(t, arrived, "the checkout")
			if err := h.store.Update("the user edits the entry", func(f *prefs.File) error {
				tc.edit(&f.Servers[0])
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			release()
			h.wait("not retried", func(ev Event) bool {
				f, ok := ev.(OrderFailed)
				return ok && strings.Contains(f.Err, "not retried")
			})
			h.waitPolls(3)
			if n := len(env.requests("POST", checkoutSuffix)); n != 1 {
				t.Fatalf("%d checkouts sent, want 1:\n%s", n, h.dump())
			}
			if n := len(env.sim.Orders()); n != 0 {
				t.Fatalf("%d orders", n)
			}
		})
	}
}

// Issue 16.1: the cart is gone at checkout (404), and meanwhile the user
// turned autopay off: the retry checks out with autopay off (the order is
// placed, unpaid), never with the autopay of the request built at the
// latch.
func TestCartGoneRetryTakesAutopayOff(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	carts := h.waitCarts("fra", "gra")
	env.sim.ExpireCart(carts["fra"])
	arrived, release := stallCheckout(env, carts["fra"])
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	waitClosed(t, arrived, "the checkout")
	if err := h.store.Update("the user turns autopay off", func(f *prefs.File) error {
		f.Servers[0].Autopay = false
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	release()
	o := h.waitOrder()
	orders := env.sim.Orders()
	if len(orders) != 1 || orders[0].ID != o.OrderID || orders[0].Autopay {
		t.Fatalf("orders %+v: want one, checked out without autopay:\n%s", orders, h.dump())
	}
	if orders[0].Status != ovhsim.StatusNotPaid {
		t.Errorf("order status %s, want notPaid", orders[0].Status)
	}
}

// Issue 16.2: after an order the plan is no longer polled; buying another
// must not check out on the availability seen then. Here the polls fail
// from the order on (the DC went out of stock meanwhile): the checkout
// waits for availability read afresh instead of trusting the old value.
func TestBuyAnotherReadsAvailabilityAfresh(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) {
		m["datacenters"] = []map[string]string{{"region": "europe", "dedicated_datacenter": "fra"}}
	})))
	h.waitCarts("fra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	h.waitOrder()
	env.sim.SetAvailability(simFQN, "fra", "unavailable")
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: "/dedicated/server/datacenter/availabilities", Status: 503})
	h.waitPolls(3) // what was seen is now older than a poll interval
	old := h.file().Servers[0].Key()
	if err := h.buyAnother(old, 1); err != nil { // once the checkout's goroutine ended
		t.Fatal(err)
	}
	key := h.file().Servers[0].Key()
	h.wait("the new cart", func(ev Event) bool { c, ok := ev.(CartReady); return ok && c.Entry == key })
	// Waited for, not counted after a few polls: the checkout's fresh read
	// (a request) can outlast them on a loaded machine.
	h.wait("the user told why", func(ev Event) bool { return strings.Contains(ev.Message(), "could not be read afresh") })
	h.waitPolls(5)
	if n := len(env.requests("POST", checkoutSuffix)); n != 1 {
		t.Fatalf("%d checkouts sent, want 1 (the second on stale availability):\n%s", n, h.dump())
	}
}

// Issue 16.13: killed while rebuilding a cart after a 404 at checkout: the
// journal records that checkout as refused and no other, so the restart
// releases the latch (nothing was bought) instead of asking the user.
func TestRestartAfterGoneCartReleases(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	at := time.Now().UTC()
	content := prefsJSON(t, entry(func(m map[string]any) {
		m["id"] = "e-gone"
		m["order_attempted"] = true
		m["order_attempted_at"] = at.Format(time.RFC3339)
		m["order_attempted_in"] = "fra"
		m["order_attempted_qty"] = 1
		m["order_attempted_cart"] = "dead-cart"
		m["qty"] = 0
	}))
	path := t.TempDir() + "/preferences.json"
	j, err := journal.Open(journal.Beside(path))
	if err != nil {
		t.Fatal(err)
	}
	in := journal.Record{Time: at, Type: journal.TypeIntent, Kind: journal.KindCheckout, Attempt: "a1", Entry: "e-gone",
		PlanCode: simPlan, FQN: simFQN, DC: "fra", Qty: 1, Cart: "dead-cart", Proc: "1/1"}
	j.Append(in)
	out := in
	out.Type, out.Result, out.Detail = journal.TypeOutcome, journal.ResultRefused, "cart gone at checkout: 404"
	j.Append(out)
	j.Close()
	h := startEngine(t, env, path, content)
	h.wait("released", func(ev Event) bool {
		f, ok := ev.(OrderFailed)
		return ok && strings.Contains(f.Err, "nothing was bought")
	})
	if n := h.count(isA[NeedsDecision]); n != 0 {
		t.Fatalf("asked the user:\n%s", h.dump())
	}
	if s := h.file().Servers[0]; s.OrderAttempted || s.Qty != 1 {
		t.Fatalf("latch kept: %+v", s)
	}
}

// Issue 16.10: the look-up after an unclear checkout matches what was sent
// (the journaled intent), not the file's current addons.
func TestLookUpMatchesWhatWasSent(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	carts := h.waitCarts("fra", "gra")
	env.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: "/order/cart/" + carts["fra"] + "/checkout", Status: 504, AfterHandler: true, Times: 1})
	// The first look-up fails, so the order is found by a later one, after
	// the user has edited the addons.
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: "/me/order", Status: 503, Times: 1})
	arrived, release := stallCheckout(env, carts["fra"])
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	waitClosed(t, arrived, "the checkout")
	if err := h.store.Update("the user edits the addons", func(f *prefs.File) error {
		f.Servers[0].AddonPlanCodes = []string{"some-other-addon"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	release()
	placed := h.waitOrder()
	if placed.DC != "fra" || len(env.sim.Orders()) != 1 {
		t.Fatalf("placed %+v", placed)
	}
	_ = os.Getpid
}

// Issue 16.10: the look-up after an unclear checkout that made no order
// never takes another order of the same plan and DC with other addons
// (placed by hand meanwhile), even once the file's addons are edited to be
// that order's: the entry needs the user's decision instead.
func TestLookUpNeverTakesAnOrderWithOtherAddons(t *testing.T) {
	const otherFQN = "25skleb01.ram-32g-ecc-2400.softraid-2x2000sa"
	otherAddons := []string{"softraid-2x2000sa-25skle", "bandwidth-300-25skle", "ram-32g-ecc-2400-25skle"}
	env := newSim(t, ovhsim.Options{})
	api := env.client(t)
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	carts := h.waitCarts("fra", "gra")
	// The checkout never reaches OVH's handler: no order is made.
	env.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: "/order/cart/" + carts["fra"] + "/checkout", Status: 504, Times: 1})
	arrived, release := stallCheckout(env, carts["fra"])
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	waitClosed(t, arrived, "the checkout")
	env.sim.SetAvailability(otherFQN, "fra", "1H-high")
	f, err := prefs.Parse("x", prefsJSON(t, entry(func(m map[string]any) { m["fqn"], m["addon_planCodes"] = otherFQN, otherAddons })))
	if err != nil {
		t.Fatal(err)
	}
	info, err := New(Config{API: api}).buildCart(context.Background(), cartJob{key: CartKey{Entry: "x", DC: "fra"}, sub: "IE", s: f.Servers[0]})
	if err != nil {
		t.Fatal(err)
	}
	res, err := api.Checkout(context.Background(), info.CartID, ovhapi.CheckoutRequest{})
	if err != nil || res.OrderID == nil {
		t.Fatalf("the order by hand: %v", err)
	}
	other := *res.OrderID
	if err := h.store.Update("the user edits the addons to the other order's", func(f *prefs.File) error {
		f.Servers[0].AddonPlanCodes = otherAddons
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	release()
	h.wait("needs decision", isA[NeedsDecision])
	if n := h.count(isA[OrderPlaced]); n != 0 {
		t.Fatalf("the order %d by hand was taken for the checkout's:\n%s", other, h.dump())
	}
	if s := h.file().Servers[0]; s.OrderID != 0 {
		t.Fatalf("the file records order %d", s.OrderID)
	}
}

// Issue 16.7: the journal replaced while the engine runs (a sync tool, a
// restore): the engine notices, tells the user, re-opens it and writes
// back what it knows, so the order lands in the file that has the name
// (a restart with an old copy of preferences.json then does not buy again).
func TestJournalReplacedWhileRunning(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	h.waitCarts("fra", "gra")
	jpath := journal.Beside(h.path)
	tmp := jpath + ".restored"
	if err := os.WriteFile(tmp, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, jpath); err != nil {
		t.Fatal(err)
	}
	h.wait("told", func(ev Event) bool {
		j, ok := ev.(JournalTrouble)
		return ok && strings.Contains(j.Text, "replaced by another file")
	})
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	placed := h.waitOrder()
	key := h.file().Servers[0].Key()
	if es := h.journal().Entry(key); es.Phase() != journal.PhaseOrdered || es.Order.OrderID != placed.OrderID {
		t.Fatalf("the journal at %s lacks the order: %+v", jpath, es)
	}
}
