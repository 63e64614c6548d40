package ovhapi

import (
	"context"
	"net/http"
	"strconv"
)

// PaymentMethod is what GET /me/payment/method/{id} tells of a payment
// method (me.payment.PaymentMethod of OVH's export of 2025-10; the fields
// ovhtui uses).
type PaymentMethod struct {
	ID          int64   `json:"paymentMethodId"`
	PaymentType string  `json:"paymentType"`
	Label       *string `json:"label"`
	Description *string `json:"description"`
	// Status is me.payment.method.StatusEnum: VALID, EXPIRED, FAILED,
	// PAUSED, ... (13 values).
	Status  string `json:"status"`
	Default bool   `json:"default"`
}

// Name is how the method is shown: its type and label ("CREDIT_CARD
// ************4242").
func (m PaymentMethod) Name() string {
	s := m.PaymentType
	if m.Label != nil && *m.Label != "" {
		s += " " + *m.Label
	}
	if s == "" {
		s = "method " + strconv.FormatInt(m.ID, 10)
	}
	return s
}

// DefaultPaymentMethod reads the account's default payment method, the
// one checkout with autopay pays with: GET /me/payment/method?default=true
// (signed), then the method. found is false when the account has none.
func (o *OVHClient) DefaultPaymentMethod(ctx context.Context) (m PaymentMethod, found bool, err error) {
	var ids []int64
	if err := o.call(ctx, http.MethodGet, "/me/payment/method?default=true", "GET /me/payment/method", nil, true, o.opts.CallTimeout, &ids); err != nil {
		return PaymentMethod{}, false, err
	}
	if len(ids) == 0 {
		return PaymentMethod{}, false, nil
	}
	if err := o.call(ctx, http.MethodGet, "/me/payment/method/"+strconv.FormatInt(ids[0], 10), "GET /me/payment/method/{id}", nil, true, o.opts.CallTimeout, &m); err != nil {
		return PaymentMethod{}, false, err
	}
	return m, true, nil
}
