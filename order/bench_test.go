package order

// Benchmarks that report the speed figures of the issue. They measure, they
// do not assert: run with
//
//	go test -run '^$' -bench . -benchtime 1x ./order/
//
// BenchmarkReaction takes about 30 s (20 flips with a 1 s poll).

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/prefs"
)

// BenchmarkReaction: from the instant availability flips to the checkout
// request arriving at the simulator, with --poll 1s, over 20 flips at a
// random phase of the poll. Reports p50 and p100 in ms, and the requests
// seen between the poll that showed the DC orderable and the checkout.
func BenchmarkReaction(b *testing.B) {
	const flips = 20
	env := newSim(b, ovhsim.Options{})
	arrivals := make(chan time.Time, 4)
	env.sim.OnRequest(func(r ovhsim.Request) {
		if r.Method == "POST" && strings.HasSuffix(r.Path, checkoutSuffix) {
			arrivals <- r.Wall
		}
	})
	one := entry(func(m map[string]any) {
		m["datacenters"] = []map[string]string{{"region": "europe", "dedicated_datacenter": "fra"}}
	})
	h := startEngine(b, env, "", prefsJSON(b, one),
		func(c *Config) { c.Poll = time.Second },
		func(e *Engine) { e.minPoll = MinPoll })
	var lat []time.Duration
	between := 0
	b.ResetTimer()
	for i := range flips {
		h.wait("cart ready", func(Event) bool { return h.countLocked(isA[CartReady]) >= i+1 })
		// A random phase of the poll cycle.
		phase := time.NewTimer(time.Duration(rand.Int64N(int64(time.Second))))
		<-phase.C
		env.sim.ResetRequests()
		t0 := time.Now()
		env.sim.SetAvailability(simFQN, "fra", "1H-high")
		arr := <-arrivals
		lat = append(lat, arr.Sub(t0))
		h.wait("order", func(Event) bool { return h.countLocked(isA[OrderPlaced]) >= i+1 })
		reqs := env.sim.Requests()
		k := slices.IndexFunc(reqs, func(r ovhsim.Request) bool { return r.Method == "POST" && strings.HasSuffix(r.Path, checkoutSuffix) })
		for j := k - 1; j >= 0 && !strings.HasPrefix(reqs[j].Path, "/dedicated/server/datacenter/availabilities"); j-- {
			between++
		}
		env.sim.SetAvailability(simFQN, "fra", "unavailable")
		// Want it again (a new id: the journal holds the old one's order);
		// the engine builds a fresh cart.
		if err := h.store.Update("bench: want again", func(f *prefs.File) error {
			_, err := f.Servers[0].BuyAgain(1)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "p100-ms")
	b.ReportMetric(float64(between), "requests-between")
}

// BenchmarkPollBytes: bytes of one availability poll for 3 planCodes
// (filtered per planCode and DCs) against the unfiltered feed.
func BenchmarkPollBytes(b *testing.B) {
	sim, err := ovhsim.New(catalogJSON(b), ovhsim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	env := &simEnv{sim: sim, srv: srv}
	api := env.client(b)
	plans := []string{"25skleb01", "24sk50", "24rise01"}
	dcs := []string{"fra", "gra", "rbx"}
	var filtered, full int
	for b.Loop() {
		sim.ResetRequests()
		for _, p := range plans {
			if _, err := api.Availability(context.Background(), p, dcs); err != nil {
				b.Fatal(err)
			}
		}
		resp, err := http.Get(srv.URL + "/1.0/dedicated/server/datacenter/availabilities")
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		filtered, full = 0, 0
		for _, r := range sim.Requests() {
			if r.RawQuery == "" {
				full += r.BytesOut
			} else {
				filtered += r.BytesOut
			}
		}
	}
	b.ReportMetric(float64(filtered), "filtered-bytes")
	b.ReportMetric(float64(full), "unfiltered-bytes")
	b.ReportMetric(100*float64(filtered)/float64(full), "percent")
}

// BenchmarkIdleConnections: new TCP connections opened while the engine
// idles (carts ready, nothing orderable) with a 1 s poll for 10 s,
// reported per minute.
func BenchmarkIdleConnections(b *testing.B) {
	env := newSim(b, ovhsim.Options{})
	h := startEngine(b, env, "", prefsJSON(b, entry()),
		func(c *Config) { c.Poll = time.Second },
		func(e *Engine) { e.minPoll = MinPoll })
	h.waitCarts("fra", "gra")
	h.waitPolls(1)
	before := env.sim.Connections()
	env.sim.ResetRequests()
	start := time.Now()
	h.waitPolls(10)
	elapsed := time.Since(start)
	opened := env.sim.Connections() - before
	requests := len(env.sim.Requests())
	h.stop()
	b.ReportMetric(float64(opened)/elapsed.Minutes(), "new-conns/min")
	b.ReportMetric(float64(requests)/elapsed.Seconds(), "requests/s")
}

// BenchmarkDecide: the pure decision over 50 entries of 3 DCs.
func BenchmarkDecide(b *testing.B) {
	var entries []map[string]any
	for i := range 50 {
		entries = append(entries, entry(func(m map[string]any) {
			m["fqn"] = simFQN + strings.Repeat("x", i)
		}))
	}
	f, err := prefs.Parse("bench", prefsJSON(b, entries...))
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	in := DecideInput{File: f, Now: now, Avail: map[AvailKey]string{}, Carts: map[CartKey]CartState{}}
	for _, s := range f.Servers {
		for _, dc := range s.DCNames() {
			in.Avail[AvailKey{FQN: s.FQN, DC: dc}] = "unavailable"
			in.Carts[CartKey{Entry: s.Key(), DC: dc}] = CartState{CartID: "c", Ready: true, Expire: now.Add(time.Hour),
				Fingerprint: Fingerprint("IE", s, dc), ValidatedAt: now}
		}
	}
	for b.Loop() {
		_ = Decide(in)
	}
}
