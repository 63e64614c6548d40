package tui

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/ovh/go-ovh/ovh"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/orderstate"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// simOrderAPI serves an OVH simulator and returns a client of it.
func simOrderAPI(t *testing.T) *ovhapi.OVHClient {
	t.Helper()
	cat, err := os.ReadFile("../testdata/eco-catalog-IE.json")
	if err != nil {
		t.Fatal(err)
	}
	sim, err := ovhsim.New(cat, ovhsim.Options{NoPadding: true})
	if err != nil {
		t.Fatal(err)
	}
	sim.SetAvailability("25skleb01.ram-32g-ecc-2400.softraid-2x450nvme", "gra", ovhsim.Avail1HLow)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		for _, v := range sim.SchemaViolations() {
			t.Errorf("OVH schema violation: %s", v)
		}
	})
	cl, err := ovh.NewClient(srv.URL+"/1.0", "sim-app-key", "sim-app-secret", "sim-consumer-key")
	if err != nil {
		t.Fatal(err)
	}
	cl.Client = &http.Client{Transport: &http.Transport{}}
	api := ovhapi.NewOVHClient(cl, ovhapi.ClientOptions{})
	t.Cleanup(api.CloseIdleConnections)
	return api
}

// simCheckout orders 25skleb01 in gra without autopay and returns the
// order id.
func simCheckout(t *testing.T, api *ovhapi.OVHClient) int64 {
	t.Helper()
	ctx := context.Background()
	cart, err := api.CreateCart(ctx, "IE", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := api.AssignCart(ctx, cart.CartID); err != nil {
		t.Fatal(err)
	}
	item, err := api.AddEcoItem(ctx, cart.CartID, ovhapi.EcoItemRequest{PlanCode: "25skleb01", Duration: ovhapi.DurationMonthly,
		PricingMode: ovhapi.PricingModeDefault, Quantity: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"ram-32g-ecc-2400-25skle", "softraid-2x450nvme-25skle", "bandwidth-300-25skle"} {
		if _, err := api.AddEcoOption(ctx, cart.CartID, ovhapi.EcoOptionRequest{ItemID: item.ItemID, PlanCode: a,
			Duration: ovhapi.DurationMonthly, PricingMode: ovhapi.PricingModeDefault, Quantity: 1}); err != nil {
			t.Fatal(err)
		}
	}
	for _, kv := range [][2]string{{ovhapi.LabelDatacenter, "gra"}, {"dedicated_os", "none_64.en"}, {ovhapi.LabelRegion, "europe"}} {
		if _, err := api.AddConfiguration(ctx, cart.CartID, item.ItemID, kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	out, err := api.Checkout(ctx, cart.CartID, ovhapi.CheckoutRequest{})
	if err != nil || out.OrderID == nil {
		t.Fatalf("checkout: %+v %v", out, err)
	}
	return *out.OrderID
}

// settle applies msg and feeds back the replies of the commands it starts
// (status reads), until none is left.
func settle(m Model, msg tea.Msg) Model {
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		next, cmd := m.Update(queue[0])
		m, queue = next.(Model), queue[1:]
		for _, r := range runCmd(cmd) {
			switch r.(type) {
			case orderStateMsg, expiryMsg:
				queue = append(queue, r)
			}
		}
	}
	return m
}

// TestPaymentStateAgreesEverywhere: an order placed without autopay is
// UNPAID in the dashboard row, the banner, the quit summary and the
// account's orders; once paid at OVH, all of them stop saying so (issue
// 16: after paying, the row and the quit summary still said UNPAID).
func TestPaymentStateAgreesEverywhere(t *testing.T) {
	api := simOrderAPI(t)
	id := simCheckout(t, api)
	acc := account.New(api, account.Options{Journal: &account.MemoryJournal{}})

	store := openStore(t, "testdata/dashboard-prefs.json")
	d := testDeps(t, store)
	d.Account = acc
	m := send(New(d), tea.WindowSizeMsg{Width: 120, Height: 40})
	key := m.file.Servers[0].Key()
	if err := store.Update("order", func(f *prefs.File) error {
		s := &f.Servers[0]
		s.OrderID, s.OrderedIn, s.Qty, s.Autopay = id, "gra", 0, true // autopay turned on after the order: not what the checkout asked
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	m = send(m, prefsMsg{file: store.Snapshot()})
	placed := order.OrderPlaced{Base: order.Base{Time: fixedNow, Entry: key, DC: "gra"}, OrderID: id,
		URL: "https://www.ovh.ie/cgi-bin/order/display-order.cgi?orderId=" + strconv.FormatInt(id, 10)}
	m = settle(m, eventsMsg{events: []order.Event{
		order.OrderAttempted{Base: order.Base{Time: fixedNow, Entry: key, DC: "gra"}, Autopay: false},
		placed, engineStates(store.Snapshot(), scenario{}),
	}, now: fixedNow})

	agree := func(when string, unpaid bool) {
		t.Helper()
		screen := screenText(m)
		row := rowOf(t, screen, "gra")
		banner := screen[:strings.Index(screen, "x dismisses this banner")]
		farewell := strings.Join(m.Farewell(), "\n")
		got := acc.Order(context.Background(), id)
		if got.Err != "" {
			t.Fatalf("%s: %s", when, got.Err)
		}
		for what, says := range map[string]bool{
			"dashboard row":   strings.Contains(row, "UNPAID"),
			"banner":          strings.Contains(banner, "UNPAID"),
			"quit summary":    strings.Contains(farewell, "UNPAID"),
			"account (CLI)":   got.Unpaid(),
			"payment owner":   m.payment(id).Unpaid(),
			"orders, as word": got.State().Payment().String() == "UNPAID",
		} {
			if says != unpaid {
				t.Errorf("%s: %s says unpaid=%v, want %v\nrow: %s\nbanner: %s\nfarewell: %s", when, what, says, unpaid, row, banner, farewell)
			}
		}
	}
	agree("placed without autopay", true)

	// Paid at OVH, outside this UI (OVH's site, `ovhtui pay`, another session).
	if err := api.Signed(context.Background(), http.MethodPost, "/me/order/"+strconv.FormatInt(id, 10)+"/payWithRegisteredPaymentMean",
		"POST /me/order/{id}/payWithRegisteredPaymentMean", map[string]any{"paymentMean": "creditCard", "paymentMeanId": 4242001}, nil, true); err != nil {
		t.Fatal(err)
	}
	// Before a minute has passed the status is not read again.
	m = settle(m, eventsMsg{events: []order.Event{order.PollOK{Base: order.Base{Time: fixedNow.Add(time.Second)}}}, now: fixedNow.Add(time.Second)})
	if !m.payment(id).Unpaid() {
		t.Fatal("status read again within statusEvery")
	}
	// The engine may have nothing left to watch: the clock's tick asks too
	// (its command, a real timer, is not run here).
	next, _ := m.Update(tickMsg{now: fixedNow.Add(statusEvery)})
	if m = next.(Model); !m.orders.inFlight[id] {
		t.Fatal("the tick does not read the status again")
	}
	m = settle(m, orderStateMsg{order: acc.Order(context.Background(), id)}) // what its command returns
	agree("paid at OVH", false)
	if p := m.payment(id).Payment(); p != orderstate.Paid {
		t.Fatalf("payment %v, want paid", p)
	}
}
