package history

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/catalog"
)

// The figures of the README come from these benchmarks:
//
//	go test ./history -run '^$' -bench . -benchtime 20x
//
// BenchmarkYear* share one database holding a simulated year of the whole
// IE eco feed (every fqn of the catalog in each of its DCs), built once.

func ecoSeries(tb testing.TB) []SynthSeries {
	tb.Helper()
	b, err := os.ReadFile("../testdata/eco-catalog-IE.json")
	if err != nil {
		tb.Fatal(err)
	}
	c, err := catalog.Parse(b, catalog.ParseOptions{Subsidiary: "IE"})
	if err != nil {
		tb.Fatal(err)
	}
	var out []SynthSeries
	for _, o := range c.Offers {
		for _, v := range o.Variants {
			for _, dc := range o.Datacenters {
				out = append(out, SynthSeries{PlanCode: o.PlanCode, FQN: v.FQN, DC: dc})
			}
		}
	}
	return out
}

// runRecorder starts r and returns its stop function.
func runRecorder(r *Recorder) func() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	return func() { cancel(); <-done }
}

var yearEnd = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

var year struct {
	once    sync.Once
	dir     string
	path    string
	changes int
	series  int
	hot     string // the fqn with the most changes
	took    time.Duration
	err     error
}

// yearDB builds the simulated year once per process.
func yearDB(b *testing.B) (string, string) {
	b.Helper()
	year.once.Do(func() {
		year.dir, year.err = os.MkdirTemp("", "ovhtui-history-year-")
		if year.err != nil {
			return
		}
		year.path = filepath.Join(year.dir, FileName)
		s, err := Open(context.Background(), year.path)
		if err != nil {
			year.err = err
			return
		}
		defer s.Close()
		series := ecoSeries(b)
		year.series = len(series)
		r := NewRecorder(s, RecorderOptions{Queue: 1 << 16, MaxBatch: 4096, Now: func() time.Time { return yearEnd }})
		stop := runRecorder(r)
		start := time.Now()
		counts := map[string]int{}
		year.changes = Synthesize("IE", series, yearEnd.AddDate(-1, 0, 0), yearEnd, 1, func(o Observation) {
			counts[o.Items[0].FQN]++
			for {
				before := r.Dropped()
				r.Observe(o)
				if r.Dropped() == before {
					return
				}
				r.Flush(context.Background()) // the bench wants every change: wait for room
			}
		})
		r.Flush(context.Background())
		stop()
		year.took = time.Since(start)
		for f, n := range counts {
			if n > counts[year.hot] {
				year.hot = f
			}
		}
		if _, err := s.db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			year.err = err
		}
	})
	if year.err != nil {
		b.Fatal(year.err)
	}
	return year.path, year.hot
}

func dbSize(tb testing.TB, path string) int64 {
	var n int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// BenchmarkYearSize reports the simulated year: its size on disk, its
// changes, and how long recording them took.
func BenchmarkYearSize(b *testing.B) {
	path, _ := yearDB(b)
	for b.Loop() {
	}
	b.ReportMetric(float64(dbSize(b, path))/1e6, "MB")
	b.ReportMetric(float64(year.changes), "changes")
	b.ReportMetric(float64(year.series), "series")
	b.ReportMetric(year.took.Seconds(), "s-to-record")
}

// BenchmarkYearHeatmap is the history view's query for one fqn (all its
// DCs) over the year: heatmaps in OVH's and local time, counts, median,
// longest, last five.
func BenchmarkYearHeatmap(b *testing.B) {
	path, hot := yearDB(b)
	s, err := Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	f := Filter{Subsidiary: "IE", FQN: hot, Since: yearEnd.AddDate(-1, 0, 0)}
	for b.Loop() {
		st, err := s.Stats(context.Background(), f, yearEnd, OVHTime, time.Local)
		if err != nil || st.Restocks == 0 {
			b.Fatal(st.Restocks, err)
		}
	}
}

// BenchmarkYearTimeline is the 30-day timeline per DC of one fqn.
func BenchmarkYearTimeline(b *testing.B) {
	path, hot := yearDB(b)
	s, err := Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	f := Filter{Subsidiary: "IE", FQN: hot, Since: yearEnd.AddDate(0, 0, -30)}
	for b.Loop() {
		if _, err := s.Timeline(context.Background(), f, yearEnd); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkYearOffers is "stock now / last in stock / restocks" for every
// offer of the browser list.
func BenchmarkYearOffers(b *testing.B) {
	path, _ := yearDB(b)
	s, err := Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	for b.Loop() {
		m, err := s.Offers(context.Background(), "IE", yearEnd)
		if err != nil || len(m) == 0 {
			b.Fatal(len(m), err)
		}
	}
}

// BenchmarkRecordWantedPoll is the cost of recording one wanted poll's
// answer (one plan, 3 DCs x 2 fqns), a change every 20th poll, written.
func BenchmarkRecordWantedPoll(b *testing.B) {
	benchRecord(b, 2, 3, 20)
}

// BenchmarkRecordSweep is the cost of recording one sweep round of the
// whole eco feed (1,859 fqn x DC), a few changes each round, written.
func BenchmarkRecordSweep(b *testing.B) {
	series := ecoSeries(b)
	s := openTemp(b)
	r := NewRecorder(s, RecorderOptions{})
	stop := runRecorder(r)
	defer stop()
	items := make([]Seen, len(series))
	for i, x := range series {
		items[i] = Seen{PlanCode: x.PlanCode, FQN: x.FQN, DC: x.DC, Value: valueUnavailable}
	}
	at := t0
	i := 0
	for b.Loop() {
		for k := 0; k < 5; k++ { // 5 changes a round
			j := (i*5 + k) % len(items)
			if items[j].Value == valueUnavailable {
				items[j].Value = "1H-low"
			} else {
				items[j].Value = valueUnavailable
			}
		}
		i++
		at = at.Add(5 * time.Minute)
		r.Observe(Observation{Time: at, Subsidiary: "IE", Items: append([]Seen(nil), items...)})
		r.Flush(context.Background())
	}
}

func benchRecord(b *testing.B, fqns, dcs, every int) {
	s := openTemp(b)
	r := NewRecorder(s, RecorderOptions{})
	stop := runRecorder(r)
	defer stop()
	var items []Seen
	for f := range fqns {
		for d := range dcs {
			items = append(items, Seen{PlanCode: "p", FQN: "p.m" + string(rune('a'+f)) + ".s", DC: string(rune('a'+d)) + "dc", Value: valueUnavailable})
		}
	}
	at := t0
	i := 0
	for b.Loop() {
		i++
		if i%every == 0 {
			if items[0].Value == valueUnavailable {
				items[0].Value = "1H-high"
			} else {
				items[0].Value = valueUnavailable
			}
		}
		at = at.Add(3 * time.Second)
		r.Observe(Observation{Time: at, Subsidiary: "IE", Items: append([]Seen(nil), items...)})
		r.Flush(context.Background())
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if year.dir != "" {
		os.RemoveAll(year.dir)
	}
	os.Exit(code)
}
