package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order"
)

// dashboardModel is the model of the goldens: the dashboard test file, the
// IE catalog and a burst of engine events, at a fixed time.
func dashboardModel(t *testing.T, w, h int) Model {
	t.Helper()
	store := openStore(t, "testdata/dashboard-prefs.json")
	d := testDeps(t, store)
	m := New(d)
	m = send(m, tea.WindowSizeMsg{Width: w, Height: h})
	return send(m, eventsMsg{events: dashboardEvents(m.file), now: fixedNow})
}

func orderPlaced(m Model) order.OrderPlaced {
	return order.OrderPlaced{
		Base:    order.Base{Time: fixedNow, Entry: m.file.Servers[0].Key(), DC: "gra"},
		OrderID: 248119999,
		URL:     "https://www.ovh.ie/cgi-bin/order/display-order.cgi?orderId=248119999&orderPassword=QWERTYUIOP",
		Price:   money.Amount{Ucents: 1998000000, Currency: "EUR"},
	}
}

func TestGolden(t *testing.T) {
	screens := []struct {
		name string
		msgs func(m Model) []tea.Msg
	}{
		{"dashboard", func(Model) []tea.Msg { return nil }},
		{"log_focus", func(Model) []tea.Msg { return press("tab") }},
		{"help", func(Model) []tea.Msg { return press("?") }},
		{"help_log", func(Model) []tea.Msg { return press("tab", "?") }},
		{"help_browser", func(Model) []tea.Msg { return append(press("/"), tea.KeyPressMsg{Code: tea.KeyF1}) }},
		{"log_wrapped", func(Model) []tea.Msg { return press("tab", "enter") }},
		{"confirm_place_order", func(Model) []tea.Msg { return press("j", "p") }},
		{"confirm_rearm", func(Model) []tea.Msg { return press("j", "j", "R") }},
		{"ceiling_editor", func(Model) []tea.Msg { return append(press("e", "backspace"), typeText("5")...) }},
		{"dc_order_editor", func(Model) []tea.Msg { return press("j", "o", "down", "K") }},
		{"order_banner", func(m Model) []tea.Msg {
			return []tea.Msg{eventsMsg{events: []order.Event{orderPlaced(m)}, now: fixedNow}}
		}},
		{"browser", func(Model) []tea.Msg { return press("/") }},
		{"buy_another", func(Model) []tea.Msg { return press("j", "j", "j", "B", "+") }},
		{"change_entry", func(Model) []tea.Msg { return press("j", "C") }},
		{"quit_waiting", func(m Model) []tea.Msg {
			f := m.file.Clone()
			f.Servers[0].OrderAttempted, f.Servers[0].OrderAttemptedIn, f.Servers[0].Qty = true, "gra", 0
			return append([]tea.Msg{prefsMsg{file: f}, eventsMsg{events: []order.Event{engineStates(f, scenario{checkout: map[int]string{0: "gra"}})}, now: fixedNow}},
				append(press("q"), tickMsg{now: fixedNow.Add(3 * time.Second)})...)
		}},
		{"browser_filtered", func(Model) []tea.Msg { return append(press("/", "tab"), typeText("le")...) }},
		{"browser_config", func(Model) []tea.Msg {
			return append(append(press("/"), typeText("KS-LE-B")...), press("enter", "down", "down", "right", "down", "space", "down", "down", "space", "up", "K")...)
		}},
	}
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}, {200, 50}} {
		for _, sc := range screens {
			t.Run(sc.name+"_"+itoa(size.w)+"x"+itoa(size.h), func(t *testing.T) {
				m := dashboardModel(t, size.w, size.h)
				m = send(m, sc.msgs(m)...)
				if m.browser != nil && m.browser.config != nil {
					o := m.browser.config.offer
					m = send(m, availMsg{gen: m.browser.availGen, planCode: o.PlanCode, data: map[string]map[string]string{
						o.PlanCode + ".ram-32g-ecc-2400.softraid-2x450nvme": {"fra": "1H-high", "gra": "unavailable"},
						o.PlanCode + ".ram-32g-ecc-2400.softraid-2x2000sa":  {"fra": "72H", "gra": "comingSoon"},
					}})
				}
				golden.RequireEqual(t, screenText(m))
			})
		}
	}
}
