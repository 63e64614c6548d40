package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ovh/go-ovh/ovh"
	"github.com/spf13/cobra"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// checkCommand is `ovhtui check`.
func (a *app) checkCommand() *cobra.Command {
	var (
		f      fileFlags
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check preferences.json (and, with credentials, the API rights of the key)",
		Long: "Validates the preferences file, against the eco catalog too, and lists every problem as\n" +
			"path: message. With OVH credentials, also verifies them and lists the API rights the consumer\n" +
			"key lacks. Exit 0: no problem; 1: problems listed; 2: the file is unusable.",
		Example: "ovhtui check\novhtui check --prefs /data/preferences.json --json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.prefsSet = cmd.Flags().Changed("prefs")
			return a.check(cmd, f, asJSON)
		},
	}
	addPrefsFlag(cmd.Flags(), &f)
	addEnvFlag(cmd.Flags(), &f)
	cmd.Flags().BoolVar(&asJSON, "json", false, jsonHelp)
	return cmd
}

// checkReport is what check --json prints.
type checkReport struct {
	File    string `json:"file"`
	OK      bool   `json:"ok"`
	Entries int    `json:"entries"`
	// Unusable are the problems that keep ovhtui from running on the file.
	Unusable []string       `json:"unusable"`
	Problems []checkProblem `json:"problems"`
	// Warnings are worth reading but change no exit code: a ceiling below
	// the catalog's first invoice for its entry.
	Warnings []checkProblem `json:"warnings"`
	Catalog  struct {
		Subsidiary string    `json:"subsidiary,omitempty"`
		FetchedAt  time.Time `json:"fetchedAt,omitzero"`
		Error      string    `json:"error,omitempty"`
	} `json:"catalog"`
	Credentials struct {
		Checked bool           `json:"checked"`
		Missing []missingRight `json:"missing"`
		// AutopayProblem says why autopay could not pay ("" when it can,
		// or when no entry has autopay).
		AutopayProblem string `json:"autopayProblem,omitempty"`
	} `json:"credentials"`
}

type checkProblem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

type missingRight struct {
	Method   string `json:"method"`
	Path     string `json:"path"`
	Why      string `json:"why"`
	Optional bool   `json:"optional"`
}

// check validates the preferences file and, when credentials are
// configured, verifies them and lists missing API rights.
func (a *app) check(cmd *cobra.Command, opts fileFlags, asJSON bool) error {
	code, rep := a.runCheck(cmd.Context(), opts, asJSON)
	if asJSON && rep != nil {
		if err := writeJSON(a.stdout, rep); err != nil {
			return a.failure(cmd, exitProblems, err)
		}
	}
	return exitCode(code)
}

// runCheck prints what it finds (on stdout, unless asJSON: then only in
// the report) and returns the exit code.
func (a *app) runCheck(ctx context.Context, opts fileFlags, asJSON bool) (int, *checkReport) {
	out := a.stdout
	if asJSON {
		out = io.Discard
	}
	if w, err := loadEnvFile(a.env, opts.envPath); err != nil {
		fmt.Fprintln(a.stderr, "ovhtui:", err)
		return exitUsage, nil
	} else if w != "" {
		fmt.Fprintln(a.stderr, "warning:", w)
	}
	a.secrets.collect(a.env)
	f, parseProblems, err := prefs.LoadCheck(opts.prefsPath)
	if err != nil {
		fmt.Fprintln(a.stderr, "ovhtui:", err)
		return exitUsage, nil
	}
	if err := journal.CheckPath(journal.Beside(opts.prefsPath)); err != nil {
		fmt.Fprintln(a.stderr, "ovhtui:", err)
		return exitUsage, nil
	}
	rep := &checkReport{File: opts.prefsPath, Unusable: []string{}, Problems: []checkProblem{}, Warnings: []checkProblem{}}
	rep.Credentials.Missing = []missingRight{}
	// Every problem: those that make the file unusable (stderr, exit 2)
	// and, on what did decode, the validation ones (stdout, exit 1).
	for _, pe := range parseProblems {
		fmt.Fprintln(a.stderr, pe.Error())
		rep.Unusable = append(rep.Unusable, pe.Error())
	}
	if f == nil {
		return exitUsage, rep
	}
	rep.Entries = len(f.Servers)
	code := exitOK
	problems := prefs.Validate(f, a.endpointName())
	cat, catErr := a.catalogForCheck(ctx, f.Subsidiary)
	problems = append(problems, prefs.CheckProblems(f, cat)...)
	problems = withoutParseProblems(problems, parseProblems)
	for _, p := range problems {
		fmt.Fprintf(out, "%s: %s\n", opts.prefsPath, p)
		rep.Problems = append(rep.Problems, checkProblem{p.Path, p.Msg})
	}
	if len(problems) > 0 {
		code = exitProblems
	}
	for _, w := range withoutParseProblems(prefs.CheckWarnings(f, cat), parseProblems) {
		fmt.Fprintf(out, "%s: warning: %s\n", opts.prefsPath, w)
		rep.Warnings = append(rep.Warnings, checkProblem{w.Path, w.Msg})
	}
	if catErr != nil {
		msg := a.secrets.redact(catErr.Error())
		rep.Catalog.Error = msg
		fmt.Fprintf(out, "catalog unavailable (%s): skipped the checks of datacenters, regions, fqn and addons\n", msg)
	} else {
		rep.Catalog.Subsidiary, rep.Catalog.FetchedAt = cat.Subsidiary, cat.FetchedAt
		fmt.Fprintf(out, "checked against the %s eco catalog fetched %s\n", cat.Subsidiary, cat.FetchedAt.Local().Format(time.DateTime))
	}
	if len(parseProblems) > 0 {
		// Goes on with the other checks: every problem is listed at once.
		defer fmt.Fprintf(a.stderr, "%s: %d problem(s) make the file unusable: ovhtui will not run on it until they are fixed\n", opts.prefsPath, len(parseProblems))
		code = exitUsage
	}
	if !a.hasCredentials() {
		fmt.Fprintln(out, "no OVH credentials configured: skipped the API check (see .env.example)")
	} else {
		log := a.newLogger(a.stderr, "text", 0)
		c, err := a.newOVHClient()
		if err != nil {
			fmt.Fprintln(a.stderr, "ovhtui:", err)
			return max(code, exitProblems), rep
		}
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		missing, err := a.checkCredential(ctx, c, log)
		if err != nil {
			fmt.Fprintln(a.stderr, "ovhtui:", err)
			return max(code, exitProblems), rep
		}
		rep.Credentials.Checked = true
		autopay := autopayEntries(f)
		for _, m := range missing {
			if m.optional && len(autopay) > 0 && strings.HasPrefix(m.Path, "/me/payment/method") && m.Method == "GET" {
				m.optional, m.why = false, "check the default payment method autopay pays with (entries with autopay: "+strings.Join(autopay, ", ")+")"
			}
			rep.Credentials.Missing = append(rep.Credentials.Missing, missingRight{m.Method, m.Path, m.why, m.optional})
			if m.optional {
				fmt.Fprintf(out, "consumer key lacks %s %s (%s)\n", m.Method, m.Path, m.why)
				continue
			}
			fmt.Fprintf(out, "consumer key lacks %s %s: needed to %s\n", m.Method, m.Path, m.why)
			code = max(code, exitProblems)
		}
		if len(missing) == 0 {
			fmt.Fprintln(out, "credentials ok: the consumer key has every right ovhtui needs")
		}
		if len(autopay) > 0 {
			pc, problem := a.checkPaymentReady(ctx, c, out)
			rep.Credentials.AutopayProblem = problem
			code = max(code, pc)
		}
	}
	if code == exitOK {
		warned := ""
		if len(rep.Warnings) > 0 {
			warned = fmt.Sprintf(", %d warning(s)", len(rep.Warnings))
		}
		fmt.Fprintf(out, "%s: ok (%d entries%s)\n", opts.prefsPath, len(f.Servers), warned)
	}
	rep.OK = code == exitOK
	return code, rep
}

// autopayEntries names the entries that would check out with autopay.
func autopayEntries(f *prefs.File) []string {
	var out []string
	for i, s := range f.Servers {
		if s.Autopay && s.PlaceOrder && s.Wanted() {
			out = append(out, fmt.Sprintf("user_servers[%d] %s", i, s.FQN))
		}
	}
	return out
}

// checkPaymentReady reads the default payment method autopay pays with and
// says on w whether it can: exit 1 and the problem when it is missing or
// not VALID (order.PaymentProblem, the engine's rule).
func (a *app) checkPaymentReady(ctx context.Context, c *ovh.Client, w io.Writer) (int, string) {
	m, found, err := ovhapi.NewOVHClient(c, ovhapi.ClientOptions{}).DefaultPaymentMethod(ctx)
	if err != nil {
		why := "could not read the default payment method: " + a.secrets.redact(err.Error())
		fmt.Fprintf(w, "autopay: %s\n", why)
		return exitProblems, why
	}
	if why := order.PaymentProblem(m, found); why != "" {
		fmt.Fprintf(w, "autopay: %s; fix it in OVH's control panel\n", why)
		return exitProblems, why
	}
	fmt.Fprintf(w, "autopay ok: the default payment method (%s) is VALID\n", m.Name())
	return exitOK, ""
}

// hasCredentials reports whether any OVH credential is set in the environment.
func (a *app) hasCredentials() bool {
	for _, k := range []string{"OVH_APPLICATION_KEY", "OVH_CLIENT_ID", "OVH_ACCESS_TOKEN"} {
		if a.env.nonEmpty(k) {
			return true
		}
	}
	return false
}

// withoutParseProblems drops the validation problems at or under a field
// that failed to decode: that field was left at its zero value, so what
// Validate says of it is noise next to the real problem.
func withoutParseProblems(problems []prefs.Problem, parse []*prefs.ParseError) []prefs.Problem {
	if len(parse) == 0 {
		return problems
	}
	failed := make(map[string]bool, len(parse))
	for _, e := range parse {
		if e.Path != "" {
			failed[e.Path] = true
		}
	}
	var out []prefs.Problem
	for _, p := range problems {
		if !underFailed(p.Path, failed) {
			out = append(out, p)
		}
	}
	return out
}

// underFailed reports whether path or one of its parents ("a.b[1]" → "a.b",
// "a") is in failed.
func underFailed(path string, failed map[string]bool) bool {
	for {
		if failed[path] {
			return true
		}
		i := strings.LastIndexAny(path, ".[")
		if i <= 0 {
			return false
		}
		path = path[:i]
	}
}

// catalogMaxAgeForCheck is how old a cached catalog --check uses may be:
// plans, datacenters and addons change over weeks, not hours.
const catalogMaxAgeForCheck = 24 * time.Hour

// catalogForCheck returns the eco catalog of sub for --check: the cached
// one (the UI's cache) when at most catalogMaxAgeForCheck old, else a
// download, unsigned (no credentials needed).
func (a *app) catalogForCheck(ctx context.Context, sub string) (*catalog.Catalog, error) {
	if _, ok := prefs.EndpointForSubsidiary(sub); !ok {
		return nil, fmt.Errorf("no known subsidiary")
	}
	c, err := a.newPublicClient(a.endpointName())
	if err != nil {
		return nil, err
	}
	src := catalog.NewSource(catalog.SourceOptions{
		Fetch:      catalog.NewOVHFetcher(c, a.checkCatalogFetch),
		CacheDir:   a.env.cacheDir(),
		Endpoint:   a.endpointName(),
		Subsidiary: sub,
		MaxAge:     catalogMaxAgeForCheck,
	})
	defer src.Wait()
	ctx, cancel := context.WithTimeout(ctx, a.checkCatalogFetch+10*time.Second) // and the parse
	defer cancel()
	return src.Catalog(ctx)
}
