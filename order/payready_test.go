package order

import (
	"slices"
	"strings"
	"testing"

	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
)

func TestPaymentProblem(t *testing.T) {
	label := "************4242"
	for _, c := range []struct {
		m     ovhapi.PaymentMethod
		found bool
		want  string
	}{
		{ovhapi.PaymentMethod{Status: "VALID"}, true, ""},
		{ovhapi.PaymentMethod{}, false, "no default payment method"},
		{ovhapi.PaymentMethod{Status: "EXPIRED", PaymentType: "CREDIT_CARD", Label: &label}, true, "(CREDIT_CARD ************4242) is EXPIRED"},
		{ovhapi.PaymentMethod{Status: "PAUSED"}, true, "is PAUSED, not VALID"},
	} {
		got := PaymentProblem(c.m, c.found)
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%+v found=%v: %q, want %q", c.m, c.found, got, c.want)
		}
	}
}

// TestPaymentNotReadyBeforeAnyPoll: with autopay on and a PAUSED default
// method, the warning comes before the first poll; a valid method says
// ready; without autopay nothing is read.
func TestPaymentNotReadyBeforeAnyPoll(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	if err := env.sim.SetPaymentMethodStatus("PAUSED"); err != nil {
		t.Fatal(err)
	}
	withPayment := func(c *Config) { c.DefaultPaymentMethod = c.API.(*ovhapi.OVHClient).DefaultPaymentMethod }
	h := startEngine(t, env, "", prefsJSON(t, entry()), withPayment)
	ev := h.wait("payment warning", isA[PaymentNotReady]).(PaymentNotReady)
	if ev.Status != "PAUSED" || !strings.Contains(ev.Message(), "PAUSED") || len(ev.Entries) != 1 {
		t.Errorf("warning %+v: %s", ev, ev.Message())
	}
	h.wait("a poll", isA[PollOK])
	h.mu.Lock()
	evs := slices.Clone(h.evs)
	h.mu.Unlock()
	if i, j := slices.IndexFunc(evs, isA[PaymentNotReady]), slices.IndexFunc(evs, isA[PollOK]); i > j {
		t.Errorf("the payment warning (event %d) came after the first poll (event %d)", i, j)
	}
	h.stop()

	env2 := newSim(t, ovhsim.Options{})
	h2 := startEngine(t, env2, "", prefsJSON(t, entry()), withPayment)
	h2.wait("payment ready", isA[PaymentReady])

	env3 := newSim(t, ovhsim.Options{})
	env3.sim.SetPaymentMethod(ovhsim.PaymentNone)
	h3 := startEngine(t, env3, "", prefsJSON(t, entry(func(m map[string]any) { m["autopay"] = false })), withPayment)
	h3.waitPolls(3)
	if n := len(env3.requests("GET", "/me/payment/method")); n != 0 || h3.count(isA[PaymentNotReady]) != 0 {
		t.Errorf("without autopay: %d payment method reads, %d warnings", n, h3.count(isA[PaymentNotReady]))
	}
}

// TestPaymentCheckWithoutTheRight: a key without GET /me/payment/method
// is told plainly what is missing.
func TestPaymentCheckWithoutTheRight(t *testing.T) {
	rules := slices.DeleteFunc(ovhsim.DefaultRules(), func(r ovhsim.Rule) bool { return strings.HasPrefix(r.Path, "/me/payment/method") })
	env := newSim(t, ovhsim.Options{Rules: rules})
	h := startEngine(t, env, "", prefsJSON(t, entry()), func(c *Config) {
		c.DefaultPaymentMethod = c.API.(*ovhapi.OVHClient).DefaultPaymentMethod
	})
	h.wait("the missing right said", func(ev Event) bool {
		i, ok := ev.(Info)
		return ok && strings.Contains(i.Text, "lacks GET /me/payment/method")
	})
}
