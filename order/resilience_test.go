package order

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// Tests for the ten points of issue 11, each failing on the code before it.

const availPath = "/dedicated/server/datacenter/availabilities"

// latched is an entry latched in fra without an order id (killed while the
// checkout was in flight).
func latched(at time.Time) func(m map[string]any) {
	return func(m map[string]any) {
		m["order_attempted"] = true
		m["order_attempted_at"] = at.UTC().Format(time.RFC3339)
		m["order_attempted_in"] = "fra"
		m["order_attempted_qty"] = 1
		m["qty"] = 0
	}
}

// placeDirect orders the entry's server in dc straight through the API, as
// a checkout whose answer was lost would have.
func placeDirect(t *testing.T, api *ovhapi.OVHClient, dc string) int64 {
	t.Helper()
	res, err := api.Checkout(context.Background(), buildCartDirect(t, api, dc), ovhapi.CheckoutRequest{})
	if err != nil || res.OrderID == nil {
		t.Fatalf("checkout: %v", err)
	}
	return *res.OrderID
}

// Point 1: an order is found on OVH's flat details; one unreadable order
// does not abort the lookup.
func TestReconcileFlatDetailsSkipsUnreadableOrder(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	api := env.client(t)
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	env.sim.SetAvailability(simFQN, "gra", "1H-high")
	mine := placeDirect(t, api, "fra")
	other := placeDirect(t, api, "gra") // newer: read first
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: fmt.Sprintf("/me/order/%d/details", other), Status: 500})
	h := startEngine(t, env, "", prefsJSON(t, entry(latched(time.Now()))))
	p := h.waitOrder()
	if p.OrderID != mine || !p.Reconciled {
		t.Fatalf("reconciled %+v, want order %d", p, mine)
	}
}

// Point 1: the lookup window is on OVH's clock, not the local one.
func TestReconcileWindowOnOVHTime(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	api := env.client(t)
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	mine := placeDirect(t, api, "fra")
	local := func() time.Time { return time.Now().Add(-3 * time.Hour) } // a clock 3 h behind
	h := startEngine(t, env, "", prefsJSON(t, entry(latched(local()))), func(c *Config) { c.Now = local })
	if p := h.waitOrder(); p.OrderID != mine {
		t.Fatalf("reconciled %+v, want %d", p, mine)
	}
}

// Point 1: --headless (ExitWhenIdle) waits for the pending lookup, and
// re-arm is refused meanwhile.
func TestPendingLookupHoldsExitAndRearm(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	api := env.client(t)
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	mine := placeDirect(t, api, "fra")
	// The first lookup fails; the order is found by the later one.
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: "/me/order", Status: 500, Times: 1})
	h := startEngine(t, env, "", prefsJSON(t, entry(latched(time.Now()))), func(c *Config) { c.ExitWhenIdle = true; c.LookUpRetries = []time.Duration{time.Hour} })
	nd := h.wait("needs decision", isA[NeedsDecision])
	if err := h.eng.Rearm(context.Background(), nd.(NeedsDecision).Entry); err == nil || !strings.Contains(err.Error(), "looked up") {
		t.Fatalf("re-arm during the lookup: %v", err)
	}
	h.waitPolls(3) // the engine goes on polling: Run has not returned
	select {
	case <-h.done:
		t.Fatal("ExitWhenIdle returned while a lookup was pending")
	default:
	}
	h.stop()
	// With a short retry the lookup finds the order, then the run ends.
	h2 := startEngine(t, env, h.path, nil, func(c *Config) { c.ExitWhenIdle = true })
	if p := h2.waitOrder(); p.OrderID != mine {
		t.Fatalf("%+v", p)
	}
	select {
	case err := <-h2.done:
		h2.done <- err // for the cleanup's stop
	case <-time.After(waitTimeout):
		t.Fatal("ExitWhenIdle did not return after the lookup")
	}
}

// Point 4: DELETE of a cart is signed; coupons are sent unsigned.
func TestCartDeleteSignedCouponsUnsigned(t *testing.T) {
	env := newSim(t, ovhsim.Options{Coupons: map[string]int64{"HELLO": 5}})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) {
		m["coupons"] = []string{"HELLO"}
		m["datacenters"] = []map[string]string{{"region": "europe", "dedicated_datacenter": "fra"}}
	})))
	h.waitCarts("fra")
	deleted := make(chan ovhsim.Request, 4)
	env.sim.OnResponse(func(r ovhsim.Request) {
		if r.Method == "DELETE" && strings.Count(r.Path, "/") == 3 {
			deleted <- r
		}
	})
	f := h.file()
	f.Servers[0].Qty = 2 // the cart is rebuilt, the old one deleted
	data, _ := f.Marshal()
	if err := prefs.SaveAtomic(h.path, data); err != nil {
		t.Fatal(err)
	}
	select {
	case <-deleted:
	case <-time.After(waitTimeout):
		t.Fatal("the old cart was not deleted")
	}
	h.stop()
	dels, coupons := 0, 0
	for _, r := range env.sim.Requests() {
		switch {
		case r.Method == "DELETE" && strings.Count(r.Path, "/") == 3:
			dels++
			if !r.Signed || r.Status != 200 {
				t.Errorf("DELETE %s: signed %v status %d", r.Path, r.Signed, r.Status)
			}
		case r.Method == "POST" && strings.HasSuffix(r.Path, "/coupon"):
			coupons++
			if r.Signed {
				t.Errorf("coupon sent signed")
			}
		}
	}
	if dels == 0 || coupons == 0 {
		t.Fatalf("%d deletes, %d coupons", dels, coupons)
	}
}

// otherPlan is a second planCode for the decoupling tests.
func otherPlan(t testing.TB, env *simEnv) map[string]any {
	t.Helper()
	const plan = "24risegame01"
	items, err := env.client(t).Availability(context.Background(), plan, []string{"fra"})
	if err != nil || len(items) == 0 {
		t.Fatalf("availability of %s: %v", plan, err)
	}
	fqn := ""
	for _, it := range items {
		if strings.Contains(it.FQN, "ram-32g") && strings.Contains(it.FQN, "512nvme") {
			fqn = it.FQN
		}
	}
	if fqn == "" {
		t.Fatalf("no 32g/512nvme variant in %+v", items)
	}
	return entry(func(m map[string]any) {
		m["planCode"], m["fqn"], m["ceiling_price"] = plan, fqn, 1000.0
		m["addon_planCodes"] = []string{"bandwidth-1000-rise-game", "ram-32g-ecc-2400-24risegame01", "softraid-2x512nvme-24risegame"}
		m["datacenters"] = []map[string]string{{"region": "europe", "dedicated_datacenter": "fra"}}
	})
}

// Point 5: one planCode failing constantly does not back off another.
func TestFailingPlanDoesNotDelayAnother(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	two := otherPlan(t, env)
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: availPath, Query: "planCode=" + simPlan, Status: 500})
	h := startEngine(t, env, "", prefsJSON(t, entry(), two))
	h.wait("the 24risegame01 cart", func(ev Event) bool { c, ok := ev.(CartReady); return ok && strings.HasPrefix(c.Entry, "24risegame01") })
	h.wait("many 500s", func(Event) bool { return h.countLocked(isA[APIError]) >= 5 })
	env.sim.SetAvailability(two["fqn"].(string), "fra", "1H-high")
	if p := h.waitOrder(); !strings.HasPrefix(p.Entry, "24risegame01") {
		t.Fatalf("%+v", p)
	}
}

// Point 5: a slow planCode does not hold another's decision: the order
// is placed while the slow poll is still unanswered.
func TestSlowPlanDoesNotHoldAnother(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	two := otherPlan(t, env)
	h := startEngine(t, env, "", prefsJSON(t, entry(), two))
	h.wait("the 24risegame01 cart", func(ev Event) bool { c, ok := ev.(CartReady); return ok && strings.HasPrefix(c.Entry, "24risegame01") })
	hold := make(chan struct{})
	var slowDone atomic.Bool
	env.sim.OnResponse(func(r ovhsim.Request) {
		if r.Fault && strings.HasPrefix(r.Path, availPath) && strings.Contains(r.RawQuery, "planCode="+simPlan) {
			slowDone.Store(true)
		}
	})
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: availPath, Query: "planCode=" + simPlan, Hold: hold, Status: 500, Times: 1})
	env.sim.SetAvailability(two["fqn"].(string), "fra", "1H-high")
	p := h.waitOrder()
	held := !slowDone.Load()
	close(hold)
	if !strings.HasPrefix(p.Entry, "24risegame01") || !held {
		t.Fatalf("ordered %s; slow poll still held at the order: %v", p.Entry, held)
	}
}

// Point 6: a definitive refusal that repeats backs off instead of checking
// out on every poll.
func TestRepeatedRefusalBacksOff(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	h.waitCarts("fra", "gra")
	env.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: "/order/cart/*/checkout", Status: 400, Body: `{"class":"Client::BadRequest","message":"Something unexpected"}`})
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	refusals := func() int {
		return h.count(func(ev Event) bool { f, ok := ev.(OrderFailed); return ok && f.Definitive })
	}
	h.wait("4 refusals", func(Event) bool { return refusals() >= 4 })
	h.waitPolls(30) // 30 polls of 20 ms
	h.stop()
	// The backoff is on the clock, so it is checked on the clock: checkout
	// n+1 arrives at least one interval (20 ms) doubled n-1 times after
	// checkout n. A count of checkouts per poll cycle would depend on how
	// long a cycle takes on a loaded machine; checking out on every poll
	// fails here as soon as a third checkout comes within 40 ms of the
	// second.
	checkouts := env.requests("POST", checkoutSuffix)
	if len(checkouts) < 4 {
		t.Fatalf("%d checkouts, want the 4 refused", len(checkouts))
	}
	for i := 1; i < len(checkouts); i++ {
		want := min(20*time.Millisecond<<(i-1), maxRefusalBackoff)
		if gap := checkouts[i].Wall.Sub(checkouts[i-1].Wall); gap < want {
			t.Errorf("checkout %d came %v after refusal %d, want a backoff of at least %v", i+1, gap, i, want)
		}
	}
}

// notSentAPI makes every checkout fail before its request is written.
type notSentAPI struct {
	API
	calls atomic.Int32
}

func (n *notSentAPI) Checkout(ctx context.Context, cartID string, req ovhapi.CheckoutRequest) (ovhapi.CartOrder, error) {
	n.calls.Add(1)
	return ovhapi.CartOrder{}, &ovhapi.CallError{Call: "POST /order/cart/{id}/checkout", NotSent: true, Err: errors.New("server time for the signature: dial tcp: connection refused")}
}

// Point 7: a checkout that was never sent releases the latch (safe to
// retry); it never waits for a decision.
func TestNotSentCheckoutReleases(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	wrap := &notSentAPI{API: env.client(t)}
	h := startEngine(t, env, "", prefsJSON(t, entry()), func(c *Config) { c.API = wrap })
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	f := h.wait("refusal", isA[OrderFailed]).(OrderFailed)
	h.waitPolls(3)
	h.stop()
	if !f.Definitive || !strings.Contains(f.Err, "not sent") || h.count(isA[NeedsDecision]) != 0 {
		t.Fatalf("%+v", f)
	}
	if s := h.file().Servers[0]; s.OrderAttempted || s.Qty != 1 {
		t.Fatalf("entry after an unsent checkout: attempted %v qty %d", s.OrderAttempted, s.Qty)
	}
}

// Point 7: failures before the request leaves are "not sent".
func TestClassifyNotSent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/1.0"
	ln.Close() // connection refused from now on
	cl, err := ovh.NewClient(url, "k", "s", "c")
	if err != nil {
		t.Fatal(err)
	}
	api := ovhapi.NewOVHClient(cl, ovhapi.ClientOptions{CallTimeout: 2 * time.Second})
	_, err = api.Checkout(context.Background(), "x", ovhapi.CheckoutRequest{}) // the time delta fails first
	if ovhapi.Classify(err) != ovhapi.OutcomeNotSent || ovhapi.IsAmbiguous(err) {
		t.Fatalf("time delta failure: %v (%s)", err, ovhapi.Classify(err))
	}
	_, err = api.Summary(context.Background(), "x") // refused connection
	if ovhapi.Classify(err) != ovhapi.OutcomeNotSent {
		t.Fatalf("refused connection: %v (%s)", err, ovhapi.Classify(err))
	}
	for _, tc := range []struct {
		err  error
		want ovhapi.Outcome
	}{
		{&ovhapi.CallError{Status: 400}, ovhapi.OutcomeDefinitive},
		{&ovhapi.CallError{Status: 429}, ovhapi.OutcomeDefinitive},
		{&ovhapi.CallError{Status: 408}, ovhapi.OutcomeAmbiguous},
		{&ovhapi.CallError{Status: 502}, ovhapi.OutcomeAmbiguous},
		{&ovhapi.CallError{Status: 200, Malformed: true}, ovhapi.OutcomeAmbiguous},
		{&ovhapi.CallError{Err: context.DeadlineExceeded}, ovhapi.OutcomeAmbiguous},
		{errors.New("other"), ovhapi.OutcomeAmbiguous},
	} {
		if got := ovhapi.Classify(tc.err); got != tc.want {
			t.Errorf("Classify(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}

// Point 7: after a clock step, the time delta is read again and the
// signed call goes through.
func TestTimeDeltaRefreshedAfterClockStep(t *testing.T) {
	clock := newFakeClock()
	env := newSim(t, ovhsim.Options{Now: clock.Now, TimestampWindow: time.Minute})
	api := env.client(t)
	if _, err := api.MyOrders(context.Background(), clock.Now().Add(-time.Hour), clock.Now()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Hour) // OVH's clock (or ours) stepped
	if _, err := api.MyOrders(context.Background(), clock.Now().Add(-time.Hour), clock.Now()); err != nil {
		t.Fatalf("signed call after a clock step: %v", err)
	}
}

// Point 7: the OAuth2 token is fetched ahead, never by a checkout.
func TestOAuth2TokenFetchedAheadNeverAtCheckout(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	var fetches atomic.Int32
	fetched := make(chan struct{}, 8)
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"sim-token","token_type":"Bearer","expires_in":3600}`)
		fetched <- struct{}{}
	}))
	t.Cleanup(tokens.Close)
	cl, err := ovh.NewAccessTokenClient(env.srv.URL+"/1.0", "unused")
	if err != nil {
		t.Fatal(err)
	}
	cl.AccessToken, cl.ClientID, cl.ClientSecret = "", "sim-client", "sim-client-secret"
	api := ovhapi.NewOVHClient(cl, ovhapi.ClientOptions{CallTimeout: 5 * time.Second, TokenURL: tokens.URL})
	_, err = api.Checkout(context.Background(), "nope", ovhapi.CheckoutRequest{})
	if !ovhapi.IsNotSent(err) || fetches.Load() != 0 {
		t.Fatalf("checkout without a token: %v, %d fetches", err, fetches.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go api.Run(ctx)
	<-fetched
	if _, err := api.MyOrders(context.Background(), time.Now().Add(-time.Hour), time.Now()); err != nil {
		t.Fatalf("signed call with the token: %v", err)
	}
	_, err = api.Checkout(context.Background(), "nope", ovhapi.CheckoutRequest{})
	if !ovhapi.IsNotFound(err) {
		t.Fatalf("checkout with the token: %v", err)
	}
}

// Point 3: with skip_validate, a failing summary does not block the order.
func TestSkipValidateOrdersWhenSummaryFails(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: "/order/cart/*/summary", Status: 500})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) { m["skip_validate"] = true })))
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "gra", "1H-high")
	if p := h.waitOrder(); p.DC != "gra" {
		t.Fatalf("%+v", p)
	}
}

// Point 9: a summary answered 200 {} has no price: never valid, no order.
func TestSummaryWithoutPriceNeverOrders(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: "/order/cart/*/summary", Body: `{}`})
	h := startEngine(t, env, "", prefsJSON(t, entry(func(m map[string]any) {
		m["datacenters"] = []map[string]string{{"region": "europe", "dedicated_datacenter": "fra"}}
	})))
	h.wait("the user is told", func(ev Event) bool { a, ok := ev.(APIError); return ok && strings.Contains(a.Err, "no price") })
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	h.waitPolls(5)
	h.stop()
	if n := len(env.requests("POST", checkoutSuffix)); n != 0 {
		t.Fatalf("%d checkouts with no valid price", n)
	}
}

// Point 10: a Retry-After of an hour is capped, and the user is told.
func TestRetryAfterCappedAndTold(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	h.waitPolls(1)
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: availPath, Status: 429, RetryAfter: time.Hour, Times: 1})
	h.wait("told", func(ev Event) bool {
		i, ok := ev.(Info)
		return ok && strings.Contains(i.Text, "OVH asked to wait 1h0m0s; waiting 1m0s")
	})
}

// Points 2 and 10: the waiting rules after failed polls.
func TestPollDelay(t *testing.T) {
	const poll = time.Second
	fails := 0
	step := func(err error) (time.Duration, bool, time.Duration) {
		d, fromAnswer, n, longer := pollDelay(poll, fails, err)
		fails = n
		return d, fromAnswer, longer
	}
	e500 := &ovhapi.CallError{Status: 500}
	e429 := &ovhapi.CallError{Status: 429, RetryAfter: time.Second}
	malformed := &ovhapi.CallError{Status: 200, Malformed: true}
	// 3×500, 3×429 (Retry-After: 1), one malformed 200, then success.
	for i, want := range []time.Duration{poll, 2 * poll, 4 * poll} {
		if d, _, _ := step(e500); d > want || d < want*9/10 {
			t.Errorf("500 #%d: %v, want about %v", i+1, d, want)
		}
	}
	for i := range 3 {
		if d, fromAnswer, _ := step(e429); d != time.Second || !fromAnswer {
			t.Errorf("429 #%d: %v (from answer %v), want Retry-After as given", i+1, d, fromAnswer)
		}
	}
	if d, _, _ := step(malformed); d != poll {
		t.Errorf("malformed 200: %v, want one interval", d)
	}
	if d, _, _ := step(nil); d != poll || fails != 0 {
		t.Errorf("success: %v, fails %d", d, fails)
	}
	// A 120 s outage at 1 s: never more than 4 intervals apart.
	for range 120 {
		if d, _, _ := step(e500); d > 4*poll {
			t.Fatalf("backoff %v after %d failures", d, fails)
		}
	}
	if d, _, longer := step(&ovhapi.CallError{Status: 429, RetryAfter: 999999999 * time.Second}); d != MaxRetryAfter || longer == 0 {
		t.Errorf("Retry-After 999999999 s: waits %v, told %v", d, longer)
	}
}

// The order password inside order_url never reaches events or the
// headless summary; the file keeps it.
func TestOrderPasswordNeverInEvents(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	h.waitOrder()
	h.wait("order saved", func(Event) bool { return h.file().Servers[0].OrderID != 0 })
	h.stop()
	f := h.file()
	if !strings.Contains(f.Servers[0].OrderURL, "orderPassword=") {
		t.Fatalf("the file lost the order URL: %q", f.Servers[0].OrderURL)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ev := range h.evs {
		text := ev.Message() + fmt.Sprint(ev.Attrs())
		if strings.Contains(text, "orderPassword") || strings.Contains(text, "Password=") {
			t.Errorf("%T carries the order password: %s", ev, text)
		}
	}
	for _, line := range Summary(f) {
		if strings.Contains(line, "Password") {
			t.Errorf("summary line carries the order password: %s", line)
		}
	}
}

// Connections to OVH are health-checked: HTTP/2 pings on an idle
// connection, TCP keep-alive probes on every connection.
func TestConnectionsHealthChecked(t *testing.T) {
	cl, err := ovh.NewClient("http://127.0.0.1:1/1.0", "k", "s", "c")
	if err != nil {
		t.Fatal(err)
	}
	tr := ovhapi.NewOVHClient(cl, ovhapi.ClientOptions{}).Transport()
	if tr.HTTP2 == nil || tr.HTTP2.SendPingTimeout <= 0 || tr.HTTP2.PingTimeout <= 0 {
		t.Fatalf("no HTTP/2 health check: %+v", tr.HTTP2)
	}
	if !tr.ForceAttemptHTTP2 || tr.DialContext == nil {
		t.Fatal("transport without HTTP/2 or its keep-alive dialer")
	}
}
