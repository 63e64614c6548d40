package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"

	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
)

// The money paths of the after-the-win commands, run as the user runs
// them: the built ovhtui binary (built once, ovhtuiBinary) against the
// simulator served by the test (OVH_ENDPOINT), never the real OVH API.

// moneyAddons are the addons of killTestFQN.
var moneyAddons = []string{"softraid-2x450nvme-25skle", "bandwidth-300-25skle", "ram-32g-ecc-2400-25skle"}

// binGuard bounds a run of the binary: a guard against a hang, not a
// timed assertion (a run takes well under a second).
const binGuard = guardBound

// moneyBin runs the built binary against one simulator, in a folder of
// its own holding preferences.json.
type moneyBin struct {
	t        *testing.T
	bin      string
	sim      *ovhsim.Sim
	endpoint string
	dir      string
	prefs    string
	// stdin is what confirmations read.
	stdin string
}

func newMoneyBin(t *testing.T) *moneyBin {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := ovhtuiBinary(t)
	sim, err := ovhsim.New(ovhsim.DefaultCatalog(), ovhsim.Options{NoPadding: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	p := filepath.Join(dir, "preferences.json")
	if err := os.WriteFile(p, []byte(`{"subsidiary": "IE", "user_servers": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	return &moneyBin{t: t, bin: bin, sim: sim, endpoint: srv.URL + "/1.0", dir: dir, prefs: p}
}

// command is the binary run with args, --prefs and --env added.
func (m *moneyBin) command(ctx context.Context, args ...string) (*exec.Cmd, *lockedWriter, *lockedWriter) {
	args = append(args, "--prefs", m.prefs, "--env", filepath.Join(m.dir, "none.env"))
	cmd := exec.CommandContext(ctx, m.bin, args...)
	cmd.Dir = m.dir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + m.dir,
		"XDG_CACHE_HOME=" + filepath.Join(m.dir, "cache"),
		"OVH_ENDPOINT=" + m.endpoint,
		"OVH_APPLICATION_KEY=sim-app-key",
		"OVH_APPLICATION_SECRET=sim-app-secret",
		"OVH_CONSUMER_KEY=sim-consumer-key",
	}
	stdout, stderr := &lockedWriter{w: &bytes.Buffer{}}, &lockedWriter{w: &bytes.Buffer{}}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(m.stdin), stdout, stderr
	return cmd, stdout, stderr
}

// run runs the binary to its end and returns its exit code and output.
func (m *moneyBin) run(args ...string) (code int, stdout, stderr string) {
	m.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), binGuard)
	defer cancel()
	cmd, out, errOut := m.command(ctx, args...)
	err := cmd.Run()
	if ctx.Err() != nil {
		m.t.Fatalf("ovhtui %v did not exit (killed after %s); stdout:\n%s\nstderr:\n%s", args, binGuard, out.String(), errOut.String())
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		m.t.Fatalf("ovhtui %v: %v", args, err)
	}
	return code, out.String(), errOut.String()
}

// journal is the journal beside the preferences.
func (m *moneyBin) journal() string { return journal.Beside(m.prefs) }

// records returns the journal's records of kind k.
func (m *moneyBin) records(k journal.Kind) []journal.Record {
	m.t.Helper()
	log, err := journal.Read(m.journal())
	if err != nil {
		m.t.Fatal(err)
	}
	var out []journal.Record
	for _, r := range log.Records {
		if r.Kind == k {
			out = append(out, r)
		}
	}
	return out
}

// pending returns the journal's intents of kind k without a clear outcome.
func (m *moneyBin) pending(k journal.Kind) []journal.Record {
	m.t.Helper()
	log, err := journal.Read(m.journal())
	if err != nil {
		m.t.Fatal(err)
	}
	var out []journal.Record
	for _, p := range journal.Fold(log.Records).Pending() {
		if p.Kind == k {
			out = append(out, p)
		}
	}
	return out
}

// requests counts the requests the simulator received with method whose
// path ends with suffix.
func (m *moneyBin) requests(method, suffix string) int {
	n := 0
	for _, r := range m.sim.Requests() {
		if r.Method == method && strings.HasSuffix(r.Path, suffix) {
			n++
		}
	}
	return n
}

// unpaidOrder places an order at the simulator, as a win without autopay
// leaves it, and returns its id.
func (m *moneyBin) unpaidOrder() int64 {
	m.t.Helper()
	m.sim.SetAvailability(killTestFQN, "fra", ovhsim.Avail1HLow)
	oc, err := ovh.NewClient(m.endpoint, "sim-app-key", "sim-app-secret", "sim-consumer-key")
	if err != nil {
		m.t.Fatal(err)
	}
	api := ovhapi.NewOVHClient(oc, ovhapi.ClientOptions{})
	defer api.CloseIdleConnections()
	id, err := demoCheckout(context.Background(), api, "25skleb01", moneyAddons, "fra", false)
	if err != nil {
		m.t.Fatal(err)
	}
	return id
}

// Issue 16.3, built binary: `ovhtui renew SID --period P1M --yes` whose
// payment is refused, run twice: one renewal order exists at OVH; the
// second run offers the unpaid one for payment and creates none; asked
// without --yes, the only question is its payment; paid, the server is
// renewed once.
func TestBinaryRenewTwicePaymentRefused(t *testing.T) {
	t.Parallel()
	m := newMoneyBin(t)
	// It expires on the 15th: "one month later" is then one date whatever
	// today is (from 29-31 January, billing and AddDate disagree on it).
	y, mo, _ := time.Now().UTC().Date()
	sv := m.sim.AddServer(ovhsim.Server{PlanCode: "25skleb01", Addons: moneyAddons, DC: "gra",
		Expiration: time.Date(y, mo+1, 15, 0, 0, 0, 0, time.UTC)})
	sid := fmt.Sprint(sv.ServiceID)
	m.sim.SetPaymentDeclined(true)

	code, out, errOut := m.run("renew", sid, "--period", "P1M", "--yes")
	orders := m.sim.Orders()
	if code != exitProblems || len(orders) != 1 {
		t.Fatalf("first renew: exit %d, %d orders; stdout:\n%s\nstderr:\n%s", code, len(orders), out, errOut)
	}
	first := orders[0]
	if !strings.Contains(out, fmt.Sprintf("renewal order %d made", first.ID)) || !strings.Contains(errOut, "refused") {
		t.Errorf("first renew does not say the order made and the payment refused:\n%s\n%s", out, errOut)
	}

	code, out, errOut = m.run("renew", sid, "--period", "P1M", "--yes")
	if n := len(m.sim.Orders()); n != 1 {
		t.Fatalf("%d renewal orders after the second renew, want 1; stdout:\n%s\nstderr:\n%s", n, out, errOut)
	}
	if code != exitProblems || !strings.Contains(out, fmt.Sprintf("unpaid renewal order %d", first.ID)) || strings.Contains(out, "order made") {
		t.Errorf("second renew: exit %d; it does not offer the unpaid order %d:\n%s\n%s", code, first.ID, out, errOut)
	}
	if n := m.requests("POST", "/payWithRegisteredPaymentMean"); n != 2 {
		t.Errorf("%d payments sent, want one per run", n)
	}

	code, out, errOut = m.run("renew", sid, "--period", "P1M", "--dry-run")
	if code != exitOK || !strings.Contains(out, fmt.Sprintf("`ovhtui pay %d` pays it", first.ID)) {
		t.Errorf("dry run: exit %d; it does not name the unpaid order %d:\n%s\n%s", code, first.ID, out, errOut)
	}

	m.sim.SetPaymentDeclined(false)
	m.stdin = "y\n" // one answer: to the payment
	code, out, errOut = m.run("renew", sid, "--period", "P1M")
	if strings.Contains(out, "Order this renewal") || !strings.Contains(out, "Pay ") {
		t.Errorf("renew of a server with an unpaid renewal order asks to order one:\n%s", out)
	}
	orders = m.sim.Orders()
	if code != exitOK || len(orders) != 1 || orders[0].Status == ovhsim.StatusNotPaid {
		t.Fatalf("third renew: exit %d, orders %+v; stdout:\n%s\nstderr:\n%s", code, orders, out, errOut)
	}
	if got := m.sim.Servers()[0].Expiration; !got.Equal(sv.Expiration.AddDate(0, 1, 0)) {
		t.Errorf("expiration %s, want one month after %s: renewed once", got, sv.Expiration)
	}
	if n := len(m.records(journal.KindRenewal)); n != 2 {
		t.Errorf("%d renewal records in the journal, want one intent and its outcome", n)
	}
}

// Issue 16.5, built binary: OVH carries a payment out but answers 503,
// and its order status shows it paid only later. ovhtui never says
// "nothing was paid"; the journal keeps the payment pending until a
// look-up finds it; a second `pay` meanwhile sends nothing; once OVH
// shows it paid, `pay` settles it as paid and sends nothing.
func TestBinaryUnclearPayStaysPending(t *testing.T) {
	t.Parallel()
	m := newMoneyBin(t)
	id := m.unpaidOrder()
	sid := fmt.Sprint(id)
	m.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: "/me/order/*/payWithRegisteredPaymentMean", Status: 503, AfterHandler: true, Times: 1})
	stale := m.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: "/me/order/*/status", Body: `"notPaid"`})

	code, out, errOut := m.run("pay", sid, "--yes")
	said := out + errOut
	if code != exitProblems || !strings.Contains(said, "unclear") || !strings.Contains(said, "may have been carried out") {
		t.Fatalf("pay with an unclear answer: exit %d; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, lie := range []string{"nothing was paid", "not paid", "refused", "paid: order"} {
		if strings.Contains(said, lie) {
			t.Errorf("pay says %q after an unclear answer:\n%s", lie, said)
		}
	}
	if p := m.pending(journal.KindPayment); len(p) != 1 || p[0].OrderID != id {
		t.Fatalf("journal: pending payments %+v, want the one of order %d", p, id)
	}

	code, out, errOut = m.run("pay", sid, "--yes")
	said = out + errOut
	if n := m.requests("POST", "/payWithRegisteredPaymentMean"); n != 1 {
		t.Fatalf("%d payments sent, want 1:\n%s", n, said)
	}
	if code != exitProblems || !strings.Contains(said, "still unknown") || strings.Contains(said, "nothing was paid") {
		t.Errorf("second pay: exit %d:\n%s", code, said)
	}
	if p := m.pending(journal.KindPayment); len(p) != 1 {
		t.Fatalf("journal: %d pending payments after the second pay, want 1", len(p))
	}
	// Meanwhile `orders` never calls it UNPAID (OVH's notPaid may predate
	// the payment it has not booked yet): the user is not invited to pay
	// it again by hand.
	code, out, errOut = m.run("orders", "--json")
	var listed []struct {
		ID             int64  `json:"id"`
		Status         string `json:"status"`
		Payment        string `json:"payment"`
		PaymentPending bool   `json:"paymentPending"`
	}
	if err := json.Unmarshal([]byte(out), &listed); code != exitOK || err != nil {
		t.Fatalf("orders --json: exit %d, %v:\n%s%s", code, err, out, errOut)
	}
	for _, o := range listed {
		if o.ID == id && (o.Payment != "payment unclear" || !o.PaymentPending || o.Status != "notPaid") {
			t.Errorf("orders --json while the payment is pending: %+v", o)
		}
	}
	if code, out, _ = m.run("orders"); code != exitOK || !strings.Contains(out, "PAYING?") || strings.Contains(out, "UNPAID") {
		t.Errorf("orders while the payment is pending: exit %d:\n%s", code, out)
	}

	stale() // OVH's records now show the payment
	code, out, errOut = m.run("pay", sid, "--yes")
	said = out + errOut
	if n := m.requests("POST", "/payWithRegisteredPaymentMean"); n != 1 {
		t.Fatalf("%d payments sent, want 1:\n%s", n, said)
	}
	if code != exitOK || !strings.Contains(said, "paid") {
		t.Errorf("pay once OVH shows it paid: exit %d:\n%s", code, said)
	}
	if p := m.pending(journal.KindPayment); len(p) != 0 {
		t.Errorf("journal: the payment is still pending once OVH shows it paid: %+v", p)
	}
	recs := m.records(journal.KindPayment)
	if last := recs[len(recs)-1]; last.Type != journal.TypeOutcome || last.Result != journal.ResultDone {
		t.Errorf("journal: last payment record %+v, want its outcome done", last)
	}
}

// Issue 16.12, built binary: a FIFO at the journal's path is refused at
// once, naming the path, by start-up (--check, --headless), `orders` and
// `pay`: nothing blocks on it.
func TestBinaryJournalFIFORefused(t *testing.T) {
	t.Parallel()
	m := newMoneyBin(t)
	id := m.unpaidOrder()
	if err := syscall.Mkfifo(m.journal(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--check"}, {"--headless", "--poll", "1s"}, {"orders"}, {"pay", fmt.Sprint(id), "--yes"}} {
		code, out, errOut := m.run(args...)
		line := strings.TrimSpace(errOut)
		if code == exitOK || !strings.Contains(line, m.journal()) || !strings.Contains(line, "FIFO") {
			t.Errorf("%v: exit %d; stderr %q, stdout %q; want a refusal naming %s", args, code, errOut, out, m.journal())
		}
	}
	if n := m.requests("POST", "/payWithRegisteredPaymentMean"); n != 0 {
		t.Errorf("%d payments sent with no journal", n)
	}
	if info, err := os.Lstat(m.journal()); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v %v", info, err)
	}
}

// Issue 16.12, built binary: a FIFO put at the journal's path while `pay`
// runs (held on OVH's answer) is refused when the payment would be
// journaled, naming the path, with nothing sent; and SIGTERM ends a
// running `pay` at once.
func TestBinaryPayJournalFIFOWhileRunningAndSIGTERM(t *testing.T) {
	t.Parallel()
	for _, sigterm := range []bool{false, true} {
		t.Run(fmt.Sprintf("sigterm=%v", sigterm), func(t *testing.T) {
			t.Parallel()
			m := newMoneyBin(t)
			id := m.unpaidOrder()
			hold := make(chan struct{})
			release := sync.OnceFunc(func() { close(hold) })
			defer release()
			m.sim.InjectFault(ovhsim.Fault{Method: "GET", Path: "/me/order/*", Hold: hold, Times: 1})
			held := make(chan struct{}, 1)
			m.sim.OnRequest(func(r ovhsim.Request) {
				if r.Method == "GET" && strings.HasPrefix(r.Path, "/me/order/") {
					select {
					case held <- struct{}{}:
					default:
					}
				}
			})
			ctx, cancel := context.WithTimeout(context.Background(), binGuard)
			defer cancel()
			cmd, out, errOut := m.command(ctx, "pay", fmt.Sprint(id), "--yes")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-held:
			case err := <-done:
				t.Fatalf("pay ended (%v) before OVH answered; stdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
			}
			if err := syscall.Mkfifo(m.journal(), 0o600); err != nil {
				t.Fatal(err)
			}
			if sigterm {
				if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
					t.Fatal(err)
				}
			} else {
				release()
			}
			err := <-done
			if ctx.Err() != nil {
				t.Fatalf("pay did not end (killed after %s); stderr:\n%s", binGuard, errOut.String())
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() <= 0 {
				t.Errorf("pay: %v, want an exit code (not a kill, not success); stderr:\n%s", err, errOut.String())
			}
			if n := m.requests("POST", "/payWithRegisteredPaymentMean"); n != 0 {
				t.Errorf("%d payments sent", n)
			}
			if line := strings.TrimSpace(errOut.String()); !sigterm && (!strings.Contains(line, m.journal()) || !strings.Contains(line, "FIFO") || strings.Count(line, "\n") > 1) {
				t.Errorf("stderr %q: want one line naming the FIFO %s", errOut.String(), m.journal())
			}
		})
	}
}

// Issue 16.7 and 16.12, built binary: the journal replaced by a FIFO while
// --headless runs. When stock comes, the checkout is not sent (the gate
// cannot journal it), the user is told naming the path, and SIGTERM ends
// the run at once.
func TestBinaryHeadlessJournalBecomesFIFO(t *testing.T) {
	t.Parallel()
	m := newMoneyBin(t)
	if err := os.WriteFile(m.prefs, []byte(killTestPrefs), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dc := range []string{"fra", "gra"} {
		m.sim.SetAvailability(killTestFQN, dc, "unavailable")
	}
	ctx, cancel := context.WithTimeout(context.Background(), binGuard)
	defer cancel()
	cmd, _, _ := m.command(ctx, "--headless", "--poll", "1s")
	out := newNotifyingBuffer()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		if ctx.Err() == nil {
			cmd.Process.Kill()
		}
	}()
	out.waitMatch(t, regexp.MustCompile(`ready in fra`))
	out.waitMatch(t, regexp.MustCompile(`ready in gra`))
	if err := os.Remove(m.journal()); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(m.journal(), 0o600); err != nil {
		t.Fatal(err)
	}
	m.sim.SetAvailability(killTestFQN, "fra", ovhsim.Avail1HHigh)
	out.waitMatch(t, regexp.MustCompile(regexp.QuoteMeta(m.journal())+`.*FIFO`))
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err := <-done
	if ctx.Err() != nil {
		t.Fatalf("headless did not end after SIGTERM (killed after %s):\n%s", binGuard, out.b.String())
	}
	if err != nil {
		t.Errorf("headless after SIGTERM: %v, want exit 0:\n%s", err, out.b.String())
	}
	if n := m.requests("POST", "/checkout"); n != 0 {
		t.Errorf("%d checkouts sent without a journal:\n%s", n, out.b.String())
	}
	if len(m.sim.Orders()) != 0 {
		t.Errorf("an order was placed without a journal")
	}
}
