package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/ovhtui/ovhtui/order"
)

// TestDemoIsMarked: with Deps.Demo the header says DEMO instead of the
// simulator's URL, a payment's and a renewal's confirmations say no real
// money is spent, and desktop alerts are titled as the demo's; without
// it, REAL MONEY.
func TestDemoIsMarked(t *testing.T) {
	demoModel := func(demo bool) Model {
		store := openStore(t, "testdata/dashboard-prefs.json")
		d := testDeps(t, store)
		d.Account = newFakeAccount()
		d.Endpoint = "http://127.0.0.1:41215/1.0"
		d.Demo = demo
		m := New(d)
		m.noRefreshTick = true
		return send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	}
	m := demoModel(true)
	if head := strings.SplitN(screenText(m), "\n", 2)[0]; !strings.Contains(head, "DEMO simulator") || strings.Contains(head, "127.0.0.1") {
		t.Errorf("demo header %q", head)
	}
	if s := screenText(drive(t, m, "O", "enter")); !strings.Contains(s, "DEMO, no real money — pay 24.58 EUR now?") || strings.Contains(s, "REAL MONEY") {
		t.Errorf("demo payment confirmation:\n%s", s)
	}
	if s := screenText(drive(t, demoModel(true), "S", "enter", "enter")); !strings.Contains(s, "DEMO, no real money — order this renewal") {
		t.Errorf("demo renewal confirmation:\n%s", s)
	}
	if s := screenText(drive(t, demoModel(false), "O", "enter")); !strings.Contains(s, "REAL MONEY — pay 24.58 EUR now?") {
		t.Errorf("payment confirmation:\n%s", s)
	}
	placed := order.OrderPlaced{Base: order.Base{Entry: "p|f|gra", DC: "gra"}, OrderID: 1}
	for _, demo := range []bool{true, false} {
		raw, ok := newTermAlerts(demo).forEvent(placed, nil)().(tea.RawMsg)
		if !ok {
			t.Fatalf("the alert is not raw output")
		}
		if got := strings.Contains(raw.Msg.(string), "]9;[ovhtui demo] Order placed: "); got != demo {
			t.Errorf("demo %v: alert %q", demo, raw.Msg)
		}
	}
}
