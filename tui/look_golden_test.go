package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/orderstate"
)

// TestLookGolden: the states of issue 18's dashboard rendering, at 80x24
// and 120x40 (and the smallest window, 40x10): availability that is no
// longer current, the help of the dashboard, a small window with a banner
// and a reminder, and payments and renewals in the log pane.
func TestLookGolden(t *testing.T) {
	eur := func(u int64) money.Amount { return money.Amount{Ucents: u, Currency: "EUR"} }
	screens := []struct {
		name string
		msgs func(m Model) []tea.Msg
	}{
		// Polls failing for a minute: every polled value shows its age.
		{"stale_availability", func(m Model) []tea.Msg {
			sc := dashboardScenario()
			sc.availAgo = map[int]time.Duration{0: time.Minute, 1: time.Minute, 3: 12 * time.Minute}
			return []tea.Msg{eventsMsg{events: []order.Event{engineStates(m.file, sc)}, now: fixedNow}, tickMsg{now: fixedNow.Add(30 * time.Second)}}
		}},
		{"help", func(Model) []tea.Msg { return press("?") }},
		{"banner_and_reminder", func(m Model) []tea.Msg {
			return []tea.Msg{eventsMsg{events: []order.Event{orderPlaced(m), order.Reminder{Base: order.Base{Time: fixedNow},
				Kind: order.RemindRenewal, Server: "ns3012001.ip-51-75-2.eu", Due: fixedNow.Add(72 * time.Hour), Lead: 7 * 24 * time.Hour}}, now: fixedNow}}
		}},
		// A renewal made and paid in S, and the order of the banner paid
		// elsewhere (OVH's site, `ovhtui pay`), read by the UI.
		{"log_payments", func(m Model) []tea.Msg {
			ev := orderPlaced(m)
			return []tea.Msg{
				eventsMsg{events: []order.Event{ev}, now: fixedNow},
				awRenewedMsg{gen: -1, req: account.RenewRequest{ServiceID: 7, Service: "ns3012001.ip-51-75-2.eu", Period: "P1M", Amount: eur(1198000000)},
					res: account.RenewResult{OrderID: 200000009, WithTax: eur(1198000000), URL: "https://www.ovh.ie/cgi-bin/order/display-order.cgi?orderId=200000009"}},
				awPaidMsg{gen: -1, req: account.PayRequest{OrderID: 200000009, Amount: eur(1198000000), Mean: account.PaymentMean{Mean: "creditCard", Label: "Visa ************4242"}},
					res: account.PayResult{OrderID: 200000009, Status: orderstate.StatusDelivering}},
				orderStateMsg{order: account.Order{ID: ev.OrderID, Status: orderstate.StatusDelivered}},
			}
		}},
	}
	for _, size := range []struct{ w, h int }{{40, 10}, {80, 24}, {120, 40}} {
		for _, sc := range screens {
			t.Run(sc.name+"_"+itoa(size.w)+"x"+itoa(size.h), func(t *testing.T) {
				m := dashboardModel(t, size.w, size.h)
				m = send(m, sc.msgs(m)...)
				golden.RequireEqual(t, screenText(m))
			})
		}
	}
}
