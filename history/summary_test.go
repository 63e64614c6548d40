package history

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// restockScan is what the restock summaries must hold, counted from the
// changes themselves: per subsidiary, UTC day and plan of the series now,
// and the restocks at or after restocks_since.
const (
	restockDaysScan = `SELECT s.subsidiary, c.at_ms / 86400000, s.plan_code, count(*)
		FROM availability_changes c JOIN series s ON s.id = c.series_id
		JOIN availability_values f ON f.id = c.from_id JOIN availability_values t ON t.id = c.to_id
		WHERE c.from_id != 0 AND f.in_stock = 0 AND t.in_stock = 1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`
	restockDaysTable = `SELECT subsidiary, day, plan_code, restocks FROM restock_days ORDER BY 1, 2, 3`
	restocksScan     = `SELECT s.subsidiary, c.at_ms, c.series_id
		FROM availability_changes c JOIN series s ON s.id = c.series_id
		JOIN availability_values f ON f.id = c.from_id JOIN availability_values t ON t.id = c.to_id
		WHERE c.from_id != 0 AND f.in_stock = 0 AND t.in_stock = 1 AND c.at_ms >= (SELECT at_ms FROM restocks_since)
		ORDER BY 1, 2, 3`
	restocksTable = `SELECT subsidiary, at_ms, series_id FROM restocks WHERE at_ms >= (SELECT at_ms FROM restocks_since) ORDER BY 1, 2, 3`
)

func queryLines(t *testing.T, s *Store, q string) []string {
	t.Helper()
	rows, err := s.db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		dest := make([]any, len(cols))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.TrimSpace(fmt.Sprintln(vals...)))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkSummaries fails unless the restock summaries equal what a scan of
// the changes gives, and Offers counts the restocks of each plan as the
// changes do, for windows ending at each of nows.
func checkSummaries(t *testing.T, s *Store, nows ...time.Time) {
	t.Helper()
	days, daysScan := queryLines(t, s, restockDaysTable), queryLines(t, s, restockDaysScan)
	eq(t, days, daysScan)
	eq(t, queryLines(t, s, restocksTable), queryLines(t, s, restocksScan))
	for _, now := range nows {
		offers, err := s.Offers(context.Background(), "IE", now)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.restockCounts(context.Background(), Filter{Subsidiary: "IE"}, ms(now.Add(-RestockWindow)), "s.plan_code")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for plan, st := range offers {
			if st.Restocks != 0 {
				got[plan] = st.Restocks
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Offers at %s counts %v restocks; the changes say %v", now, got, want)
		}
	}
}

// synthSeries is a small feed: 3 plans, 2 fqns each, in 3 DCs.
func synthSeries() []SynthSeries {
	var out []SynthSeries
	for _, p := range []string{"ks-1", "ks-2", "rise-3"} {
		for _, f := range []string{".ram-32g.disk", ".ram-64g.ssd"} {
			for _, dc := range []string{"gra", "rbx", "bhs"} {
				out = append(out, SynthSeries{PlanCode: p, FQN: p + f, DC: dc})
			}
		}
	}
	return out
}

// recordSynth records days of synthesized history ending at end.
func recordSynth(t *testing.T, h *recHarness, end time.Time, days int, seed uint64) {
	t.Helper()
	Synthesize("IE", synthSeries(), end.AddDate(0, 0, -days), end, seed, func(o Observation) { h.rec.Observe(o) })
	h.flush()
}

// someNows are windows' ends to check: within days, at midnight UTC, just
// before and after, and long after (nothing in the window).
func someNows(end time.Time) []time.Time {
	mid := end.Truncate(24 * time.Hour)
	return []time.Time{end, end.Add(-36*time.Hour - 17*time.Minute), mid, mid.Add(-time.Millisecond), mid.Add(time.Millisecond),
		end.Add(-20 * 24 * time.Hour), end.AddDate(0, 0, 45), end.AddDate(0, 2, 0)}
}

func TestRestockSummariesMatchChanges(t *testing.T) {
	s := openTemp(t)
	end := t0.AddDate(0, 0, 50)
	h := startRecorder(t, s, RecorderOptions{Queue: 1 << 14, Now: func() time.Time { return end }})
	recordSynth(t, h, end, 60, 7)
	var n int
	s.db.QueryRow(`SELECT count(*) FROM restock_days`).Scan(&n)
	if n < 50 {
		t.Fatalf("only %d restock days recorded: the synthesized history is too thin to test", n)
	}
	checkSummaries(t, s, someNows(end)...)

	// A series that changes plan takes its restocks along.
	h.rec.Observe(Observation{Time: end.Add(time.Minute), Subsidiary: "IE", Items: []Seen{{PlanCode: "ks-9", FQN: "ks-1.ram-32g.disk", DC: "gra", Value: "unavailable"}}})
	h.rec.Observe(Observation{Time: end.Add(2 * time.Minute), Subsidiary: "IE", Items: []Seen{{PlanCode: "ks-9", FQN: "ks-1.ram-32g.disk", DC: "gra", Value: "1H-low"}}})
	h.flush()
	checkSummaries(t, s, someNows(end.Add(3*time.Minute))...)
	if offers, _ := s.Offers(context.Background(), "IE", end.Add(3*time.Minute)); offers["ks-9"].Restocks < 2 {
		t.Fatalf("ks-9 = %+v; want its moved restocks and the new one", offers["ks-9"])
	}

	// Pruning at a cut inside a day keeps them in step, with the log
	// trimmed (a window older than the log reads the changes).
	for _, keep := range []time.Duration{40*24*time.Hour + 5*time.Hour, 10*24*time.Hour + 7*time.Minute} {
		if _, err := s.Prune(context.Background(), end, keep); err != nil {
			t.Fatal(err)
		}
		checkSummaries(t, s, someNows(end)...)
	}
	var since int64
	s.db.QueryRow(`SELECT at_ms FROM restocks_since`).Scan(&since)
	if since != ms(end.Add(-10*24*time.Hour-7*time.Minute)) {
		t.Fatalf("restocks_since = %s after pruning to 10 days", fromMS(since))
	}
}

// TestRestockSummariesTwoProcesses: two stores on one file record the same
// feed; the summaries count each restock once.
func TestRestockSummariesTwoProcesses(t *testing.T) {
	s1 := openTemp(t)
	s2, err := Open(context.Background(), s1.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	end := t0.AddDate(0, 0, 10)
	now := func() time.Time { return end }
	h1 := startRecorder(t, s1, RecorderOptions{Queue: 1 << 14, Now: now})
	h2 := startRecorder(t, s2, RecorderOptions{Queue: 1 << 14, Now: now})
	var all []Observation
	Synthesize("IE", synthSeries(), end.AddDate(0, 0, -8), end, 3, func(o Observation) { all = append(all, o) })
	for i, o := range all {
		h1.rec.Observe(o)
		if i%3 != 0 {
			h2.rec.Observe(o)
		}
		if i%50 == 0 {
			h1.flush()
			h2.flush()
		}
	}
	h1.flush()
	h2.flush()
	checkSummaries(t, s1, someNows(end)...)
	// Both see a restock of a new series; it is written once.
	for _, h := range []*recHarness{h1, h2} {
		h.rec.Observe(obs(end.Add(time.Minute), "ks-1.new", "gra", "unavailable"))
		h.flush()
	}
	h1.rec.Observe(obs(end.Add(2*time.Minute), "ks-1.new", "gra", "24H"))
	h1.flush()
	h2.rec.Observe(obs(end.Add(2*time.Minute+time.Second), "ks-1.new", "gra", "24H"))
	h2.flush()
	checkSummaries(t, s2, someNows(end.Add(3*time.Minute))...)
}

// TestMigrationToRestockSummaries: a database written at schema 1, with a
// history, is brought to schema 2 and answers as before.
func TestMigrationToRestockSummaries(t *testing.T) {
	s := openTemp(t)
	end := t0.AddDate(0, 0, 45)
	h := startRecorder(t, s, RecorderOptions{Queue: 1 << 14, Keep: -1})
	recordSynth(t, h, end, 45, 11)
	h.stop()
	f := Filter{Subsidiary: "IE", PlanCode: "ks-2"}
	before, err := s.Stats(context.Background(), f, end, OVHTime, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	wantDays := queryLines(t, s, restockDaysScan)
	// Back to schema 1: what an older ovhtui wrote.
	if _, err := s.db.Exec(`DROP TRIGGER restock_days_follow_plan; DROP TABLE restocks; DROP TABLE restock_days; DROP TABLE restocks_since;
		PRAGMA user_version = 1`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(context.Background(), s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	var v int
	if err := s2.db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != SchemaVersion || v < 2 {
		t.Fatalf("user_version = %d, %v", v, err)
	}
	eq(t, queryLines(t, s2, restockDaysTable), wantDays)
	var since int64
	s2.db.QueryRow(`SELECT at_ms FROM restocks_since`).Scan(&since)
	var last int64
	s2.db.QueryRow(`SELECT max(at_ms) FROM availability_changes`).Scan(&last)
	if since != last-32*dayMS {
		t.Fatalf("restocks_since = %s; want 32 days before the last change %s", fromMS(since), fromMS(last))
	}
	checkSummaries(t, s2, someNows(end)...)
	after, err := s2.Stats(context.Background(), f, end, OVHTime, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	before.Heatmaps[0].Location, after.Heatmaps[0].Location = nil, nil
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("stats changed by the migration:\n%+v\n%+v", before, after)
	}
	// Recording goes on into the summaries.
	h2 := startRecorder(t, s2, RecorderOptions{Queue: 1 << 14, Keep: -1})
	h2.rec.Observe(obs(end.Add(time.Minute), "ks-2.ram-32g.disk", "gra", "unavailable"))
	h2.rec.Observe(obs(end.Add(2*time.Minute), "ks-2.ram-32g.disk", "gra", "1H-high"))
	h2.flush()
	checkSummaries(t, s2, someNows(end.Add(3*time.Minute))...)
}

// TestRestocksLogFollowsTheFile: the log starts where restocks_since says
// in the file, even when another process moved it.
func TestRestocksLogFollowsTheFile(t *testing.T) {
	s := openTemp(t)
	h := startRecorder(t, s, RecorderOptions{})
	seedFlips(h, "ks-1.a", "gra", time.Hour, "1H-low", 2*time.Hour, "unavailable")
	if _, err := s.db.Exec(`UPDATE restocks_since SET at_ms = ?`, ms(t0.Add(4*time.Hour))); err != nil {
		t.Fatal(err)
	}
	seedFlips(h, "ks-1.a", "rbx", 3*time.Hour, "1H-high", 3*time.Hour+time.Minute, "unavailable", 5*time.Hour, "24H")
	eq(t, queryLines(t, s, `SELECT at_ms FROM restocks ORDER BY 1`), []string{
		fmt.Sprint(ms(t0.Add(time.Hour))), // written before the move
		fmt.Sprint(ms(t0.Add(5 * time.Hour))),
	})
	month := t0.Add(RestockWindow)
	checkSummaries(t, s, t0.Add(6*time.Hour), month.Add(3*time.Hour+30*time.Minute), month.Add(4*time.Hour+30*time.Minute))
	if o, _ := s.Offers(context.Background(), "IE", month.Add(4*time.Hour+30*time.Minute)); o["ks-1"].Restocks != 1 {
		t.Fatalf("restocks from the log: %+v", o["ks-1"])
	}
}
