package history

import (
	"time"
	_ "time/tzdata" // OVH's zone must be right in a container without /usr/share/zoneinfo
)

// OVHZone is the name of OVH's time zone: OVH is in France and its API
// writes times with Paris' offset (+01:00, +02:00 in summer).
const OVHZone = "Europe/Paris"

// OVHTime is OVH's time zone, where restocks follow OVH's working hours.
// The zone database is embedded, so it never falls back.
var OVHTime = func() *time.Location {
	l, err := time.LoadLocation(OVHZone)
	if err != nil {
		return time.FixedZone("CET", 3600) // unreachable with the embedded database
	}
	return l
}()
