package ovhapi

import (
	"net/url"
	"strings"
)

// OrderLink returns an order URL without its order password: anyone
// holding the password can see the order, so it never reaches a log, the
// UI or a notification (the user logs in to OVH instead). preferences.json
// keeps the full URL OVH returned.
func OrderLink(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(order URL not shown: unparsable)"
	}
	q := u.Query()
	changed := false
	for k := range q {
		if strings.Contains(strings.ToLower(k), "password") {
			q.Del(k)
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}
