package ovhsim

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// renewWork is what a renewal order does once paid: extend a service.
type renewWork struct {
	serviceID int64
	months    int
}

// serviceFor finds the caller's service named by the path's serviceId
// (404 for an unknown id or another account's).
func (s *Sim) serviceFor(c *call) (*server, *reply) {
	s.deliverLocked(c.now)
	raw := c.r.PathValue("serviceId")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, errReply(badRequest("[serviceId] Given data (%s) is not valid for type long", raw))
	}
	for _, sv := range s.aw.servers {
		if sv.serviceID == id && sv.account == c.who.Account {
			return sv, nil
		}
	}
	return nil, errReply(errObjectNotFound("serviceId", id))
}

// monthlyLocked is the server's monthly renewal price excluding tax, in
// ucents: the plan's and its addons' `default` renew pricings.
func (s *Sim) monthlyLocked(sv *server) int64 {
	var total int64
	for _, code := range append([]string{sv.planCode}, sv.addons...) {
		p := s.lookupPlan(code)
		if p == nil {
			continue
		}
		if pr, ok := p.pricing(modeDefault, capRenew); ok {
			total += s.priceOf(code, pr)
		}
	}
	return total
}

// renewDuration is the ISO 8601 duration of a renewal of n months.
func renewDuration(months int64) string { return fmt.Sprintf("P%dM", months) }

// parseRenewDuration reads "P<n>M" (and "P1Y" as 12 months).
func parseRenewDuration(d string) (int, bool) {
	if d == "P1Y" {
		return 12, true
	}
	n, ok := strings.CutPrefix(d, "P")
	if !ok {
		return 0, false
	}
	n, ok = strings.CutSuffix(n, "M")
	if !ok {
		return 0, false
	}
	m, err := strconv.Atoi(n)
	if err != nil || m <= 0 {
		return 0, false
	}
	return m, true
}

// getRenew serves GET /service/{serviceId}/renew?includeOptions=: one
// RenewDescription per offered period, each with one strategy renewing the
// server alone (an eco server's addons are part of its service, so
// includeOptions changes nothing).
func (s *Sim) getRenew(c *call) *reply {
	if v := c.r.URL.Query().Get("includeOptions"); v != "" && v != "true" && v != "false" {
		return errReply(badRequest("[includeOptions] Given data (%s) is not valid for type boolean", v))
	}
	sv, rep := s.serviceFor(c)
	if rep != nil {
		return rep
	}
	monthly := s.monthlyLocked(sv)
	out := []map[string]any{}
	for _, n := range renewPeriods {
		price := monthly * n
		out = append(out, map[string]any{
			"renewPeriod": renewDuration(n),
			"strategies": []map[string]any{{
				"price":         newMoney(price, s.cat.currency),
				"priceInUcents": price,
				"services":      []int64{sv.serviceID},
				"servicesDetails": []map[string]any{{
					"serviceId": sv.serviceID, "serviceName": sv.name, "serviceType": "dedicated/server",
				}},
			}},
		})
	}
	return jsonReply(out)
}

// postRenew serves POST /service/{serviceId}/renew {dryRun?, duration,
// services}: a renewal purchase order (service.renew.RenewOrder), unpaid,
// to pay like any order. duration must be one of the offered periods and
// services exactly the strategy's ([serviceId]). A dry run creates
// nothing and answers orderId 0 with empty url, password and pdfUrl
// (uncertain: what OVH returns then is not documented).
func (s *Sim) postRenew(c *call) *reply {
	var in struct {
		DryRun   *bool   `json:"dryRun"`
		Duration *string `json:"duration"`
		Services []int64 `json:"services"`
	}
	if rep := decodeBody(c, &in); rep != nil {
		return rep
	}
	if in.Duration == nil || *in.Duration == "" {
		return missing("duration")
	}
	if in.Services == nil {
		return missing("services")
	}
	sv, rep := s.serviceFor(c)
	if rep != nil {
		return rep
	}
	months, ok := parseRenewDuration(*in.Duration)
	if !ok || !slices.Contains(renewPeriods, int64(months)) {
		return errReply(badRequest("Duration %s is not a renew period of service %d", *in.Duration, sv.serviceID))
	}
	if len(in.Services) != 1 || in.Services[0] != sv.serviceID {
		return errReply(badRequest("No renew strategy of service %d renews services %v", sv.serviceID, in.Services))
	}
	cur := s.cat.currency
	withoutTax := s.monthlyLocked(sv) * int64(months)
	tax := taxOf(withoutTax, s.cat.taxBP)
	out := map[string]any{
		"date":            formatTime(c.now),
		"expirationDate":  formatTime(c.now.Add(s.orderLife())),
		"orderId":         0,
		"password":        "",
		"pdfUrl":          "",
		"url":             "",
		"priceWithoutTax": newMoney(withoutTax, cur),
		"priceWithTax":    newMoney(withoutTax+tax, cur),
		"tax":             newMoney(tax, cur),
		"retractionDate":  nil,
	}
	if in.DryRun != nil && *in.DryRun {
		return jsonReply(out)
	}
	s.seqOrder++
	id := s.seqOrder
	h := sha1.Sum([]byte(fmt.Sprintf("ovhsim-order-%d", id)))
	pw := hex.EncodeToString(h[:6])
	url := s.orderURL(id, pw)
	s.seqDetail++
	ord := &order{
		Order: Order{ID: id, Account: c.who.Account, PlanCode: sv.planCode, DC: sv.dc, Quantity: 1,
			WithoutTaxUcents: withoutTax, TaxUcents: tax, WithTaxUcents: withoutTax + tax,
			Date: c.now, Expiration: c.now.Add(s.orderLife()), Status: StatusNotPaid},
		password: pw, url: url,
		renew: &renewWork{serviceID: sv.serviceID, months: months},
		details: []orderDetail{{
			id: s.seqDetail, description: fmt.Sprintf("Renewal of %s (%s) for %s", sv.name, sv.planCode, *in.Duration),
			domain: sv.name, quantity: 1, unit: withoutTax, planCode: sv.planCode, duration: *in.Duration,
			pricingMode: modeDefault, product: s.productOf(sv.planCode), configs: map[string]string{}, action: "renew",
		}},
	}
	s.orders = append(s.orders, ord)
	out["orderId"], out["password"], out["url"], out["pdfUrl"] = id, pw, url, url+"&format=pdf"
	return jsonReply(out)
}

func (s *Sim) productOf(planCode string) string {
	if p := s.lookupPlan(planCode); p != nil {
		return p.Product
	}
	return ""
}

// completeRenewLocked extends the renewed service once its order is paid.
func (s *Sim) completeRenewLocked(o *order, now time.Time) {
	for _, sv := range s.aw.servers {
		if sv.serviceID == o.renew.serviceID {
			sv.expiration = dateOf(addMonths(sv.expiration, o.renew.months))
		}
	}
	o.Status = StatusDelivered
	o.paidAt = now
}

func (d orderDetail) actionOrDefault() string {
	if d.action == "" {
		return "installation"
	}
	return d.action
}
