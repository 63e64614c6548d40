package notify

import (
	"regexp"
	"strings"
)

// Errors told in plain words. An OVH error as ovhtui logs it names the
// call, the HTTP status, OVH's error class and the query id OVH's support
// asks for: "POST /order/cart/{id}/checkout: 400 Client::BadRequest: The
// requested item is not available (query EU.ext-3.6789)". go-ovh writes
// the id as "(X-OVH-Query-Id: …)", and OVH's own texts as "OVH-Query-ID:
// …". A message keeps the meaning (OVH's sentence, or the status when OVH
// gave none) and drops the rest; the log lines keep every detail.

var (
	// queryIDs are the ways a query id is written into an error text.
	queryIDs = regexp.MustCompile(`(?i)\s*\(\s*(?:query|x-ovh-query-?id:?|ovh-query-?id:?)\s*[^)]*\)|\s*[,;]?\s*\b(?:x-)?ovh-query-?id\s*[:=]\s*"?[^\s",;)]+"?`)
	// callStatus is "METHOD /path: NNN Class::Name: " before OVH's message.
	callStatus = regexp.MustCompile(`\b(?:GET|POST|PUT|DELETE|PATCH) /[^\s:]*: (?:not sent: )?(?:(\d{3})(?: [A-Za-z]+::[A-Za-z:]+)?(: |\b))?`)
	spaces     = regexp.MustCompile(`\s+`)
)

// PlainError is an error text in plain words for a message: no query id,
// no call or error class ahead of OVH's own sentence (a status alone
// becomes "OVH answered NNN"), on one line.
func PlainError(text string) string {
	s := queryIDs.ReplaceAllString(text, "")
	s = callStatus.ReplaceAllStringFunc(s, func(m string) string {
		sub := callStatus.FindStringSubmatch(m)
		if sub[1] != "" && sub[2] != ": " {
			return "OVH answered " + sub[1] // no sentence of OVH's follows
		}
		return ""
	})
	s = strings.TrimSpace(spaces.ReplaceAllString(s, " "))
	return strings.TrimRight(s, ".")
}
