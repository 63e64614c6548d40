package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/ovhtui/ovhtui/history"
)

// fakeRadar serves fixed figures of the restock radar.
type fakeRadar struct {
	offers  map[string]history.Stock
	entries map[radarKey]history.Stock
}

func (f fakeRadar) Offers(context.Context, string, time.Time) (map[string]history.Stock, error) {
	return f.offers, nil
}

func (f fakeRadar) StockOf(_ context.Context, flt history.Filter, _ time.Time) (history.Stock, error) {
	return f.entries[radarKey{flt.FQN, flt.DC}], nil
}

func (f fakeRadar) Stats(context.Context, history.Filter, time.Time, ...*time.Location) (history.Stats, error) {
	return history.Stats{}, nil
}

func (f fakeRadar) Timeline(context.Context, history.Filter, time.Time) ([]history.DCLine, error) {
	return nil, nil
}

func (f fakeRadar) Changed() <-chan struct{} { return nil }

func testRadar() fakeRadar {
	ago := func(d time.Duration) time.Time { return fixedNow.Add(-d) }
	return fakeRadar{
		offers: map[string]history.Stock{
			"25skleb01": {Seen: true, LastIn: ago(72*time.Hour + 12*time.Minute), LastOut: ago(72 * time.Hour), Restocks: 9},
			"24sk50":    {Seen: true, Best: "1H-high", BestDC: "rbx", LastIn: ago(20 * time.Minute), Restocks: 31},
			"24rise01":  {Seen: true, Restocks: 0},
			"25sklea01": {Seen: true, LastIn: ago(50 * time.Hour), LastOut: ago(49 * time.Hour), Restocks: 2},
		},
		entries: map[radarKey]history.Stock{
			{"25skleb01.ram-32g-ecc-2400.softraid-2x450nvme", "fra"}: {Seen: true, LastIn: ago(72*time.Hour + 12*time.Minute), LastOut: ago(72 * time.Hour)},
			{"25skleb01.ram-32g-ecc-2400.softraid-2x450nvme", "gra"}: {Seen: true},
		},
	}
}

// radarModel is the goldens' dashboard with the radar's figures read.
func radarModel(t *testing.T, w, h int) Model {
	t.Helper()
	store := openStore(t, "testdata/dashboard-prefs.json")
	d := testDeps(t, store)
	d.History = testRadar()
	m := New(d)
	m = send(m, tea.WindowSizeMsg{Width: w, Height: h})
	m = send(m, eventsMsg{events: dashboardEvents(m.file), now: fixedNow})
	cmd := m.radarCmd()
	if cmd == nil {
		t.Fatal("no radar read")
	}
	return send(m, cmd())
}

func TestRadarGolden(t *testing.T) {
	screens := []struct {
		name string
		keys []string
	}{
		{"dashboard", nil},
		{"browser", []string{"/"}},
		{"browser_in_stock_first", []string{"/", "ctrl+s", "ctrl+s", "ctrl+s"}},
		{"browser_in_stock_only", []string{"/", "ctrl+o"}},
		{"browser_restocks", []string{"/", "ctrl+s", "ctrl+s", "ctrl+s", "ctrl+s"}},
	}
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		for _, sc := range screens {
			t.Run(sc.name+"_"+itoa(size.w)+"x"+itoa(size.h), func(t *testing.T) {
				m := radarModel(t, size.w, size.h)
				m = send(m, press(sc.keys...)...)
				golden.RequireEqual(t, screenText(m))
			})
		}
	}
}

// TestRadarBrowserOrders: the radar's sort orders and filter do what they
// say on the list itself.
func TestRadarBrowserOrders(t *testing.T) {
	m := radarModel(t, 120, 40)
	m = send(m, press("/", "ctrl+s", "ctrl+s", "ctrl+s")...)
	b := m.browser
	if b.sortBy != sortInStock || b.rows[b.shown[0]].offer.PlanCode != "24sk50" || b.rows[b.shown[1]].offer.PlanCode != "25sklea01" {
		t.Fatalf("in-stock order starts with %s, %s", b.rows[b.shown[0]].offer.PlanCode, b.rows[b.shown[1]].offer.PlanCode)
	}
	m = send(m, press("ctrl+s")...)
	if b := m.browser; b.sortBy != sortRestocks || b.rows[b.shown[0]].offer.PlanCode != "24sk50" {
		t.Fatalf("restocks order starts with %s", b.rows[b.shown[0]].offer.PlanCode)
	}
	m = send(m, press("ctrl+o")...)
	if b := m.browser; len(b.shown) != 1 || b.rows[b.shown[0]].offer.PlanCode != "24sk50" {
		t.Fatalf("in stock only shows %d offers", len(b.shown))
	}
	if !strings.Contains(screenText(m), "1H-high rbx") {
		t.Fatal("the stock now is not shown")
	}
}

func TestLastInStockNote(t *testing.T) {
	m := radarModel(t, 200, 50)
	if !strings.Contains(screenText(m), "last in stock 3d ago for 12 min") {
		t.Fatalf("no dashboard line:\n%s", screenText(m))
	}
}

func TestNoRadarNoColumn(t *testing.T) {
	m := dashboardModel(t, 120, 40)
	m = send(m, press("/")...)
	if strings.Contains(screenText(m), "last in stock") || m.radarCmd() != nil {
		t.Fatal("radar shown without a radar")
	}
}
