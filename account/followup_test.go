package account

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/orderstate"
)

// TestFollowUpOfOrdersInProgress: an order still in progress carries OVH's
// follow-up; a delivered one does not read it.
func TestFollowUpOfOrdersInProgress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ovhsim.Options{DeliveryDelay: time.Hour})
	unpaid := e.placeOrder(t, false)
	paid := e.placeOrder(t, true)
	byID := func() map[int64]Order {
		orders, err := e.client.Orders(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		m := map[int64]Order{}
		for _, o := range orders {
			m[o.ID] = o
		}
		return m
	}
	m := byID()
	if f := m[unpaid].FollowUp; !strings.HasPrefix(f, "validating") || !strings.Contains(f, "order accepted") {
		t.Errorf("unpaid order's follow-up: %q", f)
	}
	if f := m[paid].FollowUp; !strings.HasPrefix(f, "delivering") || !strings.Contains(f, "payment received") || !strings.Contains(f, "fraud check") {
		t.Errorf("paid order's follow-up: %q", f)
	}
	e.clock.Advance(2 * time.Hour)
	path := "/me/order/" + strconv.FormatInt(paid, 10) + "/followUp"
	before := e.calls("GET", path)
	m = byID()
	if m[paid].Status != orderstate.StatusDelivered || m[paid].FollowUp != "" {
		t.Errorf("delivered: %+v", m[paid])
	}
	if n := e.calls("GET", path) - before; n != 0 {
		t.Errorf("%d follow-up reads of a delivered order", n)
	}
}

func TestFollowUpText(t *testing.T) {
	steps := []followUpStep{{Step: "VALIDATING", Status: "ERROR"}, {Step: "VALIDATED", Status: "TODO"}}
	steps[0].History = append(steps[0].History, struct {
		Label string `json:"label"`
	}{"FRAUD_REFUSED"})
	if got := followUpText(steps); got != "validating FAILED · fraud refused" {
		t.Errorf("%q", got)
	}
	if got := followUpText(nil); got != "" {
		t.Errorf("no steps: %q", got)
	}
}
