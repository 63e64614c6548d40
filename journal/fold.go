package journal

import (
	"sort"
	"strconv"
)

// Phase is where an entry stands according to the journal.
type Phase int

// Phases.
const (
	// PhaseNone: nothing attempted, or every attempt ended without an order
	// (refused, not sent).
	PhaseNone Phase = iota
	// PhaseAttempted: a checkout left (or may have left) and no order is
	// known: it may have bought, so it must be looked up, never repeated.
	PhaseAttempted
	// PhaseOrdered: OVH created an order for the entry.
	PhaseOrdered
)

// String names the phase.
func (p Phase) String() string {
	switch p {
	case PhaseAttempted:
		return "attempted"
	case PhaseOrdered:
		return "ordered"
	}
	return "none"
}

// EntryState is what the journal says of one preferences entry (by id).
type EntryState struct {
	Entry string
	// Intent is the last checkout intent, nil when none.
	Intent *Record
	// Outcome is the outcome of Intent, nil while unknown.
	Outcome *Record
	// Order is the last outcome with ResultOrdered, nil when none.
	Order *Record
	// RearmedTo is the id the entry continues as after a re-arm ("" when
	// never re-armed).
	RearmedTo string
	// RearmedFrom is the re-arm record that created this identity (nil
	// when none): its Qty is what the re-arm asked to buy.
	RearmedFrom *Record
}

// Phase says whether the entry was ordered, may have been, or neither.
func (s *EntryState) Phase() Phase {
	switch {
	case s == nil:
		return PhaseNone
	case s.Order != nil:
		return PhaseOrdered
	case s.Intent != nil && (s.Outcome == nil || s.Outcome.Result == ResultUnknown):
		return PhaseAttempted
	}
	return PhaseNone
}

// OrderState is what the journal says of one OVH order.
type OrderState struct {
	OrderID int64
	// Entry is the entry whose checkout created the order ("" if unknown).
	Entry string
	// Ordered is the outcome that recorded the order, nil when the order
	// is known only from payment or renewal records.
	Ordered *Record
	// Intent is the last payment or renewal intent for the order.
	Intent *Record
	// Outcome is the outcome of Intent, nil while unknown.
	Outcome *Record
}

// State is the journal folded: per entry, per order, and the intents still
// waiting for an outcome. Build it with Fold and keep it current with Apply.
type State struct {
	Entries map[string]*EntryState
	Orders  map[int64]*OrderState
	pending map[string]Record // by pendingKey
	seq     map[string]int    // pendingKey -> order of arrival
	n       int
}

// Fold folds records, in file order, into a State.
func Fold(recs []Record) *State {
	st := &State{
		Entries: map[string]*EntryState{},
		Orders:  map[int64]*OrderState{},
		pending: map[string]Record{},
		seq:     map[string]int{},
	}
	for _, r := range recs {
		st.Apply(r)
	}
	return st
}

// Entry returns the state of entry id; nil (whose Phase is PhaseNone) when
// the journal never mentions it.
func (st *State) Entry(id string) *EntryState {
	if st == nil {
		return nil
	}
	return st.Entries[id]
}

// OrderEntry returns the entry whose checkout created order id.
func (st *State) OrderEntry(id int64) (string, bool) {
	if st == nil {
		return "", false
	}
	o, ok := st.Orders[id]
	if !ok || o.Ordered == nil {
		return "", false
	}
	return o.Entry, true
}

// pendingKey identifies an intent for matching its outcome.
func pendingKey(r Record) string {
	if r.Attempt != "" {
		return "a:" + r.Attempt
	}
	return string(r.Kind) + ":" + r.Entry + ":" + itoa(r.OrderID) + ":" + itoa(r.ServiceID)
}

func itoa(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// Apply adds one record (in file order) to the state.
func (st *State) Apply(r Record) {
	rp := &r
	switch r.Type {
	case TypeIntent:
		k := pendingKey(r)
		st.pending[k] = r
		st.n++
		st.seq[k] = st.n
		switch r.Kind {
		case KindCheckout:
			e := st.entry(r.Entry)
			e.Intent, e.Outcome = rp, nil
		case KindPayment, KindRenewal:
			if r.OrderID != 0 {
				o := st.order(r.OrderID)
				o.Intent, o.Outcome = rp, nil
			}
		}
	case TypeOutcome:
		k := pendingKey(r)
		if r.Result == ResultUnknown {
			if _, ok := st.pending[k]; !ok {
				st.pending[k] = r
				st.n++
				st.seq[k] = st.n
			}
		} else {
			delete(st.pending, k)
			delete(st.seq, k)
		}
		switch r.Kind {
		case KindCheckout:
			e := st.entry(r.Entry)
			if e.Intent != nil && e.Intent.Attempt == r.Attempt {
				e.Outcome = rp
			}
			if r.Result == ResultOrdered {
				e.Order = rp
				if r.OrderID != 0 {
					o := st.order(r.OrderID)
					o.Entry, o.Ordered = r.Entry, rp
				}
			}
		case KindPayment, KindRenewal:
			if r.OrderID != 0 {
				o := st.order(r.OrderID)
				if o.Intent != nil && o.Intent.Attempt == r.Attempt {
					o.Outcome = rp
				}
			}
		}
	case TypeRearm:
		if r.Entry != "" {
			st.entry(r.Entry).RearmedTo = r.NewEntry
		}
		if r.NewEntry != "" {
			st.entry(r.NewEntry).RearmedFrom = rp
		}
	}
}

func (st *State) entry(id string) *EntryState {
	e := st.Entries[id]
	if e == nil {
		e = &EntryState{Entry: id}
		st.Entries[id] = e
	}
	return e
}

func (st *State) order(id int64) *OrderState {
	o := st.Orders[id]
	if o == nil {
		o = &OrderState{OrderID: id}
		st.Orders[id] = o
	}
	return o
}

// Pending returns, oldest first, the intents (of every kind) whose outcome
// is missing or ResultUnknown: each may have been carried out and must be
// looked up before being tried again.
func (st *State) Pending() []Record {
	if st == nil {
		return nil
	}
	keys := make([]string, 0, len(st.pending))
	for k := range st.pending {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool { return st.seq[keys[a]] < st.seq[keys[b]] })
	out := make([]Record, 0, len(keys))
	for _, k := range keys {
		out = append(out, st.pending[k])
	}
	return out
}

// Follow returns the id entry id continues as after its re-arms (id itself
// when never re-armed). A cycle stops at the first repeat.
func (st *State) Follow(id string) string {
	seen := map[string]bool{}
	for !seen[id] {
		seen[id] = true
		e := st.Entry(id)
		if e == nil || e.RearmedTo == "" {
			return id
		}
		id = e.RearmedTo
	}
	return id
}
