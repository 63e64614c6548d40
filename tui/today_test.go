package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/budget"
	"github.com/ovhtui/ovhtui/order"
)

// TestHeaderSaysPacingAndPayment: the header says the interval each plan
// gets when the budget stretches it or a 429 halved it, and warns in red
// when autopay cannot pay, until the method is ready again.
func TestHeaderSaysPacingAndPayment(t *testing.T) {
	m := dashboardModel(t, 160, 30)
	if h := m.headerView(); strings.Contains(h, "budget") || strings.Contains(h, "AUTOPAY") {
		t.Fatalf("plain header says more than it should:\n%s", h)
	}
	stretched := order.PollPacing{Base: order.Base{Time: fixedNow}, Plans: 3, Poll: time.Second, Interval: 1500 * time.Millisecond,
		Budget: budget.State{PerMin: 120, Effective: 120}, Text: "3 plans, budget 120/min: each polled every 1.5s"}
	notReady := order.PaymentNotReady{Base: order.Base{Time: fixedNow}, Status: "EXPIRED", Method: "CREDIT_CARD ****4242",
		Problem: "the default payment method is EXPIRED", Entries: []string{m.file.Servers[0].Key()}}
	m = send(m, eventsMsg{events: []order.Event{stretched, notReady}, now: fixedNow})
	h := m.headerView()
	for _, want := range []string{"3 plans, budget 120/min: each polled every 1.5s", "AUTOPAY CANNOT PAY", "EXPIRED"} {
		if !strings.Contains(h, want) {
			t.Errorf("header lacks %q:\n%s", want, h)
		}
	}
	m = send(m, eventsMsg{events: []order.Event{order.PaymentReady{Base: order.Base{Time: fixedNow}, Method: "CREDIT_CARD"}}, now: fixedNow})
	if h := m.headerView(); strings.Contains(h, "AUTOPAY") {
		t.Errorf("the warning stays after the method is ready:\n%s", h)
	}
}

// TestZoneNamedDCOnTheDashboard: a zone-named DC shows in the DC column
// by whole words (par-a), never cut mid-word.
func TestZoneNamedDCOnTheDashboard(t *testing.T) {
	m := dashboardModel(t, 120, 30)
	f := m.file.Clone()
	f.Servers[0].Datacenters[0].Datacenter = "eu-west-par-a"
	m = send(m, prefsMsg{file: f})
	screen := screenText(m)
	if !strings.Contains(screen, " par-a ") {
		t.Errorf("the dashboard does not show par-a:\n%s", screen)
	}
	for _, cut := range []string{"eu-w…", "eu-we", "par-…"} {
		if strings.Contains(screen, cut) {
			t.Errorf("a DC name is cut mid-word (%q):\n%s", cut, screen)
		}
	}
}
