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
// when one *ovh.Client serves several goroutines. So each call uses its own
// *ovh.Client, with its own *http.Client sharing c's Transport (connection
// pool, proxy, TLS config), c's endpoint, application key, user agent and
// logger, and no credentials: it never writes to c or c.Client, and cannot
// sign. (A shallow copy, cp := *c, also passes go vet, but it reads c's
// time-delta atomic.Value non-atomically and copies the secrets.) c's
// fields are read once, here; the returned Fetcher is safe for concurrent
// use.
func NewOVHFetcher(c *ovh.Client, timeout time.Duration) Fetcher {
	endpoint, appKey, userAgent, logger := c.Endpoint(), c.AppKey, c.UserAgent, c.Logger
	var transport http.RoundTripper
	var jar http.CookieJar
	var checkRedirect func(*http.Request, []*http.Request) error
	if c.Client != nil {
		transport, jar, checkRedirect = c.Client.Transport, c.Client.Jar, c.Client.CheckRedirect
	}
	return func(ctx context.Context, subsidiary string) ([]byte, error) {
		if subsidiary == "" {
			return nil, errors.New("fetch eco catalog: no subsidiary")
		}
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		call := &ovh.Client{
			AppKey:    appKey,
			UserAgent: userAgent,
			Logger:    logger,
			Timeout:   timeout,
			Client:    &http.Client{Transport: transport, Jar: jar, CheckRedirect: checkRedirect},
		}
		if err := call.SetEndpoint(endpoint); err != nil {
			return nil, fmt.Errorf("fetch eco catalog: endpoint %q: %w", endpoint, err)
		}
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
