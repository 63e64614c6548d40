// Package metrics shows a running engine to operators: Prometheus metrics
// on /metrics, and /healthz and /readyz for supervisors.
//
// Data flow: the engine's typed events reach Collector.Observe, a listener
// of the same fan-out that feeds the UI, the headless printer and the
// notifier. Counters and the poll-latency histogram move as events arrive;
// the state gauges (availability classes, carts ready, unpaid orders) are
// the last snapshot the engine published (order.EntryStatesChanged,
// order.UnpaidOrders), rendered at scrape time so a scrape never sees half
// of one. Nothing here calls OVH or reaches into the engine.
package metrics

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ovhtui/ovhtui/order"
)

// namespace prefixes every metric name.
const namespace = "ovhtui"

// staleAfter is how many poll intervals may pass without a good poll
// before /healthz answers 503.
const staleAfter = 3

// Options configure a Collector.
type Options struct {
	// Poll is the availability poll interval: /healthz wants a good poll
	// within staleAfter of them. Required.
	Poll time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// HistoryWrites, when set, counts the availability history's writes
	// (ovhtui_history_writes_total); without a history the metric is absent.
	HistoryWrites func() float64
}

// Collector turns engine events into metrics. Create it with New, give
// Observe to the event fan-out, serve Handler.
type Collector struct {
	opts Options
	reg  *prometheus.Registry

	polls         *prometheus.CounterVec
	pollLatency   *prometheus.HistogramVec
	checkouts     *prometheus.CounterVec
	ordersPlaced  prometheus.Counter
	apiErrors     *prometheus.CounterVec
	notifications *prometheus.CounterVec
	reminders     *prometheus.CounterVec

	mu       sync.Mutex
	started  time.Time         // when watching last began (the grace before the first poll)
	lastGood time.Time         // last good poll
	entries  []order.EntryView // last published state of every entry
	unpaid   []order.UnpaidOrder
}

// New builds a Collector and registers its metrics.
func New(opts Options) *Collector {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Collector{opts: opts, reg: prometheus.NewRegistry(), started: opts.Now()}
	c.polls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "polls_total",
		Help: "Availability polls by planCode and result (ok or error).",
	}, []string{"plan", "result"})
	c.pollLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Name: "poll_duration_seconds",
		Help:    "Duration of good availability polls, by planCode.",
		Buckets: []float64{.025, .05, .1, .2, .4, .8, 1.6, 3.2, 6.4},
	}, []string{"plan"})
	c.checkouts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "checkouts_total",
		Help: "Checkouts by result: placed, refused, not_sent, unknown (outcome unclear), dry_run.",
	}, []string{"result"})
	c.ordersPlaced = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Name: "orders_placed_total",
		Help: "Orders placed, including those found through /me/order after a restart.",
	})
	c.apiErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "api_errors_total",
		Help: "Failed OVH calls the engine retries, by class (OVH's error class, http_NNN, not_sent, transport).",
	}, []string{"class"})
	c.notifications = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "notifications_total",
		Help: "Notification deliveries by channel and result (sent or failed).",
	}, []string{"channel", "result"})
	c.reminders = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "reminders_total",
		Help: "Reminders emitted, by kind.",
	}, []string{"kind"})
	c.reg.MustRegister(c.polls, c.pollLatency, c.checkouts, c.ordersPlaced, c.apiErrors, c.notifications, c.reminders, stateCollector{c})
	if opts.HistoryWrites != nil {
		c.CountHistoryWrites(opts.HistoryWrites)
	}
	return c
}

// CountHistoryWrites adds ovhtui_history_writes_total, read from written
// at each scrape, once the history is open (call it at most once).
func (c *Collector) CountHistoryWrites(written func() float64) {
	c.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Namespace: namespace, Name: "history_writes_total",
		Help: "Rows written to the availability history.",
	}, written))
}

// Registry is where the metrics are registered (for tests and extra collectors).
func (c *Collector) Registry() *prometheus.Registry { return c.reg }

// Observe records one engine event. It never blocks on I/O: it is a
// listener of the event fan-out.
func (c *Collector) Observe(ev order.Event) {
	switch e := ev.(type) {
	case order.PollOK:
		plan := orUnknown(e.Plan)
		c.polls.WithLabelValues(plan, "ok").Inc()
		c.pollLatency.WithLabelValues(plan).Observe(e.Duration.Seconds())
		c.mu.Lock()
		if e.Time.After(c.lastGood) {
			c.lastGood = e.Time
		}
		c.mu.Unlock()
	case order.APIError:
		if plan, ok := pollPlan(e.Call); ok {
			c.polls.WithLabelValues(plan, "error").Inc()
		}
		c.apiErrors.WithLabelValues(errorClass(e)).Inc()
	case order.OrderPlaced:
		c.ordersPlaced.Inc()
		if !e.Reconciled {
			c.checkouts.WithLabelValues("placed").Inc()
		}
	case order.OrderFailed:
		c.checkouts.WithLabelValues(failResult(e)).Inc()
	case order.WouldHaveOrdered:
		c.checkouts.WithLabelValues("dry_run").Inc()
	case order.EntryStatesChanged:
		c.mu.Lock()
		if !watching(c.entries) && watching(e.Entries) {
			c.started = c.opts.Now() // polling (re)starts: give it its grace
		}
		c.entries = e.Entries
		c.mu.Unlock()
	case order.UnpaidOrders:
		c.mu.Lock()
		c.unpaid = slices.Clone(e.Orders)
		c.mu.Unlock()
	case order.Reminder:
		c.reminders.WithLabelValues(string(e.Kind)).Inc()
	}
}

// NotificationResult counts one delivery attempt's final result on a
// channel (err nil: sent). Give it to the notifier.
func (c *Collector) NotificationResult(channel string, err error) {
	result := "sent"
	if err != nil {
		result = "failed"
	}
	c.notifications.WithLabelValues(channel, result).Inc()
}

// failResult names the result of a checkout that placed no order.
func failResult(e order.OrderFailed) string {
	switch {
	case e.NotSent:
		return "not_sent"
	case e.Definitive:
		return "refused"
	}
	return "unknown"
}

// availabilityCall is how the poller names its call in order.APIError.
const availabilityCall = "GET /dedicated/server/datacenter/availabilities?"

// pollPlan returns the planCode of a failed availability poll.
func pollPlan(call string) (string, bool) {
	q, ok := strings.CutPrefix(call, availabilityCall)
	if !ok {
		return "", false
	}
	v, err := url.ParseQuery(q)
	if err != nil {
		return "", false
	}
	return orUnknown(v.Get("planCode")), true
}

// errorClass is the class of a failed call: OVH's error class when it gave
// one, else the HTTP status, else not_sent or transport.
func errorClass(e order.APIError) string {
	if e.Class != "" {
		return e.Class
	}
	return "unclassified"
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// watching reports whether any entry is watched (so polls are due).
func watching(entries []order.EntryView) bool {
	for _, v := range entries {
		if v.Lifecycle == order.LifeWatching && len(v.DCs) > 0 {
			return true
		}
	}
	return false
}

// cartReady reports a cart the engine could check out now.
func cartReady(d order.DCView, now time.Time) bool {
	return d.HasCart && d.Cart.Ready && d.Cart.Expire.After(now)
}

// stateCollector renders the last published state at scrape time.
type stateCollector struct{ c *Collector }

var (
	descAvail = prometheus.NewDesc(namespace+"_availability",
		"Availability class of each watched fqn in each DC: 1 for the current class, 0 for the others.",
		[]string{"fqn", "dc", "class"}, nil)
	descCarts = prometheus.NewDesc(namespace+"_carts_ready",
		"Carts built, verified and unexpired, ready for an instant checkout.", nil, nil)
	descUnpaid = prometheus.NewDesc(namespace+"_unpaid_orders",
		"Orders OVH awaits payment for.", nil, nil)
	descLapse = prometheus.NewDesc(namespace+"_unpaid_order_lapse_seconds",
		"Seconds until each unpaid order lapses (negative once lapsed).", []string{"order_id"}, nil)
	descPollAge = prometheus.NewDesc(namespace+"_last_good_poll_age_seconds",
		"Seconds since the last good availability poll (since start before the first).", nil, nil)
	descWatched = prometheus.NewDesc(namespace+"_entries",
		"Entries of preferences.json by lifecycle.", []string{"lifecycle"}, nil)
)

// availClasses are the values of the class label, in order.
var availClasses = []order.AvailClass{order.AvailNoData, order.AvailOrderable, order.AvailTooSlow, order.AvailOut, order.AvailComing, order.AvailUnknown}

// Describe implements prometheus.Collector.
func (s stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descAvail, descCarts, descUnpaid, descLapse, descPollAge, descWatched} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (s stateCollector) Collect(ch chan<- prometheus.Metric) {
	c := s.c
	now := c.opts.Now()
	c.mu.Lock()
	entries, unpaid := c.entries, c.unpaid
	lastGood := c.lastGood
	if lastGood.IsZero() {
		lastGood = c.started
	}
	c.mu.Unlock()

	ch <- prometheus.MustNewConstMetric(descPollAge, prometheus.GaugeValue, now.Sub(lastGood).Seconds())

	classes := map[[2]string]order.AvailClass{} // fqn, dc -> the best class any entry sees
	ready := 0
	lifecycles := map[order.Lifecycle]int{}
	for _, v := range entries {
		lifecycles[v.Lifecycle]++
		for _, d := range v.DCs {
			if cartReady(d, now) {
				ready++
			}
			if v.Lifecycle != order.LifeWatching || v.FQN == "" {
				continue
			}
			k := [2]string{v.FQN, d.DC}
			if old, ok := classes[k]; !ok || d.Class == order.AvailOrderable || old == order.AvailNoData {
				classes[k] = d.Class
			}
		}
	}
	for k, cl := range classes {
		for _, each := range availClasses {
			val := 0.0
			if each == cl {
				val = 1
			}
			ch <- prometheus.MustNewConstMetric(descAvail, prometheus.GaugeValue, val, k[0], k[1], classLabel(each))
		}
	}
	ch <- prometheus.MustNewConstMetric(descCarts, prometheus.GaugeValue, float64(ready))
	for lc, n := range lifecycles {
		ch <- prometheus.MustNewConstMetric(descWatched, prometheus.GaugeValue, float64(n), strings.ReplaceAll(string(lc), " ", "_"))
	}
	ch <- prometheus.MustNewConstMetric(descUnpaid, prometheus.GaugeValue, float64(len(unpaid)))
	for _, o := range unpaid {
		if o.Expires.IsZero() {
			continue
		}
		ch <- prometheus.MustNewConstMetric(descLapse, prometheus.GaugeValue, o.Expires.Sub(now).Seconds(), strconv.FormatInt(o.ID, 10))
	}
}

// classLabel is the class as a label value (no spaces).
func classLabel(c order.AvailClass) string { return strings.ReplaceAll(c.String(), " ", "_") }
