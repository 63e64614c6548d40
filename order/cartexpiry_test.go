package order

import (
	"strings"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/order/ovhsim"
)

func TestCartExpiryFallsBackWhenRefused(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	env.sim.InjectFault(ovhsim.Fault{Method: "POST", Path: "/order/cart", Status: 400,
		Body: `{"class":"Client::BadRequest","message":"Invalid expire date"}`, Times: 1})
	id := buildCartDirect(t, env.client(t), "fra")
	var bodies []string
	for _, r := range env.requests("POST", "/order/cart") {
		bodies = append(bodies, r.Body)
	}
	if len(bodies) != 2 || !strings.Contains(bodies[1], "expire") {
		t.Fatalf("cart creations %v", bodies)
	}
	for _, c := range env.sim.Carts() {
		if c.ID == id && c.Expire.Sub(c.Created) > 8*24*time.Hour {
			t.Fatalf("fallback expiry %v", c.Expire.Sub(c.Created))
		}
	}
}
