package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ovh/go-ovh/ovh"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// runCheck implements --check: validate the preferences file and, when
// credentials are configured, verify them and list missing API rights.
func runCheck(opts options, stdout, stderr io.Writer) int {
	if w, err := loadEnvFile(opts.envPath); err != nil {
		fmt.Fprintln(stderr, "ovhtui:", err)
		return exitUsage
	} else if w != "" {
		fmt.Fprintln(stderr, "warning:", w)
	}
	collectSecrets()
	f, parseProblems, err := prefs.LoadCheck(opts.prefsPath)
	if err != nil {
		fmt.Fprintln(stderr, "ovhtui:", err)
		return exitUsage
	}
	// Every problem: those that make the file unusable (stderr, exit 2)
	// and, on what did decode, the validation ones (stdout, exit 1).
	for _, pe := range parseProblems {
		fmt.Fprintln(stderr, pe.Error())
	}
	if f == nil {
		return exitUsage
	}
	code := exitOK
	problems := prefs.Validate(f, endpointName())
	cat, catErr := catalogForCheck(f.Subsidiary)
	problems = append(problems, prefs.CheckProblems(f, cat)...)
	problems = withoutParseProblems(problems, parseProblems)
	for _, p := range problems {
		fmt.Fprintf(stdout, "%s: %s\n", opts.prefsPath, p)
	}
	if len(problems) > 0 {
		code = exitProblems
	}
	if catErr != nil {
		fmt.Fprintf(stdout, "catalog unavailable (%s): skipped the checks of datacenters, regions, fqn and addons\n", redactString(catErr.Error()))
	} else {
		fmt.Fprintf(stdout, "checked against the %s eco catalog fetched %s\n", cat.Subsidiary, cat.FetchedAt.Local().Format(time.DateTime))
	}
	if len(parseProblems) > 0 {
		// Goes on with the other checks: every problem is listed at once.
		defer fmt.Fprintf(stderr, "%s: %d problem(s) make the file unusable: ovhtui will not run on it until they are fixed\n", opts.prefsPath, len(parseProblems))
		code = exitUsage
	}
	if !hasCredentials() {
		fmt.Fprintln(stdout, "no OVH credentials configured: skipped the API check (see .env.example)")
	} else {
		log := newLogger(stderr, opts.logFormat, 0)
		c, err := newOVHClient()
		if err != nil {
			fmt.Fprintln(stderr, "ovhtui:", err)
			return max(code, exitProblems)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		missing, err := checkCredential(ctx, c, log)
		if err != nil {
			fmt.Fprintln(stderr, "ovhtui:", err)
			return max(code, exitProblems)
		}
		autopay := autopayEntries(f)
		for _, m := range missing {
			if m.optional && len(autopay) > 0 && strings.HasPrefix(m.Path, "/me/payment/method") && m.Method == "GET" {
				m.optional, m.why = false, "check the default payment method autopay pays with (entries with autopay: "+strings.Join(autopay, ", ")+")"
			}
			if m.optional {
				fmt.Fprintf(stdout, "consumer key lacks %s %s (%s)\n", m.Method, m.Path, m.why)
				continue
			}
			fmt.Fprintf(stdout, "consumer key lacks %s %s: needed to %s\n", m.Method, m.Path, m.why)
			code = max(code, exitProblems)
		}
		if len(missing) == 0 {
			fmt.Fprintln(stdout, "credentials ok: the consumer key has every right ovhtui needs")
		}
		if len(autopay) > 0 {
			code = max(code, checkPaymentReady(ctx, c, stdout))
		}
	}
	if code == exitOK {
		fmt.Fprintf(stdout, "%s: ok (%d entries)\n", opts.prefsPath, len(f.Servers))
	}
	return code
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
// says whether it can: exit 1 naming its status when it is missing or not
// VALID (order.PaymentProblem, the engine's rule).
func checkPaymentReady(ctx context.Context, c *ovh.Client, stdout io.Writer) int {
	m, found, err := ovhapi.NewOVHClient(c, ovhapi.ClientOptions{}).DefaultPaymentMethod(ctx)
	if err != nil {
		fmt.Fprintf(stdout, "autopay: could not read the default payment method: %s\n", redactString(err.Error()))
		return exitProblems
	}
	if why := order.PaymentProblem(m, found); why != "" {
		fmt.Fprintf(stdout, "autopay: %s; fix it in OVH's control panel\n", why)
		return exitProblems
	}
	fmt.Fprintf(stdout, "autopay ok: the default payment method (%s) is VALID\n", m.Name())
	return exitOK
}

// hasCredentials reports whether any OVH credential is set in the environment.
func hasCredentials() bool {
	for _, k := range []string{"OVH_APPLICATION_KEY", "OVH_CLIENT_ID", "OVH_ACCESS_TOKEN"} {
		if lookupNonEmpty(k) {
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
func catalogForCheck(sub string) (*catalog.Catalog, error) {
	if _, ok := prefs.EndpointForSubsidiary(sub); !ok {
		return nil, fmt.Errorf("no known subsidiary")
	}
	c, err := newPublicClient(endpointName())
	if err != nil {
		return nil, err
	}
	src := catalog.NewSource(catalog.SourceOptions{
		Fetch:      catalog.NewOVHFetcher(c, 30*time.Second),
		Endpoint:   endpointName(),
		Subsidiary: sub,
		MaxAge:     catalogMaxAgeForCheck,
	})
	defer src.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	return src.Catalog(ctx)
}
