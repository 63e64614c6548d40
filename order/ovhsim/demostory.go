package ovhsim

import (
	"slices"
	"time"
)

// The demo's scripting: what OVH does in the story `ovhtui --demo` tells
// (cli's demo story decides when). Prices rise and fall back, a server
// whose renewal is manual nears its expiry. Options.OrderLife and
// Options.KeepDelivered keep a demo watched for hours readable.

// PlanPrice returns the `default` mode monthly and setup prices of a plan
// or addon (SetPlanPrice's override, else the catalog's); false when the
// catalog does not have it.
func (s *Sim) PlanPrice(planCode string) (monthly, setup int64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.lookupPlan(planCode)
	if p == nil {
		return 0, 0, false
	}
	if pr, found := p.pricing(modeDefault, capRenew); found {
		monthly = s.priceOf(planCode, pr)
	}
	if pr, found := p.pricing(modeDefault, capInstallation); found {
		setup = s.priceOf(planCode, pr)
	}
	return monthly, setup, true
}

// ResetPlanPrice undoes SetPlanPrice: the plan costs the catalog's price again.
func (s *Sim) ResetPlanPrice(planCode string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.prices, planCode)
}

// NearExpiry brings a server whose renewal is manual near its expiry, as
// if time had passed: unless one already expires within lead, the manual
// server next in line (the one that expires soonest) is set to expire in
// `in` (a date, as OVH keeps it). One just renewed is last in line. It
// returns that server's name and its new expiry, or "" when one was near
// already or the account has no manual server.
func (s *Sim) NearExpiry(in, lead time.Duration) (string, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.deliverLocked(now)
	var next *server
	for _, sv := range s.aw.servers {
		if sv.automatic || !sv.expiration.After(now) {
			continue
		}
		if sv.expiration.Sub(now) <= lead {
			return "", time.Time{}
		}
		if next == nil || sv.expiration.Before(next.expiration) {
			next = sv
		}
	}
	if next == nil {
		return "", time.Time{}
	}
	next.expiration = dateOf(now.Add(in))
	next.nearExpiry = true
	return next.name, next.expiration
}

// trimDeliveredLocked keeps the keep latest servers delivered from orders
// (keep <= 0: all of them); seeded servers stay, and so do those NearExpiry
// brought near (the story told the user to renew them).
func (s *Sim) trimDeliveredLocked(keep int) {
	if keep <= 0 {
		return
	}
	var delivered []*server
	for _, sv := range s.aw.servers {
		if sv.orderID != 0 && !sv.nearExpiry {
			delivered = append(delivered, sv)
		}
	}
	if len(delivered) <= keep {
		return
	}
	slices.SortStableFunc(delivered, func(a, b *server) int { return a.creation.Compare(b.creation) })
	gone := delivered[:len(delivered)-keep]
	s.aw.servers = slices.DeleteFunc(s.aw.servers, func(sv *server) bool { return slices.Contains(gone, sv) })
}
