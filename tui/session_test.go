package tui

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ovhtui/ovhtui/order"
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

func TestReminderBanner(t *testing.T) {
	store := openStore(t, "testdata/dashboard-prefs.json")
	m := New(testDeps(t, store))
	m = send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	far := order.Reminder{Base: order.Base{Time: fixedNow}, Kind: order.RemindRenewal, Server: "ns1.example", Due: fixedNow.Add(6 * 24 * time.Hour), Lead: 7 * 24 * time.Hour}
	near := order.Reminder{Base: order.Base{Time: fixedNow}, Kind: order.RemindUnpaid, OrderID: 4242, Due: fixedNow.Add(90 * time.Minute), Lead: 2 * time.Hour}
	m = send(m, eventsMsg{events: []order.Event{near, far}, now: fixedNow})
	text := screenText(m)
	if !strings.Contains(text, "order 4242 is unpaid and lapses in 1h30m") {
		t.Fatalf("the sooner reminder is not shown:\n%s", text)
	}
	if strings.Count(text, "ns1.example") != 1 {
		t.Errorf("the later reminder should be in the log only:\n%s", text)
	}
	m = drive(t, m, "x")
	if strings.Contains(screenText(m), "⏰") {
		t.Errorf("x did not dismiss the reminder:\n%s", screenText(m))
	}
}
