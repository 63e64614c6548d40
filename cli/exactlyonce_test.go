package cli

import (
	"bytes"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/prefs"
)

// The exactly-once tests run the real `ovhtui --headless` as a child process
// against the simulator served by the test, SIGKILL it at a step of the
// pipeline, restart it on the same preferences file, and check what OVH (the
// simulator) and preferences.json end up with.

const killTestFQN = "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme"

const killTestPrefs = `{
  "subsidiary": "IE",
  "user_servers": [
    {
      "planCode": "25skleb01",
      "fqn": "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme",
      "skip_validate": false,
      "place_order": true,
      "autopay": true,
      "coupons": [],
      "datacenters": [
        { "region": "europe", "dedicated_datacenter": "fra" },
        { "region": "europe", "dedicated_datacenter": "gra" }
      ],
      "labels": { "dedicated_os": "none_64.en" },
      "addon_planCodes": ["softraid-2x450nvme-25skle", "bandwidth-300-25skle", "ram-32g-ecc-2400-25skle"],
      "qty": 1,
      "ceiling_price": 25.0,
      "dc_carts": {}
    }
  ]
}
`

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	buildOut  []byte
)

// ovhtuiBinary builds the command once for all tests.
func ovhtuiBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ovhtui-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "ovhtui")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Dir = rootDir
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("build ovhtui: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

// child is one run of ovhtui --headless.
type child struct {
	cmd  *exec.Cmd
	out  *bytes.Buffer
	done chan error
}

func startChild(t *testing.T, bin, endpoint, dir string) *child {
	t.Helper()
	cmd := exec.Command(bin, "--headless", "--poll", "1s", "--prefs", filepath.Join(dir, "preferences.json"), "--env", filepath.Join(dir, "none.env"))
	cmd.Dir = dir
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"XDG_CACHE_HOME=" + filepath.Join(dir, "cache"),
		"OVH_ENDPOINT=" + endpoint,
		"OVH_APPLICATION_KEY=sim-app-key",
		"OVH_APPLICATION_SECRET=sim-app-secret",
		"OVH_CONSUMER_KEY=sim-consumer-key",
	}
	c := &child{cmd: cmd, out: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout = &lockedWriter{w: c.out}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start ovhtui: %v", err)
	}
	go func() { c.done <- cmd.Wait() }()
	return c
}

// lockedWriter lets the test read the child's output while it runs.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

func (c *child) output() string { return c.cmd.Stdout.(*lockedWriter).String() }

// wait waits for the child to exit by itself (a guard, not a timing
// assertion: the child exits once nothing is left to do).
func (c *child) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-c.done:
		return err
	case <-time.After(guardBound):
		c.cmd.Process.Kill()
		<-c.done
		t.Fatalf("ovhtui did not exit; output:\n%s", c.output())
		return nil
	}
}

// killScenario runs the child until trigger fires (from a simulator hook),
// SIGKILLs it there, restarts it, and lets it finish.
type killScenario struct {
	name string
	// arm installs the hook that kills the child at the chosen step.
	// kill does nothing once the first child is gone.
	arm func(sim *ovhsim.Sim, kill func())
	// wantOrder: an order exists at OVH after the kill.
	wantOrder bool
}

func TestExactlyOnceAcrossSIGKILL(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := ovhtuiBinary(t)
	isCheckout := func(r ovhsim.Request) bool {
		return r.Method == "POST" && strings.HasPrefix(r.Path, "/order/cart/") && strings.HasSuffix(r.Path, "/checkout")
	}
	scenarios := []killScenario{
		{
			name: "during cart build",
			arm: func(sim *ovhsim.Sim, kill func()) {
				var once sync.Once
				sim.OnRequest(func(r ovhsim.Request) {
					if r.Method == "POST" && strings.HasSuffix(r.Path, "/eco/options") {
						once.Do(kill)
					}
				})
			},
			wantOrder: true, // nothing was latched: the restart orders
		},
		{
			name: "after the latch save, before the checkout leaves",
			arm: func(sim *ovhsim.Sim, kill func()) {
				var once sync.Once
				sim.OnRequest(func(r ovhsim.Request) {
					if isCheckout(r) {
						once.Do(func() {
							// OVH must not act on this request: as if the process
							// died before sending it. The hook runs before the
							// handler, so withdrawing the stock here makes OVH
							// refuse the checkout, and the dead child never
							// hears of it.
							sim.SetAvailability(killTestFQN, "fra", "unavailable")
							kill()
						})
					}
				})
			},
			wantOrder: false,
		},
		{
			name: "while the checkout is in flight",
			arm: func(sim *ovhsim.Sim, kill func()) {
				var once sync.Once
				sim.OnRequest(func(r ovhsim.Request) {
					if isCheckout(r) {
						once.Do(kill) // OVH goes on and creates the order
					}
				})
			},
			wantOrder: true,
		},
		{
			name: "after the response",
			arm: func(sim *ovhsim.Sim, kill func()) {
				var once sync.Once
				sim.OnResponse(func(r ovhsim.Request) {
					if isCheckout(r) {
						once.Do(kill)
					}
				})
			},
			wantOrder: true,
		},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			catalogJSON, err := os.ReadFile(filepath.Join(rootDir, "testdata", "eco-catalog-IE.json"))
			if err != nil {
				t.Fatal(err)
			}
			sim, err := ovhsim.New(catalogJSON, ovhsim.Options{NoPadding: true})
			if err != nil {
				t.Fatal(err)
			}
			sim.SetAvailability(killTestFQN, "fra", "1H-high")
			srv := httptest.NewServer(sim)
			defer srv.Close()
			dir := t.TempDir()
			prefsPath := filepath.Join(dir, "preferences.json")
			if err := os.WriteFile(prefsPath, []byte(killTestPrefs), 0o600); err != nil {
				t.Fatal(err)
			}

			first := startChild(t, bin, srv.URL+"/1.0", dir)
			killed := make(chan struct{})
			var killOnce sync.Once
			sc.arm(sim, func() {
				killOnce.Do(func() {
					close(killed) // before the signal: the child may be reaped at once
					first.cmd.Process.Signal(syscall.SIGKILL)
				})
			})
			select {
			case <-killed:
			case err := <-first.done:
				select {
				case <-killed:
				default:
					t.Fatalf("ovhtui exited (%v) before reaching the kill point; output:\n%s", err, first.output())
				}
				first.done <- err
			case <-time.After(guardBound):
				first.cmd.Process.Kill()
				t.Fatalf("kill point never reached; output:\n%s", first.output())
			}
			<-first.done
			// The journal at the kill point: every latch is journaled
			// before the checkout leaves, so from the latch on the intent
			// is there, and no outcome but an order can be.
			jpath := journal.Beside(prefsPath)
			st := readJournal(t, jpath)
			intents := checkoutIntents(t, jpath)
			switch {
			case sc.name == "during cart build":
				if intents != 0 {
					t.Fatalf("%d checkout intents journaled before any latch", intents)
				}
			default:
				if intents != 1 {
					t.Fatalf("%d checkout intents journaled at the kill point, want 1", intents)
				}
				for _, es := range st.Entries {
					if es.Intent != nil && es.Phase() == journal.PhaseNone {
						t.Fatalf("journal says nothing was bought at the kill point: %+v", es.Outcome)
					}
				}
			}

			second := restartHeadless(t, srv.URL+"/1.0", dir)

			checkouts := 0
			for _, r := range sim.Requests() {
				if isCheckout(r) {
					checkouts++
				}
			}
			if checkouts != 1 {
				t.Errorf("%d checkout requests reached OVH, want exactly 1", checkouts)
			}
			orders := sim.Orders()
			f, err := prefs.Load(prefsPath)
			if err != nil {
				t.Fatalf("preferences after the runs: %v", err)
			}
			s := f.Servers[0]
			st = readJournal(t, jpath)
			es := st.Entry(s.ID)
			if s.ID == "" || es == nil {
				t.Fatalf("entry id %q unknown to the journal %v", s.ID, st.Entries)
			}
			if n := checkoutIntents(t, jpath); n != 1 {
				t.Errorf("%d checkout intents journaled, want 1", n)
			}
			if !sc.wantOrder {
				if len(orders) != 0 {
					t.Fatalf("%d orders exist, want none", len(orders))
				}
				if !s.OrderAttempted || s.OrderID != 0 {
					t.Errorf("entry: order_attempted %v order_id %d; want latched without order (needs your decision)", s.OrderAttempted, s.OrderID)
				}
				if s.Qty != 0 {
					t.Errorf("qty %d while latched, want 0", s.Qty)
				}
				if !strings.Contains(second, "needs your decision") {
					t.Errorf("the restart does not say the entry needs a decision:\n%s", second)
				}
				if es.Phase() != journal.PhaseAttempted {
					t.Errorf("journal phase %v, want attempted", es.Phase())
				}
				return
			}
			if es.Phase() != journal.PhaseOrdered || len(orders) == 1 && es.Order.OrderID != orders[0].ID {
				t.Errorf("journal: phase %v, order %+v", es.Phase(), es.Order)
			}
			if len(orders) != 1 {
				t.Fatalf("%d orders exist, want exactly 1; output:\n%s", len(orders), second)
			}
			o := orders[0]
			if s.OrderID != o.ID {
				t.Errorf("preferences record order %d, OVH has %d", s.OrderID, o.ID)
			}
			if s.OrderedIn != "fra" || o.DC != "fra" {
				t.Errorf("ordered in %q (file) / %q (OVH), want fra", s.OrderedIn, o.DC)
			}
			if o.WithoutTaxUcents > s.CeilingUcents() && s.CeilingUcents() > 0 {
				t.Errorf("order total %d above the ceiling %d", o.WithoutTaxUcents, s.CeilingUcents())
			}
			if o.WithoutTaxUcents > money.FromFloat(25) {
				t.Errorf("order total %d above the ceiling 25.00", o.WithoutTaxUcents)
			}
			if s.Qty != 0 {
				t.Errorf("qty %d after the order, want 0", s.Qty)
			}

			// The original file restored before a third start (no id, no
			// order, qty 1) buys nothing: the journal's order is written back.
			if err := os.WriteFile(prefsPath, []byte(killTestPrefs), 0o600); err != nil {
				t.Fatal(err)
			}
			third := restartHeadless(t, srv.URL+"/1.0", dir)
			if n := len(sim.Orders()); n != 1 {
				t.Fatalf("%d orders after an old copy was restored; output:\n%s", n, third)
			}
			if !strings.Contains(third, "restored from the journal: already ordered #") {
				t.Errorf("the restore is not said:\n%s", third)
			}
			if f, err := prefs.Load(prefsPath); err != nil || f.Servers[0].OrderID != o.ID || f.Servers[0].ID != s.ID {
				t.Errorf("old copy not restored: %v %+v", err, f.Servers[0])
			}
		})
	}
}

// restartHeadless runs `ovhtui --headless` again on dir's preferences, in
// this process (the same command tree the binary runs), until it exits by
// itself, and returns what it said. Only the killed run needs a process of
// its own; here the look-ups of an unknown checkout outcome are repeated
// without the 10 s and 40 s waits (order.Config.LookUpRetries).
func restartHeadless(t *testing.T, endpoint, dir string) string {
	t.Helper()
	e := &testEnv{t: t, vars: map[string]string{
		"HOME":                   dir,
		"XDG_CACHE_HOME":         filepath.Join(dir, "cache"),
		"OVH_ENDPOINT":           endpoint,
		"OVH_APPLICATION_KEY":    "sim-app-key",
		"OVH_APPLICATION_SECRET": "sim-app-secret",
		"OVH_CONSUMER_KEY":       "sim-consumer-key",
	}}
	e.tweak = func(a *app) { a.lookUpRetries = []time.Duration{0, 0} }
	code, out, errOut := e.run("--headless", "--poll", "1s", "--prefs", filepath.Join(dir, "preferences.json"), "--env", filepath.Join(dir, "none.env"))
	if code != exitOK {
		t.Fatalf("restarted ovhtui exited %d; output:\n%s%s", code, out, errOut)
	}
	return out + errOut
}

// readJournal folds the journal at path.
func readJournal(t *testing.T, path string) *journal.State {
	t.Helper()
	log, err := journal.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return journal.Fold(log.Records)
}

// checkoutIntents counts the checkout intents in the journal at path.
func checkoutIntents(t *testing.T, path string) int {
	t.Helper()
	log, err := journal.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range log.Records {
		if r.Type == journal.TypeIntent && r.Kind == journal.KindCheckout {
			n++
		}
	}
	return n
}
