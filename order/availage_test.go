package order

import (
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/prefs"
)

// TestAvailabilityAgeIsPublished: each DC's state says when its
// availability was read and whether it is still current; an entry no
// longer polled (ordered, stopped, invalid) or polls that stopped
// answering make it old (issue 18; issue 16 path 2: the row of an ordered
// entry showed the last value as if current).
func TestAvailabilityAgeIsPublished(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		edit    func(*prefs.Server)
		blocked bool
		readAgo time.Duration
		old     bool
	}{
		{"watched, read now", nil, false, time.Second, false},
		{"watched, read two intervals ago", nil, false, 6 * time.Second, false},
		{"watched, polls failing", nil, false, 7 * time.Second, true},
		{"ordered", func(s *prefs.Server) { s.OrderID, s.Qty = 7, 0 }, false, time.Second, true},
		{"stopped", func(s *prefs.Server) { s.Qty = 0 }, false, time.Second, true},
		{"invalid", nil, true, time.Second, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := baseFile(t)
			if tc.edit != nil {
				tc.edit(&f.Servers[0])
			}
			s := f.Servers[0]
			in := DecideInput{File: f, Now: now, Avail: map[AvailKey]string{}, Blocked: map[string]string{}}
			if tc.blocked {
				in.Blocked[s.Key()] = "bad"
			}
			at := map[AvailKey]time.Time{}
			for _, dc := range s.DCNames() {
				k := AvailKey{FQN: s.FQN, DC: dc}
				in.Avail[k], at[k] = "1H-high", now.Add(-tc.readAgo)
			}
			v := EntryStates(in, Reports{AvailAt: at, FreshFor: 6 * time.Second})[0]
			for _, d := range v.DCs {
				if d.AvailOld != tc.old {
					t.Errorf("%s: AvailOld %v, want %v", d.DC, d.AvailOld, tc.old)
				}
				if !d.AvailAt.Equal(now.Add(-tc.readAgo)) {
					t.Errorf("%s: AvailAt %v", d.DC, d.AvailAt)
				}
			}
		})
	}
	// A value never read is not old: there is nothing to show.
	f := baseFile(t)
	f.Servers[0].Qty = 0
	for _, d := range EntryStates(DecideInput{File: f, Now: now}, Reports{})[0].DCs {
		if d.AvailOld {
			t.Errorf("%s: no value, yet old", d.DC)
		}
	}
}

// TestOrderedEntryAvailabilityIsOld: once ordered, the engine stops polling
// the plan, and the availability it last read is published as old with
// the time it was read.
func TestOrderedEntryAvailabilityIsOld(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	h.waitCarts("fra", "gra")
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	h.wait("the order", isA[OrderPlaced])
	h.wait("the ordered entry's availability is old", func(ev Event) bool {
		s, ok := ev.(EntryStatesChanged)
		if !ok || len(s.Entries) != 1 || s.Entries[0].Lifecycle != LifeOrdered {
			return false
		}
		d := s.Entries[0].DCs[0]
		return d.DC == "fra" && d.Avail == "1H-high" && d.AvailOld && !d.AvailAt.IsZero()
	})
}
