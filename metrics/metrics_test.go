package metrics

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ovhtui/ovhtui/order"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTest(t *testing.T) (*Collector, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)}
	return New(Options{Poll: 3 * time.Second, Now: clk.Now}), clk
}

func base(clk *clock) order.Base { return order.Base{Time: clk.Now()} }

func watchedEntry(key string, dcs ...order.DCView) order.EntryView {
	return order.EntryView{Key: key, PlanCode: "25skleb01", FQN: "25skleb01.ram", Lifecycle: order.LifeWatching, DCs: dcs}
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	b, _ := io.ReadAll(rec.Body)
	return rec.Code, string(b)
}

func TestCountersFollowEvents(t *testing.T) {
	c, clk := newTest(t)
	c.Observe(order.PollOK{Base: base(clk), Plan: "p1", Duration: 120 * time.Millisecond})
	c.Observe(order.PollOK{Base: base(clk), Plan: "p1", Duration: 80 * time.Millisecond})
	c.Observe(order.APIError{Base: base(clk), Call: "GET /dedicated/server/datacenter/availabilities?planCode=p2", Class: "http_503"})
	c.Observe(order.APIError{Base: base(clk), Call: "POST /order/cart", Class: "Client::BadRequest"})
	c.Observe(order.OrderPlaced{Base: base(clk), OrderID: 1})
	c.Observe(order.OrderPlaced{Base: base(clk), OrderID: 2, Reconciled: true})
	c.Observe(order.OrderFailed{Base: base(clk), Definitive: true})
	c.Observe(order.OrderFailed{Base: base(clk), NotSent: true})
	c.Observe(order.OrderFailed{Base: base(clk)})
	c.Observe(order.WouldHaveOrdered{Base: base(clk)})
	c.Observe(order.Reminder{Base: base(clk), Kind: order.RemindUnpaid})
	c.NotificationResult("ntfy", nil)
	c.NotificationResult("ntfy", errors.New("boom"))

	for _, tc := range []struct {
		name string
		got  float64
		want float64
	}{
		{"polls ok p1", testutil.ToFloat64(c.polls.WithLabelValues("p1", "ok")), 2},
		{"polls error p2", testutil.ToFloat64(c.polls.WithLabelValues("p2", "error")), 1},
		{"api errors http_503", testutil.ToFloat64(c.apiErrors.WithLabelValues("http_503")), 1},
		{"api errors BadRequest", testutil.ToFloat64(c.apiErrors.WithLabelValues("Client::BadRequest")), 1},
		{"orders placed (with reconciled)", testutil.ToFloat64(c.ordersPlaced), 2},
		{"checkouts placed", testutil.ToFloat64(c.checkouts.WithLabelValues("placed")), 1},
		{"checkouts refused", testutil.ToFloat64(c.checkouts.WithLabelValues("refused")), 1},
		{"checkouts not sent", testutil.ToFloat64(c.checkouts.WithLabelValues("not_sent")), 1},
		{"checkouts unknown", testutil.ToFloat64(c.checkouts.WithLabelValues("unknown")), 1},
		{"checkouts dry run", testutil.ToFloat64(c.checkouts.WithLabelValues("dry_run")), 1},
		{"reminders", testutil.ToFloat64(c.reminders.WithLabelValues("unpaid_order")), 1},
		{"notifications sent", testutil.ToFloat64(c.notifications.WithLabelValues("ntfy", "sent")), 1},
		{"notifications failed", testutil.ToFloat64(c.notifications.WithLabelValues("ntfy", "failed")), 1},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if n := testutil.CollectAndCount(c.pollLatency); n != 1 {
		t.Errorf("poll latency series = %d, want 1 (plan p1)", n)
	}
}

func TestStateGauges(t *testing.T) {
	c, clk := newTest(t)
	exp := clk.Now().Add(time.Hour)
	c.Observe(order.EntryStatesChanged{Base: base(clk), Entries: []order.EntryView{
		watchedEntry("a",
			order.DCView{DC: "fra", Class: order.AvailOut, HasCart: true, Cart: order.CartState{Ready: true, Expire: exp}},
			order.DCView{DC: "gra", Class: order.AvailOrderable, HasCart: true, Cart: order.CartState{Ready: false, Expire: exp}}),
		{Key: "b", FQN: "other", Lifecycle: order.LifeOrdered, DCs: []order.DCView{{DC: "fra", Class: order.AvailOrderable}}},
	}})
	c.Observe(order.UnpaidOrders{Base: base(clk), Orders: []order.UnpaidOrder{{ID: 42, Expires: clk.Now().Add(90 * time.Minute)}}})
	want := `
# HELP ovhtui_availability Availability class of each watched fqn in each DC: 1 for the current class, 0 for the others.
# TYPE ovhtui_availability gauge
ovhtui_availability{class="coming",dc="fra",fqn="25skleb01.ram"} 0
ovhtui_availability{class="coming",dc="gra",fqn="25skleb01.ram"} 0
ovhtui_availability{class="no_data",dc="fra",fqn="25skleb01.ram"} 0
ovhtui_availability{class="no_data",dc="gra",fqn="25skleb01.ram"} 0
ovhtui_availability{class="orderable",dc="fra",fqn="25skleb01.ram"} 0
ovhtui_availability{class="orderable",dc="gra",fqn="25skleb01.ram"} 1
ovhtui_availability{class="out",dc="fra",fqn="25skleb01.ram"} 1
ovhtui_availability{class="out",dc="gra",fqn="25skleb01.ram"} 0
ovhtui_availability{class="too_slow",dc="fra",fqn="25skleb01.ram"} 0
ovhtui_availability{class="too_slow",dc="gra",fqn="25skleb01.ram"} 0
ovhtui_availability{class="unknown",dc="fra",fqn="25skleb01.ram"} 0
ovhtui_availability{class="unknown",dc="gra",fqn="25skleb01.ram"} 0
# HELP ovhtui_carts_ready Carts built, verified and unexpired, ready for an instant checkout.
# TYPE ovhtui_carts_ready gauge
ovhtui_carts_ready 1
# HELP ovhtui_unpaid_order_lapse_seconds Seconds until each unpaid order lapses (negative once lapsed).
# TYPE ovhtui_unpaid_order_lapse_seconds gauge
ovhtui_unpaid_order_lapse_seconds{order_id="42"} 5400
# HELP ovhtui_unpaid_orders Orders OVH awaits payment for.
# TYPE ovhtui_unpaid_orders gauge
ovhtui_unpaid_orders 1
`
	names := []string{"ovhtui_availability", "ovhtui_carts_ready", "ovhtui_unpaid_orders", "ovhtui_unpaid_order_lapse_seconds"}
	if err := testutil.GatherAndCompare(c.Registry(), strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	// An expired cart is not ready; time runs on for the unpaid order.
	clk.Add(2 * time.Hour)
	want2 := `
# HELP ovhtui_carts_ready Carts built, verified and unexpired, ready for an instant checkout.
# TYPE ovhtui_carts_ready gauge
ovhtui_carts_ready 0
# HELP ovhtui_unpaid_order_lapse_seconds Seconds until each unpaid order lapses (negative once lapsed).
# TYPE ovhtui_unpaid_order_lapse_seconds gauge
ovhtui_unpaid_order_lapse_seconds{order_id="42"} -1800
`
	if err := testutil.GatherAndCompare(c.Registry(), strings.NewReader(want2), "ovhtui_carts_ready", "ovhtui_unpaid_order_lapse_seconds"); err != nil {
		t.Error(err)
	}
}

func TestHealthz(t *testing.T) {
	c, clk := newTest(t)
	h := c.Handler()
	// Before the first poll: the start gives 3 intervals of grace.
	if code, body := get(t, h, "/healthz"); code != 200 {
		t.Fatalf("at start: %d %s", code, body)
	}
	c.Observe(order.EntryStatesChanged{Base: base(clk), Entries: []order.EntryView{watchedEntry("a", order.DCView{DC: "fra"})}})
	clk.Add(9*time.Second + time.Millisecond)
	if code, body := get(t, h, "/healthz"); code != 503 || !strings.Contains(body, "stale") {
		t.Fatalf("no poll for over 3 intervals: %d %s", code, body)
	}
	c.Observe(order.PollOK{Base: base(clk), Plan: "p"})
	if code, body := get(t, h, "/healthz"); code != 200 {
		t.Fatalf("after a good poll: %d %s", code, body)
	}
	clk.Add(9 * time.Second)
	if code, _ := get(t, h, "/healthz"); code != 200 {
		t.Fatalf("exactly 3 intervals after the poll: %d", code)
	}
	clk.Add(time.Second)
	if code, _ := get(t, h, "/healthz"); code != 503 {
		t.Fatalf("4 intervals after the poll: %d", code)
	}
	// Nothing watched: nothing to poll, healthy.
	c.Observe(order.EntryStatesChanged{Base: base(clk), Entries: []order.EntryView{{Key: "a", Lifecycle: order.LifeOrdered}}})
	if code, body := get(t, h, "/healthz"); code != 200 || !strings.Contains(body, "idle") {
		t.Fatalf("idle: %d %s", code, body)
	}
	// Watched again: a new grace from then.
	clk.Add(time.Hour)
	c.Observe(order.EntryStatesChanged{Base: base(clk), Entries: []order.EntryView{watchedEntry("a", order.DCView{DC: "fra"})}})
	if code, body := get(t, h, "/healthz"); code != 200 {
		t.Fatalf("watched again: %d %s", code, body)
	}
}

func TestReadyz(t *testing.T) {
	c, clk := newTest(t)
	h := c.Handler()
	if code, _ := get(t, h, "/readyz"); code != 503 {
		t.Fatalf("before any state: %d", code)
	}
	exp := clk.Now().Add(time.Hour)
	ready := order.DCView{DC: "fra", HasCart: true, Cart: order.CartState{Ready: true, Expire: exp}}
	c.Observe(order.EntryStatesChanged{Base: base(clk), Entries: []order.EntryView{watchedEntry("a", ready), watchedEntry("b", order.DCView{DC: "gra"})}})
	if code, body := get(t, h, "/readyz"); code != 503 || !strings.Contains(body, "b") {
		t.Fatalf("b has no cart: %d %s", code, body)
	}
	c.Observe(order.EntryStatesChanged{Base: base(clk), Entries: []order.EntryView{watchedEntry("a", ready), watchedEntry("b", order.DCView{DC: "gra"}, ready)}})
	if code, body := get(t, h, "/readyz"); code != 200 {
		t.Fatalf("both ready: %d %s", code, body)
	}
	clk.Add(2 * time.Hour)
	if code, _ := get(t, h, "/readyz"); code != 503 {
		t.Fatalf("carts expired: %d", code)
	}
}

func TestHistoryWritesOnlyWithHistory(t *testing.T) {
	c := New(Options{Poll: time.Second})
	if n, _ := testutil.GatherAndCount(c.Registry(), "ovhtui_history_writes_total"); n != 0 {
		t.Errorf("without a history: %d series", n)
	}
	c = New(Options{Poll: time.Second, HistoryWrites: func() float64 { return 7 }})
	if err := testutil.GatherAndCompare(c.Registry(), strings.NewReader(`
# HELP ovhtui_history_writes_total Rows written to the availability history.
# TYPE ovhtui_history_writes_total counter
ovhtui_history_writes_total 7
`), "ovhtui_history_writes_total"); err != nil {
		t.Error(err)
	}
}
