package notify

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ovhtui/ovhtui/history"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/orderstate"
	"github.com/ovhtui/ovhtui/ovhapi"
)

// Kind is what a message is about. OVHTUI_NOTIFY_EVENTS names kinds.
type Kind string

// The kinds sent by default: what the user must know or act on.
const (
	KindOrderPlaced         Kind = "order_placed"         // an order was created (unpaid: pay before DATE)
	KindOrderUnknown        Kind = "order_unknown"        // checkout outcome unknown, or an entry needs a decision
	KindCheckoutRefused     Kind = "checkout_refused"     // OVH refused the checkout
	KindRetired             Kind = "retired"              // entry retired: price over its ceiling
	KindDryRun              Kind = "dry_run"              // orderable while place_order is off
	KindCredentialsRefused  Kind = "credentials_refused"  // 401/403 on a signed call
	KindCredentialsExpiring Kind = "credentials_expiring" // consumer key expires within 3 days
	KindCartsFailing        Kind = "carts_failing"        // carts failing for over 10 minutes
	KindStopping            Kind = "stopping"             // ovhtui stopping with entries still wanted
	KindReminder            Kind = "reminder"             // an unpaid order lapses, or a manual-renewal server expires, soon
	KindPaymentNotReady     Kind = "payment_not_ready"    // autopay on, and the default payment method missing or not VALID
	KindJournal             Kind = "journal"              // the journal was replaced, moved or deleted while ovhtui ran, or is unusable
)

// Routine kinds, sent only when OVHTUI_NOTIFY_EVENTS names them (or "all").
const (
	KindAvailable   Kind = "available"    // a wanted server became orderable in a DC
	KindCart        Kind = "cart"         // a cart was built or renewed
	KindOverCeiling Kind = "over_ceiling" // a validated price is over the ceiling (not yet retired)
	KindAPIError    Kind = "api_error"    // an OVH call failed and will be retried
	KindThrottled   Kind = "throttled"    // OVH answered 429: the request budget is halved for a while
	KindRestock     Kind = "restock"      // a model the user does not watch came back in stock (restock radar)
	KindPriceChange Kind = "price_change" // a catalog price changed (restock radar)
	KindNewPlan     Kind = "new_plan"     // a plan appeared in (or left) the catalog (restock radar)
)

// KindTest is --notify-test's message.
const KindTest Kind = "test"

var (
	defaultKinds = []Kind{KindOrderPlaced, KindOrderUnknown, KindCheckoutRefused, KindRetired, KindDryRun,
		KindCredentialsRefused, KindCredentialsExpiring, KindCartsFailing, KindStopping, KindReminder, KindPaymentNotReady, KindJournal}
	routineKinds = []Kind{KindAvailable, KindCart, KindOverCeiling, KindAPIError, KindThrottled, KindRestock, KindPriceChange, KindNewPlan}
)

// Set is a set of kinds.
type Set map[Kind]bool

// DefaultSet is every kind but the routine ones.
func DefaultSet() Set {
	s := Set{}
	for _, k := range defaultKinds {
		s[k] = true
	}
	return s
}

// ParseSet reads OVHTUI_NOTIFY_EVENTS: kind names separated by spaces or
// commas; "default" is the default set, "all" every kind, and "-name"
// removes a kind. Empty means the default set.
func ParseSet(v string) (Set, error) {
	words := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
	if len(words) == 0 {
		return DefaultSet(), nil
	}
	known := Set{}
	for _, k := range append(append([]Kind{}, defaultKinds...), routineKinds...) {
		known[k] = true
	}
	s := Set{}
	if strings.HasPrefix(words[0], "-") {
		s = DefaultSet() // "-dry_run" alone narrows the default set
	}
	for _, w := range words {
		del := strings.HasPrefix(w, "-")
		name := Kind(strings.ToLower(strings.TrimPrefix(w, "-")))
		var ks []Kind
		switch {
		case name == "all":
			ks = append(append(ks, defaultKinds...), routineKinds...)
		case name == "default":
			ks = defaultKinds
		case known[name]:
			ks = []Kind{name}
		default:
			return nil, fmt.Errorf("OVHTUI_NOTIFY_EVENTS: unknown event %q (known: all, default, %s)", w, kindList())
		}
		for _, k := range ks {
			if del {
				delete(s, k)
			} else {
				s[k] = true
			}
		}
	}
	return s, nil
}

func kindList() string {
	var names []string
	for _, k := range append(append([]Kind{}, defaultKinds...), routineKinds...) {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

// String lists the set's kinds in order.
func (s Set) String() string {
	var names []string
	for k, on := range s {
		if on {
			names = append(names, string(k))
		}
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

// Message is one notification.
type Message struct {
	Kind  Kind
	Title string
	Text  string
	// Key identifies repeats: messages with the same key collapse into
	// one that says "×N" while the channel's rate limit holds them.
	Key string
	At  time.Time
}

// Describer turns engine events into messages. It remembers what earlier
// events said (the validated price and ceiling of each cart, whether the
// last checkout asked for autopay) so that each message carries what the
// user needs to act. It is not safe for concurrent use.
type Describer struct {
	// Name, when set, gives a display name for an entry key (e.g. the
	// catalog's "KS-LE-B"); "" falls back to the fqn.
	Name func(entry string) string
	// OrderExpiry, when set, returns when an unpaid order lapses
	// (GET /me/order/{id} expirationDate), for "unpaid: pay before DATE".
	OrderExpiry func(ctx context.Context, orderID int64) (time.Time, error)

	carts   map[[2]string]cartFacts // (entry, DC) -> last validated cart
	autopay map[string]bool         // entry -> autopay of its last checkout
}

type cartFacts struct{ price, ceiling money.Amount }

// orderExpiryTimeout bounds the order lookup that dates "pay before".
const orderExpiryTimeout = 3 * time.Second

// Describe returns the message for ev, or false when ev is not one the
// user is told about.
func (d *Describer) Describe(ctx context.Context, ev order.Event) (Message, bool) {
	if d.carts == nil {
		d.carts, d.autopay = map[[2]string]cartFacts{}, map[string]bool{}
	}
	m := Message{At: ev.At()}
	switch e := ev.(type) {
	case order.CartReady:
		d.carts[[2]string{e.Entry, e.DC}] = cartFacts{e.Price, e.Ceiling}
		if e.Revalidate {
			return m, false
		}
		m.Kind, m.Key = KindCart, keyOf(KindCart, e.Entry, e.DC)
		m.Title = fmt.Sprintf("Cart ready: %s in %s", d.name(e.Entry), e.DC)
		m.Text = fmt.Sprintf("%s in %s: %s", d.name(e.Entry), e.DC, priceVsCeiling(e.Price, e.Ceiling))
	case order.CartRenewed:
		m.Kind, m.Key = KindCart, keyOf(KindCart, e.Entry, e.DC)
		m.Title = fmt.Sprintf("Cart renewed: %s in %s", d.name(e.Entry), e.DC)
		m.Text = fmt.Sprintf("%s in %s: cart renewed (%s)", d.name(e.Entry), e.DC, e.Reason)
	case order.OrderAttempted:
		if !e.DryRun {
			d.autopay[e.Entry] = e.Autopay
		}
		return m, false
	case order.OrderPlaced:
		return d.orderPlaced(ctx, e), true
	case order.OrderFailed:
		if e.NotSent {
			m.Kind, m.Key = KindCheckoutRefused, keyOf(KindCheckoutRefused, e.Entry, e.DC)
			m.Title = fmt.Sprintf("Checkout not sent: %s in %s", d.name(e.Entry), e.DC)
			m.Text = fmt.Sprintf("The order of %s in %s%s never reached OVH: %s. No order was created.", d.name(e.Entry), e.DC, d.facts(e.Entry, e.DC), e.Err)
			break
		}
		if e.Definitive {
			m.Kind, m.Key = KindCheckoutRefused, keyOf(KindCheckoutRefused, e.Entry, e.DC)
			m.Title = fmt.Sprintf("Checkout refused: %s in %s", d.name(e.Entry), e.DC)
			m.Text = fmt.Sprintf("OVH refused the order of %s in %s%s: %s. No order was created.", d.name(e.Entry), e.DC, d.facts(e.Entry, e.DC), e.Err)
			break
		}
		m.Kind, m.Key = KindOrderUnknown, keyOf(KindOrderUnknown, e.Entry, e.DC)
		m.Title = fmt.Sprintf("Order outcome unknown: %s in %s", d.name(e.Entry), e.DC)
		m.Text = fmt.Sprintf("The checkout of %s in %s%s got no clear answer (%s). ovhtui looks the order up in your OVH orders and does not retry blind; check your orders.", d.name(e.Entry), e.DC, d.facts(e.Entry, e.DC), e.Err)
	case order.NeedsDecision:
		m.Kind, m.Key = KindOrderUnknown, keyOf(KindOrderUnknown, e.Entry, "decision")
		m.Title = "Needs your decision: " + d.name(e.Entry)
		m.Text = fmt.Sprintf("%s: %s. Re-arm it in ovhtui to buy again, or leave it.", d.name(e.Entry), e.Reason)
	case order.PriceOverCeiling:
		if e.Retired {
			m.Kind, m.Key = KindRetired, keyOf(KindRetired, e.Entry, e.DC)
			m.Title = fmt.Sprintf("Retired over its ceiling: %s", d.name(e.Entry))
			m.Text = fmt.Sprintf("%s is orderable in %s but costs %s, over your ceiling %s: the entry is retired (qty 0, ceiling 0). Raise the ceiling and set qty to watch it again.", d.name(e.Entry), e.DC, e.Price, money.FormatCeiling(e.Ceiling.Ucents, e.Ceiling.Currency))
			break
		}
		m.Kind, m.Key = KindOverCeiling, keyOf(KindOverCeiling, e.Entry, e.DC)
		m.Title = fmt.Sprintf("Over the ceiling: %s in %s", d.name(e.Entry), e.DC)
		m.Text = fmt.Sprintf("%s in %s: %s", d.name(e.Entry), e.DC, priceVsCeiling(e.Price, e.Ceiling))
	case order.WouldHaveOrdered:
		m.Kind, m.Key = KindDryRun, keyOf(KindDryRun, e.Entry, e.DC)
		m.Title = fmt.Sprintf("Orderable (dry run): %s in %s", d.name(e.Entry), e.DC)
		f := d.carts[[2]string{e.Entry, e.DC}]
		m.Text = fmt.Sprintf("%s is orderable in %s: %s. place_order is off, so nothing was ordered and the entry is stopped (qty 0).", d.name(e.Entry), e.DC, priceVsCeiling(e.Price, f.ceiling))
	case order.AvailabilityChanged:
		if !e.Orderable || e.Old == e.New {
			return m, false
		}
		m.Kind, m.Key = KindAvailable, keyOf(KindAvailable, e.Entry, e.DC)
		m.Title = fmt.Sprintf("Available: %s in %s", d.name(e.Entry), e.DC)
		m.Text = fmt.Sprintf("%s is orderable in %s (%s)%s", d.name(e.Entry), e.DC, e.New, d.facts(e.Entry, e.DC))
	case order.APIError:
		m.Kind, m.Key = KindAPIError, keyOf(KindAPIError, e.Call, "")
		m.Title = "OVH API error: " + e.Call
		m.Text = e.Message()
	case order.CredentialsRefused:
		m.Kind, m.Key = KindCredentialsRefused, keyOf(KindCredentialsRefused, "", "")
		m.Title = "OVH refused the API credentials"
		m.Text = fmt.Sprintf("%s answered %d: %s. Nothing signed works (carts cannot be assigned, orders cannot be placed) until the application key, consumer key or its rights are fixed; run ovhtui --check.", e.Call, e.Status, e.Err)
	case order.CredentialExpiring:
		m.Kind, m.Key = KindCredentialsExpiring, keyOf(KindCredentialsExpiring, "", "")
		m.Title = "OVH consumer key expires " + formatTime(e.Expires)
		m.Text = fmt.Sprintf("The consumer key ovhtui uses expires %s (in %s). After that no order can be placed: create a new key and put it in OVH_CONSUMER_KEY.", formatTime(e.Expires), roundDur(e.Expires.Sub(e.Time)))
	case order.CartsFailing:
		m.Kind, m.Key = KindCartsFailing, keyOf(KindCartsFailing, e.Entry, e.DC)
		m.Title = fmt.Sprintf("Carts failing: %s in %s", d.name(e.Entry), e.DC)
		m.Text = fmt.Sprintf("No cart could be built for %s in %s for %s, so it cannot be ordered there: %s", d.name(e.Entry), e.DC, roundDur(e.Time.Sub(e.Since)), e.Err)
	case order.Reminder:
		m.Kind, m.Key = KindReminder, order.ReminderKey(e.Kind, fmt.Sprint(e.OrderID, e.Server), e.Due, e.Lead)
		if e.Kind == order.RemindUnpaid {
			m.Title = fmt.Sprintf("Unpaid order %d lapses %s", e.OrderID, formatTime(e.Due))
		} else {
			m.Title = fmt.Sprintf("Server %s expires %s", e.Server, formatTime(e.Due))
		}
		m.Text = e.Message()
	case order.JournalTrouble:
		m.Kind, m.Key = KindJournal, keyOf(KindJournal, "", "")
		m.Title = "ovhtui's journal was replaced or is unusable"
		m.Text = e.Text
	case order.PaymentNotReady:
		m.Kind, m.Key = KindPaymentNotReady, keyOf(KindPaymentNotReady, e.Status, "")
		m.Title = "Autopay cannot pay: default payment method " + orNone(e.Status)
		names := make([]string, len(e.Entries))
		for i, k := range e.Entries {
			names[i] = d.name(k)
		}
		m.Text = fmt.Sprintf("%s. Entries with autopay: %s. Fix the payment method in OVH's control panel, or pay each order by hand (ovhtui pay) before it lapses.",
			upperFirst(e.Problem), strings.Join(names, ", "))
	case order.PollPacing:
		if !e.Budget.Throttled() {
			return m, false
		}
		m.Kind, m.Key = KindThrottled, keyOf(KindThrottled, "", "")
		m.Title = "OVH answered 429: polling slowed down"
		m.Text = e.Text
	case order.StoppingWanted:
		m.Kind, m.Key = KindStopping, keyOf(KindStopping, "", "")
		names := make([]string, len(e.Entries))
		for i, k := range e.Entries {
			names[i] = d.name(k)
		}
		m.Title = fmt.Sprintf("ovhtui stopped with %d entr%s still wanted", len(names), pluralY(len(names)))
		m.Text = "Nobody is watching these any more: " + strings.Join(names, ", ") + "."
	case history.RestockAlert:
		m.Kind, m.Key = KindRestock, keyOf(KindRestock, e.FQN, e.DC)
		m.Title = fmt.Sprintf("Back in stock: %s in %s", e.FQN, e.DC)
		m.Text = e.Message() + ". ovhtui does not watch it: add it in the catalog browser to buy it."
	case history.PriceAlert:
		m.Kind, m.Key = KindPriceChange, keyOf(KindPriceChange, e.FQN, "")
		m.Title = "Price changed: " + e.FQN
		m.Text = upperFirst(e.Message()) + "."
	case history.PlanAlert:
		m.Kind, m.Key = KindNewPlan, keyOf(KindNewPlan, e.PlanCode, "")
		m.Title = "New plan: " + e.PlanCode
		if !e.Present {
			m.Title = "Plan gone: " + e.PlanCode
		}
		m.Text = upperFirst(e.Message()) + "."
	default:
		return m, false
	}
	return m, true
}

// orNone is s, or "missing" when empty (no default payment method).
func orNone(s string) string {
	if s == "" {
		return "missing"
	}
	return s
}

// upperFirst capitalises the first letter of s (ASCII).
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// orderPlaced builds the message of an order, with its payment state.
func (d *Describer) orderPlaced(ctx context.Context, e order.OrderPlaced) Message {
	m := Message{Kind: KindOrderPlaced, Key: fmt.Sprintf("%s|%d", KindOrderPlaced, e.OrderID), At: e.At()}
	f := d.carts[[2]string{e.Entry, e.DC}]
	m.Title = fmt.Sprintf("Order placed: %s in %s", d.name(e.Entry), e.DC)
	if e.OverCeiling {
		m.Title = fmt.Sprintf("ORDER ABOVE YOUR CEILING: %s in %s", d.name(e.Entry), e.DC)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Order %d: %s in %s, %s.", e.OrderID, d.name(e.Entry), e.DC, priceVsCeiling(e.Price, f.ceiling))
	if e.OverCeiling {
		b.WriteString(" The checkout total is above your ceiling: check the order now.")
	}
	switch {
	case e.Reconciled && e.AfterRestart:
		b.WriteString(" (Found in your OVH orders after a restart.)")
	case e.Reconciled:
		b.WriteString(" (Found in your OVH orders after an unclear answer.)")
	}
	autopay, known := d.autopay[e.Entry]
	pay := orderstate.State{Placed: known, Autopay: autopay}.Payment()
	switch pay {
	case orderstate.AutopayAsked:
		b.WriteString("\nPaying with your preferred payment method (autopay).")
	default:
		when := ""
		if d.OrderExpiry != nil {
			lctx, cancel := context.WithTimeout(ctx, orderExpiryTimeout)
			if t, err := d.OrderExpiry(lctx, e.OrderID); err == nil && !t.IsZero() {
				when = " before " + formatTime(t)
			}
			cancel()
		}
		if pay == orderstate.Unpaid {
			fmt.Fprintf(&b, "\nUnpaid (autopay was off): pay%s.", when)
		} else {
			fmt.Fprintf(&b, "\nIf it is unpaid, pay%s.", when)
		}
	}
	if link := ovhapi.OrderLink(e.URL); link != "" {
		b.WriteString("\n" + link)
	}
	m.Text = b.String()
	return m
}

// facts is ", at PRICE (ceiling C)" for the last validated cart, or "".
func (d *Describer) facts(entry, dc string) string {
	f, ok := d.carts[[2]string{entry, dc}]
	if !ok {
		return ""
	}
	return ", " + priceVsCeiling(f.price, f.ceiling)
}

// name is the display name of an entry key: Name's, else the key (an
// older "planCode|fqn|dc…" key shows its fqn).
func (d *Describer) name(entry string) string {
	if d.Name != nil {
		if n := d.Name(entry); n != "" {
			return n
		}
	}
	if parts := strings.Split(entry, "|"); len(parts) > 1 && parts[1] != "" {
		return parts[1]
	}
	return entry
}

func priceVsCeiling(price, ceiling money.Amount) string {
	if ceiling.Currency == "" && ceiling.Ucents == 0 {
		return "at " + price.String()
	}
	return fmt.Sprintf("at %s (ceiling %s)", price, money.FormatCeiling(ceiling.Ucents, ceiling.Currency))
}

func keyOf(k Kind, a, b string) string { return string(k) + "|" + a + "|" + b }

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func roundDur(d time.Duration) time.Duration {
	if d > 24*time.Hour {
		return d.Round(time.Hour)
	}
	return d.Round(time.Minute)
}

func pluralY(n int) string {
	if n == 1 {
		return "y"
	}
	return "ies"
}
