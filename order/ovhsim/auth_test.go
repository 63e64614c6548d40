package ovhsim

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAuthTimeIsSimulatorClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	var ts int64
	if err := e.client.GetUnAuth("/auth/time", &ts); err != nil {
		t.Fatal(err)
	}
	if want := e.clock.Now().Unix(); ts != want {
		t.Fatalf("auth/time = %d, want %d", ts, want)
	}
}

func TestSignedCallAccepted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	var me struct {
		Nichandle     string `json:"nichandle"`
		OvhSubsidiary string `json:"ovhSubsidiary"`
	}
	if err := e.client.Get("/me", &me); err != nil {
		t.Fatalf("GET /me signed: %v", err)
	}
	if me.Nichandle != "ab12345-ovh" || me.OvhSubsidiary != "IE" {
		t.Fatalf("GET /me = %+v", me)
	}
	reqs := e.sim.Requests()
	last := reqs[len(reqs)-1]
	if last.Path != "/me" || !last.Signed || last.Status != 200 {
		t.Fatalf("last request = %+v, want signed GET /me 200", last)
	}
}

func TestSignatureWithQueryAndBodyAccepted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	var c cartResp
	// POST /order/cart signed (body in the signature) and GET with a query.
	if err := e.client.Post("/order/cart", map[string]any{"ovhSubsidiary": "IE"}, &c); err != nil {
		t.Fatalf("signed POST /order/cart: %v", err)
	}
	var ids []string
	if err := e.client.Get("/order/cart?description=", &ids); err != nil {
		t.Fatalf("signed GET with query: %v", err)
	}
}

func TestV1AliasSigned(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	// go-ovh maps /v1/... onto the host root.
	if err := e.client.Get("/v1/me", nil); err != nil {
		t.Fatalf("GET /v1/me: %v", err)
	}
}

func TestWrongSecretRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	bad := newClient(t, e.srv.URL, "sim-app-key", "wrong-secret", "sim-consumer-key")
	ae := wantAPIError(t, bad.Get("/me", nil), 400, "Invalid signature")
	if ae.Class != "Client::BadRequest" {
		t.Fatalf("class = %q", ae.Class)
	}
}

func TestUnknownKeysRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	ae := wantAPIError(t, newClient(t, e.srv.URL, "nope", "sim-app-secret", "sim-consumer-key").Get("/me", nil), 403, "Invalid application key")
	if ae.Class != "Client::Forbidden" {
		t.Fatalf("class = %q", ae.Class)
	}
	wantAPIError(t, newClient(t, e.srv.URL, "sim-app-key", "sim-app-secret", "nope").Get("/me", nil), 403, "This credential is not valid")
	// errorCode is in the body.
	body := rawGet(t, e.srv.URL+"/1.0/me", map[string]string{
		"X-Ovh-Application": "sim-app-key", "X-Ovh-Consumer": "nope", "X-Ovh-Timestamp": "1", "X-Ovh-Signature": "$1$x"})
	if !strings.Contains(body, `"errorCode":"INVALID_CREDENTIAL"`) {
		t.Fatalf("body = %s", body)
	}
}

func TestSignedRouteWithoutCredentials401(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	ae := wantAPIError(t, e.client.GetUnAuth("/me", nil), 401, "You must login first")
	if ae.Class != "Client::Unauthorized" {
		t.Fatalf("class = %q", ae.Class)
	}
	var c cartResp
	if err := e.client.PostUnAuth("/order/cart", map[string]any{"ovhSubsidiary": "IE"}, &c); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, e.client.PostUnAuth("/order/cart/"+c.CartID+"/assign", nil, nil), 401, "You must login first")
	wantAPIError(t, e.client.PostUnAuth("/order/cart/"+c.CartID+"/checkout",
		map[string]bool{"autoPayWithPreferredPaymentMethod": false, "waiveRetractationPeriod": false}, nil), 401, "You must login first")
	wantAPIError(t, e.client.GetUnAuth("/order/cart/"+c.CartID+"/checkout", nil), 401, "You must login first")
}

func TestTimestampWindow(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e := newEnv(t, Options{Now: clock.Now, TimestampWindow: 5 * time.Minute})
	if err := e.client.Get("/me", nil); err != nil {
		t.Fatal(err)
	}
	clock.Advance(10 * time.Minute) // go-ovh's delta is now 10 minutes off
	wantAPIError(t, e.client.Get("/me", nil), 400, "Invalid timestamp")
}

func TestNotGrantedCall(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{Rules: []Rule{{"GET", "/me"}, {"POST", "/order/cart/*"}}})
	if err := e.client.Get("/me", nil); err != nil {
		t.Fatalf("granted GET /me: %v", err)
	}
	wantAPIError(t, e.client.Get("/me/order", nil), 403, "This call has not been granted")
	// /order/cart/* does not cover /order/cart.
	wantAPIError(t, e.client.Post("/order/cart", map[string]any{"ovhSubsidiary": "IE"}, nil), 403, "This call has not been granted")
	// Unsigned, the public call works whatever the rules.
	if err := e.client.PostUnAuth("/order/cart", map[string]any{"ovhSubsidiary": "IE"}, nil); err != nil {
		t.Fatal(err)
	}
	// Rules apply to signed calls on public routes too.
	wantAPIError(t, e.client.Get("/dedicated/server/datacenter/availabilities?planCode="+testPlan, nil), 403, "This call has not been granted")
	// /auth/* is always allowed.
	if err := e.client.Get("/auth/currentCredential", nil); err != nil {
		t.Fatal(err)
	}
	body := rawSigned(t, e, "GET", "/me/order", "")
	if !strings.Contains(body, `"errorCode":"NOT_GRANTED_CALL"`) || !strings.Contains(body, `"class":"Client::Forbidden"`) {
		t.Fatalf("body = %s", body)
	}
}

func TestGlobMatch(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pat, path string
		want      bool
	}{
		{"/order/cart/*", "/order/cart", false},
		{"/order/cart/*", "/order/cart/abc/checkout", true},
		{"/order/cart", "/order/cart", true},
		{"/*", "/me", true},
		{"/me/order/*/status", "/me/order/12/status", true},
		{"/me/order/*/status", "/me/order/12/details", false},
		{"/me", "/me/order", false},
	} {
		if got := globMatch(tc.pat, tc.path); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tc.pat, tc.path, got, tc.want)
		}
	}
}

func TestCurrentCredentialListsRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	var cred struct {
		Status string `json:"status"`
		Rules  []Rule `json:"rules"`
	}
	if err := e.client.Get("/auth/currentCredential", &cred); err != nil {
		t.Fatal(err)
	}
	if cred.Status != "validated" || len(cred.Rules) != len(DefaultRules()) || cred.Rules[0] != (Rule{"POST", "/order/cart"}) {
		t.Fatalf("credential = %+v", cred)
	}
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	if body := rawGet(t, e.srv.URL+"/1.0/me", map[string]string{"Authorization": "Bearer sim-token"}); !strings.Contains(body, "ab12345-ovh") {
		t.Fatalf("bearer GET /me = %s", body)
	}
	if body := rawGet(t, e.srv.URL+"/1.0/me", map[string]string{"Authorization": "Bearer nope"}); !strings.Contains(body, "Invalid token") {
		t.Fatalf("bad bearer GET /me = %s", body)
	}
}

func TestAssignedCartRefusedToOtherAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{ExtraCredentials: []Credential{{AppKey: "k2", AppSecret: "s2", ConsumerKey: "c2", Account: "zz999-ovh"}}})
	id, _ := e.buildCart(t, defaultSpec())
	other := newClient(t, e.srv.URL, "k2", "s2", "c2")
	wantAPIError(t, other.Get("/order/cart/"+id+"/checkout", nil), 403, "")
	// Unsigned reads still work (the cart id is the capability).
	if err := e.client.GetUnAuth("/order/cart/"+id, nil); err != nil {
		t.Fatal(err)
	}
}

func TestAssignedCartsNeedAuthOption(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{AssignedCartsNeedAuth: true})
	id, _ := e.buildCart(t, cartSpec{plan: testPlan, quantity: 1})
	if err := e.client.Post("/order/cart/"+id+"/assign", nil, nil); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, e.client.GetUnAuth("/order/cart/"+id+"/summary", nil), 401, "")
	if err := e.client.Get("/order/cart/"+id+"/summary", nil); err != nil {
		t.Fatal(err)
	}
}

func rawGet(t *testing.T, url string, hdr map[string]string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("X-Ovh-Queryid") == "" {
		t.Errorf("no X-Ovh-Queryid on %s", url)
	}
	return string(b)
}

// rawSigned sends a request signed by go-ovh and returns the raw body.
func rawSigned(t *testing.T, e *env, method, path, body string) string {
	t.Helper()
	var reqBody any
	if body != "" {
		reqBody = json.RawMessage(body)
	}
	req, err := e.client.NewRequest(method, path, reqBody, true)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func TestSignedRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{SignedRateLimit: 3})
	for range 3 {
		if err := e.client.Get("/me", nil); err != nil {
			t.Fatal(err)
		}
	}
	wantAPIError(t, e.client.Get("/me", nil), 429, "Too many requests")
	// Unsigned calls are not counted.
	if err := e.client.GetUnAuth("/auth/time", nil); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	if err := e.client.Get("/me", nil); err != nil {
		t.Fatalf("after a minute: %v", err)
	}
}
