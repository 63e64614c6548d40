package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ovhtui/ovhtui/order"
)

// Handler serves /metrics, /healthz and /readyz.
func (c *Collector) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(c.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		ok, why := c.Healthy()
		answer(w, ok, why)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		ok, why := c.Ready()
		answer(w, ok, why)
	})
	return mux
}

func answer(w http.ResponseWriter, ok bool, why string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	fmt.Fprintln(w, why)
}

// Healthy reports whether polling is fresh: a good poll within three poll
// intervals (counted from the start, or from when an entry became watched
// again, before the first). With no entry watched there is nothing to poll,
// which is healthy.
func (c *Collector) Healthy() (bool, string) {
	now := c.opts.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries != nil && !watching(c.entries) {
		return true, "ok: idle, no entry is watched"
	}
	last, what := c.lastGood, "last good poll"
	if last.Before(c.started) {
		last, what = c.started, "no good poll since watching began"
	}
	age := now.Sub(last)
	limit := staleAfter * c.opts.Poll
	if age > limit {
		return false, fmt.Sprintf("stale: %s %s ago (limit %s)", what, age.Round(time.Second), limit)
	}
	return true, fmt.Sprintf("ok: %s %s ago", what, age.Round(time.Second))
}

// Ready reports whether every watched entry has a ready cart in at least
// one of its DCs, so a checkout can leave the moment stock appears.
func (c *Collector) Ready() (bool, string) {
	now := c.opts.Now()
	c.mu.Lock()
	entries := c.entries
	c.mu.Unlock()
	var waiting []string
	watched := 0
	for _, v := range entries {
		if v.Lifecycle != order.LifeWatching {
			continue
		}
		watched++
		if !hasReadyCart(v, now) {
			waiting = append(waiting, v.Key)
		}
	}
	switch {
	case watched == 0:
		return false, "not ready: no entry is watched"
	case len(waiting) > 0:
		return false, "not ready: no cart ready yet for " + strings.Join(waiting, ", ")
	}
	return true, fmt.Sprintf("ready: carts ready for %d watched entr%s", watched, map[bool]string{true: "y", false: "ies"}[watched == 1])
}

func hasReadyCart(v order.EntryView, now time.Time) bool {
	for _, d := range v.DCs {
		if cartReady(d, now) {
			return true
		}
	}
	return false
}

// Serve listens on addr and serves h until ctx is done. It returns once
// the listener is open (an error then is the caller's to report) and logs
// a later failure.
func Serve(ctx context.Context, addr string, h http.Handler, log *slog.Logger) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server stopped", "addr", addr, "err", err)
		}
	}()
	return ln.Addr(), nil
}
