package orderstate

import (
	"testing"
	"time"
)

func TestPaymentWords(t *testing.T) {
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	for _, tc := range []struct {
		s           State
		long, short string
	}{
		{State{Placed: true, Expires: at}, "UNPAID: pay before 2026-11-24 09:00 UTC or it lapses", "UNPAID: pay before Nov 24 09:00 UTC"},
		{State{Status: StatusNotPaid}, "UNPAID: pay it or it lapses (OVH holds nothing until it is paid)", "UNPAID"},
		{State{Placed: true, Autopay: true}, "autopay", "autopay"},
		{State{Status: StatusDelivered, Expires: at}, "paid", "paid"},
		{State{Status: StatusCancelled}, "cancelled", "cancelled"},
		{State{}, "payment unknown", "payment unknown"},
		{State{Status: StatusNotPaid, PaymentSent: true, Expires: at}, "payment sent, answer unclear: ovhtui checks OVH's records; do not pay it again", "payment unclear"},
	} {
		if got := tc.s.Words(false); got != tc.long {
			t.Errorf("%+v long: %q, want %q", tc.s, got, tc.long)
		}
		if got := tc.s.Words(true); got != tc.short {
			t.Errorf("%+v short: %q, want %q", tc.s, got, tc.short)
		}
	}
	if got := PayBefore(at); got != "pay before 2026-11-24 09:00 UTC" {
		t.Errorf("PayBefore: %q", got)
	}
	if got := StatusText(StatusNotPaid); got != "UNPAID" {
		t.Errorf("StatusText(notPaid): %q", got)
	}
	if got := StatusText(StatusDelivering); got != StatusDelivering {
		t.Errorf("StatusText(delivering): %q", got)
	}
	if got := (State{Status: StatusNotPaid, PaymentSent: true}).StatusText(); got != "PAYING?" {
		t.Errorf("State.StatusText, payment unclear: %q", got)
	}
	if got := (State{Status: StatusNotPaid}).StatusText(); got != "UNPAID" {
		t.Errorf("State.StatusText, notPaid: %q", got)
	}
}

func TestChange(t *testing.T) {
	unpaid := State{Placed: true}
	for _, tc := range []struct {
		before, after State
		want          string
	}{
		{unpaid, unpaid.Observe(StatusDelivering), "order 7 is paid (OVH says delivering)"},
		{State{Placed: true, Autopay: true}, State{Placed: true, Autopay: true}.Observe(StatusDelivered), "order 7 is paid (OVH says delivered)"},
		{unpaid, unpaid.Observe(StatusCancelled), "order 7 was cancelled (OVH says cancelled): nothing to pay"},
		{State{Placed: true, Autopay: true}, State{Placed: true, Autopay: true}.Observe(StatusNotPaid), "order 7 is UNPAID: pay it or it lapses (OVH holds nothing until it is paid) (autopay did not pay it)"},
		{unpaid, unpaid.Observe(StatusNotPaid), ""},                             // no change
		{State{}, State{}.Observe(StatusDelivered), ""},                         // first read: not a payment seen
		{unpaid.Observe(StatusDelivering), unpaid.Observe(StatusDelivered), ""}, // still paid
		{State{Status: StatusNotPaid, PaymentSent: true}, State{Status: StatusDelivering}, "order 7 is paid (OVH says delivering)"},
		{State{Status: StatusNotPaid, PaymentSent: true}, State{Status: StatusNotPaid}, "order 7 is UNPAID: pay it or it lapses (OVH holds nothing until it is paid) (the payment whose answer was unclear did not go through)"},
	} {
		if got := Change(7, tc.before, tc.after); got != tc.want {
			t.Errorf("%+v -> %+v: %q, want %q", tc.before, tc.after, got, tc.want)
		}
	}
}

func TestRenewalWords(t *testing.T) {
	for _, tc := range []struct {
		r           Renewal
		long, short string
	}{
		{Renewal{}, "MANUAL", "MANUAL"},
		{Renewal{Automatic: true}, "automatic", "automatic"},
		{Renewal{Automatic: true, ManualPayment: true}, "automatic, pay by hand", "auto, pay"},
		{Renewal{Automatic: true, DeleteAtExpiration: true}, "deleted at expiration", "DELETED"},
	} {
		if tc.r.String() != tc.long || tc.r.Short() != tc.short {
			t.Errorf("%+v: %q / %q", tc.r, tc.r.String(), tc.r.Short())
		}
	}
}
