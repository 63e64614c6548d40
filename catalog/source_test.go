package catalog

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// fakeFetch is a Fetcher the test drives: each call is sent on the channel
// and waits for its reply.
type fakeFetch chan fetchCall

type fetchCall struct {
	subsidiary string
	reply      chan fetchReply
}

type fetchReply struct {
	body []byte
	err  error
}

func (f fakeFetch) fetch(ctx context.Context, subsidiary string) ([]byte, error) {
	r := make(chan fetchReply, 1)
	select {
	case f <- fetchCall{subsidiary, r}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case rep := <-r:
		return rep.body, rep.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// noFetch fails the test if a download is waiting.
func (f fakeFetch) noFetch(t *testing.T) {
	t.Helper()
	synctest.Wait()
	select {
	case <-f:
		t.Fatal("unexpected download")
	default:
	}
}

var fixtureOnce = sync.OnceValues(func() ([]byte, error) { return os.ReadFile(fixturePath) })

func fixture(t *testing.T) []byte {
	t.Helper()
	data, err := fixtureOnce()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type sourceEnv struct {
	s     *Source
	f     fakeFetch
	path  string
	logs  *syncBuffer
	ctx   context.Context
	start func()
}

// newSourceEnv builds a Source on a temp dir, with a cache written at
// cachedAt when cachedAt is not zero. Call inside a synctest bubble.
func newSourceEnv(t *testing.T, cachedAt time.Time, opts SourceOptions) *sourceEnv {
	t.Helper()
	dir := t.TempDir()
	f := make(fakeFetch)
	logs := &syncBuffer{}
	opts.Fetch, opts.CacheDir, opts.Endpoint, opts.Subsidiary = f.fetch, dir, "ovh-eu", "IE"
	opts.Log = slog.New(slog.NewTextHandler(logs, nil))
	s := NewSource(opts)
	if !cachedAt.IsZero() {
		if err := writeCache(s.CachePath(), cacheHeader{FetchedAt: cachedAt, Endpoint: "ovh-eu", Subsidiary: "IE"}, fixture(t)); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(func() { cancel(); s.Wait() })
	return &sourceEnv{s: s, f: f, path: s.CachePath(), logs: logs, ctx: ctx, start: func() { s.Start(ctx) }}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestSourceStaleCacheServedThenRefreshed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		old := time.Now().Add(-2 * time.Hour)
		e := newSourceEnv(t, old, SourceOptions{})
		if e.s.Current() != nil {
			t.Fatal("catalog before Start")
		}
		e.start()
		c := <-e.s.Updates()
		if !c.FetchedAt.Equal(old) || e.s.Age() != 2*time.Hour || !e.s.FetchedAt().Equal(old) {
			t.Fatalf("first catalog fetched at %v, age %v", c.FetchedAt, e.s.Age())
		}
		// Stale: the background refresh starts at once, and the stale
		// catalog is served meanwhile.
		call := <-e.f
		if call.subsidiary != "IE" {
			t.Errorf("fetch for %q", call.subsidiary)
		}
		if got, err := e.s.Catalog(e.ctx); got != c || err != nil {
			t.Errorf("Catalog during refresh = %p, %v; want the cached one", got, err)
		}
		now := time.Now()
		call.reply <- fetchReply{body: fixture(t)}
		c2 := <-e.s.Updates()
		if c2 == c || !c2.FetchedAt.Equal(now) || e.s.Current() != c2 {
			t.Fatalf("refreshed catalog fetched at %v", c2.FetchedAt)
		}
		synctest.Wait()
		h, body, err := readCache(e.path, "ovh-eu", "IE")
		if err != nil || !h.FetchedAt.Equal(now) || !bytes.Equal(body, fixture(t)) {
			t.Fatalf("cache after refresh: %v %v", h.FetchedAt, err)
		}
		// Fresh now: no download until MaxAge has passed.
		e.f.noFetch(t)
		if err := e.s.Refresh(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.f.noFetch(t)
		call = <-e.f // the fake clock runs to the loop's next refresh
		if got := time.Since(now); got != time.Hour {
			t.Errorf("next refresh after %v, want 1h", got)
		}
		call.reply <- fetchReply{body: fixture(t)}
		<-e.s.Updates()
	})
}

func TestSourceFreshCacheNotDownloaded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newSourceEnv(t, time.Now().Add(-59*time.Minute), SourceOptions{})
		e.start()
		c, err := e.s.Catalog(e.ctx)
		if err != nil || c == nil {
			t.Fatal(c, err)
		}
		e.f.noFetch(t)
		if err := e.s.Refresh(e.ctx); err != nil {
			t.Fatal(err)
		}
		e.f.noFetch(t)
		// A forced refresh downloads at once.
		done := make(chan error)
		go func() { done <- e.s.ForceRefresh(e.ctx) }()
		call := <-e.f
		call.reply <- fetchReply{body: fixture(t)}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if e.s.Current() == c {
			t.Error("forced refresh did not replace the catalog")
		}
	})
}

func TestSourceFailedRefreshKeepsOld(t *testing.T) {
	for name, reply := range map[string]fetchReply{
		"fetch error": {err: errors.New("connection reset")},
		"unparsable":  {body: []byte(`{"locale":{"currencyCode":"EUR"},"plans":[`)},
		"empty":       {body: []byte(`{}`)},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newSourceEnv(t, time.Now().Add(-3*time.Hour), SourceOptions{})
				before, err := os.ReadFile(e.path)
				if err != nil {
					t.Fatal(err)
				}
				e.start()
				c := <-e.s.Updates()
				call := <-e.f
				failedAt := time.Now()
				call.reply <- fetchReply(reply)
				synctest.Wait()
				if e.s.Current() != c {
					t.Error("failed refresh replaced the catalog")
				}
				if e.s.LastError() == nil {
					t.Error("no LastError")
				}
				if !strings.Contains(e.logs.String(), "refresh failed") {
					t.Errorf("failure not logged:\n%s", e.logs)
				}
				after, err := os.ReadFile(e.path)
				if err != nil || !bytes.Equal(before, after) {
					t.Errorf("cache file changed (%v)", err)
				}
				// A caller asking again right away gets the error, no download.
				if err := e.s.Refresh(e.ctx); err == nil {
					t.Error("Refresh after failure: nil error")
				}
				e.f.noFetch(t)
				// The loop tries again after RetryAfter, for a fetch error
				// and for a body that does not parse alike.
				call = <-e.f
				want := DefaultRetryAfter
				if got := time.Since(failedAt); got != want {
					t.Errorf("retry after %v, want %v", got, want)
				}
				call.reply <- fetchReply{body: fixture(t)}
				if c2 := <-e.s.Updates(); c2 == c {
					t.Error("no new catalog after a good refresh")
				}
				if e.s.LastError() != nil {
					t.Errorf("LastError after success = %v", e.s.LastError())
				}
			})
		})
	}
}

func TestSourceConcurrentRefreshOneDownload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newSourceEnv(t, time.Time{}, SourceOptions{})
		const callers = 20
		errs := make(chan error, callers)
		for i := range callers {
			go func() {
				if i%2 == 0 {
					errs <- e.s.Refresh(e.ctx)
				} else {
					_, err := e.s.Catalog(e.ctx)
					errs <- err
				}
			}()
		}
		call := <-e.f
		synctest.Wait() // every caller is waiting for this download
		go func() { errs <- e.s.ForceRefresh(e.ctx) }()
		synctest.Wait()
		call.reply <- fetchReply{body: fixture(t)}
		for range callers + 1 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		e.f.noFetch(t)
		if e.s.Current() == nil {
			t.Fatal("no catalog")
		}
		// And later callers within MaxAge do not download either.
		if err := e.s.Refresh(e.ctx); err != nil {
			t.Error(err)
		}
		e.f.noFetch(t)
	})
}

func TestSourceNoCacheFailingFetch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newSourceEnv(t, time.Time{}, SourceOptions{})
		e.start()
		call := <-e.f // nothing cached: Start downloads at once
		got := make(chan error)
		go func() {
			c, err := e.s.Catalog(e.ctx)
			if c != nil {
				t.Error("catalog without data")
			}
			got <- err
		}()
		synctest.Wait()
		call.reply <- fetchReply{err: errors.New("503 Service Unavailable")}
		if err := <-got; err == nil || !strings.Contains(err.Error(), "503") {
			t.Errorf("Catalog error = %v", err)
		}
		if e.s.Current() != nil || e.s.Age() != 0 || !e.s.FetchedAt().IsZero() {
			t.Error("catalog without data")
		}
		if _, err := e.s.Catalog(e.ctx); err == nil {
			t.Error("second Catalog: no error")
		}
		e.f.noFetch(t)
		if _, err := os.Stat(e.path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("cache written after a failure: %v", err)
		}
	})
}

func TestSourceNoFetcherNoCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := NewSource(SourceOptions{CacheDir: t.TempDir(), Subsidiary: "IE"})
		ctx, cancel := context.WithCancel(t.Context())
		s.Start(ctx)
		if _, err := s.Catalog(ctx); err == nil || !strings.Contains(err.Error(), "no fetcher") {
			t.Errorf("err = %v", err)
		}
		cancel()
		s.Wait()
	})
}

func TestSourceDamagedCacheIgnored(t *testing.T) {
	for name, damage := range map[string]func(path string) error{
		"truncated": func(p string) error {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(p, data[:len(data)/2], 0o600)
		},
		"garbage": func(p string) error { return os.WriteFile(p, []byte("garbage"), 0o600) },
		"other IE": func(p string) error {
			return writeCache(p, cacheHeader{FetchedAt: time.Now(), Endpoint: "ovh-ca", Subsidiary: "IE"}, fixture(t))
		},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newSourceEnv(t, time.Now(), SourceOptions{})
				if err := damage(e.path); err != nil {
					t.Fatal(err)
				}
				e.start()
				call := <-e.f // the cache was not usable: download
				if e.s.Current() != nil {
					t.Error("damaged cache served")
				}
				if !strings.Contains(e.logs.String(), "cache ignored") {
					t.Errorf("not logged:\n%s", e.logs)
				}
				call.reply <- fetchReply{body: fixture(t)}
				<-e.s.Updates()
			})
		})
	}
}

func TestSourcePricingModeApplied(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newSourceEnv(t, time.Now(), SourceOptions{PricingMode: "degressivity12"})
		e.start()
		c, err := e.s.Catalog(e.ctx)
		if err != nil || c.PricingMode != "degressivity12" {
			t.Fatal(c, err)
		}
	})
}

func TestSourceUpdatesCoalesced(t *testing.T) {
	s := NewSource(SourceOptions{CacheDir: t.TempDir()})
	a, b := &Catalog{}, &Catalog{}
	s.mu.Lock()
	s.publishLocked(a)
	s.publishLocked(b)
	s.mu.Unlock()
	if got := <-s.Updates(); got != b {
		t.Error("Updates did not deliver the latest catalog")
	}
	select {
	case <-s.Updates():
		t.Error("second update")
	default:
	}
}

func TestCacheFileName(t *testing.T) {
	for _, tc := range []struct{ endpoint, sub, want string }{
		{"ovh-eu", "IE", "eco-catalog_ovh-eu_IE.cache"},
		{"ovh-ca", "qc", "eco-catalog_ovh-ca_QC.cache"},
		{"http://127.0.0.1:8080/1.0", "FR", "eco-catalog_local-simulator_FR.cache"},
		{"", "IE", "eco-catalog_default_IE.cache"},
	} {
		if got := cacheFileName(tc.endpoint, tc.sub); got != tc.want {
			t.Errorf("cacheFileName(%q, %q) = %q, want %q", tc.endpoint, tc.sub, got, tc.want)
		}
	}
	if filepath.Base(cacheFileName("../../x", "IE")) != cacheFileName("../../x", "IE") {
		t.Error("endpoint escapes the cache directory")
	}
}

// Without Start, Catalog serves a stale cache and refreshes it in the
// background, once.
func TestSourceWithoutStartRefreshesOnDemand(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newSourceEnv(t, time.Now().Add(-90*time.Minute), SourceOptions{})
		c, err := e.s.Catalog(e.ctx)
		if err != nil || c == nil {
			t.Fatal(c, err)
		}
		call := <-e.f
		if c2, _ := e.s.Catalog(e.ctx); c2 != c {
			t.Error("Catalog during the refresh did not return the cached catalog")
		}
		call.reply <- fetchReply{body: fixture(t)}
		c3 := <-e.s.Updates() // the cache's
		if c3 == c {
			c3 = <-e.s.Updates()
		}
		if c3 == c || e.s.Age() != 0 {
			t.Errorf("not refreshed: age %v", e.s.Age())
		}
		for range 3 {
			e.s.Catalog(e.ctx)
		}
		e.f.noFetch(t)
	})
}

// TestCachePrunesTheRest: one file per endpoint and subsidiary; a simulator
// on loopback keeps one name whatever its port; cache files unused for 30
// days and crash leftovers are removed, the others kept.
func TestCachePrunesTheRest(t *testing.T) {
	if a, b := cacheFileName("http://127.0.0.1:44977/1.0", "IE"), cacheFileName("http://127.0.0.1:38057/1.0", "ie"); a != b || a != "eco-catalog_local-simulator_IE.cache" {
		t.Fatalf("simulator cache names %q and %q", a, b)
	}
	if got := cacheFileName("https://eu.api.ovh.com/1.0", "IE"); got != "eco-catalog_eu.api.ovh.com_IE.cache" {
		t.Fatalf("URL endpoint cache name %q", got)
	}
	dir := t.TempDir()
	now := time.Now()
	files := map[string]time.Duration{
		"eco-catalog_ovh-eu_IE.cache":             0,                   // in use
		"eco-catalog_ovh-eu_FR.cache":             10 * 24 * time.Hour, // recent: kept
		"eco-catalog_ovh-ca_CA.cache":             31 * 24 * time.Hour, // unused for a month: removed
		"eco-catalog_ovh-eu_IE.cache.tmp-123":     2 * time.Hour,       // crash leftover: removed
		"eco-catalog_ovh-eu_IE.cache.tmp-456":     time.Minute,         // a write in progress: kept
		"other-file":                              60 * 24 * time.Hour, // not ours: kept
		"eco-catalog_http___127.0.0.1_1_IE.cache": 40 * 24 * time.Hour, // old per-port file: removed
	}
	for name, age := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	gone := pruneCache(dir, filepath.Join(dir, "eco-catalog_ovh-eu_IE.cache"), now)
	slices.Sort(gone)
	want := []string{"eco-catalog_http___127.0.0.1_1_IE.cache", "eco-catalog_ovh-ca_CA.cache", "eco-catalog_ovh-eu_IE.cache.tmp-123"}
	if !slices.Equal(gone, want) {
		t.Fatalf("removed %v, want %v", gone, want)
	}
}
