package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/ovhapi"
)

// renewCommand is `ovhtui renew SERVER`.
func (a *app) renewCommand() *cobra.Command {
	var (
		af     accountFlags
		period string
		dry    bool
		mean   string
		yes    bool
	)
	cmd := &cobra.Command{
		Use:   "renew SERVER --period P1M",
		Short: "Renew a server (by service id or name) and pay the renewal",
		Long: "Renews a dedicated server, named by its service id or its name (see `ovhtui servers`): shows\n" +
			"what the renewal costs, then (confirmed) orders it and pays it. A server that renews by itself\n" +
			"is said so first. The renewal is journaled beside preferences.json: never ordered twice.",
		Example: "ovhtui renew ns3012345.ip-51-68-1.eu --period P1M --dry-run\novhtui renew 120000001 --period P1M --yes --json\novhtui renew 120000001 --period P1M --demo",
		Args:    oneArg("SERVER (service id or name)", "`ovhtui servers`"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withAccount(cmd, &af, func(ctx context.Context, s *accountSession) (int, error) {
				res, code, err := a.renewServer(ctx, s.client, renewRequest{
					server: args[0], period: period, dry: dry, yes: yes, mean: mean,
				}, a.humanOut(af.asJSON))
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
	cmd.Flags().StringVar(&period, "period", "", "renewal `PERIOD`, ISO 8601 (P1M, P3M...: see the list without it)")
	cmd.Flags().BoolVar(&dry, "dry-run", false, "only show what the renewal would cost")
	cmd.Flags().StringVar(&mean, "mean", "", "payment mean `NAME` to pay the renewal order with")
	cmd.Flags().BoolVar(&yes, "yes", false, "renew and pay without asking (the amounts are still printed)")
	return cmd
}

// renewRequest is what renew was asked.
type renewRequest struct {
	server   string // service id or name
	period   string
	dry, yes bool
	mean     string
}

// renewResult is what renew --json prints.
type renewResult struct {
	Server    string             `json:"server"`
	ServiceID int64              `json:"serviceId"`
	Renewal   string             `json:"renewal"` // how it renews (renewalLabel)
	Period    string             `json:"period"`
	Quote     account.RenewQuote `json:"quote"`
	DryRun    bool               `json:"dryRun,omitempty"`
	// Order is the renewal order, once made.
	Order *account.RenewResult `json:"order,omitempty"`
	// Payment is the payment of that order, once made.
	Payment *payResult `json:"payment,omitempty"`
}

// findServer is the server named by arg: its service id or its name.
func findServer(servers []account.Server, arg string) (account.Server, error) {
	if id, ok := positiveID(arg); ok {
		if i := slices.IndexFunc(servers, func(s account.Server) bool { return s.ServiceID == id }); i >= 0 {
			return servers[i], nil
		}
	}
	if i := slices.IndexFunc(servers, func(s account.Server) bool { return strings.EqualFold(s.Name, arg) }); i >= 0 {
		return servers[i], nil
	}
	return account.Server{}, fmt.Errorf("no dedicated server has the service id or name %q (`ovhtui servers` lists them)", arg)
}

// renewServer says first how the server renews, shows a renewal's dry
// run, then (confirmed) orders it and pays it, saying what it does on w.
func (a *app) renewServer(ctx context.Context, c *account.Client, req renewRequest, w io.Writer) (*renewResult, int, error) {
	servers, err := c.Servers(ctx)
	if err != nil {
		return nil, exitProblems, err
	}
	srv, err := findServer(servers, req.server)
	if err != nil {
		return nil, exitProblems, err
	}
	if !srv.Manual() && !srv.DeleteAtExpiration {
		fmt.Fprintf(w, "%s renews by itself (%s) on %s: renewing it now adds a period ahead of that.\n",
			srv.Name, renewalLabel(srv), srv.Expiration.Format(time.DateOnly))
	}
	id := srv.ServiceID
	opts, err := c.RenewOptions(ctx, id)
	if err != nil {
		return nil, exitProblems, err
	}
	var periods []string
	for _, o := range opts {
		periods = append(periods, fmt.Sprintf("%s (%s excl. tax)", o.Period, o.WithoutTax))
	}
	if !slices.ContainsFunc(opts, func(o account.RenewOption) bool { return o.Period == req.period }) {
		return nil, exitUsage, fmt.Errorf("--period %q: %s can be renewed for %s", req.period, srv.Name, strings.Join(periods, ", "))
	}
	q, err := c.RenewDryRun(ctx, id, req.period)
	if err != nil {
		return nil, exitProblems, err
	}
	res := &renewResult{Server: srv.Name, ServiceID: id, Renewal: renewalLabel(srv), Period: req.period, Quote: q}
	fmt.Fprintf(w, "Renewal of %s (service %d, expires %s, renewal %s) for %s:\n  %s incl. tax (%s excl. tax, %s tax)\n",
		srv.Name, id, srv.Expiration.Format(time.DateOnly), renewalLabel(srv), req.period, q.WithTax, q.WithoutTax, q.Tax)
	// An unpaid renewal order ovhtui made for the same period is paid, never
	// made again: said before anything is asked.
	ex, exists, err := c.UnpaidRenewal(ctx, id, req.period)
	if err != nil {
		return res, exitProblems, err
	}
	if req.dry {
		res.DryRun = true
		if exists {
			fmt.Fprintf(w, "unpaid renewal order %d for %s exists already: `ovhtui pay %d` pays it\n", ex.OrderID, req.period, ex.OrderID)
		}
		fmt.Fprintln(w, "dry run: nothing was ordered")
		return res, exitOK, nil
	}
	if exists {
		res.Order = &ex
		fmt.Fprintf(w, "unpaid renewal order %d for %s exists already (%s): no new order; paying this one\n", ex.OrderID, req.period, ovhapi.OrderLink(ex.URL))
		pay, code, err := a.payOrder(ctx, c, ex.OrderID, req.mean, req.yes, w)
		res.Payment = pay
		return res, code, err
	}
	if !req.yes && !a.confirm(w, fmt.Sprintf("Order this renewal for %s?", q.WithTax)) {
		return res, exitProblems, errors.New("not renewed: not confirmed")
	}
	r, err := c.Renew(ctx, account.RenewRequest{ServiceID: id, Service: srv.Name, Period: req.period, Amount: q.WithTax})
	if err != nil {
		return res, exitProblems, err
	}
	res.Order = &r
	switch {
	case r.Found:
		fmt.Fprintf(w, "renewal order %d made (found after an unclear answer): %s, unpaid until paid\n", r.OrderID, ovhapi.OrderLink(r.URL))
	case r.Existing:
		fmt.Fprintf(w, "unpaid renewal order %d for %s exists already (%s): no new order; paying this one\n", r.OrderID, req.period, ovhapi.OrderLink(r.URL))
	default:
		fmt.Fprintf(w, "renewal order %d made: %s, unpaid until paid\n", r.OrderID, ovhapi.OrderLink(r.URL))
	}
	pay, code, err := a.payOrder(ctx, c, r.OrderID, req.mean, req.yes, w)
	res.Payment = pay
	return res, code, err
}
