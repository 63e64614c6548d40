package metrics

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"

	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

const (
	simPlan = "25skleb01"
	simFQN  = "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme"
)

// TestScrapeAfterSimulatedOrder runs the engine against the simulator with
// the collector as a listener, as ovhtui does, and scrapes /metrics over
// HTTP after an order.
func TestScrapeAfterSimulatedOrder(t *testing.T) {
	cat, err := os.ReadFile("../testdata/eco-catalog-IE.json")
	if err != nil {
		t.Fatal(err)
	}
	sim, err := ovhsim.New(cat, ovhsim.Options{NoPadding: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(sim)
	sim.Install(srv.Config)
	srv.Start()
	defer srv.Close()
	for _, dc := range []string{"fra", "gra"} {
		sim.SetAvailability(simFQN, dc, "unavailable")
	}

	path := filepath.Join(t.TempDir(), "preferences.json")
	entry := map[string]any{
		"planCode": simPlan, "fqn": simFQN, "place_order": true, "autopay": true, "qty": 1, "ceiling_price": 50.0,
		"datacenters":     []map[string]string{{"region": "europe", "dedicated_datacenter": "fra"}, {"region": "europe", "dedicated_datacenter": "gra"}},
		"labels":          map[string]string{"dedicated_os": "none_64.en"},
		"addon_planCodes": []string{"softraid-2x450nvme-25skle", "bandwidth-300-25skle", "ram-32g-ecc-2400-25skle"},
	}
	b, _ := json.Marshal(map[string]any{"subsidiary": "IE", "user_servers": []any{entry}})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	store, err := prefs.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	cl, err := ovh.NewClient(srv.URL+"/1.0", "sim-app-key", "sim-app-secret", "sim-consumer-key")
	if err != nil {
		t.Fatal(err)
	}
	eng := order.New(order.Config{
		API: ovhapi.NewOVHClient(cl, ovhapi.ClientOptions{}), Store: store, Poll: order.MinPoll, Endpoint: srv.URL + "/1.0",
	})
	c := New(Options{Poll: order.MinPoll})
	h := c.Handler()

	// The listener, and a test that waits on what it heard.
	heard := make(chan order.Event, 1024)
	go func() {
		defer close(heard)
		for ev := range eng.Events() {
			c.Observe(ev)
			heard <- ev
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		for range heard {
		}
	}()
	waitFor := func(what string, pred func(order.Event) bool) {
		t.Helper()
		// Only bounds a failure: CI may run on a machine loaded many times over.
		deadline := time.After(2 * time.Minute)
		for {
			select {
			case ev, ok := <-heard:
				if !ok {
					t.Fatalf("events closed waiting for %s", what)
				}
				if pred(ev) {
					return
				}
			case <-deadline:
				t.Fatalf("timeout waiting for %s", what)
			}
		}
	}
	cartsReady := 0
	waitFor("carts ready in both DCs", func(ev order.Event) bool {
		if _, ok := ev.(order.CartReady); ok {
			cartsReady++
		}
		return cartsReady >= 2
	})
	waitFor("the state with both carts", func(ev order.Event) bool {
		e, ok := ev.(order.EntryStatesChanged)
		return ok && len(e.Entries) == 1 && hasReadyCart(e.Entries[0], time.Now()) && e.Entries[0].DCs[1].HasCart
	})
	if code, body := scrape(t, h, "/readyz"); code != 200 {
		t.Fatalf("readyz with carts ready: %d %s", code, body)
	}
	sim.SetAvailability(simFQN, "gra", "1H-high")
	waitFor("an order", func(ev order.Event) bool { _, ok := ev.(order.OrderPlaced); return ok })
	waitFor("the ordered state", func(ev order.Event) bool {
		e, ok := ev.(order.EntryStatesChanged)
		return ok && e.Entries[0].Lifecycle == order.LifeOrdered
	})

	code, body := scrape(t, h, "/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for _, line := range []string{
		`ovhtui_orders_placed_total 1`,
		`ovhtui_checkouts_total{result="placed"} 1`,
		`ovhtui_poll_duration_seconds_count{plan="25skleb01"}`,
		`ovhtui_polls_total{plan="25skleb01",result="ok"}`,
		`ovhtui_last_good_poll_age_seconds`,
		`ovhtui_carts_ready`,
		`ovhtui_unpaid_orders 0`,
		`ovhtui_entries{lifecycle="ordered"} 1`,
	} {
		if !strings.Contains(body, line) {
			t.Errorf("/metrics lacks %q", line)
		}
	}
	if t.Failed() {
		t.Log(body)
	}
	if code, body := scrape(t, h, "/healthz"); code != 200 {
		t.Errorf("healthz: %d %s", code, body)
	}
}

func scrape(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
