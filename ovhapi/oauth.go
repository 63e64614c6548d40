package ovhapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/ovh/go-ovh/ovh"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// oauthTokenURLs are OVH's OAuth2 token endpoints per API endpoint (as
// go-ovh v1.9.0 knows them, in its unexported tokensURLs).
var oauthTokenURLs = map[string]string{
	ovh.OvhEU: "https://www.ovh.com/auth/oauth2/token",
	ovh.OvhCA: "https://ca.ovh.com/auth/oauth2/token",
	ovh.OvhUS: "https://us.ovhcloud.com/auth/oauth2/token",
}

// oauthRefreshBefore is how long before its expiry a token is replaced;
// a token with less left than oauthMinLeft is not used.
const (
	oauthRefreshBefore = 5 * time.Minute
	oauthMinLeft       = 30 * time.Second
)

// oauthToken holds the OAuth2 access token of a service account, fetched
// ahead of time (run) so that no signed call, and never a checkout, waits
// on the token endpoint.
type oauthToken struct {
	cfg     clientcredentials.Config
	hc      *http.Client
	timeout time.Duration

	fetchMu sync.Mutex // one fetch at a time
	mu      sync.Mutex
	tok     *oauth2.Token
	lastErr error
	wake    chan struct{}
}

func newOAuthToken(c *ovh.Client, opts ClientOptions, tr http.RoundTripper) *oauthToken {
	u := opts.TokenURL
	if u == "" {
		u = oauthTokenURLs[c.Endpoint()]
	}
	return &oauthToken{
		cfg:     clientcredentials.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, TokenURL: u, Scopes: []string{"all"}},
		hc:      &http.Client{Transport: tr, Timeout: opts.CallTimeout},
		timeout: opts.CallTimeout,
		wake:    make(chan struct{}, 1),
	}
}

// usable reports a token with at least oauthMinLeft left.
func usable(t *oauth2.Token, now time.Time) bool {
	return t != nil && t.AccessToken != "" && (t.Expiry.IsZero() || t.Expiry.Sub(now) > oauthMinLeft)
}

// get returns the current access token. Without a usable one it fetches
// one when fetch is true (not for a checkout), else fails: the call is not
// sent, and run is woken to fetch it.
func (o *oauthToken) get(ctx context.Context, fetch bool) (string, error) {
	o.mu.Lock()
	t, lastErr := o.tok, o.lastErr
	o.mu.Unlock()
	if usable(t, time.Now()) {
		return t.AccessToken, nil
	}
	if !fetch {
		select {
		case o.wake <- struct{}{}:
		default:
		}
		if lastErr != nil {
			return "", fmt.Errorf("no OAuth2 access token (a checkout never fetches one): %w", lastErr)
		}
		return "", errors.New("no OAuth2 access token yet (a checkout never fetches one)")
	}
	if err := o.fetch(ctx); err != nil {
		return "", err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.tok.AccessToken, nil
}

// fetch gets a new token from the token endpoint, within the call timeout.
// The error never holds the client secret (the oauth2 package does not
// print it).
func (o *oauthToken) fetch(ctx context.Context) error {
	o.fetchMu.Lock()
	defer o.fetchMu.Unlock()
	o.mu.Lock()
	t := o.tok
	o.mu.Unlock()
	if usable(t, time.Now()) && t.Expiry.Sub(time.Now()) > oauthRefreshBefore {
		return nil // fetched meanwhile
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	nt, err := o.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, o.hc))
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		o.lastErr = fmt.Errorf("OAuth2 token: %w", err)
		return o.lastErr
	}
	o.tok, o.lastErr = nt, nil
	return nil
}

// run fetches the token at once and again oauthRefreshBefore its expiry
// (at least every minute after a failure), until ctx ends.
func (o *oauthToken) run(ctx context.Context) {
	for {
		next := time.Minute
		if err := o.fetch(ctx); err == nil {
			o.mu.Lock()
			exp := o.tok.Expiry
			o.mu.Unlock()
			if !exp.IsZero() {
				next = max(time.Until(exp)-oauthRefreshBefore, 10*time.Second)
			} else {
				next = 30 * time.Minute
			}
		}
		t := time.NewTimer(next)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-o.wake:
			t.Stop()
		case <-t.C:
		}
	}
}
