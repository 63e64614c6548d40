package history

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
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

// latencyMode is what the restock radar does during one flip of
// BenchmarkCheckoutLatency.
type latencyMode int

const (
	radarOff    latencyMode = iota // no recording, no sweep
	radarOn                        // recording every answer, the sweep at its default rate (not due)
	radarSweep                     // recording, and a whole sweep round started at the flip
	radarUnheld                    // on, but the recorder does not wait for the checkout (before order.Engine.Quiet)
	latencyModes
)

var latencyModeNames = [latencyModes]string{"off", "on", "sweep", "unheld"}

// BenchmarkCheckoutLatency is the latency the restock radar adds between
// the poll that sees a DC orderable (its answer back in the engine) and the
// checkout request leaving (the engine calling Checkout), history on versus
// off in one run: one engine, the flips taking the modes in turn, so that
// every mode meets the same machine.
//
//   - off: nothing listens to the radar's events and no sweep runs.
//   - on: the recorder records every answer from the event fan-out, as it
//     does at the default rate, where the 5-minute sweep is not due during
//     a flip (a sweep round lasts about a second: 1 flip in 300 meets one).
//   - sweep: on, and a whole sweep round (the unfiltered request of the
//     ~9,000-entry feed through the same client, and its recording) started
//     at the very instant of the flip: the worst case, at any rate.
//   - unheld: on, but the recorder writes at once instead of waiting for
//     the checkout under way (RecorderOptions.Hold, order.Engine.Quiet):
//     what the radar cost before it waited.
//
// Before each flip the recorder has written everything queued, so each
// flip starts from the same quiet state. Reports p50 and p99 (the largest
// but one of each mode's samples below 100) of each mode, in ms, and the
// added p99 of on and sweep over off. RADAR_FLIPS sets the flips per mode
// (default 40: about six minutes).
//
//	go test ./history -run '^$' -bench CheckoutLatency -benchtime 1x
func BenchmarkCheckoutLatency(b *testing.B) {
	perMode := 40
	if n, err := strconv.Atoi(os.Getenv("RADAR_FLIPS")); err == nil && n > 0 {
		perMode = n
	}
	for b.Loop() {
		lat := checkoutLatencies(b, perMode)
		p := func(l []time.Duration, q float64) float64 {
			slices.Sort(l)
			i := min(len(l)-1, int(q*float64(len(l))))
			return float64(l[i].Microseconds()) / 1000
		}
		for m := range latencyModes {
			b.ReportMetric(p(lat[m], 0.5), latencyModeNames[m]+"-p50-ms")
			b.ReportMetric(p(lat[m], 0.99), latencyModeNames[m]+"-p99-ms")
		}
		for _, m := range []latencyMode{radarOn, radarSweep, radarUnheld} {
			b.ReportMetric(p(lat[m], 0.99)-p(lat[radarOff], 0.99), latencyModeNames[m]+"-added-p99-ms")
		}
	}
}

func checkoutLatencies(b *testing.B, perMode int) [latencyModes][]time.Duration {
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
	hs, err := Open(context.Background(), filepath.Join(dir, FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer hs.Close()
	eng := order.New(order.Config{
		API:      api,
		Store:    store,
		Catalog:  fixedCatalog{cat},
		Poll:     time.Second,
		Endpoint: srv.URL + "/1.0",
		// The engine's own sweep is not due in a flip at the default
		// rate; the sweep mode starts one at the flip instead.
	})
	var recording, unheld atomic.Bool // the mode of the flip under way
	rec := NewRecorder(hs, RecorderOptions{Hold: func() <-chan struct{} {
		if unheld.Load() {
			return nil
		}
		return eng.Quiet() // as cli wires it
	}})
	defer runRecorder(rec)()
	ready := make(chan struct{}, 16)
	placed := make(chan struct{}, 16)
	gone := make(chan struct{}, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range eng.Events() { // the fan-out: listeners first
			if recording.Load() {
				rec.Listen(ev)
			}
			switch e := ev.(type) {
			case order.CartReady:
				ready <- struct{}{}
			case order.OrderPlaced:
				placed <- struct{}{}
			case order.AvailabilityChanged:
				if e.New == "unavailable" {
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

	var lat [latencyModes][]time.Duration
	for i := 0; i < perMode*int(latencyModes); i++ {
		mode := latencyMode(i % int(latencyModes))
		<-ready
		for len(ready) > 0 { // re-validations
			<-ready
		}
		if err := rec.Flush(ctx); err != nil { // every flip starts quiet
			b.Fatal(err)
		}
		recording.Store(mode != radarOff)
		unheld.Store(mode == radarUnheld)
		var sweepDone chan struct{}
		if mode == radarSweep {
			sweepDone = make(chan struct{})
			go func() { // one sweep round, as order's sweepOnce does it
				defer close(sweepDone)
				items, err := api.API.Availability(ctx, "", nil)
				if err == nil {
					rec.Listen(order.AvailabilitySeen{Base: order.Base{Time: time.Now()}, Subsidiary: "IE", Items: items, Sweep: true})
				}
			}()
		}
		sim.SetAvailability(latFQN, "fra", "1H-high")
		lat[mode] = append(lat[mode], <-api.latency)
		<-placed
		if sweepDone != nil {
			<-sweepDone
		}
		sim.SetAvailability(latFQN, "fra", "unavailable")
		<-gone // the engine saw it: the next cart waits for the next flip
		if err := store.Update("bench: want again", func(f *prefs.File) error {
			_, err := f.Servers[0].BuyAgain(1)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	recording.Store(false)
	rec.Flush(context.Background())
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
