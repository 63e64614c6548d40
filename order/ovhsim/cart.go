package ovhsim

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Cart rules (uncertain where marked; the stricter behaviour is chosen).
const (
	defaultCartLife = 24 * time.Hour
	// maxCartLife: OVH's maximum is undocumented; the simulator refuses an
	// expire more than 60 days ahead.
	maxCartLife = 60 * 24 * time.Hour
	productEco  = "eco"
)

// euSubsidiaries are the subsidiaries of the EU endpoint the simulator
// stands for.
var euSubsidiaries = []string{"CZ", "DE", "ES", "FI", "FR", "GB", "IE", "IT", "LT", "MA", "NL", "PL", "PT", "SN", "TN"}

type cart struct {
	id          string
	description string
	created     time.Time
	expire      time.Time
	account     string // "" until assigned
	readOnly    bool
	deleted     bool
	items       []*item
	coupons     []string
	orderID     int64
}

type item struct {
	id          int64
	parent      int64 // 0 for a plan item
	planCode    string
	duration    string
	pricingMode string
	quantity    int
	configs     []*itemConfig
}

type itemConfig struct {
	id           int64
	label, value string
}

func (cr *cart) item(id int64) *item {
	for _, it := range cr.items {
		if it.id == id {
			return it
		}
	}
	return nil
}

func (cr *cart) children(parent int64) []*item {
	var out []*item
	for _, it := range cr.items {
		if it.parent == parent {
			out = append(out, it)
		}
	}
	return out
}

func (it *item) config(label string) *itemConfig {
	for _, c := range it.configs {
		if c.label == label {
			return c
		}
	}
	return nil
}

// cartFor resolves the {cartId} of a cart route. A deleted cart, or one
// past its expire date, is 404 everywhere. An assigned cart is refused to
// a signed call of another account (403) and, with
// Options.AssignedCartsNeedAuth, to unsigned calls (401).
func (s *Sim) cartFor(c *call, id string) (*cart, *apiError) {
	cr := s.carts[id]
	if cr == nil || cr.deleted || !c.now.Before(cr.expire) {
		return nil, errObjectNotFound("cartId", id)
	}
	if cr.account != "" {
		if c.who != nil && c.who.Account != cr.account {
			return nil, forbidden("", "This cart is assigned to another account")
		}
		if c.who == nil && s.opts.AssignedCartsNeedAuth {
			return nil, &apiError{status: 401, class: "Client::Unauthorized", message: "You must login first"}
		}
	}
	return cr, nil
}

// errReadOnly is the answer to any change of a checked-out cart. OVH's
// exact status and wording are unknown: 403 is chosen.
func errReadOnly(cr *cart) *reply {
	return errReply(forbidden("", "Cart %s is read-only: it was already checked out", cr.id))
}

// decodeBody decodes the JSON body into v, refusing unknown fields and
// wrong types (stricter than OVH may be) with OVH-like messages.
func decodeBody(c *call, v any) *reply {
	body := bytes.TrimSpace(c.body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return errReply(badRequest("[%s] Given data (%s) is not valid for type %s", te.Field, te.Value, te.Type))
		}
		if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return errReply(badRequest("Invalid parameter %s", msg))
		}
		return errReply(badRequest("Invalid JSON body: %v", err))
	}
	return nil
}

func missing(field string) *reply {
	return errReply(badRequest("[%s] Property is mandatory", field))
}

type cartJSON struct {
	CartID      string  `json:"cartId"`
	Description string  `json:"description"`
	Expire      string  `json:"expire"`
	ReadOnly    bool    `json:"readOnly"`
	Items       []int64 `json:"items"`
}

func (cr *cart) toJSON() cartJSON {
	ids := []int64{}
	for _, it := range cr.items {
		ids = append(ids, it.id)
	}
	return cartJSON{CartID: cr.id, Description: cr.description, Expire: formatTime(cr.expire), ReadOnly: cr.readOnly, Items: ids}
}

// parseOVHTime parses an ISO 8601 date-time with a zone offset. A naive
// time (no zone) is refused: OVH's reading of it is uncertain.
func parseOVHTime(v string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05-0700", "2006-01-02T15:04:05.999999999-0700"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not an ISO 8601 date-time with a zone: %q", v)
}

// postCart serves POST /order/cart.
func (s *Sim) postCart(c *call) *reply {
	var in struct {
		OvhSubsidiary *string `json:"ovhSubsidiary"`
		Description   *string `json:"description"`
		Expire        *string `json:"expire"`
	}
	if rep := decodeBody(c, &in); rep != nil {
		return rep
	}
	if in.OvhSubsidiary == nil || *in.OvhSubsidiary == "" {
		return missing("ovhSubsidiary")
	}
	sub := *in.OvhSubsidiary
	if !slices.Contains(euSubsidiaries, sub) {
		return errReply(badRequest("[ovhSubsidiary] Given data (%s) does not belong to the OvhSubsidiaryEnum enumeration", sub))
	}
	// Uncertain: OVH's behaviour on a subsidiary other than the account's.
	// Stricter: refuse at creation.
	if sub != s.opts.Subsidiary {
		return errReply(badRequest("Subsidiary %s does not match your account's subsidiary %s", sub, s.opts.Subsidiary))
	}
	expire := c.now.Add(defaultCartLife)
	if in.Expire != nil && *in.Expire != "" {
		t, err := parseOVHTime(*in.Expire)
		if err != nil {
			return errReply(badRequest("[expire] Given data (%s) is not valid for type datetime", *in.Expire))
		}
		if !t.After(c.now) {
			return errReply(badRequest("Cart expiration date %s is in the past", *in.Expire))
		}
		if t.Sub(c.now) > maxCartLife {
			return errReply(badRequest("Cart expiration date %s is too far in the future (at most %d days)", *in.Expire, int(maxCartLife.Hours()/24)))
		}
		expire = t
	}
	s.seqCart++
	h := sha1.Sum([]byte(fmt.Sprintf("ovhsim-cart-%s-%d-%s", s.cartSalt, s.seqCart, sub)))
	x := hex.EncodeToString(h[:16])
	id := x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
	cr := &cart{id: id, created: c.now, expire: expire}
	if in.Description != nil {
		cr.description = *in.Description
	}
	s.carts[id] = cr
	s.cartOrder = append(s.cartOrder, id)
	return jsonReply(cr.toJSON())
}

// listCarts serves GET /order/cart (signed): the account's live carts,
// optionally filtered by description.
func (s *Sim) listCarts(c *call) *reply {
	desc, hasDesc := c.r.URL.Query()["description"]
	ids := []string{}
	for _, id := range s.cartOrder {
		cr := s.carts[id]
		if cr.deleted || !c.now.Before(cr.expire) || cr.account != c.who.Account {
			continue
		}
		if hasDesc && cr.description != desc[0] {
			continue
		}
		ids = append(ids, id)
	}
	return jsonReply(ids)
}

func (s *Sim) getCart(c *call) *reply { return jsonReply(c.cart.toJSON()) }

func (s *Sim) deleteCart(c *call) *reply {
	c.cart.deleted = true
	return jsonReply(nil)
}

// assignCart serves POST /order/cart/{id}/assign (signed).
func (s *Sim) assignCart(c *call) *reply {
	if c.cart.account == "" {
		if c.cart.readOnly {
			return errReadOnly(c.cart)
		}
		c.cart.account = c.who.Account
	}
	return jsonReply(nil)
}

// Eco offer shapes (order.cart.GenericProductDefinition and friends).
type pricingJSON struct {
	Capacities      []string `json:"capacities"`
	Description     string   `json:"description"`
	Duration        string   `json:"duration"`
	Interval        int      `json:"interval"`
	MaximumQuantity int      `json:"maximumQuantity"`
	MaximumRepeat   int      `json:"maximumRepeat"`
	MinimumQuantity int      `json:"minimumQuantity"`
	MinimumRepeat   int      `json:"minimumRepeat"`
	Price           money    `json:"price"`
	PriceInUcents   int64    `json:"priceInUcents"`
	PricingMode     string   `json:"pricingMode"`
	PricingType     string   `json:"pricingType"`
}

type offerJSON struct {
	PlanCode    string        `json:"planCode"`
	ProductName string        `json:"productName"`
	ProductType string        `json:"productType"`
	Prices      []pricingJSON `json:"prices"`
}

type optionOfferJSON struct {
	Family      string        `json:"family"`
	Mandatory   bool          `json:"mandatory"`
	Exclusive   bool          `json:"exclusive"`
	PlanCode    string        `json:"planCode"`
	ProductName string        `json:"productName"`
	ProductType string        `json:"productType"`
	Prices      []pricingJSON `json:"prices"`
}

func (s *Sim) pricingsJSON(p *catPlan) []pricingJSON {
	out := []pricingJSON{}
	for _, pr := range p.Pricings {
		if !slices.Contains(pr.Capacities, capRenew) && !slices.Contains(pr.Capacities, capInstallation) {
			continue
		}
		price := s.priceOf(p.PlanCode, pr)
		dur := "P1M"
		if slices.Contains(pr.Capacities, capRenew) {
			dur = durationOf(pr)
		} else if rp, ok := p.pricing(pr.Mode, capRenew); ok {
			dur = durationOf(rp)
		}
		out = append(out, pricingJSON{
			Capacities: pr.Capacities, Description: pr.Description, Duration: dur, Interval: pr.Interval,
			MaximumQuantity: pr.Quantity.Max, MaximumRepeat: pr.Repeat.Max, MinimumQuantity: pr.Quantity.Min,
			MinimumRepeat: pr.Repeat.Min, Price: newMoney(price, s.cat.currency), PriceInUcents: price,
			PricingMode: pr.Mode, PricingType: pr.Type,
		})
	}
	return out
}

// getEcoOffers serves GET /order/cart/{id}/eco: every eco plan, or the
// one named by the optional planCode query parameter.
func (s *Sim) getEcoOffers(c *call) *reply {
	out := []offerJSON{}
	for _, code := range s.cat.planOrder {
		p := s.cat.plans[code]
		out = append(out, offerJSON{PlanCode: code, ProductName: p.InvoiceName, ProductType: "delivery", Prices: s.pricingsJSON(p)})
	}
	return jsonReply(out)
}

// getEcoOptions serves GET /order/cart/{id}/eco/options?planCode=.
func (s *Sim) getEcoOptions(c *call) *reply {
	code := c.r.URL.Query().Get("planCode")
	if code == "" {
		return missing("planCode")
	}
	p := s.cat.plans[code]
	if p == nil {
		return errReply(badRequest("Plan %s does not exist in the eco catalog", code))
	}
	out := []optionOfferJSON{}
	for _, f := range p.AddonFamilies {
		for _, a := range f.Addons {
			ap := s.cat.addons[a]
			if ap == nil {
				continue
			}
			out = append(out, optionOfferJSON{Family: f.Name, Mandatory: f.Mandatory, Exclusive: f.Exclusive,
				PlanCode: a, ProductName: ap.InvoiceName, ProductType: "delivery", Prices: s.pricingsJSON(ap)})
		}
	}
	return jsonReply(out)
}

type itemSettingsJSON struct {
	PlanCode    string `json:"planCode"`
	PricingMode string `json:"pricingMode"`
	Quantity    int    `json:"quantity"`
}

type labelledPrice struct {
	Label string `json:"label"`
	Price money  `json:"price"`
}

type itemJSON struct {
	CartID         string           `json:"cartId"`
	Configurations []int64          `json:"configurations"`
	Duration       string           `json:"duration"`
	ItemID         int64            `json:"itemId"`
	OfferID        *string          `json:"offerId"`
	Options        []int64          `json:"options"`
	ParentItemID   *int64           `json:"parentItemId"`
	Prices         []labelledPrice  `json:"prices"`
	ProductID      string           `json:"productId"`
	Settings       itemSettingsJSON `json:"settings"`
}

func (s *Sim) itemToJSON(cr *cart, it *item) itemJSON {
	out := itemJSON{CartID: cr.id, Configurations: []int64{}, Duration: it.duration, ItemID: it.id,
		Options: []int64{}, ProductID: productEco,
		Settings: itemSettingsJSON{PlanCode: it.planCode, PricingMode: it.pricingMode, Quantity: it.quantity}}
	for _, cf := range it.configs {
		out.Configurations = append(out.Configurations, cf.id)
	}
	for _, ch := range cr.children(it.id) {
		out.Options = append(out.Options, ch.id)
	}
	if it.parent != 0 {
		p := it.parent
		out.ParentItemID = &p
	}
	setup, month := s.itemPrices(it)
	q := int64(it.quantity)
	cur := s.cat.currency
	out.Prices = []labelledPrice{
		{"PRICE", newMoney(month*q, cur)},
		{"FEE", newMoney(setup*q, cur)},
		{"RENEW", newMoney(month*q, cur)},
		{"DISCOUNT", newMoney(0, cur)},
		{"TOTAL", newMoney((setup+month)*q, cur)},
	}
	return out
}

// lookupPlan finds a plan or an addon by planCode.
func (s *Sim) lookupPlan(code string) *catPlan {
	if p := s.cat.plans[code]; p != nil {
		return p
	}
	return s.cat.addons[code]
}

// checkPricing validates duration, pricing mode and quantity of an item
// against the catalog pricings of p.
func checkPricing(p *catPlan, duration, mode string, quantity int) *reply {
	renew, ok := p.pricing(mode, capRenew)
	if !ok {
		return errReply(badRequest("Pricing mode %s is not available for %s", mode, p.PlanCode))
	}
	if d := durationOf(renew); d != duration {
		return errReply(badRequest("Duration %s is not available for %s with pricing mode %s (expected %s)", duration, p.PlanCode, mode, d))
	}
	lo, hi := renew.Quantity.Min, renew.Quantity.Max
	if lo == 0 {
		lo = 1
	}
	if quantity < lo || (hi > 0 && quantity > hi) {
		return errReply(badRequest("Quantity %d is not allowed for %s (from %d to %d)", quantity, p.PlanCode, lo, hi))
	}
	return nil
}

type itemIn struct {
	ItemID      *int64  `json:"itemId"`
	PlanCode    *string `json:"planCode"`
	Duration    *string `json:"duration"`
	PricingMode *string `json:"pricingMode"`
	Quantity    *int    `json:"quantity"`
}

func (in *itemIn) required(withItem bool) *reply {
	switch {
	case withItem && in.ItemID == nil:
		return missing("itemId")
	case in.PlanCode == nil || *in.PlanCode == "":
		return missing("planCode")
	case in.Duration == nil || *in.Duration == "":
		return missing("duration")
	case in.PricingMode == nil || *in.PricingMode == "":
		return missing("pricingMode")
	case in.Quantity == nil:
		return missing("quantity")
	}
	return nil
}

// postEcoItem serves POST /order/cart/{id}/eco.
func (s *Sim) postEcoItem(c *call) *reply {
	if c.cart.readOnly {
		return errReadOnly(c.cart)
	}
	var in itemIn
	if rep := decodeBody(c, &in); rep != nil {
		return rep
	}
	if in.ItemID != nil {
		return errReply(badRequest("Invalid parameter itemId"))
	}
	if rep := in.required(false); rep != nil {
		return rep
	}
	p := s.cat.plans[*in.PlanCode]
	if p == nil {
		return errReply(badRequest("Plan %s does not exist in the eco catalog", *in.PlanCode))
	}
	if rep := checkPricing(p, *in.Duration, *in.PricingMode, *in.Quantity); rep != nil {
		return rep
	}
	s.seqItem++
	it := &item{id: s.seqItem, planCode: p.PlanCode, duration: *in.Duration, pricingMode: *in.PricingMode, quantity: *in.Quantity}
	c.cart.items = append(c.cart.items, it)
	return jsonReply(s.itemToJSON(c.cart, it))
}

// postEcoOption serves POST /order/cart/{id}/eco/options. Stricter than
// OVH may be (uncertain): the option's pricing mode and quantity must be
// the parent item's.
func (s *Sim) postEcoOption(c *call) *reply {
	if c.cart.readOnly {
		return errReadOnly(c.cart)
	}
	var in itemIn
	if rep := decodeBody(c, &in); rep != nil {
		return rep
	}
	if rep := in.required(true); rep != nil {
		return rep
	}
	parent := c.cart.item(*in.ItemID)
	if parent == nil {
		return errReply(errObjectNotFound("itemId", *in.ItemID))
	}
	if parent.parent != 0 {
		return errReply(badRequest("Item %d is an option: options attach to a plan item", parent.id))
	}
	plan := s.cat.plans[parent.planCode]
	fam := plan.familyOf(*in.PlanCode)
	addon := s.cat.addons[*in.PlanCode]
	if fam == nil || addon == nil {
		return errReply(badRequest("Option %s is not available for plan %s", *in.PlanCode, parent.planCode))
	}
	if *in.PricingMode != parent.pricingMode {
		return errReply(badRequest("Option %s must use the pricing mode of its plan (%s), not %s", *in.PlanCode, parent.pricingMode, *in.PricingMode))
	}
	if *in.Quantity != parent.quantity {
		return errReply(badRequest("Option %s must have the quantity of its plan (%d), not %d", *in.PlanCode, parent.quantity, *in.Quantity))
	}
	if rep := checkPricing(addon, *in.Duration, *in.PricingMode, *in.Quantity); rep != nil {
		return rep
	}
	for _, ch := range c.cart.children(parent.id) {
		if ch.planCode == *in.PlanCode {
			return errReply(badRequest("Option %s is already in the cart for item %d", *in.PlanCode, parent.id))
		}
		if fam.Exclusive && plan.familyOf(ch.planCode) == fam {
			return errReply(badRequest("Family %s is exclusive: item %d already has option %s", fam.Name, parent.id, ch.planCode))
		}
	}
	s.seqItem++
	it := &item{id: s.seqItem, parent: parent.id, planCode: *in.PlanCode, duration: *in.Duration, pricingMode: *in.PricingMode, quantity: *in.Quantity}
	c.cart.items = append(c.cart.items, it)
	return jsonReply(s.itemToJSON(c.cart, it))
}

func (s *Sim) itemFor(c *call) (*item, *reply) {
	raw := c.r.PathValue("itemId")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, errReply(badRequest("[itemId] Given data (%s) is not valid for type long", raw))
	}
	it := c.cart.item(id)
	if it == nil {
		return nil, errReply(errObjectNotFound("itemId", id))
	}
	return it, nil
}

func (s *Sim) listItems(c *call) *reply { return jsonReply(c.cart.toJSON().Items) }

func (s *Sim) getItem(c *call) *reply {
	it, rep := s.itemFor(c)
	if rep != nil {
		return rep
	}
	return jsonReply(s.itemToJSON(c.cart, it))
}

// deleteItem serves DELETE /order/cart/{id}/item/{itemId}; a plan item's
// options go with it.
func (s *Sim) deleteItem(c *call) *reply {
	if c.cart.readOnly {
		return errReadOnly(c.cart)
	}
	it, rep := s.itemFor(c)
	if rep != nil {
		return rep
	}
	c.cart.items = slices.DeleteFunc(c.cart.items, func(x *item) bool { return x == it || x.parent == it.id })
	return jsonReply(nil)
}

type requirementJSON struct {
	AllowedValues []string `json:"allowedValues"`
	Fields        []string `json:"fields"`
	Label         string   `json:"label"`
	Required      bool     `json:"required"`
	Type          string   `json:"type"`
}

// getRequiredConfiguration lists the plan's configurations (none for an
// option item), required as the catalog's isMandatory says.
func (s *Sim) getRequiredConfiguration(c *call) *reply {
	it, rep := s.itemFor(c)
	if rep != nil {
		return rep
	}
	out := []requirementJSON{}
	if it.parent == 0 {
		for _, cf := range s.cat.plans[it.planCode].Configurations {
			out = append(out, requirementJSON{AllowedValues: cf.Values, Label: cf.Name, Required: cf.IsMandatory, Type: "String"})
		}
	}
	return jsonReply(out)
}

type configJSON struct {
	ID    int64  `json:"id"`
	Label string `json:"label"`
	Value string `json:"value"`
}

func (s *Sim) listConfigurations(c *call) *reply {
	it, rep := s.itemFor(c)
	if rep != nil {
		return rep
	}
	ids := []int64{}
	for _, cf := range it.configs {
		ids = append(ids, cf.id)
	}
	return jsonReply(ids)
}

// postConfiguration serves POST .../item/{itemId}/configuration. A label
// already set on the item is refused ("Custom field <label> is duplicated
// for product <planCode>"), as OVH does: DELETE it first.
func (s *Sim) postConfiguration(c *call) *reply {
	if c.cart.readOnly {
		return errReadOnly(c.cart)
	}
	it, rep := s.itemFor(c)
	if rep != nil {
		return rep
	}
	var in struct {
		Label *string `json:"label"`
		Value *string `json:"value"`
	}
	if rep := decodeBody(c, &in); rep != nil {
		return rep
	}
	if in.Label == nil || *in.Label == "" {
		return missing("label")
	}
	if in.Value == nil {
		return missing("value")
	}
	if it.parent != 0 {
		return errReply(badRequest("Configuration %s is not allowed for product %s", *in.Label, it.planCode))
	}
	cf := s.cat.plans[it.planCode].config(*in.Label)
	if cf == nil {
		return errReply(badRequest("Configuration %s is not allowed for product %s", *in.Label, it.planCode))
	}
	if cf.Values != nil && !slices.Contains(cf.Values, *in.Value) {
		return errReply(badRequest("Value %s is not allowed for configuration %s of product %s (allowed: %s)",
			*in.Value, *in.Label, it.planCode, strings.Join(cf.Values, ", ")))
	}
	if it.config(*in.Label) != nil {
		return errReply(badRequest("Custom field %s is duplicated for product %s", *in.Label, it.planCode))
	}
	s.seqConfig++
	nc := &itemConfig{id: s.seqConfig, label: *in.Label, value: *in.Value}
	it.configs = append(it.configs, nc)
	return jsonReply(configJSON{nc.id, nc.label, nc.value})
}

func (s *Sim) configFor(c *call) (*item, *itemConfig, *reply) {
	it, rep := s.itemFor(c)
	if rep != nil {
		return nil, nil, rep
	}
	raw := c.r.PathValue("configId")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, nil, errReply(badRequest("[configurationId] Given data (%s) is not valid for type long", raw))
	}
	for _, cf := range it.configs {
		if cf.id == id {
			return it, cf, nil
		}
	}
	return nil, nil, errReply(errObjectNotFound("configurationId", id))
}

func (s *Sim) getConfiguration(c *call) *reply {
	_, cf, rep := s.configFor(c)
	if rep != nil {
		return rep
	}
	return jsonReply(configJSON{cf.id, cf.label, cf.value})
}

func (s *Sim) deleteConfiguration(c *call) *reply {
	if c.cart.readOnly {
		return errReadOnly(c.cart)
	}
	it, cf, rep := s.configFor(c)
	if rep != nil {
		return rep
	}
	it.configs = slices.DeleteFunc(it.configs, func(x *itemConfig) bool { return x == cf })
	return jsonReply(nil)
}

// Coupons (signed: uncertain in the notes, stricter chosen).
func (s *Sim) listCoupons(c *call) *reply { return jsonReply(append([]string{}, c.cart.coupons...)) }

// postCoupon: a code not in Options.Coupons is refused with 400
// "Coupon <code> is not valid" (OVH's wording is uncertain).
func (s *Sim) postCoupon(c *call) *reply {
	if c.cart.readOnly {
		return errReadOnly(c.cart)
	}
	var in struct {
		Coupon *string `json:"coupon"`
	}
	if rep := decodeBody(c, &in); rep != nil {
		return rep
	}
	if in.Coupon == nil || *in.Coupon == "" {
		return missing("coupon")
	}
	if _, ok := s.opts.Coupons[*in.Coupon]; !ok {
		return errReply(badRequest("Coupon %s is not valid", *in.Coupon))
	}
	if slices.Contains(c.cart.coupons, *in.Coupon) {
		return errReply(badRequest("Coupon %s is already applied to this cart", *in.Coupon))
	}
	c.cart.coupons = append(c.cart.coupons, *in.Coupon)
	return jsonReply(c.cart.coupons)
}

func (s *Sim) deleteCoupon(c *call) *reply {
	if c.cart.readOnly {
		return errReadOnly(c.cart)
	}
	code := c.r.URL.Query().Get("coupon") // DELETE /order/cart/{cartId}/coupon?coupon=
	if !slices.Contains(c.cart.coupons, code) {
		return errReply(errObjectNotFound("coupon", code))
	}
	c.cart.coupons = slices.DeleteFunc(c.cart.coupons, func(x string) bool { return x == code })
	return jsonReply(nil)
}

// CartInfo is a snapshot of a cart for assertions.
type CartInfo struct {
	ID          string
	Description string
	Created     time.Time
	Expire      time.Time
	Expired     bool // past Expire by the simulator's clock
	Deleted     bool
	Account     string // "" when not assigned
	ReadOnly    bool   // checked out
	OrderID     int64
	Coupons     []string
	Items       []CartItemInfo
}

// CartItemInfo is one item of a CartInfo.
type CartItemInfo struct {
	ID             int64
	ParentID       int64 // 0 for a plan item
	PlanCode       string
	Duration       string
	PricingMode    string
	Quantity       int
	Configurations map[string]string
}

// Carts returns a snapshot of every cart ever created, in creation order.
func (s *Sim) Carts() []CartInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var out []CartInfo
	for _, id := range s.cartOrder {
		cr := s.carts[id]
		ci := CartInfo{ID: id, Description: cr.description, Created: cr.created, Expire: cr.expire,
			Expired: !now.Before(cr.expire), Deleted: cr.deleted, Account: cr.account, ReadOnly: cr.readOnly,
			OrderID: cr.orderID, Coupons: slices.Clone(cr.coupons)}
		for _, it := range cr.items {
			cfg := map[string]string{}
			for _, cf := range it.configs {
				cfg[cf.label] = cf.value
			}
			ci.Items = append(ci.Items, CartItemInfo{ID: it.id, ParentID: it.parent, PlanCode: it.planCode,
				Duration: it.duration, PricingMode: it.pricingMode, Quantity: it.quantity, Configurations: cfg})
		}
		out = append(out, ci)
	}
	return out
}

// ExpireCart makes a cart expire now (404 from then on).
func (s *Sim) ExpireCart(cartID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cr := s.carts[cartID]; cr != nil {
		cr.expire = s.now()
	}
}

// ExpireAllCarts makes every cart expire now.
func (s *Sim) ExpireAllCarts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, cr := range s.carts {
		if cr.expire.After(now) {
			cr.expire = now
		}
	}
}
