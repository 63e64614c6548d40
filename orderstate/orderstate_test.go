package orderstate

import "testing"

func TestPayment(t *testing.T) {
	for _, tc := range []struct {
		s    State
		want Payment
	}{
		{State{}, Unknown},
		{State{Placed: true}, Unpaid},
		{State{Placed: true, Autopay: true}, AutopayAsked},
		{State{Placed: true, Autopay: true, Status: StatusNotPaid}, Unpaid}, // autopay failed: OVH says so
		{State{Placed: true, Status: StatusDelivering}, Paid},               // paid since, elsewhere
		{State{Status: StatusChecking}, Paid},
		{State{Status: StatusDocumentsRequested}, Paid},
		{State{Status: StatusDelivered}, Paid},
		{State{Status: StatusCancelling}, Cancelled},
		{State{Status: StatusCancelled}, Cancelled},
		{State{Status: StatusUnknown}, Unknown},
		{State{Status: StatusUnknown, Placed: true}, Unpaid},
		{State{Status: "somethingNew"}, Unknown},
		// A payment sent, its answer unclear: never UNPAID while OVH
		// has not booked it, whatever OVH or the checkout said before.
		{State{Status: StatusNotPaid, PaymentSent: true}, PaymentUnclear},
		{State{Placed: true, PaymentSent: true}, PaymentUnclear},
		{State{Status: StatusUnknown, PaymentSent: true}, PaymentUnclear},
		{State{Status: StatusDelivering, PaymentSent: true}, Paid},
		{State{Status: StatusCancelled, PaymentSent: true}, Cancelled},
	} {
		if got := tc.s.Payment(); got != tc.want {
			t.Errorf("%+v: %v, want %v", tc.s, got, tc.want)
		}
		if tc.s.Unpaid() != (tc.want == Unpaid) {
			t.Errorf("%+v: Unpaid() disagrees with Payment()", tc.s)
		}
		if tc.s.Payable() != (tc.want == Unpaid || tc.want == PaymentUnclear) {
			t.Errorf("%+v: Payable() disagrees with Payment()", tc.s)
		}
	}
}

// TestObserveNeverGoesBackToUnpaid: a status read before a payment and
// answered after it does not undo it.
func TestObserveNeverGoesBackToUnpaid(t *testing.T) {
	s := State{Placed: true}.Observe(StatusNotPaid)
	if !s.Unpaid() {
		t.Fatal("notPaid")
	}
	s = s.Observe(StatusDelivering)
	if s.Payment() != Paid {
		t.Fatal("delivering")
	}
	if s.Observe(StatusNotPaid).Payment() != Paid || s.Observe("").Payment() != Paid || s.Observe(StatusUnknown).Payment() != Paid {
		t.Fatal("went back")
	}
	if s.Observe(StatusCancelled).Payment() != Cancelled || s.Observe(StatusDelivered).Status != StatusDelivered {
		t.Fatal("later statuses")
	}
}

func TestWords(t *testing.T) {
	for p, w := range map[Payment]string{Unknown: "payment unknown", AutopayAsked: "autopay", Unpaid: "UNPAID", Paid: "paid", Cancelled: "cancelled", PaymentUnclear: "payment unclear"} {
		if p.String() != w {
			t.Errorf("%d: %q", p, p.String())
		}
	}
	if !Final(StatusDelivered) || !Final(StatusCancelled) || Final(StatusDelivering) || Final(StatusNotPaid) {
		t.Error("Final")
	}
}
