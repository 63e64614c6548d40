package tui

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/ovhtui/ovhtui/history"
)

// storeReader serves a real history store to the UI, and says when a
// recorder of the test changed it.
type storeReader struct {
	*history.Store
	rec *history.Recorder
}

func (s storeReader) Changed() <-chan struct{} {
	if s.rec == nil {
		return nil
	}
	return s.rec.Changed()
}

// userZone is the user's time zone of the history goldens: not OVH's, so
// that both heatmaps differ.
var userZone = time.FixedZone("EST", -5*3600)

// historyStore is a database holding five invented weeks, up to fixedNow,
// of every configuration of KS-LE-B (25skleb01) in fra and gra and of
// 24sk50 in rbx, sbg and bhs (the same invention every run).
func historyStore(t *testing.T) storeReader {
	t.Helper()
	s, err := history.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var series []history.SynthSeries
	cat := testCatalog(t)
	for _, plan := range []string{"25skleb01", "24sk50"} {
		o := findOffer(cat, plan)
		for _, v := range o.Variants {
			for _, dc := range o.Datacenters {
				series = append(series, history.SynthSeries{PlanCode: plan, FQN: v.FQN, DC: dc})
			}
		}
	}
	rec := history.NewRecorder(s, history.RecorderOptions{
		Now: func() time.Time { return fixedNow },
		Seed: func(emit func(history.Observation)) {
			history.Synthesize("IE", series, fixedNow.AddDate(0, 0, -35), fixedNow.Add(-time.Minute), 3, emit)
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rec.Run(ctx) }()
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	<-done
	return storeReader{Store: s}
}

// historyModel is the goldens' dashboard with a real history store.
func historyModel(t *testing.T, w, h int, noColor bool) Model {
	t.Helper()
	store := openStore(t, "testdata/dashboard-prefs.json")
	d := testDeps(t, store)
	d.History = historyStore(t)
	d.Location = userZone
	d.NoColor = noColor
	m := New(d)
	m = send(m, tea.WindowSizeMsg{Width: w, Height: h})
	return send(m, eventsMsg{events: dashboardEvents(m.file), now: fixedNow})
}

// pressRead presses keys and, when one starts a read of the history
// view's figures, runs it and delivers its reply.
func pressRead(t *testing.T, m Model, keys ...string) Model {
	t.Helper()
	return sendRead(t, m, press(keys...)...)
}

// sendRead is pressRead with messages.
func sendRead(t *testing.T, m Model, msgs ...tea.Msg) Model {
	t.Helper()
	for _, msg := range msgs {
		next, cmd := m.Update(msg)
		m = next.(Model)
		if cmd != nil && m.history != nil && m.history.loading {
			reply, ok := cmd().(historyMsg)
			if !ok {
				t.Fatalf("key %v: the command is not the history read", msg)
			}
			m = send(m, reply)
		}
	}
	return m
}

func TestHistoryGolden(t *testing.T) {
	screens := []struct {
		name string
		msgs []tea.Msg
	}{
		{"entry", press("H")},
		{"entry_local", press("H", "t")},
		{"offer", append(append(press("/"), typeText("sk50")...), press("ctrl+r")...)},
		{"help", press("H", "?")},
	}
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		for _, sc := range screens {
			t.Run(sc.name+"_"+itoa(size.w)+"x"+itoa(size.h), func(t *testing.T) {
				m := sendRead(t, historyModel(t, size.w, size.h, false), sc.msgs...)
				golden.RequireEqual(t, screenText(m))
			})
		}
	}
}

// sgrColour matches an SGR sequence that sets a colour.
var sgrColour = regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;[0-9;]*)?m`)

// TestHistoryNoColor: with NO_COLOR the view carries no colour at all, and
// the heatmap and timeline still read (their signs are characters). The
// golden keeps the raw output, attributes included.
func TestHistoryNoColor(t *testing.T) {
	m := pressRead(t, historyModel(t, 80, 24, true), "H")
	raw := m.View().Content
	if loc := sgrColour.FindStringIndex(raw); loc != nil {
		t.Fatalf("a colour with NO_COLOR: %q", raw[max(loc[0]-20, 0):loc[1]])
	}
	for _, sign := range []string{signNow, signOut, heatNone, "Mo ", "Su "} {
		if !strings.Contains(raw, sign) {
			t.Fatalf("%q missing:\n%s", sign, raw)
		}
	}
	golden.RequireEqual(t, raw)
}

// TestHistoryFigures: the view shows what the store computes for the
// entry, and its wanted DCs are marked.
func TestHistoryFigures(t *testing.T) {
	m := pressRead(t, historyModel(t, 120, 40, false), "H")
	fqn := m.file.Servers[0].FQN
	st, err := m.deps.History.Stats(context.Background(), history.Filter{Subsidiary: "IE", FQN: fqn}, fixedNow, history.OVHTime, userZone)
	if err != nil {
		t.Fatal(err)
	}
	if st.Restocks == 0 || len(st.LastRestocks) == 0 {
		t.Fatalf("the invented history has no restock of %s", fqn)
	}
	text := screenText(m)
	last := st.LastRestocks[0]
	for _, want := range []string{
		": " + itoa(st.Restocks) + " restocks",
		"median in stock " + history.FormatDuration(st.MedianInStock),
		"longest " + history.FormatDuration(st.LongestInStock),
		last.Start.In(userZone).Format("Mon 2 Jan 15:04") + " " + last.DC + " " + last.Grade,
		" fra*", " gra*",
		"OVH time (CET)", "your time (EST)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("%q missing:\n%s", want, text)
		}
	}
}

// TestHistoryBackAndStale: esc goes back where the view was opened from,
// and a reply for a view closed meanwhile changes nothing.
func TestHistoryBackAndStale(t *testing.T) {
	m := historyModel(t, 80, 24, false)
	next, cmd := m.Update(press("H")[0])
	m = next.(Model)
	if m.screen() != screenHistory || cmd == nil {
		t.Fatal("H did not open the history view")
	}
	m = send(m, press("esc")...)
	if m.screen() != screenDashboard {
		t.Fatalf("esc went to %v", m.screen())
	}
	m = send(m, cmd()) // the reply of the closed view
	if m.history != nil {
		t.Fatal("a stale reply reopened the view")
	}
	m = pressRead(t, m, "/", "ctrl+r")
	if m.screen() != screenHistory || m.history.data == nil {
		t.Fatal("ctrl+r did not open the offer's history")
	}
	m = send(m, press("esc")...)
	if m.screen() != screenBrowserList {
		t.Fatalf("esc from the offer's history went to %v", m.screen())
	}
}

// TestHistoryOneZone: a user in OVH's time zone gets one heatmap that says
// so.
func TestHistoryOneZone(t *testing.T) {
	m := historyModel(t, 120, 40, false)
	m.deps.Location = history.OVHTime
	m = pressRead(t, m, "H")
	text := screenText(m)
	if !strings.Contains(text, "your time = OVH's") || strings.Contains(text, "your time (") {
		t.Fatalf("two heatmaps for one zone:\n%s", text)
	}
}

// TestHistoryLive: a change of the history reads the view's figures again
// (at most every radarMinGap), and the new restock shows.
func TestHistoryLive(t *testing.T) {
	s, err := history.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rec := history.NewRecorder(s, history.RecorderOptions{Now: func() time.Time { return fixedNow }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rec.Run(ctx) }()
	defer func() { cancel(); <-done }()

	store := openStore(t, "testdata/dashboard-prefs.json")
	d := testDeps(t, store)
	d.History = storeReader{Store: s, rec: rec}
	d.Location = userZone
	m := New(d)
	m = send(m, tea.WindowSizeMsg{Width: 120, Height: 40})
	m = pressRead(t, m, "H")
	if !strings.Contains(screenText(m), "Nothing recorded yet") {
		t.Fatalf("an empty history:\n%s", screenText(m))
	}
	fqn := m.file.Servers[0].FQN
	changed := rec.Changed()
	wait := waitRadarChanged(ctx, d.History)
	for i, v := range []string{"unavailable", "1H-low"} {
		rec.Observe(history.Observation{Time: fixedNow.Add(time.Duration(i-2) * time.Minute), Subsidiary: "IE",
			Items: []history.Seen{{PlanCode: "25skleb01", FQN: fqn, DC: "fra", Value: v}}})
	}
	if err := rec.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	<-changed
	msg := wait()
	if _, ok := msg.(radarChangedMsg); !ok {
		t.Fatalf("waiting for a change gave %T", msg)
	}
	// Within radarMinGap of the last read: marked, read at a later tick.
	next, _ := m.Update(msg)
	m = next.(Model)
	if !m.history.dirty || m.history.loading {
		t.Fatal("a change within radarMinGap was read at once, or not marked")
	}
	next, _ = m.Update(tickMsg{now: fixedNow.Add(radarMinGap)})
	m = next.(Model)
	if !m.history.loading {
		t.Fatal("the tick after radarMinGap did not read the changed history")
	}
	m = send(m, m.historyRead()().(historyMsg))
	if text := screenText(m); !strings.Contains(text, "in stock now") || !strings.Contains(text, ": 1 restock ") {
		t.Fatalf("the live restock is not shown:\n%s", text)
	}
}

// TestHistoryRefreshesWithTime: without any change said, the view reads
// its figures again every radarRefresh (its timeline ends now), not before.
func TestHistoryRefreshesWithTime(t *testing.T) {
	m := pressRead(t, historyModel(t, 80, 24, false), "H")
	next, _ := m.Update(tickMsg{now: fixedNow.Add(radarRefresh / 2)})
	m = next.(Model)
	if m.history.loading {
		t.Fatal("read again before radarRefresh with nothing changed")
	}
	next, _ = m.Update(tickMsg{now: fixedNow.Add(radarRefresh)})
	m = next.(Model)
	if !m.history.loading {
		t.Fatal("not read again after radarRefresh")
	}
}

// TestHistoryNarrow: the view fits any terminal, down to the smallest,
// with ? and q still on its help line.
func TestHistoryNarrow(t *testing.T) {
	for _, size := range []struct{ w, h int }{{20, 8}, {40, 10}, {60, 15}, {99, 30}, {100, 30}} {
		m := pressRead(t, historyModel(t, size.w, size.h, false), "H")
		lines := strings.Split(screenText(m), "\n")
		if len(lines) != max(size.h, 8) {
			t.Errorf("%dx%d: %d lines", size.w, size.h, len(lines))
		}
		for _, l := range lines {
			if w := ansi.StringWidth(l); w > max(size.w, 20) {
				t.Errorf("%dx%d: a line of %d cells: %q", size.w, size.h, w, l)
			}
		}
		if last := lines[len(lines)-1]; !strings.Contains(last, "?") || !strings.Contains(last, "q") {
			t.Errorf("%dx%d: help line %q", size.w, size.h, last)
		}
	}
}
