package order

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// Test data: a real plan of the IE catalog, sold in fra and gra.
const (
	simPlan = "25skleb01"
	simFQN  = "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme"
)

var simAddons = []string{"softraid-2x450nvme-25skle", "bandwidth-300-25skle", "ram-32g-ecc-2400-25skle"}

// waitTimeout only bounds a test that would otherwise hang: every wait
// returns as soon as its event arrives. It is generous because CI runs the
// whole race suite at once on a machine that may be loaded many times over;
// a wait that gives up early fails a test that would have passed.
const waitTimeout = 2 * time.Minute

var (
	catOnce  sync.Once
	catBytes []byte
	catErr   error
)

func catalogJSON(t testing.TB) []byte {
	t.Helper()
	catOnce.Do(func() { catBytes, catErr = os.ReadFile("../testdata/eco-catalog-IE.json") })
	if catErr != nil {
		t.Fatal(catErr)
	}
	return catBytes
}

// fakeClock is a settable clock shared by the simulator and the engine.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now().UTC().Truncate(time.Second)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type simEnv struct {
	sim *ovhsim.Sim
	srv *httptest.Server
}

func newSim(t testing.TB, opts ovhsim.Options) *simEnv {
	t.Helper()
	return newSimOf(t, catalogJSON(t), opts)
}

// newSimOf is newSim on another catalog.
func newSimOf(t testing.TB, catalog []byte, opts ovhsim.Options) *simEnv {
	t.Helper()
	opts.NoPadding = true
	sim, err := ovhsim.New(catalog, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(sim)
	sim.Install(srv.Config)
	srv.Start()
	t.Cleanup(srv.Close)
	// Conformance: every request the engine sent validated against OVH's
	// schema, and so did every answer of the simulator.
	t.Cleanup(func() {
		for _, v := range sim.SchemaViolations() {
			t.Errorf("OVH schema violation: %s", v)
		}
	})
	return &simEnv{sim: sim, srv: srv}
}

func (s *simEnv) client(t testing.TB) *ovhapi.OVHClient {
	t.Helper()
	cl, err := ovh.NewClient(s.srv.URL+"/1.0", "sim-app-key", "sim-app-secret", "sim-consumer-key")
	if err != nil {
		t.Fatal(err)
	}
	// No test waits for these timeouts to fire (a held request is released
	// by the test, or cancelled with the engine); they only bound a call,
	// and a loaded CI machine can take seconds to answer one: a timed-out
	// poll or checkout would add an API error or an unclear outcome the test
	// does not expect.
	return ovhapi.NewOVHClient(cl, ovhapi.ClientOptions{CallTimeout: time.Minute, CheckoutTimeout: time.Minute})
}

// setAvailabilities sets fqn's availability in several DCs at once: no poll
// sees one changed without the others (two SetAvailability calls leave a
// window a poll can fall in, however short, when the test goroutine waits
// to be scheduled). dcValues pairs a DC with its value.
func (s *simEnv) setAvailabilities(fqn string, dcValues ...string) {
	var steps []ovhsim.Step
	for i := 0; i+1 < len(dcValues); i += 2 {
		steps = append(steps, ovhsim.Step{FQN: fqn, DC: dcValues[i], Value: dcValues[i+1]})
	}
	s.sim.SetTimeline(steps) // steps due now are applied at once, under the simulator's lock
}

// requests returns the simulator's requests matching method and a path suffix.
func (s *simEnv) requests(method, suffix string) []ovhsim.Request {
	var out []ovhsim.Request
	for _, r := range s.sim.Requests() {
		if (method == "" || r.Method == method) && strings.HasSuffix(r.Path, suffix) {
			out = append(out, r)
		}
	}
	return out
}

// entry builds one user_servers entry; mods edit it.
func entry(mods ...func(m map[string]any)) map[string]any {
	m := map[string]any{
		"planCode": simPlan, "fqn": simFQN, "skip_validate": false, "place_order": true, "autopay": true,
		"coupons": []string{},
		"datacenters": []map[string]string{
			{"region": "europe", "dedicated_datacenter": "fra"},
			{"region": "europe", "dedicated_datacenter": "gra"},
		},
		"labels":          map[string]string{"dedicated_os": "none_64.en"},
		"addon_planCodes": simAddons,
		"qty":             1, "ceiling_price": 50.0, "dc_carts": map[string]any{},
	}
	for _, f := range mods {
		f(m)
	}
	return m
}

func prefsJSON(t testing.TB, entries ...map[string]any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(map[string]any{"subsidiary": "IE", "user_servers": entries}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// harness runs one engine against a simulator and records its events.
type harness struct {
	t     testing.TB
	env   *simEnv
	path  string
	store *prefs.Store
	eng   *Engine
	api   *ovhapi.OVHClient

	mu     sync.Mutex
	evs    []Event
	cycles int // poll cycles completed
	notify chan struct{}

	cancel context.CancelFunc
	done   chan error
	closed chan struct{}
}

// harnessOpt is a func(*Config) or a func(*Engine) (run before Run starts).
type harnessOpt any

// startEngine writes content (unless nil: reuse the file at path) and runs an engine.
func startEngine(t testing.TB, env *simEnv, path string, content []byte, opts ...harnessOpt) *harness {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "preferences.json")
	}
	if content != nil {
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	store, err := prefs.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, env: env, path: path, store: store, api: env.client(t), notify: make(chan struct{}),
		done: make(chan error, 1), closed: make(chan struct{})}
	cfg := Config{API: h.api, Store: store, Poll: 20 * time.Millisecond, Endpoint: env.srv.URL + "/1.0",
		LookUpRetries: []time.Duration{time.Millisecond}}
	for _, o := range opts {
		if f, ok := o.(func(*Config)); ok {
			f(&cfg)
		}
	}
	h.eng = New(cfg)
	h.eng.minPoll = time.Millisecond
	h.eng.cycleHook = func() {
		h.mu.Lock()
		h.cycles++
		close(h.notify)
		h.notify = make(chan struct{})
		h.mu.Unlock()
	}
	for _, o := range opts {
		if f, ok := o.(func(*Engine)); ok {
			f(h.eng)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() {
		defer close(h.closed)
		for ev := range h.eng.Events() {
			h.mu.Lock()
			h.evs = append(h.evs, ev)
			close(h.notify)
			h.notify = make(chan struct{})
			h.mu.Unlock()
		}
	}()
	go func() { h.done <- h.eng.Run(ctx) }()
	t.Cleanup(h.stop)
	return h
}

// stop cancels the engine and waits for Run and the event stream to end.
func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("Run: %v", err)
		}
	case <-time.After(waitTimeout):
		h.t.Fatal("Run did not return")
	}
	<-h.closed
	h.cancel = nil
	h.store.Close()
}

// wait returns the first event (from the start) matching pred.
func (h *harness) wait(what string, pred func(Event) bool) Event {
	h.t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	seen := 0
	for {
		h.mu.Lock()
		evs := h.evs
		ch := h.notify
		h.mu.Unlock()
		for _, ev := range evs[seen:] {
			if pred(ev) {
				return ev
			}
		}
		if seen > 0 && len(evs) == seen && pred(evs[seen-1]) {
			return evs[seen-1]
		}
		seen = len(evs)
		select {
		case <-ch:
		case <-h.closed:
			h.mu.Lock()
			n := len(h.evs)
			h.mu.Unlock()
			if n == seen {
				h.t.Fatalf("event stream closed while waiting for %s; events:\n%s", what, h.dump())
			}
		case <-deadline.C:
			h.t.Fatalf("timeout waiting for %s; events:\n%s", what, h.dump())
		}
	}
}

// count returns how many events so far match pred.
func (h *harness) count(pred func(Event) bool) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, ev := range h.evs {
		if pred(ev) {
			n++
		}
	}
	return n
}

// waitPolls waits for n more poll cycles (a cycle with nothing to poll counts).
func (h *harness) waitPolls(n int) {
	h.t.Helper()
	h.mu.Lock()
	start := h.cycles
	h.mu.Unlock()
	h.wait(fmt.Sprintf("%d poll cycles", n), func(Event) bool { return h.cyclesNow() >= start+n })
}

func (h *harness) cyclesNow() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.cycles
}

func (h *harness) countLocked(pred func(Event) bool) int { return h.count(pred) }

func (h *harness) dump() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b strings.Builder
	for _, ev := range h.evs {
		if _, ok := ev.(PollOK); ok {
			continue
		}
		fmt.Fprintf(&b, "  %T %s\n", ev, ev.Message())
	}
	return b.String()
}

// file reads the preferences from disk.
func (h *harness) file() *prefs.File {
	h.t.Helper()
	f, err := prefs.Load(h.path)
	if err != nil {
		h.t.Fatal(err)
	}
	return f
}

func isA[T Event](ev Event) bool { _, ok := ev.(T); return ok }

func cartReadyIn(dc string) func(Event) bool {
	return func(ev Event) bool { c, ok := ev.(CartReady); return ok && c.DC == dc }
}

// waitCarts waits for a ready cart in each dc and returns their ids.
func (h *harness) waitCarts(dcs ...string) map[string]string {
	h.t.Helper()
	out := map[string]string{}
	for _, dc := range dcs {
		out[dc] = h.wait("cart ready in "+dc, cartReadyIn(dc)).(CartReady).CartID
	}
	return out
}

// buyAnother re-arms the entry with key (Engine.BuyAnother) once it is no
// longer busy: OrderPlaced and NeedsDecision are emitted before the
// checkout's or the look-up's goroutine ends, and until it ends the entry
// is refused as in flight or being looked up. Tried again each poll cycle,
// however many that takes on a loaded machine; the deadline only bounds a
// goroutine that never ends.
func (h *harness) buyAnother(key string, qty int) error {
	h.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		err := h.eng.BuyAnother(context.Background(), key, qty)
		busy := err != nil && (strings.Contains(err.Error(), "in flight") || strings.Contains(err.Error(), "being looked up"))
		if !busy || time.Now().After(deadline) {
			return err
		}
		h.waitPolls(1)
	}
}

func (h *harness) waitOrder() OrderPlaced {
	h.t.Helper()
	return h.wait("order placed", isA[OrderPlaced]).(OrderPlaced)
}
