package order

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ovh/go-ovh/ovh"
	"github.com/ovhtui/ovhtui/budget"
	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// The request budget measured: an engine watching n plans at --poll 1s
// with the default budget (120/min) runs against ovhsim in a synctest
// bubble (virtual time; the client reaches the simulator over in-memory
// pipes), and the unsigned requests the simulator saw are counted per
// minute. Run with -v to print the figures:
//
//	go test -run TestIdleRequestsPerMinute -v ./order/

// pipeListener is a net.Listener whose connections are in-memory pipes
// (durably blocking in a synctest bubble, unlike sockets).
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80} }

func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-l.closed:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// idleRate runs n watched plans for minutes of virtual time and returns
// the unsigned requests per minute after the first minute, the most polls
// sent within one second, and the engine's last PollPacing.
func idleRate(t *testing.T, n, perMin int, minutes int) (float64, int, PollPacing) {
	var rate float64
	burst := 0
	var pace PollPacing
	synctest.Test(t, func(t *testing.T) {
		sim, err := ovhsim.New(catalogJSON(t), ovhsim.Options{NoPadding: true})
		if err != nil {
			t.Fatal(err)
		}
		ln := newPipeListener()
		srv := &http.Server{Handler: sim}
		go srv.Serve(ln)
		defer func() {
			srv.Close()
			ln.Close()
		}()
		cl, err := ovh.NewClient("http://ovhsim/1.0", "sim-app-key", "sim-app-secret", "sim-consumer-key")
		if err != nil {
			t.Fatal(err)
		}
		api := ovhapi.NewOVHClient(cl, ovhapi.ClientOptions{CallTimeout: 5 * time.Second})
		api.Transport().DialContext = ln.dial

		var entries []map[string]any
		for _, o := range watchOffers(t, n) {
			var addons []string
			for _, f := range o.Families {
				if f.Mandatory && f.Default != "" {
					addons = append(addons, f.Default)
				}
			}
			var dcs []map[string]string
			for _, dc := range o.Datacenters[:min(2, len(o.Datacenters))] {
				dcs = append(dcs, map[string]string{"region": o.Regions[0], "dedicated_datacenter": dc})
			}
			entries = append(entries, entry(func(m map[string]any) {
				m["planCode"], m["fqn"], m["place_order"], m["addon_planCodes"] = o.PlanCode, o.Variants[0].FQN, false, addons
				m["datacenters"] = dcs
			}))
		}
		path := filepath.Join(t.TempDir(), "preferences.json")
		if err := os.WriteFile(path, prefsJSON(t, entries...), 0o600); err != nil {
			t.Fatal(err)
		}
		store, err := prefs.Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		eng := New(Config{API: api, Store: store, Poll: time.Second, Budget: budget.New(perMin, nil)})
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			for range eng.Events() {
			}
		}()
		done := make(chan error, 1)
		go func() { done <- eng.Run(ctx) }()

		time.Sleep(time.Minute) // warm up: every plan polled, phases spread
		// The window is [from, to) on the bubble's clock, read from each
		// request's time, not from when this goroutine reset and read the
		// log: when the clock reaches a window's edge, this goroutine and
		// the engine's wake together, and which runs first is up to the
		// scheduler (a recheck due at the very end instant was counted or
		// not as it happened).
		from := time.Now()
		to := from.Add(time.Duration(minutes) * time.Minute)
		time.Sleep(to.Sub(from) + time.Second)
		var reqs []ovhsim.Request
		for _, r := range sim.Requests() {
			if !r.Time.Before(from) && r.Time.Before(to) {
				reqs = append(reqs, r)
			}
		}
		pace = eng.Pacing()
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
		unsigned := 0
		kinds := map[string]int{}
		var polls []time.Time
		for _, r := range reqs {
			if !r.Signed {
				unsigned++
				kinds[r.Method+" "+pathPattern(r.Path)]++
			}
			if strings.HasSuffix(r.Path, "/availabilities") {
				polls = append(polls, r.Time)
			}
		}
		for i := range polls {
			j := i
			for j < len(polls) && polls[j].Sub(polls[i]) < time.Second {
				j++
			}
			burst = max(burst, j-i)
		}
		t.Logf("requests in %d minutes: %v", minutes, kinds)
		rate = float64(unsigned) / float64(minutes)
	})
	return rate, burst, pace
}

// pathPattern writes a cart id or number in p as {id}.
func pathPattern(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if i > 0 && (parts[i-1] == "cart" || parts[i-1] == "item" || parts[i-1] == "configuration") {
			parts[i] = "{id}"
		} else if s != "" && strings.Trim(s, "0123456789") == "" {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

// watchOffers returns n offers of the test catalog sold somewhere.
func watchOffers(t *testing.T, n int) []*catalog.Offer {
	cat, err := catalog.Parse(catalogJSON(t), catalog.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []*catalog.Offer
	for _, o := range cat.Offers {
		if len(out) < n && len(o.Datacenters) > 0 && len(o.Regions) > 0 && len(o.Variants) > 0 {
			out = append(out, o)
		}
	}
	if len(out) < n {
		t.Fatalf("the catalog has %d offers, want %d", len(out), n)
	}
	return out
}

func TestIdleRequestsPerMinute(t *testing.T) {
	for _, c := range []struct {
		plans int
		first time.Duration // the interval before any cart is ready
	}{
		{1, time.Second},
		{5, 2500 * time.Millisecond},
		{6, 3 * time.Second},
		{20, 10 * time.Second},
	} {
		t.Run(fmt.Sprintf("%d plans", c.plans), func(t *testing.T) {
			rate, burst, pace := idleRate(t, c.plans, budget.DefaultPerMin, 3)
			t.Logf("%2d plans at --poll 1s, 2 DCs each, budget %d/min: %.1f unsigned requests/min at idle, at most %d polls in a second; %q",
				c.plans, budget.DefaultPerMin, rate, burst, pace.Text)
			if burst > 2 {
				t.Errorf("%d polls within one second: not spread over the interval", burst)
			}
			if pace.Plans != c.plans || pace.Interval < c.first {
				t.Errorf("pacing %+v, want %d plans every %s or more", pace, c.plans, c.first)
			}
			if c.plans == 1 && pace.Interval != time.Second {
				t.Errorf("one plan polled every %s, want 1s (the default budget keeps it)", pace.Interval)
			}
			if rate > budget.DefaultPerMin+1 {
				t.Errorf("%.1f requests/min, budget %d", rate, budget.DefaultPerMin)
			}
			if !strings.Contains(pace.Text, "budget 120/min") {
				t.Errorf("pacing text %q", pace.Text)
			}
		})
	}
}

// TestTooManyHalvesTheBudget: a 429 on a poll halves the budget and the
// engine says so (PollPacing, throttled), with the stretched interval.
func TestTooManyHalvesTheBudget(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	env.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: "/dedicated/server/datacenter/availabilities", Status: 429,
		Body: `{"class":"Client::TooManyRequests","message":"Too many requests"}`, Times: 1})
	h := startEngine(t, env, "", prefsJSON(t, entry()), func(c *Config) {
		c.Poll = time.Second
		c.Budget = budget.New(120, nil)
	})
	h.wait("the start line with the pacing", func(ev Event) bool {
		i, ok := ev.(Info)
		return ok && i.Text == "engine started: 1 plan, budget 120/min: polled every 1s"
	})
	ev := h.wait("throttled pacing", func(ev Event) bool {
		p, ok := ev.(PollPacing)
		return ok && p.Budget.Throttled()
	}).(PollPacing)
	if ev.Budget.Effective != 60 || !strings.Contains(ev.Text, "halved") || !strings.Contains(ev.Text, "429") {
		t.Errorf("after a 429: %+v", ev)
	}
}
