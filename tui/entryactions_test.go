package tui

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

// Entries of testdata/entry-actions-prefs.json, by index.
const (
	eaWanted = iota
	eaPaused
	eaRetired
	eaLatched
	eaOrdered
)

// entryActionsModel is a model on testdata/entry-actions-prefs.json with
// the engine's state of it; edit changes its deps.
func entryActionsModel(t *testing.T, w, h int, edit func(*Deps)) Model {
	t.Helper()
	store := openStore(t, "testdata/entry-actions-prefs.json")
	d := testDeps(t, store)
	if edit != nil {
		edit(&d)
	}
	m := send(New(d), tea.WindowSizeMsg{Width: w, Height: h})
	month := 29*24*time.Hour + 5*time.Hour
	sc := scenario{
		avail: map[int]map[string]string{eaWanted: {"fra": "unavailable", "gra": "720H"}, eaPaused: {"rbx": "1H-low", "sbg": "unavailable"}},
		carts: map[int]map[string]testCart{eaWanted: {"fra": {1998000000, time.Minute, month, false}}},
		notes: map[int]string{eaRetired: "retired: 21.99 EUR in gra > ceiling 20.00 EUR"},
	}
	return send(m, eventsMsg{events: []order.Event{engineStates(m.file, sc)}, now: fixedNow})
}

// driveSaves applies msgs and runs the saves and removals they start (never a
// command that waits).
func driveSaves(m Model, msgs ...tea.Msg) Model {
	for _, msg := range msgs {
		var cmd tea.Cmd
		m, cmd = update(m, msg)
		for cmd != nil {
			switch out := cmd().(type) {
			case savedMsg, removeMsg:
				m, cmd = update(m, out)
			case prefsMsg:
				m, _ = update(m, out) // its reply waits for the next change
				cmd = nil
			default:
				cmd = nil
			}
		}
	}
	return m
}

// selectEntry moves the selection to entry i.
func selectEntry(m Model, i int) Model {
	for m.sel < i {
		m = send(m, press("j")...)
	}
	for m.sel > i {
		m = send(m, press("k")...)
	}
	return m
}

func stored(t *testing.T, m Model, id string) (prefs.Server, bool) {
	t.Helper()
	f := m.deps.Store.Snapshot()
	if i := f.Find(id); i >= 0 {
		return f.Servers[i], true
	}
	return prefs.Server{}, false
}

func TestRemoveAsksThenRemoves(t *testing.T) {
	m := entryActionsModel(t, 120, 40, nil)
	m = selectEntry(m, eaWanted)
	m = driveSaves(m, press("d")...)
	if m.confirm == nil || m.confirm.kind != confirmRemove || !strings.Contains(screenText(m), "Remove KS-LE-B") {
		t.Fatalf("d did not ask:\n%s", screenText(m))
	}
	m = driveSaves(m, press("n")...)
	if _, ok := stored(t, m, "25skleb01-wanted"); !ok || m.confirm != nil {
		t.Fatal("n removed the entry")
	}
	m = driveSaves(m, press("d", "y")...)
	if _, ok := stored(t, m, "25skleb01-wanted"); ok {
		t.Fatal("y did not remove the entry")
	}
	if len(m.file.Servers) != 4 || !strings.Contains(screenText(m), "saved: removed") {
		t.Fatalf("%d entries shown:\n%s", len(m.file.Servers), screenText(m))
	}
}

// An ordered entry may be removed: the dialog says its order stays.
func TestRemoveOrderedSaysTheOrderStays(t *testing.T) {
	m := entryActionsModel(t, 120, 40, nil)
	m = selectEntry(m, eaOrdered)
	m = driveSaves(m, press("d")...)
	if !strings.Contains(screenText(m), "Order #248113377 stays in your OVH account") || strings.Contains(screenText(m), "UNPAID") {
		t.Fatalf("dialog:\n%s", screenText(m))
	}
	// Unpaid, it says so and how to pay it.
	m = driveSaves(m, press("esc")...)
	base := order.Base{Time: fixedNow, Entry: "25sklea01-ordered", DC: "rbx"}
	m = driveSaves(m, eventsMsg{events: []order.Event{order.OrderAttempted{Base: base, Autopay: false}, order.OrderPlaced{Base: base, OrderID: 248113377}}, now: fixedNow})
	m = driveSaves(m, press("x")...) // the banner
	m = driveSaves(m, press("d")...)
	if !strings.Contains(screenText(m), "It is UNPAID") || !strings.Contains(screenText(m), "ovhtui pay 248113377") {
		t.Fatalf("unpaid not said:\n%s", screenText(m))
	}
}

// An entry whose checkout outcome is unknown is never removed: no dialog,
// the log says why; and the rule holds in the save itself.
func TestRemoveRefusesAnUnsettledCheckout(t *testing.T) {
	m := entryActionsModel(t, 120, 40, nil)
	m = selectEntry(m, eaLatched)
	m = driveSaves(m, press("d")...)
	if m.confirm != nil {
		t.Fatal("d asked to remove a latched entry")
	}
	if !strings.Contains(screenText(m), "not removed: a checkout in gra has no known outcome") {
		t.Fatalf("no reason shown:\n%s", screenText(m))
	}
	f := m.deps.Store.Snapshot().Clone()
	if err := removeEntry("24rise01-latched")(f); err == nil {
		t.Fatal("the save removed a latched entry")
	}
}

// With the engine wired, removal goes through Deps.Remove.
func TestRemoveCallsDeps(t *testing.T) {
	var got string
	m := entryActionsModel(t, 120, 40, func(d *Deps) {
		d.Remove = func(_ context.Context, key string) error { got = key; return nil }
	})
	m = selectEntry(m, eaPaused)
	m = driveSaves(m, press("d", "y")...)
	if got != "24sk50-paused" || !strings.Contains(screenText(m), "removing KS-5") {
		t.Fatalf("Remove(%q):\n%s", got, screenText(m))
	}
}

func TestPauseThenResume(t *testing.T) {
	m := entryActionsModel(t, 120, 40, nil)
	m = selectEntry(m, eaWanted)
	m = driveSaves(m, press("z")...)
	if m.confirm == nil || m.confirm.kind != confirmPause {
		t.Fatal("z did not ask before pausing")
	}
	m = driveSaves(m, press("y")...)
	s, _ := stored(t, m, "25skleb01-wanted")
	if !s.Paused() || s.PausedQty != 1 || s.CeilingPrice != 20 || !s.PlaceOrder || !s.Autopay {
		t.Fatalf("paused entry %+v", s)
	}
	// place_order and autopay are on: resuming orders and pays at once, so
	// it asks.
	m = driveSaves(m, press("z")...)
	if m.confirm == nil || m.confirm.kind != confirmResume || !strings.Contains(screenText(m), "REAL MONEY") {
		t.Fatalf("z did not ask before resuming:\n%s", screenText(m))
	}
	m = driveSaves(m, press("y")...)
	if s, _ = stored(t, m, "25skleb01-wanted"); !s.Wanted() || s.Qty != 1 || s.PausedQty != 0 {
		t.Fatalf("resumed entry %+v", s)
	}
}

// A paused entry that would not order and pay at once resumes in one key.
func TestResumeInOneKey(t *testing.T) {
	m := entryActionsModel(t, 120, 40, nil)
	m = selectEntry(m, eaPaused)
	m = driveSaves(m, press("a")...) // autopay off
	m = driveSaves(m, press("z")...)
	if m.confirm != nil {
		t.Fatal("z asked to resume an entry without autopay")
	}
	if s, _ := stored(t, m, "24sk50-paused"); s.Qty != 2 || s.CeilingPrice != 90 || s.Paused() {
		t.Fatalf("resumed entry %+v", s)
	}
}

// z and + on entries that are not wanted say why and change nothing.
func TestPauseRefusals(t *testing.T) {
	for i, want := range map[int]string{
		eaRetired: "R brings it back", eaLatched: "no known outcome", eaOrdered: "B buys another",
	} {
		m := entryActionsModel(t, 120, 40, nil)
		m = selectEntry(m, i)
		before, _ := m.deps.Store.Snapshot().Marshal()
		m = driveSaves(m, press("z")...)
		after, _ := m.deps.Store.Snapshot().Marshal()
		if m.confirm != nil || string(after) != string(before) || !strings.Contains(screenText(m), want) {
			t.Fatalf("entry %d: z changed something or did not say %q:\n%s", i, want, screenText(m))
		}
	}
	m := entryActionsModel(t, 120, 40, nil)
	m = selectEntry(m, eaPaused)
	m = driveSaves(m, press("+")...)
	if s, _ := stored(t, m, "24sk50-paused"); !s.Paused() || !strings.Contains(screenText(m), "z resumes it (qty 2)") {
		t.Fatalf("+ on a paused entry: %+v", s)
	}
}

// R on a retired entry opens the ceiling editor at the catalog's price;
// saving brings it back with that ceiling and its qty.
func TestBringBackRetired(t *testing.T) {
	m := entryActionsModel(t, 120, 40, nil)
	m = selectEntry(m, eaRetired)
	m = driveSaves(m, press("R")...)
	if m.ceiling == nil || !m.ceiling.bringBack {
		t.Fatal("R did not open the bring-back editor")
	}
	s := m.file.Servers[eaRetired]
	p, ok := prefs.CatalogPrice(s, m.cat)
	if !ok {
		t.Fatal("no catalog price for the retired entry")
	}
	want := money.Decimal(p.FirstInvoice())
	if m.ceiling.input.String() != want || !strings.Contains(screenText(m), "Bring back") {
		t.Fatalf("preset %q, want %q:\n%s", m.ceiling.input.String(), want, screenText(m))
	}
	m = driveSaves(m, press("enter")...)
	got, _ := stored(t, m, "25sklea01-retired")
	if !got.Wanted() || got.Qty != 1 || got.CeilingUcents() != p.FirstInvoice() || got.Retired() {
		t.Fatalf("brought back %+v", got)
	}
	// e on a retired entry opens the same editor; 0 is refused there.
	m = entryActionsModel(t, 120, 40, nil)
	m = selectEntry(m, eaRetired)
	m = driveSaves(m, press("e")...)
	if m.ceiling == nil || !m.ceiling.bringBack {
		t.Fatal("e did not open the bring-back editor")
	}
	m = driveSaves(m, tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	m = driveSaves(m, append(typeText("0"), press("enter")...)...)
	if m.ceiling == nil || !strings.Contains(screenText(m), "a ceiling of 0 accepts no price") {
		t.Fatalf("0 not refused:\n%s", screenText(m))
	}
}

// p on an ordered or retired entry says what turning place_order on does
// (nothing now) before doing it.
func TestPlaceOrderOnFinishedSaysWhatItDoes(t *testing.T) {
	for i, want := range map[int]string{
		eaOrdered: "buys nothing now: the entry stays ordered",
		eaRetired: "applies once you bring it back",
	} {
		m := entryActionsModel(t, 120, 40, nil)
		m = selectEntry(m, i)
		m = driveSaves(m, press("p")...)
		if m.confirm == nil || m.confirm.kind != confirmFinishedPlace || !strings.Contains(screenText(m), want) {
			t.Fatalf("entry %d: no dialog saying %q:\n%s", i, want, screenText(m))
		}
		m = driveSaves(m, press("y")...)
		if s := m.deps.Store.Snapshot().Servers[i]; !s.PlaceOrder || s.Qty != 0 || s.OrderID != m.file.Servers[i].OrderID {
			t.Fatalf("entry %d after y: %+v", i, s)
		}
	}
	// Off needs no dialog; the log says it buys nothing now.
	m := entryActionsModel(t, 120, 40, nil)
	m = selectEntry(m, eaPaused)
	m = driveSaves(m, press("p")...)
	if m.confirm != nil || !strings.Contains(screenText(m), "paused: applies when you resume it") {
		t.Fatalf("p on a paused entry:\n%s", screenText(m))
	}
}

func TestReadOnlyRefusesRemoveAndPause(t *testing.T) {
	m := entryActionsModel(t, 120, 40, func(d *Deps) { d.ReadOnly = true })
	m = driveSaves(m, press("d", "z")...)
	if m.confirm != nil || len(m.deps.Store.Snapshot().Servers) != 5 || !strings.Contains(screenText(m), "read-only session") {
		t.Fatal("a read-only session removed or paused")
	}
}

func TestEntryActionsGolden(t *testing.T) {
	screens := []struct {
		name string
		msgs func(m Model) []tea.Msg
	}{
		{"dashboard", func(Model) []tea.Msg { return nil }},
		{"confirm_remove", func(Model) []tea.Msg { return press("d") }},
		{"confirm_pause", func(Model) []tea.Msg { return press("z") }},
		{"confirm_resume", func(Model) []tea.Msg { return press("j", "z") }},
		{"bring_back", func(Model) []tea.Msg { return press("j", "j", "R") }},
		{"confirm_finished_place", func(Model) []tea.Msg { return press("j", "j", "j", "j", "p") }},
		{"config_over_ceiling", func(Model) []tea.Msg { return press("j", "C", "enter") }},
	}
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		for _, sc := range screens {
			t.Run(sc.name+"_"+itoa(size.w)+"x"+itoa(size.h), func(t *testing.T) {
				m := entryActionsModel(t, size.w, size.h, nil)
				m = send(m, sc.msgs(m)...)
				golden.RequireEqual(t, screenText(m))
			})
		}
	}
}

// The config screen warns when the choice costs more than the ceiling, and
// enter saves only when pressed again for that same choice.
func TestConfigWarnsOverCeilingBeforeSaving(t *testing.T) {
	m := entryActionsModel(t, 120, 40, nil)
	m = selectEntry(m, eaPaused) // 24sk50, 2 units, ceiling 90.00 < the catalog's 2 × 51.98
	m = driveSaves(m, press("C")...)
	if m.browser == nil || m.browser.config == nil {
		t.Fatal("C did not open the config screen")
	}
	if !strings.Contains(screenText(m), "is over the ceiling 90.00") {
		t.Fatalf("no warning:\n%s", screenText(m))
	}
	m = driveSaves(m, press("enter")...)
	if m.browser == nil || !strings.Contains(screenText(m), "enter again saves anyway") {
		t.Fatalf("the first enter saved:\n%s", screenText(m))
	}
	m = driveSaves(m, press("enter")...)
	if m.browser != nil || !strings.Contains(screenText(m), "saved: entry KS-5") {
		t.Fatalf("the second enter did not save:\n%s", screenText(m))
	}
	// Within the ceiling: one enter saves.
	m = driveSaves(m, press("C")...)
	for range m.browser.config.nFields() {
		m = driveSaves(m, press("down")...) // to the ceiling, the last field
	}
	m = driveSaves(m, append([]tea.Msg{tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}}, typeText("500")...)...)
	if strings.Contains(screenText(m), "is over the ceiling") {
		t.Fatalf("warned within the ceiling:\n%s", screenText(m))
	}
	m = driveSaves(m, press("enter")...)
	if s, _ := stored(t, m, "24sk50-paused"); m.browser != nil || s.CeilingPrice != 500 {
		t.Fatalf("ceiling %v, browser open %v", s.CeilingPrice, m.browser != nil)
	}
}

// p turning place_order on with autopay on, for a paused entry: the REAL
// MONEY dialog says nothing is bought now, and when it would be.
func TestPlaceOrderOnPausedSaysNothingNow(t *testing.T) {
	m := entryActionsModel(t, 120, 40, nil)
	m = selectEntry(m, eaPaused)
	m = driveSaves(m, press("p")...) // off: no dialog
	if m.confirm != nil {
		t.Fatal("turning place_order off asked")
	}
	m = driveSaves(m, press("p")...)
	if m.confirm == nil || m.confirm.kind != confirmPlaceOrder {
		t.Fatal("turning place_order on with autopay did not ask")
	}
	if screen := screenText(m); !strings.Contains(screen, "Nothing is bought now (paused: applies when you resume it, z)") || !strings.Contains(screen, "orders 2 unit(s)") {
		t.Fatalf("dialog:\n%s", screen)
	}
}

// A file broken on disk meanwhile is never overwritten by an entry action:
// the save is refused with the reason and the bytes stay as they are.
func TestEntryActionNeverOverwritesABrokenFile(t *testing.T) {
	m := entryActionsModel(t, 120, 40, nil)
	broken := []byte("{\"subsidiary\": \"IE\", \"user_servers\": [\n")
	if err := os.WriteFile(m.deps.Store.Path(), broken, 0o600); err != nil {
		t.Fatal(err)
	}
	m = selectEntry(m, eaWanted)
	m = driveSaves(m, press("z", "y")...)
	m = driveSaves(m, press("d", "y")...)
	got, err := os.ReadFile(m.deps.Store.Path())
	if err != nil || string(got) != string(broken) {
		t.Fatalf("the broken file changed: %q (%v)", got, err)
	}
	if !strings.Contains(screenText(m), "ERR  not saved (removed KS-LE-B") {
		t.Fatalf("the refusal is not shown:\n%s", screenText(m))
	}
}
