package ovhsim

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"
)

var (
	catOnce sync.Once
	catJSON []byte
	catErr  error
)

func testCatalog(t testing.TB) []byte {
	t.Helper()
	catOnce.Do(func() { catJSON, catErr = os.ReadFile("../../testdata/eco-catalog-IE.json") })
	if catErr != nil {
		t.Fatalf("read catalog: %v", catErr)
	}
	return catJSON
}

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	sim    *Sim
	srv    *httptest.Server
	client *ovh.Client
	clock  *fakeClock
	// badRequests: the test sends requests the schema refuses on purpose,
	// so schema violations are expected.
	badRequests bool
}

// newEnv serves a simulator with a fake clock and returns a go-ovh client
// holding its default credential.
func newEnv(t testing.TB, opts Options) *env {
	t.Helper()
	clock := newFakeClock()
	if opts.Now == nil {
		opts.Now = clock.Now
	}
	sim, err := New(testCatalog(t), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	srv := httptest.NewUnstartedServer(sim)
	sim.Install(srv.Config)
	srv.Start()
	t.Cleanup(srv.Close)
	e := &env{sim: sim, srv: srv, client: newClient(t, srv.URL, sim.opts.AppKey, sim.opts.AppSecret, sim.opts.ConsumerKey), clock: clock}
	t.Cleanup(func() {
		if e.badRequests {
			return
		}
		for _, v := range sim.SchemaViolations() {
			t.Errorf("schema violation: %s", v)
		}
	})
	return e
}

func newClient(t testing.TB, base, ak, as, ck string) *ovh.Client {
	t.Helper()
	c, err := ovh.NewClient(base+"/1.0", ak, as, ck)
	if err != nil {
		t.Fatalf("ovh.NewClient: %v", err)
	}
	// A private transport: http.DefaultTransport's idle pool is shared by
	// every parallel test and may close this client's idle connection.
	tr := &http.Transport{}
	c.Client = &http.Client{Transport: tr}
	t.Cleanup(tr.CloseIdleConnections)
	return c
}

// wantAPIError asserts err is an OVH API error with that status and
// message, and returns it.
func wantAPIError(t testing.TB, err error, status int, message string) *ovh.APIError {
	t.Helper()
	var ae *ovh.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want API error %d %q, got %v", status, message, err)
	}
	if ae.Code != status || (message != "" && ae.Message != message) {
		t.Fatalf("want API error %d %q, got %d %q (class %s)", status, message, ae.Code, ae.Message, ae.Class)
	}
	if ae.QueryID == "" {
		t.Errorf("API error without X-Ovh-Queryid")
	}
	return ae
}

const (
	testPlan    = "25skleb01"
	testMemory  = "ram-32g-ecc-2400-25skle"
	testStorage = "softraid-2x450nvme-25skle"
	testBand    = "bandwidth-300-25skle"
	testFQN     = "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme"
)

type cartResp struct {
	CartID   string  `json:"cartId"`
	Expire   string  `json:"expire"`
	ReadOnly bool    `json:"readOnly"`
	Items    []int64 `json:"items"`
}

type itemResp struct {
	ItemID       int64  `json:"itemId"`
	CartID       string `json:"cartId"`
	ParentItemID *int64 `json:"parentItemId"`
	ProductID    string `json:"productId"`
	Duration     string `json:"duration"`
	Settings     struct {
		PlanCode    string `json:"planCode"`
		PricingMode string `json:"pricingMode"`
		Quantity    int    `json:"quantity"`
	} `json:"settings"`
	Options []int64 `json:"options"`
}

type moneyResp struct {
	Value         float64 `json:"value"`
	PriceInUcents int64   `json:"priceInUcents"`
	Text          string  `json:"text"`
	CurrencyCode  string  `json:"currencyCode"`
}

type orderResp struct {
	OrderID *int64  `json:"orderId"`
	URL     *string `json:"url"`
	Prices  struct {
		WithoutTax         moneyResp `json:"withoutTax"`
		WithTax            moneyResp `json:"withTax"`
		Tax                moneyResp `json:"tax"`
		Reduction          moneyResp `json:"reduction"`
		OriginalWithoutTax moneyResp `json:"originalWithoutTax"`
	} `json:"prices"`
	Contracts []struct {
		Name string `json:"name"`
	} `json:"contracts"`
	Details []struct {
		Description string `json:"description"`
		DetailType  string `json:"detailType"`
	} `json:"details"`
}

type cartSpec struct {
	plan     string
	addons   []string
	configs  [][2]string
	quantity int
	assign   bool
}

func defaultSpec() cartSpec {
	return cartSpec{
		plan:     testPlan,
		addons:   []string{testMemory, testStorage, testBand},
		configs:  [][2]string{{"dedicated_datacenter", "fra"}, {"dedicated_os", "none_64.en"}, {"region", "europe"}},
		quantity: 1,
		assign:   true,
	}
}

// buildCart builds a cart the way ovhtui does: public calls unsigned,
// assign signed. It returns the cart id and the plan item id.
func (e *env) buildCart(t testing.TB, sp cartSpec) (string, int64) {
	t.Helper()
	var c cartResp
	if err := e.client.PostUnAuth("/order/cart", map[string]any{"ovhSubsidiary": "IE", "description": "test"}, &c); err != nil {
		t.Fatalf("create cart: %v", err)
	}
	if sp.assign {
		if err := e.client.Post("/order/cart/"+c.CartID+"/assign", nil, nil); err != nil {
			t.Fatalf("assign: %v", err)
		}
	}
	var it itemResp
	err := e.client.PostUnAuth("/order/cart/"+c.CartID+"/eco", map[string]any{
		"planCode": sp.plan, "duration": "P1M", "pricingMode": "default", "quantity": sp.quantity}, &it)
	if err != nil {
		t.Fatalf("add eco item: %v", err)
	}
	for _, a := range sp.addons {
		err := e.client.PostUnAuth("/order/cart/"+c.CartID+"/eco/options", map[string]any{
			"itemId": it.ItemID, "planCode": a, "duration": "P1M", "pricingMode": "default", "quantity": sp.quantity}, nil)
		if err != nil {
			t.Fatalf("add option %s: %v", a, err)
		}
	}
	for _, kv := range sp.configs {
		err := e.client.PostUnAuth(itemPath(c.CartID, it.ItemID)+"/configuration", map[string]any{"label": kv[0], "value": kv[1]}, nil)
		if err != nil {
			t.Fatalf("configure %s: %v", kv[0], err)
		}
	}
	return c.CartID, it.ItemID
}

func itemPath(cartID string, itemID int64) string {
	return "/order/cart/" + cartID + "/item/" + strconv.FormatInt(itemID, 10)
}
