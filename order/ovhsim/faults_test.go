package ovhsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"
)

const availPath = "/dedicated/server/datacenter/availabilities"

func TestFault429RetryAfterThenRecovers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.InjectFault(Fault{Method: "GET", Path: availPath, Status: 429, RetryAfter: 2500 * time.Millisecond, Times: 1})
	resp, err := http.Get(e.srv.URL + "/1.0" + availPath + "?planCode=" + testPlan)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" || resp.Header.Get("X-Ovh-Queryid") == "" {
		t.Fatalf("status %d, Retry-After %q, headers %v", resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header)
	}
	if !strings.Contains(string(body), `"class":"Client::TooManyRequests"`) {
		t.Fatalf("body = %s", body)
	}
	if _, err := e.avail(t, "?planCode="+testPlan); err != nil {
		t.Fatalf("after the one-time fault: %v", err)
	}
	reqs := e.sim.Requests()
	if !reqs[0].Fault || reqs[0].Status != 429 || reqs[1].Fault || reqs[1].Status != 200 {
		t.Fatalf("request log = %+v", reqs)
	}
}

func TestFault500BeforeHandlerMakesNoOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.SetAvailability(testFQN, "fra", Avail1HLow)
	id, _ := e.buildCart(t, defaultSpec())
	remove := e.sim.InjectFault(Fault{Method: "POST", Path: "/order/cart/*", Status: 500})
	ae := wantAPIError(t, e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(false), nil), 500, "")
	if ae.Class != "Server::InternalServerError" {
		t.Fatalf("class = %q", ae.Class)
	}
	if len(e.sim.Orders()) != 0 {
		t.Fatal("order made despite a before-handler fault")
	}
	remove()
	if err := e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(false), nil); err != nil {
		t.Fatalf("after removing the fault: %v", err)
	}
}

func TestFaultMalformedBody(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.InjectFault(Fault{Path: availPath, Body: `[{"fqn": "25skleb01.`})
	_, err := e.avail(t, "?planCode="+testPlan)
	var ae *ovh.APIError
	if err == nil || errors.As(err, &ae) {
		t.Fatalf("want a decode error, got %v", err)
	}
	e.sim.ClearFaults()
	e.sim.InjectFault(Fault{Path: availPath, Status: 502, Body: "<html>Bad gateway</html>"})
	_, err = e.avail(t, "?planCode="+testPlan)
	if ae := wantAPIError(t, err, 502, "<html>Bad gateway</html>"); ae.Class != "" {
		t.Fatalf("class = %q", ae.Class)
	}
}

func TestFaultAfterHandlerOrderExists(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.SetAvailability(testFQN, "fra", Avail1HLow)
	id, _ := e.buildCart(t, defaultSpec())
	e.sim.InjectFault(Fault{Method: "POST", Path: "/order/cart/" + id + "/checkout", Status: 503, AfterHandler: true, Times: 1})
	wantAPIError(t, e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(true), nil), 503, "")
	if n := len(e.sim.Orders()); n != 1 {
		t.Fatalf("%d orders, want the one made before the fault", n)
	}
}

func TestFaultDropConnection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.SetAvailability(testFQN, "fra", Avail1HLow)
	id1, _ := e.buildCart(t, defaultSpec())
	id2, _ := e.buildCart(t, defaultSpec())
	e.sim.InjectFault(Fault{Method: "POST", Path: "/order/cart/" + id1 + "/checkout", DropConnection: true})
	e.sim.InjectFault(Fault{Method: "POST", Path: "/order/cart/" + id2 + "/checkout", DropConnection: true, AfterHandler: true})
	var ae *ovh.APIError
	if err := e.client.Post("/order/cart/"+id1+"/checkout", checkoutBody(true), nil); err == nil || errors.As(err, &ae) {
		t.Fatalf("dropped before handler: err = %v", err)
	}
	if n := len(e.sim.Orders()); n != 0 {
		t.Fatalf("%d orders after a drop before the handler", n)
	}
	if err := e.client.Post("/order/cart/"+id2+"/checkout", checkoutBody(true), nil); err == nil || errors.As(err, &ae) {
		t.Fatalf("dropped after handler: err = %v", err)
	}
	if o := e.sim.Orders(); len(o) != 1 || o[0].CartID != id2 {
		t.Fatalf("orders = %+v, want the one of the dropped-after checkout", o)
	}
}

func TestFaultHoldRespectsClientGivingUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	hold := make(chan struct{}) // never closed
	e.sim.InjectFault(Fault{Path: "/auth/time", Hold: hold})
	ctx, cancel := context.WithCancel(context.Background())
	e.sim.OnRequest(func(r Request) {
		if r.Path == "/auth/time" {
			cancel() // the client gives up as soon as the request arrives
		}
	})
	done := make(chan Request, 1)
	e.sim.OnResponse(func(r Request) {
		if r.Path == "/auth/time" {
			done <- r
		}
	})
	var ts int64
	if err := e.client.GetUnAuthWithContext(ctx, "/auth/time", &ts); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	r := <-done // the handler returned without the hold being released
	if r.Status != 0 || !r.Fault {
		t.Fatalf("request = %+v", r)
	}
}

func TestFaultHoldThenHandled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	hold := make(chan struct{})
	e.sim.InjectFault(Fault{Path: "/auth/*", Hold: hold, Times: 1})
	e.sim.OnRequest(func(r Request) {
		if r.Path == "/auth/time" {
			close(hold) // release it once it arrived: a slow API, then a normal answer
		}
	})
	var ts int64
	if err := e.client.GetUnAuth("/auth/time", &ts); err != nil || ts != e.clock.Now().Unix() {
		t.Fatalf("ts = %d, err = %v", ts, err)
	}
}

func TestFaultDelayAndTimes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.InjectFault(Fault{Path: "/auth/time", Delay: time.Millisecond, Status: 500, Times: 2})
	for range 2 {
		wantAPIError(t, e.client.GetUnAuth("/auth/time", nil), 500, "")
	}
	if err := e.client.GetUnAuth("/auth/time", nil); err != nil {
		t.Fatalf("third call: %v", err)
	}
}

func TestOnRequestSeesCheckoutBeforeOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.SetAvailability(testFQN, "fra", Avail1HLow)
	id, _ := e.buildCart(t, defaultSpec())
	ordersAtArrival := -1
	e.sim.OnRequest(func(r Request) {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "/checkout") {
			ordersAtArrival = len(e.sim.Orders())
			if r.Status != 0 || !strings.Contains(r.Body, "autoPayWithPreferredPaymentMethod") {
				t.Errorf("arrival request = %+v", r)
			}
		}
	})
	if err := e.client.Post("/order/cart/"+id+"/checkout", checkoutBody(false), nil); err != nil {
		t.Fatal(err)
	}
	if ordersAtArrival != 0 || len(e.sim.Orders()) != 1 {
		t.Fatalf("orders at arrival %d, after %d", ordersAtArrival, len(e.sim.Orders()))
	}
}

func TestConnectionsCounted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	for range 5 {
		if _, err := e.avail(t, "?planCode="+testPlan); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.sim.Connections(); n != 1 {
		t.Fatalf("connections = %d, want 1 (keep-alive)", n)
	}
	for _, r := range e.sim.Requests() {
		if r.ConnID != 1 {
			t.Fatalf("request %+v on connection %d", r, r.ConnID)
		}
	}
}

func TestControlHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	post := func(path, body string) int {
		t.Helper()
		resp, err := http.Post(e.srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := post("/_sim/availability", `{"fqn":"`+testFQN+`","datacenter":"fra","availability":"24H"}`); st != 200 {
		t.Fatalf("POST availability: %d", st)
	}
	if v := e.sim.Availability(testFQN, "fra"); v != Avail24H {
		t.Fatalf("availability = %q", v)
	}
	if st := post("/_sim/availability", `{"nope":1}`); st != 400 {
		t.Fatalf("bad body: %d", st)
	}
	if st := post("/_sim/faults", `{"path":"/auth/time","status":429,"retryAfter":"1s"}`); st != 200 {
		t.Fatalf("POST faults: %d", st)
	}
	wantAPIError(t, e.client.GetUnAuth("/auth/time", nil), 429, "")
	req, _ := http.NewRequest("DELETE", e.srv.URL+"/_sim/faults", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("DELETE faults: %v", err)
	}
	if err := e.client.GetUnAuth("/auth/time", nil); err != nil {
		t.Fatal(err)
	}
	if st := post("/_sim/timeline", `[{"at":"1m","fqn":"`+testFQN+`","datacenter":"gra","availability":"1H-low"}]`); st != 200 {
		t.Fatalf("POST timeline: %d", st)
	}
	e.clock.Advance(time.Minute)
	if v := e.sim.Availability(testFQN, "gra"); v != Avail1HLow {
		t.Fatalf("after timeline: %q", v)
	}
	if st := post("/_sim/price", `{"planCode":"`+testPlan+`","monthly":100,"setup":0}`); st != 200 {
		t.Fatalf("POST price: %d", st)
	}
	if st := post("/_sim/payment-method", `{"state":"none"}`); st != 200 {
		t.Fatalf("POST payment-method: %d", st)
	}
	resp, err := http.Get(e.srv.URL + "/_sim/requests")
	if err != nil {
		t.Fatal(err)
	}
	var reqs []Request
	if err := json.NewDecoder(resp.Body).Decode(&reqs); err != nil || len(reqs) != 2 {
		t.Fatalf("requests = %d, %v (control calls are not logged)", len(reqs), err)
	}
	resp.Body.Close()
}

func TestCatalogEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.badRequests = true // sends requests the schema refuses, on purpose
	get := func(q string) (int, []byte) {
		resp, err := http.Get(e.srv.URL + "/1.0/order/catalog/public/eco" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	st, b := get("?ovhSubsidiary=IE")
	if st != 200 || !bytes.Equal(b, testCatalog(t)) {
		t.Fatalf("IE catalog: %d, %d bytes", st, len(b))
	}
	st, b = get("?ovhSubsidiary=FR")
	var fr struct {
		Locale struct{ Subsidiary string } `json:"locale"`
		Plans  []json.RawMessage           `json:"plans"`
	}
	if st != 200 || json.Unmarshal(b, &fr) != nil || fr.Locale.Subsidiary != "FR" || len(fr.Plans) != 79 {
		t.Fatalf("FR catalog: %d %+v", st, fr.Locale)
	}
	for _, q := range []string{"", "?ovhSubsidiary=US", "?ovhSubsidiary=XX"} {
		if st, _ := get(q); st != 400 {
			t.Fatalf("catalog%s: %d, want 400", q, st)
		}
	}
}

func TestUnknownRoute404(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	wantAPIError(t, e.client.GetUnAuth("/nope", nil), 404, "Got an invalid (or empty) URL")
	rec := httptest.NewRecorder()
	e.sim.ServeHTTP(rec, httptest.NewRequest("GET", "/2.0/me", nil))
	if rec.Code != 404 || rec.Header().Get("X-Ovh-Queryid") == "" {
		t.Fatalf("outside /1.0: %d %v", rec.Code, rec.Header())
	}
}

func TestDefaultCatalogAndDemo(t *testing.T) {
	t.Parallel()
	if !bytes.Equal(DefaultCatalog(), testCatalog(t)) {
		t.Fatal("embedded catalog differs from testdata")
	}
	sim, err := New(DefaultCatalog(), Options{Now: newFakeClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sim.RunDemo(ctx, nil) // one pass, then returns on the cancelled ctx
	orderable := 0
	for _, e := range sim.entries {
		if !strings.HasPrefix(e.planCode, "25skleb01") && !strings.HasPrefix(e.planCode, "24sk") && !strings.HasPrefix(e.planCode, "25skle01") {
			continue
		}
		for _, dc := range e.dcs {
			if IsOrderable(sim.Availability(e.fqn, dc)) {
				orderable++
			}
		}
	}
	if orderable == 0 {
		t.Fatal("demo made nothing orderable")
	}
}

func TestServeOnListenerUntilCancelled(t *testing.T) {
	t.Parallel()
	sim, err := New(testCatalog(t), Options{NoPadding: true})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sim.Serve(ctx, ln) }()
	c := newClient(t, "http://"+ln.Addr().String(), "sim-app-key", "sim-app-secret", "sim-consumer-key")
	if err := c.Get("/me", nil); err != nil {
		t.Fatalf("signed call on the real clock: %v", err)
	}
	if sim.Connections() != 1 {
		t.Fatalf("connections = %d", sim.Connections())
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve: %v", err)
	}
}
