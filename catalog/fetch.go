package catalog

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ovh/go-ovh/ovh"
)

// Fetcher downloads the raw eco catalog of a subsidiary (the body of
// GET /order/catalog/public/eco?ovhSubsidiary=XX).
type Fetcher func(ctx context.Context, subsidiary string) ([]byte, error)

// maxCatalogBytes bounds a downloaded catalog; the IE one is 3.9 MB.
const maxCatalogBytes = 64 << 20

// catalogPath is the public eco catalog route; it needs no authentication.
const catalogPath = "/order/catalog/public/eco"

// NewOVHFetcher returns a Fetcher that sends an unsigned
// GET /order/catalog/public/eco?ovhSubsidiary=XX on c's endpoint, with
// timeout (0: none) covering the whole download. A non-2xx answer is an
// error wrapping *ovh.APIError (status, OVH's message and query id).
//
// go-ovh's NewRequest writes c.Client.Timeout on every call, a data race
// when one *ovh.Client serves several goroutines. So the fetcher copies c
// once here and, for every call, uses a shallow copy of that with its own
// *http.Client sharing c's Transport (connection pool, proxy, TLS config):
// it never writes to c or to c.Client. Call NewOVHFetcher before c is used
// concurrently (the copy reads c's fields once); the returned Fetcher is
// safe for concurrent use.
func NewOVHFetcher(c *ovh.Client, timeout time.Duration) Fetcher {
	base := *c // only read from now on; see above
	var transport http.RoundTripper
	var jar http.CookieJar
	var checkRedirect func(*http.Request, []*http.Request) error
	if c.Client != nil {
		transport, jar, checkRedirect = c.Client.Transport, c.Client.Jar, c.Client.CheckRedirect
	}
	base.Client = nil
	base.Timeout = timeout
	return func(ctx context.Context, subsidiary string) ([]byte, error) {
		if subsidiary == "" {
			return nil, errors.New("fetch eco catalog: no subsidiary")
		}
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		call := base
		call.Client = &http.Client{Transport: transport, Jar: jar, CheckRedirect: checkRedirect}
		path := catalogPath + "?ovhSubsidiary=" + url.QueryEscape(subsidiary)
		req, err := call.NewRequest(http.MethodGet, path, nil, false)
		if err != nil {
			return nil, fmt.Errorf("fetch eco catalog: GET %s: %w", path, err)
		}
		resp, err := call.Do(req.WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("fetch eco catalog: GET %s: %w", path, err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxCatalogBytes+1))
		if err != nil {
			return nil, fmt.Errorf("fetch eco catalog: GET %s: read body: %w", path, err)
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return nil, fmt.Errorf("fetch eco catalog: GET %s: %w", path, apiError(resp, body))
		}
		if len(body) > maxCatalogBytes {
			return nil, fmt.Errorf("fetch eco catalog: GET %s: body larger than %d bytes", path, maxCatalogBytes)
		}
		return body, nil
	}
}

// apiError builds the *ovh.APIError go-ovh would return for resp, so that
// callers classify it the same way (errors.As).
func apiError(resp *http.Response, body []byte) *ovh.APIError {
	e := &ovh.APIError{Code: resp.StatusCode, QueryID: resp.Header.Get("X-Ovh-QueryID")}
	if err := json.Unmarshal(body, e); err != nil || e.Message == "" {
		const max = 200
		msg := string(body)
		if len(msg) > max {
			msg = msg[:max] + "..."
		}
		e.Message = cmp.Or(strings.ToValidUTF8(msg, ""), resp.Status)
	}
	return e
}
