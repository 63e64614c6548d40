package ovhsim

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Signature scheme of OVH's API v1 (as go-ovh's NewRequest builds it).
const signaturePrefix = "$1$"

// Signature returns the X-Ovh-Signature value of a request, as go-ovh
// computes it: "$1$" + hex(sha1(AS+"+"+CK+"+"+METHOD+"+"+fullURL+"+"+body+"+"+timestamp)).
func Signature(appSecret, consumerKey, method, fullURL, body string, timestamp int64) string {
	h := sha1.New()
	h.Write([]byte(appSecret + "+" + consumerKey + "+" + method + "+" + fullURL + "+" + body + "+" + strconv.FormatInt(timestamp, 10)))
	return signaturePrefix + hex.EncodeToString(h.Sum(nil))
}

// authenticate checks the request's credentials. It returns nil, nil for
// an anonymous request, the credential for a valid signed (or bearer)
// request, and an OVH error otherwise. A signed request is also checked
// against the consumer key's rules (except /auth/*).
//
// Decisions (uncertain where OVH documents nothing; stricter chosen):
//   - an unknown X-Ovh-Application is refused even on a public route
//     (403 INVALID_KEY "Invalid application key");
//   - a request with some but not all of the signature headers is refused
//     (400 INVALID_SIGNATURE "Invalid signature");
//   - a timestamp further than Options.TimestampWindow from the clock is
//     refused with 400 "Invalid timestamp" (wording uncertain);
//   - a bearer token other than Options.AccessToken gets 401.
func (s *Sim) authenticate(r *http.Request, body []byte) (*Credential, *apiError) {
	rel, _ := apiPath(r.URL.Path)
	if rel == "" {
		rel = r.URL.Path
	}
	var who *Credential
	if authz := r.Header.Get("Authorization"); authz != "" {
		tok, ok := strings.CutPrefix(authz, "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(tok), []byte(s.opts.AccessToken)) != 1 {
			return nil, &apiError{status: 401, class: "Client::Unauthorized", message: "Invalid token"}
		}
		who = s.creds[s.opts.ConsumerKey]
	} else {
		app := r.Header.Get("X-Ovh-Application")
		ck := r.Header.Get("X-Ovh-Consumer")
		sig := r.Header.Get("X-Ovh-Signature")
		ts := r.Header.Get("X-Ovh-Timestamp")
		if app != "" {
			if _, ok := s.appSecret[app]; !ok {
				return nil, forbidden("INVALID_KEY", "Invalid application key")
			}
		}
		if ck == "" && sig == "" && ts == "" {
			return nil, nil
		}
		if app == "" {
			return nil, forbidden("INVALID_KEY", "Invalid application key")
		}
		cred := s.creds[ck]
		if ck == "" || cred == nil || cred.AppKey != app {
			return nil, forbidden("INVALID_CREDENTIAL", "This credential is not valid")
		}
		if sig == "" || ts == "" {
			return nil, &apiError{status: 400, class: "Client::BadRequest", message: "Invalid signature", errorCode: "INVALID_SIGNATURE"}
		}
		stamp, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return nil, badRequest("Invalid timestamp")
		}
		if win := s.opts.TimestampWindow; win > 0 {
			d := s.now().Sub(time.Unix(stamp, 0))
			if d < 0 {
				d = -d
			}
			if d > win {
				return nil, badRequest("Invalid timestamp")
			}
		}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		want := Signature(cred.AppSecret, ck, r.Method, scheme+"://"+r.Host+r.RequestURI, string(body), stamp)
		if subtle.ConstantTimeCompare([]byte(want), []byte(sig)) != 1 {
			return nil, &apiError{status: 400, class: "Client::BadRequest", message: "Invalid signature", errorCode: "INVALID_SIGNATURE"}
		}
		who = cred
	}
	if !strings.HasPrefix(rel, "/auth/") && !granted(who.Rules, r.Method, rel) {
		return nil, forbidden("NOT_GRANTED_CALL", "This call has not been granted")
	}
	return who, nil
}

// granted reports whether a rule allows method on path.
func granted(rules []Rule, method, path string) bool {
	for _, ru := range rules {
		if strings.EqualFold(ru.Method, method) && globMatch(ru.Path, path) {
			return true
		}
	}
	return false
}

// globMatch matches path against pattern where "*" matches any run of
// characters, "/" included.
func globMatch(pattern, path string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == path
	}
	if !strings.HasPrefix(path, parts[0]) {
		return false
	}
	path = path[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(path, p)
		if i < 0 {
			return false
		}
		path = path[i+len(p):]
	}
	return len(path) >= len(last) && strings.HasSuffix(path, last)
}

// getCurrentCredential serves GET /auth/currentCredential.
func (s *Sim) getCurrentCredential(c *call) *reply {
	created := c.now.Add(-24 * time.Hour).UTC()
	type ruleJSON struct {
		Method string `json:"method"`
		Path   string `json:"path"`
	}
	rules := make([]ruleJSON, 0, len(c.who.Rules))
	for _, r := range c.who.Rules {
		rules = append(rules, ruleJSON(r))
	}
	var expiration any // null: unlimited validity
	switch {
	case c.who.NoExpiration:
	case c.who.Expiration.IsZero():
		expiration = formatTime(created.Add(30 * 24 * time.Hour))
	default:
		expiration = formatTime(c.who.Expiration)
	}
	return jsonReply(map[string]any{
		"applicationId": 424242,
		"credentialId":  123456789,
		"status":        "validated",
		"rules":         rules,
		"expiration":    expiration,
		"creation":      formatTime(created),
		"lastUse":       formatTime(c.now),
		"ovhSupport":    false,
		"allowedIPs":    nil,
	})
}

// formatTime formats t as OVH does ("2024-05-01T12:00:00+00:00").
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05-07:00")
}
