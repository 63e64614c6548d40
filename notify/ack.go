package notify

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// A message counts as delivered only when the service acknowledged it.
// Several shoutrrr services (Telegram among them, through shoutrrr's
// jsonclient) swallow a transport error: with no network their Send
// returns nil, and ovhtui said "ok". Those services use http.DefaultClient,
// so the notifier watches it: each shoutrrr send runs alone under the
// watch, and one that saw an HTTP exchange fail (no answer, or a status
// outside 2xx) is a failure whatever Send returned. A service with its own
// HTTP client (ntfy, Discord, Slack, Gotify) returns its errors itself and
// is taken at its word.

// exchangeTimeout bounds one request a service sends through
// http.DefaultClient (which has no timeout of its own): a send abandoned
// by the notifier's timeout cannot hold the watch for longer.
const exchangeTimeout = 30 * time.Second

// httpWatch is the RoundTripper installed as http.DefaultClient's
// transport: it records the outcome of every exchange of the send under
// way.
type httpWatch struct {
	next http.RoundTripper

	send sync.Mutex // one watched send at a time

	mu       sync.Mutex
	watching bool
	seen     int
	failure  error
}

var (
	watchOnce sync.Once
	watch     *httpWatch
)

// defaultClientWatch installs the watch on http.DefaultClient, once.
func defaultClientWatch() *httpWatch {
	watchOnce.Do(func() {
		next := http.DefaultClient.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		watch = &httpWatch{next: next}
		http.DefaultClient.Transport = watch
	})
	return watch
}

// RoundTrip implements http.RoundTripper.
func (w *httpWatch) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), exchangeTimeout)
	resp, err := w.next.RoundTrip(req.WithContext(ctx))
	w.mu.Lock()
	if w.watching {
		w.seen++
		switch {
		case err != nil:
			w.failure = fmt.Errorf("%s %s: %w", req.Method, req.URL.Host, err)
		case resp.StatusCode < 200 || resp.StatusCode > 299:
			w.failure = fmt.Errorf("%s %s answered %s", req.Method, req.URL.Host, resp.Status)
		}
	}
	w.mu.Unlock()
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// watched runs send alone under the watch and returns its error, or the
// failure of an exchange it made when send itself said nothing.
func (w *httpWatch) watched(send func() error) error {
	w.send.Lock()
	defer w.send.Unlock()
	w.mu.Lock()
	w.watching, w.seen, w.failure = true, 0, nil
	w.mu.Unlock()
	err := send()
	w.mu.Lock()
	failure := w.failure
	w.watching = false
	w.mu.Unlock()
	if err == nil && failure != nil {
		return fmt.Errorf("not acknowledged by the service: %w", failure)
	}
	return err
}

// cancelOnClose ends an exchange's timeout when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
