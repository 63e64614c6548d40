package notify

import (
	"context"
	"fmt"
	"slices"
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

// OrderFacts is what OVH's record of an order (GET /me/order/{id}) adds
// to the message of an order placed.
type OrderFacts struct {
	// Expires is when an unpaid order lapses (zero: OVH did not say).
	Expires time.Time
	// Total is the order's price with tax (zero: OVH did not say).
	Total money.Amount
}

// Describer turns engine events into messages: this is the one place
// where what the user is told is worded. Titles are short (what happened,
// the product as users know it, the DC); prices say "excl. tax" beside the
// total incl. tax; OVH's refusals are told in plain words, without the
// call, the error class or the query id (the log keeps those for OVH's
// support). It remembers what earlier events said (the validated price and
// ceiling of each cart, whether the last checkout asked for autopay) so
// that each message carries what the user needs to act. It is not safe for
// concurrent use.
type Describer struct {
	// Name, when set, gives the product name of an entry key as users
	// know it ("KS-LE-1 32g/2x450nvme"); "" falls back to the key.
	Name func(entry string) string
	// Product, when set, names an fqn that no entry watches (the restock
	// radar's messages); "" or nil falls back to the fqn.
	Product func(planCode, fqn string) string
	// Order, when set, reads OVH's record of an order placed: when it
	// lapses unpaid ("pay before DATE") and its total with tax.
	Order func(ctx context.Context, orderID int64) (OrderFacts, error)

	carts   map[[2]string]cartFacts // (entry, DC) -> last validated cart
	autopay map[string]bool         // entry -> autopay of its last checkout
}

type cartFacts struct{ price, priceTax, ceiling money.Amount }

// orderLookupTimeout bounds the order lookup that dates "pay before".
const orderLookupTimeout = 3 * time.Second

// Describe returns the message for ev, or false when ev is not one the
// user is told about.
func (d *Describer) Describe(ctx context.Context, ev order.Event) (Message, bool) {
	if d.carts == nil {
		d.carts, d.autopay = map[[2]string]cartFacts{}, map[string]bool{}
	}
	m := Message{At: ev.At()}
	switch e := ev.(type) {
	case order.CartReady:
		d.carts[[2]string{e.Entry, e.DC}] = cartFacts{e.Price, e.PriceTax, e.Ceiling}
		if e.Revalidate {
			return m, false
		}
		m.Kind, m.Key = KindCart, keyOf(KindCart, e.Entry, e.DC)
		m.Title = fmt.Sprintf("Cart ready: %s in %s", d.name(e.Entry), e.DC)
		m.Text = fmt.Sprintf("%s in %s: %s; %s.", d.name(e.Entry), e.DC, priceWords(e.Price, e.PriceTax), ceilingWords(e.Price, e.Ceiling))
	case order.CartRenewed:
		m.Kind, m.Key = KindCart, keyOf(KindCart, e.Entry, e.DC)
		m.Title = fmt.Sprintf("Cart renewed: %s in %s", d.name(e.Entry), e.DC)
		m.Text = fmt.Sprintf("%s in %s: a new cart replaced the old one (%s).", d.name(e.Entry), e.DC, PlainError(e.Reason))
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
			m.Title = fmt.Sprintf("Order not sent: %s in %s", d.name(e.Entry), e.DC)
			m.Text = fmt.Sprintf("The order of %s in %s%s never reached OVH: %s. No order was created.", d.name(e.Entry), e.DC, d.facts(e.Entry, e.DC), PlainError(e.Err))
			break
		}
		if e.Definitive {
			m.Kind, m.Key = KindCheckoutRefused, keyOf(KindCheckoutRefused, e.Entry, e.DC)
			m.Title = fmt.Sprintf("Order refused: %s in %s", d.name(e.Entry), e.DC)
			m.Text = fmt.Sprintf("OVH refused the order of %s in %s%s: %s. No order was created.", d.name(e.Entry), e.DC, d.facts(e.Entry, e.DC), PlainError(e.Err))
			break
		}
		m.Kind, m.Key = KindOrderUnknown, keyOf(KindOrderUnknown, e.Entry, e.DC)
		m.Title = fmt.Sprintf("Order outcome unknown: %s in %s", d.name(e.Entry), e.DC)
		m.Text = fmt.Sprintf("The order of %s in %s%s got no clear answer (%s). ovhtui looks it up in your OVH orders and does not retry blind; check your orders.", d.name(e.Entry), e.DC, d.facts(e.Entry, e.DC), PlainError(e.Err))
	case order.NeedsDecision:
		m.Kind, m.Key = KindOrderUnknown, keyOf(KindOrderUnknown, e.Entry, "decision")
		m.Title = "Needs your decision: " + d.name(e.Entry)
		m.Text = fmt.Sprintf("%s: %s. Re-arm it in ovhtui to buy again, or leave it.", d.name(e.Entry), PlainError(e.Reason))
	case order.PriceOverCeiling:
		if e.Retired {
			m.Kind, m.Key = KindRetired, keyOf(KindRetired, e.Entry, e.DC)
			m.Title = fmt.Sprintf("Retired, over its ceiling: %s", d.name(e.Entry))
			m.Text = fmt.Sprintf("%s is orderable in %s but costs %s, over your ceiling of %s: ovhtui stopped watching it (qty 0, ceiling 0). To watch it again, bring it back in ovhtui (R) with a new ceiling.",
				d.name(e.Entry), e.DC, priceWords(e.Price, d.taxOf(e.Entry, e.DC, e.Price)), ceilingText(e.Ceiling))
			break
		}
		m.Kind, m.Key = KindOverCeiling, keyOf(KindOverCeiling, e.Entry, e.DC)
		m.Title = fmt.Sprintf("Over the ceiling: %s in %s", d.name(e.Entry), e.DC)
		m.Text = fmt.Sprintf("%s in %s costs %s, over your ceiling of %s.", d.name(e.Entry), e.DC, priceWords(e.Price, d.taxOf(e.Entry, e.DC, e.Price)), ceilingText(e.Ceiling))
	case order.WouldHaveOrdered:
		m.Kind, m.Key = KindDryRun, keyOf(KindDryRun, e.Entry, e.DC)
		m.Title = fmt.Sprintf("Orderable (dry run): %s in %s", d.name(e.Entry), e.DC)
		f := d.carts[[2]string{e.Entry, e.DC}]
		m.Text = fmt.Sprintf("%s is orderable in %s at %s; %s. place_order is off, so nothing was ordered and the entry is stopped (qty 0).",
			d.name(e.Entry), e.DC, priceWords(e.Price, d.taxOf(e.Entry, e.DC, e.Price)), ceilingWords(e.Price, f.ceiling))
	case order.AvailabilityChanged:
		if !e.Orderable || e.Old == e.New {
			return m, false
		}
		m.Kind, m.Key = KindAvailable, keyOf(KindAvailable, e.Entry, e.DC)
		m.Title = fmt.Sprintf("In stock: %s in %s", d.name(e.Entry), e.DC)
		m.Text = fmt.Sprintf("%s is orderable in %s (delivery %s)%s.", d.name(e.Entry), e.DC, e.New, d.facts(e.Entry, e.DC))
	case order.APIError:
		m.Kind, m.Key = KindAPIError, keyOf(KindAPIError, e.Call, "")
		m.Title = "OVH API error"
		m.Text = PlainError(e.Message()) + "."
	case order.CredentialsRefused:
		m.Kind, m.Key = KindCredentialsRefused, keyOf(KindCredentialsRefused, "", "")
		m.Title = "OVH refused ovhtui's API keys"
		m.Text = fmt.Sprintf("OVH answered %d (%s) to %s. Nothing signed works (carts cannot be assigned, orders cannot be placed) until the application key, the consumer key or its rights are fixed; run `ovhtui check`.", e.Status, PlainError(e.Err), e.Call)
	case order.CredentialExpiring:
		m.Kind, m.Key = KindCredentialsExpiring, keyOf(KindCredentialsExpiring, "", "")
		m.Title = "OVH consumer key expires " + formatTime(e.Expires)
		m.Text = fmt.Sprintf("The consumer key ovhtui uses expires %s (in %s). After that no order can be placed: create a new key and put it in OVH_CONSUMER_KEY.", formatTime(e.Expires), roundDur(e.Expires.Sub(e.Time)))
	case order.CartsFailing:
		m.Kind, m.Key = KindCartsFailing, keyOf(KindCartsFailing, e.Entry, e.DC)
		m.Title = fmt.Sprintf("No cart: %s in %s", d.name(e.Entry), e.DC)
		m.Text = fmt.Sprintf("No cart could be built for %s in %s for %s, so it cannot be ordered there: %s.", d.name(e.Entry), e.DC, roundDur(e.Time.Sub(e.Since)), PlainError(e.Err))
	case order.Reminder:
		m.Kind, m.Key = KindReminder, order.ReminderKey(e.Kind, fmt.Sprint(e.OrderID, e.Server), e.Due, e.Lead)
		if e.Kind == order.RemindUnpaid {
			m.Title = fmt.Sprintf("Unpaid order %d lapses %s", e.OrderID, formatTime(e.Due))
			m.Text = upperFirst(e.Message()) + fmt.Sprintf(". Or run `ovhtui pay %d`.", e.OrderID)
		} else {
			m.Title = fmt.Sprintf("Server %s expires %s", e.Server, formatTime(e.Due))
			m.Text = upperFirst(e.Message()) + fmt.Sprintf(". Or run `ovhtui renew %s`.", e.Server)
		}
	case order.JournalTrouble:
		m.Kind, m.Key = KindJournal, keyOf(KindJournal, "", "")
		m.Title = "ovhtui's journal was replaced or is unusable"
		m.Text = e.Text
	case order.PaymentNotReady:
		m.Kind, m.Key = KindPaymentNotReady, keyOf(KindPaymentNotReady, e.Status, "")
		m.Title = "Autopay cannot pay: default payment method " + orNone(e.Status)
		m.Text = fmt.Sprintf("%s. Entries with autopay: %s. Fix the payment method in OVH's control panel, or pay each order by hand (`ovhtui pay ID`) before it lapses.",
			upperFirst(e.Problem), d.names(e.Entries))
	case order.PollPacing:
		if !e.Budget.Throttled() {
			return m, false
		}
		m.Kind, m.Key = KindThrottled, keyOf(KindThrottled, "", "")
		m.Title = "OVH answered 429: polling slowed down"
		m.Text = e.Text
	case order.StoppingWanted:
		m.Kind, m.Key = KindStopping, keyOf(KindStopping, "", "")
		m.Title = "ovhtui stopped watching " + d.names(e.Entries)
		if len(e.Entries) > 2 {
			m.Title = fmt.Sprintf("ovhtui stopped watching %d servers", len(e.Entries))
		}
		m.Text = fmt.Sprintf("ovhtui stopped while %s still wanted: nobody watches %s until it runs again.", d.names(e.Entries), pronoun(len(e.Entries)))
	case history.RestockAlert:
		m.Kind, m.Key = KindRestock, keyOf(KindRestock, e.FQN, e.DC)
		p := d.product(e.PlanCode, e.FQN)
		m.Title = fmt.Sprintf("Back in stock: %s in %s", p, e.DC)
		m.Text = fmt.Sprintf("%s is back in stock in %s (delivery %s). ovhtui does not watch it: add it in the catalog browser to buy it.", p, e.DC, e.To)
	case history.PriceAlert:
		m.Kind, m.Key = KindPriceChange, keyOf(KindPriceChange, e.FQN, "")
		p := d.product(e.PlanCode, e.FQN)
		m.Title = "Price changed: " + p
		m.Text = fmt.Sprintf("%s now costs %s a month (was %s) and %s to set up (was %s), excl. tax.", p,
			money.Format(e.New.Monthly, e.Currency), money.Format(e.Old.Monthly, e.Currency),
			money.Format(e.New.Setup, e.Currency), money.Format(e.Old.Setup, e.Currency))
	case history.PlanAlert:
		m.Kind, m.Key = KindNewPlan, keyOf(KindNewPlan, e.PlanCode, "")
		p := d.product(e.PlanCode, "")
		m.Title = "New plan: " + p
		if !e.Present {
			m.Title = "Plan gone: " + p
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
	var facts OrderFacts
	if d.Order != nil {
		lctx, cancel := context.WithTimeout(ctx, orderLookupTimeout)
		if o, err := d.Order(lctx, e.OrderID); err == nil {
			facts = o
		}
		cancel()
	}
	total := facts.Total
	if total.Currency == "" && total.Ucents == 0 {
		total = d.taxOf(e.Entry, e.DC, e.Price)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Order %d: %s in %s, %s; %s.", e.OrderID, d.name(e.Entry), e.DC, priceWords(e.Price, total), ceilingWords(e.Price, f.ceiling))
	if e.OverCeiling {
		b.WriteString(" The order costs more than your ceiling: check it now.")
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
		how := "pay" // orderstate's words: UNPAID, "pay before DATE"
		if !facts.Expires.IsZero() {
			how = orderstate.PayBefore(facts.Expires)
		}
		// The words of every screen and command: how to pay it, from here.
		if pay == orderstate.Unpaid {
			fmt.Fprintf(&b, "\n%s (autopay was off): %s with `ovhtui pay %d` (or O in ovhtui).", orderstate.Unpaid, how, e.OrderID)
		} else {
			fmt.Fprintf(&b, "\nIf it is unpaid, %s with `ovhtui pay %d` (or O in ovhtui).", how, e.OrderID)
		}
	}
	if link := ovhapi.OrderLink(e.URL); link != "" {
		b.WriteString("\n" + link)
	}
	m.Text = b.String()
	return m
}

// facts is ", at PRICE excl. tax (TOTAL incl. tax)" for the last validated
// cart, or "".
func (d *Describer) facts(entry, dc string) string {
	f, ok := d.carts[[2]string{entry, dc}]
	if !ok {
		return ""
	}
	return ", at " + priceWords(f.price, f.priceTax)
}

// taxOf is the price with tax of the last validated cart of entry in dc
// when that cart cost price excl. tax; zero otherwise (not known).
func (d *Describer) taxOf(entry, dc string, price money.Amount) money.Amount {
	if f, ok := d.carts[[2]string{entry, dc}]; ok && f.price == price && f.priceTax.Currency == price.Currency {
		return f.priceTax
	}
	return money.Amount{}
}

// name is the product name of an entry key: Name's, else the key (an
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

// names lists the product names of entries: "A", "A and B", "A, B and C".
func (d *Describer) names(entries []string) string {
	ns := make([]string, 0, len(entries))
	for _, k := range entries {
		if n := d.name(k); !slices.Contains(ns, n) {
			ns = append(ns, n)
		}
	}
	switch len(ns) {
	case 0:
		return "no server"
	case 1:
		return ns[0]
	}
	return strings.Join(ns[:len(ns)-1], ", ") + " and " + ns[len(ns)-1]
}

// product names an fqn no entry watches: Product's, else the fqn (or the
// plan code).
func (d *Describer) product(planCode, fqn string) string {
	if d.Product != nil {
		if n := d.Product(planCode, fqn); n != "" {
			return n
		}
	}
	if fqn != "" {
		return fqn
	}
	return planCode
}

// pronoun is "it" or "them".
func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// priceWords is "19.98 EUR excl. tax (23.98 EUR incl. tax)", or without
// the part in brackets when the price with tax is not known. Prices,
// ceilings and the first invoice are all counted excluding tax, as OVH's
// carts do; the total with tax is what the payment takes.
func priceWords(price, withTax money.Amount) string {
	s := price.String() + " excl. tax"
	if withTax.Currency != "" || withTax.Ucents != 0 {
		s += " (" + withTax.String() + " incl. tax)"
	}
	return s
}

// ceilingText is "25.00 EUR excl. tax".
func ceilingText(ceiling money.Amount) string {
	return money.FormatCeiling(ceiling.Ucents, ceiling.Currency) + " excl. tax"
}

// ceilingWords places price against the ceiling: "within your ceiling of
// 25.00 EUR excl. tax", "over your ceiling of …", or "no ceiling known"
// when the ceiling is not known.
func ceilingWords(price, ceiling money.Amount) string {
	switch {
	case ceiling.Currency == "" && ceiling.Ucents == 0:
		return "no ceiling known"
	case price.Ucents > ceiling.Ucents:
		return "over your ceiling of " + ceilingText(ceiling)
	}
	return "within your ceiling of " + ceilingText(ceiling)
}

func keyOf(k Kind, a, b string) string { return string(k) + "|" + a + "|" + b }

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func roundDur(d time.Duration) time.Duration {
	if d > 24*time.Hour {
		return d.Round(time.Hour)
	}
	return d.Round(time.Minute)
}
