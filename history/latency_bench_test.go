package history

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// A real plan of the IE catalog, sold in fra.
const (
	latPlan = "25skleb01"
	latFQN  = "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme"
)

type fixedCatalog struct{ c *catalog.Catalog }

func (f fixedCatalog) Catalog(context.Context) (*catalog.Catalog, error) { return f.c, nil }

// BenchmarkCheckoutLatency is the latency the restock radar adds between
// the poll that sees a DC orderable (its answer back in the engine) and the
// checkout request leaving (the engine calling Checkout), in one run: first with history
// off (no recorder, no sweep), then on (the recorder on the event fan-out
// and the sweep of the whole feed, ~9,000 entries, every second: 300 times
// the default rate, so that recording is under way at each flip). Reports
// p50 and p99 of each and the p99 difference in ms. About a minute.
//
//	go test ./history -run '^$' -bench CheckoutLatency -benchtime 1x
func BenchmarkCheckoutLatency(b *testing.B) {
	const flips = 30
	for b.Loop() {
		off := checkoutLatencies(b, false, flips)
		on := checkoutLatencies(b, true, flips)
		p := func(l []time.Duration, q float64) float64 {
			slices.Sort(l)
			i := min(len(l)-1, int(q*float64(len(l))))
			return float64(l[i].Microseconds()) / 1000
		}
		b.ReportMetric(p(off, 0.5), "off-p50-ms")
		b.ReportMetric(p(off, 0.99), "off-p99-ms")
		b.ReportMetric(p(on, 0.5), "on-p50-ms")
		b.ReportMetric(p(on, 0.99), "on-p99-ms")
		b.ReportMetric(p(on, 0.99)-p(off, 0.99), "added-p99-ms")
	}
}

func checkoutLatencies(b *testing.B, history bool, flips int) []time.Duration {
	catJSON, err := os.ReadFile("../testdata/eco-catalog-IE.json")
	if err != nil {
		b.Fatal(err)
	}
	sim, err := ovhsim.New(catJSON, ovhsim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(sim)
	sim.Install(srv.Config)
	srv.Start()
	defer srv.Close()
	cat, err := catalog.Parse(catJSON, catalog.ParseOptions{Subsidiary: "IE"})
	if err != nil {
		b.Fatal(err)
	}

	dir := b.TempDir()
	path := filepath.Join(dir, "preferences.json")
	entry := map[string]any{
		"planCode": latPlan, "fqn": latFQN, "skip_validate": false, "place_order": true, "autopay": true,
		"coupons":         []string{},
		"datacenters":     []map[string]string{{"region": "europe", "dedicated_datacenter": "fra"}},
		"labels":          map[string]string{"dedicated_os": "none_64.en"},
		"addon_planCodes": []string{"softraid-2x450nvme-25skle", "bandwidth-300-25skle", "ram-32g-ecc-2400-25skle"},
		"qty":             1, "ceiling_price": 50.0, "dc_carts": map[string]any{},
	}
	data, _ := json.Marshal(map[string]any{"subsidiary": "IE", "user_servers": []any{entry}})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	store, err := prefs.Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	cl, err := ovh.NewClient(srv.URL+"/1.0", "sim-app-key", "sim-app-secret", "sim-consumer-key")
	if err != nil {
		b.Fatal(err)
	}
	api := &timedAPI{API: ovhapi.NewOVHClient(cl, ovhapi.ClientOptions{CallTimeout: 5 * time.Second, CheckoutTimeout: 5 * time.Second}),
		latency: make(chan time.Duration, 1)}
	cfg := order.Config{
		API:      api,
		Store:    store,
		Catalog:  fixedCatalog{cat},
		Poll:     time.Second,
		Endpoint: srv.URL + "/1.0",
	}
	var rec *Recorder
	if history {
		cfg.Sweep = time.Second
		hs, err := Open(context.Background(), filepath.Join(dir, FileName))
		if err != nil {
			b.Fatal(err)
		}
		defer hs.Close()
		rec = NewRecorder(hs, RecorderOptions{})
		defer runRecorder(rec)()
	}
	eng := order.New(cfg)
	ready := make(chan struct{}, 16)
	placed := make(chan struct{}, 16)
	gone := make(chan struct{}, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range eng.Events() { // the fan-out: listeners first
			if rec != nil {
				rec.Listen(ev)
			}
			switch ev.(type) {
			case order.CartReady:
				ready <- struct{}{}
			case order.OrderPlaced:
				placed <- struct{}{}
			case order.AvailabilityChanged:
				if e := ev.(order.AvailabilityChanged); e.New == "unavailable" {
					gone <- struct{}{}
				}
			}
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- eng.Run(ctx) }()
	defer func() {
		cancel()
		<-runErr
		<-done
	}()

	var lat []time.Duration
	for i := 0; i < flips; i++ {
		<-ready
		for len(ready) > 0 { // re-validations
			<-ready
		}
		sim.SetAvailability(latFQN, "fra", "1H-high")
		lat = append(lat, <-api.latency)
		<-placed
		sim.SetAvailability(latFQN, "fra", "unavailable")
		<-gone // the engine saw it: the next cart waits for the next flip
		if err := store.Update("bench: want again", func(f *prefs.File) error {
			_, err := f.Servers[0].BuyAgain(1)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	if rec != nil {
		rec.Flush(context.Background())
	}
	return lat
}

// timedAPI measures, in the engine, from the availability answer showing
// latFQN orderable in fra to the checkout call.
type timedAPI struct {
	order.API
	mu      sync.Mutex
	seen    time.Time
	latency chan time.Duration
}

func (t *timedAPI) Availability(ctx context.Context, plan string, dcs []string) ([]ovhapi.Availability, error) {
	items, err := t.API.Availability(ctx, plan, dcs)
	at := time.Now()
	if plan != latPlan {
		return items, err
	}
	for _, it := range items {
		for _, d := range it.Datacenters {
			if it.FQN == latFQN && d.Datacenter == "fra" && d.Availability == "1H-high" {
				t.mu.Lock()
				if t.seen.IsZero() {
					t.seen = at
				}
				t.mu.Unlock()
			}
		}
	}
	return items, err
}

func (t *timedAPI) Checkout(ctx context.Context, cartID string, req ovhapi.CheckoutRequest) (ovhapi.CartOrder, error) {
	t.mu.Lock()
	d := time.Since(t.seen)
	t.seen = time.Time{}
	t.mu.Unlock()
	t.latency <- d
	return t.API.Checkout(ctx, cartID, req)
}
