package notify

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/nicholas-fedor/shoutrrr/pkg/router"
	"github.com/nicholas-fedor/shoutrrr/pkg/types"
)

// Sender delivers one message to one service. It may block; the notifier
// bounds every call with a timeout and never waits on it from the engine.
type Sender interface {
	Send(title, text string) error
}

// Channel is one configured destination: a service URL of OVHTUI_NOTIFY.
type Channel struct {
	// Name is the URL with its secrets masked (Redact): the only form of
	// it ever shown or logged.
	Name    string
	sender  Sender
	secrets []string // parts of the URL to mask in errors
}

// NewChannel returns a channel named name delivering through s (tests and
// other senders than shoutrrr's).
func NewChannel(name string, s Sender) Channel { return Channel{Name: name, sender: s} }

// ParseURLs splits OVHTUI_NOTIFY: URLs separated by spaces (or newlines).
func ParseURLs(v string) []string { return strings.Fields(v) }

// Open returns the channel for a shoutrrr service URL, e.g.
// "telegram://TOKEN@telegram?chats=@chan", "ntfy://ntfy.sh/topic",
// "generic+https://host/path". Its error never holds the URL's secrets.
func Open(rawURL string) (Channel, error) {
	ch := Channel{Name: Redact(rawURL), secrets: append(Secrets(rawURL), rawURL)}
	s := shoutrrrSender{rawURL}
	if _, err := s.service(); err != nil {
		return ch, fmt.Errorf("notify %s: %s", ch.Name, ch.scrub(err))
	}
	ch.sender = s
	defaultClientWatch() // installed before any send can use http.DefaultClient (ack.go)
	return ch, nil
}

// shoutrrrSender sends through a shoutrrr service. The service is set up
// anew for every message: some services keep per-message state (ntfy
// adds its Title header to a header set it reuses, so the first title
// would stick), and parsing a URL costs microseconds.
type shoutrrrSender struct{ rawURL string }

// service sets up the service of the URL. It does what shoutrrr's
// router.Locate does, step by step, because Locate replaces the cause of a
// failed set-up ("missing chat IDs", "invalid token") with a bare "failed to
// initialize service": here the cause is kept.
func (s shoutrrrSender) service() (types.Service, error) {
	r, err := router.New(nil)
	if err != nil {
		return nil, err
	}
	scheme, configURL, err := r.ExtractServiceName(s.rawURL)
	if err != nil {
		return nil, err
	}
	svc, err := r.NewService(scheme)
	if err != nil {
		return nil, err
	}
	if configURL.Scheme != scheme { // a custom URL, e.g. generic+https://
		custom, ok := svc.(types.CustomURLService)
		if !ok {
			return nil, fmt.Errorf("%s: %w", scheme, router.ErrCustomURLsNotSupported)
		}
		if configURL, err = custom.GetConfigURLFromCustom(configURL); err != nil {
			return nil, fmt.Errorf("%s: %w: %w", scheme, router.ErrCustomURLConversion, err)
		}
	}
	if err := svc.Initialize(configURL, nil); err != nil {
		return nil, fmt.Errorf("%s: %w: %w", scheme, router.ErrInitializeFailed, err)
	}
	return svc, nil
}

func (s shoutrrrSender) Send(title, text string) error {
	svc, err := s.service()
	if err != nil {
		return err
	}
	p := types.Params{}
	p.SetTitle(title)
	// Acknowledged, or failed: a swallowed transport error is not "ok" (ack.go).
	return defaultClientWatch().watched(func() error { return svc.Send(text, &p) })
}

// scrub returns err's text without the URL's secrets, and without the
// request URL Go's HTTP client adds (it may hold a token, as Telegram's does).
func (c Channel) scrub(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		// Keep the wrapping text, drop the URL.
		s := strings.Replace(err.Error(), ue.Error(), ue.Op+": "+ue.Err.Error(), 1)
		return c.mask(s)
	}
	return c.mask(err.Error())
}

// mask replaces every secret part of the channel's URL in s.
func (c Channel) mask(s string) string {
	for _, v := range c.secrets {
		s = strings.ReplaceAll(s, v, "***")
	}
	return s
}

// Redact shows a service URL without its secrets: scheme, "***@" when it
// has credentials, host and port, "/…" when it has a path or query
// (tokens often live there): "telegram://***@telegram/…".
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" {
		return "(unparsable notification URL)"
	}
	var b strings.Builder
	b.WriteString(u.Scheme + "://")
	if u.User != nil {
		b.WriteString("***@")
	}
	b.WriteString(u.Host)
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Opaque != "" {
		b.WriteString("/…")
	}
	return b.String()
}

// minSecretPath is the length from which a path segment counts as a
// secret (webhook tokens, ntfy topics); shorter ones ("hook", "api") are
// kept so that logs stay readable.
const minSecretPath = 8

// Secrets returns the parts of a service URL that may be secret: user and
// password, query values and long path segments. Callers register them
// with the log redaction; longest first, so a token is masked whole
// before any part of it.
func Secrets(rawURL string) []string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return []string{rawURL}
	}
	set := map[string]bool{}
	add := func(v string) {
		if len(v) >= 4 {
			set[v] = true
		}
	}
	if u.User != nil {
		add(u.User.Username())
		if p, ok := u.User.Password(); ok {
			add(p)
		}
		add(u.User.String())
	}
	for k, vs := range u.Query() {
		for _, v := range vs {
			if secretKey(k) || !isPlainWord(v) {
				add(v)
			}
		}
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if len(seg) >= minSecretPath {
			add(seg)
		}
	}
	out := make([]string, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// secretKey reports query keys whose value is a secret whatever it looks like.
func secretKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range []string{"token", "key", "secret", "pass", "auth", "user"} {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// isPlainWord reports settings such as "yes", "json", "markdown", "https"
// that are not secrets (a query value of letters only, at most 10 long).
func isPlainWord(v string) bool {
	if len(v) > 10 {
		return false
	}
	for _, r := range v {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}
