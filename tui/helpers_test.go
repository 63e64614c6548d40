package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

// fixedNow is the clock of every test: goldens do not move.
var fixedNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

var (
	catOnce sync.Once
	catIE   *catalog.Catalog
	catErr  error
)

// testCatalog is the real IE catalog, parsed once.
func testCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	catOnce.Do(func() {
		data, err := os.ReadFile("../testdata/eco-catalog-IE.json")
		if err != nil {
			catErr = err
			return
		}
		catIE, catErr = catalog.Parse(data, catalog.ParseOptions{Subsidiary: "IE", FetchedAt: fixedNow.Add(-5 * time.Minute)})
	})
	if catErr != nil {
		t.Fatalf("catalog: %v", catErr)
	}
	return catIE
}

// openStore opens a Store on a temp copy of src.
func openStore(t testing.TB, src string) *prefs.Store {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "preferences.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := prefs.Open(path, nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// testDeps are deps with a fixed clock, the IE catalog and canned
// availability.
func testDeps(t testing.TB, store *prefs.Store) Deps {
	cat := testCatalog(t)
	return Deps{
		Store:      store,
		Catalog:    func() *catalog.Catalog { return cat },
		Endpoint:   "ovh-eu",
		Subsidiary: "IE",
		Poll:       3 * time.Second,
		Now:        func() time.Time { return fixedNow },
		Availability: func(_ context.Context, plan string) (map[string]map[string]string, error) {
			return map[string]map[string]string{
				plan + ".ram-32g-ecc-2400.softraid-2x450nvme": {"fra": "1H-high", "gra": "unavailable"},
				plan + ".ram-32g-ecc-2400.softraid-2x2000sa":  {"fra": "72H", "gra": "comingSoon"},
			}, nil
		},
	}
}

// send applies messages to a model and returns it.
func send(m Model, msgs ...tea.Msg) Model {
	for _, msg := range msgs {
		next, _ := m.Update(msg)
		m = next.(Model)
	}
	return m
}

// press builds key presses from key names ("p", "enter", "esc", "+").
func press(keys ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range keys {
		switch k {
		case "enter":
			out = append(out, tea.KeyPressMsg{Code: tea.KeyEnter})
		case "esc":
			out = append(out, tea.KeyPressMsg{Code: tea.KeyEscape})
		case "tab":
			out = append(out, tea.KeyPressMsg{Code: tea.KeyTab})
		case "shift+tab":
			out = append(out, tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
		case "up":
			out = append(out, tea.KeyPressMsg{Code: tea.KeyUp})
		case "down":
			out = append(out, tea.KeyPressMsg{Code: tea.KeyDown})
		case "left":
			out = append(out, tea.KeyPressMsg{Code: tea.KeyLeft})
		case "right":
			out = append(out, tea.KeyPressMsg{Code: tea.KeyRight})
		case "space":
			out = append(out, tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
		case "backspace":
			out = append(out, tea.KeyPressMsg{Code: tea.KeyBackspace})
		case "pgup":
			out = append(out, tea.KeyPressMsg{Code: tea.KeyPgUp})
		default:
			r := []rune(k)
			out = append(out, tea.KeyPressMsg{Code: r[0], Text: k})
		}
	}
	return out
}

// typeText builds key presses for each rune of s.
func typeText(s string) []tea.Msg {
	var out []tea.Msg
	for _, r := range s {
		out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return out
}

// screenText is the view without escape sequences, trailing spaces trimmed.
func screenText(m Model) string {
	lines := strings.Split(ansi.Strip(m.View().Content), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// scenario is what the engine knows, for engineStates: availability,
// carts (price in ucents, validated ago) and status reports, by entry index
// and DC.
type scenario struct {
	avail    map[int]map[string]string
	availAgo map[int]time.Duration // when avail was read, ago (default 2s)
	carts    map[int]map[string]testCart
	status   map[int]map[string]order.Status
	details  map[int]map[string]string
	inFlight map[int]bool
	checkout map[int]string // DC of the checkout in flight
	blocked  map[int]string
	cooldown map[int]map[string]time.Time
	notes    map[int]string
}

// testCart is a ready cart for engineStates.
type testCart struct {
	price     int64
	validated time.Duration // ago; 0: never
	expires   time.Duration // from now
	stale     bool          // built for other settings
}

// engineStates is what the engine publishes for f in scenario sc, computed
// by order.EntryStates (Decide), as the engine does.
func engineStates(f *prefs.File, sc scenario) order.EntryStatesChanged {
	in := order.DecideInput{File: f, Now: fixedNow, Avail: map[order.AvailKey]string{}, Carts: map[order.CartKey]order.CartState{},
		InFlight: map[string]bool{}, Blocked: map[string]string{}, Cooldown: map[order.CartKey]time.Time{}}
	status := map[order.CartKey]order.Status{}
	details := map[order.CartKey]string{}
	notes := map[string]string{}
	acting := map[string]order.Action{}
	availAt := map[order.AvailKey]time.Time{}
	for i, s := range f.Servers {
		key := s.Key()
		for dc, v := range sc.avail[i] {
			in.Avail[order.AvailKey{FQN: s.FQN, DC: dc}] = v
			ago, ok := sc.availAgo[i]
			if !ok {
				ago = 2 * time.Second
			}
			availAt[order.AvailKey{FQN: s.FQN, DC: dc}] = fixedNow.Add(-ago)
		}
		for dc, c := range sc.carts[i] {
			cs := order.CartState{CartID: "cart-" + dc, Ready: true, Fingerprint: order.Fingerprint(f.Subsidiary, s, dc),
				Price: money.Amount{Ucents: c.price, Currency: "EUR"}, Expire: fixedNow.Add(c.expires)}
			if c.validated > 0 {
				cs.ValidatedAt = fixedNow.Add(-c.validated)
			}
			if c.stale {
				cs.Fingerprint = "other"
			}
			in.Carts[order.CartKey{Entry: key, DC: dc}] = cs
		}
		for dc, st := range sc.status[i] {
			status[order.CartKey{Entry: key, DC: dc}] = st
		}
		for dc, d := range sc.details[i] {
			details[order.CartKey{Entry: key, DC: dc}] = d
		}
		for dc, u := range sc.cooldown[i] {
			in.Cooldown[order.CartKey{Entry: key, DC: dc}] = u
		}
		if sc.inFlight[i] {
			in.InFlight[key] = true
		}
		if dc, ok := sc.checkout[i]; ok {
			in.InFlight[key] = true
			acting[key] = order.Action{Kind: order.ActCheckout, Entry: key, DC: dc}
		}
		if why, ok := sc.blocked[i]; ok {
			in.Blocked[key] = why
		}
		if n, ok := sc.notes[i]; ok {
			notes[key] = n
		}
	}
	return order.EntryStatesChanged{Base: order.Base{Time: fixedNow}, Entries: order.EntryStates(in, order.Reports{Status: status, Details: details, Notes: notes, Acting: acting,
		AvailAt: availAt, FreshFor: 6 * time.Second})}
}

// dashboardScenario goes with dashboardEvents.
func dashboardScenario() scenario {
	month := 29*24*time.Hour + 5*time.Hour
	return scenario{
		avail: map[int]map[string]string{
			0: {"fra": "unavailable", "gra": "720H"},
			1: {"rbx": "2160H", "sbg": "comingSoon", "bhs": "unknown"},
			3: {"rbx": "1H-low"},
		},
		availAgo: map[int]time.Duration{3: 12 * time.Minute}, // read before the order
		carts: map[int]map[string]testCart{
			// Validated within order.MaxValidationAge (60 s): prices shown as fresh.
			0: {"fra": {1998000000, time.Minute, month, false}, "gra": {1998000000, time.Minute, 7*time.Minute + 12*time.Second, false}},
			1: {"rbx": {10396000000, 50 * time.Second, month, false}},
		},
		status:  map[int]map[string]order.Status{1: {"bhs": order.StatusError}},
		details: map[int]map[string]string{1: {"bhs": "cart creation refused: 400 Invalid subsidiary"}},
	}
}

// dashboardEvents is a realistic burst of engine reports for
// testdata/dashboard-prefs.json, ending with the engine's published state.
func dashboardEvents(f *prefs.File) []order.Event {
	key := func(i int) string { return f.Servers[i].Key() }
	at := func(d time.Duration) time.Time { return fixedNow.Add(-d) }
	eur := func(u int64) money.Amount { return money.Amount{Ucents: u, Currency: "EUR"} }
	return []order.Event{
		order.Info{Base: order.Base{Time: at(10 * time.Minute)}, Text: "engine started: 4 entries, poll 3s", Sev: 0},
		order.AvailabilityChanged{Base: order.Base{Time: at(9 * time.Minute), Entry: key(0), DC: "fra"}, FQN: f.Servers[0].FQN, New: "unavailable"},
		order.AvailabilityChanged{Base: order.Base{Time: at(9 * time.Minute), Entry: key(0), DC: "gra"}, FQN: f.Servers[0].FQN, New: "720H"},
		order.CartReady{Base: order.Base{Time: at(8 * time.Minute), Entry: key(0), DC: "fra"}, CartID: "c-fra-1", Expire: fixedNow.Add(29*24*time.Hour + 5*time.Hour), Price: eur(1998000000), Ceiling: eur(2000000000)},
		order.CartReady{Base: order.Base{Time: at(8 * time.Minute), Entry: key(0), DC: "gra"}, CartID: "c-gra-1", Expire: fixedNow.Add(7*time.Minute + 12*time.Second), Price: eur(1998000000), Ceiling: eur(2000000000)},
		order.AvailabilityChanged{Base: order.Base{Time: at(7 * time.Minute), Entry: key(1), DC: "rbx"}, FQN: f.Servers[1].FQN, New: "2160H"},
		order.AvailabilityChanged{Base: order.Base{Time: at(7 * time.Minute), Entry: key(1), DC: "sbg"}, FQN: f.Servers[1].FQN, New: "comingSoon"},
		order.AvailabilityChanged{Base: order.Base{Time: at(7 * time.Minute), Entry: key(1), DC: "bhs"}, FQN: f.Servers[1].FQN, New: "unknown"},
		order.PriceOverCeiling{Base: order.Base{Time: at(6 * time.Minute), Entry: key(1), DC: "rbx"}, Price: eur(10396000000), Ceiling: eur(9000000000)},
		order.StatusChanged{Base: order.Base{Time: at(6 * time.Minute), Entry: key(1), DC: "bhs"}, Status: order.StatusError, Detail: "cart creation refused: 400 Invalid subsidiary"},
		order.NeedsDecision{Base: order.Base{Time: at(2 * time.Minute), Entry: key(2)}, Reason: "checkout in gra timed out; no matching order in /me/order"},
		order.APIError{Base: order.Base{Time: at(40 * time.Second)}, Call: "GET /dedicated/server/datacenter/availabilities", Err: "503 Service Unavailable", RetryAfter: 2 * time.Second},
		order.PollOK{Base: order.Base{Time: at(2 * time.Second)}, Duration: 180 * time.Millisecond, Entries: 3},
		engineStates(f, dashboardScenario()),
	}
}

// runCmd runs cmd and the commands of any batch it returns, and returns
// their messages. Only for commands that do not wait (no ticks).
func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runCmd(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}
