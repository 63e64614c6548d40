package metrics

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/order"
)

// The example Grafana dashboard and the README name only metrics that exist.
func TestContribAndReadmeNameRealMetrics(t *testing.T) {
	c := New(Options{Poll: time.Second, HistoryWrites: func() float64 { return 0 }})
	// Give every vector a series so that Gather lists it.
	c.Observe(order.PollOK{Plan: "p"})
	c.Observe(order.APIError{Class: "x"})
	c.Observe(order.OrderFailed{})
	c.Observe(order.Reminder{Kind: order.RemindUnpaid})
	c.NotificationResult("ch", nil)
	c.Observe(order.EntryStatesChanged{Entries: []order.EntryView{{Key: "k", FQN: "f", Lifecycle: order.LifeWatching, DCs: []order.DCView{{DC: "fra"}}}}})
	c.Observe(order.UnpaidOrders{Orders: []order.UnpaidOrder{{ID: 1, Expires: time.Now()}}})
	fams, err := c.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, f := range fams {
		known[f.GetName()] = true
	}
	name := regexp.MustCompile(`ovhtui_[a-z_]+`)
	for _, path := range []string{"../contrib/grafana-dashboard.json", "../README.md"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, n := range name.FindAllString(string(b), -1) {
			base := n
			for _, suf := range []string{"_bucket", "_count", "_sum"} {
				base = strings.TrimSuffix(base, suf)
			}
			if strings.HasSuffix(base, "_") {
				continue // a prefix in prose
			}
			seen++
			if !known[base] {
				t.Errorf("%s names %s, which ovhtui does not export", path, n)
			}
		}
		if seen == 0 {
			t.Errorf("%s names no metric", path)
		}
	}
}
