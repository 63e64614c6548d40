package order_test

import (
	"context"
	"encoding/json"
	"math/rand/v2"
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
	"github.com/ovhtui/ovhtui/history"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// A real plan of the IE catalog, sold in fra.
const (
	ilPlan = "25skleb01"
	ilFQN  = "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme"
)

type ilCatalog struct{ c *catalog.Catalog }

func (f ilCatalog) Catalog(context.Context) (*catalog.Catalog, error) { return f.c, nil }

// BenchmarkRadarLatencyInterleaved is the latency the restock radar adds
// between the poll that sees a DC orderable (its answer back in the engine)
// and the checkout request leaving (the engine calling Checkout), history
// off versus on, interleaved flip by flip in one run so that machine noise
// meets both modes alike. One engine against ovhsim in process, polling
// every 5 ms (RADAR_POLL) so that thousands of flips fit in minutes;
// RADAR_SAMPLES flips per mode (default 150).
//
//   - off: nothing listens to the radar's events.
//   - on: the real recorder (history.Recorder on a SQLite file in a temp
//     folder) records every poll's answer from the event fan-out, holding
//     its writes while a checkout is under way (order.Engine.Quiet), as cli
//     wires it. At 5 ms it records 200 answers a second, far more than at
//     the default rate.
//
// Each flip is one entry: after its order the benchmark re-arms it as the
// TUI's edit would (prefs.Server.BuyAgain through the store: a new id), and
// the next flip waits, by that new id, until its cart is ready and the
// engine has seen the DC out of stock; nothing an earlier entry's flip left
// can stand in for it. Before each flip the recorder has written
// everything queued. Prints p50/p99/p99.9 of each mode and their
// differences (on minus off), in ms, each with a bootstrap 95 % interval:
// what the run can tell apart from the machine's noise.
//
//	go test ./order -run '^$' -bench RadarLatencyInterleaved -benchtime 1x
func BenchmarkRadarLatencyInterleaved(b *testing.B) {
	perMode := 150
	if n, err := strconv.Atoi(os.Getenv("RADAR_SAMPLES")); err == nil && n > 0 {
		perMode = n
	}
	poll := 5 * time.Millisecond
	if d, err := time.ParseDuration(os.Getenv("RADAR_POLL")); err == nil && d > 0 {
		poll = d
	}
	for b.Loop() {
		off, on := interleavedLatencies(b, perMode, poll)
		q := func(l []time.Duration, p float64) float64 {
			l = slices.Clone(l)
			slices.Sort(l)
			return quantileMS(l, p)
		}
		for _, m := range []struct {
			name string
			l    []time.Duration
		}{{"off", off}, {"on", on}} {
			b.Logf("%-3s n=%d p50 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms", m.name, len(m.l),
				q(m.l, 0.5), q(m.l, 0.99), q(m.l, 0.999), q(m.l, 1))
			b.ReportMetric(q(m.l, 0.5), m.name+"-p50-ms")
			b.ReportMetric(q(m.l, 0.99), m.name+"-p99-ms")
			b.ReportMetric(q(m.l, 0.999), m.name+"-p99.9-ms")
		}
		for _, p := range []float64{0.5, 0.99, 0.999} {
			lo, hi := diffInterval(off, on, p)
			b.Logf("added at p%g (on - off): %.3f ms, 95%% interval %.3f to %.3f ms", p*100, q(on, p)-q(off, p), lo, hi)
		}
		b.ReportMetric(q(on, 0.99)-q(off, 0.99), "added-p99-ms")
	}
}

// quantileMS is the p quantile of sorted l, in ms.
func quantileMS(l []time.Duration, p float64) float64 {
	i := min(len(l)-1, int(p*float64(len(l))))
	return float64(l[i].Nanoseconds()) / 1e6
}

// diffInterval is a bootstrap 95 % interval of the p quantile of on minus
// that of off: each mode resampled with replacement 1,000 times (a fixed
// seed, so a run's figures can be reproduced from its samples).
func diffInterval(off, on []time.Duration, p float64) (lo, hi float64) {
	r := rand.New(rand.NewPCG(19, 1))
	resample := func(l, buf []time.Duration) float64 {
		for i := range buf {
			buf[i] = l[r.IntN(len(l))]
		}
		slices.Sort(buf)
		return quantileMS(buf, p)
	}
	bo, bn := make([]time.Duration, len(off)), make([]time.Duration, len(on))
	d := make([]float64, 1000)
	for i := range d {
		d[i] = resample(on, bn) - resample(off, bo)
	}
	slices.Sort(d)
	return d[25], d[974]
}

func interleavedLatencies(b *testing.B, perMode int, poll time.Duration) (off, on []time.Duration) {
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
		"planCode": ilPlan, "fqn": ilFQN, "skip_validate": false, "place_order": true, "autopay": true,
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
	api := &ilTimedAPI{API: ovhapi.NewOVHClient(cl, ovhapi.ClientOptions{CallTimeout: 5 * time.Second, CheckoutTimeout: 5 * time.Second}),
		latency: make(chan time.Duration, 1)}
	hs, err := history.Open(context.Background(), filepath.Join(dir, history.FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer hs.Close()
	eng := order.New(order.Config{API: api, Store: store, Catalog: ilCatalog{cat}, Poll: poll, Endpoint: srv.URL + "/1.0"})
	order.SetMinPoll(eng, time.Millisecond)
	var recording atomic.Bool // the mode of the flip under way
	rec := history.NewRecorder(hs, history.RecorderOptions{Hold: eng.Quiet})
	rctx, rcancel := context.WithCancel(context.Background())
	rdone := make(chan struct{})
	go func() { rec.Run(rctx); close(rdone) }()
	defer func() { rcancel(); <-rdone }()
	// What the loop waits for, by entry: every cart ready, order placed
	// and change of ilFQN in fra the fan-out hears.
	notes := make(chan ilNote, 1024)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range eng.Events() { // the fan-out: listeners first
			if recording.Load() {
				rec.Listen(ev)
			}
			switch e := ev.(type) {
			case order.CartReady:
				notes <- ilNote{kind: ilReady, entry: e.Entry}
			case order.OrderPlaced:
				notes <- ilNote{kind: ilPlaced, entry: e.Entry}
			case order.AvailabilityChanged:
				if e.FQN == ilFQN && e.DC == "fra" {
					notes <- ilNote{kind: ilAvail, entry: e.Entry, avail: e.New}
				}
			}
		}
	}()
	sim.SetAvailability(ilFQN, "fra", "unavailable")
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- eng.Run(ctx) }()
	defer func() {
		cancel()
		<-runErr
		<-done
	}()

	key := store.Snapshot().Servers[0].Key()
	rearm := func() { // the entry bought, wanted again under a new id
		if err := store.Update("bench: want again", func(f *prefs.File) error {
			if _, err := f.Servers[0].BuyAgain(1); err != nil {
				return err
			}
			key = f.Servers[0].Key()
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; i < 2*perMode; {
		// The entry's cart ready and fra seen out of stock for it.
		for ready, out := false, false; !ready || !out; {
			n := <-notes
			if n.entry != key {
				continue
			}
			switch n.kind {
			case ilReady:
				ready = true
			case ilAvail:
				out = n.avail == "unavailable"
			case ilPlaced:
				// Ordered before its flip: a poll sent before the last
				// order answered "1H-high" only after the re-arm. Not a
				// sample (the API was not armed); want it again.
				b.Logf("flip %d: ordered on the previous flip's stock; re-armed", i)
				rearm()
				ready, out = false, false
			}
		}
		if err := rec.Flush(ctx); err != nil { // every flip starts quiet
			b.Fatal(err)
		}
		mode := i % 2 // 0 off, 1 on: alternating flip by flip
		recording.Store(mode == 1)
		api.arm()
		sim.SetAvailability(ilFQN, "fra", "1H-high")
		d := <-api.latency
		if mode == 1 {
			on = append(on, d)
		} else {
			off = append(off, d)
		}
		for n := <-notes; n.kind != ilPlaced || n.entry != key; n = <-notes {
		}
		sim.SetAvailability(ilFQN, "fra", "unavailable")
		rearm()
		i++
	}
	recording.Store(false)
	rec.Flush(context.Background())
	return off, on
}

// ilNote is what the benchmark's loop hears of an event, by entry.
type ilNote struct {
	kind  int // ilReady, ilPlaced, ilAvail
	entry string
	avail string // ilAvail: the new value
}

const (
	ilReady = iota + 1
	ilPlaced
	ilAvail
)

// ilTimedAPI measures, in the engine, from the availability answer showing
// ilFQN orderable in fra to the checkout call, once per arm: one sample a
// flip, and none from an answer or a checkout outside a flip.
type ilTimedAPI struct {
	order.API
	mu      sync.Mutex
	armed   bool
	seen    time.Time
	latency chan time.Duration
}

// arm makes the next checkout a sample, timed from the first answer
// showing the stock after now.
func (t *ilTimedAPI) arm() {
	t.mu.Lock()
	t.armed, t.seen = true, time.Time{}
	t.mu.Unlock()
}

func (t *ilTimedAPI) Availability(ctx context.Context, plan string, dcs []string) ([]ovhapi.Availability, error) {
	items, err := t.API.Availability(ctx, plan, dcs)
	at := time.Now()
	if plan != ilPlan {
		return items, err
	}
	for _, it := range items {
		for _, d := range it.Datacenters {
			if it.FQN == ilFQN && d.Datacenter == "fra" && d.Availability == "1H-high" {
				t.mu.Lock()
				if t.armed && t.seen.IsZero() {
					t.seen = at
				}
				t.mu.Unlock()
			}
		}
	}
	return items, err
}

func (t *ilTimedAPI) Checkout(ctx context.Context, cartID string, req ovhapi.CheckoutRequest) (ovhapi.CartOrder, error) {
	t.mu.Lock()
	sample := t.armed && !t.seen.IsZero()
	d := time.Since(t.seen)
	if sample {
		t.armed, t.seen = false, time.Time{}
	}
	t.mu.Unlock()
	if sample {
		t.latency <- d
	}
	return t.API.Checkout(ctx, cartID, req)
}
