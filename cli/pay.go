package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/orderstate"
)

// payCommand is `ovhtui pay ORDER_ID`.
func (a *app) payCommand() *cobra.Command {
	var (
		af   accountFlags
		mean string
		yes  bool
	)
	cmd := &cobra.Command{
		Use:   "pay ORDER_ID",
		Short: "Pay an unpaid order with a registered payment mean",
		Long: "Pays an unpaid order (see `ovhtui orders`) with one of the account's registered payment means,\n" +
			"after a confirmation naming the amount. The payment is journaled beside preferences.json:\n" +
			"an order is never paid twice.",
		Example: "ovhtui pay 200000002\novhtui pay 200000002 --mean creditCard --yes --json\novhtui pay 200000002 --demo",
		Args:    oneArg("ORDER_ID", "`ovhtui orders`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, ok := positiveID(args[0])
			if !ok {
				return usageError(cmd, "ORDER_ID %q is not an order id (`ovhtui orders` lists them)", args[0])
			}
			return a.withAccount(cmd, &af, func(ctx context.Context, s *accountSession) (int, error) {
				res, code, err := a.payOrder(ctx, s.client, id, mean, yes, a.humanOut(af.asJSON))
				if af.asJSON && res != nil {
					if err := writeJSON(a.stdout, res); err != nil {
						return exitProblems, err
					}
				}
				return code, err
			})
		},
	}
	addAccountFlags(cmd, &af)
	cmd.Flags().StringVar(&mean, "mean", "", "payment mean `NAME` (as listed: creditCard, creditCard:ID, ovhAccount...); default: the only or the default one")
	cmd.Flags().BoolVar(&yes, "yes", false, "pay without asking (the amount is still printed)")
	return cmd
}

// humanOut is where a command's sentences go: stdout, or stderr when
// stdout carries JSON.
func (a *app) humanOut(asJSON bool) io.Writer {
	if asJSON {
		return a.stderr
	}
	return a.stdout
}

// payResult is what pay --json prints.
type payResult struct {
	OrderID    int64               `json:"orderId"`
	What       string              `json:"what"`
	WithTax    money.Amount        `json:"withTax"`
	WithoutTax money.Amount        `json:"withoutTax"`
	Mean       account.PaymentMean `json:"mean"`
	Paid       bool                `json:"paid"`
	Status     string              `json:"status,omitempty"`
	// LookedUp: OVH's answer was unclear, its order status says paid.
	LookedUp bool `json:"lookedUp,omitempty"`
}

// payOrder pays an unpaid order after a confirmation naming its amount,
// saying what it does on w.
func (a *app) payOrder(ctx context.Context, c *account.Client, id int64, meanName string, yes bool, w io.Writer) (*payResult, int, error) {
	o := c.Order(ctx, id)
	if o.Err != "" {
		return nil, exitProblems, errors.New(o.Err)
	}
	if o.State().Payment() == orderstate.PaymentUnclear {
		// A payment sent earlier, answer unclear: OVH's records first.
		// Still pending: nothing is asked or sent; booked: said so;
		// settled as not paid (its window passed): the order is unpaid
		// again, and paid below after the usual confirmation.
		paid, err := c.SettlePayment(ctx, id)
		if err != nil {
			return nil, exitProblems, err
		}
		if paid {
			o = c.Order(ctx, id)
			fmt.Fprintf(w, "paid: order %d is %s: the earlier payment, whose answer was unclear, went through; nothing more was sent\n", id, orDash(o.Status))
			return &payResult{OrderID: id, What: o.What, WithTax: o.WithTax, WithoutTax: o.WithoutTax, Paid: true, Status: o.Status, LookedUp: true}, exitOK, nil
		}
		if o = c.Order(ctx, id); o.Err != "" {
			return nil, exitProblems, errors.New(o.Err)
		}
	}
	if !o.Unpaid() {
		if o.State().Payment() == orderstate.Paid {
			// A payment left pending by an unclear answer is settled now
			// that OVH's records show it.
			paid, err := c.SettlePayment(ctx, id)
			if paid {
				fmt.Fprintf(w, "paid: order %d is %s: the earlier payment, whose answer was unclear, went through; nothing more was sent\n", id, o.Status)
				return &payResult{OrderID: id, What: o.What, WithTax: o.WithTax, WithoutTax: o.WithoutTax, Paid: true, Status: o.Status, LookedUp: true}, exitOK, nil
			}
			if err != nil {
				return nil, exitProblems, err
			}
		}
		return nil, exitProblems, fmt.Errorf("order %d is %s: nothing to pay", id, o.Status)
	}
	means, err := c.PaymentMeans(ctx, id)
	if err != nil {
		return nil, exitProblems, err
	}
	mean, err := account.ChooseMean(means, meanName)
	if err != nil {
		return nil, exitProblems, err
	}
	res := &payResult{OrderID: id, What: o.What, WithTax: o.WithTax, WithoutTax: o.WithoutTax, Mean: mean, Status: o.Status}
	fmt.Fprintf(w, "Order %d: %s\n  %s incl. tax (%s excl. tax), unpaid, lapses %s\n  payment mean: %s\n",
		id, o.What, o.WithTax, o.WithoutTax, localTime(o.Expiration), mean)
	if !yes && !a.confirm(w, fmt.Sprintf("Pay %s now?", o.WithTax)) {
		return res, exitProblems, errors.New("not paid: not confirmed")
	}
	pr, err := c.Pay(ctx, account.PayRequest{OrderID: id, Mean: mean, Amount: o.WithTax})
	if err != nil {
		return res, exitProblems, err
	}
	res.Paid, res.Status, res.LookedUp = true, pr.Status, pr.LookedUp
	how := ""
	if pr.LookedUp {
		how = " (OVH's answer was unclear; its status says it is paid)"
	}
	fmt.Fprintf(w, "paid: order %d is now %s%s\n", id, orDash(pr.Status), how)
	return res, exitOK, nil
}
