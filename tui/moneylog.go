package tui

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/orderstate"
)

// Payments and renewals go to the log pane: the answer to each payment or
// renewal the Orders and Servers screens asked for, whatever screen or
// dialog is open when it comes (the answer to a dialog since closed is
// still money moved), and each change of an order's payment the UI reads
// (observeOrder: paid on OVH's site, by `ovhtui pay`, by another session).
// The payment words are orderstate's.

// logMoney logs the answer to a payment or a renewal, and records the
// status a payment's answer gives.
func (m *Model) logMoney(msg awMsg) {
	var unclear *account.UnclearError
	switch msg := msg.(type) {
	case awPaidMsg:
		id := msg.req.OrderID
		switch {
		case errors.As(msg.err, &unclear):
			m.logf(slog.LevelWarn, "payment of order %d: %v", id, msg.err)
		case msg.err != nil:
			m.logf(slog.LevelError, "order %d not paid: %v", id, msg.err)
		default:
			how := ""
			if msg.res.LookedUp {
				how = " (OVH's answer was unclear: its status says paid)"
			}
			m.logf(slog.LevelWarn, "order %d paid: %s incl. tax with %s, OVH says %s%s", id, msg.req.Amount,
				orDash(msg.req.Mean.Label), orDash(msg.res.Status), how)
			m.orders.of[id] = m.orders.of[id].Observe(msg.res.Status) // said above: not again
		}
	case awRenewedMsg:
		what := fmt.Sprintf("renewal of %s for %s", msg.req.Service, msg.req.Period)
		switch {
		case errors.As(msg.err, &unclear):
			m.logf(slog.LevelWarn, "%s: %v", what, msg.err)
		case msg.err != nil:
			m.logf(slog.LevelError, "%s not made: %v", what, msg.err)
		default:
			made := "made"
			switch {
			case msg.res.Existing:
				made = "already made earlier, not made again"
			case msg.res.Found:
				made = "made (OVH's answer was unclear: found in your orders)"
			}
			m.logf(slog.LevelWarn, "%s: order %d %s, %s incl. tax, %s: %s (O) %s", what, msg.res.OrderID, made,
				msg.res.WithTax, orderstate.Unpaid, orderstate.PayBefore(time.Time{}), msg.res.URL)
			m.observeOrder(msg.res.OrderID, orderstate.StatusNotPaid, time.Time{})
		}
	}
}
