package account

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

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

// UnclearError: OVH's answer was unclear and looking the outcome up failed
// too. Nothing is retried; the journal keeps the intent open, and the next
// Pay or Renew of the same thing looks it up first.
type UnclearError struct {
	What string
	Err  error
}

// Error says what to do.
func (e *UnclearError) Error() string {
	return fmt.Sprintf("%s: OVH's answer was unclear (%v) and its outcome could not be looked up; nothing was retried: check the order's status before trying again", e.What, e.Err)
}

// Unwrap returns the cause.
func (e *UnclearError) Unwrap() error { return e.Err }

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

// Pay pays order r.OrderID with r.Mean, once: it checks the order waits for
// a payment of the confirmed amount, journals the intent, pays (POST
// /me/order/{id}/payWithRegisteredPaymentMean) and journals the outcome.
// An unclear answer is settled by reading the order's status, never by
// paying again; an intent left open by an earlier run is settled the same
// way first.
func (c *Client) Pay(ctx context.Context, r PayRequest) (PayResult, error) {
	if c.journal == nil {
		return PayResult{}, ErrNoJournal
	}
	c.money.Lock()
	defer c.money.Unlock()
	res := PayResult{OrderID: r.OrderID}
	if done, err := c.settlePendingPayments(ctx, r.OrderID); err != nil {
		return res, err
	} else if done != "" {
		res.Status, res.LookedUp = done, true
		return res, nil
	}
	var bo billingOrder
	if err := c.call(ctx, "GET /me/order/*", "GET", orderPath(r.OrderID), "GET /me/order/{id}", nil, &bo, false); err != nil {
		return res, fmt.Errorf("order %d: %w", r.OrderID, err)
	}
	if now := bo.PriceWithTax.amount(); now != r.Amount {
		return res, &AmountChangedError{Confirmed: r.Amount, Now: now}
	}
	st, err := c.status(ctx, r.OrderID)
	if err != nil {
		return res, err
	}
	if orderstate.FromStatus(st) != orderstate.Unpaid {
		return res, &NotPayableError{OrderID: r.OrderID, Status: st}
	}
	at := c.now()
	intent := journal.Record{Time: at, Type: journal.TypeIntent, Kind: journal.KindPayment,
		Attempt: fmt.Sprintf("pay-%d-%d", r.OrderID, at.UnixNano()), OrderID: r.OrderID,
		AmountUcents: r.Amount.Ucents, Currency: r.Amount.Currency, Detail: "with " + r.Mean.Name()}
	if err := c.journal.Append(intent); err != nil {
		return res, fmt.Errorf("journal the payment of order %d (nothing was paid): %w", r.OrderID, err)
	}
	body := map[string]any{"paymentMean": r.Mean.Mean}
	if r.Mean.ID != 0 {
		body["paymentMeanId"] = r.Mean.ID
	}
	what := fmt.Sprintf("payment of order %d", r.OrderID)
	perr := c.call(ctx, "POST /me/order/*", "POST", orderPath(r.OrderID, "payWithRegisteredPaymentMean"),
		"POST /me/order/{id}/payWithRegisteredPaymentMean", body, nil, true)
	switch {
	case perr == nil:
		c.outcome(intent, journal.ResultDone, "")
		res.Status, _ = c.status(ctx, r.OrderID)
		return res, nil
	case ovhapi.IsNotSent(perr):
		c.outcome(intent, journal.ResultNotSent, perr.Error())
		return res, fmt.Errorf("%s not sent (nothing was paid): %w", what, perr)
	case MissingRule(perr) != "" || ovhapi.IsDefinitive(perr):
		c.outcome(intent, journal.ResultFailed, perr.Error())
		if MissingRule(perr) != "" {
			return res, perr
		}
		return res, &RefusedError{What: what, Err: perr}
	}
	// Unclear: look the status up, never pay again.
	res.LookedUp = true
	st, lerr := c.status(context.WithoutCancel(ctx), r.OrderID)
	switch {
	case lerr != nil:
		c.outcome(intent, journal.ResultUnknown, perr.Error())
		return res, &UnclearError{What: what, Err: errors.Join(perr, lerr)}
	case paidStatus(st):
		c.outcome(intent, journal.ResultDone, "looked up after an unclear answer: status "+st+" ("+perr.Error()+")")
		res.Status = st
		return res, nil
	}
	c.outcome(intent, journal.ResultFailed, "looked up after an unclear answer: still "+st+" ("+perr.Error()+")")
	res.Status = st
	return res, &RefusedError{What: what, Err: fmt.Errorf("unclear answer (%v); the order is still %s: nothing was paid", perr, st)}
}

// settlePendingPayments looks up the payments of order id left without an
// outcome. It returns the order's status when one of them was paid.
func (c *Client) settlePendingPayments(ctx context.Context, id int64) (string, error) {
	recs, err := c.journal.Records()
	if err != nil {
		return "", fmt.Errorf("read the journal: %w", err)
	}
	var open []journal.Record
	for _, r := range pending(recs, journal.KindPayment) {
		if r.OrderID == id {
			open = append(open, r)
		}
	}
	if len(open) == 0 {
		return "", nil
	}
	st, err := c.status(ctx, id)
	if err != nil {
		return "", &UnclearError{What: fmt.Sprintf("an earlier payment of order %d", id), Err: err}
	}
	paid := paidStatus(st)
	for _, r := range open {
		if paid {
			c.outcome(r, journal.ResultDone, "looked up later: status "+st)
		} else {
			c.outcome(r, journal.ResultFailed, "looked up later: still "+st)
		}
	}
	if paid {
		return st, nil
	}
	return "", nil
}

// outcome journals the outcome of intent. A failure to write it leaves the
// intent open: the next attempt looks it up, which is safe.
func (c *Client) outcome(intent journal.Record, result journal.Result, detail string) {
	r := intent
	r.Time, r.Type, r.Result, r.Detail, r.PID = c.now(), journal.TypeOutcome, result, detail, 0
	_ = c.journal.Append(r)
}

// Ours returns the orders the journal says ovhtui placed (checkouts),
// paid or renewed.
func (c *Client) Ours() []int64 {
	if c.journal == nil {
		return nil
	}
	recs, err := c.journal.Records()
	if err != nil {
		return nil
	}
	var out []int64
	for id := range journal.Fold(recs).Orders {
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
