package order

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/prefs"
)

// MaxValidationAge is how old a cart's validated price may be for a checkout
// to rely on it; a validation time in the future counts as stale. The cart
// keeper re-reads the summary of every ready cart every RevalidateEvery.
const MaxValidationAge = time.Minute

// RevalidateEvery is how often the cart keeper re-reads the summary
// (unsigned) of a ready cart whose price is checked, so the price stays
// fresh without a request between the poll that sees stock and the checkout.
const RevalidateEvery = 30 * time.Second

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
	Fingerprint string       // what the cart was built for; see Fingerprint
	Ready       bool         // built, verified and holding exactly what was asked
	Price       money.Amount // validated first invoice excluding tax, all units
	PriceTax    money.Amount
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
	Price   money.Amount // validated price, when known
	Ceiling money.Amount
	Autopay bool
	Waive   bool
	Reason  string
}

// Decide returns what to do now. It is a pure function of its input.
//
// An entry is considered when it has qty > 0, no validation problem, no
// latch (order_attempted), no order_id, no catalog lookup pending and no
// checkout in flight. Its orderable DCs are those of its datacenters whose
// availability is a delivery window within max_delivery_hours (and not
// cooling down after a refusal). The entry is settled (checkout, dry run,
// or retirement when over the ceiling) in the first orderable DC, in the
// user's order, whose cart is ready: built for the entry as it is now
// (fingerprint), unexpired, and, with skip_validate false, priced within
// MaxValidationAge. Each earlier orderable DC gets a build (or price
// re-read) action, so its cart is prepared at once, but is never waited
// for. Those come first in the result; the settling action, at most one
// per entry, is the entry's last.
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
		var prep []Action
		var settle *Action
		for _, dc := range s.DCNames() {
			if !Orderable(in.Avail[AvailKey{FQN: s.FQN, DC: dc}], s.MaxDelivery()) {
				continue
			}
			if until, ok := in.Cooldown[CartKey{Entry: key, DC: dc}]; ok && in.Now.Before(until) {
				continue
			}
			a := decideDC(in, s, key, dc)
			if a.Kind == ActBuildCart || a.Kind == ActRevalidate {
				prep = append(prep, a)
				continue
			}
			settle = &a
			break
		}
		// Earlier DCs' preparations, the first DC's last (a reader keeping
		// one action per entry sees the settling one, or the first DC's).
		for i := len(prep) - 1; i >= 0; i-- {
			out = append(out, prep[i])
		}
		if settle != nil {
			out = append(out, *settle)
		}
	}
	return out
}

// decideDC is what to do with entry s in its orderable dc.
func decideDC(in DecideInput, s prefs.Server, key, dc string) Action {
	currency := ""
	cart, ok := in.Carts[CartKey{Entry: key, DC: dc}]
	if ok {
		currency = cart.Price.Currency
	}
	a := Action{
		Entry: key, DC: dc, CartID: cart.CartID, Qty: s.Qty,
		Price:   cart.Price,
		Ceiling: money.Amount{Ucents: s.CeilingUcents(), Currency: currency},
		Autopay: s.Autopay, Waive: s.WaiveRetractation,
	}
	switch {
	case !ok || !cart.Ready || cart.CartID == "":
		a.Kind, a.Reason = ActBuildCart, "no cart ready"
	case cart.Fingerprint != Fingerprint(in.File.Subsidiary, s, dc):
		a.Kind, a.Reason = ActBuildCart, "cart built for other settings"
	case !cart.Expire.IsZero() && !cart.Expire.After(in.Now.Add(time.Minute)):
		a.Kind, a.Reason = ActBuildCart, "cart expired"
	case !s.SkipValidate && !PriceFresh(cart.ValidatedAt, in.Now):
		a.Kind, a.Reason = ActRevalidate, "validated price too old"
	case !s.SkipValidate && PriceProblem(cart.Price, in.File.Subsidiary) != "":
		a.Kind, a.Reason = ActRevalidate, "no valid price: "+PriceProblem(cart.Price, in.File.Subsidiary)
	case !s.Accepts(cart.Price.Ucents):
		a.Kind, a.Reason = ActRetire, "price over the ceiling"
	case !s.PlaceOrder:
		a.Kind, a.Reason = ActDryRun, "place_order is false"
	default:
		a.Kind = ActCheckout
	}
	return a
}

// PriceFresh reports a price validated at most MaxValidationAge before
// now; a validation time in the future (a clock step, an edited file) is
// not fresh.
func PriceFresh(validatedAt, now time.Time) bool {
	return !validatedAt.IsZero() && !validatedAt.After(now) && now.Sub(validatedAt) <= MaxValidationAge
}

// PriceProblem says why a validated price cannot be relied on ("" when it
// can): missing, zero or negative, or in a currency other than the
// subsidiary's.
func PriceProblem(p money.Amount, subsidiary string) string {
	want := money.SubsidiaryCurrency(subsidiary)
	switch {
	case p.Currency == "" && p.Ucents == 0:
		return "OVH gave no price"
	case p.Ucents <= 0:
		return "price " + p.String() + " is not positive"
	case p.Currency == "":
		return "price has no currency"
	case want == "":
		return "unknown currency of subsidiary " + subsidiary
	case p.Currency != want:
		return "price in " + p.Currency + ", not in " + want + " (subsidiary " + subsidiary + ")"
	}
	return ""
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
