package cli

// BenchmarkReactionWithReceivers measures what a notification service
// costs the checkout: the engine's reaction (from the availability poll
// that shows the DC orderable arriving at the simulator, to the checkout
// arriving there), with no notifier, with a webhook that never answers, and
// with one that answers 500, each sent every event (OVHTUI_NOTIFY_EVENTS=all).
// It measures, it does not assert:
//
//	go test -run '^$' -bench ReactionWithReceivers -benchtime 1x .
//
// About 45 s (10 flips per case with a 1 s poll).

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"

	"github.com/ovhtui/ovhtui/notify"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

func BenchmarkReactionWithReceivers(b *testing.B) {
	hang := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-hang }))
	defer hanging.Close()
	defer close(hang) // before Close, which waits for the handlers
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }))
	defer failing.Close()
	for _, c := range []struct{ name, url string }{
		{"no-notifier", ""},
		{"hanging-receiver", "generic+" + hanging.URL + "/hook"},
		{"500-receiver", "generic+" + failing.URL + "/hook"},
	} {
		b.Run(c.name, func(b *testing.B) {
			const flips = 10
			var lat []time.Duration
			sent := 0
			for range flips {
				d, n := oneFlip(b, c.url)
				lat = append(lat, d)
				sent += n
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "p100-ms")
			b.ReportMetric(float64(sent)/flips, "events-offered/flip")
		})
	}
}

// oneFlip runs an engine (with a notifier on url unless empty) until its
// cart for fra is ready, makes fra orderable, and returns the reaction and
// how many events the notifier was offered.
func oneFlip(b *testing.B, url string) (time.Duration, int) {
	b.Helper()
	endpoint, sim := simForHeadless(b)
	var mu sync.Mutex
	var flipAt, pollAt time.Time
	arrivals := make(chan time.Time, 1)
	sim.OnRequest(func(r ovhsim.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Method == "GET" && strings.HasPrefix(r.Path, "/dedicated/server/datacenter/availabilities") && !flipAt.IsZero() && pollAt.IsZero():
			pollAt = r.Wall
		case r.Method == "POST" && strings.HasSuffix(r.Path, "/checkout"):
			select {
			case arrivals <- r.Wall:
			default:
			}
		}
	})

	dir := b.TempDir()
	path := filepath.Join(dir, "preferences.json")
	if err := os.WriteFile(path, []byte(killTestPrefs), 0o600); err != nil {
		b.Fatal(err)
	}
	store, err := prefs.Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	cl, err := ovh.NewClient(endpoint, "sim-app-key", "sim-app-secret", "sim-consumer-key")
	if err != nil {
		b.Fatal(err)
	}
	eng := order.New(order.Config{API: ovhapi.NewOVHClient(cl, ovhapi.ClientOptions{}), Store: store, Poll: time.Second, Endpoint: endpoint})

	var listeners []func(order.Event)
	var n *notify.Notifier
	offered := 0
	if url != "" {
		ch, err := notify.Open(url)
		if err != nil {
			b.Fatal(err)
		}
		n = notify.New(notify.Options{Channels: []notify.Channel{ch}, Events: mustParseSet(b, "all"),
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Backoff: 10 * time.Millisecond, SendTimeout: 2 * time.Second})
		listeners = append(listeners, func(ev order.Event) { offered++; n.Offer(ev) })
	}
	events, heard := tapEvents(eng.Events(), listeners...)
	cartFra := make(chan struct{}, 1)
	placed := make(chan struct{}, 1)
	go func() {
		for ev := range events {
			switch e := ev.(type) {
			case order.CartReady:
				if e.DC == "fra" {
					select {
					case cartFra <- struct{}{}:
					default:
					}
				}
			case order.OrderPlaced:
				placed <- struct{}{}
			}
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()

	<-cartFra
	mu.Lock()
	flipAt = time.Now()
	mu.Unlock()
	sim.SetAvailability(killTestFQN, "fra", "1H-high")
	arrival := <-arrivals
	<-placed
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	<-heard
	if n != nil {
		stop, cancelStop := context.WithCancel(context.Background())
		cancelStop() // do not wait for the receiver
		n.Close(stop)
	}
	mu.Lock()
	defer mu.Unlock()
	return arrival.Sub(pollAt), offered
}

func mustParseSet(b *testing.B, v string) notify.Set {
	s, err := notify.ParseSet(v)
	if err != nil {
		b.Fatal(err)
	}
	return s
}
