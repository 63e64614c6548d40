package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/gate"
	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/orderstate"
	"github.com/ovhtui/ovhtui/ovhapi"
)

func payPath(id int64) string { return fmt.Sprintf("/me/order/%d/payWithRegisteredPaymentMean", id) }

// unpaid places an unpaid order and returns it as Orders shows it.
func (e *env) unpaid(t *testing.T) Order {
	t.Helper()
	id := e.placeOrder(t, false)
	orders, err := e.client.Orders(context.Background(), []int64{id})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orders {
		if o.ID == id {
			return o
		}
	}
	t.Fatalf("order %d not listed: %+v", id, orders)
	return Order{}
}

func TestOrdersThenPay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ovhsim.Options{DeliveryDelay: time.Minute})
	paid := e.placeOrder(t, true)
	e.clock.Advance(time.Minute)
	o := e.unpaid(t)
	if !o.Unpaid() || !o.Ours || o.What != "25skleb01 in fra" || len(o.Items) != 1 || o.Items[0] != (OrderItem{PlanCode: testPlan, Datacenter: "fra"}) || o.WithTax.Ucents <= o.WithoutTax.Ucents ||
		o.WithoutTax.Currency != "EUR" || o.URL == "" || !o.Expiration.After(o.Date) {
		t.Fatalf("order = %+v", o)
	}
	orders, err := e.client.Orders(context.Background(), nil)
	if err != nil || len(orders) != 2 || orders[0].ID != o.ID || orders[1].ID != paid || orders[1].Status != orderstate.StatusDelivered || orders[0].Ours {
		t.Fatalf("orders = %+v, %v", orders, err)
	}

	means, err := e.client.PaymentMeans(context.Background(), o.ID)
	if err != nil || len(means) != 1 || means[0].Mean != "creditCard" || means[0].ID == 0 || means[0].Label != "Visa ************4242" {
		t.Fatalf("means = %+v, %v", means, err)
	}
	mean, err := ChooseMean(means, "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.client.Pay(context.Background(), PayRequest{OrderID: o.ID, Mean: mean, Amount: o.WithTax})
	if err != nil || res.Status != "delivering" || res.LookedUp {
		t.Fatalf("pay = %+v, %v", res, err)
	}
	recs := e.records(t)
	if len(recs) != 2 || recs[0].Type != journal.TypeIntent || recs[0].Kind != journal.KindPayment || recs[1].Result != journal.ResultDone ||
		recs[0].Attempt != recs[1].Attempt || recs[0].AmountUcents != o.WithTax.Ucents || recs[0].OrderID != o.ID ||
		recs[0].Detail != "with "+mean.Name() {
		t.Fatalf("journal = %+v", recs)
	}
	// Paying again is refused before any request: the order is paid.
	_, err = e.client.Pay(context.Background(), PayRequest{OrderID: o.ID, Mean: mean, Amount: o.WithTax})
	var np *AlreadyPaidError
	if !errors.As(err, &np) || e.calls("POST", payPath(o.ID)) != 1 {
		t.Fatalf("second pay: %v (%d POSTs)", err, e.calls("POST", payPath(o.ID)))
	}
	if got := e.client.Ours(); len(got) != 1 || got[0] != o.ID {
		t.Fatalf("ours = %v", got)
	}
}

func TestPayRefusesAnotherAmount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ovhsim.Options{})
	o := e.unpaid(t)
	means, _ := e.client.PaymentMeans(context.Background(), o.ID)
	amount := o.WithTax
	amount.Ucents--
	_, err := e.client.Pay(context.Background(), PayRequest{OrderID: o.ID, Mean: means[0], Amount: amount})
	var ac *AmountChangedError
	if !errors.As(err, &ac) || ac.Now != o.WithTax || e.calls("POST", payPath(o.ID)) != 0 || len(e.records(t)) != 0 {
		t.Fatalf("pay with another amount: %v", err)
	}
}

func TestNoPaymentMeans(t *testing.T) {
	t.Parallel()
	for _, st := range []ovhsim.PaymentMethodState{ovhsim.PaymentNone, ovhsim.PaymentInvalid} {
		e := newEnv(t, ovhsim.Options{PaymentMethod: st})
		o := e.unpaid(t)
		means, err := e.client.PaymentMeans(context.Background(), o.ID)
		if err != nil || len(means) != 0 {
			t.Fatalf("means = %+v, %v", means, err)
		}
		if _, err := ChooseMean(means, ""); !errors.Is(err, ErrNoPaymentMean) {
			t.Fatalf("choose = %v", err)
		}
	}
}

func TestChooseMean(t *testing.T) {
	card := PaymentMean{Mean: "creditCard", ID: 1, Default: true}
	card2 := PaymentMean{Mean: "creditCard", ID: 2}
	acct := PaymentMean{Mean: "ovhAccount"}
	for _, c := range []struct {
		means []PaymentMean
		name  string
		want  PaymentMean
		err   string
	}{
		{[]PaymentMean{acct}, "", acct, ""},
		{[]PaymentMean{card, acct}, "", card, ""},
		{[]PaymentMean{acct, card2}, "", PaymentMean{}, "several"},
		{[]PaymentMean{card, card2, acct}, "creditCard", PaymentMean{}, "several"},
		{[]PaymentMean{card, card2, acct}, "creditCard:2", card2, ""},
		{[]PaymentMean{card, acct}, "ovhAccount", acct, ""},
		{[]PaymentMean{card}, "paypal", PaymentMean{}, "no payment mean"},
	} {
		got, err := ChooseMean(c.means, c.name)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ChooseMean(%v, %q) = %v, want error %q", c.means, c.name, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ChooseMean(%v, %q) = %v, %v, want %v", c.means, c.name, got, err, c.want)
		}
	}
}

func TestPaymentRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ovhsim.Options{})
	o := e.unpaid(t)
	means, _ := e.client.PaymentMeans(context.Background(), o.ID)
	e.sim.SetPaymentDeclined(true)
	_, err := e.client.Pay(context.Background(), PayRequest{OrderID: o.ID, Mean: means[0], Amount: o.WithTax})
	var re *RefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "Payment refused by your bank") {
		t.Fatalf("pay = %v", err)
	}
	recs := e.records(t)
	if len(recs) != 2 || recs[1].Result != journal.ResultFailed {
		t.Fatalf("journal = %+v", recs)
	}
	if got := e.client.Order(context.Background(), o.ID); got.Status != orderstate.StatusNotPaid {
		t.Fatalf("status = %q", got.Status)
	}
}

func TestMissingRights(t *testing.T) {
	t.Parallel()
	var rules []ovhsim.Rule
	for _, r := range ovhsim.DefaultRules() {
		if r.Path == "/dedicated/server" || r.Method == "POST" && r.Path == "/me/order/*" {
			continue
		}
		rules = append(rules, r)
	}
	e := newEnv(t, ovhsim.Options{Rules: rules})
	_, err := e.client.Servers(context.Background())
	if MissingRule(err) != "GET /dedicated/server" {
		t.Fatalf("servers = %v", err)
	}
	o := e.unpaid(t)
	means, _ := e.client.PaymentMeans(context.Background(), o.ID)
	_, err = e.client.Pay(context.Background(), PayRequest{OrderID: o.ID, Mean: means[0], Amount: o.WithTax})
	if MissingRule(err) != "POST /me/order/*" || !strings.Contains(err.Error(), "lacks the rule POST /me/order/*") {
		t.Fatalf("pay = %v", err)
	}
	if recs := e.records(t); len(recs) != 2 || recs[1].Result != journal.ResultFailed {
		t.Fatalf("journal = %+v", recs)
	}
}

func TestAmbiguousPaymentLookedUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ovhsim.Options{})
	o := e.unpaid(t)
	means, _ := e.client.PaymentMeans(context.Background(), o.ID)
	// OVH pays, then the answer is lost.
	e.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: payPath(o.ID), Status: 503, AfterHandler: true, Times: 1})
	res, err := e.client.Pay(context.Background(), PayRequest{OrderID: o.ID, Mean: means[0], Amount: o.WithTax})
	if err != nil || !res.LookedUp || res.Status != "delivering" || e.calls("POST", payPath(o.ID)) != 1 {
		t.Fatalf("pay = %+v, %v (%d POSTs)", res, err, e.calls("POST", payPath(o.ID)))
	}
	recs := e.records(t)
	if len(recs) != 3 || recs[1].Result != journal.ResultUnknown || recs[2].Result != journal.ResultDone || !strings.Contains(recs[2].Detail, "found at OVH") {
		t.Fatalf("journal = %+v", recs)
	}

	// OVH fails before paying: looked up, still unpaid: that is not
	// "nothing was paid" (OVH may carry it out late): it stays pending and
	// nothing is retried (issue 16.5).
	o2 := e.unpaid(t)
	e.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: payPath(o2.ID), Status: 502, Times: 1})
	_, err = e.client.Pay(context.Background(), PayRequest{OrderID: o2.ID, Mean: means[0], Amount: o2.WithTax})
	var ue *UnclearError
	if !errors.As(err, &ue) || strings.Contains(err.Error(), "nothing was paid") || e.calls("POST", payPath(o2.ID)) != 1 {
		t.Fatalf("pay = %v (%d POSTs)", err, e.calls("POST", payPath(o2.ID)))
	}
	if recs := e.records(t); recs[len(recs)-1].Result != journal.ResultUnknown {
		t.Fatalf("journal = %+v", recs)
	}
	// OVH still says notPaid: the order reads "payment unclear", never
	// UNPAID, so that nobody pays it again by hand meanwhile.
	if got := e.client.Order(context.Background(), o2.ID); !got.PaymentPending || got.Unpaid() || !got.State().Payable() ||
		got.State().Payment() != orderstate.PaymentUnclear || got.Status != orderstate.StatusNotPaid {
		t.Fatalf("order while its payment is pending: %+v (%v)", got, got.State().Payment())
	}
	// Asked again within the window: pending, nothing sent.
	_, err = e.client.Pay(context.Background(), PayRequest{OrderID: o2.ID, Mean: means[0], Amount: o2.WithTax})
	var pe *PendingError
	if !errors.As(err, &pe) || e.calls("POST", payPath(o2.ID)) != 1 {
		t.Fatalf("pay while pending = %v (%d POSTs)", err, e.calls("POST", payPath(o2.ID)))
	}
	// Once the window has passed on OVH's clock with the order still
	// unpaid, the payment is settled as failed and may be asked again.
	e.clock.Advance(gate.DefaultWindow + time.Second)
	if _, err := e.client.Pay(context.Background(), PayRequest{OrderID: o2.ID, Mean: means[0], Amount: o2.WithTax}); err != nil || e.calls("POST", payPath(o2.ID)) != 2 {
		t.Fatalf("pay after the window = %v (%d POSTs)", err, e.calls("POST", payPath(o2.ID)))
	}
	if got := e.client.Order(context.Background(), o2.ID); got.PaymentPending || got.State().Payment() != orderstate.Paid {
		t.Fatalf("order paid after the window: %+v", got)
	}
}

func TestOpenIntentLookedUpFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ovhsim.Options{})
	o := e.unpaid(t)
	means, _ := e.client.PaymentMeans(context.Background(), o.ID)
	// An earlier run journaled its intent, paid, and was killed before the outcome.
	_ = e.journal.Append(journal.Record{Time: e.clock.Now(), Type: journal.TypeIntent, Kind: journal.KindPayment, Attempt: "earlier",
		OrderID: o.ID, AmountUcents: o.WithTax.Ucents, Currency: "EUR"})
	if err := e.raw.Post(payPath(o.ID), map[string]any{"paymentMean": means[0].Mean, "paymentMeanId": means[0].ID}, nil); err != nil {
		t.Fatal(err)
	}
	res, err := e.client.Pay(context.Background(), PayRequest{OrderID: o.ID, Mean: means[0], Amount: o.WithTax})
	if err != nil || !res.LookedUp || res.Status != "delivering" || e.calls("POST", payPath(o.ID)) != 1 {
		t.Fatalf("pay = %+v, %v", res, err)
	}
	recs := e.records(t)
	if len(recs) != 2 || recs[1].Attempt != "earlier" || recs[1].Result != journal.ResultDone {
		t.Fatalf("journal = %+v", recs)
	}
}

func TestJournalFailureStopsPayment(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ovhsim.Options{})
	o := e.unpaid(t)
	means, _ := e.client.PaymentMeans(context.Background(), o.ID)
	e.journal.Fail = errors.New("disk full")
	_, err := e.client.Pay(context.Background(), PayRequest{OrderID: o.ID, Mean: means[0], Amount: o.WithTax})
	if err == nil || !strings.Contains(err.Error(), "not sent") || e.calls("POST", payPath(o.ID)) != 0 {
		t.Fatalf("pay = %v", err)
	}
}

func TestServersAndRenewal(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ovhsim.Options{DeliveryDelay: time.Minute})
	later := e.sim.AddServer(ovhsim.Server{PlanCode: testPlan, Addons: testAddons, DC: "gra", AutomaticRenew: true,
		Expiration: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)})
	e.placeOrder(t, true)
	e.clock.Advance(time.Minute)
	servers, err := e.client.Servers(context.Background())
	if err != nil || len(servers) != 2 {
		t.Fatalf("servers = %+v, %v", servers, err)
	}
	won := servers[0]
	if won.Expiration.Format(time.DateOnly) != "2026-04-10" || !won.Manual() || won.Datacenter != "lim3" || won.Status != "ok" ||
		servers[1].Name != later.Name || servers[1].Manual() {
		t.Fatalf("servers = %+v", servers)
	}
	opts, err := e.client.RenewOptions(context.Background(), won.ServiceID)
	if err != nil || len(opts) != 4 || opts[0].Period != "P1M" || opts[1].WithoutTax.Ucents != 3*opts[0].WithoutTax.Ucents {
		t.Fatalf("renew options = %+v, %v", opts, err)
	}
	q, err := e.client.RenewDryRun(context.Background(), won.ServiceID, "P1M")
	if err != nil || q.WithoutTax != opts[0].WithoutTax || q.WithTax.Ucents != q.WithoutTax.Ucents+q.Tax.Ucents {
		t.Fatalf("dry run = %+v, %v", q, err)
	}
	if len(e.sim.Orders()) != 1 {
		t.Fatal("the dry run made an order")
	}
	r, err := e.client.Renew(context.Background(), RenewRequest{ServiceID: won.ServiceID, Service: won.Name, Period: "P1M", Amount: q.WithTax})
	if err != nil || r.OrderID == 0 || r.WithTax != q.WithTax || r.Found {
		t.Fatalf("renew = %+v, %v", r, err)
	}
	o := e.client.Order(context.Background(), r.OrderID)
	if !o.Unpaid() || !o.Renewal || o.What != fmt.Sprintf("renewal of %s (%s) for P1M", won.Name, testPlan) {
		t.Fatalf("renewal order = %+v", o)
	}
	means, _ := e.client.PaymentMeans(context.Background(), r.OrderID)
	if _, err := e.client.Pay(context.Background(), PayRequest{OrderID: r.OrderID, Mean: means[0], Amount: o.WithTax}); err != nil {
		t.Fatal(err)
	}
	servers, _ = e.client.Servers(context.Background())
	if servers[1].Name != won.Name || servers[1].Expiration.Format(time.DateOnly) != "2026-05-10" {
		t.Fatalf("after renewal = %+v", servers)
	}
	recs := e.records(t)
	if len(recs) != 4 || recs[0].Kind != journal.KindRenewal || recs[0].ServiceID != won.ServiceID || recs[1].Result != journal.ResultOrdered ||
		recs[1].OrderID != r.OrderID || recs[3].Result != journal.ResultDone {
		t.Fatalf("journal = %+v", recs)
	}
}

func TestRenewRefusesAnotherAmount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ovhsim.Options{})
	sv := e.sim.AddServer(ovhsim.Server{PlanCode: testPlan, Addons: testAddons, DC: "gra"})
	q, _ := e.client.RenewDryRun(context.Background(), sv.ServiceID, "P1M")
	e.sim.SetPlanPrice(testPlan, 99_00000000, 0)
	_, err := e.client.Renew(context.Background(), RenewRequest{ServiceID: sv.ServiceID, Service: sv.Name, Period: "P1M", Amount: q.WithTax})
	var ac *AmountChangedError
	if !errors.As(err, &ac) || len(e.sim.Orders()) != 0 || len(e.records(t)) != 0 {
		t.Fatalf("renew = %v", err)
	}
}

func TestAmbiguousRenewalFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ovhsim.Options{})
	sv := e.sim.AddServer(ovhsim.Server{PlanCode: testPlan, Addons: testAddons, DC: "gra"})
	path := fmt.Sprintf("/service/%d/renew", sv.ServiceID)
	q, _ := e.client.RenewDryRun(context.Background(), sv.ServiceID, "P3M")
	// The renewal (after Renew's own dry run) is made, then its answer is lost.
	var armed atomic.Bool
	e.sim.OnRequest(func(r ovhsim.Request) {
		if r.Path == path && strings.Contains(r.Body, `"dryRun":true`) && armed.CompareAndSwap(false, true) {
			e.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: path, DropConnection: true, AfterHandler: true, Times: 1})
		}
	})
	r, err := e.client.Renew(context.Background(), RenewRequest{ServiceID: sv.ServiceID, Service: sv.Name, Period: "P3M", Amount: q.WithTax})
	if err != nil || !r.Found || r.OrderID == 0 || len(e.sim.Orders()) != 1 {
		t.Fatalf("renew = %+v, %v (%d orders)", r, err, len(e.sim.Orders()))
	}
	// 3 POSTs: the first dry run, the one in Renew, the renewal itself.
	if n := e.calls("POST", path); n != 3 {
		t.Fatalf("%d POST %s", n, path)
	}
	// An intent left open by a killed run whose order never came: the
	// order already given to the first renewal is not taken for it, and
	// the new renewal is made.
	_ = e.journal.Append(journal.Record{Time: e.clock.Now(), Type: journal.TypeIntent, Kind: journal.KindRenewal, Attempt: "earlier",
		ServiceID: sv.ServiceID, Detail: renewalDetail(sv.Name, "P3M"), AmountUcents: q.WithTax.Ucents, Currency: "EUR"})
	_, err = e.client.Renew(context.Background(), RenewRequest{ServiceID: sv.ServiceID, Service: sv.Name, Period: "P3M", Amount: q.WithTax})
	var pe *PendingError
	if !errors.As(err, &pe) || len(e.sim.Orders()) != 1 {
		t.Fatalf("renew while an earlier one is pending = %v (%d orders)", err, len(e.sim.Orders()))
	}
	// The first renewal order is paid meanwhile, and OVH's clock passes
	// the window: the earlier intent did nothing, and a new renewal is made.
	means, _ := e.client.PaymentMeans(context.Background(), r.OrderID)
	if _, err := e.client.Pay(context.Background(), PayRequest{OrderID: r.OrderID, Mean: means[0], Amount: r.WithTax}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(gate.DefaultWindow + time.Second)
	q, _ = e.client.RenewDryRun(context.Background(), sv.ServiceID, "P3M")
	r2, err := e.client.Renew(context.Background(), RenewRequest{ServiceID: sv.ServiceID, Service: sv.Name, Period: "P3M", Amount: q.WithTax})
	if err != nil || r2.Found || r2.OrderID == r.OrderID || len(e.sim.Orders()) != 2 {
		t.Fatalf("renew = %+v, %v (%d orders)", r2, err, len(e.sim.Orders()))
	}
	recs := e.records(t)
	if recs[3].Attempt != "earlier" || recs[6].Attempt != "earlier" || recs[6].Result != journal.ResultRefused {
		t.Fatalf("journal = %+v", recs)
	}
}

func TestUnknownOutcomeLookedUpNextTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ovhsim.Options{})
	o := e.unpaid(t)
	means, _ := e.client.PaymentMeans(context.Background(), o.ID)
	// OVH pays but the answer is lost, and so is the status look-up.
	status := fmt.Sprintf("/me/order/%d/status", o.ID)
	e.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: payPath(o.ID), Status: 504, AfterHandler: true, Times: 1})
	var armed atomic.Bool
	e.sim.OnRequest(func(r ovhsim.Request) {
		if r.Path == payPath(o.ID) && armed.CompareAndSwap(false, true) {
			e.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: status, Status: 503, Times: 1})
		}
	})
	_, err := e.client.Pay(context.Background(), PayRequest{OrderID: o.ID, Mean: means[0], Amount: o.WithTax})
	var ue *UnclearError
	if !errors.As(err, &ue) {
		t.Fatalf("pay = %v", err)
	}
	if recs := e.records(t); len(recs) != 2 || recs[1].Result != journal.ResultUnknown {
		t.Fatalf("journal = %+v", recs)
	}
	// Asked again: the open intent is looked up first; nothing is paid twice.
	res, err := e.client.Pay(context.Background(), PayRequest{OrderID: o.ID, Mean: means[0], Amount: o.WithTax})
	if err != nil || !res.LookedUp || res.Status != "delivering" || e.calls("POST", payPath(o.ID)) != 1 {
		t.Fatalf("second pay = %+v, %v (%d POSTs)", res, err, e.calls("POST", payPath(o.ID)))
	}
	if recs := e.records(t); len(recs) != 3 || recs[2].Result != journal.ResultDone {
		t.Fatalf("journal = %+v", recs)
	}
}

// notSentCaller answers reads from canned values and fails the payment
// before its request is written.
type notSentCaller struct{ posts int }

func (f *notSentCaller) Signed(_ context.Context, method, path, name string, body, out any, long bool) error {
	if method == "POST" {
		f.posts++
		return &ovhapi.CallError{Call: name, NotSent: true, Err: errors.New("connection refused")}
	}
	var v any
	switch {
	case strings.HasSuffix(path, "/status"):
		v = "notPaid"
	default:
		v = map[string]any{"orderId": 1, "priceWithTax": map[string]any{"value": 24.58, "priceInUcents": 2458000000, "currencyCode": "EUR", "text": "24.58 €"}}
	}
	b, _ := json.Marshal(v)
	return json.Unmarshal(b, out)
}

func TestPaymentNotSent(t *testing.T) {
	j := &MemoryJournal{}
	f := &notSentCaller{}
	c := New(f, Options{Journal: j})
	_, err := c.Pay(context.Background(), PayRequest{OrderID: 1, Mean: PaymentMean{Mean: "ovhAccount"}, Amount: money.Amount{Ucents: 2458000000, Currency: "EUR"}})
	if err == nil || !strings.Contains(err.Error(), "nothing was paid") || f.posts != 1 {
		t.Fatalf("pay = %v (%d POSTs)", err, f.posts)
	}
	recs, _ := j.Records()
	if len(recs) != 2 || recs[1].Result != journal.ResultNotSent {
		t.Fatalf("journal = %+v", recs)
	}
}

func TestFileJournalCreatedOnFirstAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "preferences.journal")
	j := NewFileJournal(path)
	if recs, err := j.Records(); err != nil || len(recs) != 0 {
		t.Fatalf("records = %v, %v", recs, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("reading created the journal: %v", err)
	}
	if err := j.Append(journal.Record{Type: journal.TypeIntent, Kind: journal.KindPayment, Attempt: "a", OrderID: 1}); err != nil {
		t.Fatal(err)
	}
	recs, err := j.Records()
	if err != nil || len(recs) != 1 || recs[0].OrderID != 1 {
		t.Fatalf("records = %+v, %v", recs, err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
}
