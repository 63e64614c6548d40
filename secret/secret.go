// Package secret is the one list of the secret values this process knows
// (application secret, consumer key, OAuth2 client secret, notification
// tokens) and the one scrubber that keeps them, and order passwords, out
// of whatever ovhtui writes: logs, the journal, the UI, messages.
//
// Whoever reads a secret Registers it once; whoever writes text that may
// echo one (an error message from OVH, a URL) passes it through Scrub.
package secret

import (
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Mask is what a secret is replaced with.
const Mask = "[redacted]"

// minLen is the length from which a value counts as a secret: shorter ones
// would mask ordinary words.
const minLen = 4

var (
	mu     sync.RWMutex
	values []string // longest first, so a secret is masked whole before any part of it
)

// Register adds values to the secrets Scrub masks. Values shorter than 4
// bytes are ignored.
func Register(vals ...string) {
	mu.Lock()
	defer mu.Unlock()
	for _, v := range vals {
		if len(v) >= minLen && !slices.Contains(values, v) {
			values = append(values, v)
		}
	}
	slices.SortStableFunc(values, func(a, b string) int { return len(b) - len(a) })
}

// Forget drops every registered value (tests, and a process that reloads
// its credentials).
func Forget() {
	mu.Lock()
	values = nil
	mu.Unlock()
}

// password matches a password parameter in a URL or a query-like text
// (orderPassword=..., password=...), and a JSON "password" field: OVH's
// order URLs carry one, and anyone holding it can see the order.
var password = regexp.MustCompile(`(?i)([a-z_]*password["']?\s*[=:]\s*["']?)([^&\s"'<>,;)]+)`)

// Scrub returns s with every registered secret and every password
// parameter replaced by Mask.
func Scrub(s string) string {
	if s == "" {
		return s
	}
	mu.RLock()
	for _, v := range values {
		if strings.Contains(s, v) {
			s = strings.ReplaceAll(s, v, Mask)
		}
	}
	mu.RUnlock()
	if strings.Contains(strings.ToLower(s), "password") {
		s = password.ReplaceAllString(s, "${1}"+Mask)
	}
	return s
}
