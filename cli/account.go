package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
	"github.com/ovhtui/ovhtui/shutdown"
)

// The after-the-win commands: orders, pay, servers, renew. They read
// preferences.json (never lock it: a running sniper may hold the lock),
// take credentials like the rest of ovhtui, and journal payments and
// renewals through package account.

// accountFlags are the flags of every after-the-win command.
type accountFlags struct {
	fileFlags
	asJSON bool
}

// addAccountFlags adds --prefs, --env, --demo and --json.
func addAccountFlags(cmd *cobra.Command, af *accountFlags) {
	addFileFlags(cmd.Flags(), &af.fileFlags)
	cmd.Flags().BoolVar(&af.asJSON, "json", false, jsonHelp)
}

// accountSession is what a command works with.
type accountSession struct {
	client *account.Client
	ours   []int64 // the orders preferences.json and the journal say ovhtui made
	// fqns are the fqns of the orders preferences.json records, by order id.
	fqns map[int64]string
	// cat names products ("KS-LE-1"); nil when the catalog could not be
	// had: the plan codes are shown then.
	cat   *catalog.Catalog
	close func()
}

// openAccount reads credentials (or starts the demo simulator), the
// preferences file and the journal.
func (a *app) openAccount(ctx context.Context, af *accountFlags) (*accountSession, int, error) {
	if af.demo {
		api, ours, stop, err := a.startAccountDemo(ctx)
		if err != nil {
			return nil, exitProblems, fmt.Errorf("demo: %w", err)
		}
		c := account.New(api, account.Options{Journal: &account.MemoryJournal{}})
		cat, _ := catalog.Parse(ovhsim.DefaultCatalog(), catalog.ParseOptions{})
		return &accountSession{client: c, ours: ours, cat: cat, close: stop}, exitOK, nil
	}
	w, err := loadEnvFile(a.env, af.envPath)
	if err != nil {
		return nil, exitUsage, err
	}
	a.secrets.collect(a.env)
	if w != "" {
		fmt.Fprintln(a.stderr, "warning:", w)
	}
	var (
		ours []int64
		fqns = map[int64]string{}
		sub  string
	)
	f, err := prefs.Load(af.prefsPath)
	switch {
	case err == nil:
		sub = f.Subsidiary
		for _, s := range f.Servers {
			if s.OrderID != 0 {
				ours = append(ours, s.OrderID)
				fqns[s.OrderID] = s.FQN
			}
		}
	case errors.Is(err, fs.ErrNotExist):
		// No preferences: only the account's orders.
	default:
		return nil, exitUsage, err
	}
	// The journal says which orders are ovhtui's and guards every payment
	// and renewal: one that cannot be used is said at once.
	if err := journal.CheckPath(journal.Beside(af.prefsPath)); err != nil {
		return nil, exitUsage, err
	}
	oc, err := a.newOVHClient()
	if err != nil {
		return nil, exitUsage, err
	}
	api := ovhapi.NewOVHClient(oc, ovhapi.ClientOptions{})
	c := accountClient(api, af.prefsPath)
	var cat *catalog.Catalog
	if sub != "" {
		// Names only: a catalog that cannot be had leaves the plan codes.
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		cat, _ = a.catalogForCheck(cctx, sub)
		cancel()
	}
	return &accountSession{client: c, ours: ours, fqns: fqns, cat: cat, close: api.CloseIdleConnections}, exitOK, nil
}

// accountClient is the after-the-win client of the commands and of the
// UI's Orders and Servers screens: the engine's OVH client, payments and
// renewals journaled in the engine's journal beside prefsPath (opened at
// the first payment or renewal: a journal that cannot be written stops it
// before anything is sent).
func accountClient(api *ovhapi.OVHClient, prefsPath string) *account.Client {
	return account.New(api, account.Options{Journal: account.NewFileJournal(journal.Beside(prefsPath))})
}

// orderWhat names what an order bought as users know the products
// ("KS-LE-1 32g/2x450nvme in gra": the fqn when preferences.json records
// the order), else as the account says it. The plan codes stay in the
// order's items (--json).
func (s *accountSession) orderWhat(o account.Order) string {
	if len(o.Items) == 0 || o.Err != "" {
		return o.What
	}
	parts := make([]string, 0, len(o.Items))
	for _, it := range o.Items {
		fqn := s.fqns[o.ID]
		if len(o.Items) > 1 || !strings.HasPrefix(fqn, it.PlanCode+".") {
			fqn = ""
		}
		parts = append(parts, s.cat.ProductName(it.PlanCode, fqn)+" in "+it.Datacenter)
	}
	return strings.Join(parts, ", ")
}

// withAccount runs fn with a session, under a context cancelled by
// SIGINT/SIGTERM; an error is printed once, in one line, secrets scrubbed.
func (a *app) withAccount(cmd *cobra.Command, af *accountFlags, fn func(ctx context.Context, s *accountSession) (int, error)) error {
	af.prefsSet = cmd.Flags().Changed("prefs")
	ctx, stop := shutdown.Context(cmd.Context())
	defer stop()
	s, code, err := a.openAccount(ctx, af)
	if err != nil {
		return a.failure(cmd, code, err)
	}
	defer s.close()
	code, err = fn(ctx, s)
	return a.failure(cmd, code, err)
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// localTime formats t in the local zone, "-" when zero.
func localTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// confirm asks a yes/no question on w, reading the answer from the run's
// stdin; only "y" or "yes" says yes. It reads one line, byte by byte, so
// that a second question (renew, then pay) gets the next line.
func (a *app) confirm(w io.Writer, question string) bool {
	fmt.Fprintf(w, "%s [y/N] ", question)
	var line []byte
	b := make([]byte, 1)
	for len(line) < 64 {
		n, err := a.stdin.Read(b)
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			line = append(line, b[0])
		}
		if err != nil {
			fmt.Fprintln(w)
			break
		}
	}
	switch strings.ToLower(strings.TrimSpace(string(line))) {
	case "y", "yes":
		return true
	}
	return false
}

// oneArg is an Args validator: exactly one argument, called name, listed
// by listCmd.
func oneArg(name, listCmd string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return usageError(cmd, "give one %s (%s lists them)", name, listCmd)
		case len(args) > 1:
			return usageError(cmd, "give one %s, not %d arguments", name, len(args))
		}
		return nil
	}
}

// positiveID reads arg as a positive id.
func positiveID(arg string) (int64, bool) {
	id, err := strconv.ParseInt(arg, 10, 64)
	return id, err == nil && id > 0
}
