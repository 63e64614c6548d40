package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

// actionWords are what a row says when Decide acts in its DC.
var actionWords = map[order.ActionKind]string{
	order.ActCheckout:   "ORDERING NOW",
	order.ActDryRun:     "dry run now",
	order.ActRetire:     "over ceiling: retiring",
	order.ActBuildCart:  "orderable: building cart",
	order.ActRevalidate: "orderable: re-reading price",
}

// rowOf returns the dashboard line of entry 0 in dc.
func rowOf(t *testing.T, screen string, dc string) string {
	t.Helper()
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, " "+dc+" ") && (strings.HasPrefix(l, "▸") || strings.HasPrefix(l, "▏")) {
			return l
		}
	}
	t.Fatalf("no row for %s in\n%s", dc, screen)
	return ""
}

// TestDashboardAgreesWithDecide walks the cases of Decide's table: for each,
// what the dashboard shows must be what Decide does, in the DC it does it,
// and nothing that spends money when Decide does nothing.
func TestDashboardAgreesWithDecide(t *testing.T) {
	h240, h1 := 240, 1
	cases := []struct {
		name string
		edit func(s *prefs.Server)
		sc   scenario
	}{
		{"nothing available", nil, scenario{avail: av("unavailable", "unknown")}},
		{"orderable, cart ready, within ceiling", nil, scenario{avail: av("", "1H-low"), carts: carts(0, 19_00000000, time.Minute)}},
		{"price equal to the ceiling", nil, scenario{avail: av("1H-high", ""), carts: carts(20_00000000, 0, time.Minute)}},
		{"one ucent over the ceiling", nil, scenario{avail: av("1H-high", ""), carts: carts(20_00000001, 0, time.Minute)}},
		{"first listed orderable DC wins", nil, scenario{avail: av("72H", "1H-high"), carts: carts(1, 1, time.Minute)}},
		{"first orderable DC without cart is built", nil, scenario{avail: av("24H", "1H-high"), carts: carts(0, 1, time.Minute)}},
		{"120H over the default 72H", nil, scenario{avail: av("120H", "240H"), carts: carts(1, 1, time.Minute)}},
		{"120H within max_delivery_hours 240", func(s *prefs.Server) { s.MaxDeliveryHours = &h240 }, scenario{avail: av("120H", ""), carts: carts(1, 0, time.Minute)}},
		{"max_delivery_hours 1 refuses 24H", func(s *prefs.Server) { s.MaxDeliveryHours = &h1 }, scenario{avail: av("24H", "1H-low"), carts: carts(1, 1, time.Minute)}},
		{"unknown future value", nil, scenario{avail: av("1H-medium", "soon"), carts: carts(1, 0, time.Minute)}},
		{"stale validation", nil, scenario{avail: av("1H-high", ""), carts: carts(1, 0, order.MaxValidationAge+time.Second)}},
		{"never validated", nil, scenario{avail: av("1H-high", ""), carts: carts(1, 0, 0)}},
		{"skip_validate", func(s *prefs.Server) { s.SkipValidate = true }, scenario{avail: av("1H-high", ""), carts: carts(999_00000000, 0, 0)}},
		{"place_order off: dry run", func(s *prefs.Server) { s.PlaceOrder = false }, scenario{avail: av("1H-high", ""), carts: carts(1, 0, time.Minute)}},
		{"place_order off over ceiling retires", func(s *prefs.Server) { s.PlaceOrder = false }, scenario{avail: av("1H-high", ""), carts: carts(21_00000000, 0, time.Minute)}},
		{"latched", func(s *prefs.Server) { s.OrderAttempted, s.Qty, s.OrderAttemptedQty = true, 0, 1 }, scenario{avail: av("1H-high", ""), carts: carts(1, 0, time.Minute)}},
		{"ordered", func(s *prefs.Server) { s.OrderID, s.Qty = 42, 0 }, scenario{avail: av("1H-high", ""), carts: carts(1, 0, time.Minute)}},
		{"qty 0", func(s *prefs.Server) { s.Qty = 0 }, scenario{avail: av("1H-high", ""), carts: carts(1, 0, time.Minute)}},
		{"invalid entry", nil, scenario{avail: av("1H-high", ""), carts: carts(1, 0, time.Minute), blocked: map[int]string{0: "qty: must be >= 0"}}},
		{"checkout in flight", nil, scenario{avail: av("1H-high", ""), carts: carts(1, 0, time.Minute), inFlight: map[int]bool{0: true}}},
		{"cart built for another qty", nil, scenario{avail: av("1H-high", ""), carts: map[int]map[string]testCart{0: {"fra": {1, time.Minute, 30 * 24 * time.Hour, true}}}}},
		{"expired cart", nil, scenario{avail: av("1H-high", ""), carts: map[int]map[string]testCart{0: {"fra": {1, time.Minute, -time.Second, false}}}}},
		{"fra cooling down falls to gra", nil, scenario{avail: av("1H-high", "1H-high"), carts: carts(1, 1, time.Minute), cooldown: map[int]map[string]time.Time{0: {"fra": fixedNow.Add(time.Second)}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			store := openStore(t, "testdata/dashboard-prefs.json")
			f := store.Snapshot()
			f.Servers = f.Servers[:1] // KS-LE-B in fra then gra, qty 1, ceiling 20.00, place_order on
			if tc.edit != nil {
				tc.edit(&f.Servers[0])
			}
			in := order.DecideInput{File: f, Now: fixedNow}
			ev := engineStates(f, tc.sc)
			// What the engine would do, straight from Decide.
			in.Avail, in.Carts, in.InFlight, in.Blocked, in.Cooldown = decideInputs(f, tc.sc)
			acts := order.Decide(in)

			m := New(testDeps(t, store))
			m.base, m.file = f, f
			m = send(m, tea.WindowSizeMsg{Width: 200, Height: 30}, eventsMsg{events: []order.Event{ev}, now: fixedNow})
			screen := screenText(m)
			for _, dc := range []string{"fra", "gra"} {
				row := rowOf(t, screen, dc)
				var want order.ActionKind
				if len(acts) == 1 && acts[0].DC == dc {
					want = acts[0].Kind
				}
				for kind, words := range actionWords {
					if has := strings.Contains(row, words); has != (kind == want) {
						t.Errorf("Decide: %v (%+v); the %s row says %q:\n%s", want, acts, dc, words, row)
					}
				}
			}
		})
	}
}

// av is the availability of entry 0 in fra and gra ("" for none).
func av(fra, gra string) map[int]map[string]string {
	m := map[string]string{}
	if fra != "" {
		m["fra"] = fra
	}
	if gra != "" {
		m["gra"] = gra
	}
	return map[int]map[string]string{0: m}
}

// carts are ready carts of entry 0 in fra and gra at these prices (0: no
// cart), validated ago.
func carts(fra, gra int64, ago time.Duration) map[int]map[string]testCart {
	m := map[string]testCart{}
	if fra != 0 {
		m["fra"] = testCart{fra, ago, 30 * 24 * time.Hour, false}
	}
	if gra != 0 {
		m["gra"] = testCart{gra, ago, 30 * 24 * time.Hour, false}
	}
	return map[int]map[string]testCart{0: m}
}

// decideInputs builds Decide's maps for f in scenario sc, as engineStates does.
func decideInputs(f *prefs.File, sc scenario) (map[order.AvailKey]string, map[order.CartKey]order.CartState, map[string]bool, map[string]string, map[order.CartKey]time.Time) {
	ev := engineStates(f, sc)
	avail := map[order.AvailKey]string{}
	cs := map[order.CartKey]order.CartState{}
	inFlight := map[string]bool{}
	blocked := map[string]string{}
	cool := map[order.CartKey]time.Time{}
	for i, v := range ev.Entries {
		s := f.Servers[i]
		for _, d := range v.DCs {
			if d.Avail != "" {
				avail[order.AvailKey{FQN: s.FQN, DC: d.DC}] = d.Avail
			}
			if d.HasCart {
				cs[order.CartKey{Entry: v.Key, DC: d.DC}] = d.Cart
			}
			if !d.CoolingUntil.IsZero() {
				cool[order.CartKey{Entry: v.Key, DC: d.DC}] = d.CoolingUntil
			}
		}
		if sc.inFlight[i] {
			inFlight[v.Key] = true
		}
		if why, ok := sc.blocked[i]; ok {
			blocked[v.Key] = why
		}
	}
	return avail, cs, inFlight, blocked, cool
}
