package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
)

// startAccountDemo serves a fresh simulator on a loopback port for the
// after-the-win subcommands with --demo: its account holds the demo's
// servers won earlier and two orders ovhtui placed, a KS-LE-B paid with
// autopay and a KS-LE-1 left unpaid (ids 200000001 and 200000002), so
// that `ovhtui pay 200000002 --demo` and `ovhtui renew ... --demo` work.
// Nothing persists between runs.
func (a *app) startAccountDemo(ctx context.Context) (*ovhapi.OVHClient, []int64, func(), error) {
	a.env.clearOVH()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("listen on loopback: %w", err)
	}
	sim, err := ovhsim.New(ovhsim.DefaultCatalog(), ovhsim.Options{OrderURL: demoOrderURL(ln.Addr())})
	if err != nil {
		ln.Close()
		return nil, nil, nil, fmt.Errorf("start simulator: %w", err)
	}
	sim.SeedDemoAccount()
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = sim.Serve(sctx, ln)
	}()
	stop := func() { cancel(); <-done }
	c, err := a.newSimClient("http://" + ln.Addr().String() + "/1.0")
	if err != nil {
		stop()
		return nil, nil, nil, err
	}
	api := ovhapi.NewOVHClient(c, ovhapi.ClientOptions{})
	var ours []int64
	for _, w := range []struct {
		plan, fqn, dc string
		addons        []string
		autopay       bool
	}{
		{"25skleb01", "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme", "fra",
			[]string{"softraid-2x450nvme-25skle", "bandwidth-300-25skle", "ram-32g-ecc-2400-25skle"}, true},
		{"25skle01", "25skle01.ram-16g-noecc-1333.softraid-2x480ssd", "gra",
			[]string{"ram-16g-noecc-1333-25skle01", "softraid-2x480ssd-25skle01", "bandwidth-300-unguaranteed-25skle"}, false},
	} {
		sim.SetAvailability(w.fqn, w.dc, ovhsim.Avail1HLow)
		id, err := demoCheckout(ctx, api, w.plan, w.addons, w.dc, w.autopay)
		if err != nil {
			stop()
			return nil, nil, nil, fmt.Errorf("demo order of %s: %w", w.plan, err)
		}
		ours = append(ours, id)
	}
	// Deliver the paid one at once.
	sim.SetDeliveryDelay(time.Nanosecond)
	return api, ours, func() { api.CloseIdleConnections(); stop() }, nil
}

// demoCheckout builds a cart for plan in dc and checks it out.
func demoCheckout(ctx context.Context, api order.API, plan string, addons []string, dc string, autopay bool) (int64, error) {
	cart, err := api.CreateCart(ctx, "IE", time.Time{})
	if err != nil {
		return 0, err
	}
	if err := api.AssignCart(ctx, cart.CartID); err != nil {
		return 0, err
	}
	it, err := api.AddEcoItem(ctx, cart.CartID, ovhapi.EcoItemRequest{PlanCode: plan, Duration: "P1M", PricingMode: "default", Quantity: 1})
	if err != nil {
		return 0, err
	}
	for _, a := range addons {
		if _, err := api.AddEcoOption(ctx, cart.CartID, ovhapi.EcoOptionRequest{ItemID: it.ItemID, PlanCode: a, Duration: "P1M",
			PricingMode: "default", Quantity: 1}); err != nil {
			return 0, err
		}
	}
	for _, kv := range [][2]string{{"dedicated_datacenter", dc}, {"dedicated_os", "none_64.en"}, {"region", "europe"}} {
		if _, err := api.AddConfiguration(ctx, cart.CartID, it.ItemID, kv[0], kv[1]); err != nil {
			return 0, err
		}
	}
	o, err := api.Checkout(ctx, cart.CartID, ovhapi.CheckoutRequest{AutoPayWithPreferredPaymentMethod: autopay})
	if err != nil {
		return 0, err
	}
	if o.OrderID == nil {
		return 0, errors.New("checkout without an order id")
	}
	return *o.OrderID, nil
}
