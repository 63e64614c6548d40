package tui

import (
	"strings"
	"time"

	"github.com/ovhtui/ovhtui/order"
)

// cellKey identifies the live state of one entry in one DC. It uses the
// entry's planCode and fqn rather than its full prefs Key, which also holds
// the DC list: reordering DCs then keeps what the engine reported. Two
// entries with the same planCode, fqn and DC would buy twice and are
// refused by prefs validation.
type cellKey struct {
	entry string // planCode|fqn
	dc    string // "" for the entry as a whole
}

// entryID returns the planCode|fqn part of a prefs Server Key.
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

// cell is what the engine reported about one entry in one DC.
type cell struct {
	avail     string
	orderable bool
	availAt   time.Time

	status       order.Status
	statusDetail string

	cartID     string
	cartExpire time.Time
	price      order.Money // validated first invoice excluding tax
	hasPrice   bool
	skipCheck  bool
	overPrice  order.Money // last price seen over the ceiling
	overAt     time.Time
	orderID    int64
	orderErr   string
	decision   string // reason the entry needs the user's decision
	validateAt time.Time
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
}

// liveState holds the engine's reports, keyed by entry and DC.
type liveState struct {
	cells  map[cellKey]*cell
	health health
}

func newLiveState() liveState { return liveState{cells: map[cellKey]*cell{}} }

func (s *liveState) cell(entry, dc string) *cell {
	k := cellKey{entryID(entry), dc}
	c := s.cells[k]
	if c == nil {
		c = &cell{}
		s.cells[k] = c
	}
	return c
}

// lookup returns the cell of an entry (planCode|fqn) in a DC, or nil.
func (s *liveState) lookup(id, dc string) *cell { return s.cells[cellKey{id, dc}] }

// apply records an event. It reports whether the event is an order placed
// (banner and bell).
func (s *liveState) apply(ev order.Event) {
	switch e := ev.(type) {
	case order.PollOK:
		s.health.lastPoll = e.Time
		s.health.pollTook = e.Duration
		s.health.pollEntries = e.Entries
	case order.AvailabilityChanged:
		c := s.cell(e.Entry, e.DC)
		c.avail, c.orderable, c.availAt = e.New, e.Orderable, e.Time
	case order.StatusChanged:
		c := s.cell(e.Entry, e.DC)
		c.status, c.statusDetail = e.Status, e.Detail
	case order.CartReady:
		c := s.cell(e.Entry, e.DC)
		c.cartID, c.cartExpire = e.CartID, e.Expire
		c.price, c.hasPrice, c.skipCheck = e.Price, true, e.SkipCheck
		c.validateAt = e.Time
	case order.CartRenewed:
		c := s.cell(e.Entry, e.DC)
		c.cartID = e.NewCartID
	case order.PriceOverCeiling:
		c := s.cell(e.Entry, e.DC)
		c.overPrice, c.overAt = e.Price, e.Time
		c.price, c.hasPrice = e.Price, true
	case order.OrderAttempted:
		c := s.cell(e.Entry, e.DC)
		if !e.DryRun {
			c.status, c.statusDetail = order.StatusOrdering, ""
		}
	case order.OrderPlaced:
		c := s.cell(e.Entry, e.DC)
		c.status, c.orderID, c.orderErr = order.StatusOrdered, e.OrderID, ""
		s.health.ordersPlaced++
	case order.OrderFailed:
		c := s.cell(e.Entry, e.DC)
		c.orderErr = e.Err
	case order.NeedsDecision:
		c := s.cell(e.Entry, e.DC)
		c.decision = e.Reason
		c.status = order.StatusNeedsDecision
	case order.APIError:
		s.health.lastErr, s.health.lastErrCall, s.health.lastErrAt = e.Err, e.Call, e.Time
	}
}

// tickNeeded reports whether something on screen changes every second:
// cart countdowns and the ages in the header.
func (s *liveState) tickNeeded() bool {
	if !s.health.lastPoll.IsZero() || !s.health.lastErrAt.IsZero() {
		return true
	}
	for _, c := range s.cells {
		if !c.cartExpire.IsZero() {
			return true
		}
	}
	return false
}
