package tui

import (
	"context"
	"os"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// A read-only UI changes nothing, whatever is pressed on any screen: the
// file is the same byte for byte, the account saw no payment or renewal.
func TestReadOnlyChangesNothing(t *testing.T) {
	f := newFakeAccount()
	store := openStore(t, "testdata/dashboard-prefs.json")
	before, err := os.ReadFile(store.Path())
	if err != nil {
		t.Fatal(err)
	}
	d := testDeps(t, store)
	d.Account = f
	d.ReadOnly = true
	d.Detach = true
	rearmed, bought := 0, 0
	d.Rearm = func(context.Context, string) error { rearmed++; return nil }
	d.BuyAnother = func(context.Context, string, int) error { bought++; return nil }
	m := New(d)
	m.noRefreshTick = true
	m = send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = send(m, eventsMsg{events: dashboardEvents(m.file), now: fixedNow})
	if !strings.Contains(screenText(m), "READ-ONLY") {
		t.Fatalf("the header does not say READ-ONLY:\n%s", screenText(m))
	}
	for i := range m.file.Servers {
		m.sel = i
		m = drive(t, m, "p", "y", "a", "y", "+", "-", "e", "o", "C", "R", "y", "B", "y", "enter")
		m = drive(t, m, "esc", "esc")
	}
	// The catalog browser: choose a server and try to add it.
	m = drive(t, m, "/", "enter", "enter", "a", "esc", "esc", "esc")
	// Pay an unpaid order, renew a server.
	m = drive(t, m, "O", "enter", "y", "p", "y", "esc", "S", "enter", "enter", "y", "n", "esc")
	after, err := os.ReadFile(store.Path())
	if err != nil {
		t.Fatal(err)
	}
	if string(after) != string(before) {
		t.Errorf("preferences changed by a read-only UI")
	}
	if len(f.paid) != 0 || len(f.renewed) != 0 || rearmed != 0 || bought != 0 {
		t.Errorf("read-only UI paid %d, renewed %d, re-armed %d, bought %d", len(f.paid), len(f.renewed), rearmed, bought)
	}
	var said bool
	for i := 0; i < m.log.ring.len(); i++ {
		said = said || strings.Contains(m.log.ring.at(i).text, "read-only session")
	}
	if !said {
		t.Errorf("the log pane does not say why keys were refused")
	}
}
