package account

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ovhtui/ovhtui/gate"
	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/order/ovhsim"
)

// Issue 16.3: `renew SID --period P1M --yes` whose payment is refused
// leaves an unpaid renewal order; the same renewal asked again offers that
// order for payment and makes no second one.
func TestRenewAgainOffersTheUnpaidOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ovhsim.Options{})
	sv := e.sim.AddServer(ovhsim.Server{PlanCode: testPlan, Addons: testAddons, DC: "gra"})
	q, _ := e.client.RenewDryRun(context.Background(), sv.ServiceID, "P1M")
	req := RenewRequest{ServiceID: sv.ServiceID, Service: sv.Name, Period: "P1M", Amount: q.WithTax}
	r, err := e.client.Renew(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	e.sim.SetPaymentDeclined(true)
	means, _ := e.client.PaymentMeans(context.Background(), r.OrderID)
	if _, err := e.client.Pay(context.Background(), PayRequest{OrderID: r.OrderID, Mean: means[0], Amount: r.WithTax}); err == nil {
		t.Fatal("a declined payment went through")
	}
	r2, err := e.client.Renew(context.Background(), req)
	if err != nil || r2.OrderID != r.OrderID || !r2.Existing {
		t.Fatalf("renew again = %+v, %v", r2, err)
	}
	if n := len(e.sim.Orders()); n != 1 {
		t.Fatalf("%d renewal orders, want 1", n)
	}
	// Paid, the next renewal (a new confirmation) is a new order.
	e.sim.SetPaymentDeclined(false)
	if _, err := e.client.Pay(context.Background(), PayRequest{OrderID: r.OrderID, Mean: means[0], Amount: r.WithTax}); err != nil {
		t.Fatal(err)
	}
	q, _ = e.client.RenewDryRun(context.Background(), sv.ServiceID, "P1M")
	req.Amount = q.WithTax
	if r3, err := e.client.Renew(context.Background(), req); err != nil || r3.OrderID == r.OrderID || r3.Existing {
		t.Fatalf("renew after paying = %+v, %v", r3, err)
	}
}

// Issue 16.4: an unclear renewal answer, and OVH creates the order a
// moment after the first look-up: nothing says "no renewal order was
// made", and asking again finds that order instead of making a second.
func TestUnclearRenewalStaysPending(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ovhsim.Options{})
	sv := e.sim.AddServer(ovhsim.Server{PlanCode: testPlan, Addons: testAddons, DC: "gra"})
	path := fmt.Sprintf("/service/%d/renew", sv.ServiceID)
	q, _ := e.client.RenewDryRun(context.Background(), sv.ServiceID, "P1M")
	req := RenewRequest{ServiceID: sv.ServiceID, Service: sv.Name, Period: "P1M", Amount: q.WithTax}
	// The renewal times out before OVH acts on it (a 504 from a proxy).
	var armed atomic.Bool
	e.sim.OnRequest(func(r ovhsim.Request) {
		if r.Path == path && strings.Contains(r.Body, `"dryRun":true`) && armed.CompareAndSwap(false, true) {
			e.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: path, Status: 504, Times: 1})
		}
	})
	_, err := e.client.Renew(context.Background(), req)
	var ue *UnclearError
	if !errors.As(err, &ue) || strings.Contains(err.Error(), "no renewal order") {
		t.Fatalf("renew = %v", err)
	}
	if recs := e.records(t); recs[len(recs)-1].Result != journal.ResultUnknown {
		t.Fatalf("journal = %+v", recs)
	}
	// OVH carries it out late.
	if err := e.raw.Post(path, renewBody(sv.ServiceID, "P1M", false), nil); err != nil {
		t.Fatal(err)
	}
	r, err := e.client.Renew(context.Background(), req)
	if err != nil || !r.Found || r.OrderID == 0 || len(e.sim.Orders()) != 1 {
		t.Fatalf("renew again = %+v, %v (%d orders)", r, err, len(e.sim.Orders()))
	}
}

// Issue 16.5: a payment intent another running ovhtui is still waiting on
// is neither settled nor paid again by this one.
func TestAnotherLiveProcessIntentLeftAlone(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ovhsim.Options{})
	o := e.unpaid(t)
	means, _ := e.client.PaymentMeans(context.Background(), o.ID)
	parent := fmt.Sprint(os.Getppid()) // a process that runs, not this one
	_ = e.journal.Append(journal.Record{Time: e.clock.Now(), OVHTime: e.clock.Now(), Type: journal.TypeIntent, Kind: journal.KindPayment,
		Attempt: "other", OrderID: o.ID, Proc: parent, PID: os.Getppid()})
	e.clock.Advance(2 * gate.DefaultWindow) // even long after
	_, err := e.client.Pay(context.Background(), PayRequest{OrderID: o.ID, Mean: means[0], Amount: o.WithTax})
	var pe *PendingError
	if !errors.As(err, &pe) || !pe.Other || e.calls("POST", payPath(o.ID)) != 0 {
		t.Fatalf("pay = %v (%d POSTs)", err, e.calls("POST", payPath(o.ID)))
	}
	if recs := e.records(t); len(recs) != 1 {
		t.Fatalf("another process's intent was settled: %+v", recs)
	}
}

// Issue 16.8: the account commands find the engine's journal through a
// symlinked preferences file.
func TestJournalThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	os.WriteFile(real, []byte(`{"servers":[]}`), 0o600)
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(real, link); err != nil {
		t.Skip(err)
	}
	j, _ := journal.Open(journal.Beside(real))
	j.Append(journal.Record{Type: journal.TypeOutcome, Kind: journal.KindCheckout, Entry: "e", Attempt: "a", Result: journal.ResultOrdered, OrderID: 77})
	j.Close()
	c := New(nil, Options{Journal: NewFileJournal(journal.Beside(link))})
	if got := c.Ours(); len(got) != 1 || got[0] != 77 {
		t.Fatalf("ours through the link = %v", got)
	}
}
