package tui

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/money"
)

// fakeAccount is an AccountAPI with canned answers that records payments
// and renewals.
type fakeAccount struct {
	mu       sync.Mutex
	orders   []account.Order
	servers  []account.Server
	means    []account.PaymentMean
	err      error // returned by Orders and Servers
	payErr   error
	paid     []account.PayRequest
	renewed  []account.RenewRequest
	payments int
}

var _ AccountAPI = (*fakeAccount)(nil)

func eur(ucents int64) money.Amount { return money.Amount{Ucents: ucents, Currency: "EUR"} }

func newFakeAccount() *fakeAccount {
	return &fakeAccount{
		orders: []account.Order{
			{ID: 200000002, Date: fixedNow.Add(-time.Hour), Expiration: fixedNow.Add(23 * time.Hour), What: "25skle01 in gra",
				Items:      []account.OrderItem{{PlanCode: "25skle01", Datacenter: "gra"}},
				WithoutTax: eur(1998000000), WithTax: eur(2458000000), Status: "notPaid", Ours: true,
				URL: "https://www.ovh.com/cgi-bin/order/display-order.cgi?orderId=200000002&orderPassword=abc"},
			{ID: 200000001, Date: fixedNow.Add(-2 * time.Hour), What: "25skleb01 in fra",
				Items:      []account.OrderItem{{PlanCode: "25skleb01", Datacenter: "fra"}},
				WithoutTax: eur(1998000000), WithTax: eur(2458000000), Status: "delivered", Ours: true,
				URL: "https://www.ovh.com/cgi-bin/order/display-order.cgi?orderId=200000001&orderPassword=def"},
			{ID: 199000007, Date: fixedNow.Add(-20 * 24 * time.Hour), What: "renewal of ns3012002.ip-51-75-3.eu (24ska01) for P1M",
				WithoutTax: eur(899000000), WithTax: eur(1106000000), Status: "cancelled", Renewal: true,
				URL: "https://www.ovh.com/cgi-bin/order/display-order.cgi?orderId=199000007&orderPassword=ghi"},
		},
		servers: []account.Server{
			{Name: "ns3012001.ip-51-75-2.eu", ServiceID: 120000001, Datacenter: "gra3", Expiration: fixedNow.Add(4 * 24 * time.Hour),
				ManualPayment: true, PeriodMonths: 1, Status: "ok"},
			{Name: "ns3012002.ip-51-75-3.eu", ServiceID: 120000002, Datacenter: "rbx8", Expiration: fixedNow.Add(19 * 24 * time.Hour),
				AutomaticRenew: true, PeriodMonths: 1, Status: "ok"},
		},
		means: []account.PaymentMean{{Mean: "creditCard", ID: 4242001, Label: "Visa ************4242", Default: true}},
	}
}

func (f *fakeAccount) Orders(context.Context, []int64) ([]account.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]account.Order(nil), f.orders...), f.err
}

func (f *fakeAccount) Order(_ context.Context, id int64) account.Order {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.orders {
		if o.ID == id {
			return o
		}
	}
	return account.Order{ID: id, Err: "no such order"}
}

func (f *fakeAccount) PaymentMeans(context.Context, int64) ([]account.PaymentMean, error) {
	return f.means, nil
}

func (f *fakeAccount) Pay(_ context.Context, r account.PayRequest) (account.PayResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paid = append(f.paid, r)
	if f.payErr != nil {
		return account.PayResult{}, f.payErr
	}
	for i := range f.orders {
		if f.orders[i].ID == r.OrderID {
			f.orders[i].Status = "delivering"
		}
	}
	return account.PayResult{OrderID: r.OrderID, Status: "delivering"}, nil
}

func (f *fakeAccount) Servers(context.Context) ([]account.Server, error) {
	return f.servers, f.err
}

func (f *fakeAccount) RenewOptions(context.Context, int64) ([]account.RenewOption, error) {
	return []account.RenewOption{{Period: "P1M", WithoutTax: eur(1699000000)}, {Period: "P3M", WithoutTax: eur(5097000000)}}, nil
}

func (f *fakeAccount) RenewDryRun(_ context.Context, id int64, period string) (account.RenewQuote, error) {
	return account.RenewQuote{ServiceID: id, Period: period, WithoutTax: eur(1699000000), Tax: eur(391000000), WithTax: eur(2090000000)}, nil
}

func (f *fakeAccount) Renew(_ context.Context, r account.RenewRequest) (account.RenewResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.renewed = append(f.renewed, r)
	f.orders = append(f.orders, account.Order{ID: 200000003, Date: fixedNow, Expiration: fixedNow.Add(24 * time.Hour),
		What: "renewal of " + r.Service + " (24sk10) for " + r.Period, WithoutTax: eur(1699000000), WithTax: r.Amount,
		Status: "notPaid", Renewal: true})
	return account.RenewResult{OrderID: 200000003, WithTax: r.Amount}, nil
}

// afterWinModel is the dashboard model with the fake account.
func afterWinModel(t *testing.T, f *fakeAccount, w, h int) Model {
	t.Helper()
	store := openStore(t, "testdata/dashboard-prefs.json")
	d := testDeps(t, store)
	d.Account = f
	m := New(d)
	m.noRefreshTick = true
	return send(m, tea.WindowSizeMsg{Width: w, Height: h})
}

// drive presses keys and runs the commands each returns (the screens'
// refresh tick is off),
// feeding their messages back, as bubbletea would.
func drive(t *testing.T, m Model, keys ...string) Model {
	t.Helper()
	for _, k := range press(keys...) {
		next, cmd := m.Update(k)
		m = next.(Model)
		m = runAll(m, cmd)
	}
	return m
}

func runAll(m Model, cmd tea.Cmd) Model {
	for _, msg := range runCmd(cmd) {
		next, c := m.Update(msg)
		m = next.(Model)
		m = runAll(m, c)
	}
	return m
}

func TestAfterWinGolden(t *testing.T) {
	screens := []struct {
		name string
		keys []string
	}{
		{"orders", []string{"O"}},
		{"orders_pay_confirm", []string{"O", "enter"}},
		{"orders_paid", []string{"O", "enter", "y"}},
		{"servers", []string{"S"}},
		{"servers_renew_periods", []string{"S", "enter"}},
		{"servers_renew_dry_run", []string{"S", "enter", "enter"}},
		{"servers_renew_pay", []string{"S", "enter", "enter", "y"}},
	}
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		for _, sc := range screens {
			t.Run(sc.name+"_"+itoa(size.w)+"x"+itoa(size.h), func(t *testing.T) {
				m := drive(t, afterWinModel(t, newFakeAccount(), size.w, size.h), sc.keys...)
				golden.RequireEqual(t, screenText(m))
			})
		}
	}
}

func TestPayAsksThenPaysTheAmountShown(t *testing.T) {
	f := newFakeAccount()
	m := drive(t, afterWinModel(t, f, 120, 40), "O", "enter")
	if len(f.paid) != 0 || !strings.Contains(screenText(m), "REAL MONEY — pay 24.58 EUR now?") {
		t.Fatalf("paid before the confirmation:\n%s", screenText(m))
	}
	m = drive(t, m, "n")
	if m.after.dialog != nil || len(f.paid) != 0 {
		t.Fatal("n did not cancel")
	}
	m = drive(t, m, "enter", "y")
	if len(f.paid) != 1 || f.paid[0].Amount != eur(2458000000) || f.paid[0].OrderID != 200000002 || f.paid[0].Mean.ID != 4242001 {
		t.Fatalf("paid = %+v", f.paid)
	}
	if !strings.Contains(screenText(m), "paid: order 200000002 is now delivering") {
		t.Fatalf("no result:\n%s", screenText(m))
	}
	// A delivered order cannot be paid.
	m = drive(t, m, "enter", "down", "enter")
	if len(f.paid) != 1 || !strings.Contains(screenText(m), "only an unpaid order can be paid") {
		t.Fatalf("paid a delivered order:\n%s", screenText(m))
	}
}

func TestRenewDryRunFirstThenPay(t *testing.T) {
	f := newFakeAccount()
	m := drive(t, afterWinModel(t, f, 120, 40), "S", "enter", "down", "enter")
	if len(f.renewed) != 0 || !strings.Contains(screenText(m), "Dry run for P3M: 20.90 EUR incl. tax") {
		t.Fatalf("renewed before the confirmation:\n%s", screenText(m))
	}
	m = drive(t, m, "y")
	if len(f.renewed) != 1 || f.renewed[0].Amount != eur(2090000000) || f.renewed[0].Period != "P3M" || len(f.paid) != 0 {
		t.Fatalf("renewed = %+v, paid = %+v", f.renewed, f.paid)
	}
	m = drive(t, m, "y")
	if len(f.paid) != 1 || f.paid[0].OrderID != 200000003 || f.paid[0].Amount != eur(2090000000) {
		t.Fatalf("paid = %+v\n%s", f.paid, screenText(m))
	}
}

func TestMissingRightNamesTheRule(t *testing.T) {
	f := newFakeAccount()
	f.err = &account.MissingRightError{Rule: "GET /dedicated/server", Err: errors.New("403")}
	m := drive(t, afterWinModel(t, f, 120, 40), "S")
	if !strings.Contains(screenText(m), "The consumer key lacks the rule GET /dedicated/server.") {
		t.Fatalf("no rule named:\n%s", screenText(m))
	}
	f.payErr = &account.MissingRightError{Rule: "POST /me/order/*", Err: errors.New("403")}
	f.err = nil
	m = drive(t, m, "O", "enter", "y")
	if !strings.Contains(screenText(m), "lacks the rule POST /me/order/*") {
		t.Fatalf("no rule named:\n%s", screenText(m))
	}
}

func TestStaleRepliesDropped(t *testing.T) {
	f := newFakeAccount()
	m := afterWinModel(t, f, 120, 40)
	m = drive(t, m, "O")
	gen := m.after.gen
	m = drive(t, m, "esc", "S")
	m = send(m, awOrdersMsg{gen: gen, err: errors.New("late")})
	if m.after.err != nil || m.after.kind != awServers {
		t.Fatal("a reply of the closed Orders screen reached the Servers screen")
	}
	// The refresh tick of the current screen reloads it.
	m = drive(t, m, "esc", "O")
	f.orders[0].Status = "delivering"
	next, cmd := m.Update(awTickMsg{gen: m.after.gen})
	m = runAll(next.(Model), cmd)
	if m.after.orders[0].Status != "delivering" {
		t.Fatal("the 5-minute refresh did not reload")
	}
}

// keyCmd presses k and returns the command it starts, not run yet (an
// answer still on its way).
func keyCmd(m Model, k string) (Model, tea.Cmd) {
	next, cmd := m.Update(press(k)[0])
	return next.(Model), cmd
}

// Issue 16.6: pay X, esc, open Y: X's answer is dropped and logged, never
// shown on Y. Ask for A's P3M quote, esc, open B: A's quote never reaches
// B's confirmation, and y renews nothing.
func TestLateRepliesBoundToTheirDialog(t *testing.T) {
	t.Run("payment", func(t *testing.T) {
		f := newFakeAccount()
		y := f.orders[0]
		y.ID, y.Date = 200000009, fixedNow.Add(-90*time.Minute)
		f.orders = append(f.orders[:1], append([]account.Order{y}, f.orders[1:]...)...)
		m := drive(t, afterWinModel(t, f, 120, 40), "O", "enter")
		m, payX := keyCmd(m, "y")
		m = drive(t, m, "esc", "down", "enter")
		if d := m.after.dialog; d == nil || d.order.ID != 200000009 || d.step != stepConfirmPay {
			t.Fatalf("Y's dialog: %+v\n%s", d, screenText(m))
		}
		m = runAll(m, payX)
		if d := m.after.dialog; d == nil || d.step != stepConfirmPay || d.result != "" || strings.Contains(screenText(m), "paid: order") {
			t.Fatalf("X's answer reached Y's dialog:\n%s", screenText(m))
		}
		if n := m.log.ring.newest(); n == nil || !strings.Contains(n.text, "dropped the answer to the payment of order 200000002") {
			t.Fatalf("not logged: %+v", n)
		}
	})
	t.Run("renewal quote", func(t *testing.T) {
		f := newFakeAccount()
		m := drive(t, afterWinModel(t, f, 120, 40), "S", "enter", "down")
		m, quoteA := keyCmd(m, "enter")
		m = drive(t, m, "esc", "down", "enter")
		if d := m.after.dialog; d == nil || d.server.ServiceID != 120000002 || d.step != stepChoosePeriod {
			t.Fatalf("B's dialog: %+v", d)
		}
		m = runAll(m, quoteA)
		if d := m.after.dialog; d == nil || d.step != stepChoosePeriod {
			t.Fatalf("A's quote reached B's dialog:\n%s", screenText(m))
		}
		m = drive(t, m, "y")
		if len(f.renewed) != 0 {
			t.Fatalf("renewed %+v", f.renewed)
		}
	})
}

// TestPaymentUnclearNeverShownUnpaid: an order OVH still says notPaid
// while the journal holds its payment sent with an unclear answer shows
// PAYING? and "do not pay it again", never UNPAID with its pay-before
// date; the pay dialog says that OVH's records are read first.
func TestPaymentUnclearNeverShownUnpaid(t *testing.T) {
	f := newFakeAccount()
	f.orders[0].PaymentPending = true
	m := drive(t, afterWinModel(t, f, 120, 40), "O")
	screen := screenText(m)
	if !strings.Contains(screen, "PAYING?") || strings.Contains(screen, "UNPAID") || !strings.Contains(screen, "do not pay it again") ||
		strings.Contains(screen, "enter pays it") {
		t.Fatalf("order with a payment pending:\n%s", screen)
	}
	m = drive(t, m, "enter")
	if screen := screenText(m); !strings.Contains(screen, "already sent") || len(f.paid) != 0 {
		t.Fatalf("pay dialog of an order with a payment pending:\n%s", screen)
	}
}
