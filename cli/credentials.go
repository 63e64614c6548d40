package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/ovh/go-ovh/ovh"
)

// newOVHClient builds the go-ovh client as go-ovh reads its configuration:
// OVH_ENDPOINT (name or URL), then application key/secret and consumer
// key, or OAuth2 client id/secret, or an access token, from the run's
// environment (the --env file included) first, then from ovh.conf files.
// The values are given to go-ovh explicitly: the process environment is
// not the run's.
func (a *app) newOVHClient() (*ovh.Client, error) {
	if err := checkOVHConfFiles(); err != nil {
		return nil, err
	}
	env := a.env
	ep := env.get("OVH_ENDPOINT")
	var (
		c   *ovh.Client
		err error
	)
	switch {
	case env.nonEmpty("OVH_CLIENT_ID") || env.nonEmpty("OVH_CLIENT_SECRET"):
		c, err = ovh.NewOAuth2Client(ep, env.get("OVH_CLIENT_ID"), env.get("OVH_CLIENT_SECRET"))
	case env.nonEmpty("OVH_ACCESS_TOKEN"):
		c, err = ovh.NewAccessTokenClient(ep, env.get("OVH_ACCESS_TOKEN"))
	default:
		c, err = ovh.NewClient(ep, env.get("OVH_APPLICATION_KEY"), env.get("OVH_APPLICATION_SECRET"), env.get("OVH_CONSUMER_KEY"))
	}
	if err != nil {
		return nil, fmt.Errorf("OVH API client: %s (set OVH_ENDPOINT and OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY, or OVH_CLIENT_ID and OVH_CLIENT_SECRET; see .env.example)", a.secrets.redact(err.Error()))
	}
	if err := a.checkCredentialValues(c); err != nil {
		return nil, err
	}
	c.UserAgent = "ovhtui/" + a.version
	return c, nil
}

// newSimClient builds the go-ovh client of --demo: the simulator's
// credentials and a loopback URL, and nothing else (see newPublicClient).
func (a *app) newSimClient(endpoint string) (*ovh.Client, error) {
	c, err := a.newPublicClient(endpoint)
	if err != nil {
		return nil, err
	}
	c.AppKey, c.AppSecret, c.ConsumerKey = demoAppKey, demoAppSecret, demoConsumerKey
	c.UserAgent = "ovhtui/" + a.version + " (demo)"
	return c, nil
}

// newPublicClient builds a go-ovh client without credentials for endpoint
// (a go-ovh endpoint name or a URL), for unsigned calls such as the
// catalog. It fills the client's fields itself because go-ovh's
// constructors (NewClient and the others) all run its configuration
// lookup, which reads /etc/ovh.conf, ~/.ovh.conf and ./ovh.conf (secrets
// included) and lets OVH_* variables override what is given.
func (a *app) newPublicClient(endpoint string) (*ovh.Client, error) {
	url := endpoint
	if !strings.Contains(endpoint, "/") {
		url = ovh.Endpoints[endpoint]
	}
	if url == "" {
		return nil, fmt.Errorf("unknown OVH endpoint %q (a name such as ovh-eu, or a URL)", endpoint)
	}
	c := &ovh.Client{Client: &http.Client{}, Timeout: ovh.DefaultTimeout, UserAgent: "ovhtui/" + a.version}
	if err := c.SetEndpoint(url); err != nil {
		return nil, err
	}
	return c, nil
}

// endpointName returns what the user configured as endpoint, for display
// and validation ("ovh-eu" when unset, as go-ovh defaults).
func (a *app) endpointName() string {
	if e := a.env.get("OVH_ENDPOINT"); e != "" {
		return e
	}
	return "ovh-eu"
}

// credentialRule is one access rule of a consumer key.
type credentialRule struct {
	Method string `json:"method"`
	Path   string `json:"path"`
}

// neededRight is an API right ovhtui uses and why.
type neededRight struct {
	credentialRule
	why      string
	optional bool
}

// neededRights are the consumer-key rules ovhtui needs (see README).
var neededRights = []neededRight{
	{credentialRule{"POST", "/order/cart"}, "create carts", false},
	{credentialRule{"GET", "/order/cart"}, "list carts", false},
	{credentialRule{"GET", "/order/cart/*"}, "read carts, summaries, dry-run checkout", false},
	{credentialRule{"POST", "/order/cart/*"}, "assign carts, coupons, checkout", false},
	{credentialRule{"DELETE", "/order/cart/*"}, "remove stale cart items and carts", false},
	{credentialRule{"GET", "/me"}, "read the account", false},
	{credentialRule{"GET", "/me/order"}, "find an order after a crash or timeout", false},
	{credentialRule{"GET", "/me/order/*"}, "read order details and status", false},
	{credentialRule{"POST", "/me/order/*"}, "pay an order from ovhtui (optional)", true},
	// After the win (package account): optional.
	{credentialRule{"GET", "/me/payment/method"}, "find the payment mean to pay with (optional)", true},
	{credentialRule{"GET", "/me/payment/method/*"}, "find the payment mean to pay with (optional)", true},
	{credentialRule{"GET", "/dedicated/server"}, "list your servers (optional)", true},
	{credentialRule{"GET", "/dedicated/server/*"}, "read your servers' expiry and renewal (optional)", true},
	{credentialRule{"GET", "/service/*"}, "read renewal periods and prices (optional)", true},
	{credentialRule{"POST", "/service/*"}, "renew a server (optional)", true},
}

// ruleCovers reports whether an OVH rule (method, path with * globs)
// covers the call.
func ruleCovers(rule, call credentialRule) bool {
	if rule.Method != call.Method {
		return false
	}
	return globMatch(rule.Path, call.Path)
}

// globMatch matches OVH rule paths, where * matches any run of characters
// (including /). /order/cart/* does not cover /order/cart.
func globMatch(pattern, s string) bool {
	re := "^" + strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, ".*") + "$"
	ok, err := regexp.MatchString(re, s)
	return err == nil && ok
}

// missingRights lists the needed rights not covered by rules.
func missingRights(rules []credentialRule) []neededRight {
	var out []neededRight
	for _, n := range neededRights {
		// A concrete call the rule must cover: replace * by a sample id.
		call := credentialRule{n.Method, strings.ReplaceAll(n.Path, "*", "123456/checkout")}
		covered := false
		for _, r := range rules {
			if ruleCovers(r, call) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, n)
		}
	}
	return out
}

// checkCredential calls GET /auth/currentCredential and returns the rights
// the consumer key lacks.
func (a *app) checkCredential(ctx context.Context, c *ovh.Client, log *slog.Logger) ([]neededRight, error) {
	if c.ClientID != "" {
		log.Info("OAuth2 service account: rights come from IAM policies; /auth/currentCredential does not list them")
		return nil, nil
	}
	var cred struct {
		Status string           `json:"status"`
		Rules  []credentialRule `json:"rules"`
	}
	if err := c.GetWithContext(ctx, "/auth/currentCredential", &cred); err != nil {
		return nil, fmt.Errorf("verify credentials (GET /auth/currentCredential): %s", a.secrets.redact(err.Error()))
	}
	if cred.Status != "" && cred.Status != "validated" {
		return nil, fmt.Errorf("consumer key status is %q, not validated: validate it at the URL OVH gave when it was created", cred.Status)
	}
	return missingRights(cred.Rules), nil
}
