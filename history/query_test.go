package history

import (
	"context"
	"testing"
	"time"
)

// seedFlips records, for fqn in dc, "unavailable" at t0 then each flip
// (offset from t0, value).
func seedFlips(h *recHarness, fqn, dc string, flips ...any) {
	h.rec.Observe(obs(t0, fqn, dc, "unavailable"))
	for i := 0; i < len(flips); i += 2 {
		h.rec.Observe(obs(t0.Add(flips[i].(time.Duration)), fqn, dc, flips[i+1].(string)))
	}
	h.flush()
}

func TestStatsHeatmapDurationsLastRestocks(t *testing.T) {
	s := openTemp(t)
	h := startRecorder(t, s, RecorderOptions{})
	const a, b = "ks-1.ram.disk", "ks-1.ram.ssd"
	// a in gra: back 10:00-10:10 Monday, 10:00-10:30 Tuesday; in rbx: back at
	// 20:00 Monday for 2h. b in gra: back Wednesday 10:00, still in stock.
	seedFlips(h, a, "gra", time.Hour, "1H-low", time.Hour+10*time.Minute, "unavailable",
		25*time.Hour, "1H-high", 25*time.Hour+20*time.Minute, "1H-low", 25*time.Hour+30*time.Minute, "unavailable")
	seedFlips(h, a, "rbx", 11*time.Hour, "72H", 13*time.Hour, "comingSoon")
	seedFlips(h, b, "gra", 49*time.Hour, "24H")
	now := t0.Add(50 * time.Hour)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no tzdata:", err)
	}
	st, err := s.Stats(context.Background(), Filter{Subsidiary: "IE", PlanCode: "ks-1"}, now, time.UTC, paris)
	if err != nil {
		t.Fatal(err)
	}
	if st.Restocks != 4 {
		t.Fatalf("restocks = %d; want 4", st.Restocks)
	}
	utc, fr := st.Heatmaps[0], st.Heatmaps[1]
	if utc.Count[time.Monday][10] != 1 || utc.Count[time.Tuesday][10] != 1 || utc.Count[time.Monday][20] != 1 || utc.Count[time.Wednesday][10] != 1 {
		t.Fatalf("UTC heatmap wrong: %+v", utc.Count)
	}
	if fr.Count[time.Monday][11] != 1 || fr.Count[time.Monday][21] != 1 || fr.Max != 1 {
		t.Fatalf("Paris heatmap wrong (UTC+1 in November): %+v", fr.Count)
	}
	// intervals: 10m, 30m, 2h, 1h (ongoing to now): median (30m+1h)/2, longest 2h
	if st.MedianInStock != 45*time.Minute || st.LongestInStock != 2*time.Hour {
		t.Fatalf("median %s longest %s", st.MedianInStock, st.LongestInStock)
	}
	if len(st.LastRestocks) != 4 || st.LastRestocks[0].FQN != b || !st.LastRestocks[0].Ongoing || st.LastRestocks[0].Grade != "24H" ||
		st.LastRestocks[1].Grade != "1H-high" || st.LastRestocks[1].Duration() != 30*time.Minute {
		t.Fatalf("last restocks = %+v", st.LastRestocks)
	}

	// One fqn and one DC; a range that starts while it is in stock: that
	// stretch counts for time in stock but is no restock.
	st, err = s.Stats(context.Background(), Filter{FQN: a, DC: "gra", Since: t0.Add(25*time.Hour + 5*time.Minute)}, now)
	if err != nil {
		t.Fatal(err)
	}
	if st.Restocks != 0 || st.LongestInStock != 25*time.Minute {
		t.Fatalf("restocks %d longest %s", st.Restocks, st.LongestInStock)
	}
}

func TestTimelineBuckets(t *testing.T) {
	s := openTemp(t)
	h := startRecorder(t, s, RecorderOptions{})
	seedFlips(h, "ks-1.ram.disk", "gra", time.Hour, "1H-low", 2*time.Hour, "unavailable")
	seedFlips(h, "ks-1.ram.ssd", "gra", 90*time.Minute, "1H-high", 3*time.Hour, "unavailable")
	h.rec.Observe(obs(t0.Add(2*time.Hour), "ks-1.ram.disk", "sbg", "72H"))
	h.flush()
	lines, err := s.Timeline(context.Background(), Filter{PlanCode: "ks-1", Since: t0}, t0.Add(4*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || lines[0].DC != "gra" || lines[1].DC != "sbg" {
		t.Fatalf("lines = %+v", lines)
	}
	eq(t, lines[0].Buckets(t0, t0.Add(4*time.Hour), 8), []string{"unavailable", "unavailable", "1H-low", "1H-high", "1H-high", "1H-high", "unavailable", "unavailable"})
	eq(t, lines[1].Buckets(t0, t0.Add(4*time.Hour), 4), []string{"", "", "72H", "72H"})
}

func TestOffersAndStockOf(t *testing.T) {
	s := openTemp(t)
	h := startRecorder(t, s, RecorderOptions{})
	seedFlips(h, "ks-1.ram.disk", "gra", time.Hour, "1H-low", time.Hour+12*time.Minute, "unavailable")
	seedFlips(h, "ks-1.ram.disk", "rbx", 2*time.Hour, "72H", 3*time.Hour, "unavailable")
	seedFlips(h, "ks-2.ram.disk", "gra", time.Hour, "24H")
	seedFlips(h, "ks-2.ram.disk", "sbg", 2*time.Hour, "1H-high")
	seedFlips(h, "ks-3.ram.disk", "gra")
	now := t0.Add(3 * 24 * time.Hour)
	offers, err := s.Offers(context.Background(), "IE", now)
	if err != nil {
		t.Fatal(err)
	}
	ks1, ks2, ks3 := offers["ks-1"], offers["ks-2"], offers["ks-3"]
	if ks1.InStockNow() || !ks1.LastOut.Equal(t0.Add(3*time.Hour)) || !ks1.LastIn.Equal(t0.Add(2*time.Hour)) || ks1.Restocks != 2 {
		t.Fatalf("ks-1 = %+v", ks1)
	}
	if ks2.Best != "1H-high" || ks2.BestDC != "sbg" || !ks2.LastIn.Equal(t0.Add(time.Hour)) || !ks2.LastOut.IsZero() || ks2.Restocks != 2 {
		t.Fatalf("ks-2 = %+v", ks2)
	}
	if !ks3.Seen || ks3.InStockNow() || !ks3.LastIn.IsZero() || ks3.Restocks != 0 {
		t.Fatalf("ks-3 = %+v", ks3)
	}
	one, err := s.StockOf(context.Background(), Filter{Subsidiary: "IE", FQN: "ks-1.ram.disk", DC: "gra"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if !one.LastIn.Equal(t0.Add(time.Hour)) || one.LastOut.Sub(one.LastIn) != 12*time.Minute || one.Restocks != 1 {
		t.Fatalf("StockOf = %+v", one)
	}
}
