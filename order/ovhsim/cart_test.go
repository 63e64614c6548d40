package ovhsim

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func checkoutBody(autopay bool) map[string]bool {
	return map[string]bool{"autoPayWithPreferredPaymentMethod": autopay, "waiveRetractationPeriod": false}
}

func TestFullFlowToOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	id, itemID := e.buildCart(t, defaultSpec())

	var req []struct {
		Label         string   `json:"label"`
		Required      bool     `json:"required"`
		AllowedValues []string `json:"allowedValues"`
	}
	if err := e.client.GetUnAuth(itemPath(id, itemID)+"/requiredConfiguration", &req); err != nil {
		t.Fatal(err)
	}
	if len(req) != 3 || req[0].Label != "dedicated_datacenter" || !slices.Equal(req[0].AllowedValues, []string{"fra", "gra"}) || !req[1].Required {
		t.Fatalf("requiredConfiguration = %+v", req)
	}

	var sum orderResp
	if err := e.client.GetUnAuth("/order/cart/"+id+"/summary", &sum); err != nil {
		t.Fatal(err)
	}
	wt := sum.Prices.WithoutTax
	if wt.PriceInUcents != 1998000000 || wt.Value != 19.98 || wt.Text != "19.98 €" || wt.CurrencyCode != "EUR" {
		t.Fatalf("summary withoutTax = %+v", wt)
	}
	if sum.Prices.Tax.PriceInUcents != 460000000 || sum.Prices.WithTax.PriceInUcents != 2458000000 {
		t.Fatalf("summary tax = %+v withTax = %+v", sum.Prices.Tax, sum.Prices.WithTax)
	}
	if sum.OrderID != nil || sum.URL != nil || len(sum.Contracts) != 0 || len(sum.Details) != 8 {
		t.Fatalf("summary = %+v", sum)
	}

	// Not orderable yet: dry run and checkout refused, no order.
	wantAPIError(t, e.client.Get("/order/cart/"+id+"/checkout", nil), 400, testFQN+" is not available in fra")
	e.sim.SetAvailability(testFQN, "gra", Avail1HHigh) // the other DC does not help
	wantAPIError(t, e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(true), nil), 400, testFQN+" is not available in fra")
	for _, v := range []string{AvailComingSoon, AvailUnknown, "48H-new"} {
		e.sim.SetAvailability(testFQN, "fra", v)
		wantAPIError(t, e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(true), nil), 400, testFQN+" is not available in fra")
	}
	if n := len(e.sim.Orders()); n != 0 {
		t.Fatalf("%d orders after refusals", n)
	}

	e.sim.SetAvailability(testFQN, "fra", Avail72H)
	var dry orderResp
	if err := e.client.Get("/order/cart/"+id+"/checkout", &dry); err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if dry.OrderID != nil || dry.Prices.WithoutTax.PriceInUcents != 1998000000 || len(dry.Contracts) == 0 {
		t.Fatalf("dry run = %+v", dry)
	}
	if len(e.sim.Orders()) != 0 {
		t.Fatal("dry run made an order")
	}

	var out orderResp
	if err := e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(true), &out); err != nil {
		t.Fatalf("checkout: %v", err)
	}
	if out.OrderID == nil || *out.OrderID != 200000001 || out.URL == nil || !strings.Contains(*out.URL, "orderId=200000001&orderPassword=") {
		t.Fatalf("checkout = %+v", out)
	}
	if out.Prices.WithoutTax.PriceInUcents != 1998000000 {
		t.Fatalf("checkout withoutTax = %+v", out.Prices.WithoutTax)
	}
	orders := e.sim.Orders()
	if len(orders) != 1 {
		t.Fatalf("%d orders", len(orders))
	}
	o := orders[0]
	if o.ID != 200000001 || o.CartID != id || o.PlanCode != testPlan || o.FQN != testFQN || o.DC != "fra" ||
		o.Quantity != 1 || !o.Autopay || o.WithoutTaxUcents != 1998000000 || o.Status != StatusDelivering ||
		!slices.Equal(o.Addons, []string{testMemory, testStorage, testBand}) || !o.Date.Equal(e.clock.Now()) {
		t.Fatalf("order = %+v", o)
	}
	cs := e.sim.Carts()
	if !cs[0].ReadOnly || cs[0].OrderID != o.ID {
		t.Fatalf("cart after checkout = %+v", cs[0])
	}

	// /me/order sees it; details and extension tell plan, addons and DC.
	var ids []int64
	if err := e.client.Get("/me/order", &ids); err != nil || !slices.Equal(ids, []int64{o.ID}) {
		t.Fatalf("/me/order = %v, %v", ids, err)
	}
	var status string
	if err := e.client.Get(fmt.Sprintf("/me/order/%d/status", o.ID), &status); err != nil || status != "delivering" {
		t.Fatalf("status = %q, %v", status, err)
	}
	var details []int64
	if err := e.client.Get(fmt.Sprintf("/me/order/%d/details", o.ID), &details); err != nil || len(details) != 4 {
		t.Fatalf("details = %v, %v", details, err)
	}
	var d struct {
		Description string `json:"description"`
		Domain      string `json:"domain"`
	}
	if err := e.client.Get(fmt.Sprintf("/me/order/%d/details/%d", o.ID, details[0]), &d); err != nil {
		t.Fatal(err)
	}
	if d.Description != "KS-LE-B (25skleb01) in fra" || d.Domain != "*001" {
		t.Fatalf("detail = %+v", d)
	}
	var ext struct {
		Order struct {
			Plan struct {
				Code     string `json:"code"`
				Quantity int    `json:"quantity"`
			} `json:"plan"`
			Configurations []struct {
				Label, Value string
			} `json:"configurations"`
		} `json:"order"`
	}
	if err := e.client.Get(fmt.Sprintf("/me/order/%d/details/%d/extension", o.ID, details[0]), &ext); err != nil {
		t.Fatal(err)
	}
	if ext.Order.Plan.Code != testPlan || len(ext.Order.Configurations) != 3 ||
		ext.Order.Configurations[0].Label != "dedicated_datacenter" || ext.Order.Configurations[0].Value != "fra" {
		t.Fatalf("extension = %+v", ext)
	}
	ext.Order.Configurations = nil
	if err := e.client.Get(fmt.Sprintf("/me/order/%d/details/%d/extension", o.ID, details[1]), &ext); err != nil {
		t.Fatal(err)
	}
	// Flat details: an option's extension names its own plan only.
	if ext.Order.Plan.Code != testMemory || len(ext.Order.Configurations) != 0 {
		t.Fatalf("option extension = %+v", ext)
	}
	var me map[string]any
	if err := e.client.Get(fmt.Sprintf("/me/order/%d", o.ID), &me); err != nil || me["url"] != *out.URL {
		t.Fatalf("/me/order/{id} = %v, %v", me, err)
	}
}

func TestReadOnlyAfterCheckout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.SetAvailability(testFQN, "fra", Avail24H)
	id, itemID := e.buildCart(t, defaultSpec())
	if err := e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(false), nil); err != nil {
		t.Fatal(err)
	}
	var c cartResp
	if err := e.client.GetUnAuth("/order/cart/"+id, &c); err != nil || !c.ReadOnly {
		t.Fatalf("cart = %+v, %v", c, err)
	}
	wantAPIError(t, e.client.PostUnAuth("/order/cart/"+id+"/eco", map[string]any{"planCode": testPlan, "duration": "P1M", "pricingMode": "default", "quantity": 1}, nil), 403, "")
	wantAPIError(t, e.client.PostUnAuth(itemPath(id, itemID)+"/configuration", map[string]any{"label": "x", "value": "y"}, nil), 403, "")
	wantAPIError(t, e.client.DeleteUnAuth(itemPath(id, itemID), nil), 403, "")
	wantAPIError(t, e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(false), nil), 403, "")
	if n := len(e.sim.Orders()); n != 1 {
		t.Fatalf("%d orders", n)
	}
}

func TestDuplicateConfigurationRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	id, itemID := e.buildCart(t, defaultSpec())
	p := itemPath(id, itemID) + "/configuration"
	wantAPIError(t, e.client.PostUnAuth(p, map[string]any{"label": "dedicated_datacenter", "value": "gra"}, nil),
		400, "Custom field dedicated_datacenter is duplicated for product 25skleb01")
	var ids []int64
	if err := e.client.GetUnAuth(p, &ids); err != nil || len(ids) != 3 {
		t.Fatalf("configurations = %v, %v", ids, err)
	}
	var cfg struct {
		ID    int64  `json:"id"`
		Label string `json:"label"`
		Value string `json:"value"`
	}
	if err := e.client.GetUnAuth(fmt.Sprintf("%s/%d", p, ids[0]), &cfg); err != nil || cfg.Label != "dedicated_datacenter" || cfg.Value != "fra" {
		t.Fatalf("configuration = %+v, %v", cfg, err)
	}
	if err := e.client.DeleteUnAuth(fmt.Sprintf("%s/%d", p, ids[0]), nil); err != nil {
		t.Fatal(err)
	}
	if err := e.client.PostUnAuth(p, map[string]any{"label": "dedicated_datacenter", "value": "gra"}, &cfg); err != nil || cfg.Value != "gra" {
		t.Fatalf("re-set after delete: %+v, %v", cfg, err)
	}
}

func TestValueNotAllowedRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	id, itemID := e.buildCart(t, cartSpec{plan: testPlan, quantity: 1})
	p := itemPath(id, itemID) + "/configuration"
	wantAPIError(t, e.client.PostUnAuth(p, map[string]any{"label": "dedicated_datacenter", "value": "bhs"}, nil), 400, "")
	wantAPIError(t, e.client.PostUnAuth(p, map[string]any{"label": "region", "value": "canada"}, nil), 400, "")
	wantAPIError(t, e.client.PostUnAuth(p, map[string]any{"label": "nope", "value": "x"}, nil), 400, "")
	wantAPIError(t, e.client.PostUnAuth(p, map[string]any{"label": "dedicated_os"}, nil), 400, "[value] Property is mandatory")
}

func TestAddonNotInPlanRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.badRequests = true // sends requests the schema refuses, on purpose
	id, itemID := e.buildCart(t, cartSpec{plan: testPlan, quantity: 1})
	opt := func(planCode string, qty int, mode string) error {
		return e.client.PostUnAuth("/order/cart/"+id+"/eco/options", map[string]any{
			"itemId": itemID, "planCode": planCode, "duration": "P1M", "pricingMode": mode, "quantity": qty}, nil)
	}
	wantAPIError(t, opt("ram-64g-ecc-2933-24risestor", 1, "default"), 400, "Option ram-64g-ecc-2933-24risestor is not available for plan 25skleb01")
	wantAPIError(t, opt("softraid-2x450nvme-25skle", 2, "default"), 400, "")
	if err := opt(testStorage, 1, "default"); err != nil {
		t.Fatal(err)
	}
	// storage is exclusive: a second storage addon is refused.
	wantAPIError(t, opt("softraid-2x2000sa-25skle", 1, "default"), 400, "")
	wantAPIError(t, opt(testStorage, 1, "default"), 400, "")
	// Unknown plan, bad duration, bad mode.
	wantAPIError(t, e.client.PostUnAuth("/order/cart/"+id+"/eco", map[string]any{"planCode": "nope", "duration": "P1M", "pricingMode": "default", "quantity": 1}, nil), 400, "")
	wantAPIError(t, e.client.PostUnAuth("/order/cart/"+id+"/eco", map[string]any{"planCode": testPlan, "duration": "P1Y", "pricingMode": "default", "quantity": 1}, nil), 400, "")
	wantAPIError(t, e.client.PostUnAuth("/order/cart/"+id+"/eco", map[string]any{"planCode": testPlan, "duration": "P1M", "pricingMode": "weird", "quantity": 1}, nil), 400, "")
	wantAPIError(t, e.client.PostUnAuth("/order/cart/"+id+"/eco", map[string]any{"planCode": testPlan, "duration": "P1M", "pricingMode": "default", "quantity": 3}, nil), 400, "")
	wantAPIError(t, e.client.PostUnAuth("/order/cart/"+id+"/eco", map[string]any{"planCode": testPlan, "duration": "P1M", "pricingMode": "default", "quantity": 1, "extra": 1}, nil), 400, "")
}

func TestEcoOffersAndOptionsListing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.badRequests = true // eco/options without its mandatory planCode, on purpose
	id, _ := e.buildCart(t, cartSpec{plan: testPlan, quantity: 1})
	var offers []struct {
		PlanCode string `json:"planCode"`
		Prices   []struct {
			Capacities    []string `json:"capacities"`
			PricingMode   string   `json:"pricingMode"`
			Duration      string   `json:"duration"`
			PriceInUcents int64    `json:"priceInUcents"`
		} `json:"prices"`
	}
	if err := e.client.GetUnAuth("/order/cart/"+id+"/eco", &offers); err != nil {
		t.Fatalf("offers = %+v, %v", offers, err)
	}
	// The schema has no planCode filter on this listing: pick the plan.
	offers = slices.DeleteFunc(offers, func(o struct {
		PlanCode string `json:"planCode"`
		Prices   []struct {
			Capacities    []string `json:"capacities"`
			PricingMode   string   `json:"pricingMode"`
			Duration      string   `json:"duration"`
			PriceInUcents int64    `json:"priceInUcents"`
		} `json:"prices"`
	}) bool {
		return o.PlanCode != testPlan
	})
	if len(offers) != 1 {
		t.Fatalf("offers of %s = %+v", testPlan, offers)
	}
	found := false
	for _, p := range offers[0].Prices {
		if p.PricingMode == "default" && slices.Contains(p.Capacities, "renew") {
			found = p.Duration == "P1M" && p.PriceInUcents == 999000000
		}
	}
	if !found {
		t.Fatalf("no default renew P1M 9.99 in %+v", offers[0].Prices)
	}
	var opts []struct {
		Family    string `json:"family"`
		Mandatory bool   `json:"mandatory"`
		PlanCode  string `json:"planCode"`
	}
	if err := e.client.GetUnAuth("/order/cart/"+id+"/eco/options?planCode="+testPlan, &opts); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(opts, func(o struct {
		Family    string `json:"family"`
		Mandatory bool   `json:"mandatory"`
		PlanCode  string `json:"planCode"`
	}) bool {
		return o.PlanCode == testMemory
	})
	if i < 0 || opts[i].Family != "memory" || !opts[i].Mandatory {
		t.Fatalf("options = %+v", opts)
	}
	wantAPIError(t, e.client.GetUnAuth("/order/cart/"+id+"/eco/options", nil), 400, "[planCode] Property is mandatory")
}

func TestCheckoutRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.SetAvailability(testFQN, "fra", Avail1HLow)

	sp := defaultSpec()
	sp.assign = false
	id, _ := e.buildCart(t, sp)
	wantAPIError(t, e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(false), nil), 400,
		"Cart "+id+" is not assigned to an account: assign it before checkout")

	sp = defaultSpec()
	sp.addons = []string{testMemory, testStorage}
	id, _ = e.buildCart(t, sp)
	wantAPIError(t, e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(false), nil), 400,
		"Missing mandatory option of family bandwidth for product 25skleb01")

	sp = defaultSpec()
	sp.configs = sp.configs[:2] // no region
	id, _ = e.buildCart(t, sp)
	wantAPIError(t, e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(false), nil), 400,
		"Missing required configuration region for product 25skleb01")

	sp = defaultSpec()
	sp.configs = sp.configs[1:] // no dedicated_datacenter
	id, _ = e.buildCart(t, sp)
	wantAPIError(t, e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(false), nil), 400,
		"Missing required configuration dedicated_datacenter for product 25skleb01")

	id, _ = e.buildCart(t, defaultSpec())
	wantAPIError(t, e.client.Post("/order/cart/"+id+"/checkout", map[string]bool{"autoPayWithPreferredPaymentMethod": true}, nil), 400,
		"[waiveRetractationPeriod] Property is mandatory")
	var c cartResp
	if err := e.client.PostUnAuth("/order/cart", map[string]any{"ovhSubsidiary": "IE"}, &c); err != nil {
		t.Fatal(err)
	}
	if err := e.client.Post("/order/cart/"+c.CartID+"/assign", nil, nil); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, e.client.Post("/order/cart/"+c.CartID+"/checkout", checkoutBody(false), nil), 400, "Cart "+c.CartID+" has no item to order")

	if n := len(e.sim.Orders()); n != 0 {
		t.Fatalf("%d orders after refusals", n)
	}
}

func TestExpiredCart404(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.SetAvailability(testFQN, "fra", Avail1HLow)
	id, _ := e.buildCart(t, defaultSpec())
	e.clock.Advance(24*time.Hour + time.Second)
	want := "The requested object (cartId = " + id + ") does not exist"
	wantAPIError(t, e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(false), nil), 404, want)
	wantAPIError(t, e.client.GetUnAuth("/order/cart/"+id, nil), 404, want)
	wantAPIError(t, e.client.GetUnAuth("/order/cart/"+id+"/summary", nil), 404, want)

	// Explicit expire a month ahead, then ExpireCart / ExpireAllCarts.
	exp := e.clock.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)
	var c cartResp
	if err := e.client.PostUnAuth("/order/cart", map[string]any{"ovhSubsidiary": "IE", "expire": exp}, &c); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(29 * 24 * time.Hour)
	if err := e.client.GetUnAuth("/order/cart/"+c.CartID, nil); err != nil {
		t.Fatalf("cart expiring in 30 days gone after 29: %v", err)
	}
	e.sim.ExpireCart(c.CartID)
	wantAPIError(t, e.client.GetUnAuth("/order/cart/"+c.CartID, nil), 404, "")
	if err := e.client.PostUnAuth("/order/cart", map[string]any{"ovhSubsidiary": "IE"}, &c); err != nil {
		t.Fatal(err)
	}
	e.sim.ExpireAllCarts()
	wantAPIError(t, e.client.GetUnAuth("/order/cart/"+c.CartID, nil), 404, "")
}

func TestCartCreationRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	var c cartResp
	if err := e.client.PostUnAuth("/order/cart", map[string]any{"ovhSubsidiary": "IE"}, &c); err != nil {
		t.Fatal(err)
	}
	if c.Expire != formatTime(e.clock.Now().Add(24*time.Hour)) || c.ReadOnly || c.Items == nil {
		t.Fatalf("cart = %+v", c)
	}
	now := e.clock.Now()
	for _, body := range []map[string]any{
		{},
		{"ovhSubsidiary": "FR"},
		{"ovhSubsidiary": "US"},
		{"ovhSubsidiary": "IE", "expire": now.Add(-time.Hour).Format(time.RFC3339)},
		{"ovhSubsidiary": "IE", "expire": now.Add(61 * 24 * time.Hour).Format(time.RFC3339)},
		{"ovhSubsidiary": "IE", "expire": "2026-04-01T00:00:00"},
	} {
		wantAPIError(t, e.client.PostUnAuth("/order/cart", body, nil), 400, "")
	}
	e.badRequests = true // US (not an EU subsidiary) and a date without a zone
	// DELETE needs a signature (schema: noAuthentication false).
	wantAPIError(t, e.client.DeleteUnAuth("/order/cart/"+c.CartID, nil), 401, "")
	// Deleted cart: 404.
	if err := e.client.Delete("/order/cart/"+c.CartID, nil); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, e.client.GetUnAuth("/order/cart/"+c.CartID, nil), 404, "")
}

func TestAutopayWithoutPaymentMethod(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{PaymentMethod: PaymentNone})
	e.sim.SetAvailability(testFQN, "fra", Avail1HLow)
	id, _ := e.buildCart(t, defaultSpec())
	wantAPIError(t, e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(true), nil), 400, "You do not have preferred payment method")
	if n := len(e.sim.Orders()); n != 0 {
		t.Fatalf("%d orders after refused autopay", n)
	}
	e.sim.SetPaymentMethod(PaymentInvalid)
	wantAPIError(t, e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(true), nil), 400, "Your preferred payment method is not valid")

	// Without autopay the order is made, unpaid; paying needs a method.
	var out orderResp
	if err := e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(false), &out); err != nil {
		t.Fatal(err)
	}
	oid := *out.OrderID
	var means []map[string]string
	if err := e.client.Get(fmt.Sprintf("/me/order/%d/availableRegisteredPaymentMean", oid), &means); err != nil || len(means) != 0 {
		t.Fatalf("means = %v, %v", means, err)
	}
	e.sim.SetPaymentMethod(PaymentValid)
	if err := e.client.Get(fmt.Sprintf("/me/order/%d/availableRegisteredPaymentMean", oid), &means); err != nil || len(means) != 1 {
		t.Fatalf("means = %v, %v", means, err)
	}
	var st string
	if err := e.client.Get(fmt.Sprintf("/me/order/%d/status", oid), &st); err != nil || st != StatusNotPaid {
		t.Fatalf("status = %q, %v", st, err)
	}
	if err := e.client.Post(fmt.Sprintf("/me/order/%d/payWithRegisteredPaymentMean", oid), map[string]any{"paymentMean": means[0]["paymentMean"], "paymentMeanId": simPaymentMeanID}, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.client.Get(fmt.Sprintf("/me/order/%d/status", oid), &st); err != nil || st != StatusDelivering {
		t.Fatalf("status after pay = %q, %v", st, err)
	}
	wantAPIError(t, e.client.Post(fmt.Sprintf("/me/order/%d/payWithRegisteredPaymentMean", oid), map[string]string{"paymentMean": "creditCard"}, nil), 400, "")
}

func TestUnpaidOrderLapses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.SetAvailability(testFQN, "fra", Avail1HLow)
	id, _ := e.buildCart(t, defaultSpec())
	if err := e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(false), nil); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(25 * time.Hour)
	if o := e.sim.Orders()[0]; o.Status != StatusCancelled {
		t.Fatalf("status = %q", o.Status)
	}
}

func TestMeOrderDateFilter(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.badRequests = true // sends requests the schema refuses, on purpose
	e.sim.SetAvailability(testFQN, "fra", Avail1HLow)
	var ids []int64
	t0 := e.clock.Now()
	for range 3 {
		id, _ := e.buildCart(t, defaultSpec())
		var out orderResp
		if err := e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(true), &out); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, *out.OrderID)
		e.clock.Advance(2 * time.Hour)
	}
	list := func(q string) []int64 {
		t.Helper()
		var got []int64
		if err := e.client.Get("/me/order"+q, &got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	f := func(d time.Duration) string { return t0.Add(d).Format(time.RFC3339) }
	if got := list(""); !slices.Equal(got, ids) {
		t.Fatalf("all = %v", got)
	}
	if got := list("?date.from=" + f(2*time.Hour)); !slices.Equal(got, ids[1:]) {
		t.Fatalf("from = %v", got)
	}
	if got := list("?date.from=" + f(time.Minute) + "&date.to=" + f(2*time.Hour)); !slices.Equal(got, ids[1:2]) {
		t.Fatalf("from+to (inclusive) = %v", got)
	}
	if got := list("?date.to=" + f(-time.Minute)); len(got) != 0 {
		t.Fatalf("before any = %v", got)
	}
	wantAPIError(t, e.client.Get("/me/order?date.from=yesterday", nil), 400, "")
	wantAPIError(t, e.client.Get("/me/order/1", nil), 404, "")
}

func TestPriceChangeVisibleInSummary(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	id, _ := e.buildCart(t, defaultSpec())
	e.sim.SetPlanPrice(testPlan, 2499000000, 0)
	var sum orderResp
	if err := e.client.GetUnAuth("/order/cart/"+id+"/summary", &sum); err != nil {
		t.Fatal(err)
	}
	if got := sum.Prices.WithoutTax.PriceInUcents; got != 2499000000 {
		t.Fatalf("withoutTax after price change = %d", got)
	}
	e.sim.SetAvailability(testFQN, "fra", Avail1HLow)
	var out orderResp
	if err := e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(false), &out); err != nil {
		t.Fatal(err)
	}
	if out.Prices.WithoutTax.PriceInUcents != 2499000000 || e.sim.Orders()[0].WithoutTaxUcents != 2499000000 {
		t.Fatalf("checkout price = %+v", out.Prices.WithoutTax)
	}
}

func TestQuantityMultipliesPrices(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	sp := defaultSpec()
	sp.quantity = 2
	id, _ := e.buildCart(t, sp)
	var sum orderResp
	if err := e.client.GetUnAuth("/order/cart/"+id+"/summary", &sum); err != nil {
		t.Fatal(err)
	}
	if got := sum.Prices.WithoutTax.PriceInUcents; got != 2*1998000000 {
		t.Fatalf("withoutTax qty 2 = %d", got)
	}
}

func TestCoupons(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Coupons: map[string]int64{"MONDAY": 10}})
	id, _ := e.buildCart(t, defaultSpec())
	wantAPIError(t, e.client.Post("/order/cart/"+id+"/coupon", map[string]string{"coupon": "NOPE"}, nil), 400, "Coupon NOPE is not valid")
	// Coupons are public in OVH's schema (noAuthentication true).
	var list []string
	if err := e.client.PostUnAuth("/order/cart/"+id+"/coupon", map[string]string{"coupon": "MONDAY"}, &list); err != nil || !slices.Equal(list, []string{"MONDAY"}) {
		t.Fatalf("coupon = %v, %v", list, err)
	}
	var sum orderResp
	if err := e.client.GetUnAuth("/order/cart/"+id+"/summary", &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Prices.WithoutTax.PriceInUcents != 1798000000 || sum.Prices.Reduction.PriceInUcents != 200000000 || sum.Prices.OriginalWithoutTax.PriceInUcents != 1998000000 {
		t.Fatalf("prices with coupon = %+v", sum.Prices)
	}
}

func TestItemDeleteCascadesOptions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	id, itemID := e.buildCart(t, defaultSpec())
	var it itemResp
	if err := e.client.GetUnAuth(itemPath(id, itemID), &it); err != nil || len(it.Options) != 3 || it.Settings.PlanCode != testPlan || it.ProductID != "eco" {
		t.Fatalf("item = %+v, %v", it, err)
	}
	var opt itemResp
	if err := e.client.GetUnAuth(itemPath(id, it.Options[0]), &opt); err != nil || opt.ParentItemID == nil || *opt.ParentItemID != itemID {
		t.Fatalf("option = %+v, %v", opt, err)
	}
	if err := e.client.DeleteUnAuth(itemPath(id, itemID), nil); err != nil {
		t.Fatal(err)
	}
	var c cartResp
	if err := e.client.GetUnAuth("/order/cart/"+id, &c); err != nil || len(c.Items) != 0 {
		t.Fatalf("cart after delete = %+v, %v", c, err)
	}
	wantAPIError(t, e.client.GetUnAuth(itemPath(id, itemID), nil), 404, fmt.Sprintf("The requested object (itemId = %d) does not exist", itemID))
}

func TestListCartsOfAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	id, _ := e.buildCart(t, defaultSpec())
	sp := defaultSpec()
	sp.assign = false
	e.buildCart(t, sp)
	var ids []string
	if err := e.client.Get("/order/cart", &ids); err != nil || !slices.Equal(ids, []string{id}) {
		t.Fatalf("carts = %v, %v", ids, err)
	}
}
