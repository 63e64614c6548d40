package cli

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/budget"
	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/orderstate"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// pipeListener is a net.Listener whose connections are in-memory pipes,
// which block durably in a synctest bubble (sockets do not).
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

// renewNearest renews, and pays, the manual-renewal server that expires
// first, as screen S does, and returns its name.
func renewNearest(t *testing.T, ctx context.Context, acct *account.Client) string {
	t.Helper()
	servers, err := acct.Servers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var sv *account.Server
	for i := range servers {
		if servers[i].Manual() && (sv == nil || servers[i].Expiration.Before(sv.Expiration)) {
			sv = &servers[i]
		}
	}
	if sv == nil {
		t.Fatal("no manual-renewal server")
	}
	q, err := acct.RenewDryRun(ctx, sv.ServiceID, "P1M")
	if err != nil {
		t.Fatal(err)
	}
	res, err := acct.Renew(ctx, account.RenewRequest{ServiceID: sv.ServiceID, Service: sv.Name, Period: "P1M", Amount: q.WithTax})
	if err != nil {
		t.Fatal(err)
	}
	means, err := acct.PaymentMeans(ctx, res.OrderID)
	if err != nil || len(means) == 0 {
		t.Fatalf("payment means %v, %v", means, err)
	}
	if _, err := acct.Pay(ctx, account.PayRequest{OrderID: res.OrderID, Mean: means[0], Amount: res.WithTax}); err != nil {
		t.Fatal(err)
	}
	return sv.Name
}

// TestDemoTellsItsStory watches the demo for 10 minutes of virtual time
// (testing/synctest; the client reaches the simulator over in-memory
// pipes): the demo's simulator, preferences, engine setup and story, as
// `ovhtui --demo` wires them. Every 2-minute window shows a stock change,
// an order and a payment; an entry is retired over its ceiling and brought
// back; a manual-renewal server nears its expiry and is reminded of, and
// once the user renewed it the next one does; some
// entry is watched at every moment; every order link is the demo's.
func TestDemoTellsItsStory(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("10 minutes of the demo in virtual time")
	}
	const watch, window = 10 * time.Minute, 2 * time.Minute
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		ln := newPipeListener()
		sim, err := newDemoSim(nil, demoOrderURL(ln.Addr()))
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: sim}
		go srv.Serve(ln)
		dir := t.TempDir()
		path := filepath.Join(dir, "preferences.json")
		if err := os.WriteFile(path, []byte(demoPreferences), 0o600); err != nil {
			t.Fatal(err)
		}
		store, err := prefs.Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		a := newApp(Process{})
		cl, err := a.newSimClient("http://ovhsim/1.0")
		if err != nil {
			t.Fatal(err)
		}
		api := ovhapi.NewOVHClient(cl, ovhapi.ClientOptions{})
		api.Transport().DialContext = ln.dial
		src := catalog.NewSource(catalog.SourceOptions{Fetch: catalog.NewOVHFetcher(cl, 30*time.Second),
			CacheDir: filepath.Join(dir, "cache"), Endpoint: "ovhsim", Subsidiary: "IE"})
		acct := accountClient(api, path)
		eng := order.New(demoEngineConfig(order.Config{API: api, Store: store, Catalog: src, Poll: order.DefaultPoll,
			Endpoint: "ovhsim", Budget: budget.New(budget.DefaultPerMin, nil),
			UnpaidOrders: unpaidOrders(acct, store), ServerTerms: serverTerms(acct), DefaultPaymentMethod: api.DefaultPaymentMethod}))
		fqns := demoFQNs(store.Snapshot())
		story, stopStory := startDemoStory(sim, store, eng, func(k string) string { return entryName(store, src.Current(), k) }, fqns)
		events, heard := tapEvents(mergeEvents(eng.Events(), story.out), story.hear)

		ctx, cancel := context.WithTimeout(context.Background(), watch)
		defer cancel()
		go sim.RunDemo(ctx, fqns)
		done := make(chan error, 1)
		go func() { done <- eng.Run(ctx) }()

		// What the user sees, by 2-minute window.
		type seen struct{ stock, orders, reminders int }
		windows := make([]seen, watch/window)
		var retired, back, links, reminded []string
		slot := func(at time.Time) int { return min(int(at.Sub(start)/window), len(windows)-1) }
		drained := make(chan struct{})
		go func() {
			defer close(drained)
			for ev := range events {
				w := &windows[slot(time.Now())]
				switch e := ev.(type) {
				case order.AvailabilityChanged:
					w.stock++
				case order.OrderPlaced:
					w.orders++
					links = append(links, e.URL)
				case order.Reminder:
					if e.Kind == order.RemindRenewal {
						w.reminders++
						reminded = append(reminded, e.Server)
					}
				case order.PriceOverCeiling:
					if e.Retired {
						t.Logf("%s retired %s", time.Since(start).Round(time.Second), e.Entry)
						retired = append(retired, e.Entry)
					}
				case order.Info:
					if strings.HasPrefix(e.Text, "demo: ") {
						t.Logf("%s %s", time.Since(start).Round(time.Second), e.Text)
					}
					if strings.HasPrefix(e.Text, "demo: ") && strings.Contains(e.Text, " is back, watched again") {
						back = append(back, e.Text)
					}
				}
			}
		}()
		// Some entry is watched at every moment (never "nothing left to watch").
		// At minute 3 the user renews the server the story made near its
		// expiry, as screen S does: the story then brings the next one near.
		var unwatched []time.Duration
		renewed := ""
		for at := time.Duration(0); at < watch; at += 5 * time.Second {
			time.Sleep(5 * time.Second) // virtual time
			if at == 3*time.Minute {
				renewed = renewNearest(t, ctx, acct)
			}
			f := store.Snapshot()
			problems := prefs.EntryProblems(f, "ovhsim")
			watched := false
			for i, s := range f.Servers {
				watched = watched || s.Qty > 0 && len(problems[i]) == 0
			}
			if !watched {
				unwatched = append(unwatched, time.Since(start))
			}
		}
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("engine: %v", err)
		}
		stopStory()
		<-heard
		<-drained
		src.Wait()
		api.CloseIdleConnections()
		srv.Close()
		ln.Close()
		store.Close()

		// Payments: the simulator's own record of the orders paid.
		paid := make([]int, len(windows))
		unpaidSeen := false
		for _, o := range sim.Orders() {
			if !o.PaidAt.IsZero() {
				paid[slot(o.PaidAt)]++
			}
			unpaidSeen = unpaidSeen || orderstate.FromStatus(o.Status) == orderstate.Unpaid
		}
		for i, w := range windows {
			if w.stock == 0 || w.orders == 0 || paid[i] == 0 {
				t.Errorf("minutes %d-%d: %d stock changes, %d orders, %d payments; want each at least once", 2*i, 2*i+2, w.stock, w.orders, paid[i])
			}
		}
		t.Logf("by 2-minute window: %+v, payments %v; retired %v, brought back %v; %d orders", windows, paid, retired, back, len(links))
		if !unpaidSeen {
			t.Errorf("no order was left unpaid, to pay in O")
		}
		if len(reminded) < 2 || reminded[0] != renewed || slices.Contains(reminded[1:], renewed) {
			t.Errorf("servers reminded of %v, renewed %q: want the one renewed, then another", reminded, renewed)
		}
		if len(retired) == 0 || len(back) == 0 {
			t.Errorf("retired %v, brought back %v: want an entry retired over its ceiling, then brought back", retired, back)
		}
		if len(unwatched) > 0 {
			t.Errorf("nothing left to watch at %v", unwatched)
		}
		// Every order link is the demo's, and opened says so.
		pages := demoHandler(sim)
		for _, l := range links {
			if !strings.Contains(l, demoOrderPath) || strings.Contains(l, "ovh.com") {
				t.Errorf("order link %q is not marked as the demo's", l)
				continue
			}
			rec := httptest.NewRecorder()
			pages.ServeHTTP(rec, httptest.NewRequest("GET", l, nil))
			if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "ovhtui DEMO: order ") {
				t.Errorf("the page of %s: %d %q", l, rec.Code, rec.Body.String())
			}
		}
	})
}
