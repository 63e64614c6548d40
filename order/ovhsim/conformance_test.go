package ovhsim

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The simulator's conformance to OVH's schemas: the OpenAPI export of
// 2025-10 (testdata/openapi-2025-10/, a copy of ../shared/spec/openapi-2025-10/)
// for /me/** and /dedicated/server/**, the published schema of 2024-07
// (testdata/ovh-api-schema.json, a copy of ../shared/spec/ovh-api-schema.json)
// for the rest.
// Routes added later are covered without touching this file: every route the
// simulator registers is checked here, every request is checked against the
// schema at run time (400 when it would not be accepted) and every answer is
// checked against its response model (SchemaViolations, asserted empty by
// the harnesses of this package and of package order).

func TestSchemaCopyMatchesSpec(t *testing.T) {
	spec, err := os.ReadFile("../../../shared/spec/ovh-api-schema.json")
	if err != nil {
		t.Skipf("spec not beside the repository: %v", err)
	}
	if !bytes.Equal(spec, schemaJSON) {
		t.Fatal("testdata/ovh-api-schema.json differs from ../shared/spec/ovh-api-schema.json: copy it again")
	}
}

func TestExportCopyMatchesSpec(t *testing.T) {
	for name, data := range exportJSON {
		spec, err := os.ReadFile("../../../shared/spec/openapi-2025-10/" + name)
		if err != nil {
			t.Skipf("spec not beside the repository: %v", err)
		}
		if !bytes.Equal(spec, data) {
			t.Errorf("testdata/openapi-2025-10/%s differs from ../shared/spec/openapi-2025-10/%s: copy it again", name, name)
		}
	}
}

// TestEachPathHasItsLaw: /me/** and /dedicated/server/** come from the
// 2025-10 export, everything else from the 2024-07 snapshot, and the
// routes the simulator serves under the export are the export's.
func TestEachPathHasItsLaw(t *testing.T) {
	sc := OVHSchema()
	for _, c := range []struct{ method, path, source string }{
		{"GET", "/me", SourceExport},
		{"GET", "/me/order/{orderId}/followUp", SourceExport},
		{"GET", "/me/payment/method", SourceExport},
		{"POST", "/me/order/{orderId}/pay", SourceExport},
		{"GET", "/dedicated/server/datacenter/availabilities", SourceExport},
		{"GET", "/dedicated/server/{serviceName}/serviceInfos", SourceExport},
		{"GET", "/order/cart/{cartId}", SourceSnapshot},
		{"POST", "/order/cart/{cartId}/checkout", SourceSnapshot},
		{"GET", "/order/catalog/public/eco", SourceSnapshot},
		{"GET", "/auth/time", SourceSnapshot},
		{"POST", "/service/{serviceId}/renew", SourceSnapshot},
	} {
		op := sc.Lookup(c.method, c.path)
		if op == nil {
			t.Errorf("%s %s: not in the schema", c.method, c.path)
			continue
		}
		if op.Source != c.source {
			t.Errorf("%s %s: from %s, want %s", c.method, c.path, op.Source, c.source)
		}
	}
	n := 0
	for _, op := range sc.Operations() {
		if op.Source == SourceExport {
			n++
			if !strings.HasPrefix(op.Path, "/me") && !strings.HasPrefix(op.Path, "/dedicated/server") {
				t.Errorf("export operation outside its paths: %s %s", op.Method, op.Path)
			}
		}
	}
	if n < 40 {
		t.Errorf("only %d operations from the export", n)
	}
	s, err := New(testCatalog(t), Options{NoPadding: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range s.declared {
		op := sc.Lookup(r.Method, r.Path)
		if op == nil {
			continue // TestRoutesAreInTheSchema reports it
		}
		under := r.Path == "/me" || strings.HasPrefix(r.Path, "/me/") || strings.HasPrefix(r.Path, "/dedicated/server")
		if under != (op.Source == SourceExport) {
			t.Errorf("%s %s is checked against %s", r.Method, r.Path, op.Source)
		}
	}
}

// TestExportCatchesInventions: the export's own models, types and enums
// decide for its paths.
func TestExportCatchesInventions(t *testing.T) {
	sc := OVHSchema()
	fu := sc.Lookup("GET", "/me/order/{orderId}/followUp")
	v := sc.CheckResponse(fu, []byte(`[{"step":"SHIPPED","status":"DONE","history":[{"date":"2025-10-02T10:00:00Z","description":"x","label":"PAID"}]}]`))
	for _, want := range []string{
		`[0].step: "SHIPPED" is not a value of billing.order.followUp.StepEnum`,
		`[0].history[0].label: "PAID" is not a value of billing.order.followUp.HistoryStatusEnum`,
	} {
		if !strings.Contains(strings.Join(v, "\n"), want) {
			t.Errorf("followUp check missed %q; got %q", want, v)
		}
	}
	op, params, _ := sc.Match("GET", "/me/payment/method")
	if err := sc.CheckRequest(op, params, url.Values{"status": {"BROKEN"}}, nil); err == nil {
		t.Error("status BROKEN passed (me.payment.method.StatusEnum)")
	}
	if err := sc.CheckRequest(op, params, url.Values{"default": {"true"}}, nil); err != nil {
		t.Errorf("default=true: %v", err)
	}
	op, params, _ = sc.Match("POST", "/me/order/12/pay")
	if err := sc.CheckRequest(op, params, nil, []byte(`{}`)); err == nil || !strings.Contains(err.Error(), "paymentMethod") {
		t.Errorf("pay without paymentMethod: %v", err)
	}
	if err := sc.CheckRequest(op, params, nil, []byte(`{"paymentMethod":{"id":7001}}`)); err != nil {
		t.Errorf("pay with a method: %v", err)
	}
	av := sc.Lookup("GET", "/dedicated/server/datacenter/availabilities")
	v = sc.CheckResponse(av, []byte(`[{"fqn":"a.b.c","planCode":"a","server":"a","memory":"b","storage":"c","gpu":null,"systemStorage":null,"datacenters":[{"datacenter":"eu-west-par-a","availability":"1H-high"},{"datacenter":"mars-north-1","availability":"1H-high"}]}]`))
	if got := strings.Join(v, "\n"); !strings.Contains(got, `"mars-north-1" is not a value`) || strings.Contains(got, "eu-west-par-a") {
		t.Errorf("datacenter enum of 2025-10: %q", v)
	}
}

// routeProblems lists the routes s serves that the schema lacks, and those
// whose declared signature rule differs from the schema's.
func routeProblems(s *Sim) []string {
	var out []string
	for _, r := range s.declared {
		op := s.schema.Lookup(r.Method, r.Path)
		switch {
		case op == nil:
			out = append(out, fmt.Sprintf("%s %s: not in OVH's schema", r.Method, r.Path))
		case op.Auth != r.Signed:
			out = append(out, fmt.Sprintf("%s %s: declared signed=%v, the schema says noAuthentication=%v", r.Method, r.Path, r.Signed, !op.Auth))
		}
	}
	return out
}

func TestRoutesAreInTheSchema(t *testing.T) {
	s, err := New(testCatalog(t), Options{NoPadding: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.declared) < 30 {
		t.Fatalf("only %d routes declared", len(s.declared))
	}
	for _, p := range routeProblems(s) {
		t.Error(p)
	}
}

// TestConformanceCatchesInventions shows each check failing on what the
// schema does not have: an invented route, a wrong signature rule, an
// invented answer field, an engine request with an unknown parameter.
func TestConformanceCatchesInventions(t *testing.T) {
	s, err := New(testCatalog(t), Options{NoPadding: true})
	if err != nil {
		t.Fatal(err)
	}
	s.handle("GET /order/cart/{cartId}/invented", route{cart: true, handler: s.getCart})
	s.handle("PUT /order/cart/{cartId}", route{signed: true, cart: true, handler: s.getCart})
	got := strings.Join(routeProblems(s), "\n")
	for _, want := range []string{
		"GET /order/cart/{cartId}/invented: not in OVH's schema",
		"PUT /order/cart/{cartId}: declared signed=true, the schema says noAuthentication=true",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("route check missed %q; got:\n%s", want, got)
		}
	}

	sc := OVHSchema()
	ext := sc.Lookup("GET", "/me/order/{orderId}/details/{orderDetailId}/extension")
	v := sc.CheckResponse(ext, []byte(`{"order":{"configurations":[],"plan":{"code":"ram-32g","product":{"name":null}},"parentPlanCode":"25skleb01"}}`))
	if len(v) != 1 || v[0] != "order.parentPlanCode: field not in billing.ItemDetail.Order" {
		t.Errorf("invented parentPlanCode: %q", v)
	}
	sum := sc.Lookup("GET", "/order/cart/{cartId}/summary")
	v = sc.CheckResponse(sum, []byte(`{"contracts":[],"details":[],"orderId":null,"url":null,"prices":{"withoutTax":{"value":1,"priceInUcents":"100000000","text":"1.00 €","currencyCode":"EURO"}}}`))
	for _, want := range []string{
		`prices.withoutTax.priceInUcents: string where long is expected`,
		`prices.withoutTax.currencyCode: "EURO" is not a value of order.CurrencyCodeEnum`,
		`prices.tax: missing (order.OrderPrices.tax cannot be null)`,
	} {
		if !strings.Contains(strings.Join(v, "\n"), want) {
			t.Errorf("summary check missed %q; got %q", want, v)
		}
	}

	op, params, _ := sc.Match("GET", "/dedicated/server/datacenter/availabilities")
	if err := sc.CheckRequest(op, params, url.Values{"planCode": {"a"}, "fqn": {"b"}}, nil); err == nil || !strings.Contains(err.Error(), "fqn") {
		t.Errorf("unknown query parameter: %v", err)
	}
	op, params, _ = sc.Match("POST", "/order/cart/abc/checkout")
	if err := sc.CheckRequest(op, params, nil, []byte(`{"autoPayWithPreferredPaymentMethod":"yes","waiveRetractationPeriod":false}`)); err == nil {
		t.Error("a string where a boolean is expected passed")
	}
	op, params, _ = sc.Match("GET", "/me/order/12x")
	if err := sc.CheckRequest(op, params, nil, nil); err == nil {
		t.Error("orderId 12x passed as a long")
	}
	if op, _, exists := sc.Match("DELETE", "/order/cart/abc/coupon/MONDAY"); op != nil || exists {
		t.Errorf("DELETE .../coupon/{coupon} matched %v (the schema takes ?coupon=)", op)
	}
}

// TestSignaturesAsTheSchemaSays calls every route the simulator serves
// without a signature: exactly the operations the schema marks
// noAuthentication false answer 401.
func TestSignaturesAsTheSchemaSays(t *testing.T) {
	e := newEnv(t, Options{NoPadding: true})
	e.badRequests = true // placeholders in paths and no bodies
	placeholder := regexp.MustCompile(`\{[^}]+\}`)
	for _, r := range e.sim.declared {
		op := e.sim.schema.Lookup(r.Method, r.Path)
		if op == nil {
			continue // TestRoutesAreInTheSchema reports it
		}
		path := placeholder.ReplaceAllString(r.Path, "1")
		req, err := http.NewRequest(r.Method, e.srv.URL+"/1.0"+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.StatusCode == http.StatusUnauthorized; got != op.Auth {
			t.Errorf("%s %s unsigned: status %d; the schema says noAuthentication=%v", r.Method, r.Path, resp.StatusCode, !op.Auth)
		}
	}
}

func TestRequestRefusedByTheSchemaIs400(t *testing.T) {
	e := newEnv(t, Options{})
	e.badRequests = true
	wantAPIError(t, e.client.GetUnAuth("/dedicated/server/datacenter/availabilities?planCode=x&fqn=y", nil), 400, "")
	wantAPIError(t, e.client.PostUnAuth("/order/cart", map[string]any{"ovhSubsidiary": "IE", "invented": true}, nil), 400, "")
	if n := len(e.sim.SchemaViolations()); n != 2 {
		t.Fatalf("%d violations recorded, want 2: %q", n, e.sim.SchemaViolations())
	}
}
