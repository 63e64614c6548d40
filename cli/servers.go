package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ovhtui/ovhtui/account"
)

// serversCommand is `ovhtui servers`.
func (a *app) serversCommand() *cobra.Command {
	var af accountFlags
	cmd := &cobra.Command{
		Use:   "servers",
		Short: "List your dedicated servers: expiry, how each renews, manual ones first",
		Long: "Lists the account's dedicated servers with their service id, datacenter, expiry and how each\n" +
			"renews, those expiring soonest and renewing by hand first.",
		Example: "ovhtui servers\novhtui servers --json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withAccount(cmd, &af, func(ctx context.Context, s *accountSession) (int, error) {
				servers, err := s.client.Servers(ctx)
				if err != nil {
					return exitProblems, err
				}
				if af.asJSON {
					return exitOK, writeJSON(a.stdout, servers)
				}
				printServers(a.stdout, servers, time.Now())
				return exitOK, nil
			})
		},
	}
	addAccountFlags(cmd, &af)
	return cmd
}

// renewalLabel says how a server renews, for people.
func renewalLabel(s account.Server) string {
	switch {
	case s.DeleteAtExpiration:
		return "deleted at expiration"
	case s.Manual():
		return "MANUAL"
	case s.ManualPayment:
		return "automatic, paid by hand"
	}
	return "automatic"
}

// daysLeft says how long until t, in whole days.
func daysLeft(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := int(t.Sub(now).Hours() / 24)
	switch {
	case t.Before(now):
		return "expired"
	case d == 0:
		return "today"
	case d == 1:
		return "1 day"
	}
	return strconv.Itoa(d) + " days"
}

func printServers(w io.Writer, servers []account.Server, now time.Time) {
	if len(servers) == 0 {
		fmt.Fprintln(w, "no dedicated server on this account")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVER\tSERVICE ID\tDC\tEXPIRES\tIN\tRENEWAL\tPERIOD\tSTATUS")
	for _, s := range servers {
		if s.Err != "" {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\t? %s\n", s.Name, s.Err)
			continue
		}
		period := "-"
		if s.PeriodMonths > 0 {
			period = fmt.Sprintf("%dM", s.PeriodMonths)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.ServiceID, orDash(s.Datacenter),
			s.Expiration.Format(time.DateOnly), daysLeft(s.Expiration, now), renewalLabel(s), period, s.Status)
	}
	tw.Flush()
}
