package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/joho/godotenv"
	"github.com/ovh/go-ovh/ovh"
)

// secretEnv are the environment variables whose values must never be shown.
var secretEnv = []string{"OVH_APPLICATION_SECRET", "OVH_CONSUMER_KEY", "OVH_CLIENT_SECRET", "OVH_ACCESS_TOKEN"}

// loadEnvFile loads path with godotenv without overriding variables already
// set. A missing file is fine. It returns a warning when the file is
// readable by group or others.
func loadEnvFile(path string) (warning string, err error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read env file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		warning = fmt.Sprintf("%s is readable by group or others (mode %04o): run chmod 600 %s", path, st.Mode().Perm(), path)
	}
	if err := godotenv.Load(path); err != nil {
		// godotenv errors quote the offending line, which may hold a secret:
		// report the file only.
		return warning, fmt.Errorf("parse env file %s: invalid syntax", path)
	}
	return warning, nil
}

// clearOVHEnv removes every OVH_* variable so that nothing go-ovh reads can
// come from the user's environment (used by --demo).
func clearOVHEnv() {
	for _, kv := range os.Environ() {
		if k, _, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "OVH_") {
			os.Unsetenv(k)
		}
	}
}

// newOVHClient builds the go-ovh client exactly as go-ovh reads its
// configuration: OVH_ENDPOINT (name or URL), then application key/secret and
// consumer key, or OAuth2 client id/secret, from the environment or
// ovh.conf files.
func newOVHClient() (*ovh.Client, error) {
	c, err := ovh.NewDefaultClient()
	if err != nil {
		return nil, fmt.Errorf("OVH API client: %s (set OVH_ENDPOINT and OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY, or OVH_CLIENT_ID and OVH_CLIENT_SECRET; see .env.example)", redactString(err.Error()))
	}
	c.UserAgent = "ovhtui/" + version
	return c, nil
}

// endpointName returns what the user configured as endpoint, for display
// and validation ("ovh-eu" when unset, as go-ovh defaults).
func endpointName() string {
	if e := os.Getenv("OVH_ENDPOINT"); e != "" {
		return e
	}
	return "ovh-eu"
}

var (
	secretsMu    sync.Mutex
	secrets      []string
	otherSecrets []string // registerSecrets
)

// collectSecrets remembers the secret values present in the environment so
// that redactString can scrub them from anything written.
func collectSecrets() {
	secretsMu.Lock()
	defer secretsMu.Unlock()
	secrets = secrets[:0]
	for _, k := range secretEnv {
		if v := os.Getenv(k); len(v) >= 4 {
			secrets = append(secrets, v)
		}
	}
}

// registerSecrets adds values (notification tokens) that redactString
// scrubs too; collectSecrets keeps them.
func registerSecrets(vals ...string) {
	secretsMu.Lock()
	defer secretsMu.Unlock()
	for _, v := range vals {
		if len(v) >= 4 {
			otherSecrets = append(otherSecrets, v)
		}
	}
}

// redactString replaces every known secret value in s.
func redactString(s string) string {
	secretsMu.Lock()
	defer secretsMu.Unlock()
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	for _, v := range otherSecrets {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	return s
}

// redactingWriter scrubs secrets from everything written through it: the
// last line of defence for logs.
type redactingWriter struct{ w io.Writer }

func (r redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, redactString(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
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
func checkCredential(ctx context.Context, c *ovh.Client, log *slog.Logger) ([]neededRight, error) {
	if c.ClientID != "" {
		log.Info("OAuth2 service account: rights come from IAM policies; /auth/currentCredential does not list them")
		return nil, nil
	}
	var cred struct {
		Status string           `json:"status"`
		Rules  []credentialRule `json:"rules"`
	}
	if err := c.GetWithContext(ctx, "/auth/currentCredential", &cred); err != nil {
		return nil, fmt.Errorf("verify credentials (GET /auth/currentCredential): %s", redactString(err.Error()))
	}
	if cred.Status != "" && cred.Status != "validated" {
		return nil, fmt.Errorf("consumer key status is %q, not validated: validate it at the URL OVH gave when it was created", cred.Status)
	}
	return missingRights(cred.Rules), nil
}
