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
