package ovhsim

import (
	"fmt"
	"slices"
	"strconv"
)

// The account's registered payment means. The simulator's account has at
// most one: a Visa card (PaymentMethod: valid, or expired for
// PaymentInvalid, absent for PaymentNone). OVH's order guide (004) says
// paying with bankAccount, creditCard or paypal needs the paymentMeanId;
// GET /me/payment/method gives it (me.payment.PaymentMethod.paymentMeanId).
const (
	simPaymentMethodID = 7_001
	simPaymentMeanID   = 4_242_001
	simPaymentMean     = "creditCard" // billing.ReusablePaymentMeanEnum of that card
)

// reusablePaymentMeans is billing.ReusablePaymentMeanEnum.
var reusablePaymentMeans = []string{"CREDIT_CARD", "CURRENT_ACCOUNT", "DEFERRED_PAYMENT_ACCOUNT", "DOMESTIC_CARD",
	"ENTERPRISE", "INTERNAL_TRUSTED_ACCOUNT", "PAYPAL", "RUPAY", "SEPA_DIRECT_DEBIT", "bankAccount", "creditCard",
	"deferredPaymentAccount", "fidelityAccount", "ovhAccount", "paypal"}

// meansNeedingID are the means OVH's guide says need a paymentMeanId.
var meansNeedingID = []string{"bankAccount", "creditCard", "paypal"}

// paymentStatuses is me.payment.method.StatusEnum (OVH's export of 2025-10).
var paymentStatuses = []string{"CANCELED", "CANCELING", "CREATED", "CREATING", "ERROR", "EXPIRED", "FAILED",
	"MAINTENANCE", "PAUSED", "REJECTED", "REPLACED", "VALID", "VALIDATING"}

// SetPaymentMethodStatus sets the status of the account's default payment
// method: "VALID" (PaymentValid), "" or "none" (no default method,
// PaymentNone), or any other value of me.payment.method.StatusEnum
// (PaymentInvalid with that status, e.g. "PAUSED", "FAILED").
func (s *Sim) SetPaymentMethodStatus(status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case status == "" || status == "none":
		s.payment, s.paymentStatus = PaymentNone, ""
	case status == "VALID":
		s.payment, s.paymentStatus = PaymentValid, ""
	case slices.Contains(paymentStatuses, status):
		s.payment, s.paymentStatus = PaymentInvalid, status
	default:
		return fmt.Errorf("payment method status %q: not in me.payment.method.StatusEnum %v", status, paymentStatuses)
	}
	return nil
}

// SetPaymentDeclined makes every payWithRegisteredPaymentMean refuse the
// payment (400 "Payment refused by your bank"; OVH's exact wording is
// unknown), as a declined card would.
func (s *Sim) SetPaymentDeclined(declined bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aw.declined = declined
}

// getPaymentMeans serves GET /me/order/{id}/availableRegisteredPaymentMean:
// the valid registered means ([] when the account has none, or only an
// expired card).
func (s *Sim) getPaymentMeans(c *call) *reply {
	if _, rep := s.orderFor(c); rep != nil {
		return rep
	}
	out := []map[string]string{}
	if s.payment == PaymentValid {
		out = append(out, map[string]string{"paymentMean": simPaymentMean})
	}
	return jsonReply(out)
}

// payOrder serves POST /me/order/{id}/payWithRegisteredPaymentMean
// {paymentMean, paymentMeanId?}: answers null (void) and the order is paid:
// a purchase order starts delivering, a renewal order extends its service
// at once.
func (s *Sim) payOrder(c *call) *reply {
	o, rep := s.orderFor(c)
	if rep != nil {
		return rep
	}
	var in struct {
		PaymentMean   *string `json:"paymentMean"`
		PaymentMeanID *int64  `json:"paymentMeanId"`
	}
	if rep := decodeBody(c, &in); rep != nil {
		return rep
	}
	if in.PaymentMean == nil || *in.PaymentMean == "" {
		return missing("paymentMean")
	}
	mean := *in.PaymentMean
	if !slices.Contains(reusablePaymentMeans, mean) {
		return errReply(badRequest("[paymentMean] Given data (%s) does not belong to the ReusablePaymentMeanEnum enumeration", mean))
	}
	switch o.statusLocked(c.now, s.aw.deliveryDelay) {
	case StatusNotPaid:
	case StatusCancelled:
		return errReply(badRequest("Order %d has expired and can no longer be paid", o.ID))
	default:
		return errReply(badRequest("Order %d is already paid", o.ID))
	}
	if s.payment != PaymentValid || mean != simPaymentMean {
		return errReply(badRequest("Payment mean %s is not available for order %d", mean, o.ID))
	}
	if slices.Contains(meansNeedingID, mean) {
		if in.PaymentMeanID == nil {
			return missing("paymentMeanId")
		}
		if *in.PaymentMeanID != simPaymentMeanID {
			return errReply(badRequest("Payment mean %s %d is not available for order %d", mean, *in.PaymentMeanID, o.ID))
		}
	}
	if s.aw.declined {
		return errReply(badRequest("Payment refused by your bank"))
	}
	if o.renew != nil {
		s.completeRenewLocked(o, c.now)
		return jsonReply(nil)
	}
	o.Status = StatusDelivering
	o.paidAt = c.now
	return jsonReply(nil)
}

// listPaymentMethods serves GET /me/payment/method?default=&paymentType=&status=.
func (s *Sim) listPaymentMethods(c *call) *reply {
	q := c.r.URL.Query()
	if v := q.Get("default"); v != "" && v != "true" && v != "false" {
		return errReply(badRequest("[default] Given data (%s) is not valid for type boolean", v))
	}
	ids := []int64{}
	if s.payment != PaymentNone {
		m := s.paymentMethodLocked()
		keep := (q.Get("default") == "" || q.Get("default") == "true") &&
			(q.Get("paymentType") == "" || q.Get("paymentType") == m["paymentType"]) &&
			(q.Get("status") == "" || q.Get("status") == m["status"])
		if keep {
			ids = append(ids, simPaymentMethodID)
		}
	}
	return jsonReply(ids)
}

// getPaymentMethod serves GET /me/payment/method/{paymentMethodId}
// (me.payment.PaymentMethod).
func (s *Sim) getPaymentMethod(c *call) *reply {
	raw := c.r.PathValue("paymentMethodId")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return errReply(badRequest("[paymentMethodId] Given data (%s) is not valid for type long", raw))
	}
	if s.payment == PaymentNone || id != simPaymentMethodID {
		return errReply(errObjectNotFound("paymentMethodId", id))
	}
	return jsonReply(s.paymentMethodLocked())
}

func (s *Sim) paymentMethodLocked() map[string]any {
	status := "VALID"
	if s.payment == PaymentInvalid {
		status = s.paymentStatus
		if status == "" {
			status = "EXPIRED"
		}
	}
	created := s.now().AddDate(-1, 0, 0)
	return map[string]any{
		"billingContactId": nil,
		"creationDate":     formatTime(created),
		"default":          true,
		"description":      "Visa",
		"expirationDate":   formatTime(created.AddDate(3, 0, 0)),
		"formSessionId":    nil,
		"icon":             map[string]any{"name": "visa", "data": nil, "url": nil},
		"integration":      nil,
		"label":            "************4242",
		"lastUpdate":       formatTime(created),
		"merchantId":       nil,
		"oneclick":         nil,
		"paymentMeanId":    simPaymentMeanID,
		"paymentMethodId":  simPaymentMethodID,
		"paymentSubType":   "VISA",
		"paymentType":      "CREDIT_CARD",
		"status":           status,
	}
}
