package catalog

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"
)

// ovhLike serves the public eco catalog the way OVH does, and a signed
// route, recording what it saw.
type ovhLike struct {
	mu      sync.Mutex
	queries []string
	signed  int
	status  int
	body    string
	block   bool
}

func (o *ovhLike) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.queries = append(o.queries, r.URL.RawQuery)
	if r.Header.Get("X-Ovh-Signature") != "" || r.Header.Get("X-Ovh-Consumer") != "" {
		o.signed++
	}
	status, body, block := o.status, o.body, o.block
	o.mu.Unlock()
	if block {
		<-r.Context().Done()
		return
	}
	switch r.URL.Path {
	case "/1.0/auth/time":
		w.Write([]byte("1700000000"))
		return
	case "/1.0/order/catalog/public/eco":
	default:
		w.Header().Set("X-Ovh-QueryID", "EU.ext-1.abc")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"class":"Client::NotFound","message":"Got an invalid (or empty) URL"}`))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Ovh-QueryID", "EU.ext-1.abc")
	if status != 0 {
		w.WriteHeader(status)
	}
	w.Write([]byte(body))
}

// callTimeout bounds the fetches of tests that are not about timeouts; it
// only bounds a failure, so it is generous (CI may be loaded many times
// over: a call to a local server can take seconds there).
const callTimeout = time.Minute

func newOVHClient(t *testing.T, h http.Handler) *ovh.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := ovh.NewClient(srv.URL+"/1.0", "app-key", "app-secret", "consumer-key")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOVHFetcher(t *testing.T) {
	fx := readFixture(t)
	srv := &ovhLike{body: string(fx)}
	c := newOVHClient(t, srv)
	before := c.Client.Timeout
	fetch := NewOVHFetcher(c, callTimeout)
	body, err := fetch(t.Context(), "IE")
	if err != nil {
		t.Fatal(err)
	}
	if len(body) != len(fx) {
		t.Errorf("body %d bytes, want %d", len(body), len(fx))
	}
	if srv.queries[0] != "ovhSubsidiary=IE" || srv.signed != 0 {
		t.Errorf("queries %v, signed %d: want one unsigned call with ovhSubsidiary=IE", srv.queries, srv.signed)
	}
	if c.Client.Timeout != before {
		t.Errorf("the shared client was modified: timeout %v", c.Client.Timeout)
	}
}

func TestOVHFetcherHTTPError(t *testing.T) {
	srv := &ovhLike{status: http.StatusBadRequest, body: `{"class":"Client::BadRequest","message":"Invalid subsidiary XX"}`}
	_, err := NewOVHFetcher(newOVHClient(t, srv), callTimeout)(t.Context(), "XX")
	var apiErr *ovh.APIError
	if !errors.As(err, &apiErr) || apiErr.Code != 400 || apiErr.Message != "Invalid subsidiary XX" || apiErr.QueryID != "EU.ext-1.abc" {
		t.Fatalf("err = %v (%#v)", err, apiErr)
	}
	if !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "Invalid subsidiary XX") {
		t.Errorf("message = %q", err)
	}
	// A non-JSON error page keeps its text.
	srv = &ovhLike{status: http.StatusBadGateway, body: "<html>Bad Gateway</html>"}
	_, err = NewOVHFetcher(newOVHClient(t, srv), callTimeout)(t.Context(), "IE")
	if !errors.As(err, &apiErr) || apiErr.Code != 502 || !strings.Contains(apiErr.Message, "Bad Gateway") {
		t.Fatalf("err = %v", err)
	}
}

func TestOVHFetcherTimeout(t *testing.T) {
	srv := &ovhLike{block: true}
	_, err := NewOVHFetcher(newOVHClient(t, srv), 50*time.Millisecond)(t.Context(), "IE")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := NewOVHFetcher(newOVHClient(t, srv), 0)(ctx, "IE"); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want canceled", err)
	}
}

// The fetcher may run on several goroutines while the same *ovh.Client
// serves other calls: with -race this fails if either writes shared state.
func TestOVHFetcherConcurrentWithSharedClient(t *testing.T) {
	srv := &ovhLike{body: `{}`}
	c := newOVHClient(t, srv)
	fetch := NewOVHFetcher(c, callTimeout)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := fetch(t.Context(), "IE"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Go(func() {
		var out any
		c.Timeout = callTimeout // what the owner of c may do
		if err := c.GetWithContext(t.Context(), "/me", &out); err == nil {
			t.Error("signed call to a missing route: no error")
		}
	})
	wg.Wait()
}
