package ovhsim

import (
	"fmt"
	"testing"
	"time"
)

// placeOrder checks out the default cart in fra, with or without autopay,
// and returns the order id.
func (e *env) placeOrder(t *testing.T, autopay bool) int64 {
	t.Helper()
	e.sim.SetAvailability(testFQN, "fra", Avail1HLow)
	id, _ := e.buildCart(t, defaultSpec())
	var out orderResp
	if err := e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(autopay), &out); err != nil {
		t.Fatal(err)
	}
	return *out.OrderID
}

func (e *env) status(t *testing.T, oid int64) string {
	t.Helper()
	var st string
	if err := e.client.Get(fmt.Sprintf("/me/order/%d/status", oid), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

type serviceInfosResp struct {
	ServiceID  int64  `json:"serviceId"`
	Domain     string `json:"domain"`
	Expiration string `json:"expiration"`
	Status     string `json:"status"`
	Renew      struct {
		Automatic     bool  `json:"automatic"`
		ManualPayment *bool `json:"manualPayment"`
		Period        *int  `json:"period"`
	} `json:"renew"`
	RenewalType string `json:"renewalType"`
}

func TestPaidOrderDeliversAServer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{DeliveryDelay: 10 * time.Minute})
	e.badRequests = true // pays with paymentMean "bogus" on purpose (not in the schema's enum)
	oid := e.placeOrder(t, false)
	var names []string
	if err := e.client.Get("/dedicated/server", &names); err != nil || len(names) != 0 {
		t.Fatalf("servers before payment = %v, %v", names, err)
	}
	// Paying with a card needs its paymentMeanId, found under /me/payment/method.
	pay := fmt.Sprintf("/me/order/%d/payWithRegisteredPaymentMean", oid)
	wantAPIError(t, e.client.Post(pay, map[string]any{"paymentMean": "creditCard"}, nil), 400, "[paymentMeanId] Property is mandatory")
	wantAPIError(t, e.client.Post(pay, map[string]any{"paymentMean": "bogus"}, nil), 400, "")
	var ids []int64
	if err := e.client.Get("/me/payment/method?status=VALID", &ids); err != nil || len(ids) != 1 {
		t.Fatalf("payment methods = %v, %v", ids, err)
	}
	var pm struct {
		PaymentMeanID int64  `json:"paymentMeanId"`
		PaymentType   string `json:"paymentType"`
		Status        string `json:"status"`
	}
	if err := e.client.Get(fmt.Sprintf("/me/payment/method/%d", ids[0]), &pm); err != nil || pm.PaymentType != "CREDIT_CARD" {
		t.Fatalf("payment method = %+v, %v", pm, err)
	}
	if err := e.client.Post(pay, map[string]any{"paymentMean": "creditCard", "paymentMeanId": pm.PaymentMeanID}, nil); err != nil {
		t.Fatal(err)
	}
	if st := e.status(t, oid); st != StatusDelivering {
		t.Fatalf("status after payment = %q", st)
	}
	e.clock.Advance(10 * time.Minute)
	if st := e.status(t, oid); st != StatusDelivered {
		t.Fatalf("status after delivery = %q", st)
	}
	if err := e.client.Get("/dedicated/server", &names); err != nil || len(names) != 1 {
		t.Fatalf("servers = %v, %v", names, err)
	}
	var si serviceInfosResp
	if err := e.client.Get("/dedicated/server/"+names[0]+"/serviceInfos", &si); err != nil {
		t.Fatal(err)
	}
	if si.Domain != names[0] || si.Status != "ok" || si.Renew.Automatic || si.RenewalType != "manual" ||
		si.Expiration != "2026-04-10" {
		t.Fatalf("serviceInfos = %+v", si)
	}
	var srv struct {
		Datacenter string `json:"datacenter"`
		Name       string `json:"name"`
	}
	if err := e.client.Get("/dedicated/server/"+names[0], &srv); err != nil || srv.Datacenter != "lim3" {
		t.Fatalf("server = %+v, %v", srv, err)
	}
	wantAPIError(t, e.client.Get("/dedicated/server/ns0.example/serviceInfos", nil), 404, "")
}

func TestRenewDryRunThenPaid(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	sv := e.sim.AddServer(Server{PlanCode: testPlan, Addons: []string{testMemory, testStorage, testBand}, DC: "gra",
		Expiration: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)})
	var desc []struct {
		RenewPeriod string `json:"renewPeriod"`
		Strategies  []struct {
			Price         moneyResp `json:"price"`
			PriceInUcents int64     `json:"priceInUcents"`
			Services      []int64   `json:"services"`
		} `json:"strategies"`
	}
	path := fmt.Sprintf("/service/%d/renew", sv.ServiceID)
	if err := e.client.Get(path+"?includeOptions=false", &desc); err != nil || len(desc) != 4 || desc[0].RenewPeriod != "P1M" {
		t.Fatalf("renew = %+v, %v", desc, err)
	}
	month := desc[0].Strategies[0].PriceInUcents
	if month <= 0 || desc[1].Strategies[0].PriceInUcents != 3*month || desc[0].Strategies[0].Services[0] != sv.ServiceID {
		t.Fatalf("renew prices = %+v", desc)
	}
	type renewOrder struct {
		OrderID         int64     `json:"orderId"`
		PriceWithoutTax moneyResp `json:"priceWithoutTax"`
		PriceWithTax    moneyResp `json:"priceWithTax"`
	}
	var dry renewOrder
	body := map[string]any{"dryRun": true, "duration": "P1M", "services": []int64{sv.ServiceID}}
	if err := e.client.Post(path, body, &dry); err != nil || dry.OrderID != 0 || dry.PriceWithoutTax.PriceInUcents != month {
		t.Fatalf("dry run = %+v, %v", dry, err)
	}
	if n := len(e.sim.Orders()); n != 0 {
		t.Fatalf("a dry run made %d orders", n)
	}
	wantAPIError(t, e.client.Post(path, map[string]any{"duration": "P2M", "services": []int64{sv.ServiceID}}, nil), 400, "")
	wantAPIError(t, e.client.Post(path, map[string]any{"duration": "P1M", "services": []int64{1}}, nil), 400, "")
	wantAPIError(t, e.client.Post("/service/1/renew", body, nil), 404, "")
	var ord renewOrder
	body["dryRun"] = false
	if err := e.client.Post(path, body, &ord); err != nil || ord.OrderID == 0 || ord.PriceWithTax.PriceInUcents <= month {
		t.Fatalf("renew = %+v, %v", ord, err)
	}
	if st := e.status(t, ord.OrderID); st != StatusNotPaid {
		t.Fatalf("renew order status = %q", st)
	}
	var ext struct {
		Order struct {
			Action string `json:"action"`
		} `json:"order"`
	}
	var details []int64
	if err := e.client.Get(fmt.Sprintf("/me/order/%d/details", ord.OrderID), &details); err != nil || len(details) != 1 {
		t.Fatalf("details = %v, %v", details, err)
	}
	if err := e.client.Get(fmt.Sprintf("/me/order/%d/details/%d/extension", ord.OrderID, details[0]), &ext); err != nil || ext.Order.Action != "renew" {
		t.Fatalf("extension = %+v, %v", ext, err)
	}
	pay := map[string]any{"paymentMean": "creditCard", "paymentMeanId": simPaymentMeanID}
	e.sim.SetPaymentDeclined(true)
	wantAPIError(t, e.client.Post(fmt.Sprintf("/me/order/%d/payWithRegisteredPaymentMean", ord.OrderID), pay, nil), 400, "Payment refused by your bank")
	e.sim.SetPaymentDeclined(false)
	if err := e.client.Post(fmt.Sprintf("/me/order/%d/payWithRegisteredPaymentMean", ord.OrderID), pay, nil); err != nil {
		t.Fatal(err)
	}
	if st := e.status(t, ord.OrderID); st != StatusDelivered {
		t.Fatalf("paid renew order status = %q", st)
	}
	// 31 March + 1 month = 30 April.
	if got := e.sim.Servers()[0].Expiration.Format(time.DateOnly); got != "2026-04-30" {
		t.Fatalf("expiration after renewal = %s", got)
	}
}

func TestAddMonths(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2026-01-31", "2026-02-28"}, {"2028-01-31", "2028-02-29"}, {"2026-03-10", "2026-04-10"}, {"2026-12-31", "2027-01-31"},
	} {
		in, _ := time.Parse(time.DateOnly, c.in)
		if got := addMonths(in, 1).Format(time.DateOnly); got != c.want {
			t.Errorf("addMonths(%s, 1) = %s, want %s", c.in, got, c.want)
		}
	}
}
