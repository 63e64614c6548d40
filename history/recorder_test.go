package history

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) // a Monday

type recHarness struct {
	t      *testing.T
	rec    *Recorder
	cancel context.CancelFunc
	done   chan struct{}

	mu   sync.Mutex
	news []News
	errs []error
}

func startRecorder(t *testing.T, s *Store, opts RecorderOptions) *recHarness {
	t.Helper()
	h := &recHarness{t: t, done: make(chan struct{})}
	opts.OnNews = func(n News) { h.mu.Lock(); h.news = append(h.news, n); h.mu.Unlock() }
	opts.OnError = func(err error) { h.mu.Lock(); h.errs = append(h.errs, err); h.mu.Unlock() }
	if opts.Now == nil {
		opts.Now = func() time.Time { return t0 }
	}
	h.rec = NewRecorder(s, opts)
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.rec.Run(ctx); close(h.done) }()
	t.Cleanup(h.stop)
	return h
}

func (h *recHarness) flush() {
	h.t.Helper()
	if err := h.rec.Flush(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

func (h *recHarness) stop() {
	h.cancel()
	<-h.done
}

func (h *recHarness) allNews() News {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out News
	for _, n := range h.news {
		out.Restocks = append(out.Restocks, n.Restocks...)
		out.Prices = append(out.Prices, n.Prices...)
		out.Plans = append(out.Plans, n.Plans...)
	}
	return out
}

func obs(at time.Time, fqn, dc, v string) Observation {
	plan, _, _ := strings.Cut(fqn, ".")
	return Observation{Time: at, Subsidiary: "IE", Items: []Seen{{PlanCode: plan, FQN: fqn, DC: dc, Value: v}}}
}

func transitions(t *testing.T, s *Store, f Filter) []string {
	t.Helper()
	ts, err := s.Transitions(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range ts {
		out = append(out, x.Time.Format("15:04:05")+" "+x.FQN+"@"+x.DC+" "+x.From+">"+x.To)
	}
	return out
}

func eq(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestRecorderWritesTransitionsOnly(t *testing.T) {
	s := openTemp(t)
	h := startRecorder(t, s, RecorderOptions{})
	const f = "24ska01.ram-64g.softraid-2x480ssd"
	for i, v := range []string{"unavailable", "unavailable", "1H-low", "1H-high", "1H-high", "unavailable"} {
		h.rec.Observe(obs(t0.Add(time.Duration(i)*time.Minute), f, "gra", v))
	}
	h.rec.Observe(obs(t0.Add(90*time.Second), f, "gra", "72H")) // late answer, older than the newest: ignored
	h.flush()
	eq(t, transitions(t, s, Filter{}), []string{
		"09:00:00 " + f + "@gra >unavailable",
		"09:02:00 " + f + "@gra unavailable>1H-low",
		"09:03:00 " + f + "@gra 1H-low>1H-high",
		"09:05:00 " + f + "@gra 1H-high>unavailable",
	})
	n := h.allNews()
	if len(n.Restocks) != 1 || n.Restocks[0].To != "1H-low" || !n.Restocks[0].Time.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("restock news = %+v", n.Restocks)
	}
	var view int
	if err := s.db.QueryRow(`SELECT count(*) FROM availability_history WHERE "to" = '1H-high' AND time = '2026-11-02T09:03:00.000Z'`).Scan(&view); err != nil || view != 1 {
		t.Fatalf("availability_history view: %d, %v", view, err)
	}
}

func TestRecorderSurvivesRestartAndSecondProcess(t *testing.T) {
	s := openTemp(t)
	h := startRecorder(t, s, RecorderOptions{})
	h.rec.Observe(obs(t0, "a.b.c", "rbx", "unavailable"))
	h.flush()
	h.stop()

	// A restart (new recorder, state loaded) and another process on the
	// same file (its own Store) both see the same restock: it is written once.
	s2, err := Open(context.Background(), s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	h1 := startRecorder(t, s, RecorderOptions{})
	h2 := startRecorder(t, s2, RecorderOptions{})
	h1.rec.Observe(obs(t0.Add(time.Minute), "a.b.c", "rbx", "unavailable"))
	h1.flush()
	h2.rec.Observe(obs(t0.Add(time.Minute), "a.b.c", "rbx", "unavailable"))
	h2.flush()
	h1.rec.Observe(obs(t0.Add(2*time.Minute), "a.b.c", "rbx", "24H"))
	h1.flush()
	h2.rec.Observe(obs(t0.Add(2*time.Minute+time.Second), "a.b.c", "rbx", "24H"))
	h2.flush()
	eq(t, transitions(t, s, Filter{}), []string{
		"09:00:00 a.b.c@rbx >unavailable",
		"09:02:00 a.b.c@rbx unavailable>24H",
	})
}

func TestRecorderCatalogNews(t *testing.T) {
	s := openTemp(t)
	h := startRecorder(t, s, RecorderOptions{})
	cat := func(at time.Time, plans []string, prices ...Price) CatalogObservation {
		return CatalogObservation{Time: at, Subsidiary: "IE", Currency: "EUR", Plans: plans, Prices: prices}
	}
	h.rec.ObserveCatalog(cat(t0, []string{"p1", "p2"}, Price{PlanCode: "p1", FQN: "p1.a.b", Monthly: 10e8}))
	h.flush()
	if n := h.allNews(); len(n.Plans)+len(n.Prices) != 0 {
		t.Fatalf("a first catalog is no news: %+v", n)
	}
	h.rec.ObserveCatalog(cat(t0.Add(time.Hour), []string{"p1", "p3"}, Price{PlanCode: "p1", FQN: "p1.a.b", Monthly: 12e8}))
	h.rec.ObserveCatalog(cat(t0.Add(2*time.Hour), []string{"p1", "p3"}, Price{PlanCode: "p1", FQN: "p1.a.b", Monthly: 12e8}))
	h.flush()
	n := h.allNews()
	if len(n.Plans) != 2 || n.Plans[0].PlanCode != "p3" || !n.Plans[0].Present || n.Plans[1].PlanCode != "p2" || n.Plans[1].Present {
		t.Fatalf("plan news = %+v", n.Plans)
	}
	if len(n.Prices) != 1 || n.Prices[0].Old.Monthly != 10e8 || n.Prices[0].New.Monthly != 12e8 {
		t.Fatalf("price news = %+v", n.Prices)
	}
	var rows int
	s.db.QueryRow(`SELECT count(*) FROM price_history`).Scan(&rows)
	if rows != 2 {
		t.Fatalf("price_history has %d rows; want 2 (unchanged prices are not written)", rows)
	}
	s.db.QueryRow(`SELECT count(*) FROM plan_history`).Scan(&rows)
	if rows != 4 {
		t.Fatalf("plan_history has %d rows; want 4", rows)
	}
}

func TestRecorderBrokenDatabaseToldOnceNeverBlocks(t *testing.T) {
	s := openTemp(t)
	s.db.Close() // every statement fails from now on
	h := startRecorder(t, s, RecorderOptions{Queue: 2})
	for i := range 50 { // far more than the queue: Observe must return
		h.rec.Observe(obs(t0.Add(time.Duration(i)*time.Second), "a.b.c", "gra", "unavailable"))
	}
	h.flush()
	h.rec.Observe(obs(t0.Add(time.Hour), "a.b.c", "gra", "1H-low"))
	h.flush()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.errs) != 1 || !strings.Contains(h.errs[0].Error(), s.Path()) {
		t.Fatalf("errors told: %v; want exactly one naming the file", h.errs)
	}
	var target error = h.errs[0]
	if errors.Unwrap(target) == nil {
		t.Fatal("the error should wrap its cause")
	}
}

func TestRecorderDropsWhenQueueFull(t *testing.T) {
	s := openTemp(t)
	r := NewRecorder(s, RecorderOptions{Queue: 3}) // not running: nothing drains
	for i := range 5 {
		r.Observe(obs(t0.Add(time.Duration(i)*time.Second), "a.b.c", "gra", "unavailable"))
	}
	if r.Dropped() != 2 {
		t.Fatalf("dropped %d; want 2", r.Dropped())
	}
}

// TestChangedAndReady: Ready is closed once the seed is written; Changed
// is closed by a batch that records a transition, not by one that only
// sees the same values again.
func TestChangedAndReady(t *testing.T) {
	s := openTemp(t)
	h := startRecorder(t, s, RecorderOptions{Seed: func(emit func(Observation)) {
		emit(obs(t0, "ks-1.a", "gra", "unavailable"))
	}})
	<-h.rec.Ready()
	if got := transitions(t, s, Filter{}); len(got) != 1 {
		t.Fatalf("after Ready the seed is not written: %v", got)
	}
	same := h.rec.Changed()
	h.rec.Observe(obs(t0.Add(time.Minute), "ks-1.a", "gra", "unavailable"))
	h.flush()
	select {
	case <-same:
		t.Fatal("Changed without a change")
	default:
	}
	h.rec.Observe(obs(t0.Add(2*time.Minute), "ks-1.a", "gra", "1H-low"))
	h.flush()
	select {
	case <-same:
	default:
		t.Fatal("a transition recorded and Changed not closed")
	}
	if next := h.rec.Changed(); next == same {
		t.Fatal("Changed gave the closed channel again")
	}
}

// TestStatsFirst: Stats says where its figures start.
func TestStatsFirst(t *testing.T) {
	s := openTemp(t)
	h := startRecorder(t, s, RecorderOptions{})
	h.rec.Observe(obs(t0, "ks-1.a", "gra", "unavailable"))
	h.rec.Observe(obs(t0.Add(time.Hour), "ks-1.a", "rbx", "unavailable"))
	h.rec.Observe(obs(t0.Add(2*time.Hour), "ks-1.a", "gra", "1H-low"))
	h.flush()
	st, err := s.Stats(context.Background(), Filter{FQN: "ks-1.a"}, t0.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !st.First.Equal(t0) || st.Restocks != 1 {
		t.Fatalf("first %v, restocks %d", st.First, st.Restocks)
	}
}

// TestHoldWaitsForCheckout: while Hold says a checkout is under way, the
// recorder writes nothing; once it ends, the queued observations are
// written. In a synctest bubble: the write gives up waiting after HoldMax
// (5 s), which a loaded machine could let pass in real time before the
// test looks; virtual time passes only when everything waits.
func TestHoldWaitsForCheckout(t *testing.T) {
	synctest.Test(t, testHoldWaitsForCheckout)
}

func testHoldWaitsForCheckout(t *testing.T) {
	s := openTemp(t)
	gate := make(chan struct{})
	asked := make(chan struct{}, 16)
	var mu sync.Mutex
	holding := true
	h := startRecorder(t, s, RecorderOptions{Hold: func() <-chan struct{} {
		asked <- struct{}{}
		mu.Lock()
		defer mu.Unlock()
		if holding {
			return gate
		}
		return nil
	}})
	h.rec.Observe(obs(t0, "ks-1.a", "gra", "1H-low"))
	<-asked // the batch is collected and waits
	if got := transitions(t, s, Filter{}); len(got) != 0 {
		t.Fatalf("written during a checkout: %v", got)
	}
	mu.Lock()
	holding = false
	mu.Unlock()
	close(gate)
	h.flush()
	if got := transitions(t, s, Filter{}); len(got) != 1 {
		t.Fatalf("after the checkout: %v", got)
	}
}
