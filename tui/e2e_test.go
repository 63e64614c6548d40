package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

// waitLong bounds every wait of the end-to-end tests; conditions are
// checked, never slept on. A bound, not a measure: generous, as CI's
// machine may be far slower than ours under -race.
var waitLong = teatest.WithDuration(2 * time.Minute)

// finishBound bounds the wait for a program to exit once it was told to
// (a guard against a hang, like waitLong).
var finishBound = teatest.WithFinalTimeout(2 * time.Minute)

// e2e starts the program on a temp copy of src with an events channel the
// test feeds.
func e2e(t *testing.T, src string) (*teatest.TestModel, *prefs.Store, chan order.Event) {
	t.Helper()
	store := openStore(t, src)
	tm, events := e2eOn(t, store)
	return tm, store, events
}

// e2eOn starts the program on store, as e2e does.
func e2eOn(t *testing.T, store *prefs.Store) (*teatest.TestModel, chan order.Event) {
	t.Helper()
	events := make(chan order.Event, 16)
	d := testDeps(t, store)
	d.Events = events
	tm := teatest.NewTestModel(t, New(d), teatest.WithInitialTermSize(120, 40))
	t.Cleanup(func() {
		_ = tm.Quit()
		tm.WaitFinished(t, finishBound)
	})
	return tm, events
}

// onDisk reads the saved preferences file.
func onDisk(t *testing.T, store *prefs.Store) *prefs.File {
	t.Helper()
	f, err := prefs.Load(store.Path())
	if err != nil {
		t.Fatalf("saved file does not load: %v", err)
	}
	return f
}

// waitDisk waits until the saved file satisfies cond, and so does the
// store's content, which is what the engine reads: the store takes a save
// in only after the rename and the folder's sync, so a test that went on
// from the disk alone could hand the engine the content from before.
func waitDisk(t *testing.T, tm *teatest.TestModel, store *prefs.Store, what string, cond func(*prefs.File) bool) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func([]byte) bool { return cond(onDisk(t, store)) && cond(store.Snapshot()) }, waitLong)
}

// waitScreen waits until the program's output contains all of texts.
func waitScreen(t *testing.T, tm *teatest.TestModel, texts ...string) {
	t.Helper()
	var seen bytes.Buffer
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		seen.Write(b)
		for _, s := range texts {
			if !bytes.Contains(seen.Bytes(), []byte(s)) {
				return false
			}
		}
		return true
	}, waitLong)
}

func TestE2ETogglesAndQtyAreSaved(t *testing.T) {
	tm, store, _ := e2e(t, "../prefs/testdata/example1.json")
	waitScreen(t, tm, "KS-LE-B")
	tm.Type("p")
	waitDisk(t, tm, store, "place_order on", func(f *prefs.File) bool { return f.Servers[0].PlaceOrder })
	tm.Type("++")
	waitDisk(t, tm, store, "qty 3", func(f *prefs.File) bool { return f.Servers[0].Qty == 3 })
	tm.Type("-")
	waitDisk(t, tm, store, "qty 2", func(f *prefs.File) bool { return f.Servers[0].Qty == 2 })
	tm.Type("a") // place_order is on: autopay asks first
	waitScreen(t, tm, "REAL MONEY")
	if onDisk(t, store).Servers[0].Autopay {
		t.Fatal("autopay saved before the confirmation")
	}
	tm.Type("y")
	waitDisk(t, tm, store, "autopay on", func(f *prefs.File) bool { return f.Servers[0].Autopay })

	f := onDisk(t, store)
	s := f.Servers[0]
	if !s.PlaceOrder || !s.Autopay || s.Qty != 2 {
		t.Fatalf("saved entry: place_order %v autopay %v qty %d, want true true 2", s.PlaceOrder, s.Autopay, s.Qty)
	}
	// Unknown and untouched fields survive; the ceiling follows qty
	// (20 for 1 unit, 40 for 2).
	if s.CeilingPrice != 40 || len(s.Coupons) != 1 || s.Coupons[0] != "MONDAY" {
		t.Fatalf("other fields changed: ceiling %v coupons %v", s.CeilingPrice, s.Coupons)
	}
}

func TestE2EConfirmBeforePlaceOrderWithAutopay(t *testing.T) {
	tm, store, _ := e2e(t, "../prefs/testdata/example1.json")
	waitScreen(t, tm, "KS-LE-B")
	tm.Type("a") // autopay on while place_order is off: no question
	waitDisk(t, tm, store, "autopay on", func(f *prefs.File) bool { return f.Servers[0].Autopay })
	tm.Type("p")
	waitScreen(t, tm, "REAL MONEY", "Turn place_order ON", "Ceiling")
	if onDisk(t, store).Servers[0].PlaceOrder {
		t.Fatal("place_order saved before the confirmation")
	}
	tm.Type("n") // cancelled: nothing saved
	waitScreen(t, tm, "cancelled: nothing changed")
	if onDisk(t, store).Servers[0].PlaceOrder {
		t.Fatal("place_order saved after cancel")
	}
	tm.Type("p")
	waitScreen(t, tm, "yes, order for real")
	tm.Type("y")
	waitDisk(t, tm, store, "place_order on", func(f *prefs.File) bool { return f.Servers[0].PlaceOrder })
}

func TestE2EOrderPlacedShowsBannerAndRings(t *testing.T) {
	tm, store, events := e2e(t, "../prefs/testdata/example1.json")
	waitScreen(t, tm, "KS-LE-B")
	key := store.Snapshot().Servers[0].Key()
	events <- order.OrderPlaced{
		Base:    order.Base{Time: fixedNow, Entry: key, DC: "fra"},
		OrderID: 4242,
		URL:     "https://www.ovh.ie/order/4242",
		Price:   money.Amount{Ucents: 1998000000, Currency: "EUR"},
	}
	waitScreen(t, tm, "ORDER PLACED", "4242", "https://www.ovh.ie/order/4242", "\a")
}

func TestE2EAddServerFromCatalog(t *testing.T) {
	tm, store, _ := e2e(t, "../prefs/testdata/example1.json")
	waitScreen(t, tm, "KS-LE-B")
	// Keys are handled in order, and the browser's screens change
	// synchronously: no need to wait between them (the output of a
	// diffing renderer holds only what changed, so intermediate texts are
	// not reliable to wait for anyway).
	tm.Type("/")
	tm.Type("24sk50") // 24sk50, -sgp and -syd; the cheapest, 24sk50, comes first
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	// Fields: bandwidth, memory, storage, then the DCs.
	for range 3 {
		tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	tm.Send(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}) // want the first DC
	tm.Send(tea.KeyPressMsg{Code: tea.KeyDown})
	tm.Send(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}) // and the second
	tm.Send(tea.KeyPressMsg{Code: 'K', Text: "K"})          // preferred first
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitDisk(t, tm, store, "new entry", func(f *prefs.File) bool { return len(f.Servers) == 2 })

	f := onDisk(t, store)
	if probs := prefs.Validate(f, "ovh-eu"); len(probs) > 0 {
		t.Fatalf("saved file does not validate: %v", probs)
	}
	s := f.Servers[1]
	cat := testCatalog(t)
	o, _ := cat.Offer("24sk50")
	if s.PlanCode != "24sk50" || !strings.HasPrefix(s.FQN, "24sk50.") {
		t.Fatalf("planCode %q fqn %q", s.PlanCode, s.FQN)
	}
	v, ok := cat.Variant(s.FQN)
	if !ok {
		t.Fatalf("fqn %q is not a variant of the catalog", s.FQN)
	}
	if s.PlaceOrder || s.Autopay || s.Qty != 1 {
		t.Fatalf("place_order %v autopay %v qty %d, want false false 1", s.PlaceOrder, s.Autopay, s.Qty)
	}
	if got, want := s.CeilingUcents(), v.FirstInvoice(); got != want {
		t.Fatalf("ceiling %d, want the first invoice %d", got, want)
	}
	if len(s.AddonPlanCodes) != len(v.Addons) {
		t.Fatalf("addons %v, want %v", s.AddonPlanCodes, v.Addons)
	}
	for _, a := range v.Addons {
		if !contains(s.AddonPlanCodes, a) {
			t.Fatalf("addons %v, want %v", s.AddonPlanCodes, v.Addons)
		}
	}
	if os, _ := s.Labels.Get("dedicated_os"); os != "none_64.en" {
		t.Fatalf("dedicated_os %q", os)
	}
	want := []string{o.Datacenters[1], o.Datacenters[0]}
	if got := s.DCNames(); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("datacenters %v, want %v", got, want)
	}
	for _, d := range s.Datacenters {
		if d.Region == "" {
			t.Fatalf("datacenter %s without region", d.Datacenter)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
