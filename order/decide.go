package order

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/ovhtui/ovhtui/prefs"
)

// MaxValidationAge is how old a cart's validated price may be for a checkout
// to rely on it. The cart keeper re-reads summaries more often than this.
const MaxValidationAge = 5 * time.Minute

// DeliveryHours parses an availability value: "1H-high" and "1H-low" are one
// hour, "<n>H" is n hours. Anything else (unavailable, unknown, comingSoon,
// values OVH may add) reports false.
func DeliveryHours(v string) (int, bool) {
	switch v {
	case "1H-high", "1H-low":
		return 1, true
	}
	n, ok := strings.CutSuffix(v, "H")
	if !ok || n == "" {
		return 0, false
	}
	for _, c := range n {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	h, err := strconv.Atoi(n)
	if err != nil || h <= 0 {
		return 0, false
	}
	return h, true
}

// Orderable reports whether availability v is a delivery window within maxHours.
func Orderable(v string, maxHours int) bool {
	h, ok := DeliveryHours(v)
	return ok && h <= maxHours
}

// AvailKey identifies an availability value: an fqn in a DC.
type AvailKey struct {
	FQN string
	DC  string
}

// CartKey identifies the cart of an entry (prefs.Server Key) in a DC.
type CartKey struct {
	Entry string
	DC    string
}

// CartState is what the engine knows of a cart kept for an entry and DC.
type CartState struct {
	CartID      string
	Expire      time.Time
	Fingerprint string // what the cart was built for; see Fingerprint
	Ready       bool   // built, verified and holding exactly what was asked
	Price       Money  // validated first invoice excluding tax, all units
	PriceTax    Money
	ValidatedAt time.Time // when Price was read; zero: never
}

// DecideInput is everything Decide looks at.
type DecideInput struct {
	File     *prefs.File
	Blocked  map[string]string // entry key -> why it may not order (validation problems)
	Avail    map[AvailKey]string
	Carts    map[CartKey]CartState
	InFlight map[string]bool       // entry keys with a checkout under way
	Cooldown map[CartKey]time.Time // entry+DC refused as "not available" until then
	Now      time.Time
}

// ActionKind says what an Action asks for.
type ActionKind int

// Action kinds.
const (
	// ActCheckout: write the latch, then POST checkout of CartID.
	ActCheckout ActionKind = iota + 1
	// ActDryRun: place_order is false; GET checkout, report, set qty 0.
	ActDryRun
	// ActRetire: the validated price is over the ceiling in the DC that is
	// orderable: set qty 0 and ceiling_price 0.
	ActRetire
	// ActBuildCart: the DC is orderable but its cart is not ready: build it now.
	ActBuildCart
	// ActRevalidate: the DC is orderable but the cart's price is too old:
	// re-read the summary now; no checkout until then.
	ActRevalidate
)

// String names the kind.
func (k ActionKind) String() string {
	switch k {
	case ActCheckout:
		return "checkout"
	case ActDryRun:
		return "dry-run"
	case ActRetire:
		return "retire"
	case ActBuildCart:
		return "build cart"
	case ActRevalidate:
		return "revalidate"
	}
	return "action(" + strconv.Itoa(int(k)) + ")"
}

// Action is one thing Decide asks the engine to do. It is a plain value.
type Action struct {
	Kind    ActionKind
	Entry   string // prefs.Server Key
	DC      string
	CartID  string
	Qty     int
	Price   Money // validated price, when known
	Ceiling Money
	Autopay bool
	Waive   bool
	Reason  string
}

// Decide returns what to do now, at most one action per entry. It is a pure
// function of its input.
//
// An entry is considered when it has qty > 0, no validation problem, no
// latch (order_attempted), no order_id, no catalog lookup pending and no
// checkout in flight. Its target DC is the first of its datacenters, in the
// user's order, whose availability is a delivery window within
// max_delivery_hours (and not cooling down after a "not available" refusal).
// The target's cart must be ready, unexpired and built for the entry as it is
// now (fingerprint); with skip_validate false its price must have been read
// within MaxValidationAge and be <= the ceiling (equal allowed).
func Decide(in DecideInput) []Action {
	if in.File == nil {
		return nil
	}
	var out []Action
	for _, s := range in.File.Servers {
		key := s.Key()
		if !Wanted(s) || in.InFlight[key] {
			continue
		}
		if _, bad := in.Blocked[key]; bad {
			continue
		}
		target := ""
		for _, dc := range s.DCNames() {
			if !Orderable(in.Avail[AvailKey{FQN: s.FQN, DC: dc}], s.MaxDelivery()) {
				continue
			}
			if until, ok := in.Cooldown[CartKey{Entry: key, DC: dc}]; ok && in.Now.Before(until) {
				continue
			}
			target = dc
			break
		}
		if target == "" {
			continue
		}
		currency := ""
		cart, ok := in.Carts[CartKey{Entry: key, DC: target}]
		if ok {
			currency = cart.Price.Currency
		}
		a := Action{
			Entry: key, DC: target, CartID: cart.CartID, Qty: s.Qty,
			Price:   cart.Price,
			Ceiling: Money{Ucents: s.CeilingUcents(), Currency: currency},
			Autopay: s.Autopay, Waive: s.WaiveRetractation,
		}
		switch {
		case !ok || !cart.Ready || cart.CartID == "":
			a.Kind, a.Reason = ActBuildCart, "no cart ready"
		case cart.Fingerprint != Fingerprint(in.File.Subsidiary, s, target):
			a.Kind, a.Reason = ActBuildCart, "cart built for other settings"
		case !cart.Expire.IsZero() && !cart.Expire.After(in.Now.Add(time.Minute)):
			a.Kind, a.Reason = ActBuildCart, "cart expired"
		case !s.SkipValidate && (cart.ValidatedAt.IsZero() || in.Now.Sub(cart.ValidatedAt) > MaxValidationAge):
			a.Kind, a.Reason = ActRevalidate, "validated price too old"
		case !s.Accepts(cart.Price.Ucents):
			a.Kind, a.Reason = ActRetire, "price over the ceiling"
		case !s.PlaceOrder:
			a.Kind, a.Reason = ActDryRun, "place_order is false"
		default:
			a.Kind = ActCheckout
		}
		out = append(out, a)
	}
	return out
}

// Wanted reports whether an entry still has something to buy (the rule
// is prefs.Server.Wanted's; the engine also holds entries the journal
// shows attempted or ordered).
func Wanted(s prefs.Server) bool { return s.Wanted() }

// NeedsCatalog reports an entry whose addons must first be resolved from the
// catalog (prefs.Server.NeedsCatalog).
func NeedsCatalog(s prefs.Server) bool { return s.NeedsCatalog() }

// Fingerprint identifies what a cart for entry s in dc must hold: any change
// to the subsidiary, plan, quantity, addons, labels, region or coupons gives
// another fingerprint, and the cart is rebuilt.
func Fingerprint(subsidiary string, s prefs.Server, dc string) string {
	var b strings.Builder
	w := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(strconv.Quote(p))
			b.WriteByte(',')
		}
		b.WriteByte(';')
	}
	w(subsidiary, s.PlanCode, strconv.Itoa(s.Qty), dc, regionOf(s, dc))
	w(s.AddonPlanCodes...)
	for _, k := range s.Labels.Keys() {
		v, _ := s.Labels.Get(k)
		w(k, v)
	}
	w(s.Coupons...)
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}

// regionOf returns the region configured for dc in the entry's datacenters.
func regionOf(s prefs.Server, dc string) string {
	for _, d := range s.Datacenters {
		if d.Datacenter == dc {
			return d.Region
		}
	}
	return ""
}
