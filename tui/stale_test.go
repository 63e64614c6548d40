package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/ovhtui/ovhtui/order"

	"github.com/ovhtui/ovhtui/prefs"
)

// The stale-status cases of issue 13, run as a user would: the rows follow
// the engine's published state, never an older report.

// overCeiling is entry 0 (KS-LE-B, ceiling 20.00) with a cart over it in a
// DC that is not orderable yet.
func overCeiling() scenario {
	return scenario{avail: av("720H", ""), carts: carts(25_00000000, 0, time.Minute)}
}

func TestE2EStaleStatusFileRepairedByHand(t *testing.T) {
	tm, store, events := e2e(t, "testdata/dashboard-prefs.json")
	// The engine ran a dry run: qty 0, its note says so.
	if err := store.Update("dry run", func(f *prefs.File) error { f.Servers[0].Qty, f.Servers[0].PlaceOrder = 0, false; return nil }); err != nil {
		t.Fatal(err)
	}
	events <- engineStates(store.Snapshot(), scenario{notes: map[int]string{0: "dry run done: would have ordered in fra at 19.98 EUR"}})
	waitScreen(t, tm, "dry run done")
	// The user repairs the file by hand; the engine reads it and publishes.
	if err := store.Update("by hand", func(f *prefs.File) error { f.Servers[0].Qty, f.Servers[0].PlaceOrder = 1, true; return nil }); err != nil {
		t.Fatal(err)
	}
	events <- engineStates(store.Snapshot(), scenario{avail: av("1H-high", ""), carts: carts(19_98000000, 0, time.Minute)})
	waitScreen(t, tm, "ORDERING NOW")
}

func TestE2EStaleStatusCeilingRaised(t *testing.T) {
	tm, store, events := e2e(t, "testdata/dashboard-prefs.json")
	events <- engineStates(store.Snapshot(), overCeiling())
	waitScreen(t, tm, "over ceiling")
	tm.Type("e")
	for range 5 {
		tm.Send(press("backspace")[0])
	}
	tm.Type("30")
	tm.Send(press("enter")[0])
	// Saved, not read by the engine yet: the row says so, not "over ceiling".
	waitScreen(t, tm, "saved;")
	waitDisk(t, tm, store, "ceiling 30", func(f *prefs.File) bool { return f.Servers[0].CeilingPrice == 30 })
	events <- engineStates(store.Snapshot(), overCeiling())
	if row := finalRow(t, tm, events, "fra"); !strings.Contains(row, "25.00≤30.00") || !strings.Contains(row, "ready") {
		t.Fatalf("after the engine read the new ceiling: %s", row)
	}
}

func TestE2EStaleStatusQtyToZero(t *testing.T) {
	tm, store, events := e2e(t, "testdata/dashboard-prefs.json")
	events <- engineStates(store.Snapshot(), overCeiling())
	waitScreen(t, tm, "over ceiling")
	tm.Type("-")
	waitScreen(t, tm, "saved;")
	waitDisk(t, tm, store, "qty 0", func(f *prefs.File) bool { return f.Servers[0].Qty == 0 })
	events <- engineStates(store.Snapshot(), overCeiling())
	if row := finalRow(t, tm, events, "fra"); strings.Contains(row, "over ceiling") || !strings.Contains(row, "stopped: qty 0") {
		t.Fatalf("after the engine read qty 0: %s", row)
	}
}

func TestE2EStaleStatusCartBuiltAfterStop(t *testing.T) {
	// Stopped before the program starts: a change made while it runs
	// reaches it on its own (waitPrefs), maybe after the state below, and
	// the final row could then be the one of the file before the stop.
	store := openStore(t, "testdata/dashboard-prefs.json")
	if err := store.Update("stop", func(f *prefs.File) error { f.Servers[0].Qty = 0; return nil }); err != nil {
		t.Fatal(err)
	}
	tm, events := e2eOn(t, store)
	// A cart the keeper finished after the entry stopped: the row must not
	// say "ready".
	events <- engineStates(store.Snapshot(), scenario{avail: av("1H-high", ""), carts: carts(19_98000000, 0, time.Minute)})
	if row := finalRow(t, tm, events, "fra"); strings.Contains(row, "ready") || !strings.Contains(row, "stopped") {
		t.Fatalf("a stopped entry with a cart says: %s", row)
	}
}

// finalRow waits until the program has taken every event sent (a marker
// line sent after them shows in the log pane), quits it and returns the row
// of entry 0 in dc on the final model.
func finalRow(t *testing.T, tm *teatest.TestModel, events chan<- order.Event, dc string) string {
	t.Helper()
	events <- order.Info{Base: order.Base{Time: fixedNow}, Text: "marker-7f3a"}
	waitScreen(t, tm, "marker-7f3a")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, finishBound).(Model)
	return rowOf(t, screenText(final), dc)
}
