package tui

import (
	"errors"
	"fmt"
	"slices"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/prefs"
)

// Errors of the changes the user asks for.
var (
	errNoStore    = errors.New("no preferences store")
	errEntryGone  = errors.New("the entry is no longer in preferences.json (edited elsewhere?)")
	errEntryBusy  = errors.New("an order was attempted for this entry: re-arm it first (R) or wait for the engine")
	errChangedNow = errors.New("changed meanwhile (by the engine or another editor); look again and retry")
)

// Each function below returns a compare-and-set change for Store.Update: it
// finds the entry by Key and refuses to apply when the values the user saw
// no longer hold.

func findEntry(f *prefs.File, key string) (*prefs.Server, error) {
	i := f.Find(key)
	if i < 0 {
		return nil, errEntryGone
	}
	return &f.Servers[i], nil
}

// setFlags sets place_order and autopay, from the values the user saw.
func setFlags(key string, fromPlace, fromPay, toPlace, toPay bool) func(*prefs.File) error {
	return func(f *prefs.File) error {
		s, err := findEntry(f, key)
		if err != nil {
			return err
		}
		if s.PlaceOrder != fromPlace || s.Autopay != fromPay {
			return fmt.Errorf("place_order/autopay %w", errChangedNow)
		}
		s.PlaceOrder, s.Autopay = toPlace, toPay
		return nil
	}
}

// setQty sets qty from the value the user saw, scaling the ceiling with
// it (prefs.Server.SetQty: the ceiling covers all units). An entry whose
// order latch is set is left alone: the engine owns its qty until the
// outcome is known.
func setQty(key string, from, to int) func(*prefs.File) error {
	return func(f *prefs.File) error {
		s, err := findEntry(f, key)
		if err != nil {
			return err
		}
		if s.OrderAttempted {
			return errEntryBusy
		}
		if s.Qty != from {
			return fmt.Errorf("qty %w (now %d)", errChangedNow, s.Qty)
		}
		return s.SetQty(to)
	}
}

// setCeiling sets ceiling_price from the value the user saw.
func setCeiling(key string, from, to int64) func(*prefs.File) error {
	return func(f *prefs.File) error {
		s, err := findEntry(f, key)
		if err != nil {
			return err
		}
		if s.CeilingUcents() != from {
			return fmt.Errorf("ceiling_price %w", errChangedNow)
		}
		s.CeilingPrice = money.ToFloat(to)
		return nil
	}
}

// setDCOrder reorders the entry's datacenters from the order the user saw.
func setDCOrder(key string, from, order []string) func(*prefs.File) error {
	return func(f *prefs.File) error {
		s, err := findEntry(f, key)
		if err != nil {
			return err
		}
		if !slices.Equal(s.DCNames(), from) || len(order) != len(s.Datacenters) {
			return fmt.Errorf("datacenters %w", errChangedNow)
		}
		next := make([]prefs.Datacenter, 0, len(order))
		for _, dc := range order {
			i := slices.IndexFunc(s.Datacenters, func(d prefs.Datacenter) bool { return d.Datacenter == dc })
			if i < 0 {
				return fmt.Errorf("datacenters %w", errChangedNow)
			}
			next = append(next, s.Datacenters[i])
		}
		s.Datacenters = next
		return nil
	}
}

// clearLatch re-arms an entry that waits for the user's decision, when no
// Rearm function is wired: prefs.Server.BuyAgain (a new id, the qty the
// latch took).
func clearLatch(key string) func(*prefs.File) error {
	return func(f *prefs.File) error {
		s, err := findEntry(f, key)
		if err != nil {
			return err
		}
		if !s.NeedsDecision() {
			return errors.New("the entry does not wait for a decision any more")
		}
		_, err = s.BuyAgain(0)
		return err
	}
}

// newEntry is an entry built in the catalog browser.
type newEntry struct {
	// ID is the new entry's id: a fresh one, since choosing a server in the
	// browser is a new purchase (never the journaled past of an entry that
	// was removed from the file).
	ID          string
	PlanCode    string
	FQN         string
	Datacenters []prefs.Datacenter
	OS          string
	Addons      []string
	Qty         int
	Ceiling     int64
}

// serverKey is the prefs Key the entry will have.
func (n newEntry) serverKey() string {
	s := prefs.Server{ID: n.ID, PlanCode: n.PlanCode, FQN: n.FQN, Datacenters: n.Datacenters}
	return s.Key()
}

// checkNoDuplicate refuses an entry that would buy the same fqn in the same
// DC as another entry with qty > 0 (skip is the index of the entry being
// changed, -1 for none).
func checkNoDuplicate(f *prefs.File, n newEntry, skip int) error {
	for i, s := range f.Servers {
		if i == skip || s.PlanCode != n.PlanCode || s.FQN != n.FQN || s.Qty == 0 {
			continue
		}
		for _, d := range s.Datacenters {
			for _, nd := range n.Datacenters {
				if d.Datacenter == nd.Datacenter {
					return fmt.Errorf("user_servers[%d] already buys %s in %s", i, n.FQN, d.Datacenter)
				}
			}
		}
	}
	return nil
}

// addEntry appends a new entry with place_order off.
func addEntry(n newEntry) func(*prefs.File) error {
	return func(f *prefs.File) error {
		if err := checkNoDuplicate(f, n, -1); err != nil {
			return err
		}
		s := prefs.Server{
			ID:             n.ID,
			PlanCode:       n.PlanCode,
			FQN:            n.FQN,
			Datacenters:    slices.Clone(n.Datacenters),
			AddonPlanCodes: slices.Clone(n.Addons),
			Qty:            n.Qty,
			CeilingPrice:   money.ToFloat(n.Ceiling),
		}
		s.Labels.Set("dedicated_os", n.OS)
		f.Servers = append(f.Servers, s)
		return nil
	}
}

// changeEntry replaces the addons, fqn, DCs and ceiling of an existing
// entry (found by its Key), keeping everything else.
func changeEntry(key string, n newEntry) func(*prefs.File) error {
	return func(f *prefs.File) error {
		i := f.Find(key)
		if i < 0 {
			return errEntryGone
		}
		s := &f.Servers[i]
		if s.OrderAttempted {
			return errEntryBusy
		}
		if s.PlanCode != n.PlanCode {
			return fmt.Errorf("planCode %w", errChangedNow)
		}
		if err := checkNoDuplicate(f, n, i); err != nil {
			return err
		}
		keep := map[string]prefs.Datacenter{}
		for _, d := range s.Datacenters {
			keep[d.Datacenter] = d
		}
		dcs := make([]prefs.Datacenter, 0, len(n.Datacenters))
		for _, d := range n.Datacenters {
			if old, ok := keep[d.Datacenter]; ok {
				d = old // keeps unknown keys of the DC object
			}
			dcs = append(dcs, d)
		}
		if s.FQN != n.FQN || !slices.Equal(s.AddonPlanCodes, n.Addons) {
			// Carts hold the old items: let the engine build new ones.
			s.DCCarts = nil
		}
		s.FQN, s.AddonPlanCodes, s.Datacenters = n.FQN, slices.Clone(n.Addons), dcs
		s.CeilingPrice = money.ToFloat(n.Ceiling)
		if _, ok := s.Labels.Get("dedicated_os"); !ok && n.OS != "" {
			s.Labels.Set("dedicated_os", n.OS)
		}
		return nil
	}
}

// pauseEntry pauses a wanted entry (prefs.Server.Pause), if it still has
// the qty the user saw.
func pauseEntry(key string, qty int) func(*prefs.File) error {
	return func(f *prefs.File) error {
		s, err := findEntry(f, key)
		if err != nil {
			return err
		}
		if s.Qty != qty {
			return fmt.Errorf("qty %w (now %d)", errChangedNow, s.Qty)
		}
		return s.Pause()
	}
}

// resumeEntry resumes a paused entry (prefs.Server.Resume), unless another
// entry now buys the same server in one of its DCs.
func resumeEntry(key string) func(*prefs.File) error {
	return wantAgain(key, (*prefs.Server).Resume)
}

// bringBack makes a retired entry wanted again with a new ceiling
// (prefs.Server.BringBack), unless another entry now buys the same server
// in one of its DCs.
func bringBack(key string, ceiling int64) func(*prefs.File) error {
	return wantAgain(key, func(s *prefs.Server) error { return s.BringBack(ceiling) })
}

// wantAgain applies move to the entry key, which makes it wanted again,
// unless another entry now buys the same server in one of its DCs.
func wantAgain(key string, move func(*prefs.Server) error) func(*prefs.File) error {
	return func(f *prefs.File) error {
		i := f.Find(key)
		if i < 0 {
			return errEntryGone
		}
		s := &f.Servers[i]
		if err := checkNoDuplicate(f, newEntry{PlanCode: s.PlanCode, FQN: s.FQN, Datacenters: s.Datacenters}, i); err != nil {
			return err
		}
		return move(s)
	}
}

// removeEntry deletes an entry through the Store when no Remove function
// is wired: prefs.RemoveHold on the file alone (the engine also asks the
// journal).
func removeEntry(key string) func(*prefs.File) error {
	return func(f *prefs.File) error {
		i := f.Find(key)
		if i < 0 {
			return errEntryGone
		}
		if why := prefs.RemoveHold(f.Servers[i], nil); why != "" {
			return errors.New(why)
		}
		f.Servers = append(f.Servers[:i:i], f.Servers[i+1:]...)
		return nil
	}
}
