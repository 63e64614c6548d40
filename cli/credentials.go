package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/joho/godotenv"
	"github.com/ovh/go-ovh/ovh"

	"github.com/ovhtui/ovhtui/safefile"
	"github.com/ovhtui/ovhtui/secret"
)

// secretEnv are the environment variables whose values must never be shown.
var secretEnv = []string{"OVH_APPLICATION_SECRET", "OVH_CONSUMER_KEY", "OVH_CLIENT_SECRET", "OVH_ACCESS_TOKEN"}

// maxEnvFileSize bounds the env file: a few lines of credentials.
const maxEnvFileSize = 1 << 20

// loadEnvFile loads path with godotenv without overriding variables already
// set. A missing file is fine. It returns a warning when the file is
// readable by group or others. Errors say what is wrong and where (line,
// cause), never the content of a line, which may hold a secret. A UTF-8
// byte order mark, which some editors write, is skipped.
func loadEnvFile(path string) (warning string, err error) {
	forgetEnvOrigins()
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err == nil && isDevNull(st) {
		return "", nil // --env /dev/null: how people say "no environment file"
	}
	if err != nil {
		return "", fmt.Errorf("env file %s: %s", path, causeOf(err))
	}
	switch {
	case st.IsDir():
		return "", fmt.Errorf("env file %s is a folder, not a file (--env names a file of NAME=value lines)", path)
	case !st.Mode().IsRegular():
		return "", fmt.Errorf("env file %s is not a regular file (%s)", path, st.Mode().Type())
	case st.Size() > maxEnvFileSize:
		return "", fmt.Errorf("env file %s is %d bytes, over the 1 MB limit for a file of credentials", path, st.Size())
	}
	if st.Mode().Perm()&0o077 != 0 {
		warning = fmt.Sprintf("%s is readable by group or others (mode %04o): run chmod 600 %s", path, st.Mode().Perm(), path)
	}
	// Opened without blocking and checked again on the open file: a FIFO
	// put there since the stat must not hang start-up.
	data, _, err := safefile.ReadFile(path, maxEnvFileSize, "env file")
	if err != nil {
		return warning, fmt.Errorf("cannot read env file %s: %s", path, causeOf(err))
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	// godotenv does the same; doing it first keeps offsets in step with its errors.
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	vars, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		return warning, envSyntaxError(path, data, err)
	}
	for k, v := range vars {
		if _, set := os.LookupEnv(k); !set {
			os.Setenv(k, v)
			noteEnvOrigin(path, data, k)
		}
	}
	return warning, nil
}

// isDevNull reports the null device (/dev/null, or a link to it).
func isDevNull(st fs.FileInfo) bool {
	if st.Mode()&fs.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(st, null)
}

var (
	envBadNameRe  = regexp.MustCompile(`^unexpected character ("(?:[^"\\]|\\.)*") in variable name near ("(?s:.*)")$`)
	envUnquotedRe = regexp.MustCompile(`^unterminated quoted value (?s:(.*))$`)
)

// envSyntaxError turns a godotenv error into "file:line: cause". godotenv's
// own text quotes the rest of the file, secrets included: only the line
// number and the kind of mistake are kept.
func envSyntaxError(path string, data []byte, err error) error {
	lineOf := func(off int) int { return 1 + bytes.Count(data[:max(0, min(off, len(data)))], []byte("\n")) }
	msg := err.Error()
	if m := envBadNameRe.FindStringSubmatch(msg); m != nil {
		char, err1 := strconv.Unquote(m[1])
		rest, err2 := strconv.Unquote(m[2])
		if err1 == nil && err2 == nil && len(rest) <= len(data) {
			off := len(data) - len(rest)
			line := lineOf(off)
			text, _, _ := bytes.Cut(data[off:], []byte("\n"))
			if char == "\n" || !bytes.ContainsAny(text, "=:") {
				return fmt.Errorf("env file %s:%d: no \"=\" on this line (expected NAME=value)", path, line)
			}
			return fmt.Errorf("env file %s:%d: the variable name has a character other than letters, digits, \"_\" and \".\" (expected NAME=value)", path, line)
		}
	}
	if m := envUnquotedRe.FindStringSubmatch(msg); m != nil {
		if off := bytes.LastIndex(data, []byte(m[1])); off >= 0 {
			return fmt.Errorf("env file %s:%d: a quoted value opened on this line is never closed", path, lineOf(off))
		}
		return fmt.Errorf("env file %s: a quoted value is never closed", path)
	}
	return fmt.Errorf("env file %s: invalid syntax (expected NAME=value lines)", path)
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
	if err := checkOVHConfFiles(); err != nil {
		return nil, err
	}
	c, err := ovh.NewDefaultClient()
	if err != nil {
		return nil, fmt.Errorf("OVH API client: %s (set OVH_ENDPOINT and OVH_APPLICATION_KEY, OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY, or OVH_CLIENT_ID and OVH_CLIENT_SECRET; see .env.example)", redactString(err.Error()))
	}
	if err := checkCredentialValues(c); err != nil {
		return nil, err
	}
	c.UserAgent = "ovhtui/" + version
	return c, nil
}

// newSimClient builds the go-ovh client of --demo: the simulator's
// credentials and a loopback URL, and nothing else (see newPublicClient).
func newSimClient(endpoint string) (*ovh.Client, error) {
	c, err := newPublicClient(endpoint)
	if err != nil {
		return nil, err
	}
	c.AppKey, c.AppSecret, c.ConsumerKey = demoAppKey, demoAppSecret, demoConsumerKey
	c.UserAgent = "ovhtui/" + version + " (demo)"
	return c, nil
}

// newPublicClient builds a go-ovh client without credentials for endpoint
// (a go-ovh endpoint name or a URL), for unsigned calls such as the
// catalog. It fills the client's fields itself because go-ovh's
// constructors (NewClient and the others) all run its configuration
// lookup, which reads /etc/ovh.conf, ~/.ovh.conf and ./ovh.conf (secrets
// included) and lets OVH_* variables override what is given.
func newPublicClient(endpoint string) (*ovh.Client, error) {
	url := endpoint
	if !strings.Contains(endpoint, "/") {
		url = ovh.Endpoints[endpoint]
	}
	if url == "" {
		return nil, fmt.Errorf("unknown OVH endpoint %q (a name such as ovh-eu, or a URL)", endpoint)
	}
	c := &ovh.Client{Client: &http.Client{}, Timeout: ovh.DefaultTimeout, UserAgent: "ovhtui/" + version}
	if err := c.SetEndpoint(url); err != nil {
		return nil, err
	}
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
	// The journal scrubs what it writes with package secret.
	secret.Register(secrets...)
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
	secret.Register(vals...)
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
