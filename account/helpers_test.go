package account

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"

	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
)

var (
	catOnce sync.Once
	catJSON []byte
	catErr  error
)

func testCatalog(t testing.TB) []byte {
	t.Helper()
	catOnce.Do(func() { catJSON, catErr = os.ReadFile("../testdata/eco-catalog-IE.json") })
	if catErr != nil {
		t.Fatalf("read catalog: %v", catErr)
	}
	return catJSON
}

// clock is a settable clock shared by the simulator and the Client.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const (
	testPlan = "25skleb01"
	testFQN  = "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme"
)

var testAddons = []string{"ram-32g-ecc-2400-25skle", "softraid-2x450nvme-25skle", "bandwidth-300-25skle"}

type env struct {
	sim     *ovhsim.Sim
	raw     *ovh.Client // the test's own client, to build carts
	client  *Client
	journal *MemoryJournal
	clock   *clock
}

// newEnv serves a simulator with a fake clock and returns a Client on it
// with an in-memory journal.
func newEnv(t *testing.T, opts ovhsim.Options) *env {
	t.Helper()
	clk := &clock{t: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)}
	opts.Now = clk.Now
	sim, err := ovhsim.New(testCatalog(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	// Every answer the simulator gave must match OVH's schema.
	t.Cleanup(func() {
		for _, v := range sim.SchemaViolations() {
			t.Errorf("schema violation: %s", v)
		}
	})
	mk := func() *ovh.Client {
		c, err := ovh.NewClient(srv.URL+"/1.0", "sim-app-key", "sim-app-secret", "sim-consumer-key")
		if err != nil {
			t.Fatal(err)
		}
		tr := &http.Transport{}
		c.Client = &http.Client{Transport: tr}
		t.Cleanup(tr.CloseIdleConnections)
		return c
	}
	api := ovhapi.NewOVHClient(mk(), ovhapi.ClientOptions{})
	t.Cleanup(api.CloseIdleConnections)
	j := &MemoryJournal{}
	return &env{sim: sim, raw: mk(), client: New(api, Options{Journal: j, Now: clk.Now}), journal: j, clock: clk}
}

// placeOrder orders the test plan in fra as ovhtui would, and returns the
// order id.
func (e *env) placeOrder(t *testing.T, autopay bool) int64 {
	t.Helper()
	e.sim.SetAvailability(testFQN, "fra", ovhsim.Avail1HLow)
	var cart struct {
		CartID string `json:"cartId"`
	}
	if err := e.raw.PostUnAuth("/order/cart", map[string]any{"ovhSubsidiary": "IE"}, &cart); err != nil {
		t.Fatal(err)
	}
	if err := e.raw.Post("/order/cart/"+cart.CartID+"/assign", nil, nil); err != nil {
		t.Fatal(err)
	}
	var it struct {
		ItemID int64 `json:"itemId"`
	}
	if err := e.raw.PostUnAuth("/order/cart/"+cart.CartID+"/eco", map[string]any{
		"planCode": testPlan, "duration": "P1M", "pricingMode": "default", "quantity": 1}, &it); err != nil {
		t.Fatal(err)
	}
	for _, a := range testAddons {
		if err := e.raw.PostUnAuth("/order/cart/"+cart.CartID+"/eco/options", map[string]any{
			"itemId": it.ItemID, "planCode": a, "duration": "P1M", "pricingMode": "default", "quantity": 1}, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, kv := range [][2]string{{"dedicated_datacenter", "fra"}, {"dedicated_os", "none_64.en"}, {"region", "europe"}} {
		p := "/order/cart/" + cart.CartID + "/item/" + strconv.FormatInt(it.ItemID, 10) + "/configuration"
		if err := e.raw.PostUnAuth(p, map[string]any{"label": kv[0], "value": kv[1]}, nil); err != nil {
			t.Fatal(err)
		}
	}
	var out struct {
		OrderID int64 `json:"orderId"`
	}
	body := map[string]bool{"autoPayWithPreferredPaymentMethod": autopay, "waiveRetractationPeriod": false}
	if err := e.raw.Post("/order/cart/"+cart.CartID+"/checkout", body, &out); err != nil {
		t.Fatal(err)
	}
	return out.OrderID
}

// calls counts the requests the simulator saw for method and path.
func (e *env) calls(method, path string) int {
	n := 0
	for _, r := range e.sim.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

// records returns the journal's records.
func (e *env) records(t *testing.T) []journal.Record {
	t.Helper()
	recs, err := e.journal.Records()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
