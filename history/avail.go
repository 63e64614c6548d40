package history

import "github.com/ovhtui/ovhtui/order"

// Availability words of OVH's feed that history names.
const (
	valueUnseen      = ""
	valueUnavailable = "unavailable"
)

// InStock reports whether availability v is a delivery window (1H-high,
// 72H, ...): orderable for someone, with the engine's own reading of the
// value (order.DeliveryHours).
func InStock(v string) bool {
	_, ok := order.DeliveryHours(v)
	return ok
}

// gradeRank orders values from best to worst: in-stock values by delivery
// (1H-high before 1H-low), then comingSoon, unavailable, other words, and
// last "" (nothing seen).
func gradeRank(v string) int {
	switch v {
	case "1H-high":
		return 0
	case "1H-low":
		return 1
	case "comingSoon":
		return 1 << 20
	case valueUnavailable:
		return 1<<20 + 1
	case valueUnseen:
		return 1<<20 + 3
	}
	if h, ok := order.DeliveryHours(v); ok {
		return 1 + h
	}
	return 1<<20 + 2
}

// Better reports whether availability a is a better grade than b (in
// stock beats not, a shorter delivery beats a longer one, something seen
// beats nothing).
func Better(a, b string) bool { return gradeRank(a) < gradeRank(b) }
