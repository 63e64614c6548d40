package serve

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
	"github.com/ovhtui/ovhtui/tui"
	"github.com/ovhtui/ovhtui/vtscreen"
)

// waitTimeout only bounds a test that would otherwise hang: generous, as
// CI's machine may be far slower than ours under -race.
const waitTimeout = 2 * time.Minute

const (
	simPlan = "25skleb01"
	simFQN  = "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme"
)

// syncBuffer is a log sink tests read.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	notify chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.notify != nil {
		close(s.notify)
		s.notify = nil
	}
	return s.b.Write(p)
}

// waitCount waits until the log holds text n times; the server logs a
// failure after the client has seen it.
func (s *syncBuffer) waitCount(t testing.TB, text string, n int) {
	t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		got := strings.Count(s.b.String(), text)
		if s.notify == nil {
			s.notify = make(chan struct{})
		}
		ch := s.notify
		s.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("log holds %q %d times, want %d:\n%s", text, got, n, s.String())
		}
	}
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is one engine on the simulator, served over SSH.
type env struct {
	t       testing.TB
	sim     *ovhsim.Sim
	path    string
	store   *prefs.Store
	eng     *order.Engine
	hub     *Hub
	srv     *Server
	addr    string
	hostKey gossh.PublicKey
	log     *syncBuffer
	account *countingAccount

	rw, ro, stranger gossh.Signer
}

type envOpts struct {
	idle   time.Duration
	limits Limits
}

func newSigner(t testing.TB) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func startEnv(t testing.TB, o envOpts) *env {
	t.Helper()
	cat, err := os.ReadFile("../testdata/eco-catalog-IE.json")
	if err != nil {
		t.Fatal(err)
	}
	sim, err := ovhsim.New(cat, ovhsim.Options{NoPadding: true})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(sim)
	sim.Install(hs.Config)
	hs.Start()
	t.Cleanup(hs.Close)
	for _, dc := range []string{"fra", "gra"} {
		sim.SetAvailability(simFQN, dc, "unavailable")
	}

	dir := t.TempDir()
	e := &env{t: t, sim: sim, path: filepath.Join(dir, "preferences.json"), hub: NewHub(), log: &syncBuffer{},
		rw: newSigner(t), ro: newSigner(t), stranger: newSigner(t)}
	entry := map[string]any{
		"planCode": simPlan, "fqn": simFQN, "place_order": true, "autopay": true, "qty": 1, "ceiling_price": 50.0,
		"datacenters":     []map[string]string{{"region": "europe", "dedicated_datacenter": "fra"}, {"region": "europe", "dedicated_datacenter": "gra"}},
		"labels":          map[string]string{"dedicated_os": "none_64.en"},
		"addon_planCodes": []string{"softraid-2x450nvme-25skle", "bandwidth-300-25skle", "ram-32g-ecc-2400-25skle"},
	}
	b, _ := json.MarshalIndent(map[string]any{"subsidiary": "IE", "user_servers": []any{entry}}, "", "  ")
	if err := os.WriteFile(e.path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if e.store, err = prefs.Open(e.path, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	cl, err := ovh.NewClient(hs.URL+"/1.0", "sim-app-key", "sim-app-secret", "sim-consumer-key")
	if err != nil {
		t.Fatal(err)
	}
	api := ovhapi.NewOVHClient(cl, ovhapi.ClientOptions{})
	e.eng = order.New(order.Config{API: api, Store: e.store, Poll: order.MinPoll, Endpoint: hs.URL + "/1.0"})
	e.account = newCountingAccount()

	keys := filepath.Join(dir, "authorized_keys")
	lines := "# the owner\n" + string(gossh.MarshalAuthorizedKey(e.rw.PublicKey())) +
		ReadOnlyOption + " " + strings.TrimSpace(string(gossh.MarshalAuthorizedKey(e.ro.PublicKey()))) + " watcher@example\n"
	if err := os.WriteFile(keys, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(e.log, nil))
	e.srv, err = New(Options{
		Addr: "127.0.0.1:0", AuthorizedKeys: keys, HostKey: filepath.Join(dir, "ssh_host_ed25519_key"),
		Hub: e.hub, Log: log, IdleTimeout: o.idle, Limits: o.limits,
		Deps: func() tui.Deps {
			return tui.Deps{Store: e.store, Rearm: e.eng.Rearm, BuyAnother: e.eng.BuyAnother, Account: e.account,
				Endpoint: "sim", Subsidiary: "IE", Poll: order.MinPoll, Log: log}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	hk, err := LoadOrCreateHostKey(filepath.Join(dir, "ssh_host_ed25519_key"))
	if err != nil {
		t.Fatal(err)
	}
	e.hostKey = hk.PublicKey()

	ctx, cancel := context.WithCancel(context.Background())
	engDone := make(chan error, 1)
	pumped := make(chan struct{})
	go func() {
		defer close(pumped)
		for ev := range e.eng.Events() {
			e.hub.Publish(ev)
		}
		e.hub.Close()
	}()
	go func() { engDone <- e.eng.Run(ctx) }()
	ready := make(chan string, 1)
	srvDone := make(chan error, 1)
	go func() { srvDone <- e.srv.Serve(ctx, func(a net.Addr) { ready <- a.String() }) }()
	select {
	case e.addr = <-ready:
	case err := <-srvDone:
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-srvDone; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if err := <-engDone; err != nil {
			t.Errorf("Run: %v", err)
		}
		<-pumped
	})
	return e
}

// dial connects with auth methods, checking the server's host key.
func (e *env) dial(auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", e.addr, &gossh.ClientConfig{
		User: "me", Auth: auth, HostKeyCallback: gossh.FixedHostKey(e.hostKey), Timeout: 10 * time.Second,
	})
}

// term is one SSH session with a pty, its screen output collected.
type term struct {
	t      testing.TB
	client *gossh.Client
	sess   *gossh.Session
	in     io.WriteCloser

	mu     sync.Mutex
	screen *vtscreen.Screen // what a terminal shows of the output: what tests read
	notify chan struct{}
	closed chan struct{}
}

// The size of every session's terminal.
const termRows, termCols = 40, 120

func (e *env) open(signer gossh.Signer) *term {
	e.t.Helper()
	c, err := e.dial(gossh.PublicKeys(signer))
	if err != nil {
		e.t.Fatalf("dial: %v", err)
	}
	return openOn(e.t, c)
}

func openOn(t testing.TB, c *gossh.Client) *term {
	t.Helper()
	s, err := c.NewSession()
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	if err := s.RequestPty("xterm-256color", termRows, termCols, gossh.TerminalModes{}); err != nil {
		t.Fatalf("pty: %v", err)
	}
	in, err := s.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	tm := &term{t: t, client: c, sess: s, in: in, screen: vtscreen.New(termRows, termCols), notify: make(chan struct{}), closed: make(chan struct{})}
	go func() {
		defer close(tm.closed)
		buf := make([]byte, 32<<10)
		for {
			n, err := out.Read(buf)
			tm.mu.Lock()
			tm.screen.Write(buf[:n])
			close(tm.notify)
			tm.notify = make(chan struct{})
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	if err := s.Shell(); err != nil {
		t.Fatalf("shell: %v", err)
	}
	t.Cleanup(func() { tm.close() })
	return tm
}

func (tm *term) close() {
	tm.sess.Close()
	tm.client.Close()
}

// waitFor waits until the session's screen shows text on one row (spaces
// aside: the layout pads). The screen is the one a terminal draws from the
// output, not the raw bytes: the renderer sends only the cells that
// changed, so a text may never appear whole in the stream.
func (tm *term) waitFor(text string) {
	tm.t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		tm.mu.Lock()
		shown := tm.screen.Shows(text)
		ch := tm.notify
		tm.mu.Unlock()
		if shown {
			return
		}
		select {
		case <-ch:
		case <-tm.closed:
			tm.mu.Lock()
			shown = tm.screen.Shows(text)
			tm.mu.Unlock()
			if shown {
				return
			}
			tm.t.Fatalf("session ended before showing %q; screen:\n%s", text, tm.text())
		case <-deadline.C:
			tm.t.Fatalf("timeout waiting for %q; screen:\n%s", text, tm.text())
		}
	}
}

// showed reports whether the session's screen has shown text (see waitFor).
func (tm *term) showed(text string) bool {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.screen.Shows(text)
}

// text is what the session's screen shows now.
func (tm *term) text() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.screen.Text()
}

// waitClosed waits for the server to end the session.
func (tm *term) waitClosed() {
	tm.t.Helper()
	select {
	case <-tm.closed:
	case <-time.After(waitTimeout):
		tm.t.Fatal("the session was not closed")
	}
}

// press sends keys: single characters, or "enter", "esc".
func (tm *term) press(keys ...string) {
	tm.t.Helper()
	for _, k := range keys {
		s := k
		switch k {
		case "enter":
			s = "\r"
		case "esc":
			s = "\x1b"
		}
		if _, err := io.WriteString(tm.in, s); err != nil {
			tm.t.Fatalf("send %q: %v", k, err)
		}
	}
}

// countingAccount is an account with one unpaid order and one server
// renewed by hand; it counts payments and renewals.
type countingAccount struct {
	mu             sync.Mutex
	pays, renewals int
}

func newCountingAccount() *countingAccount { return &countingAccount{} }

var _ tui.AccountAPI = (*countingAccount)(nil)

func eur(u int64) money.Amount { return money.Amount{Ucents: u, Currency: "EUR"} }

func (a *countingAccount) Orders(context.Context, []int64) ([]account.Order, error) {
	return []account.Order{{ID: 200000002, Date: time.Now().Add(-time.Hour), Expiration: time.Now().Add(23 * time.Hour),
		What: "25skleb01 in gra", WithoutTax: eur(1998000000), WithTax: eur(2458000000), Status: "notPaid", Ours: true}}, nil
}

func (a *countingAccount) Order(_ context.Context, id int64) account.Order {
	return account.Order{ID: id, Status: "notPaid"}
}

func (a *countingAccount) PaymentMeans(context.Context, int64) ([]account.PaymentMean, error) {
	return []account.PaymentMean{{Mean: "creditCard", ID: 4242001, Label: "Visa ****4242", Default: true}}, nil
}

func (a *countingAccount) Pay(context.Context, account.PayRequest) (account.PayResult, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.pays++
	return account.PayResult{}, fmt.Errorf("test account pays nothing")
}

func (a *countingAccount) Servers(context.Context) ([]account.Server, error) {
	return []account.Server{{Name: "ns3012001.ip-51-75-2.eu", ServiceID: 120000001, Datacenter: "gra3",
		Expiration: time.Now().Add(4 * 24 * time.Hour), ManualPayment: true, PeriodMonths: 1, Status: "ok"}}, nil
}

func (a *countingAccount) RenewOptions(context.Context, int64) ([]account.RenewOption, error) {
	return []account.RenewOption{{Period: "P1M", WithoutTax: eur(1699000000)}}, nil
}

func (a *countingAccount) RenewDryRun(_ context.Context, id int64, period string) (account.RenewQuote, error) {
	return account.RenewQuote{ServiceID: id, Period: period, WithoutTax: eur(1699000000), Tax: eur(391000000), WithTax: eur(2090000000)}, nil
}

func (a *countingAccount) Renew(context.Context, account.RenewRequest) (account.RenewResult, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.renewals++
	return account.RenewResult{}, fmt.Errorf("test account renews nothing")
}

func (a *countingAccount) counts() (int, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.pays, a.renewals
}
