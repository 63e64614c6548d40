package account

import (
	"sync"
	"time"
)

// Journal is the append-only record only ovhtui writes, where payments and
// renewals are journaled like checkouts. Append returns once the record is
// durable.
type Journal interface {
	Append(r Record) error
	Records() ([]Record, error)
}

// Record kinds and phases.
const (
	KindPay   = "pay"
	KindRenew = "renew"

	PhaseIntent  = "intent"
	PhaseOutcome = "outcome"
)

// Outcomes of a payment or a renewal.
const (
	OutcomePaid     = "paid"      // OVH accepted the payment (or its status says it was paid)
	OutcomeNotPaid  = "not-paid"  // looked up after an unclear answer: the order is still unpaid
	OutcomeRefused  = "refused"   // OVH refused for good
	OutcomeUnknown  = "unknown"   // unclear, and the look-up failed too
	OutcomeOrdered  = "ordered"   // a renewal order was made (OrderID)
	OutcomeNoOrder  = "no-order"  // looked up after an unclear answer: no renewal order was made
	OutcomeNotTried = "not-tried" // a check before the request refused it (no money asked)
)

// Record is one journal line: an intent before a payment or renewal
// request, or its outcome after.
type Record struct {
	At    time.Time `json:"at"`
	Kind  string    `json:"kind"`  // KindPay or KindRenew
	Phase string    `json:"phase"` // PhaseIntent or PhaseOutcome
	// Key ties an outcome to its intent: "pay:<orderId>:<n>",
	// "renew:<serviceId>:<period>:<n>".
	Key       string `json:"key"`
	OrderID   int64  `json:"orderId,omitempty"`
	ServiceID int64  `json:"serviceId,omitempty"`
	Service   string `json:"service,omitempty"` // the server's name
	Period    string `json:"period,omitempty"`
	Mean      string `json:"mean,omitempty"`
	Amount    Amount `json:"amount"` // the amount confirmed, tax included
	Outcome   string `json:"outcome,omitempty"`
	Detail    string `json:"detail,omitempty"`
}

// pending returns the intents of kind without an outcome, oldest first.
func pending(recs []Record, kind string) []Record {
	done := map[string]bool{}
	for _, r := range recs {
		if r.Phase == PhaseOutcome {
			done[r.Key] = true
		}
	}
	var out []Record
	for _, r := range recs {
		if r.Kind == kind && r.Phase == PhaseIntent && !done[r.Key] {
			out = append(out, r)
		}
	}
	return out
}

// MemoryJournal is a Journal in memory, for tests and --demo.
type MemoryJournal struct {
	mu   sync.Mutex
	recs []Record
	// Fail, when set, is returned by Append (to test a journal that
	// cannot write).
	Fail error
}

// Append implements Journal.
func (j *MemoryJournal) Append(r Record) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.Fail != nil {
		return j.Fail
	}
	j.recs = append(j.recs, r)
	return nil
}

// Records implements Journal.
func (j *MemoryJournal) Records() ([]Record, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Record(nil), j.recs...), nil
}
