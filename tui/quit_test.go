package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

// TestE2EQuitWithCheckoutInFlight: q while a checkout is in flight says what
// it waits for, keeps the UI up until the engine reports the outcome, shows
// it, then exits; the outcome outlives the screen (Farewell).
func TestE2EQuitWithCheckoutInFlight(t *testing.T) {
	store := openStore(t, "testdata/dashboard-prefs.json")
	// The engine latched entry 0 in gra and is checking out.
	if err := store.Update("latch", func(f *prefs.File) error {
		s := &f.Servers[0]
		s.OrderAttempted, s.OrderAttemptedIn, s.OrderAttemptedQty, s.Qty = true, "gra", 1, 0
		s.OrderAttemptedAt = fixedNow
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	events := make(chan order.Event, 16)
	d := testDeps(t, store)
	d.Events = events
	tm := teatest.NewTestModel(t, New(d), teatest.WithInitialTermSize(120, 40))
	f := store.Snapshot()
	events <- engineStates(f, scenario{avail: av("unavailable", "1H-high"), checkout: map[int]string{0: "gra"}})
	waitScreen(t, tm, "checkout in gra in flight")

	tm.Type("q")
	waitScreen(t, tm, "waiting for the checkout in gra")

	// OVH answers: the engine records the order and publishes the new state.
	if err := store.Update("order", func(f *prefs.File) error {
		s := &f.Servers[0]
		s.OrderID, s.OrderedIn, s.OrderURL = 248119999, "gra", "https://www.ovh.ie/order/248119999"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	key := f.Servers[0].Key()
	events <- order.OrderPlaced{Base: order.Base{Time: fixedNow.Add(3 * time.Second), Entry: key, DC: "gra"},
		OrderID: 248119999, URL: "https://www.ovh.ie/order/248119999", Price: money.Amount{Ucents: 1998000000, Currency: "EUR"}}
	events <- engineStates(store.Snapshot(), scenario{})
	waitScreen(t, tm, "Checkout finished", "ORDER 248119999 PLACED")

	tm.WaitFinished(t, finishBound)
	final := tm.FinalModel(t).(Model)
	bye := strings.Join(final.Farewell(), "\n")
	if !strings.Contains(bye, "ORDER 248119999 PLACED in gra") || !strings.Contains(bye, "UNPAID") {
		t.Fatalf("farewell does not give the outcome:\n%s", bye)
	}
}

// TestE2EBuyAnother: on an ordered entry + names the key that works, b asks
// with a qty, y re-arms it through the lifecycle owner (new id, qty, the
// ceiling scaled for the units).
func TestE2EBuyAnother(t *testing.T) {
	tm, store, events := e2e(t, "testdata/dashboard-prefs.json")
	f := store.Snapshot()
	events <- engineStates(f, scenario{})
	waitScreen(t, tm, "ordered #248113377")
	tm.Type("jjj+")
	waitScreen(t, tm, "press B to buy another")
	tm.Type("B")
	waitScreen(t, tm, "Buy another", "ceiling for them: 25.00")
	tm.Type("+")
	waitScreen(t, tm, "50.00 EUR")
	if s := onDisk(t, store).Servers[3]; s.OrderID == 0 {
		t.Fatal("re-armed before the confirmation")
	}
	tm.Type("y")
	waitDisk(t, tm, store, "re-armed", func(f *prefs.File) bool { return f.Servers[3].OrderID == 0 })
	s := onDisk(t, store).Servers[3]
	if s.Qty != 2 || s.CeilingUcents() != 50_00000000 || s.Key() == f.Servers[3].Key() || s.OrderAttempted {
		t.Fatalf("re-armed entry: qty %d ceiling %v id %q (was %q) latched %v", s.Qty, s.CeilingPrice, s.Key(), f.Servers[3].Key(), s.OrderAttempted)
	}
}
