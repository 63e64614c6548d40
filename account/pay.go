package account

import (
	"context"
	"errors"
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

// PaymentMean is a registered payment means that can pay an order.
type PaymentMean struct {
	// Mean is OVH's billing.ReusablePaymentMeanEnum value ("creditCard").
	Mean string `json:"mean"`
	// ID is the paymentMeanId sent with Mean (0: none is sent).
	ID int64 `json:"id,omitempty"`
	// Label says which one it is ("Visa ************4242").
	Label string `json:"label"`
	// Default: the account's default payment method.
	Default bool `json:"default,omitempty"`
}

// Name is what `ovhtui pay --mean` accepts for it: Mean, or Mean:ID when
// the mean needs an id.
func (p PaymentMean) Name() string {
	if p.ID != 0 {
		return p.Mean + ":" + strconv.FormatInt(p.ID, 10)
	}
	return p.Mean
}

// String is the name and the label.
func (p PaymentMean) String() string {
	if p.Label == "" {
		return p.Name()
	}
	return p.Name() + " (" + p.Label + ")"
}

// meanTypes maps a legacy mean that needs a paymentMeanId (OVH's order
// guide: bankAccount, creditCard, paypal) to the paymentType of the
// /me/payment/method entries that carry it. Uncertain for bankAccount
// (SEPA direct debit is the current name of a bank account mandate).
var meanTypes = map[string][]string{
	"creditCard":  {"CREDIT_CARD"},
	"paypal":      {"PAYPAL"},
	"bankAccount": {"SEPA_DIRECT_DEBIT", "BANK_ACCOUNT"},
}

// paymentMethod mirrors me.payment.PaymentMethod.
type paymentMethod struct {
	Default       bool    `json:"default"`
	Description   *string `json:"description"`
	Label         *string `json:"label"`
	PaymentMeanID *int64  `json:"paymentMeanId"`
	PaymentType   string  `json:"paymentType"`
	Status        string  `json:"status"`
}

// PaymentMeans lists what can pay order id (GET
// /me/order/{id}/availableRegisteredPaymentMean). A mean that needs a
// paymentMeanId is listed once per valid payment method of its type (GET
// /me/payment/method), default first; one without any is left out.
func (c *Client) PaymentMeans(ctx context.Context, id int64) ([]PaymentMean, error) {
	var avail []struct {
		PaymentMean string `json:"paymentMean"`
	}
	if err := c.call(ctx, "GET /me/order/*", "GET", orderPath(id, "availableRegisteredPaymentMean"),
		"GET /me/order/{id}/availableRegisteredPaymentMean", nil, &avail, false); err != nil {
		return nil, fmt.Errorf("payment means of order %d: %w", id, err)
	}
	var out []PaymentMean
	var methods []paymentMethod
	loaded := false
	for _, a := range avail {
		types, needsID := meanTypes[a.PaymentMean]
		if !needsID {
			out = append(out, PaymentMean{Mean: a.PaymentMean})
			continue
		}
		if !loaded {
			var err error
			if methods, err = c.paymentMethods(ctx); err != nil {
				return nil, err
			}
			loaded = true
		}
		for _, m := range methods {
			if slices.Contains(types, m.PaymentType) && m.PaymentMeanID != nil {
				label := deref(m.Description)
				if l := deref(m.Label); l != "" {
					label = joinNonEmpty(label, l)
				}
				out = append(out, PaymentMean{Mean: a.PaymentMean, ID: *m.PaymentMeanID, Label: label, Default: m.Default})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b PaymentMean) int {
		switch {
		case a.Default && !b.Default:
			return -1
		case b.Default && !a.Default:
			return 1
		}
		return 0
	})
	return out, nil
}

func joinNonEmpty(a, b string) string {
	if a == "" {
		return b
	}
	return a + " " + b
}

// paymentMethods reads the account's valid payment methods.
func (c *Client) paymentMethods(ctx context.Context) ([]paymentMethod, error) {
	var ids []int64
	if err := c.call(ctx, "GET /me/payment/method", "GET", "/me/payment/method?status=VALID", "GET /me/payment/method",
		nil, &ids, false); err != nil {
		return nil, fmt.Errorf("payment methods: %w", err)
	}
	out := make([]paymentMethod, 0, len(ids))
	for _, id := range ids {
		var m paymentMethod
		if err := c.call(ctx, "GET /me/payment/method/*", "GET", "/me/payment/method/"+strconv.FormatInt(id, 10),
			"GET /me/payment/method/{id}", nil, &m, false); err != nil {
			return nil, fmt.Errorf("payment method %d: %w", id, err)
		}
		if m.Status == "VALID" {
			out = append(out, m)
		}
	}
	return out, nil
}

// ChooseMean picks the mean named name (Mean or Mean:ID, as Name gives)
// among means; with name empty, the only one, or the default one.
func ChooseMean(means []PaymentMean, name string) (PaymentMean, error) {
	if len(means) == 0 {
		return PaymentMean{}, ErrNoPaymentMean
	}
	if name == "" {
		if len(means) == 1 || means[0].Default && !means[1].Default {
			return means[0], nil
		}
		return PaymentMean{}, fmt.Errorf("several payment means can pay it: choose one of %s", meanNames(means))
	}
	var found []PaymentMean
	for _, m := range means {
		if m.Name() == name || m.Mean == name {
			found = append(found, m)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1:
		return PaymentMean{}, fmt.Errorf("%q names several payment means: choose one of %s", name, meanNames(found))
	}
	return PaymentMean{}, fmt.Errorf("no payment mean %q can pay it: choose one of %s", name, meanNames(means))
}

func meanNames(means []PaymentMean) string {
	var s string
	for i, m := range means {
		if i > 0 {
			s += ", "
		}
		s += m.String()
	}
	return s
}

// Errors of Pay and Renew.
var (
	// ErrNoPaymentMean: the account has no registered payment means that
	// can pay the order (add one in OVH's manager).
	ErrNoPaymentMean = errors.New("no registered payment means can pay this order: add one in OVH's manager (Billing, Payment methods)")
	// ErrNoJournal: Pay and Renew need a journal.
	ErrNoJournal = errors.New("no journal: nothing is paid or renewed without one")
)

// AmountChangedError: OVH's amount is not the one the user confirmed.
type AmountChangedError struct {
	Confirmed, Now money.Amount
}

// Error says both amounts.
func (e *AmountChangedError) Error() string {
	return fmt.Sprintf("the amount is now %s, not the %s confirmed: nothing was paid; confirm the new amount", e.Now, e.Confirmed)
}

// NotPayableError: the order is not waiting for a payment.
type NotPayableError struct {
	OrderID int64
	Status  string
}

// Error says the status.
func (e *NotPayableError) Error() string {
	if orderstate.FromStatus(e.Status) == orderstate.Cancelled {
		return fmt.Sprintf("order %d has lapsed (status %s): it can no longer be paid", e.OrderID, e.Status)
	}
	return fmt.Sprintf("order %d is not waiting for a payment (status %s)", e.OrderID, e.Status)
}

// RefusedError: OVH refused the payment or the renewal for good (nothing
// was paid or ordered).
type RefusedError struct {
	What string // "payment of order 123"
	Err  error
}

// Error says OVH's refusal.
func (e *RefusedError) Error() string { return fmt.Sprintf("%s refused by OVH: %v", e.What, e.Err) }

// Unwrap returns OVH's refusal.
func (e *RefusedError) Unwrap() error { return e.Err }

// UnclearError: OVH's answer was unclear and its outcome is not known yet.
// Nothing is retried; the journal keeps the intent pending, and nothing
// more is sent for the same order (or service and period) until OVH's
// records settle it (see package gate).
type UnclearError = gate.UnclearError

// PendingError: an earlier payment or renewal of the same thing is still
// pending; nothing was sent (see package gate).
type PendingError = gate.PendingError

// AlreadyPaidError: the order is paid already, or a payment of it by
// ovhtui went through; nothing was sent.
type AlreadyPaidError struct {
	OrderID int64
	Status  string // OVH's status, "" when the journal said so
}

// Error says so.
func (e *AlreadyPaidError) Error() string {
	if e.Status == "" {
		return fmt.Sprintf("order %d is already paid (the journal records its payment): nothing was sent", e.OrderID)
	}
	return fmt.Sprintf("order %d is already paid (status %s): nothing was sent", e.OrderID, e.Status)
}

// PayRequest is a payment the user confirmed.
type PayRequest struct {
	OrderID int64
	Mean    PaymentMean
	// Amount is the amount tax included the user confirmed; the payment
	// is refused when OVH's differs.
	Amount money.Amount
}

// PayResult is a payment's outcome.
type PayResult struct {
	OrderID int64
	Status  string // the order's status after the payment ("" when unread)
	// LookedUp: OVH's answer was unclear and the status was looked up.
	LookedUp bool
}

// paidStatus reports whether an order's status says it was paid.
func paidStatus(st string) bool { return orderstate.FromStatus(st) == orderstate.Paid }

// Pay pays order r.OrderID with r.Mean, once, through the money gate
// (package gate): a payment of the order left pending (by this process or
// one that no longer runs) is looked up first; then the gate decides again
// (the order waits for a payment of the confirmed amount), checks the
// journal (an order already paid, or being paid, sends nothing), journals
// the intent, pays (POST /me/order/{id}/payWithRegisteredPaymentMean) and
// journals the outcome. An unclear answer is looked up (the order's
// status), never paid again; when the status does not show it paid yet,
// the payment stays pending (*UnclearError): it is not "nothing paid".
func (c *Client) Pay(ctx context.Context, r PayRequest) (PayResult, error) {
	if c.gate == nil {
		return PayResult{}, ErrNoJournal
	}
	res := PayResult{OrderID: r.OrderID}
	target := gate.Target{Kind: journal.KindPayment, OrderID: r.OrderID}
	if s, err := c.gate.Settle(ctx, target, c.lookUpPayment); err != nil {
		return res, err
	} else if s.Succeeded() {
		res.Status, res.LookedUp = statusOf(s.Detail), true
		return res, nil
	}
	what := fmt.Sprintf("payment of order %d", r.OrderID)
	g, err := c.gate.Do(ctx, gate.Request{
		Target: target,
		Decide: func(ctx context.Context) (journal.Record, error) {
			var bo billingOrder
			if err := c.call(ctx, "GET /me/order/*", "GET", orderPath(r.OrderID), "GET /me/order/{id}", nil, &bo, false); err != nil {
				return journal.Record{}, fmt.Errorf("order %d: %w", r.OrderID, err)
			}
			if now := bo.PriceWithTax.amount(); now != r.Amount {
				return journal.Record{}, &AmountChangedError{Confirmed: r.Amount, Now: now}
			}
			st, err := c.status(ctx, r.OrderID)
			if err != nil {
				return journal.Record{}, err
			}
			if paidStatus(st) {
				return journal.Record{}, &AlreadyPaidError{OrderID: r.OrderID, Status: st}
			}
			if orderstate.FromStatus(st) != orderstate.Unpaid {
				return journal.Record{}, &NotPayableError{OrderID: r.OrderID, Status: st}
			}
			return journal.Record{AmountUcents: r.Amount.Ucents, Currency: r.Amount.Currency, Detail: "with " + r.Mean.Name()}, nil
		},
		Prior: func(context.Context, journal.Record) (*gate.Result, error) {
			return nil, &AlreadyPaidError{OrderID: r.OrderID}
		},
		Send: func(ctx context.Context, _ journal.Record) gate.Answer {
			body := map[string]any{"paymentMean": r.Mean.Mean}
			if r.Mean.ID != 0 {
				body["paymentMeanId"] = r.Mean.ID
			}
			perr := c.call(ctx, "POST /me/order/*", "POST", orderPath(r.OrderID, "payWithRegisteredPaymentMean"),
				"POST /me/order/{id}/payWithRegisteredPaymentMean", body, nil, true)
			return classify(perr, journal.ResultDone, journal.ResultFailed)
		},
		LookUp: c.lookUpPayment,
	})
	switch {
	case err != nil:
		return res, err
	case g.Earlier:
		return res, &AlreadyPaidError{OrderID: r.OrderID}
	case g.Result == journal.ResultDone:
		res.LookedUp = g.Found
		if g.Found {
			res.Status = statusOf(g.Detail)
		} else {
			res.Status, _ = c.status(ctx, r.OrderID)
		}
		return res, nil
	case g.Result == journal.ResultNotSent:
		return res, fmt.Errorf("%s not sent (nothing was paid): %w", what, g.Err)
	case MissingRule(g.Err) != "":
		return res, g.Err
	}
	return res, &RefusedError{What: what, Err: g.Err}
}

// SettlePayment looks up, at OVH, the payments of order id the journal
// still has pending (left by this process, or by one that no longer runs)
// and journals what the look-up finds. paid reports one found carried
// out. Nothing is sent, and a journal without a pending payment of the
// order is not even opened.
func (c *Client) SettlePayment(ctx context.Context, id int64) (paid bool, err error) {
	if c.gate == nil {
		return false, nil
	}
	target := gate.Target{Kind: journal.KindPayment, OrderID: id}
	if p, err := c.gate.Pending(target); err != nil || len(p) == 0 {
		return false, err
	}
	res, err := c.gate.Settle(ctx, target, c.lookUpPayment)
	return res.Succeeded(), err
}

// classify turns an answer to a money request into the gate's Answer:
// success is ok, a request that never left is not sent, a refusal for good
// (or a missing right) is refused, and anything else is unclear.
func classify(err error, ok, refused journal.Result) gate.Answer {
	switch {
	case err == nil:
		return gate.Answer{Result: ok}
	case ovhapi.IsNotSent(err):
		return gate.Answer{Result: journal.ResultNotSent, Err: err}
	case MissingRule(err) != "" || ovhapi.IsDefinitive(err):
		return gate.Answer{Result: refused, Err: err}
	}
	return gate.Answer{Err: err}
}

// lookUpPayment reads the status of the order a payment intent pays:
// found when it says paid; not found (never "nothing paid") otherwise.
func (c *Client) lookUpPayment(ctx context.Context, intent journal.Record) (gate.Answer, bool, error) {
	st, err := c.status(ctx, intent.OrderID)
	if err != nil {
		return gate.Answer{}, false, err
	}
	if paidStatus(st) {
		return gate.Answer{Result: journal.ResultDone, Detail: statusPrefix + st}, true, nil
	}
	return gate.Answer{}, false, nil
}

// statusPrefix starts the detail of a payment found paid by a look-up.
const statusPrefix = "status "

// statusOf reads the status back from a look-up's detail.
func statusOf(detail string) string {
	if !strings.HasPrefix(detail, statusPrefix) {
		return ""
	}
	st, _, _ := strings.Cut(strings.TrimPrefix(detail, statusPrefix), ";")
	return st
}

// Ours returns the orders the journal says ovhtui placed (checkouts),
// paid or renewed.
func (c *Client) Ours() []int64 {
	if c.journal == nil {
		return nil
	}
	log, err := c.journal.Read()
	if err != nil {
		return nil
	}
	var out []int64
	for id := range journal.Fold(log.Records).Orders {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// withinAfter is the margin before an intent's time in which a renewal
// order made by it is searched (clock skew between ovhtui and OVH).
const withinAfter = 5 * time.Minute

func ordersSince(t time.Time) url.Values {
	q := url.Values{}
	q.Set("date.from", t.Add(-withinAfter).UTC().Format(time.RFC3339))
	return q
}
