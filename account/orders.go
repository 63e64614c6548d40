package account

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ovhtui/ovhtui/gate"
	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/orderstate"
	"github.com/ovhtui/ovhtui/ovhapi"
)

// RecentWindow is how far back Orders lists the account's orders.
const RecentWindow = 30 * 24 * time.Hour

// Order is one order of the account.
type Order struct {
	ID         int64     `json:"id"`
	Date       time.Time `json:"date"`
	Expiration time.Time `json:"expiration,omitzero"` // when an unpaid order lapses
	// What says what it bought: "25skleb01 in fra" (the eco plan of each
	// item and its DC), "renewal of ns1.example (25skleb01) for P1M".
	What string `json:"what"`
	// Items are the eco plans it bought, each with its DC.
	Items      []OrderItem  `json:"items,omitempty"`
	Renewal    bool         `json:"renewal,omitempty"`
	WithoutTax money.Amount `json:"withoutTax"`
	WithTax    money.Amount `json:"withTax"`
	Status     string       `json:"status"`
	URL        string       `json:"url"` // without the order password (ovhapi.OrderLink)
	// Ours: ovhtui placed, paid or renewed it (preferences.json or the
	// journal say so).
	Ours bool `json:"ours"`
	// FollowUp is OVH's follow-up of an order still in progress (GET
	// /me/order/{id}/followUp): "delivering · order accepted, payment
	// received, fraud check". Empty when done, or when it cannot be read
	// (the route is Beta: its failure is not the order's).
	FollowUp string `json:"followUp,omitempty"`
	// PaymentPending: the journal holds a payment of this order sent with
	// an unclear answer and not settled yet (OVH may book it late): the
	// order is not shown UNPAID (orderstate.PaymentUnclear).
	PaymentPending bool `json:"paymentPending,omitempty"`
	// Err is why some of the order could not be read (the rest is shown).
	Err string `json:"error,omitempty"`
}

// OrderItem is one eco plan an order bought.
type OrderItem struct {
	PlanCode   string `json:"planCode"`
	Datacenter string `json:"datacenter"`
}

// State is the order's payment state (package orderstate decides it from
// the status read now).
func (o Order) State() orderstate.State {
	return orderstate.State{Status: o.Status, Expires: o.Expiration, PaymentSent: o.PaymentPending}
}

// Unpaid reports whether the order waits for a payment.
func (o Order) Unpaid() bool { return o.State().Unpaid() }

// MarshalJSON writes the order with its payment state as every surface
// shows it ("payment": "UNPAID", "paid", "cancelled", "payment unclear",
// "payment unknown").
func (o Order) MarshalJSON() ([]byte, error) {
	type plain Order
	return json.Marshal(struct {
		plain
		Payment string `json:"payment"`
	}{plain(o), o.State().Payment().String()})
}

// orderFacts is what never changes about an order.
type orderFacts struct {
	date, expiration    time.Time
	what, url           string
	renewal             bool
	renewed             []renewedService // what a renewal order renews
	items               []OrderItem
	withoutTax, withTax money.Amount
	final               string // a status that no longer changes (delivered, cancelled)
}

// billingOrder mirrors billing.Order.
type billingOrder struct {
	OrderID         int64  `json:"orderId"`
	Date            *Time  `json:"date"`
	ExpirationDate  *Time  `json:"expirationDate"`
	URL             string `json:"url"`
	PriceWithoutTax price  `json:"priceWithoutTax"`
	PriceWithTax    price  `json:"priceWithTax"`
}

// itemDetail mirrors billing.ItemDetail (the detail's extension).
type itemDetail struct {
	Order struct {
		Action *string `json:"action"`
		Plan   struct {
			Code     *string `json:"code"`
			Duration *string `json:"duration"`
		} `json:"plan"`
		Configurations []struct {
			Label string `json:"label"`
			Value string `json:"value"`
		} `json:"configurations"`
	} `json:"order"`
}

// orderDetail mirrors billing.OrderDetail.
type orderDetail struct {
	Description string `json:"description"`
	Domain      string `json:"domain"`
}

// Time reads OVH's date-times ("2026-03-10T12:00:00+01:00") and dates
// ("2026-04-10", midnight UTC).
type Time struct{ time.Time }

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("time %s: not a string", b)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05-0700", time.DateOnly} {
		if v, err := time.Parse(layout, s); err == nil {
			t.Time = v
			return nil
		}
	}
	return fmt.Errorf("time %q: not an ISO 8601 date or date-time", s)
}

func orderPath(id int64, rest ...string) string {
	p := "/me/order/" + strconv.FormatInt(id, 10)
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

// Orders lists the account's orders of the last RecentWindow (GET
// /me/order) plus ovhtui's own, whatever their age: those ours lists (the
// order ids preferences.json records) and those the journal names;
// newest first, each with its status read now. An order that cannot be
// read is listed with Err; a refusal of the list itself is returned.
func (c *Client) Orders(ctx context.Context, ours []int64) ([]Order, error) {
	now := c.now()
	q := url.Values{}
	q.Set("date.from", now.Add(-RecentWindow).UTC().Format(time.RFC3339))
	q.Set("date.to", now.Add(time.Hour).UTC().Format(time.RFC3339))
	var ids []int64
	if err := c.call(ctx, "GET /me/order", "GET", "/me/order?"+q.Encode(), "GET /me/order", nil, &ids, false); err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	mine := map[int64]bool{}
	for _, id := range append(slices.Clone(ours), c.Ours()...) {
		mine[id] = true
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	out := make([]Order, 0, len(ids))
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		o := c.Order(ctx, id)
		o.Ours = mine[id]
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b Order) int {
		return cmp.Or(b.Date.Compare(a.Date), cmp.Compare(b.ID, a.ID))
	})
	return out, nil
}

// Order reads one order: its facts (once) and its status (every time).
// Failures are in Order.Err.
func (c *Client) Order(ctx context.Context, id int64) Order {
	o := Order{ID: id}
	f, err := c.facts(ctx, id)
	if err != nil {
		o.Err = err.Error()
		o.Status = orderstate.StatusUnknown
		return o
	}
	o.Date, o.Expiration, o.What, o.URL, o.Renewal = f.date, f.expiration, f.what, f.url, f.renewal
	o.Items = slices.Clone(f.items)
	o.WithoutTax, o.WithTax = f.withoutTax, f.withTax
	if f.final != "" {
		o.Status = f.final
		return o
	}
	st, err := c.status(ctx, id)
	if err != nil {
		o.Err = err.Error()
		o.Status = orderstate.StatusUnknown
		return o
	}
	o.Status = st
	if p := orderstate.FromStatus(st); p == orderstate.Unpaid || p == orderstate.Unknown {
		o.PaymentPending = c.paymentPending(id)
	}
	if inProgress(st) {
		o.FollowUp, _ = c.followUp(ctx, id)
	}
	if orderstate.Final(st) {
		c.mu.Lock()
		f.final = st
		c.orders[id] = f
		c.mu.Unlock()
	}
	return o
}

// paymentPending reports a payment of order id that the journal holds
// pending (sent, answer unclear, not settled). A journal that cannot be
// read counts as none: this only words the order; the gate reads the
// journal again before any payment.
func (c *Client) paymentPending(id int64) bool {
	if c.gate == nil {
		return false
	}
	p, err := c.gate.Pending(gate.Target{Kind: journal.KindPayment, OrderID: id})
	return err == nil && len(p) > 0
}

// status reads GET /me/order/{id}/status.
func (c *Client) status(ctx context.Context, id int64) (string, error) {
	var st string
	if err := c.call(ctx, "GET /me/order/*", "GET", orderPath(id, "status"), "GET /me/order/{id}/status", nil, &st, false); err != nil {
		return "", fmt.Errorf("status of order %d: %w", id, err)
	}
	return st, nil
}

// facts reads what never changes about an order, once.
func (c *Client) facts(ctx context.Context, id int64) (orderFacts, error) {
	c.mu.Lock()
	f, ok := c.orders[id]
	c.mu.Unlock()
	if ok {
		return f, nil
	}
	var bo billingOrder
	if err := c.call(ctx, "GET /me/order/*", "GET", orderPath(id), "GET /me/order/{id}", nil, &bo, false); err != nil {
		return f, fmt.Errorf("order %d: %w", id, err)
	}
	f = orderFacts{url: ovhapi.OrderLink(bo.URL), withoutTax: bo.PriceWithoutTax.amount(), withTax: bo.PriceWithTax.amount()}
	if bo.Date != nil {
		f.date = bo.Date.Time
	}
	if bo.ExpirationDate != nil {
		f.expiration = bo.ExpirationDate.Time
	}
	what, items, renewed, err := c.what(ctx, id)
	if err != nil {
		return f, err
	}
	f.what, f.items, f.renewal, f.renewed = what, items, len(renewed) > 0, renewed
	c.mu.Lock()
	c.orders[id] = f
	c.mu.Unlock()
	return f, nil
}

// renewedService is what one detail of a renewal order renews.
type renewedService struct{ name, period string }

// what describes an order from its details' extensions: each eco plan
// with its DC (the details holding a dedicated_datacenter configuration;
// an option's detail holds none), or the renewed service (a detail with
// action "renew"; its domain names the service: uncertain, it is how the
// simulator and OVH's invoices name it).
func (c *Client) what(ctx context.Context, id int64) (string, []OrderItem, []renewedService, error) {
	var ids []int64
	if err := c.call(ctx, "GET /me/order/*", "GET", orderPath(id, "details"), "GET /me/order/{id}/details", nil, &ids, false); err != nil {
		return "", nil, nil, fmt.Errorf("details of order %d: %w", id, err)
	}
	var parts []string
	var first string
	var renewed []renewedService
	var items []OrderItem
	for _, did := range ids {
		d := strconv.FormatInt(did, 10)
		var ext itemDetail
		if err := c.call(ctx, "GET /me/order/*", "GET", orderPath(id, "details", d, "extension"),
			"GET /me/order/{id}/details/{detailId}/extension", nil, &ext, false); err != nil {
			return "", nil, nil, fmt.Errorf("detail %d of order %d: %w", did, id, err)
		}
		code := deref(ext.Order.Plan.Code)
		if first == "" {
			first = code
		}
		if deref(ext.Order.Action) == "renew" {
			var od orderDetail
			if err := c.call(ctx, "GET /me/order/*", "GET", orderPath(id, "details", d), "GET /me/order/{id}/details/{detailId}",
				nil, &od, false); err != nil {
				return "", nil, nil, fmt.Errorf("detail %d of order %d: %w", did, id, err)
			}
			period := deref(ext.Order.Plan.Duration)
			renewed = append(renewed, renewedService{name: od.Domain, period: period})
			parts = append(parts, fmt.Sprintf("renewal of %s (%s) for %s", od.Domain, code, period))
			continue
		}
		for _, cf := range ext.Order.Configurations {
			if cf.Label == ovhapi.LabelDatacenter {
				parts = append(parts, code+" in "+cf.Value)
				items = append(items, OrderItem{PlanCode: code, Datacenter: cf.Value})
			}
		}
	}
	if len(parts) == 0 {
		return first, items, renewed, nil
	}
	return strings.Join(parts, ", "), items, renewed, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
