package tui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

// update applies one message and returns the model and command.
func update(m Model, msg tea.Msg) (Model, tea.Cmd) {
	next, cmd := m.Update(msg)
	return next.(Model), cmd
}

func TestViewFillsTheWindowExactly(t *testing.T) {
	screens := map[string][]tea.Msg{
		"dashboard": nil,
		"log":       press("tab"),
		"help":      press("?"),
		"confirm":   press("j", "p"),
		"ceiling":   press("e"),
		"dcorder":   press("j", "o"),
		"browser":   press("/"),
		"config":    press("/", "enter"),
		"banner":    nil,
	}
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}, {200, 60}, {60, 16}} {
		for name, msgs := range screens {
			t.Run(fmt.Sprintf("%s_%dx%d", name, size.w, size.h), func(t *testing.T) {
				m := dashboardModel(t, size.w, size.h)
				if name == "banner" {
					m = send(m, eventsMsg{events: []order.Event{orderPlaced(m)}, now: fixedNow})
				}
				m = send(m, msgs...)
				lines := strings.Split(m.View().Content, "\n")
				if len(lines) != size.h {
					t.Errorf("%d lines, want %d", len(lines), size.h)
				}
				for i, l := range lines {
					if w := ansi.StringWidth(l); w > size.w {
						t.Errorf("line %d is %d cells wide (> %d): %q", i, w, size.w, ansi.Strip(l))
					}
				}
			})
		}
	}
}

func TestQuitWaitsForQueuedSaves(t *testing.T) {
	m := dashboardModel(t, 80, 24)
	m, saveCmd := update(m, press("+")[0])
	if saveCmd == nil || !m.saving {
		t.Fatal("+ did not start a save")
	}
	m, cmd := update(m, press("q")[0])
	if cmd != nil {
		t.Fatalf("quit while a save runs returned a command (%T)", cmd())
	}
	if m.leaving == nil || !strings.Contains(screenText(m), "quitting") {
		t.Fatal("quitting is not shown")
	}
	// The save ends: now the program quits.
	msg := saveCmd()
	m, cmd = update(m, msg)
	if cmd == nil {
		t.Fatal("no quit after the last save")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("the command after the last save is not Quit")
	}
	if m.file.Servers[0].Qty != 2 {
		t.Fatalf("qty %d after save, want 2", m.file.Servers[0].Qty)
	}
}

func TestQueuedSavesShowAtOnceAndRunInOrder(t *testing.T) {
	m := dashboardModel(t, 80, 24)
	m, first := update(m, press("+")[0])
	m, second := update(m, press("+")[0])
	if second != nil {
		t.Fatal("a second save started while the first runs")
	}
	if got := m.file.Servers[0].Qty; got != 3 {
		t.Fatalf("shown qty %d, want 3 (1 + two presses not saved yet)", got)
	}
	m, next := update(m, first())
	if next == nil {
		t.Fatal("the queued save did not start")
	}
	m, _ = update(m, next())
	if m.saving || len(m.saves) > 0 {
		t.Fatal("saves left")
	}
	if got := m.deps.Store.Snapshot().Servers[0].Qty; got != 3 {
		t.Fatalf("saved qty %d, want 3", got)
	}
}

func TestStaleAvailabilityIsDropped(t *testing.T) {
	m := dashboardModel(t, 80, 24)
	m = send(m, press("/", "enter")...)
	gen := m.browser.availGen
	m = send(m, availMsg{gen: gen - 1, data: map[string]map[string]string{"x": {"fra": "1H-high"}}})
	if m.browser.config.avail != nil {
		t.Fatal("a reply for an earlier offer was used")
	}
	m = send(m, availMsg{gen: gen, data: map[string]map[string]string{"x": {"fra": "1H-high"}}})
	if m.browser.config.avail == nil || m.browser.config.availLoading {
		t.Fatal("the current reply was not used")
	}
}

func TestLogIsBoundedAndScrolls(t *testing.T) {
	var p logPane
	for i := range 1500 {
		p.add(logLine{at: fixedNow, text: fmt.Sprintf("line %d", i)})
	}
	if p.ring.len() != logCapacity {
		t.Fatalf("%d lines kept, want %d", p.ring.len(), logCapacity)
	}
	if got := p.ring.at(0).text; got != "line 500" {
		t.Fatalf("oldest %q, want line 500", got)
	}
	if got := p.ring.at(logCapacity - 1).text; got != "line 1499" {
		t.Fatalf("newest %q", got)
	}
	p.scroll(10, 5)
	p.add(logLine{text: "new"})
	if p.offset != 11 {
		t.Fatalf("offset %d: a new line moved what the user reads", p.offset)
	}
	p.scroll(1<<20, 5)
	if p.offset != logCapacity-5 {
		t.Fatalf("offset %d, want clamped to %d", p.offset, logCapacity-5)
	}
	p.scroll(-(1 << 20), 5)
	if p.offset != 0 {
		t.Fatalf("offset %d, want 0", p.offset)
	}
}

var sgrRe = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

func TestNoColorHasNoColour(t *testing.T) {
	store := openStore(t, "testdata/dashboard-prefs.json")
	d := testDeps(t, store)
	d.NoColor = true
	m := send(New(d), tea.WindowSizeMsg{Width: 120, Height: 40})
	m = send(m, eventsMsg{events: dashboardEvents(m.file), now: fixedNow})
	m = send(m, eventsMsg{events: []order.Event{orderPlaced(m)}, now: fixedNow})
	m = send(m, tea.BackgroundColorMsg{}) // a light/dark report keeps it plain
	for _, view := range []string{m.View().Content, send(m, press("j", "p")...).View().Content, send(m, press("/")...).View().Content} {
		for _, sgr := range sgrRe.FindAllStringSubmatch(view, -1) {
			for _, p := range strings.FieldsFunc(sgr[1], func(r rune) bool { return r == ';' || r == ':' }) {
				var n int
				fmt.Sscan(p, &n)
				if (n >= 30 && n <= 49) || (n >= 90 && n <= 107) {
					t.Fatalf("colour SGR %q with NO_COLOR", sgr[0])
				}
			}
		}
	}
}

// TestTimeTicksWhateverTheEngineDoes: with no event at all, the tick puts
// the time into the model and re-arms; the header's ages move.
func TestTimeTicksWhateverTheEngineDoes(t *testing.T) {
	store := openStore(t, "../prefs/testdata/example1.json")
	m := send(New(testDeps(t, store)), tea.WindowSizeMsg{Width: 120, Height: 24})
	before := screenText(m)
	m, cmd := update(m, tickMsg{now: fixedNow.Add(2 * time.Minute)})
	if cmd == nil {
		t.Fatal("the tick did not re-arm")
	}
	if !m.now.Equal(fixedNow.Add(2 * time.Minute)) {
		t.Fatal("the tick did not set now")
	}
	if after := screenText(m); after == before || !strings.Contains(after, "catalog 7m old") {
		t.Fatalf("the header did not move:\n%s", after)
	}
}

func TestRearmAsksThenCallsDeps(t *testing.T) {
	store := openStore(t, "testdata/dashboard-prefs.json")
	d := testDeps(t, store)
	var got string
	d.Rearm = func(_ context.Context, key string) error { got = key; return nil }
	m := send(New(d), tea.WindowSizeMsg{Width: 80, Height: 24})
	m = send(m, press("j", "j")...)
	want := m.file.Servers[2].Key()
	m, cmd := update(m, press("R")[0])
	if cmd != nil || m.confirm == nil {
		t.Fatal("R did not ask first")
	}
	m, cmd = update(m, press("y")[0])
	if cmd == nil {
		t.Fatal("no re-arm after yes")
	}
	msg := cmd()
	if got != want {
		t.Fatalf("re-armed %q, want %q", got, want)
	}
	m = send(m, msg)
	if !strings.Contains(screenText(m), "re-armed") {
		t.Fatal("re-arm not logged")
	}
	// R on an entry that does not wait for a decision does nothing.
	m = send(m, press("k")...)
	if m, cmd = update(m, press("R")[0]); cmd != nil || m.confirm != nil {
		t.Fatal("R asked for an entry that needs no decision")
	}
}

func TestEventsClosedStopsReading(t *testing.T) {
	m := dashboardModel(t, 80, 24)
	m = send(m, eventsMsg{closed: true, now: fixedNow})
	if !m.evClosed || !strings.Contains(screenText(m), "stopped sending events") {
		t.Fatal("closed event channel not noticed")
	}
}

func TestEditorsSaveThroughTheStore(t *testing.T) {
	m := dashboardModel(t, 80, 24)
	run := func(m Model, msgs ...tea.Msg) Model {
		for _, msg := range msgs {
			var cmd tea.Cmd
			m, cmd = update(m, msg)
			for cmd != nil {
				out := cmd()
				if _, ok := out.(savedMsg); !ok {
					break
				}
				m, cmd = update(m, out)
			}
		}
		return m
	}
	m = run(m, append(append(press("e"), press("backspace", "backspace", "backspace", "backspace", "backspace")...), append(typeText("18.5"), press("enter")...)...)...)
	if got := m.deps.Store.Snapshot().Servers[0].CeilingPrice; got != 18.5 {
		t.Fatalf("ceiling %v, want 18.5", got)
	}
	m = run(m, press("e", "backspace", "backspace", "backspace", "backspace", "backspace", "enter")...)
	if m.ceiling == nil || !strings.Contains(screenText(m), "type an amount") {
		t.Fatal("an empty ceiling was not refused in the editor")
	}
	m = run(m, press("esc", "j", "o", "down", "down", "K", "K", "enter")...)
	if got := strings.Join(m.deps.Store.Snapshot().Servers[1].DCNames(), ","); got != "bhs,rbx,sbg" {
		t.Fatalf("DC order %s, want bhs,rbx,sbg", got)
	}
	if m.sel != 1 {
		t.Fatalf("selection moved to %d after reordering", m.sel)
	}
	// The live state follows the entry to its new key.
	if !strings.Contains(screenText(m), "2160H") {
		t.Fatalf("availability lost after the reorder:\n%s", screenText(m))
	}
}

// TestCeilingEditorRefusesWhatItCannotSaveExactly: -5, 1e9, 12.345 and abc
// are refused with the reason; nothing is saved or rounded (issue 13).
func TestCeilingEditorRefusesWhatItCannotSaveExactly(t *testing.T) {
	for in, why := range map[string]string{
		"-5": "cannot be negative", "1e9": "plain digits", "12.345": "at most two decimals", "abc": "not an amount",
	} {
		m := dashboardModel(t, 120, 40)
		m = send(m, press("e")...)
		m = send(m, tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
		m = send(m, typeText(in)...)
		m, cmd := update(m, press("enter")[0])
		if cmd != nil || m.ceiling == nil || len(m.saves) > 0 || m.saving {
			t.Fatalf("%q: saved or closed", in)
		}
		if screen := screenText(m); !strings.Contains(screen, "not saved: ") || !strings.Contains(screen, why) {
			t.Fatalf("%q: the reason %q is not shown:\n%s", in, why, screen)
		}
	}
}

// TestUnpaidOrderSaysSoWithItsDeadline: an order placed without autopay says
// UNPAID with the date it lapses, in the banner and the row.
func TestUnpaidOrderSaysSoWithItsDeadline(t *testing.T) {
	store := openStore(t, "testdata/dashboard-prefs.json")
	d := testDeps(t, store)
	var asked int64
	d.OrderExpiry = func(_ context.Context, id int64) (time.Time, error) {
		asked = id
		return fixedNow.Add(24 * time.Hour), nil
	}
	m := send(New(d), tea.WindowSizeMsg{Width: 120, Height: 40})
	ev := orderPlaced(m) // entry 0: autopay off
	if err := store.Update("order", func(f *prefs.File) error {
		s := &f.Servers[0]
		s.OrderID, s.OrderedIn, s.Qty = ev.OrderID, "gra", 0
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	m = send(m, prefsMsg{file: store.Snapshot()})
	m, cmd := update(m, eventsMsg{events: []order.Event{ev, engineStates(store.Snapshot(), scenario{})}, now: fixedNow})
	for _, msg := range runCmd(cmd) {
		if e, ok := msg.(expiryMsg); ok {
			m = send(m, e)
		}
	}
	if asked != ev.OrderID {
		t.Fatalf("expiry of order %d not asked (asked %d)", ev.OrderID, asked)
	}
	screen := screenText(m)
	if !strings.Contains(screen, "ordered #248119999 in gra · UNPAID: pay") || !strings.Contains(screen, "-/20.00           before Nov 24 10:00 UTC") {
		t.Fatalf("the row does not say UNPAID with the date:\n%s", screen)
	}
	for _, want := range []string{"UNPAID: pay before 2026-11-24 10:00 UTC or it lapses", "orderId=248119999"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("%q not shown:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "orderPassword") {
		t.Fatalf("the banner shows the order password:\n%s", screen)
	}
}
