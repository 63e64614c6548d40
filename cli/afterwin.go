package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// The after-the-win subcommands: orders, pay, servers, renew. They read
// preferences.json (never lock it: a running sniper may hold the lock),
// take credentials like the rest of ovhtui, and journal payments and
// renewals through package account.

// stdin is where confirmations are read (a variable for tests).
var stdin io.Reader = os.Stdin

// afterWinCommands are the subcommands, by name.
var afterWinCommands = map[string]func(args []string, stdout, stderr io.Writer) int{
	"orders":  runOrdersCmd,
	"pay":     runPayCmd,
	"servers": runServersCmd,
	"renew":   runRenewCmd,
}

// runAfterWin runs the subcommand named by args[0], if it is one.
func runAfterWin(args []string, stdout, stderr io.Writer) (code int, ok bool) {
	if len(args) == 0 {
		return 0, false
	}
	cmd, ok := afterWinCommands[args[0]]
	if !ok {
		return 0, false
	}
	return cmd(args[1:], stdout, stderr), true
}

// accountFlags are the flags every subcommand takes.
type accountFlags struct {
	name      string
	prefsPath string
	envPath   string
	demo      bool
	fs        *flag.FlagSet
	usage     func(w io.Writer) // prints the usage text to w
	args      []string          // positional arguments
}

func newAccountFlags(name, usage string, stderr io.Writer) *accountFlags {
	af := &accountFlags{name: name, fs: flag.NewFlagSet("ovhtui "+name, flag.ContinueOnError)}
	af.fs.SetOutput(stderr)
	af.fs.StringVar(&af.prefsPath, "prefs", "./preferences.json", "preferences file `PATH` (read only: the orders ovhtui placed; the journal is beside it)")
	af.fs.StringVar(&af.envPath, "env", "./.env", "environment file `PATH` with OVH credentials")
	af.fs.BoolVar(&af.demo, "demo", false, "run against a fresh built-in simulator holding a demo account (nothing of yours is read or written)")
	af.usage = func(w io.Writer) {
		fmt.Fprintf(w, "Usage: ovhtui %s %s\n\nFlags:\n", name, usage)
		af.fs.SetOutput(w)
		af.fs.PrintDefaults()
		af.fs.SetOutput(stderr)
	}
	// The flag package calls Usage on -h and after a bad flag's error, on
	// its output (stderr): parse prints it instead, once, on stdout for -h.
	af.fs.Usage = func() {}
	return af
}

// parse parses args, flags and positional arguments in any order.
func (af *accountFlags) parse(args []string, stdout io.Writer) (code int, done bool) {
	for {
		if err := af.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				af.usage(stdout)
				return exitOK, true
			}
			af.usage(af.fs.Output())
			return exitUsage, true
		}
		if af.fs.NArg() == 0 {
			return exitOK, false
		}
		af.args = append(af.args, af.fs.Arg(0))
		args = af.fs.Args()[1:]
	}
}

// accountSession is what a subcommand works with.
type accountSession struct {
	client *account.Client
	ours   []int64 // the orders preferences.json and the journal say ovhtui made
	close  func()
}

// openAccount reads credentials (or starts the demo simulator), the
// preferences file and the journal.
func (af *accountFlags) openAccount(ctx context.Context, stderr io.Writer) (*accountSession, int, error) {
	if af.demo {
		api, ours, stop, err := startAccountDemo(ctx)
		if err != nil {
			return nil, exitProblems, fmt.Errorf("demo: %w", err)
		}
		c := account.New(api, account.Options{Journal: &account.MemoryJournal{}})
		return &accountSession{client: c, ours: ours, close: stop}, exitOK, nil
	}
	w, err := loadEnvFile(af.envPath)
	if err != nil {
		return nil, exitUsage, err
	}
	collectSecrets()
	if w != "" {
		fmt.Fprintln(stderr, "warning:", w)
	}
	var ours []int64
	f, err := prefs.Load(af.prefsPath)
	switch {
	case err == nil:
		for _, s := range f.Servers {
			if s.OrderID != 0 {
				ours = append(ours, s.OrderID)
			}
		}
	case errors.Is(err, fs.ErrNotExist):
		// No preferences: only the account's orders.
	default:
		return nil, exitUsage, err
	}
	oc, err := newOVHClient()
	if err != nil {
		return nil, exitUsage, err
	}
	api := ovhapi.NewOVHClient(oc, ovhapi.ClientOptions{})
	c := accountClient(api, af.prefsPath)
	return &accountSession{client: c, ours: ours, close: api.CloseIdleConnections}, exitOK, nil
}

// accountClient is the after-the-win client of the subcommands and of the
// UI's Orders and Servers screens: the engine's OVH client, payments and
// renewals journaled in the engine's journal beside prefsPath (opened at
// the first payment or renewal: a journal that cannot be written stops it
// before anything is sent).
func accountClient(api *ovhapi.OVHClient, prefsPath string) *account.Client {
	return account.New(api, account.Options{Journal: account.NewFileJournal(journal.Beside(prefsPath))})
}

// withAccount runs fn with a session, under a context cancelled by
// SIGINT/SIGTERM; errors are printed once, secrets scrubbed.
func withAccount(af *accountFlags, stderr io.Writer, fn func(ctx context.Context, s *accountSession) (int, error)) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, code, err := af.openAccount(ctx, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "ovhtui %s: %s\n", af.name, redactString(err.Error()))
		return code
	}
	defer s.close()
	code, err = fn(ctx, s)
	if err != nil {
		fmt.Fprintf(stderr, "ovhtui %s: %s\n", af.name, redactString(err.Error()))
	}
	return code
}

func runOrdersCmd(args []string, stdout, stderr io.Writer) int {
	af := newAccountFlags("orders", "[--json] [--prefs PATH] [--env PATH] [--demo]", stderr)
	asJSON := af.fs.Bool("json", false, "print JSON for scripts")
	if code, done := af.parse(args, stdout); done {
		return code
	}
	if len(af.args) > 0 {
		fmt.Fprintf(stderr, "ovhtui orders: unexpected argument %q\n", af.args[0])
		return exitUsage
	}
	return withAccount(af, stderr, func(ctx context.Context, s *accountSession) (int, error) {
		orders, err := s.client.Orders(ctx, s.ours)
		if err != nil {
			return exitProblems, err
		}
		if *asJSON {
			return exitOK, writeJSON(stdout, orders)
		}
		printOrders(stdout, orders)
		return exitOK, nil
	})
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// localTime formats t in the local zone, "" when zero.
func localTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}

func printOrders(w io.Writer, orders []account.Order) {
	if len(orders) == 0 {
		fmt.Fprintln(w, "no order in the last 30 days")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ORDER\tDATE\tWHAT\tEXCL. TAX\tINCL. TAX\tSTATUS\tPAYMENT\tEXPIRES\tBY\tURL")
	for _, o := range orders {
		by := "-"
		if o.Ours {
			by = "ovhtui"
		}
		exp := "-"
		if o.Unpaid() {
			exp = localTime(o.Expiration)
		}
		what := o.What
		if o.Err != "" {
			what = "? " + o.Err
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", o.ID, localTime(o.Date), what, o.WithoutTax, o.WithTax,
			o.Status, o.State().Payment(), exp, by, ovhapi.OrderLink(o.URL))
	}
	tw.Flush()
}

func runServersCmd(args []string, stdout, stderr io.Writer) int {
	af := newAccountFlags("servers", "[--json] [--prefs PATH] [--env PATH] [--demo]", stderr)
	asJSON := af.fs.Bool("json", false, "print JSON for scripts")
	if code, done := af.parse(args, stdout); done {
		return code
	}
	if len(af.args) > 0 {
		fmt.Fprintf(stderr, "ovhtui servers: unexpected argument %q\n", af.args[0])
		return exitUsage
	}
	return withAccount(af, stderr, func(ctx context.Context, s *accountSession) (int, error) {
		servers, err := s.client.Servers(ctx)
		if err != nil {
			return exitProblems, err
		}
		if *asJSON {
			return exitOK, writeJSON(stdout, servers)
		}
		printServers(stdout, servers, time.Now())
		return exitOK, nil
	})
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

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// confirm asks a yes/no question on stdin; only "y" or "yes" says yes. It
// reads one line, byte by byte, so that a second question (renew, then
// pay) gets the next line.
func confirm(stdout io.Writer, question string) bool {
	fmt.Fprintf(stdout, "%s [y/N] ", question)
	var line []byte
	b := make([]byte, 1)
	for len(line) < 64 {
		n, err := stdin.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			line = append(line, b[0])
		}
		if err != nil {
			fmt.Fprintln(stdout)
			break
		}
	}
	switch strings.ToLower(strings.TrimSpace(string(line))) {
	case "y", "yes":
		return true
	}
	return false
}

// oneID reads the command's single positional argument as a positive id,
// saying on stderr what is wrong (name is the argument's name, what the
// kind of id, listCmd the command that lists them).
func (af *accountFlags) oneID(name, what, listCmd string, stderr io.Writer) (int64, bool) {
	if len(af.args) != 1 {
		fmt.Fprintf(stderr, "ovhtui %s: give one %s (see %s)\n", af.name, name, listCmd)
		return 0, false
	}
	id, err := strconv.ParseInt(af.args[0], 10, 64)
	if err != nil || id <= 0 {
		fmt.Fprintf(stderr, "ovhtui %s: %s %q is not %s\n", af.name, name, af.args[0], what)
		return 0, false
	}
	return id, true
}

func runPayCmd(args []string, stdout, stderr io.Writer) int {
	af := newAccountFlags("pay", "ORDER_ID [--mean NAME] [--yes] [--prefs PATH] [--env PATH] [--demo]", stderr)
	mean := af.fs.String("mean", "", "payment mean `NAME` (as listed: creditCard, creditCard:ID, ovhAccount...); default: the only or the default one")
	yes := af.fs.Bool("yes", false, "pay without asking (the amount is still printed)")
	if code, done := af.parse(args, stdout); done {
		return code
	}
	id, ok := af.oneID("ORDER_ID", "an order id", "ovhtui orders", stderr)
	if !ok {
		return exitUsage
	}
	return withAccount(af, stderr, func(ctx context.Context, s *accountSession) (int, error) {
		return payOrder(ctx, s.client, id, *mean, *yes, stdout)
	})
}

// payOrder pays an unpaid order after a confirmation naming its amount.
func payOrder(ctx context.Context, c *account.Client, id int64, meanName string, yes bool, stdout io.Writer) (int, error) {
	o := c.Order(ctx, id)
	if o.Err != "" {
		return exitProblems, errors.New(o.Err)
	}
	if !o.Unpaid() {
		return exitProblems, fmt.Errorf("order %d is %s: nothing to pay", id, o.Status)
	}
	means, err := c.PaymentMeans(ctx, id)
	if err != nil {
		return exitProblems, err
	}
	mean, err := account.ChooseMean(means, meanName)
	if err != nil {
		return exitProblems, err
	}
	fmt.Fprintf(stdout, "Order %d: %s\n  %s incl. tax (%s excl. tax), unpaid, lapses %s\n  payment mean: %s\n",
		id, o.What, o.WithTax, o.WithoutTax, localTime(o.Expiration), mean)
	if !yes && !confirm(stdout, fmt.Sprintf("Pay %s now?", o.WithTax)) {
		return exitProblems, errors.New("not paid: not confirmed")
	}
	res, err := c.Pay(ctx, account.PayRequest{OrderID: id, Mean: mean, Amount: o.WithTax})
	if err != nil {
		return exitProblems, err
	}
	how := ""
	if res.LookedUp {
		how = " (OVH's answer was unclear; its status says it is paid)"
	}
	fmt.Fprintf(stdout, "paid: order %d is now %s%s\n", id, orDash(res.Status), how)
	return exitOK, nil
}

func runRenewCmd(args []string, stdout, stderr io.Writer) int {
	af := newAccountFlags("renew", "SERVICE_ID --period P1M [--dry-run] [--yes] [--mean NAME] [--prefs PATH] [--env PATH] [--demo]", stderr)
	period := af.fs.String("period", "", "renewal `PERIOD`, ISO 8601 (P1M, P3M...: see the list without it)")
	dry := af.fs.Bool("dry-run", false, "only show what the renewal would cost")
	mean := af.fs.String("mean", "", "payment mean `NAME` to pay the renewal order with")
	yes := af.fs.Bool("yes", false, "renew and pay without asking (the amounts are still printed)")
	if code, done := af.parse(args, stdout); done {
		return code
	}
	id, ok := af.oneID("SERVICE_ID", "a service id", "ovhtui servers", stderr)
	if !ok {
		return exitUsage
	}
	return withAccount(af, stderr, func(ctx context.Context, s *accountSession) (int, error) {
		return renewService(ctx, s.client, id, *period, *dry, *yes, *mean, stdout)
	})
}

// renewService shows a renewal's dry run, then (confirmed) orders it and
// pays it.
func renewService(ctx context.Context, c *account.Client, id int64, period string, dry, yes bool, meanName string, stdout io.Writer) (int, error) {
	servers, err := c.Servers(ctx)
	if err != nil {
		return exitProblems, err
	}
	i := slices.IndexFunc(servers, func(s account.Server) bool { return s.ServiceID == id })
	if i < 0 {
		return exitProblems, fmt.Errorf("no dedicated server has service id %d (see ovhtui servers)", id)
	}
	srv := servers[i]
	opts, err := c.RenewOptions(ctx, id)
	if err != nil {
		return exitProblems, err
	}
	var periods []string
	for _, o := range opts {
		periods = append(periods, fmt.Sprintf("%s (%s excl. tax)", o.Period, o.WithoutTax))
	}
	if !slices.ContainsFunc(opts, func(o account.RenewOption) bool { return o.Period == period }) {
		return exitUsage, fmt.Errorf("--period %q: %s can be renewed for %s", period, srv.Name, strings.Join(periods, ", "))
	}
	q, err := c.RenewDryRun(ctx, id, period)
	if err != nil {
		return exitProblems, err
	}
	fmt.Fprintf(stdout, "Renewal of %s (service %d, expires %s, renewal %s) for %s:\n  %s incl. tax (%s excl. tax, %s tax)\n",
		srv.Name, id, srv.Expiration.Format(time.DateOnly), renewalLabel(srv), period, q.WithTax, q.WithoutTax, q.Tax)
	if dry {
		fmt.Fprintln(stdout, "dry run: nothing was ordered")
		return exitOK, nil
	}
	if !yes && !confirm(stdout, fmt.Sprintf("Order this renewal for %s?", q.WithTax)) {
		return exitProblems, errors.New("not renewed: not confirmed")
	}
	r, err := c.Renew(ctx, account.RenewRequest{ServiceID: id, Service: srv.Name, Period: period, Amount: q.WithTax})
	if err != nil {
		return exitProblems, err
	}
	how := ""
	if r.Found {
		how = " (found after an unclear answer)"
	}
	fmt.Fprintf(stdout, "renewal order %d made%s: %s, unpaid until paid\n", r.OrderID, how, ovhapi.OrderLink(r.URL))
	return payOrder(ctx, c, r.OrderID, meanName, yes, stdout)
}
