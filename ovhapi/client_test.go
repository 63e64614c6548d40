package ovhapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"

	"github.com/ovhtui/ovhtui/order/ovhsim"
)

func TestErrorClassification(t *testing.T) {
	for _, tc := range []struct {
		err                              error
		definitive, ambiguous, nf, rated bool
	}{
		{&CallError{Status: 400}, true, false, false, false},
		{&CallError{Status: 403}, true, false, false, false},
		{&CallError{Status: 404}, true, false, true, false},
		{&CallError{Status: 408}, false, true, false, false},
		{&CallError{Status: 429}, true, false, false, true},
		{&CallError{Status: 500}, false, true, false, false},
		{&CallError{Status: 503}, false, true, false, false},
		{&CallError{Status: 200, Malformed: true}, false, true, false, false},
		{&CallError{Err: errors.New("connection reset")}, false, true, false, false},
		{errors.New("anything else"), false, true, false, false},
	} {
		if got := IsDefinitive(tc.err); got != tc.definitive {
			t.Errorf("IsDefinitive(%v) = %v", tc.err, got)
		}
		if got := IsAmbiguous(tc.err); got != tc.ambiguous {
			t.Errorf("IsAmbiguous(%v) = %v", tc.err, got)
		}
		if got := IsNotFound(tc.err); got != tc.nf {
			t.Errorf("IsNotFound(%v) = %v", tc.err, got)
		}
		if got := IsRateLimited(tc.err); got != tc.rated {
			t.Errorf("IsRateLimited(%v) = %v", tc.err, got)
		}
	}
	if IsAmbiguous(nil) || IsDefinitive(nil) {
		t.Error("nil classified")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	if d := parseRetryAfter("3", now); d != 3*time.Second {
		t.Errorf("seconds: %v", d)
	}
	if d := parseRetryAfter(now.Add(5*time.Second).Format(http.TimeFormat), now); d != 5*time.Second {
		t.Errorf("date: %v", d)
	}
	if d := parseRetryAfter("soon", now); d != 0 {
		t.Errorf("junk: %v", d)
	}
}

func TestClientErrorsCarryOVHDetailsAndNoSecrets(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	api := env.client(t)
	ctx := context.Background()
	_, err := api.GetCart(ctx, "no-such-cart")
	var ce *CallError
	if !errors.As(err, &ce) || ce.Status != 404 || ce.Class == "" || ce.Message == "" || ce.QueryID == "" || ce.Call != "GET /order/cart/{id}" {
		t.Fatalf("%#v", err)
	}
	env.sim.InjectFault(ovhsim.Fault{Path: "/me/order", Status: 500, Times: 1})
	_, err = api.MyOrders(ctx, time.Now().Add(-time.Hour), time.Now())
	for _, secret := range []string{"sim-app-secret", "sim-consumer-key"} {
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Fatalf("error %v", err)
		}
	}
	if !IsAmbiguous(err) {
		t.Fatalf("500 not ambiguous: %v", err)
	}
	// Timeout: a checkout that does not answer in time is ambiguous.
	short := NewOVHClient(env.goOVH(t), ClientOptions{CheckoutTimeout: 50 * time.Millisecond})
	hold := make(chan struct{})
	defer close(hold)
	env.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: "/order/cart/x/checkout", Hold: hold, Times: 1})
	_, err = short.Checkout(ctx, "x", CheckoutRequest{})
	if !IsAmbiguous(err) || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("timeout: %v", err)
	}
}

func TestAvailabilityNoneFoundIsEmpty(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	api := env.client(t)
	items, err := api.Availability(context.Background(), "no-such-plan", []string{"fra"})
	if err != nil || len(items) != 0 {
		t.Fatalf("%v %v", items, err)
	}
	items, err = api.Availability(context.Background(), simPlan, []string{"fra", "gra"})
	if err != nil || len(items) == 0 {
		t.Fatalf("%v %v", items, err)
	}
	for _, it := range items {
		if it.PlanCode != simPlan {
			t.Fatalf("unfiltered item %+v", it)
		}
		for _, d := range it.Datacenters {
			if d.Datacenter != "fra" && d.Datacenter != "gra" {
				t.Fatalf("DC %s not asked for", d.Datacenter)
			}
		}
	}
}

// The go-ovh client writes its http.Client's Timeout on every request:
// OVHClient must be safe from many goroutines (run with -race).
func TestClientConcurrentSignedAndUnsigned(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	api := env.client(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			if i%2 == 0 {
				if _, err := api.MyOrders(ctx, time.Now().Add(-time.Hour), time.Now()); err != nil {
					t.Error(err)
				}
			} else if _, err := api.Availability(ctx, simPlan, []string{"fra"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	signed := 0
	for _, r := range env.sim.Requests() {
		if r.Path == "/auth/time" {
			signed++
		}
	}
	if signed != 1 {
		t.Fatalf("%d /auth/time calls, want 1 (time delta computed once)", signed)
	}
}

// simPlan is a plan of the test catalog.
const simPlan = "25skleb01"

// simEnv is an OVH API simulator over HTTP.
type simEnv struct {
	sim *ovhsim.Sim
	srv *httptest.Server
}

func newSim(t testing.TB, opts ovhsim.Options) *simEnv {
	t.Helper()
	opts.NoPadding = true
	cat, err := os.ReadFile("../testdata/eco-catalog-IE.json")
	if err != nil {
		t.Fatal(err)
	}
	sim, err := ovhsim.New(cat, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(sim)
	sim.Install(srv.Config)
	srv.Start()
	t.Cleanup(srv.Close)
	// Conformance: every request validated against OVH's schema, and so did
	// every answer of the simulator.
	t.Cleanup(func() {
		for _, v := range sim.SchemaViolations() {
			t.Errorf("OVH schema violation: %s", v)
		}
	})
	return &simEnv{sim: sim, srv: srv}
}

// goOVH is a go-ovh client of the simulator.
func (s *simEnv) goOVH(t testing.TB) *ovh.Client {
	t.Helper()
	cl, err := ovh.NewClient(s.srv.URL+"/1.0", "sim-app-key", "sim-app-secret", "sim-consumer-key")
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func (s *simEnv) client(t testing.TB) *OVHClient {
	t.Helper()
	// Generous: no test here waits for these to fire (the timeout test has
	// its own client); on a loaded CI machine a call can take seconds.
	return NewOVHClient(s.goOVH(t), ClientOptions{CallTimeout: time.Minute, CheckoutTimeout: time.Minute})
}
