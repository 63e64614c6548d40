package ovhsim

import (
	"context"
	"math/rand/v2"
	"slices"
	"time"
)

// DemoTick is how often RunDemo changes availabilities.
const DemoTick = 3 * time.Second

// demoPlans are the plans RunDemo animates when given no fqns: Kimsufi
// servers people actually snipe.
var demoPlans = []string{"25skleb01", "24sk10", "24sk20", "25skle01", "24ska01"}

// RunDemo makes servers come and go until ctx ends, every DemoTick, so
// that a user of `ovhtui --demo` sees the whole cycle: each tick one fqn
// (in turn) becomes orderable in one of its DCs with a short delivery
// window (1H-high, 1H-low, 24H, 72H), the others drift between
// unavailable (mostly), comingSoon, unknown and long windows (720H,
// 2160H). fqns empty: the variants of a few real Kimsufi plans.
func (s *Sim) RunDemo(ctx context.Context, fqns []string) {
	s.RunDemoEvery(ctx, fqns, DemoTick)
}

// RunDemoEvery is RunDemo with its own tick.
func (s *Sim) RunDemoEvery(ctx context.Context, fqns []string, every time.Duration) {
	type target struct {
		fqn string
		dcs []string
	}
	var targets []target
	s.mu.Lock()
	if len(fqns) == 0 {
		for _, e := range s.entries {
			if slices.Contains(demoPlans, e.planCode) {
				fqns = append(fqns, e.fqn)
			}
		}
	}
	for _, f := range fqns {
		dcs := []string{"gra", "rbx", "sbg"}
		if e := s.entryByFQN[f]; e != nil && len(e.dcs) > 0 {
			dcs = slices.Clone(e.dcs)
		}
		targets = append(targets, target{f, dcs})
	}
	s.seedDemoAccountLocked()
	s.mu.Unlock()
	if len(targets) == 0 {
		return
	}
	rng := rand.New(rand.NewPCG(1, 2))
	hot := []string{Avail1HHigh, Avail1HLow, Avail24H, Avail72H}
	cold := []string{AvailUnavailable, AvailUnavailable, AvailUnavailable, AvailUnavailable, AvailUnavailable,
		AvailComingSoon, AvailUnknown, Avail720H, Avail2160H}
	t := time.NewTicker(every)
	defer t.Stop()
	for k := 0; ; k++ {
		s.mu.Lock()
		for i, tg := range targets {
			hotDC := -1
			if i == k%len(targets) {
				hotDC = rng.IntN(len(tg.dcs))
			}
			for j, dc := range tg.dcs {
				v := cold[rng.IntN(len(cold))]
				if j == hotDC {
					v = hot[rng.IntN(len(hot))]
				}
				s.setAvailabilityLocked(tg.fqn, dc, v)
			}
		}
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// demoDeliveryDelay is how long a paid demo order takes to deliver its
// server, so that the demo shows the whole lifecycle in a minute.
const demoDeliveryDelay = 20 * time.Second

// SeedDemoAccount gives the demo account its servers won earlier and short
// deliveries (see seedDemoAccountLocked); RunDemo does it too.
func (s *Sim) SeedDemoAccount() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seedDemoAccountLocked()
}

// seedDemoAccountLocked gives the demo account two servers won earlier
// (one renewing manually and expiring in 4 days, one renewing
// automatically) and short deliveries. It runs once per simulator.
func (s *Sim) seedDemoAccountLocked() {
	if len(s.aw.servers) > 0 {
		return
	}
	s.aw.deliveryDelay = demoDeliveryDelay
	now := s.now()
	seed := []struct {
		plan, dc  string
		expiresIn time.Duration
		automatic bool
	}{
		{"24sk10", "gra", 4 * 24 * time.Hour, false},
		{"24ska01", "rbx", 19 * 24 * time.Hour, true},
	}
	for _, sd := range seed {
		if s.lookupPlan(sd.plan) == nil {
			continue
		}
		sv := s.newServerLocked(s.opts.Account, sd.plan, s.defaultAddonsLocked(sd.plan), sd.dc, now.AddDate(0, -5, 0), 0)
		sv.expiration = dateOf(now.Add(sd.expiresIn))
		sv.automatic, sv.manualPayment = sd.automatic, !sd.automatic
	}
}

// defaultAddonsLocked is the default addon of each mandatory family of plan.
func (s *Sim) defaultAddonsLocked(plan string) []string {
	p := s.lookupPlan(plan)
	if p == nil {
		return nil
	}
	var out []string
	for _, f := range p.AddonFamilies {
		switch {
		case f.Default != nil && *f.Default != "":
			out = append(out, *f.Default)
		case f.Mandatory && len(f.Addons) > 0:
			out = append(out, f.Addons[0])
		}
	}
	return out
}
