// Package orderstate is the one owner of an order's payment state: OVH's
// order status words, and the one rule that turns what ovhtui knows of an
// order (the status OVH last gave, whether the checkout asked OVH to pay
// it) into whether it is paid. The dashboard row, the banner, the quit
// summary, the log pane, the notifications, the Orders screen and the
// `orders` command all render State.Payment, in the words of words.go
// (UNPAID, "pay before DATE", and a server's renewal words); none decides
// or words it on its own.
package orderstate

import "time"

// OVH's order status words (billing.order.OrderStatusEnum, the same in
// ovh-api-schema.json and the 2025-10 OpenAPI export).
const (
	StatusCancelled          = "cancelled"
	StatusCancelling         = "cancelling"
	StatusChecking           = "checking"
	StatusDelivered          = "delivered"
	StatusDelivering         = "delivering"
	StatusDocumentsRequested = "documentsRequested"
	StatusNotPaid            = "notPaid"
	StatusUnknown            = "unknown"
)

// Final reports a status that no longer changes: delivered or cancelled.
func Final(status string) bool { return status == StatusDelivered || status == StatusCancelled }

// Payment is whether an order is paid, as far as ovhtui knows.
type Payment int

// Payments, from what is known.
const (
	// Unknown: OVH's status not read (or "unknown"), and nothing else says.
	Unknown Payment = iota
	// AutopayAsked: the checkout asked OVH to pay it with the preferred
	// payment method; OVH's status not read since. Not known to be paid.
	AutopayAsked
	// Unpaid: OVH says notPaid, or the checkout did not ask for autopay and
	// OVH's status was not read since. OVH holds nothing until it is paid.
	Unpaid
	// Paid: OVH has the payment (checking, delivering, delivered,
	// documentsRequested).
	Paid
	// Cancelled: cancelled or being cancelled; nothing to pay.
	Cancelled
	// PaymentUnclear: a payment of it was sent and its answer was unclear
	// (the journal keeps it pending), and OVH does not show it paid yet:
	// it may be paid a moment later. Not to be paid again by hand; ovhtui
	// settles it from OVH's records (package gate).
	PaymentUnclear
)

// String is the word every surface shows for the payment.
func (p Payment) String() string {
	switch p {
	case AutopayAsked:
		return "autopay"
	case Unpaid:
		return "UNPAID"
	case Paid:
		return "paid"
	case Cancelled:
		return "cancelled"
	case PaymentUnclear:
		return "payment unclear"
	}
	return "payment unknown"
}

// FromStatus is the payment OVH's status word says; Unknown for "",
// "unknown" and any word the schema does not list.
//
// checking and documentsRequested count as paid: OVH has the payment and
// checks it or asks for documents (uncertain: the schema does not say;
// counting them paid is the stricter choice, since it never offers to pay
// again).
func FromStatus(status string) Payment {
	switch status {
	case StatusNotPaid:
		return Unpaid
	case StatusChecking, StatusDelivering, StatusDelivered, StatusDocumentsRequested:
		return Paid
	case StatusCancelled, StatusCancelling:
		return Cancelled
	}
	return Unknown
}

// State is what ovhtui knows of one order's payment.
type State struct {
	// Status is the status OVH last gave (GET /me/order/{id}/status, or a
	// payment's answer); "" while not read.
	Status string
	// Placed: this process saw the checkout that created the order, and
	// Autopay says whether it asked OVH to pay it.
	Placed, Autopay bool
	// Expires is when an unpaid order lapses (OVH's expirationDate); zero
	// while not known.
	Expires time.Time
	// PaymentSent: the journal holds a payment of the order sent with an
	// unclear answer and not settled yet.
	PaymentSent bool
}

// Payment is the one rule: OVH's status when read and known; else, for an
// order this process placed, what its checkout asked (autopay or not). An
// order not shown paid (or cancelled) whose payment was sent with an
// unclear answer is PaymentUnclear, never UNPAID: OVH's notPaid may be read
// before the payment it has not yet booked, and saying UNPAID would invite
// the user to pay a second time.
func (s State) Payment() Payment {
	p := FromStatus(s.Status)
	if s.PaymentSent && (p == Unpaid || p == Unknown) {
		return PaymentUnclear
	}
	if p != Unknown {
		return p
	}
	switch {
	case s.Placed && s.Autopay:
		return AutopayAsked
	case s.Placed:
		return Unpaid
	}
	return Unknown
}

// Unpaid reports an order waiting for a payment.
func (s State) Unpaid() bool { return s.Payment() == Unpaid }

// Payable reports an order the pay action applies to: an unpaid one, or
// one whose payment is unclear (the money gate then settles that payment
// from OVH's records before anything is sent, and sends nothing while it
// stays pending).
func (s State) Payable() bool {
	p := s.Payment()
	return p == Unpaid || p == PaymentUnclear
}

// Observe returns s with a status OVH gave. An empty or "unknown" status
// keeps what was known, and so does notPaid once OVH said paid or
// cancelled: an order never goes back to notPaid, so that answer was read
// before the payment and arrived late.
func (s State) Observe(status string) State {
	p, was := FromStatus(status), FromStatus(s.Status)
	if p == Unknown || (p == Unpaid && (was == Paid || was == Cancelled)) {
		return s
	}
	s.Status = status
	return s
}
