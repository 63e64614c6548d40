package catalog

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of SourceOptions.
const (
	DefaultMaxAge     = time.Hour
	DefaultRetryAfter = time.Minute
)

// minLoopWait keeps the refresh loop from spinning whatever the clock says.
const minLoopWait = time.Second

// SourceOptions configures a Source.
type SourceOptions struct {
	// Fetch downloads the raw catalog (NewOVHFetcher in production). Nil:
	// every refresh fails and only the cache is served.
	Fetch Fetcher
	// CacheDir holds the cache files; default os.UserCacheDir()/ovhtui.
	// When no directory can be found the Source works without a disk cache.
	CacheDir string
	// Endpoint (ovh-eu, ovh-ca, ovh-us or a URL) and Subsidiary name the
	// cache file: one per endpoint and subsidiary.
	Endpoint   string
	Subsidiary string
	// MaxAge is the refresh interval: a catalog older than this is
	// refreshed in the background, and a download happens at most once
	// per MaxAge unless forced. Default DefaultMaxAge (1h).
	MaxAge time.Duration
	// RetryAfter is how long a failed download (network, HTTP error, or a
	// body that does not parse) holds off the next one; default
	// DefaultRetryAfter (1 min), at most MaxAge.
	RetryAfter time.Duration
	// PricingMode is passed to Parse.
	PricingMode string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log receives refresh failures and cache problems (default discard).
	Log *slog.Logger
}

// Source serves the eco catalog of one subsidiary: from the disk cache at
// once, then from OVH when the cache is older than MaxAge, in the
// background. It never downloads in a loop: one download in flight at a
// time, shared by every caller, and at most one per MaxAge unless forced
// (RetryAfter after a failure). A failed or unparsable download keeps the
// previous catalog and cache file.
//
// Lifecycle: Start(ctx) launches the background work; cancel ctx, then
// call Wait to be sure no goroutine of the Source is left. Current,
// Catalog, Refresh and Updates work with or without Start: without it the
// cache is read on first use and a stale catalog is refreshed only when
// Catalog or Refresh is called. All methods are safe for concurrent use.
type Source struct {
	opts      SourceOptions
	log       *slog.Logger
	cachePath string // "" without a disk cache

	cur     atomic.Pointer[Catalog]
	updates chan *Catalog

	loadOnce sync.Once
	loaded   chan struct{} // closed once the cache has been read (or found missing)
	wg       sync.WaitGroup

	mu        sync.Mutex
	runCtx    context.Context // Start's context, nil before Start
	started   bool
	inflight  *download
	nextFetch time.Time // earliest time a non-forced refresh downloads
	lastErr   error     // outcome of the last download attempt
}

// download is one fetch in flight; done is closed when err is set.
type download struct {
	done chan struct{}
	err  error
}

// NewSource returns a Source; call Start to load the cache and refresh in
// the background.
func NewSource(opts SourceOptions) *Source {
	opts.MaxAge = cmp.Or(opts.MaxAge, DefaultMaxAge)
	opts.RetryAfter = min(cmp.Or(opts.RetryAfter, DefaultRetryAfter), opts.MaxAge)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Source{
		opts:    opts,
		log:     log.With("subsidiary", opts.Subsidiary),
		updates: make(chan *Catalog, 1),
		loaded:  make(chan struct{}),
	}
	dir := opts.CacheDir
	if dir == "" {
		if base, err := os.UserCacheDir(); err == nil {
			dir = filepath.Join(base, "ovhtui")
		} else {
			s.log.Warn("catalog: no cache directory, the catalog is not cached on disk", "err", err)
		}
	}
	if dir != "" {
		s.cachePath = filepath.Join(dir, cacheFileName(opts.Endpoint, opts.Subsidiary))
	}
	return s
}

// CachePath is the cache file of this Source, "" when there is none.
func (s *Source) CachePath() string { return s.cachePath }

// Start loads and parses the cache in the background at once, then keeps
// the catalog fresh: it refreshes whenever the catalog is older than
// MaxAge, until ctx is cancelled. Call it once; later calls do nothing.
func (s *Source) Start(ctx context.Context) {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return
	}
	s.started = true
	s.runCtx = ctx
	s.wg.Add(1)
	s.mu.Unlock()
	s.ensureLoading()
	go s.run(ctx)
}

// Wait blocks until every goroutine of the Source has returned: call it
// after cancelling Start's context. A download in flight ends with that
// context (or the fetcher's timeout when it was started before Start).
func (s *Source) Wait() { s.wg.Wait() }

// Current returns the latest parsed catalog, nil until one is available.
// It never blocks.
func (s *Source) Current() *Catalog { return s.cur.Load() }

// Updates delivers each newly available catalog (from the cache or a
// download). It is coalesced: a reader that falls behind gets the latest
// catalog only. Meant for a single reader.
func (s *Source) Updates() <-chan *Catalog { return s.updates }

// FetchedAt is when the current catalog was downloaded, zero when there is
// none.
func (s *Source) FetchedAt() time.Time {
	if c := s.cur.Load(); c != nil {
		return c.FetchedAt
	}
	return time.Time{}
}

// Age is how old the current catalog is, 0 when there is none (check
// Current for nil).
func (s *Source) Age() time.Duration {
	if c := s.cur.Load(); c != nil {
		return s.opts.Now().Sub(c.FetchedAt)
	}
	return 0
}

// LastError is the error of the last download attempt, nil when it
// succeeded or none was made.
func (s *Source) LastError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

// Catalog returns the current catalog, waiting for the first one: from the
// cache or, when there is none, from a download (subject to the same
// limits as Refresh). It returns an error when neither gives a catalog.
// When the catalog it returns is older than MaxAge it also starts a
// background refresh (same limits), so a Source used without Start stays
// fresh for as long as someone asks for it.
func (s *Source) Catalog(ctx context.Context) (*Catalog, error) {
	if c := s.cur.Load(); c != nil {
		s.begin(ctx, false)
		return c, nil
	}
	if err := s.waitLoaded(ctx); err != nil {
		return nil, err
	}
	if c := s.cur.Load(); c != nil {
		s.begin(ctx, false)
		return c, nil
	}
	err := s.Refresh(ctx)
	if c := s.cur.Load(); c != nil {
		return c, nil
	}
	if err == nil {
		err = errors.New("no catalog yet")
	}
	return nil, fmt.Errorf("eco catalog for %s: %w", s.opts.Subsidiary, err)
}

// Refresh downloads the catalog if the current one is older than MaxAge
// and no download failed in the last RetryAfter; otherwise it returns at
// once with the last download's error (nil after a success). Concurrent
// callers share one download. It returns when the download is done or ctx
// is cancelled (the download itself goes on).
func (s *Source) Refresh(ctx context.Context) error { return s.refresh(ctx, false) }

// ForceRefresh downloads the catalog now whatever its age, unless a
// download is in flight, which it joins. For an explicit user request.
func (s *Source) ForceRefresh(ctx context.Context) error { return s.refresh(ctx, true) }

func (s *Source) refresh(ctx context.Context, force bool) error {
	if err := s.waitLoaded(ctx); err != nil {
		return err
	}
	d, err := s.begin(ctx, force)
	if d == nil {
		return err
	}
	select {
	case <-d.done:
		return d.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// begin returns the download in flight, or starts one when forced or due.
// When none is due it returns nil and the last download's error.
func (s *Source) begin(ctx context.Context, force bool) (*download, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inflight != nil {
		return s.inflight, nil
	}
	if !force && s.opts.Now().Before(s.nextFetch) {
		return nil, s.lastErr
	}
	d := &download{done: make(chan struct{})}
	s.inflight = d
	fctx := s.runCtx
	if fctx == nil {
		fctx = context.WithoutCancel(ctx)
	}
	s.wg.Add(1)
	go s.download(fctx, d)
	return d, nil
}

// download fetches, parses, caches and publishes one catalog.
func (s *Source) download(ctx context.Context, d *download) {
	defer s.wg.Done()
	start := s.opts.Now()
	c, err := s.fetchAndParse(ctx, start)
	switch {
	case err != nil && ctx.Err() != nil:
		s.log.Debug("catalog: refresh cancelled", "err", err)
	case err != nil:
		s.log.Warn("catalog: refresh failed", "kept_previous", s.cur.Load() != nil, "err", err)
	default:
		s.log.Info("catalog: refreshed", "offers", len(c.Offers), "skipped", len(c.Skipped))
	}
	s.mu.Lock()
	s.inflight = nil
	s.lastErr = err
	switch {
	case err == nil:
		s.nextFetch = c.FetchedAt.Add(s.opts.MaxAge)
	default:
		// A body that does not parse is retried like any failed call:
		// the next answer may be whole (issue 11).
		s.nextFetch = s.opts.Now().Add(s.opts.RetryAfter)
	}
	if c != nil {
		s.publishLocked(c)
	}
	s.mu.Unlock()
	d.err = err
	close(d.done)
}

// fetchAndParse downloads and parses a catalog and writes the cache.
func (s *Source) fetchAndParse(ctx context.Context, fetchedAt time.Time) (c *Catalog, err error) {
	if s.opts.Fetch == nil {
		return nil, errors.New("no fetcher configured")
	}
	body, err := s.opts.Fetch(ctx, s.opts.Subsidiary)
	if err != nil {
		return nil, err
	}
	c, err = Parse(body, s.parseOptions(fetchedAt))
	if err != nil {
		return nil, fmt.Errorf("downloaded catalog unusable: %w", err)
	}
	if s.cachePath != "" {
		h := cacheHeader{FetchedAt: fetchedAt, Endpoint: s.opts.Endpoint, Subsidiary: s.opts.Subsidiary}
		if err := writeCache(s.cachePath, h, body); err != nil {
			// The new catalog is still good in memory.
			s.log.Error("catalog: cache not written", "path", s.cachePath, "err", err)
		} else if gone := pruneCache(filepath.Dir(s.cachePath), s.cachePath, time.Now()); len(gone) > 0 {
			s.log.Info("catalog: old cache files removed", "files", gone)
		}
	}
	return c, nil
}

func (s *Source) parseOptions(fetchedAt time.Time) ParseOptions {
	return ParseOptions{
		PricingMode: s.opts.PricingMode,
		Subsidiary:  s.opts.Subsidiary,
		FetchedAt:   fetchedAt,
		Log:         s.log,
	}
}

// publishLocked makes c current and notifies Updates, replacing an unread
// older catalog. s.mu is held, so publishers do not interleave.
func (s *Source) publishLocked(c *Catalog) {
	s.cur.Store(c)
	select {
	case s.updates <- c:
		return
	default:
	}
	select {
	case <-s.updates:
	default:
	}
	select {
	case s.updates <- c:
	default:
	}
}

// ensureLoading starts reading the cache once.
func (s *Source) ensureLoading() {
	s.loadOnce.Do(func() {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer close(s.loaded)
			s.loadCache()
		}()
	})
}

func (s *Source) waitLoaded(ctx context.Context) error {
	s.ensureLoading()
	select {
	case <-s.loaded:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// loadCache parses the cache file, if any, and publishes it. A cache from
// the future (clock change) counts as stale.
func (s *Source) loadCache() {
	if s.cachePath == "" {
		return
	}
	h, body, err := readCache(s.cachePath, s.opts.Endpoint, s.opts.Subsidiary)
	if err != nil {
		if !errors.Is(err, errNoCache) {
			s.log.Warn("catalog: cache ignored", "err", err)
		}
		return
	}
	c, err := Parse(body, s.parseOptions(h.FetchedAt))
	if err != nil {
		s.log.Warn("catalog: cache ignored", "path", s.cachePath, "err", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur.Load() != nil {
		return
	}
	next := h.FetchedAt.Add(s.opts.MaxAge)
	if now := s.opts.Now(); h.FetchedAt.After(now) {
		next = now
	}
	s.nextFetch = next
	s.publishLocked(c)
}

// run refreshes whenever the catalog is due, until ctx is done.
func (s *Source) run(ctx context.Context) {
	defer s.wg.Done()
	if err := s.waitLoaded(ctx); err != nil {
		return
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		// Errors are logged by download and kept for LastError.
		_ = s.Refresh(ctx)
		s.mu.Lock()
		wait := s.nextFetch.Sub(s.opts.Now())
		s.mu.Unlock()
		timer.Reset(max(wait, minLoopWait))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
	}
}
