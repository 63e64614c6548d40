package cli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/orderstate"
	"github.com/ovhtui/ovhtui/ovhapi"
)

// ordersCommand is `ovhtui orders`.
func (a *app) ordersCommand() *cobra.Command {
	var af accountFlags
	cmd := &cobra.Command{
		Use:   "orders",
		Short: "List the account's orders of the last 30 days, unpaid ones first",
		Long: "Lists the account's orders of the last 30 days (those ovhtui placed marked), what each is for,\n" +
			"its price, whether it is paid, and when an unpaid one lapses. Reads preferences.json, never\n" +
			"locks it: it runs beside a running ovhtui.",
		Example: "ovhtui orders\novhtui orders --json\novhtui orders --demo",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withAccount(cmd, &af, func(ctx context.Context, s *accountSession) (int, error) {
				orders, err := s.client.Orders(ctx, s.ours)
				if err != nil {
					return exitProblems, err
				}
				for i := range orders {
					orders[i].What = s.orderWhat(orders[i])
				}
				if af.asJSON {
					return exitOK, writeJSON(a.stdout, orders)
				}
				printOrders(a.stdout, orders)
				return exitOK, nil
			})
		},
	}
	addAccountFlags(cmd, &af)
	return cmd
}

func printOrders(w io.Writer, orders []account.Order) {
	if len(orders) == 0 {
		fmt.Fprintln(w, "no order in the last 30 days")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	// The words of the Orders screen (O): STATUS says UNPAID for notPaid,
	// PAYMENT the payment state (orderstate's words; --json has OVH's word).
	fmt.Fprintln(tw, "ORDER\tDATE\tWHAT\tEXCL. TAX\tINCL. TAX\tSTATUS\tPAYMENT\tPAY BEFORE\tBY\tURL")
	for _, o := range orders {
		by := "-"
		if o.Ours {
			by = "ovhtui"
		}
		exp := "-"
		if o.Unpaid() {
			exp = orderstate.DateText(o.Expiration) // the words of every surface
		}
		what := o.What
		if o.Err != "" {
			what = "? " + o.Err
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", o.ID, localTime(o.Date), what, o.WithoutTax, o.WithTax,
			o.State().StatusText(), o.State().Payment(), exp, by, ovhapi.OrderLink(o.URL))
	}
	tw.Flush()
	for _, o := range orders {
		if o.FollowUp != "" { // orders in progress: OVH's follow-up (GET /me/order/{id}/followUp)
			fmt.Fprintf(w, "order %d, OVH's follow-up: %s\n", o.ID, o.FollowUp)
		}
	}
}
