package cli

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/history"
	"github.com/ovhtui/ovhtui/order/ovhsim"
)

// flip is one step of a scripted availability timeline.
type flip struct {
	poll      int // made when the plan's poll number poll reaches the simulator
	fqn, dc   string
	from, to  string
	madeAt    time.Time
	madeAtSet bool
	// nextAt is when the engine next showed it had seen the poll's answer:
	// its next request for the plan's availability, or a checkout (both
	// are sent only after the answer was recorded).
	nextAt time.Time
}

// TestHistoryMatchesScriptedTimeline is the radar's done-when: a headless
// run against the simulator, with a scripted timeline of flips, yields
// `ovhtui history --json` transitions that match it: every flip present,
// none invented, each dated within one poll interval of the flip (or, on
// a machine so slow that the poll's answer took longer, before the engine
// acted on it).
func TestHistoryMatchesScriptedTimeline(t *testing.T) {
	t.Parallel()
	const sibling = "25skleb01.ram-32g-ecc-2400.softraid-2x2000sa" // same plan, not watched
	endpoint, sim := simForHeadless(t)
	sim.SetAvailability(sibling, "fra", "unavailable")
	sim.SetAvailability(sibling, "gra", "unavailable")
	script := []*flip{
		{poll: 2, fqn: sibling, dc: "fra", from: "unavailable", to: "1H-low"},
		{poll: 3, fqn: sibling, dc: "fra", from: "1H-low", to: "1H-high"},
		{poll: 5, fqn: sibling, dc: "fra", from: "1H-high", to: "unavailable"},
		{poll: 6, fqn: sibling, dc: "gra", from: "unavailable", to: "72H"},
		{poll: 7, fqn: sibling, dc: "gra", from: "72H", to: "comingSoon"},
		// Last, the watched server comes back: ovhtui orders it and, with
		// nothing left to do, exits.
		{poll: 8, fqn: killTestFQN, dc: "fra", from: "unavailable", to: "1H-high"},
	}
	var mu sync.Mutex
	polls := 0
	sim.OnRequest(func(r ovhsim.Request) {
		checkout := r.Method == "POST" && strings.HasSuffix(r.Path, "/checkout")
		poll := strings.HasPrefix(r.Path, "/dedicated/server/datacenter/availabilities") && strings.Contains(r.RawQuery, "planCode=25skleb01")
		if !checkout && !poll {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		for _, f := range script {
			if f.madeAtSet && f.nextAt.IsZero() {
				f.nextAt = now
			}
		}
		if !poll {
			return
		}
		polls++
		for _, f := range script {
			if f.poll == polls {
				// Before the simulator handles this very poll: it answers the new value.
				sim.SetAvailability(f.fqn, f.dc, f.to)
				f.madeAt, f.madeAtSet = time.Now(), true
			}
		}
	})
	e, p := headlessEnv(t, endpoint, "")
	db := filepath.Join(t.TempDir(), "radar.db")
	const poll = time.Second
	code, out, errOut := e.run("--headless", "--poll", poll.String(), "--sweep", "off", "--history", db, "--prefs", p,
		"--env", filepath.Join(t.TempDir(), "none.env"))
	if code != exitOK {
		t.Fatalf("headless exit %d; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	code, js, errOut := e.run("history", "--json", "--history", db)
	if code != exitOK {
		t.Fatalf("history exit %d: %s", code, errOut)
	}
	var got []history.Transition
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatalf("history --json is not an array of transitions: %v\n%s", err, js)
	}
	var raw []map[string]any
	json.Unmarshal([]byte(js), &raw)
	for _, k := range []string{"time", "subsidiary", "planCode", "fqn", "datacenter", "from", "to"} {
		if _, ok := raw[0][k]; !ok {
			t.Fatalf("field %q missing: %v", k, raw[0])
		}
	}
	if ts, _ := raw[0]["time"].(string); !strings.HasSuffix(ts, "Z") {
		t.Fatalf("time %q is not RFC 3339 UTC", ts)
	}
	mu.Lock()
	defer mu.Unlock()
	matched := map[*flip]bool{}
	for i, tr := range got {
		if i > 0 && tr.Time.Before(got[i-1].Time) {
			t.Fatalf("not oldest first at %d: %v after %v", i, tr.Time, got[i-1].Time)
		}
		if tr.Subsidiary != "IE" || tr.PlanCode != "25skleb01" {
			t.Errorf("transition of %s/%s", tr.Subsidiary, tr.PlanCode)
		}
		if tr.From == "" {
			continue // the first sighting of an fqn in a DC
		}
		var f *flip
		for _, s := range script {
			if s.fqn == tr.FQN && s.dc == tr.DC && s.from == tr.From && s.to == tr.To && !matched[s] {
				f = s
				break
			}
		}
		if f == nil {
			t.Errorf("invented transition: %+v", tr)
			continue
		}
		matched[f] = true
		// The spec's bound is one poll interval; a poll whose answer took
		// longer (a loaded machine) is still dated before the engine's next
		// request, which a date taken later than the answer (say, at the
		// next poll or at a batched write) is not.
		latest := f.madeAt.Add(poll)
		if f.nextAt.After(latest) {
			latest = f.nextAt
		}
		if !f.madeAtSet || tr.Time.Before(f.madeAt.Add(-time.Millisecond)) || tr.Time.After(latest) {
			t.Errorf("%s in %s %s->%s recorded at %s, flipped at %s: not within one poll interval", tr.FQN, tr.DC, tr.From, tr.To,
				tr.Time.Format(time.RFC3339Nano), f.madeAt.UTC().Format(time.RFC3339Nano))
		}
	}
	for _, f := range script {
		if !matched[f] {
			t.Errorf("flip missing from the history: %s in %s %s->%s (poll %d)", f.fqn, f.dc, f.from, f.to, f.poll)
		}
	}

	// The summary names both fqns in fra, with the sibling's one restock.
	code, sum, errOut := e.run("history", "25skleb01", "--dc", "fra", "--history", db)
	if code != exitOK || !strings.Contains(sum, sibling) || !strings.Contains(sum, "RESTOCKS") {
		t.Fatalf("summary exit %d:\n%s\n%s", code, sum, errOut)
	}
}

// TestHistoryUnusableFileRunsOn: a history file that is not a database is
// said once, and ovhtui runs on (and orders) without history, leaving the
// file as it was.
func TestHistoryUnusableFileRunsOn(t *testing.T) {
	t.Parallel()
	endpoint, sim := simForHeadless(t)
	sim.SetAvailability(killTestFQN, "fra", "1H-high")
	e, p := headlessEnv(t, endpoint, "")
	db := writeFile(t, "history.db", strings.Repeat("not a database ", 300))
	code, out, errOut := e.run("--headless", "--poll", "1s", "--history", db, "--prefs", p, "--env", filepath.Join(t.TempDir(), "none.env"))
	if code != exitOK {
		t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if n := strings.Count(out, "without history"); n != 1 {
		t.Fatalf("%d messages about history; want one:\n%s", n, out)
	}
	if !strings.Contains(out, "ORDER PLACED") && !strings.Contains(out, "order placed") && !strings.Contains(strings.ToLower(out), "placed") {
		t.Fatalf("no order without history:\n%s", out)
	}
	if b, _ := os.ReadFile(db); !strings.HasPrefix(string(b), "not a database") {
		t.Fatal("the unusable history file was modified")
	}
}

func TestHistoryFlags(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--history-keep", "0d"}, "--history-keep"},
		{[]string{"--sweep", "5s"}, "--sweep"},
	} {
		code, _, errOut := isolateEnv(t).run(c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q", c.args, code, errOut)
		}
	}
	if d, err := parseDays("400d"); err != nil || d != 400*24*time.Hour {
		t.Errorf("400d = %s, %v", d, err)
	}
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	if s, err := parseSince("2w", now); err != nil || !s.Equal(now.Add(-14*24*time.Hour)) {
		t.Errorf("2w = %s, %v", s, err)
	}
	if _, err := parseSince("yesterday", now); err == nil {
		t.Error("yesterday accepted")
	}
}

// TestDemoHistoryBeforeUI: the demo's invented month is in its history
// file when the radar starts, before any front end shows: every plan of
// the demo's catalog has a stock line and restocks, and the history view's
// figures of a demo entry are there.
func TestDemoHistoryBeforeUI(t *testing.T) {
	a := &app{}
	demo := &demoEnv{tmpDir: t.TempDir()}
	opts := options{history: historyFlags{keep: history.DefaultKeep}}
	rad, msg := a.startEngineRadar(opts, demo, "IE", nil, nil, slog.New(slog.DiscardHandler))
	if rad == nil {
		t.Fatalf("no radar: %s", msg)
	}
	defer rad.close()
	r := rad.reader()
	now := time.Now()
	offers, err := r.Offers(context.Background(), "IE", now)
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Parse(ovhsim.DefaultCatalog(), catalog.ParseOptions{Subsidiary: "IE"})
	if err != nil {
		t.Fatal(err)
	}
	restocks := 0
	for _, o := range c.Offers {
		st, ok := offers[o.PlanCode]
		if !ok || !st.Seen {
			t.Fatalf("%s has no history when the radar starts", o.PlanCode)
		}
		restocks += st.Restocks
	}
	if restocks < len(c.Offers) {
		t.Fatalf("%d restocks in 30 days over %d plans: not a believable month", restocks, len(c.Offers))
	}
	const fqn = "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme"
	st, err := r.Stats(context.Background(), history.Filter{Subsidiary: "IE", FQN: fqn}, now, history.OVHTime)
	if err != nil || !st.Seen || st.First.After(now.Add(-30*24*time.Hour)) {
		t.Fatalf("the demo entry's history view: seen %v, from %v (%v)", st.Seen, st.First, err)
	}
}
