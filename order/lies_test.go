package order

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// The five ways preferences.json lied to the engine (issue 8), each against
// the simulator. Every one bought twice or against the user's latest choice
// before the journal, entry ids and deciding again at the latch.

// checkoutHook wraps the API: hook runs around the real checkout.
type checkoutHook struct {
	*ovhapi.OVHClient
	before func()
	after  func(res ovhapi.CartOrder, err error) (ovhapi.CartOrder, error)
}

func (c *checkoutHook) Checkout(ctx context.Context, cartID string, req ovhapi.CheckoutRequest) (ovhapi.CartOrder, error) {
	if c.before != nil {
		c.before()
	}
	res, err := c.OVHClient.Checkout(ctx, cartID, req)
	if c.after != nil {
		return c.after(res, err)
	}
	return res, err
}

func withHook(env *simEnv, t *testing.T, hook *checkoutHook) func(*Config) {
	return func(cfg *Config) {
		hook.OVHClient = cfg.API.(*ovhapi.OVHClient)
		cfg.API = hook
	}
}

// saveFile replaces the file on disk as an editor or a restore would.
func saveFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := prefs.SaveAtomic(path, data); err != nil {
		t.Fatal(err)
	}
}

func infoHas(sub string) func(Event) bool {
	return func(ev Event) bool { i, ok := ev.(Info); return ok && strings.Contains(i.Text, sub) }
}

func (h *harness) journal() *journal.State {
	h.t.Helper()
	log, err := journal.Read(journal.Beside(h.path))
	if err != nil {
		h.t.Fatal(err)
	}
	return journal.Fold(log.Records)
}

// Path 1: an old copy of the file (qty 1, no latch, no order_id, even no
// id) saved after the order must not buy again: the journal's order is
// written back and the user told.
func TestStaleCopyAfterOrderNeverBuysAgain(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	original := prefsJSON(t, entry())
	h := startEngine(t, env, "", original)
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	placed := h.waitOrder()
	id := h.file().Servers[0].ID
	if id == "" {
		t.Fatal("no id written")
	}

	saveFile(t, h.path, original) // the editor's stale buffer
	h.wait("restored", infoHas("restored from the journal: already ordered #"))
	h.waitPolls(5)
	if n := len(env.sim.Orders()); n != 1 {
		t.Fatalf("%d orders after a stale copy, want 1", n)
	}
	s := h.file().Servers[0]
	if s.OrderID != placed.OrderID || s.Qty != 0 || s.ID != id || s.OrderedIn != "fra" {
		t.Fatalf("not restored: %+v", s)
	}
	if es := h.journal().Entry(id); es.Phase() != journal.PhaseOrdered || es.Order.OrderID != placed.OrderID {
		t.Fatalf("journal: %+v", es)
	}
	if data, _ := os.ReadFile(journal.Beside(h.path)); strings.Contains(strings.ToLower(string(data)), "password") {
		t.Fatalf("the journal holds an order password:\n%s", data)
	}
}

// Path 1, in flight: the checkout went through but its answer was lost
// (ambiguous), and a stale copy without the latch landed meanwhile. The
// lookup still runs (the journal restores the latch) and finds the order.
func TestStaleCopyDuringAmbiguousCheckoutStillLooksUp(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	original := prefsJSON(t, entry())
	var path string
	hook := &checkoutHook{}
	hook.after = func(res ovhapi.CartOrder, err error) (ovhapi.CartOrder, error) {
		saveFile(t, path, original)
		return ovhapi.CartOrder{}, errors.New("connection reset after the request was written")
	}
	h := startEngine(t, env, "", original, withHook(env, t, hook))
	path = h.path
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	placed := h.wait("order found", isA[OrderPlaced]).(OrderPlaced)
	if !placed.Reconciled {
		t.Fatalf("%+v", placed)
	}
	h.waitPolls(5)
	if n := len(env.sim.Orders()); n != 1 {
		t.Fatalf("%d orders, want 1", n)
	}
	if n := len(env.requests("POST", checkoutSuffix)); n != 1 {
		t.Fatalf("%d checkouts, want 1", n)
	}
	if s := h.file().Servers[0]; s.OrderID != placed.OrderID {
		t.Fatalf("order not recorded: %+v", s)
	}
}

// Path 2: place_order turned off between the decision and the latch: no
// checkout leaves.
func TestPlaceOrderOffJustBeforeTheLatch(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	var once sync.Once
	var path string
	h := startEngine(t, env, "", prefsJSON(t, entry()), func(e *Engine) {
		e.beforeSettle = func(a Action) {
			if a.Kind != ActCheckout {
				return
			}
			once.Do(func() {
				f, _ := prefs.Load(path)
				f.Servers[0].PlaceOrder = false // the user pressed p
				data, _ := f.Marshal()
				saveFile(t, path, data)
			})
		}
	})
	path = h.path
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	h.wait("dry run", isA[WouldHaveOrdered])
	if n := len(env.requests("POST", checkoutSuffix)); n != 0 {
		t.Fatalf("%d checkouts after place_order was turned off", n)
	}
	if len(env.sim.Orders()) != 0 {
		t.Fatal("an order was placed")
	}
}

// Path 2, retire: a ceiling raised between the decision and the retire is
// kept, and the entry orders.
func TestRetireKeepsACeilingRaisedMeanwhile(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	var once sync.Once
	var path string
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) { m["ceiling_price"] = 1.0 })), func(e *Engine) {
		e.beforeSettle = func(a Action) {
			if a.Kind != ActRetire {
				return
			}
			once.Do(func() {
				f, _ := prefs.Load(path)
				f.Servers[0].CeilingPrice = 500 // raised by the user
				data, _ := f.Marshal()
				saveFile(t, path, data)
			})
		}
	})
	path = h.path
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	h.waitOrder()
	s := h.file().Servers[0]
	if s.CeilingPrice != 500 {
		t.Fatalf("ceiling %v, want the raised 500", s.CeilingPrice)
	}
	if h.count(func(ev Event) bool { p, ok := ev.(PriceOverCeiling); return ok && p.Retired }) != 0 {
		t.Fatal("retired")
	}
}

// Path 3: the DC order changed while the checkout is in flight: the
// outcome still lands in the entry (by id) and nothing buys again.
func TestDCOrderChangedDuringCheckoutKeepsTheOrder(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	var path string
	hook := &checkoutHook{before: func() {
		f, _ := prefs.Load(path)
		s := &f.Servers[0]
		s.Datacenters[0], s.Datacenters[1] = s.Datacenters[1], s.Datacenters[0]
		data, _ := f.Marshal()
		saveFile(t, path, data)
	}}
	h := startEngine(t, env, "", prefsJSON(t, entry()), withHook(env, t, hook))
	path = h.path
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	placed := h.waitOrder()
	h.waitPolls(5)
	s := h.file().Servers[0]
	if s.OrderID != placed.OrderID || strings.Join(s.DCNames(), ",") != "gra,fra" {
		t.Fatalf("order lost or DC order undone: %+v", s)
	}
	if h.count(isA[NeedsDecision]) != 0 {
		t.Fatal("needs decision after a DC reorder")
	}
	if n := len(env.sim.Orders()); n != 1 {
		t.Fatalf("%d orders", n)
	}
}

// Path 4: two entries with the same plan, fqn and DCs, one with qty 0:
// both are a validation problem, neither is bought, and no cart lands in
// the other.
func TestSameServerTwiceIsAProblemWhateverQty(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	done := entry(func(m map[string]any) { m["qty"] = 0 })
	h := startEngine(t, env, "", prefsJSON(t, done, entry()))
	h.wait("problem", infoHas("is the same server"))
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	h.waitPolls(5)
	f := h.file()
	if len(f.Servers[0].DCCarts) != 0 || len(f.Servers[1].DCCarts) != 0 {
		t.Fatalf("carts written: %+v / %+v", f.Servers[0].DCCarts, f.Servers[1].DCCarts)
	}
	if f.Servers[0].ID == f.Servers[1].ID {
		t.Fatal("two entries share an id")
	}
	if n := len(env.requests("POST", checkoutSuffix)); n != 0 {
		t.Fatalf("%d checkouts", n)
	}
}

// Path 4, the defined case: same plan and fqn, other DCs, one already
// ordered: the live one is bought, with its own carts.
func TestSamePlanOtherDCsEachHasItsOwnCarts(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	done := entry(func(m map[string]any) {
		m["qty"] = 0
		m["datacenters"] = []map[string]string{{"region": "europe", "dedicated_datacenter": "fra"}}
	})
	live := entry(func(m map[string]any) {
		m["datacenters"] = []map[string]string{{"region": "europe", "dedicated_datacenter": "gra"}, {"region": "europe", "dedicated_datacenter": "fra"}}
	})
	h := startEngine(t, env, "", prefsJSON(t, done, live))
	h.waitCarts("gra", "fra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	h.waitOrder()
	f := h.file()
	if len(f.Servers[0].DCCarts) != 0 || f.Servers[0].OrderID != 0 {
		t.Fatalf("the done entry got carts or the order: %+v", f.Servers[0])
	}
	if f.Servers[1].OrderID == 0 {
		t.Fatalf("the live entry has no order: %+v", f.Servers[1])
	}
}

// Path 5: the latch's rename succeeded but the folder sync failed: the
// latch counts as written, no checkout leaves, the sync is retried, the
// user is told and the entry is reconciled.
func TestLatchRenamedButFolderSyncFailed(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	var failNext atomic.Bool
	var syncs atomic.Int32
	h := startEngine(t, env, "", prefsJSON(t, entry()), func(e *Engine) {
		e.store.SetFolderSync(func(string) error {
			syncs.Add(1)
			if failNext.CompareAndSwap(true, false) {
				return errors.New("EIO")
			}
			return nil
		})
		e.beforeSettle = func(a Action) {
			if a.Kind == ActCheckout {
				failNext.Store(true)
			}
		}
	})
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	h.wait("told", func(ev Event) bool {
		o, ok := ev.(OrderFailed)
		return ok && !o.Definitive && strings.Contains(o.Err, "folder sync failed")
	})
	h.wait("retried", infoHas("folder sync retried"))
	h.wait("needs decision", isA[NeedsDecision])
	h.waitPolls(3)
	if n := len(env.requests("POST", checkoutSuffix)); n != 0 {
		t.Fatalf("%d checkouts after a latch that may not be durable", n)
	}
	if n := len(env.requests("GET", "/me/order")); n == 0 {
		t.Fatal("not reconciled")
	}
	if s := h.file().Servers[0]; !s.Latched() {
		t.Fatalf("latch gone: %+v", s)
	}
}

// The one explicit edit that buys the same entry again: a new id, the
// order fields removed, qty set.
func TestNewIDInTheFileBuysAgain(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	first := h.waitOrder()
	h.waitPolls(2)

	// Only clearing the order fields and setting qty: an old copy, restored.
	f := h.file()
	s := &f.Servers[0]
	s.ClearLatch()
	s.OrderID, s.OrderedAt, s.OrderedIn, s.OrderURL = 0, time.Time{}, "", ""
	s.Qty = 1
	data, _ := f.Marshal()
	saveFile(t, h.path, data)
	h.wait("restored", infoHas("restored from the journal: already ordered #"))
	h.waitPolls(3)
	if n := len(env.sim.Orders()); n != 1 {
		t.Fatalf("%d orders", n)
	}

	// With a new id it is a new purchase.
	f = h.file()
	s = &f.Servers[0]
	s.ClearLatch()
	s.OrderID, s.OrderedAt, s.OrderedIn, s.OrderURL = 0, time.Time{}, "", ""
	s.Qty = 1
	s.ID = "again-2"
	data, _ = f.Marshal()
	saveFile(t, h.path, data)
	h.wait("second order", func(ev Event) bool { o, ok := ev.(OrderPlaced); return ok && o.OrderID != first.OrderID })
	if n := len(env.sim.Orders()); n != 2 {
		t.Fatalf("%d orders", n)
	}
}

// The UI's re-arm ("buy another") of an ordered entry: a new id, the
// ceiling scaled to the qty, one more order.
func TestBuyAnother(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	first := h.waitOrder()
	old := h.file().Servers[0].ID
	// OrderPlaced is emitted before the checkout's goroutine ends: until
	// then the entry counts as in flight (buyAnother waits for it).
	if err := h.buyAnother(old, 0); err != nil {
		t.Fatal(err)
	}
	h.wait("second order", func(ev Event) bool { o, ok := ev.(OrderPlaced); return ok && o.OrderID != first.OrderID })
	s := h.file().Servers[0]
	if s.ID == old || s.OrderID == first.OrderID {
		t.Fatalf("%+v", s)
	}
	st := h.journal()
	if st.Follow(old) != s.ID || st.Entry(old).Order.OrderID != first.OrderID {
		t.Fatalf("journal: old %+v", st.Entry(old))
	}
	if err := h.eng.BuyAnother(context.Background(), "nope", 1); err == nil {
		t.Fatal("re-armed a missing entry")
	}
}
