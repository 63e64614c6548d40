package prefs

// The lifecycle of an entry: this file is the one owner of the rules that
// say whether an entry may be bought, what re-arming does, and whether a
// price is within its ceiling. The order engine and the TUI both call it.
//
//	          latch (before POST checkout)            order id known
//	wanted ─────────────────────────────▶ latched ──────────────────▶ ordered
//	  ▲                                    │  │ refused for good: latch released,
//	  │                                    │  │ qty back (wanted again)
//	  │                                    │  └ outcome unknown, not found: needs decision
//	  └──── BuyAgain (new id, qty) ◀───────┴──────────────────────────────┘
//
// Identity: every entry carries an "id" that ovhtui writes the first time
// it sees the entry (AssignIDs) and keeps through every edit; latches,
// outcomes, carts and the journal all name the entry by it. An entry
// without an id is known by FallbackID until one is written.
//
// The journal (package journal) is what ovhtui trusts about its own past:
// an entry the journal shows as attempted or ordered is never bought
// again, whatever the file says (JournalHold), and a file that lacks what
// the journal knows gets it back (RestoreFromJournal). The only ways to
// buy the same entry again are BuyAgain (the UI's re-arm / buy another) and
// giving the entry a new id in the file by hand: a new id is a new
// purchase intent with an empty past.

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/money"
)

// FallbackID is the identity of an entry that has no id yet: its planCode
// and a hash of its fqn and its set of DCs (their order does not count).
// AssignIDs writes it as the entry's id unless the journal or another entry
// says otherwise.
func (s Server) FallbackID() string {
	dcs := s.DCNames()
	slices.Sort(dcs)
	sum := sha256.Sum256([]byte(s.PlanCode + "\x00" + s.FQN + "\x00" + strings.Join(dcs, ",")))
	return idPrefix(s.PlanCode) + hex.EncodeToString(sum[:4])
}

// NewID returns a fresh random id for an entry of planCode.
func NewID(planCode string) string {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return idPrefix(planCode) + hex.EncodeToString(b[:])
}

// idPrefix is the readable part of an id: the planCode, cut and cleaned.
func idPrefix(planCode string) string {
	var b strings.Builder
	for _, r := range planCode {
		if b.Len() >= 24 {
			break
		}
		if r < 0x80 && (r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "e-"
	}
	return b.String() + "-"
}

// validID reports why a non-empty id cannot be an entry id ("" when it can).
func validID(id string) string {
	switch {
	case len(id) > 64:
		return "longer than 64 characters"
	case strings.ContainsAny(id, "| \t\r\n"):
		return "must not contain spaces or '|'"
	}
	return ""
}

// Wanted reports whether the file says the entry still has something to
// buy: qty > 0, not latched, not ordered, and no catalog lookup pending.
// The engine also asks JournalHold.
func (s Server) Wanted() bool {
	return s.Qty > 0 && !s.OrderAttempted && s.OrderID == 0 && !s.NeedsCatalog()
}

// NeedsCatalog reports an entry whose addons must first be resolved from
// the catalog (a non-empty fetch_catalog).
func (s Server) NeedsCatalog() bool {
	return s.FetchCatalog != nil && s.FetchCatalog.Len() > 0
}

// Latched reports a checkout attempted whose order is not recorded: it may
// be in flight, or its outcome unknown.
func (s Server) Latched() bool { return s.OrderAttempted && s.OrderID == 0 }

// Ordered reports an entry whose order is recorded.
func (s Server) Ordered() bool { return s.OrderID != 0 }

// NeedsDecision reports an entry latched without an order while no
// checkout of it is in flight (the engine knows which are): the outcome is
// unknown and only the user can say whether to buy again (BuyAgain) or
// leave it. Same as Latched; the name says what the UI offers.
func (s Server) NeedsDecision() bool { return s.Latched() }

// Accepts reports whether a cart costing priceUcents (first invoice
// excluding tax, all units, in 1e-8 of the currency) may be ordered: within
// the ceiling (equal allowed), or skip_validate.
func (s Server) Accepts(priceUcents int64) bool {
	return s.SkipValidate || priceUcents <= s.CeilingUcents()
}

// Units is how many units the ceiling covers: qty, or when qty is 0 the
// qty the last attempt took, the qty a pause or a retirement keeps, or 1.
func (s Server) Units() int {
	switch {
	case s.Qty > 0:
		return s.Qty
	case s.OrderAttemptedQty > 0:
		return s.OrderAttemptedQty
	case s.PausedQty > 0:
		return s.PausedQty
	case s.RetiredQty > 0:
		return s.RetiredQty
	}
	return 1
}

// CeilingPerUnitUcents is the ceiling divided by the units it covers.
func (s Server) CeilingPerUnitUcents() int64 { return s.CeilingUcents() / int64(s.Units()) }

// ErrLatched refuses a change to an entry whose checkout outcome is not
// settled: the engine owns its qty until then.
var ErrLatched = errors.New("an order was attempted for this entry and its outcome is not recorded: re-arm it first or wait for the engine")

// SetQty sets qty and scales the ceiling in proportion, since
// ceiling_price covers all units (2 → 3 units: the ceiling × 3/2), keeping
// the per-unit amount exact (money.Scale: 20.00 for 3 units is 6.66666667
// for one, and 20.00 again for 3). Going to 0 keeps the ceiling. It
// refuses a latched entry.
func (s *Server) SetQty(n int) error {
	if n < 0 {
		return errors.New("qty cannot go below 0")
	}
	if s.OrderAttempted {
		return ErrLatched
	}
	if n > 0 {
		s.CeilingPrice = money.ToFloat(money.Scale(s.CeilingUcents(), s.Units(), n))
		s.PausedQty, s.RetiredQty = 0, 0 // wanted again: neither paused nor retired
	}
	s.Qty = n
	return nil
}

// BuyAgain re-arms the entry to buy qty more units (qty <= 0: as many as
// the last attempt): a new id (the old one stays in the journal with what
// it bought), latch and order fields cleared, the ceiling scaled from the
// last attempt's units to qty. It returns the old id. Refuse it while a
// checkout is in flight (the caller knows).
func (s *Server) BuyAgain(qty int) (oldID string, err error) {
	if !s.OrderAttempted && s.OrderID == 0 && s.Qty > 0 {
		return "", errors.New("the entry is still wanted: nothing to re-arm")
	}
	units := s.Units()
	if qty <= 0 {
		qty = units
	}
	oldID = s.Key()
	s.CeilingPrice = money.ToFloat(money.Scale(s.CeilingUcents(), units, qty))
	s.ClearLatch()
	s.OrderedAt, s.OrderedIn, s.OrderID, s.OrderURL, s.OrderError = time.Time{}, "", 0, "", ""
	s.Qty = qty
	s.PausedQty, s.RetiredQty = 0, 0
	s.ID = NewID(s.PlanCode)
	return oldID, nil
}

// ClearLatch removes the latch fields.
func (s *Server) ClearLatch() {
	s.OrderAttempted = false
	s.OrderAttemptedAt = time.Time{}
	s.OrderAttemptedIn = ""
	s.OrderAttemptedQty = 0
	s.OrderAttemptedCart = ""
}

// Latch records a checkout about to leave: the latch fields, and qty 0 (the
// units it takes are kept in order_attempted_qty).
func (s *Server) Latch(at time.Time, dc, cartID string) {
	s.OrderAttempted = true
	s.OrderAttemptedAt = at.UTC()
	s.OrderAttemptedIn = dc
	s.OrderAttemptedQty = s.Qty
	s.OrderAttemptedCart = cartID
	s.Qty = 0
}

// JournalHold says why the journal forbids buying the entry although the
// file says it is wanted ("" when it does not): the journal shows a
// checkout attempted or an order for its id (or the id it was re-armed as),
// which the file has lost.
func JournalHold(s Server, st *journal.State) string {
	if st == nil || !s.Wanted() {
		return ""
	}
	id := st.Follow(s.Key())
	switch es := st.Entry(id); es.Phase() {
	case journal.PhaseOrdered:
		return fmt.Sprintf("the journal shows it already ordered (#%d on %s): restoring that", es.Order.OrderID, es.Order.Time.UTC().Format(time.DateOnly))
	case journal.PhaseAttempted:
		return fmt.Sprintf("the journal shows a checkout attempted in %s on %s: restoring the latch", es.Intent.DC, es.Intent.Time.UTC().Format(time.DateOnly))
	}
	if id != s.Key() {
		return "it was re-armed as " + id + ": updating its id"
	}
	return ""
}

// AssignIDs writes an id into every entry that has none and returns their
// indexes. An entry that matches what the journal shows attempted or
// ordered (same planCode and fqn, a DC in common) whose id no entry holds
// takes that id: an old copy of the file, from before ovhtui wrote ids, is
// the entry the journal knows, never a new purchase. Otherwise it gets
// FallbackID, or a random id when another entry holds that.
func (f *File) AssignIDs(st *journal.State) []int {
	used := map[string]bool{}
	for _, s := range f.Servers {
		if s.ID != "" {
			used[s.ID] = true
			if st != nil {
				used[st.Follow(s.ID)] = true
			}
		}
	}
	var out []int
	for i := range f.Servers {
		s := &f.Servers[i]
		if s.ID != "" {
			continue
		}
		id := adoptFromJournal(*s, st, used)
		if id == "" {
			id = s.FallbackID()
		}
		for used[id] {
			id = NewID(s.PlanCode)
		}
		s.ID = id
		used[id] = true
		out = append(out, i)
	}
	return out
}

// adoptFromJournal returns the id of the most recent journaled attempt or
// order of the same planCode and fqn with a DC in common with s, that no
// entry uses; "" when none.
func adoptFromJournal(s Server, st *journal.State, used map[string]bool) string {
	if st == nil {
		return ""
	}
	best, bestAt := "", time.Time{}
	for id, es := range st.Entries {
		if es.Phase() == journal.PhaseNone || es.RearmedTo != "" || used[id] {
			continue
		}
		r := es.Intent // says what was bought; the order outcome may not
		if r == nil || r.PlanCode == "" {
			r = es.Order
		}
		if r == nil || r.PlanCode != s.PlanCode || r.FQN != s.FQN {
			continue
		}
		if !slices.ContainsFunc(r.DCs, func(dc string) bool { return slices.Contains(s.DCNames(), dc) }) &&
			!slices.Contains(s.DCNames(), r.DC) {
			continue
		}
		if best == "" || r.Time.After(bestAt) || r.Time.Equal(bestAt) && id < best {
			best, bestAt = id, r.Time
		}
	}
	return best
}

// Restored is one entry RestoreFromJournal changed.
type Restored struct {
	Index int
	ID    string
	// Message tells the user what was restored, e.g. "restored from the
	// journal: already ordered #123 on 2026-01-02".
	Message string
	// Latched: a latch was restored, so the outcome must be looked up.
	Latched bool
}

// RestoreFromJournal writes back into the file what the journal knows and
// the file lacks: an entry re-armed under a new id gets that id; an entry
// the journal shows ordered gets its order (order_id, ordered_at/in,
// order_url, the latch, qty 0); an entry with a checkout attempted and no
// known outcome gets its latch back (qty 0), to be looked up. A file that
// records more than the journal (an order, a latch) is left as it is.
func (f *File) RestoreFromJournal(st *journal.State) []Restored {
	if st == nil {
		return nil
	}
	held := map[string]int{}
	for i, s := range f.Servers {
		held[s.Key()] = i
	}
	var out []Restored
	for i := range f.Servers {
		s := &f.Servers[i]
		if s.ID == "" {
			continue
		}
		var msgs []string
		if to := st.Follow(s.ID); to != s.ID {
			if _, taken := held[to]; !taken {
				msgs = append(msgs, fmt.Sprintf("re-armed earlier as %s: id updated", to))
				delete(held, s.ID)
				s.ID = to
				held[to] = i
				// What the old copy says of a checkout or an order belongs
				// to the identity it had, not to the new one: the new one
				// starts from the journal's record of it (below), wanting
				// what the re-arm asked for.
				if s.OrderAttempted || s.OrderID != 0 {
					s.OrderAttempted, s.OrderAttemptedAt, s.OrderAttemptedIn = false, time.Time{}, ""
					s.OrderAttemptedQty, s.OrderAttemptedCart = 0, ""
					s.OrderID, s.OrderedAt, s.OrderedIn, s.OrderURL, s.OrderError = 0, time.Time{}, "", "", ""
					if r := st.Entry(to).RearmedFrom; r != nil && r.Qty > 0 && s.Qty == 0 {
						s.Qty = r.Qty
					}
				}
			}
		}
		latched := false
		es := st.Entry(s.ID)
		switch es.Phase() {
		case journal.PhaseOrdered:
			if s.OrderID != 0 {
				break
			}
			o := es.Order
			in := es.Intent
			if in == nil || in.Attempt != o.Attempt {
				in = o
			}
			s.OrderID, s.OrderedAt, s.OrderedIn, s.OrderURL, s.OrderError = o.OrderID, o.Time.UTC(), o.DC, o.URL, ""
			if !s.OrderAttempted {
				s.OrderAttempted, s.OrderAttemptedAt, s.OrderAttemptedIn = true, in.Time.UTC(), o.DC
				s.OrderAttemptedQty, s.OrderAttemptedCart = in.Qty, in.Cart
			}
			s.Qty = 0
			s.DCCarts.Delete(o.DC)
			msgs = append(msgs, fmt.Sprintf("restored from the journal: already ordered #%d on %s", o.OrderID, o.Time.UTC().Format(time.DateOnly)))
		case journal.PhaseAttempted:
			if s.OrderAttempted || s.OrderID != 0 {
				break
			}
			in := es.Intent
			s.OrderAttempted, s.OrderAttemptedAt, s.OrderAttemptedIn = true, in.Time.UTC(), in.DC
			s.OrderAttemptedQty, s.OrderAttemptedCart = in.Qty, in.Cart
			s.Qty = 0
			latched = true
			msgs = append(msgs, fmt.Sprintf("restored from the journal: checkout attempted in %s on %s, outcome unknown: looking it up", in.DC, in.Time.UTC().Format(time.DateOnly)))
		}
		if len(msgs) > 0 {
			out = append(out, Restored{Index: i, ID: s.ID, Message: strings.Join(msgs, "; "), Latched: latched})
		}
	}
	return out
}
