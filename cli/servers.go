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
	"github.com/ovhtui/ovhtui/catalog"
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
				out := make([]serverOut, len(servers))
				for i, sv := range servers {
					out[i] = serverOut{Server: sv, Model: serverModel(s.cat, sv), Renewal: sv.Renewal()}
				}
				if af.asJSON {
					return exitOK, writeJSON(a.stdout, out)
				}
				printServers(a.stdout, out, time.Now())
				return exitOK, nil
			})
		},
	}
	addAccountFlags(cmd, &af)
	return cmd
}

// serverOut is a server as servers prints it: with its model ("KS-1",
// the catalog's name of its commercial range) and how it renews in words.
type serverOut struct {
	account.Server
	Model   string `json:"model,omitempty"`
	Renewal string `json:"renewal"`
}

// serverModel is the model of a server: the catalog's name of the plan
// OVH gives as its commercial range, else that range as OVH says it.
func serverModel(cat *catalog.Catalog, s account.Server) string {
	if s.Range == "" {
		return ""
	}
	return cat.Model(s.Range)
}

// renewalLabel says how a server renews, in the words of screen S.
func renewalLabel(s account.Server) string { return s.Renewal() }

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

func printServers(w io.Writer, servers []serverOut, now time.Time) {
	if len(servers) == 0 {
		fmt.Fprintln(w, "no dedicated server on this account")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVER\tMODEL\tSERVICE ID\tDC\tEXPIRES\tIN\tRENEWAL\tPERIOD\tSTATUS")
	for _, s := range servers {
		if s.Err != "" {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\t-\t? %s\n", s.Name, s.Err)
			continue
		}
		period := "-"
		if s.PeriodMonths > 0 {
			period = fmt.Sprintf("%dM", s.PeriodMonths)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, orDash(s.Model), s.ServiceID, orDash(s.Datacenter),
			s.Expiration.Format(time.DateOnly), daysLeft(s.Expiration, now), s.Renewal, period, s.Status)
	}
	tw.Flush()
}
