package account

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/ovhtui/ovhtui/gate"
	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/orderstate"
	"github.com/ovhtui/ovhtui/ovhapi"
)

// Server is one dedicated server of the account with its service
// information.
type Server struct {
	Name       string    `json:"name"`
	ServiceID  int64     `json:"serviceId"`
	Datacenter string    `json:"datacenter,omitempty"` // OVH's building code, e.g. "gra3"
	Range      string    `json:"range,omitempty"`      // commercial range
	Expiration time.Time `json:"expiration"`
	// AutomaticRenew is renew.automatic; false means the server expires
	// unless renewed by hand (Manual).
	AutomaticRenew bool `json:"automaticRenew"`
	// ManualPayment: the renewal invoice must be paid by hand.
	ManualPayment      bool   `json:"manualPayment,omitempty"`
	DeleteAtExpiration bool   `json:"deleteAtExpiration,omitempty"`
	PeriodMonths       int64  `json:"periodMonths,omitempty"`
	Status             string `json:"status"` // ok, expired, unPaid, inCreation, pendingDebt
	// Err is why some of the server could not be read.
	Err string `json:"error,omitempty"`
}

// Manual reports a server that does not renew by itself.
func (s Server) Manual() bool { return s.renewal().Manual() }

// renewal is how s renews (package orderstate owns the words).
func (s Server) renewal() orderstate.Renewal {
	return orderstate.Renewal{Automatic: s.AutomaticRenew, ManualPayment: s.ManualPayment, DeleteAtExpiration: s.DeleteAtExpiration}
}

// Renewal says how s renews, in the words every screen and command uses
// (orderstate.Renewal): "MANUAL", "automatic, pay by hand", "automatic",
// or "deleted at expiration".
func (s Server) Renewal() string { return s.renewal().String() }

// RenewalShort is Renewal in at most 10 cells, for narrow tables.
func (s Server) RenewalShort() string { return s.renewal().Short() }

// serverFacts is what never changes about a server.
type serverFacts struct{ datacenter, rng string }

// serviceInfos mirrors services.Service.
type serviceInfos struct {
	ServiceID  int64 `json:"serviceId"`
	Expiration *Time `json:"expiration"`
	Renew      *struct {
		Automatic          bool   `json:"automatic"`
		DeleteAtExpiration bool   `json:"deleteAtExpiration"`
		ManualPayment      *bool  `json:"manualPayment"`
		Period             *int64 `json:"period"`
	} `json:"renew"`
	Status string `json:"status"`
}

func serverPath(name string, rest ...string) string {
	p := "/dedicated/server/" + url.PathEscape(name)
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

// Servers lists the account's dedicated servers (GET /dedicated/server,
// then each one's serviceInfos), expiring soonest first. A server that
// cannot be read is listed with Err.
func (c *Client) Servers(ctx context.Context) ([]Server, error) {
	var names []string
	if err := c.call(ctx, "GET /dedicated/server", "GET", "/dedicated/server", "GET /dedicated/server", nil, &names, false); err != nil {
		return nil, fmt.Errorf("list servers: %w", err)
	}
	out := make([]Server, 0, len(names))
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out = append(out, c.server(ctx, n))
	}
	slices.SortFunc(out, func(a, b Server) int {
		switch {
		case a.Expiration.IsZero() && !b.Expiration.IsZero():
			return 1
		case b.Expiration.IsZero() && !a.Expiration.IsZero():
			return -1
		}
		return cmp.Or(a.Expiration.Compare(b.Expiration), cmp.Compare(a.Name, b.Name))
	})
	return out, nil
}

func (c *Client) server(ctx context.Context, name string) Server {
	s := Server{Name: name}
	var si serviceInfos
	if err := c.call(ctx, "GET /dedicated/server/*", "GET", serverPath(name, "serviceInfos"),
		"GET /dedicated/server/{name}/serviceInfos", nil, &si, false); err != nil {
		s.Err = err.Error()
		return s
	}
	s.ServiceID, s.Status = si.ServiceID, si.Status
	if si.Expiration != nil {
		s.Expiration = si.Expiration.Time
	}
	if r := si.Renew; r != nil {
		s.AutomaticRenew, s.DeleteAtExpiration = r.Automatic, r.DeleteAtExpiration
		s.ManualPayment = r.ManualPayment != nil && *r.ManualPayment
		if r.Period != nil {
			s.PeriodMonths = *r.Period
		}
	}
	c.mu.Lock()
	f, ok := c.servers[name]
	c.mu.Unlock()
	if !ok {
		var d struct {
			Datacenter      string  `json:"datacenter"`
			CommercialRange *string `json:"commercialRange"`
		}
		// The DC and range are extras: a failure leaves them empty.
		if err := c.call(ctx, "GET /dedicated/server/*", "GET", serverPath(name), "GET /dedicated/server/{name}", nil, &d, false); err == nil {
			f = serverFacts{datacenter: d.Datacenter, rng: deref(d.CommercialRange)}
			c.mu.Lock()
			c.servers[name] = f
			c.mu.Unlock()
		}
	}
	s.Datacenter, s.Range = f.datacenter, f.rng
	return s
}

// RenewOption is one renewal period of a service and its price.
type RenewOption struct {
	Period     string       `json:"period"` // ISO 8601, e.g. "P1M"
	WithoutTax money.Amount `json:"withoutTax"`
}

func servicePath(id int64) string { return "/service/" + strconv.FormatInt(id, 10) + "/renew" }

// RenewOptions lists the periods a service can be renewed for alone and
// their prices excluding tax (GET /service/{id}/renew; the strategies that
// renew other services with it are left out).
func (c *Client) RenewOptions(ctx context.Context, serviceID int64) ([]RenewOption, error) {
	var desc []struct {
		RenewPeriod string `json:"renewPeriod"`
		Strategies  []struct {
			Price         price   `json:"price"`
			PriceInUcents *int64  `json:"priceInUcents"`
			Services      []int64 `json:"services"`
		} `json:"strategies"`
	}
	if err := c.call(ctx, "GET /service/*", "GET", servicePath(serviceID)+"?includeOptions=false", "GET /service/{id}/renew",
		nil, &desc, false); err != nil {
		return nil, fmt.Errorf("renew periods of service %d: %w", serviceID, err)
	}
	var out []RenewOption
	for _, d := range desc {
		for _, st := range d.Strategies {
			if len(st.Services) != 1 || st.Services[0] != serviceID {
				continue
			}
			a := st.Price.amount()
			if st.PriceInUcents != nil {
				a.Ucents = *st.PriceInUcents
			}
			out = append(out, RenewOption{Period: d.RenewPeriod, WithoutTax: a})
		}
	}
	return out, nil
}

// RenewQuote is what a renewal costs, from a dry run.
type RenewQuote struct {
	ServiceID  int64        `json:"serviceId"`
	Period     string       `json:"period"`
	WithoutTax money.Amount `json:"withoutTax"`
	Tax        money.Amount `json:"tax"`
	WithTax    money.Amount `json:"withTax"`
}

// renewOrder mirrors service.renew.RenewOrder.
type renewOrder struct {
	OrderID         int64  `json:"orderId"`
	URL             string `json:"url"`
	PriceWithoutTax price  `json:"priceWithoutTax"`
	PriceWithTax    price  `json:"priceWithTax"`
	Tax             price  `json:"tax"`
}

func renewBody(serviceID int64, period string, dryRun bool) map[string]any {
	return map[string]any{"dryRun": dryRun, "duration": period, "services": []int64{serviceID}}
}

// RenewDryRun asks OVH what renewing the service for period would cost
// (POST /service/{id}/renew with dryRun: nothing is ordered).
func (c *Client) RenewDryRun(ctx context.Context, serviceID int64, period string) (RenewQuote, error) {
	var ro renewOrder
	if err := c.call(ctx, "POST /service/*", "POST", servicePath(serviceID), "POST /service/{id}/renew (dry run)",
		renewBody(serviceID, period, true), &ro, false); err != nil {
		return RenewQuote{}, fmt.Errorf("dry run of the renewal of service %d for %s: %w", serviceID, period, err)
	}
	return RenewQuote{ServiceID: serviceID, Period: period, WithoutTax: ro.PriceWithoutTax.amount(),
		Tax: ro.Tax.amount(), WithTax: ro.PriceWithTax.amount()}, nil
}

// RenewRequest is a renewal the user confirmed.
type RenewRequest struct {
	ServiceID int64
	Service   string // the server's name (to find the order after an unclear answer)
	Period    string
	// Amount is the amount tax included the user confirmed (from a dry
	// run); the renewal is refused when a new dry run says otherwise.
	Amount money.Amount
}

// RenewResult is the renewal order made, to pay like any unpaid order.
type RenewResult struct {
	OrderID int64        `json:"orderId"`
	URL     string       `json:"url"` // without the order password
	WithTax money.Amount `json:"withTax"`
	// Found: OVH's answer was unclear and the order was found afterwards
	// among the account's orders (or an earlier run had made it).
	Found bool `json:"found,omitempty"`
	// Existing: an unpaid renewal order for the same service and period
	// already existed; it is offered for payment and no new one was made.
	Existing bool `json:"existing,omitempty"`
}

// Renew makes the renewal order of r.ServiceID for r.Period, once, through
// the money gate (package gate): a renewal of the same service and period
// left pending is looked up first; an earlier renewal order of it still
// unpaid is returned (Existing) to be paid, never made again; then the
// gate decides again (a new dry run must cost the confirmed amount),
// journals the intent (service, period, amount, OVH's time), makes the
// order (POST /service/{id}/renew) and journals the outcome. An unclear
// answer is settled by looking for the renewal order among the account's
// orders over a window of OVH's time, never by ordering again: while none
// is found it stays pending (*UnclearError). The order is unpaid: pay it
// with Pay.
func (c *Client) Renew(ctx context.Context, r RenewRequest) (RenewResult, error) {
	if c.gate == nil {
		return RenewResult{}, ErrNoJournal
	}
	target := gate.Target{Kind: journal.KindRenewal, ServiceID: r.ServiceID, Period: r.Period}
	if s, err := c.gate.Settle(ctx, target, c.lookUpRenewal); err != nil {
		return RenewResult{}, err
	} else if s.Succeeded() {
		if res, open, err := c.unpaidRenewal(ctx, s.OrderID); err != nil || open {
			res.Found = true
			return res, err
		}
	}
	what := fmt.Sprintf("renewal of service %d for %s", r.ServiceID, r.Period)
	g, err := c.gate.Do(ctx, gate.Request{
		Target: target,
		Decide: func(ctx context.Context) (journal.Record, error) {
			q, err := c.RenewDryRun(ctx, r.ServiceID, r.Period)
			if err != nil {
				return journal.Record{}, err
			}
			if q.WithTax != r.Amount {
				return journal.Record{}, &AmountChangedError{Confirmed: r.Amount, Now: q.WithTax}
			}
			return journal.Record{AmountUcents: r.Amount.Ucents, Currency: r.Amount.Currency, Detail: renewalDetail(r.Service, r.Period)}, nil
		},
		Prior: func(ctx context.Context, done journal.Record) (*gate.Result, error) {
			res, open, err := c.unpaidRenewal(ctx, done.OrderID)
			if err != nil || !open {
				return nil, err
			}
			return &gate.Result{Intent: done, Answer: gate.Answer{Result: journal.ResultOrdered, OrderID: res.OrderID, URL: res.URL,
				AmountUcents: res.WithTax.Ucents, Currency: res.WithTax.Currency}}, nil
		},
		Send: func(ctx context.Context, _ journal.Record) gate.Answer {
			var ro renewOrder
			rerr := c.call(ctx, "POST /service/*", "POST", servicePath(r.ServiceID), "POST /service/{id}/renew",
				renewBody(r.ServiceID, r.Period, false), &ro, true)
			a := classify(rerr, journal.ResultOrdered, journal.ResultRefused)
			switch {
			case rerr == nil && ro.OrderID != 0:
				w := ro.PriceWithTax.amount()
				a.OrderID, a.URL, a.AmountUcents, a.Currency = ro.OrderID, ovhapi.OrderLink(ro.URL), w.Ucents, w.Currency
			case rerr == nil:
				a = gate.Answer{Err: errors.New("OVH answered without an order id")}
			}
			return a
		},
		LookUp: c.lookUpRenewal,
	})
	res := RenewResult{OrderID: g.OrderID, URL: g.URL, WithTax: money.Amount{Ucents: g.AmountUcents, Currency: g.Currency}, Found: g.Found, Existing: g.Earlier}
	switch {
	case err != nil:
		return RenewResult{}, err
	case g.Result == journal.ResultOrdered:
		return res, nil
	case g.Result == journal.ResultNotSent:
		return RenewResult{}, fmt.Errorf("%s not sent (nothing was ordered): %w", what, g.Err)
	case MissingRule(g.Err) != "":
		return RenewResult{}, g.Err
	}
	return RenewResult{}, &RefusedError{What: what, Err: g.Err}
}

// UnpaidRenewal returns the renewal order of serviceID for period the
// journal says ovhtui made, when OVH still has it waiting for its payment
// (found false otherwise): the order Renew would offer for payment instead
// of making another, said before the user is asked to order one. It only
// reads; a renewal still pending is Renew's to look up.
func (c *Client) UnpaidRenewal(ctx context.Context, serviceID int64, period string) (RenewResult, bool, error) {
	if c.journal == nil {
		return RenewResult{}, false, nil
	}
	log, err := c.journal.Read()
	if err != nil {
		return RenewResult{}, false, err
	}
	target := gate.Target{Kind: journal.KindRenewal, ServiceID: serviceID, Period: period}
	var last int64
	for _, r := range log.Records {
		if r.Type == journal.TypeOutcome && r.Result == journal.ResultOrdered && target.Matches(r) {
			last = r.OrderID
		}
	}
	res, open, err := c.unpaidRenewal(ctx, last)
	if err != nil || !open {
		return RenewResult{}, false, err
	}
	return res, true, nil
}

// unpaidRenewal reads renewal order id: open reports one still waiting for
// its payment (to be paid, not made again).
func (c *Client) unpaidRenewal(ctx context.Context, id int64) (RenewResult, bool, error) {
	if id == 0 {
		return RenewResult{}, false, nil
	}
	o := c.Order(ctx, id)
	if o.Err != "" {
		return RenewResult{}, false, fmt.Errorf("earlier renewal order %d: %s", id, o.Err)
	}
	return RenewResult{OrderID: id, URL: o.URL, WithTax: o.WithTax, Existing: true}, o.Unpaid(), nil
}

// lookUpRenewal is findRenewal as the gate's LookUp.
func (c *Client) lookUpRenewal(ctx context.Context, intent journal.Record) (gate.Answer, bool, error) {
	res, found, err := c.findRenewal(ctx, intent)
	if err != nil || !found {
		return gate.Answer{}, false, err
	}
	return gate.Answer{Result: journal.ResultOrdered, OrderID: res.OrderID, URL: res.URL,
		AmountUcents: res.WithTax.Ucents, Currency: res.WithTax.Currency}, true, nil
}

// findRenewal looks for the renewal order intent made: an order of the
// account since the intent (less a margin) whose details renew the
// service for the period (a detail with action "renew" whose domain is
// the service's name: uncertain, it is how the simulator and OVH's
// invoices name a renewed service).
func (c *Client) findRenewal(ctx context.Context, intent journal.Record) (RenewResult, bool, error) {
	service, period, ok := parseRenewalDetail(intent.Detail)
	if !ok {
		return RenewResult{}, false, fmt.Errorf("journal: renewal intent %s does not say what it renews", intent.Attempt)
	}
	if intent.Period != "" {
		period = intent.Period
	}
	since := intent.OVHTime // OVH's clock: the local one may be off
	if since.IsZero() {
		since = intent.Time
	}
	var ids []int64
	if err := c.call(ctx, "GET /me/order", "GET", "/me/order?"+ordersSince(since).Encode(), "GET /me/order", nil, &ids, false); err != nil {
		return RenewResult{}, false, err
	}
	// Orders the journal already gives to another renewal are not this one's.
	taken := map[int64]bool{}
	if log, err := c.journal.Read(); err == nil {
		for _, r := range log.Records {
			if r.Type == journal.TypeOutcome && r.Attempt != intent.Attempt && r.OrderID != 0 {
				taken[r.OrderID] = true
			}
		}
	}
	for _, id := range ids {
		if taken[id] {
			continue
		}
		o := c.Order(ctx, id)
		if o.Err != "" {
			return RenewResult{}, false, errors.New(o.Err)
		}
		c.mu.Lock()
		renewed := c.orders[id].renewed
		c.mu.Unlock()
		if slices.Contains(renewed, renewedService{name: service, period: period}) {
			return RenewResult{OrderID: id, URL: o.URL, WithTax: o.WithTax, Found: true}, true, nil
		}
	}
	return RenewResult{}, false, nil
}
