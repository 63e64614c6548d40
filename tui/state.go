package tui

import (
	"strings"
	"time"

	"github.com/ovhtui/ovhtui/order"
)

// entryID returns the planCode|fqn part of a prefs Server Key. The
// dashboard finds the engine's state of an entry by it rather than by the
// full Key, which also holds the DC list: a DC reorder not yet seen by the
// engine then keeps what it reported. Two entries with the same planCode,
// fqn and DC would buy twice and are refused by prefs validation.
func entryID(key string) string {
	i := strings.IndexByte(key, '|')
	if i < 0 {
		return key
	}
	j := strings.IndexByte(key[i+1:], '|')
	if j < 0 {
		return key
	}
	return key[:i+1+j]
}

// health is the engine-wide state shown in the header.
type health struct {
	lastPoll     time.Time
	pollTook     time.Duration
	pollEntries  int
	lastErr      string
	lastErrCall  string
	lastErrAt    time.Time
	ordersPlaced int
	// pacing is how the plans are polled within the request budget.
	pacing order.PollPacing
	// payment is the engine's last word on the default payment method
	// autopay uses (nil: ready, or not checked).
	payment *order.PaymentNotReady
}

// liveState holds what the engine reported: its published state of every
// entry (order.EntryView, the one source of truth for statuses, prices
// against the ceiling and what happens next), the orders placed, and its
// health.
type liveState struct {
	views   map[string]*order.EntryView // by entryID
	viewsAt time.Time                   // when the engine last published
	orders  map[string]order.OrderPlaced
	health  health
}

func newLiveState() liveState {
	return liveState{views: map[string]*order.EntryView{}, orders: map[string]order.OrderPlaced{}}
}

// view returns the engine's state of the entry with key, or nil before the
// engine said anything of it.
func (s *liveState) view(key string) *order.EntryView { return s.views[entryID(key)] }

// apply records an event.
func (s *liveState) apply(ev order.Event) {
	switch e := ev.(type) {
	case order.EntryStatesChanged:
		s.views = make(map[string]*order.EntryView, len(e.Entries))
		for i := range e.Entries {
			v := &e.Entries[i]
			s.views[entryID(v.Key)] = v
		}
		s.viewsAt = e.Time
	case order.PollOK:
		s.health.lastPoll = e.Time
		s.health.pollTook = e.Duration
		s.health.pollEntries = e.Entries
	case order.OrderPlaced:
		s.orders[entryID(e.Entry)] = e
		s.health.ordersPlaced++
	case order.APIError:
		s.health.lastErr, s.health.lastErrCall, s.health.lastErrAt = e.Err, e.Call, e.Time
	case order.PollPacing:
		s.health.pacing = e
	case order.PaymentNotReady:
		s.health.payment = &e
	case order.PaymentReady:
		s.health.payment = nil
	}
}

// dcView returns the engine's state of dc in v, or nil.
func dcView(v *order.EntryView, dc string) *order.DCView {
	if v == nil {
		return nil
	}
	for i := range v.DCs {
		if v.DCs[i].DC == dc {
			return &v.DCs[i]
		}
	}
	return nil
}
