package history

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestStatsPackedReadsAsColumns: Stats reads a change as one packed
// integer when the value ids allow it; the answer is the one read column
// by column, and a database with a large value id is read by columns.
func TestStatsPackedReadsAsColumns(t *testing.T) {
	s := openTemp(t)
	end := t0.AddDate(0, 0, 30)
	h := startRecorder(t, s, RecorderOptions{Queue: 1 << 14, Keep: -1})
	recordSynth(t, h, end, 30, 5)
	stats := func() []Stats {
		var out []Stats
		for _, f := range []Filter{{PlanCode: "ks-1"}, {FQN: "rise-3.ram-64g.ssd", DC: "rbx"}, {Since: end.AddDate(0, 0, -9), Until: end.AddDate(0, 0, -2)}} {
			st, err := s.Stats(context.Background(), f, end, OVHTime, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			if st.Restocks == 0 {
				t.Fatalf("no restocks for %+v: the test sees nothing", f)
			}
			out = append(out, st)
		}
		return out
	}
	packed := stats()
	forceUnpacked = true
	defer func() { forceUnpacked = false }()
	if cols := stats(); !reflect.DeepEqual(packed, cols) {
		t.Fatalf("packed and by-column reads differ:\n%+v\n%+v", packed, cols)
	}
	forceUnpacked = false
	// A value id too large to pack: read by columns, same answer for
	// what does not use it.
	if _, err := s.db.Exec(`INSERT INTO availability_values (id, value, in_stock) VALUES (5000, 'someday', 0)`); err != nil {
		t.Fatal(err)
	}
	h.rec.Observe(obs(end.Add(time.Minute), "zz-1.x", "gra", "someday"))
	h.flush()
	if got := stats(); !reflect.DeepEqual(packed, got) {
		t.Fatalf("with id 5000:\n%+v\n%+v", packed, got)
	}
	if w := newWordTable(map[int64]string{5000: "someday", 1: "1H-low"}); w.packed || !w.inStock(1) || w.name(5000) != "someday" {
		t.Fatalf("word table %+v", w)
	}
	// Past the year 2248 the time does not pack: read by columns.
	far := time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	f := Filter{PlanCode: "ks-1", Since: end.AddDate(0, 0, -20)}
	got, err := s.Stats(context.Background(), f, far)
	if err != nil {
		t.Fatal(err)
	}
	forceUnpacked = true
	want, err := s.Stats(context.Background(), f, far)
	forceUnpacked = false
	if err != nil || !reflect.DeepEqual(got, want) || got.Restocks == 0 {
		t.Fatalf("in 2300: %+v\n%+v, %v", got, want, err)
	}
	if !strings.Contains(fmt.Sprint(packed[0].LastRestocks), "ks-1") {
		t.Fatalf("last restocks of ks-1: %+v", packed[0].LastRestocks)
	}
}

func TestWeekHourIsInLocation(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	kol, err := time.LoadLocation("Asia/Kolkata")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	for _, loc := range []*time.Location{time.UTC, OVHTime, ny, kol} {
		for at := time.Date(1969, 12, 25, 0, 0, 0, 0, time.UTC); at.Year() < 2028; at = at.Add(97*time.Minute + 13*time.Second) {
			if at.Year() == 1971 {
				at = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
			}
			d, h := weekHour(at, loc)
			if l := at.In(loc); d != l.Weekday() || h != l.Hour() {
				t.Fatalf("%s in %s: %s %d; want %s %d", at, loc, d, h, l.Weekday(), l.Hour())
			}
		}
	}
}

// TestStatsSideBySideIsSeriesAfterSeries: Stats reads series side by side
// and merges their figures; the answer is the one folded series after
// series into one sum, ties of the last restocks included.
func TestStatsSideBySideIsSeriesAfterSeries(t *testing.T) {
	s := openTemp(t)
	end := t0.AddDate(0, 0, 30)
	h := startRecorder(t, s, RecorderOptions{Queue: 1 << 14, Keep: -1})
	recordSynth(t, h, end, 30, 9)
	// Restocks at the same instant in several DCs, the latest of all.
	for i, v := range []string{"unavailable", "1H-low", "unavailable", "24H"} {
		at := end.Add(time.Duration(i+1) * time.Minute)
		var items []Seen
		for _, dc := range []string{"rbx", "bhs", "gra"} {
			items = append(items, Seen{PlanCode: "ks-1", FQN: "ks-1.ram-32g.disk", DC: dc, Value: v}, Seen{PlanCode: "ks-1", FQN: "ks-1.ram-64g.ssd", DC: dc, Value: v})
		}
		h.rec.Observe(Observation{Time: at, Subsidiary: "IE", Items: items})
	}
	h.flush()
	now := end.Add(time.Hour)
	locs := []*time.Location{OVHTime, time.UTC}
	for _, f := range []Filter{{PlanCode: "ks-1"}, {Subsidiary: "IE"}, {Since: end.AddDate(0, 0, -3)}, {DC: "gra", Until: end.Add(3 * time.Minute)}} {
		got, err := s.Stats(context.Background(), f, now, locs...)
		if err != nil {
			t.Fatal(err)
		}
		// One sum, series after series.
		rows, err := s.seriesOf(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		vals, _, _, _ := s.valueNames(context.Background())
		from, to := f.bounds(now)
		ref := statsAcc{heat: make([][7][24]int, len(locs))}
		for _, r := range rows {
			if _, err := s.foldSeries(context.Background(), r, newWordTable(vals), from, to, f.Until.IsZero(), func(iv Interval) { ref.add(iv, locs) }); err != nil {
				t.Fatal(err)
			}
		}
		if got.Restocks != ref.restocks || !reflect.DeepEqual(got.LastRestocks, ref.last) || got.Heatmaps[0].Count != ref.heat[0] || got.Heatmaps[1].Count != ref.heat[1] {
			t.Fatalf("%+v: side by side %d %+v; series after series %d %+v", f, got.Restocks, got.LastRestocks, ref.restocks, ref.last)
		}
		if got.Restocks == 0 {
			t.Fatalf("%+v: no restocks, the test sees nothing", f)
		}
		statsWorkers = 1
		one, err := s.Stats(context.Background(), f, now, locs...)
		statsWorkers = 3
		if err != nil || !reflect.DeepEqual(one, got) {
			t.Fatalf("%+v: one at a time %+v; side by side %+v (%v)", f, one, got, err)
		}
	}
	st, _ := s.Stats(context.Background(), Filter{PlanCode: "ks-1"}, now)
	if len(st.LastRestocks) != 5 || !st.LastRestocks[0].Start.Equal(st.LastRestocks[4].Start) || st.LastRestocks[0].Grade != "24H" {
		t.Fatalf("the five latest restocks, all at one instant: %+v", st.LastRestocks)
	}
}
