package order

// Benchmarks for issue 11's Speed section (they measure, they do not
// assert):
//
//	go test -run '^$' -bench 'Recovery|Decoupling|IdleRevalidation' -benchtime 1x ./order/

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/prefs"
)

// BenchmarkRecovery: with --poll 1s, availability answers 3×500, 3×429
// (Retry-After: 1) and one malformed 200; reports the gap from the last
// fault to the first successful poll, and the whole sequence's length.
func BenchmarkRecovery(b *testing.B) {
	env := newSim(b, ovhsim.Options{})
	h := startEngine(b, env, "", prefsJSON(b, entry()),
		func(c *Config) { c.Poll = time.Second },
		func(e *Engine) { e.minPoll = MinPoll })
	h.waitCarts("fra", "gra")
	h.waitPolls(1)
	b.ResetTimer()
	env.sim.ResetRequests()
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: availPath, Status: 500, Times: 3})
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: availPath, Status: 429, RetryAfter: time.Second, Times: 3})
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: availPath, Body: `[{"fqn": `, Times: 1})
	faults := 0
	h.wait("7 faults then a good poll", func(ev Event) bool {
		if _, ok := ev.(APIError); ok {
			faults++
		}
		_, ok := ev.(PollOK)
		return ok && faults >= 7
	})
	b.StopTimer()
	var first, lastFault, recovered time.Time
	for _, r := range env.sim.Requests() {
		if !strings.HasPrefix(r.Path, availPath) {
			continue
		}
		if first.IsZero() {
			first = r.Wall
		}
		if r.Fault {
			lastFault = r.Wall
		} else if !lastFault.IsZero() && recovered.IsZero() {
			recovered = r.Wall
		}
	}
	b.ReportMetric(float64(recovered.Sub(lastFault).Milliseconds()), "last-fault-to-good-poll-ms")
	b.ReportMetric(float64(recovered.Sub(first).Milliseconds()), "sequence-ms")
}

// BenchmarkDecoupling: with --poll 1s and one planCode answering 500 on
// every poll, another planCode flips orderable 5 times at a random phase;
// reports the p100 and p50 from the flip to the checkout arriving.
func BenchmarkDecoupling(b *testing.B) {
	const flips = 5
	env := newSim(b, ovhsim.Options{})
	two := otherPlan(b, env)
	fqn := two["fqn"].(string)
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: availPath, Query: "planCode=" + simPlan, Status: 500})
	arrivals := make(chan time.Time, 4)
	env.sim.OnRequest(func(r ovhsim.Request) {
		if r.Method == "POST" && strings.HasSuffix(r.Path, checkoutSuffix) {
			arrivals <- r.Wall
		}
	})
	h := startEngine(b, env, "", prefsJSON(b, entry(), two),
		func(c *Config) { c.Poll = time.Second },
		func(e *Engine) { e.minPoll = MinPoll })
	isTwo := func(ev Event) bool { c, ok := ev.(CartReady); return ok && strings.HasPrefix(c.Entry, "24risegame01") }
	var lat []time.Duration
	b.ResetTimer()
	for i := range flips {
		h.wait("cart ready", func(Event) bool { return h.countLocked(isTwo) >= i+1 })
		phase := time.NewTimer(time.Duration(time.Now().UnixNano() % int64(time.Second)))
		<-phase.C
		t0 := time.Now()
		env.sim.SetAvailability(fqn, "fra", "1H-high")
		lat = append(lat, (<-arrivals).Sub(t0))
		h.wait("order", func(Event) bool { return h.countLocked(isA[OrderPlaced]) >= i+1 })
		env.sim.SetAvailability(fqn, "fra", "unavailable")
		if err := h.store.Update("bench: want again", func(f *prefs.File) error {
			_, err := f.Servers[1].BuyAgain(1)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "p100-ms")
}

// BenchmarkIdleRevalidation: requests at idle over 31 s with --poll 1s,
// one planCode and 2 ready carts: polls, and the summaries the 30 s
// revalidation adds.
func BenchmarkIdleRevalidation(b *testing.B) {
	env := newSim(b, ovhsim.Options{})
	h := startEngine(b, env, "", prefsJSON(b, entry()),
		func(c *Config) { c.Poll = time.Second },
		func(e *Engine) { e.minPoll = MinPoll })
	h.waitCarts("fra", "gra")
	h.waitPolls(1)
	env.sim.ResetRequests()
	start := time.Now()
	for range 3 { // 31 polls; each wait is bounded by waitTimeout
		h.waitPolls(10)
	}
	h.waitPolls(1)
	elapsed := time.Since(start)
	polls, summaries, other := 0, 0, 0
	for _, r := range env.sim.Requests() {
		switch {
		case strings.HasPrefix(r.Path, availPath):
			polls++
		case strings.HasSuffix(r.Path, "/summary"):
			summaries++
		default:
			other++
		}
	}
	h.stop()
	b.ReportMetric(float64(polls)/elapsed.Minutes(), "polls/min")
	b.ReportMetric(float64(summaries)/elapsed.Minutes(), "summaries/min")
	b.ReportMetric(float64(other), "other-requests")
}
