package order

import (
	"testing"

	"github.com/ovhtui/ovhtui/order/ovhsim"
)

// TestQuietWhileCheckingOut: Quiet holds from the decision to check out
// until the checkout's outcome is saved, and is nil otherwise.
func TestQuietWhileCheckingOut(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	held := make(chan bool, 4)
	var eng *Engine
	h := startEngine(t, env, "", prefsJSON(t, entry()), func(e *Engine) {
		eng = e
		e.beforeSettle = func(a Action) {
			if a.Kind == ActCheckout {
				held <- e.Quiet() != nil
			}
		}
	})
	if eng.Quiet() != nil {
		t.Fatal("quiet held before any checkout")
	}
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	if !<-held {
		t.Fatal("a checkout under way and Quiet is nil")
	}
	h.wait("order", isA[OrderPlaced])
	h.stop() // Run waits for the checkout's goroutine
	if eng.Quiet() != nil {
		t.Fatal("quiet still held after the checkout ended")
	}
}

func TestQuietGate(t *testing.T) {
	var q quietGate
	if q.wait() != nil {
		t.Fatal("held at rest")
	}
	q.begin()
	q.begin()
	ch := q.wait()
	q.end()
	select {
	case <-ch:
		t.Fatal("released with one checkout left")
	default:
	}
	q.end()
	<-ch
	if q.wait() != nil {
		t.Fatal("held after both ended")
	}
}
