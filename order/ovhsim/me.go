package ovhsim

import (
	"slices"
	"strconv"
	"time"
)

// getMe serves GET /me.
func (s *Sim) getMe(c *call) *reply {
	return jsonReply(map[string]any{
		"nichandle":     c.who.Account,
		"email":         "sim@example.invalid",
		"firstname":     "Sim",
		"name":          "Ulator",
		"ovhSubsidiary": s.opts.Subsidiary,
		"country":       s.opts.Subsidiary,
		"currency":      map[string]string{"code": s.cat.currency, "symbol": currencySymbol(s.cat.currency)},
		"state":         "complete",
		"legalform":     "individual",
		"ovhCompany":    "ovh",
	})
}

func currencySymbol(code string) string {
	switch code {
	case "EUR":
		return "EURO"
	case "GBP":
		return "POUND"
	case "USD", "CAD", "AUD", "SGD":
		return "DOLLAR"
	}
	return code
}

// parseQueryTime reads an ISO 8601 date-time (or a date: midnight UTC).
func parseQueryTime(v string) (time.Time, error) {
	if t, err := parseOVHTime(v); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02", v)
}

// listOrders serves GET /me/order?date.from=&date.to= (both optional,
// inclusive): the account's order IDs, oldest first.
func (s *Sim) listOrders(c *call) *reply {
	q := c.r.URL.Query()
	var from, to time.Time
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"date.from", &from}, {"date.to", &to}} {
		if v := q.Get(f.name); v != "" {
			t, err := parseQueryTime(v)
			if err != nil {
				return errReply(badRequest("[%s] Given data (%s) is not valid for type datetime", f.name, v))
			}
			*f.dst = t
		}
	}
	ids := []int64{}
	for _, o := range s.orders {
		if o.Account != c.who.Account {
			continue
		}
		if !from.IsZero() && o.Date.Before(from) || !to.IsZero() && o.Date.After(to) {
			continue
		}
		ids = append(ids, o.ID)
	}
	return jsonReply(ids)
}

func (s *Sim) orderFor(c *call) (*order, *reply) {
	raw := c.r.PathValue("orderId")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, errReply(badRequest("[orderId] Given data (%s) is not valid for type long", raw))
	}
	for _, o := range s.orders {
		if o.ID == id && o.Account == c.who.Account {
			return o, nil
		}
	}
	return nil, errReply(errObjectNotFound("orderId", id))
}

// getOrder serves GET /me/order/{id}.
func (s *Sim) getOrder(c *call) *reply {
	o, rep := s.orderFor(c)
	if rep != nil {
		return rep
	}
	cur := s.cat.currency
	return jsonReply(map[string]any{
		"orderId":         o.ID,
		"date":            formatTime(o.Date),
		"expirationDate":  formatTime(o.Expiration),
		"password":        o.password,
		"pdfUrl":          o.url + "&format=pdf",
		"url":             o.url,
		"priceWithoutTax": newMoney(o.WithoutTaxUcents, cur),
		"priceWithTax":    newMoney(o.WithTaxUcents, cur),
		"tax":             newMoney(o.TaxUcents, cur),
		"retractionDate":  nil,
	})
}

// getOrderStatus serves GET /me/order/{id}/status: a bare JSON string.
func (s *Sim) getOrderStatus(c *call) *reply {
	o, rep := s.orderFor(c)
	if rep != nil {
		return rep
	}
	return jsonReply(o.statusLocked(c.now, s.aw.deliveryDelay))
}

// listOrderDetails serves GET /me/order/{id}/details: detail IDs.
func (s *Sim) listOrderDetails(c *call) *reply {
	o, rep := s.orderFor(c)
	if rep != nil {
		return rep
	}
	ids := []int64{}
	for _, d := range o.details {
		ids = append(ids, d.id)
	}
	return jsonReply(ids)
}

func (s *Sim) detailFor(c *call) (*orderDetail, *reply) {
	o, rep := s.orderFor(c)
	if rep != nil {
		return nil, rep
	}
	raw := c.r.PathValue("detailId")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, errReply(badRequest("[orderDetailId] Given data (%s) is not valid for type long", raw))
	}
	for i := range o.details {
		if o.details[i].id == id {
			return &o.details[i], nil
		}
	}
	return nil, errReply(errObjectNotFound("orderDetailId", id))
}

// getOrderDetail serves GET /me/order/{id}/details/{detailId}. The
// description names the invoice name, the planCode, the parent plan for an
// option and the DC: "KS-LE-B (25skleb01) in fra",
// "... (ram-32g-ecc-2400-25skle) option of 25skleb01 in fra".
func (s *Sim) getOrderDetail(c *call) *reply {
	d, rep := s.detailFor(c)
	if rep != nil {
		return rep
	}
	cur := s.cat.currency
	total := d.unit * int64(d.quantity)
	return jsonReply(map[string]any{
		"orderDetailId": d.id,
		"description":   d.description,
		"detailType":    "DURATION",
		"domain":        d.domain,
		"quantity":      strconv.Itoa(d.quantity),
		"unitPrice":     newMoney(d.unit, cur),
		"totalPrice":    newMoney(total, cur),
		"cancelled":     false,
	})
}

// getOrderDetailExtension serves GET /me/order/{id}/details/{detailId}/extension:
// billing.ItemDetail, the structured description of what the detail
// ordered. Details are flat, one per plan and one per option, and nothing
// links an option's detail to its plan (billing.ItemDetail has no such
// field):
//
//	{"order": {"action": "installation", "type": "...",
//	           "plan": {"code": "25skleb01", "duration": "P1M", "pricingMode": "default",
//	                    "quantity": 1, "product": {"name": "..."}},
//	           "configurations": [{"label": "dedicated_datacenter", "value": "fra"}, ...]}}
//
// Configurations are on the plan's detail only; an option's list is empty.
func (s *Sim) getOrderDetailExtension(c *call) *reply {
	d, rep := s.detailFor(c)
	if rep != nil {
		return rep
	}
	type kv struct {
		Label string `json:"label"`
		Value string `json:"value"`
	}
	cfgs := []kv{}
	for _, l := range []string{labelDatacenter, labelOS, labelRegion} {
		if v, ok := d.configs[l]; ok {
			cfgs = append(cfgs, kv{l, v})
		}
	}
	var rest []string
	for l := range d.configs {
		if l != labelDatacenter && l != labelOS && l != labelRegion {
			rest = append(rest, l)
		}
	}
	slices.Sort(rest)
	for _, l := range rest {
		cfgs = append(cfgs, kv{l, d.configs[l]})
	}
	return jsonReply(map[string]any{
		"order": map[string]any{
			"action": d.actionOrDefault(),
			"plan": map[string]any{"code": d.planCode, "duration": d.duration, "pricingMode": d.pricingMode,
				"quantity": d.quantity, "product": map[string]any{"name": d.product}},
			"configurations": cfgs,
		},
	})
}
