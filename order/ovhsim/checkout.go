package ovhsim

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	amounts "github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/orderstate"
)

// priceOverride replaces a planCode's `default` mode prices (SetPlanPrice).
type priceOverride struct{ monthly, setup int64 }

// SetPlanPrice sets the `default` pricing mode prices of a plan or addon
// planCode, in ucents (1e-8 of the currency): monthly is the renew price,
// setup the installation fee. Existing carts reprice at once (summary,
// checkout), as OVH's do.
func (s *Sim) SetPlanPrice(planCode string, monthly, setup int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prices[planCode] = priceOverride{monthly: monthly, setup: setup}
}

// priceOf is the current price of one catalog pricing of planCode.
func (s *Sim) priceOf(planCode string, pr catPricing) int64 {
	if o, ok := s.prices[planCode]; ok && pr.Mode == modeDefault {
		if slices.Contains(pr.Capacities, capRenew) {
			return o.monthly
		}
		if slices.Contains(pr.Capacities, capInstallation) {
			return o.setup
		}
	}
	return pr.Price
}

// itemPrices returns one unit's installation fee and first period (the
// renew price of the item's pricing mode).
func (s *Sim) itemPrices(it *item) (setup, period int64) {
	p := s.lookupPlan(it.planCode)
	if p == nil {
		return 0, 0
	}
	if pr, ok := p.pricing(it.pricingMode, capInstallation); ok {
		setup = s.priceOf(p.PlanCode, pr)
	}
	if pr, ok := p.pricing(it.pricingMode, capRenew); ok {
		period = s.priceOf(p.PlanCode, pr)
	}
	return setup, period
}

// Order shapes (OVH's order.Order: summary, checkout).
type pricesJSON struct {
	OriginalWithoutTax money `json:"originalWithoutTax"`
	Reduction          money `json:"reduction"`
	Tax                money `json:"tax"`
	WithTax            money `json:"withTax"`
	WithoutTax         money `json:"withoutTax"`
}

type detailJSON struct {
	CartItemID          *int64 `json:"cartItemID"`
	Description         string `json:"description"`
	DetailType          string `json:"detailType"`
	Domain              string `json:"domain"`
	OriginalTotalPrice  money  `json:"originalTotalPrice"`
	Quantity            int    `json:"quantity"`
	ReductionTotalPrice money  `json:"reductionTotalPrice"`
	Reductions          []any  `json:"reductions"`
	TotalPrice          money  `json:"totalPrice"`
	UnitPrice           money  `json:"unitPrice"`
}

type contractJSON struct {
	Content string `json:"content"`
	Name    string `json:"name"`
	URL     string `json:"url"`
}

type orderJSON struct {
	Contracts []contractJSON `json:"contracts"`
	Details   []detailJSON   `json:"details"`
	OrderID   *int64         `json:"orderId"`
	Prices    pricesJSON     `json:"prices"`
	URL       *string        `json:"url"`
}

var simContracts = []contractJSON{
	{Name: "General Terms and Conditions of Service", URL: "https://www.ovh.com/ie/support/termsofservice/General_Terms_and_Conditions.pdf", Content: "(simulated contract)"},
	{Name: "Special Conditions for Dedicated Servers", URL: "https://www.ovh.com/ie/support/termsofservice/Dedicated_Servers.pdf", Content: "(simulated contract)"},
}

type totals struct {
	original, reduction, withoutTax, tax, withTax int64
}

// lineDesc describes an item for humans and for order matching: it names
// the invoice name, the planCode and, for a plan with a DC, the DC.
func (s *Sim) lineDesc(cr *cart, it *item) string {
	p := s.lookupPlan(it.planCode)
	name := it.planCode
	if p != nil && p.InvoiceName != "" {
		name = p.InvoiceName
	}
	d := fmt.Sprintf("%s (%s)", name, it.planCode)
	owner := it
	if it.parent != 0 {
		if pa := cr.item(it.parent); pa != nil {
			owner = pa
			d += " option of " + pa.planCode
		}
	}
	if cf := owner.config(labelDatacenter); cf != nil {
		d += " in " + cf.value
	}
	return d
}

// computeOrder prices a cart: first invoice = installation + first period
// of every item, times its quantity; coupons reduce it by their percent;
// tax from the catalog locale, rounded to the cent.
func (s *Sim) computeOrder(cr *cart) (orderJSON, totals) {
	cur := s.cat.currency
	out := orderJSON{Contracts: []contractJSON{}, Details: []detailJSON{}}
	var t totals
	line := func(it *item, domain, kind, desc string, unit int64) {
		id := it.id
		total := unit * int64(it.quantity)
		t.original += total
		out.Details = append(out.Details, detailJSON{CartItemID: &id, Description: desc, DetailType: kind, Domain: domain,
			OriginalTotalPrice: newMoney(total, cur), Quantity: it.quantity, ReductionTotalPrice: newMoney(0, cur),
			Reductions: []any{}, TotalPrice: newMoney(total, cur), UnitPrice: newMoney(unit, cur)})
	}
	n := 0
	for _, it := range cr.items {
		if it.parent != 0 {
			continue
		}
		n++
		dom := fmt.Sprintf("*%03d", n)
		setup, period := s.itemPrices(it)
		desc := s.lineDesc(cr, it)
		line(it, dom, "INSTALLATION", desc+" - installation", setup)
		line(it, dom, "DURATION", desc+" - "+it.duration, period)
		for j, ch := range cr.children(it.id) {
			cdom := fmt.Sprintf("%s.%03d", dom, j+1)
			setup, period := s.itemPrices(ch)
			cdesc := s.lineDesc(cr, ch)
			line(ch, cdom, "INSTALLATION", cdesc+" - installation", setup)
			line(ch, cdom, "DURATION", cdesc+" - "+ch.duration, period)
		}
	}
	for _, code := range cr.coupons {
		pct := s.opts.Coupons[code]
		red := amounts.RoundToCent(t.original * pct / 100)
		t.reduction += red
		out.Details = append(out.Details, detailJSON{Description: "Coupon " + code, DetailType: "GIFT", Domain: "*001",
			OriginalTotalPrice: newMoney(-red, cur), Quantity: 1, ReductionTotalPrice: newMoney(0, cur),
			Reductions: []any{}, TotalPrice: newMoney(-red, cur), UnitPrice: newMoney(-red, cur)})
	}
	if t.reduction > t.original {
		t.reduction = t.original
	}
	t.withoutTax = t.original - t.reduction
	t.tax = taxOf(t.withoutTax, s.cat.taxBP)
	t.withTax = t.withoutTax + t.tax
	out.Prices = pricesJSON{
		OriginalWithoutTax: newMoney(t.original, cur),
		Reduction:          newMoney(t.reduction, cur),
		Tax:                newMoney(t.tax, cur),
		WithTax:            newMoney(t.withTax, cur),
		WithoutTax:         newMoney(t.withoutTax, cur),
	}
	return out, t
}

// getSummary serves GET /order/cart/{id}/summary: prices without any
// validation (as OVH's summary does not check consistency).
func (s *Sim) getSummary(c *call) *reply {
	o, _ := s.computeOrder(c.cart)
	return jsonReply(o)
}

// orderedItem is what a validated plan item will become.
type orderedItem struct {
	it      *item
	fqn, dc string
	addons  []string
}

// validateCheckout checks a cart as OVH's checkout does, in this order:
// not read-only, assigned, has a plan item, every mandatory family has an
// option, required configurations set (dedicated_datacenter included,
// stricter than the catalog's isMandatory=false), and each item's fqn
// orderable in its DC right now (availability a delivery window, stock
// left).
func (s *Sim) validateCheckout(c *call) ([]orderedItem, *reply) {
	cr := c.cart
	if cr.readOnly {
		return nil, errReadOnly(cr)
	}
	if cr.account == "" {
		return nil, errReply(badRequest("Cart %s is not assigned to an account: assign it before checkout", cr.id))
	}
	var out []orderedItem
	for _, it := range cr.items {
		if it.parent != 0 {
			continue
		}
		plan := s.cat.plans[it.planCode]
		children := cr.children(it.id)
		oi := orderedItem{it: it}
		var mem, sto string
		for _, f := range plan.AddonFamilies {
			var chosen string
			for _, ch := range children {
				if slices.Contains(f.Addons, ch.planCode) {
					chosen = ch.planCode
					break
				}
			}
			if chosen == "" {
				if f.Mandatory {
					return nil, errReply(badRequest("Missing mandatory option of family %s for product %s", f.Name, it.planCode))
				}
				continue
			}
			switch f.Name {
			case familyMemory:
				mem = s.cat.addonProduct(chosen)
			case familyStorage:
				sto = s.cat.addonProduct(chosen)
			}
		}
		for _, ch := range children {
			oi.addons = append(oi.addons, ch.planCode)
		}
		for _, cf := range plan.Configurations {
			if (cf.IsMandatory || cf.Name == labelDatacenter) && it.config(cf.Name) == nil {
				return nil, errReply(badRequest("Missing required configuration %s for product %s", cf.Name, it.planCode))
			}
		}
		oi.fqn = it.planCode + "." + mem + "." + sto
		if cf := it.config(labelDatacenter); cf != nil {
			oi.dc = cf.value
		}
		out = append(out, oi)
	}
	if len(out) == 0 {
		return nil, errReply(badRequest("Cart %s has no item to order", cr.id))
	}
	need := map[availKey]int{}
	for _, oi := range out {
		k := availKey{oi.fqn, oi.dc}
		need[k] += oi.it.quantity
		v := s.availabilityLocked(oi.fqn, oi.dc)
		n, limited := s.stock[k]
		if !orderableValues[v] || (limited && n < need[k]) {
			return nil, errReply(badRequest("%s is not available in %s", oi.fqn, oi.dc))
		}
	}
	return out, nil
}

// getCheckout serves GET /order/cart/{id}/checkout: the dry run.
func (s *Sim) getCheckout(c *call) *reply {
	if _, rep := s.validateCheckout(c); rep != nil {
		return rep
	}
	o, _ := s.computeOrder(c.cart)
	o.Contracts = simContracts
	return jsonReply(o)
}

// postCheckout serves POST /order/cart/{id}/checkout. Both body fields are
// required (stricter). With autoPayWithPreferredPaymentMethod and no valid
// payment method the whole checkout is refused and no order is made
// (stricter; OVH's exact behaviour is uncertain).
func (s *Sim) postCheckout(c *call) *reply {
	var in struct {
		AutoPay *bool `json:"autoPayWithPreferredPaymentMethod"`
		Waive   *bool `json:"waiveRetractationPeriod"`
	}
	if rep := decodeBody(c, &in); rep != nil {
		return rep
	}
	if in.AutoPay == nil {
		return missing("autoPayWithPreferredPaymentMethod")
	}
	if in.Waive == nil {
		return missing("waiveRetractationPeriod")
	}
	items, rep := s.validateCheckout(c)
	if rep != nil {
		return rep
	}
	if *in.AutoPay {
		switch s.payment {
		case PaymentNone:
			return errReply(badRequest("You do not have preferred payment method"))
		case PaymentInvalid:
			return errReply(badRequest("Your preferred payment method is not valid"))
		}
	}
	cr := c.cart
	o, t := s.computeOrder(cr)
	s.seqOrder++
	id := s.seqOrder
	h := sha1.Sum([]byte(fmt.Sprintf("ovhsim-order-%d", id)))
	pw := hex.EncodeToString(h[:6])
	url := s.orderURL(id, pw)
	ord := &order{
		Order: Order{ID: id, CartID: cr.id, Account: cr.account, Autopay: *in.AutoPay, Waive: *in.Waive,
			WithoutTaxUcents: t.withoutTax, TaxUcents: t.tax, WithTaxUcents: t.withTax,
			Date: c.now, Expiration: c.now.Add(s.orderLife()), Status: StatusNotPaid},
		password: pw, url: url,
	}
	if *in.AutoPay {
		ord.Status = StatusDelivering
		ord.paidAt = c.now
	}
	for _, oi := range items {
		cfg := map[string]string{}
		for _, cf := range oi.it.configs {
			cfg[cf.label] = cf.value
		}
		ord.Items = append(ord.Items, OrderItem{PlanCode: oi.it.planCode, FQN: oi.fqn, DC: oi.dc,
			Addons: oi.addons, Quantity: oi.it.quantity, Configurations: cfg})
		k := availKey{oi.fqn, oi.dc}
		if n, ok := s.stock[k]; ok {
			s.stock[k] = max(0, n-oi.it.quantity)
			s.feedCache = nil
		}
	}
	first := ord.Items[0]
	ord.PlanCode, ord.FQN, ord.DC, ord.Addons, ord.Quantity = first.PlanCode, first.FQN, first.DC, first.Addons, first.Quantity
	ord.details = s.orderDetails(cr)
	s.orders = append(s.orders, ord)
	cr.readOnly = true
	cr.orderID = id
	o.OrderID = &id
	o.URL = &url
	o.Contracts = simContracts
	return jsonReply(o)
}

// orderDetails makes one /me/order detail per cart item.
func (s *Sim) orderDetails(cr *cart) []orderDetail {
	var out []orderDetail
	n := 0
	for _, it := range cr.items {
		if it.parent != 0 {
			continue
		}
		n++
		dom := fmt.Sprintf("*%03d", n)
		out = append(out, s.orderDetail(cr, it, dom))
		for j, ch := range cr.children(it.id) {
			out = append(out, s.orderDetail(cr, ch, fmt.Sprintf("%s.%03d", dom, j+1)))
		}
	}
	return out
}

func (s *Sim) orderDetail(cr *cart, it *item, domain string) orderDetail {
	s.seqDetail++
	setup, period := s.itemPrices(it)
	d := orderDetail{id: s.seqDetail, description: s.lineDesc(cr, it), domain: domain, quantity: it.quantity,
		unit: setup + period, planCode: it.planCode, duration: it.duration, pricingMode: it.pricingMode,
		configs: map[string]string{}}
	if p := s.lookupPlan(it.planCode); p != nil {
		d.product = p.Product
	}
	for _, cf := range it.configs {
		d.configs[cf.label] = cf.value
	}
	return d
}

// Order statuses of GET /me/order/{id}/status the simulator gives: OVH's
// words, named once in package orderstate.
const (
	StatusNotPaid    = orderstate.StatusNotPaid
	StatusDelivering = orderstate.StatusDelivering
	StatusDelivered  = orderstate.StatusDelivered
	StatusCancelled  = orderstate.StatusCancelled
)

// orderLife is how long an unpaid purchase order stays payable by default
// (Options.OrderLife; uncertain; after it the status becomes "cancelled").
const orderLife = 24 * time.Hour

// orderLife is Options.OrderLife, or the default.
func (s *Sim) orderLife() time.Duration {
	if s.opts.OrderLife > 0 {
		return s.opts.OrderLife
	}
	return orderLife
}

// Order is a purchase order the simulator recorded at checkout. The
// top-level plan fields mirror Items[0] (a cart normally holds one plan).
type Order struct {
	ID               int64
	CartID           string
	Account          string
	PlanCode         string
	FQN              string
	DC               string
	Addons           []string
	Quantity         int
	Autopay          bool
	Waive            bool
	WithoutTaxUcents int64
	TaxUcents        int64
	WithTaxUcents    int64
	Date             time.Time
	Expiration       time.Time
	Status           string
	Items            []OrderItem
	PaidAt           time.Time // zero while unpaid
}

// OrderItem is one plan item of an order with its addons and
// configurations.
type OrderItem struct {
	PlanCode       string
	FQN            string
	DC             string
	Addons         []string
	Quantity       int
	Configurations map[string]string
}

type order struct {
	Order
	password string
	url      string
	details  []orderDetail
	paidAt   time.Time  // when it was paid (autopay at checkout, or payWithRegisteredPaymentMean)
	renew    *renewWork // set for a renewal order (POST /service/{id}/renew)
	served   bool       // its servers exist (deliverLocked)
}

type orderDetail struct {
	id                                       int64
	description, domain                      string
	quantity                                 int
	unit                                     int64
	planCode, product, duration, pricingMode string
	configs                                  map[string]string
	action                                   string // billing.ItemDetail.OrderActionEnum; "" = installation
}

// statusLocked is the order's status now: an unpaid order lapses; a paid
// purchase order is delivered deliveryDelay after its payment.
func (o *order) statusLocked(now time.Time, deliveryDelay time.Duration) string {
	if o.Status == StatusNotPaid && now.After(o.Expiration) {
		return StatusCancelled
	}
	if o.Status == StatusDelivering && !o.paidAt.IsZero() && !now.Before(o.paidAt.Add(deliveryDelay)) {
		return StatusDelivered
	}
	return o.Status
}

// Orders returns a snapshot of every recorded order, oldest first.
func (s *Sim) Orders() []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := make([]Order, 0, len(s.orders))
	for _, o := range s.orders {
		cp := o.Order
		cp.Status = o.statusLocked(now, s.aw.deliveryDelay)
		cp.Addons = slices.Clone(o.Addons)
		cp.Items = slices.Clone(o.Items)
		cp.PaidAt = o.paidAt
		out = append(out, cp)
	}
	return out
}
