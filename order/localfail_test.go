package order

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/prefs"
)

// noOVHBlame fails when an event blames OVH or reports a refusal.
func noOVHBlame(t *testing.T, h *harness) {
	t.Helper()
	if n := h.count(isA[OrderFailed]); n != 0 {
		t.Errorf("%d OrderFailed events for a local failure:\n%s", n, h.dump())
	}
	if n := h.count(func(ev Event) bool { return strings.Contains(ev.Message(), "by OVH") }); n != 0 {
		t.Errorf("a local failure is blamed on OVH:\n%s", h.dump())
	}
}

// latchFailures is how many latch saves failed in a row so far.
func latchFailures(e *Engine) int {
	e.local.mu.Lock()
	defer e.local.mu.Unlock()
	if f := e.local.failures["latch"]; f != nil {
		return f.count
	}
	return 0
}

func infoWith(text string) func(Event) bool {
	return func(ev Event) bool { i, ok := ev.(Info); return ok && strings.Contains(i.Text, text) }
}

// TestLatchNotSavedIsLocalSaidOnceThenCounted: when preferences.json cannot
// take the latch, nothing is sent to OVH, the message says what failed here
// and what to do, once, then counts; and ordering resumes when the file is
// fixed (issue 12.5).
func TestLatchNotSavedIsLocalSaidOnceThenCounted(t *testing.T) {
	for _, tc := range []struct {
		name   string
		breakF func(t *testing.T, path string)
		want   string // in the one message
	}{
		{"file no longer parses", func(t *testing.T, path string) {
			if err := prefs.SaveAtomic(path, []byte("{\"subsidiary\": \"IE\",\n  broken\n")); err != nil {
				t.Fatal(err)
			}
		}, "fix the file (ovhtui --check lists every problem)"},
		{"file gone", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}, "the file or its folder is gone: put it back"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newSim(t, ovhsim.Options{})
			good := prefsJSON(t, entry())
			h := startEngine(t, env, "", good)
			h.waitCarts("fra", "gra")
			tc.breakF(t, h.path)
			env.sim.SetAvailability(simFQN, "fra", "1H-high")
			h.wait("the latch failure", infoWith("not attempted"))
			h.wait("a second failed latch save", func(Event) bool { return latchFailures(h.eng) >= 2 })
			h.waitPolls(5)
			if n := h.count(infoWith("not attempted")); n != 1 {
				t.Errorf("said %d times, want once:\n%s", n, h.dump())
			}
			msg := h.wait("the latch failure", infoWith("not attempted")).(Info).Text
			for _, w := range []string{"order in fra not attempted: the latch could not be saved to " + h.store.Path(), "nothing was sent to OVH", tc.want} {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			if n := h.count(infoWith("preferences not reloaded")); n > 1 {
				t.Errorf("the reload failure is said %d times, want once:\n%s", n, h.dump())
			}
			noOVHBlame(t, h)
			if n := len(env.requests("POST", checkoutSuffix)); n != 0 {
				t.Fatalf("%d checkouts sent without a saved latch", n)
			}

			// Fixed: it says so with the count, and orders.
			if err := prefs.SaveAtomic(h.path, good); err != nil {
				t.Fatal(err)
			}
			again := h.wait("saved again", infoWith("can be saved again, after")).(Info).Text
			if !strings.Contains(again, "failed latch save") {
				t.Errorf("recovery %q does not count the failures", again)
			}
			h.waitOrder()
		})
	}
}

// TestOrderKnownButUnsaved: OVH created the order but preferences.json
// could not record it: the message says the order was placed and not
// saved, the record is written as soon as the file takes it, and if it
// never does the final summary says so and Run fails (issue 12.5).
func TestOrderKnownButUnsaved(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fixLate bool
	}{
		{"saved as soon as the disk allows", true},
		{"never saved: summary and exit say so", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newSim(t, ovhsim.Options{})
			h := startEngine(t, env, "", prefsJSON(t, entry()))
			h.waitCarts("fra", "gra")
			var once sync.Once
			var latched []byte
			env.sim.OnRequest(func(r ovhsim.Request) {
				if r.Method == "POST" && strings.HasSuffix(r.Path, checkoutSuffix) {
					once.Do(func() {
						// The latch is on disk; break the file before the answer.
						latched, _ = os.ReadFile(h.path)
						prefs.SaveAtomic(h.path, []byte("{ broken"))
					})
				}
			})
			env.sim.SetAvailability(simFQN, "fra", "1H-high")
			placed := h.waitOrder()
			h.wait("not saved", infoWith("placed in fra, but it could not be saved"))
			noOVHBlame(t, h)
			if tc.fixLate {
				if err := prefs.SaveAtomic(h.path, latched); err != nil {
					t.Fatal(err)
				}
				h.wait("saved late", infoWith("is now saved to"))
				if f := h.file(); f.Servers[0].OrderID != placed.OrderID || f.Servers[0].OrderedIn != "fra" {
					t.Fatalf("file after the late save: order %d in %q, want %d in fra", f.Servers[0].OrderID, f.Servers[0].OrderedIn, placed.OrderID)
				}
				return
			}
			sum := strings.Join(h.eng.Summary(), "\n")
			if !strings.Contains(sum, "NOT SAVED") || strings.Contains(sum, "no confirmed outcome") {
				t.Errorf("summary:\n%s", sum)
			}
			h.cancel()
			err := <-h.done
			<-h.closed
			h.cancel = nil
			h.store.Close()
			if err == nil || !strings.Contains(err.Error(), "1 order placed but not saved") {
				t.Errorf("Run: %v, want the unsaved order", err)
			}
			if n := len(env.sim.Orders()); n != 1 {
				t.Errorf("%d orders at OVH", n)
			}
		})
	}
}

// TestCheckoutNotSentIsNotARefusal: a checkout that never left this machine
// (the journal could not be written) releases the latch and is told as not
// sent, never as refused by OVH (issue 12.5).
func TestCheckoutNotSentIsNotARefusal(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	h.waitCarts("fra", "gra")
	h.eng.jmu.Lock()
	h.eng.journal.Close() // every append fails from now on
	h.eng.jmu.Unlock()
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	failed := h.wait("not sent", isA[OrderFailed]).(OrderFailed)
	if !failed.NotSent || !strings.Contains(failed.Message(), "order in fra not placed, nothing reached OVH: the journal could not be written") {
		t.Errorf("OrderFailed %+v: %s", failed, failed.Message())
	}
	if n := h.count(func(ev Event) bool { return strings.Contains(ev.Message(), "by OVH") }); n != 0 {
		t.Errorf("blamed on OVH:\n%s", h.dump())
	}
	if n := len(env.requests("POST", checkoutSuffix)); n != 0 {
		t.Errorf("%d checkouts sent without a journal", n)
	}
	for _, tc := range []struct {
		ev   OrderFailed
		want string
	}{
		{OrderFailed{Base: Base{DC: "bhs"}, Definitive: true, NotSent: true, Err: "x"}, "order in bhs not placed, nothing reached OVH: x"},
		{OrderFailed{Base: Base{DC: "bhs"}, Definitive: true, Err: "x"}, "order in bhs refused by OVH: x"},
	} {
		if got := tc.ev.Message(); got != tc.want {
			t.Errorf("Message %q, want %q", got, tc.want)
		}
	}
}
