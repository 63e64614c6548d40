package serve

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

func TestAuthorizedKeySeesTheDashboard(t *testing.T) {
	e := startEnv(t, envOpts{})
	tm := e.open(e.rw)
	tm.waitFor("ovhtui")
	tm.waitFor(simPlan)
	tm.waitFor("entries")
	// The help screen answers: every key works over SSH.
	tm.press("?")
	tm.waitFor("place_order")
	if tm.showed("READ-ONLY") {
		t.Error("a read-write key's session says READ-ONLY")
	}
	if !strings.Contains(e.log.String(), "ssh: session opened") {
		t.Errorf("session not logged:\n%s", e.log.String())
	}
}

func TestRefusedWithoutAnAuthorizedKey(t *testing.T) {
	e := startEnv(t, envOpts{})
	for _, tc := range []struct {
		name string
		auth gossh.AuthMethod
	}{
		{"unknown key", gossh.PublicKeys(e.stranger)},
		{"password", gossh.Password("hunter2")},
		{"keyboard-interactive", gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return []string{"hunter2"}, nil
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := e.dial(tc.auth)
			if err == nil {
				c.Close()
				t.Fatal("connection accepted")
			}
			if !strings.Contains(err.Error(), "unable to authenticate") {
				t.Errorf("error %v, want an authentication refusal", err)
			}
		})
	}
	e.log.waitCount(t, "ssh: connection failed", 3)
	if !strings.Contains(e.log.String(), "peer=127.0.0.1:") {
		t.Errorf("failures logged without the peer address:\n%s", e.log.String())
	}
}

func TestRepeatedFailuresBlockTheAddress(t *testing.T) {
	e := startEnv(t, envOpts{limits: Limits{MaxFailures: 3, Window: time.Hour, BlockFor: time.Hour}})
	for range 3 {
		if c, err := e.dial(gossh.PublicKeys(e.stranger)); err == nil {
			c.Close()
			t.Fatal("stranger let in")
		}
	}
	e.log.waitCount(t, "address blocked", 1)
	// Blocked: even the right key is turned away before the handshake.
	c, err := e.dial(gossh.PublicKeys(e.rw))
	if err == nil {
		c.Close()
		t.Fatal("a blocked address got in")
	}
}

func TestReadOnlyKeyChangesNothing(t *testing.T) {
	e := startEnv(t, envOpts{})
	// The engine saves its carts in the file meanwhile: compare what the
	// user decides.
	choices := func() string {
		f, err := prefs.Load(e.path)
		if err != nil {
			t.Fatal(err)
		}
		s := f.Servers[0]
		return fmt.Sprintf("place_order %v autopay %v qty %d ceiling %v attempted %v order %d", s.PlaceOrder, s.Autopay, s.Qty, s.CeilingPrice, s.OrderAttempted, s.OrderID)
	}
	before := choices()
	tm := e.open(e.ro)
	tm.waitFor("READ-ONLY")
	tm.waitFor(simPlan)
	// place_order, autopay, qty, buy another, re-arm, ceiling.
	tm.press("p", "y", "a", "y", "+", "B", "y", "R", "y", "e")
	tm.waitFor(`read-only session: "e" changes nothing`)
	// Pay the unpaid order; renew the server.
	tm.press("O")
	tm.waitFor("200000002")
	tm.press("enter", "y", "p", "y")
	tm.waitFor(`read-only session: "p" changes nothing`)
	tm.press("S")
	tm.waitFor("ns3012001")
	tm.press("enter", "enter", "y", "n")
	tm.waitFor(`read-only session: "n" changes nothing`)
	if after := choices(); after != before {
		t.Errorf("preferences changed by a read-only session: %s, was %s", after, before)
	}
	if pays, renewals := e.account.counts(); pays != 0 || renewals != 0 {
		t.Errorf("read-only session paid %d and renewed %d times", pays, renewals)
	}
}

func TestTwoSessionsSeeTheSameOrder(t *testing.T) {
	e := startEnv(t, envOpts{})
	events, _, stop := e.hub.Subscribe()
	defer stop()
	a, b := e.open(e.rw), e.open(e.ro)
	for _, tm := range []*term{a, b} {
		tm.waitFor(simPlan)
	}
	// Both ready before stock appears.
	deadline := time.After(waitTimeout)
	carts := map[string]bool{}
	for len(carts) < 2 {
		select {
		case ev := <-events:
			if c, ok := ev.(order.CartReady); ok {
				carts[c.DC] = true
			}
		case <-deadline:
			t.Fatal("carts not ready")
		}
	}
	e.sim.SetAvailability(simFQN, "gra", "1H-high")
	var placed order.OrderPlaced
	for placed.OrderID == 0 {
		select {
		case ev := <-events:
			if p, ok := ev.(order.OrderPlaced); ok {
				placed = p
			}
		case <-deadline:
			t.Fatal("no order")
		}
	}
	for _, tm := range []*term{a, b} {
		tm.waitFor("ORDER PLACED")
		tm.waitFor("#" + strconv.FormatInt(placed.OrderID, 10))
	}
}

// A session attached after the order sees it in the state it replays.
func TestLateSessionSeesTheCurrentState(t *testing.T) {
	e := startEnv(t, envOpts{})
	events, _, stop := e.hub.Subscribe()
	defer stop()
	deadline := time.After(waitTimeout)
	for {
		select {
		case ev := <-events:
			if _, ok := ev.(order.PollOK); ok {
				goto polled
			}
		case <-deadline:
			t.Fatal("no poll")
		}
	}
polled:
	tm := e.open(e.rw)
	tm.waitFor(simPlan)
	tm.waitFor("engine started")
}

func TestIdleSessionTimesOut(t *testing.T) {
	e := startEnv(t, envOpts{idle: 200 * time.Millisecond})
	tm := e.open(e.rw)
	// No wait for the dashboard: on a slow machine the 200 ms can pass
	// before its first frame, and the session is rightly closed first.
	tm.waitClosed()
	e.log.waitCount(t, "idle session closed", 1)
	if strings.Count(e.log.String(), "ssh: session opened") != 1 {
		t.Errorf("the session was not opened once:\n%s", e.log.String())
	}
}

func TestCommandsAreRefused(t *testing.T) {
	e := startEnv(t, envOpts{})
	c, err := e.dial(gossh.PublicKeys(e.rw))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.CombinedOutput("cat /etc/passwd")
	if err == nil {
		t.Fatalf("command ran: %s", out)
	}
	if strings.Contains(string(out), "root:") || !strings.Contains(string(out), "dashboard only") {
		t.Errorf("output %q", out)
	}
}
