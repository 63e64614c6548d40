package cli

import (
	"context"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

// unpaidOrders reads the unpaid orders for the engine's reminders: the
// account's recent orders and ovhtui's own (the ids preferences.json
// records), those OVH awaits payment for.
func unpaidOrders(c *account.Client, store *prefs.Store) func(context.Context) ([]order.UnpaidOrder, error) {
	return func(ctx context.Context) ([]order.UnpaidOrder, error) {
		var ours []int64
		for _, s := range store.Snapshot().Servers {
			if s.OrderID != 0 {
				ours = append(ours, s.OrderID)
			}
		}
		list, err := c.Orders(ctx, ours)
		if err != nil {
			return nil, err
		}
		var out []order.UnpaidOrder
		for _, o := range list {
			if o.Err == "" && o.Unpaid() {
				out = append(out, order.UnpaidOrder{ID: o.ID, Expires: o.Expiration})
			}
		}
		return out, nil
	}
}

// serverTerms reads the account's servers for the engine's reminders:
// when each expires and whether it renews only by hand.
func serverTerms(c *account.Client) func(context.Context) ([]order.ServerTerm, error) {
	return func(ctx context.Context) ([]order.ServerTerm, error) {
		list, err := c.Servers(ctx)
		if err != nil {
			return nil, err
		}
		var out []order.ServerTerm
		for _, s := range list {
			if s.Err == "" {
				out = append(out, order.ServerTerm{Name: s.Name, Expires: s.Expiration, Manual: s.Manual()})
			}
		}
		return out, nil
	}
}
