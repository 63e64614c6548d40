package prefs

// Stages of an entry and the user's actions that move it between them:
// pause and resume, retirement over the ceiling and bringing back, removal.
// Like lifecycle.go, this is the one owner of these rules: the order engine
// and the TUI both call it, neither re-derives them.
//
//	          Pause (qty → paused_qty, 0)
//	wanted ─────────────────────────────▶ paused
//	  ▲ ▲ ◀──────── Resume ─────────────────┘
//	  │ │
//	  │ └──── BringBack(ceiling) ◀── retired (qty 0, ceiling_price 0, retired_qty)
//	  │                                 ▲
//	  └──────── Retire: a validated price over the ceiling ┘
//
// A paused entry keeps everything but its qty, which goes to paused_qty: a
// file with qty 0 is one that the Python tool (whose format ovhtui keeps)
// and older ovhtui versions do not buy either, and paused_qty is an extra
// key they ignore. A retired entry is what the Python tool writes (qty and
// ceiling_price 0), with retired_qty remembering the qty.

import (
	"errors"
	"fmt"

	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/money"
)

// Stage is where an entry stands according to the file alone. The engine
// adds what only it knows (a checkout in flight, the journal, validation):
// see order.EntryView.
type Stage int

// Stages.
const (
	StageWanted  Stage = iota // qty > 0: watched and bought when in stock
	StageOrdered              // an order is recorded
	StageLatched              // a checkout was attempted and its outcome is not recorded
	StagePaused               // paused by the user: qty in paused_qty
	StageRetired              // retired over the ceiling: qty and ceiling_price 0
	StageStopped              // qty 0 otherwise (a dry run done, or set by hand)
)

// String names the stage.
func (st Stage) String() string {
	switch st {
	case StageWanted:
		return "wanted"
	case StageOrdered:
		return "ordered"
	case StageLatched:
		return "latched"
	case StagePaused:
		return "paused"
	case StageRetired:
		return "retired"
	}
	return "stopped"
}

// Stage says where the entry stands.
func (s Server) Stage() Stage {
	switch {
	case s.OrderID != 0:
		return StageOrdered
	case s.OrderAttempted:
		return StageLatched
	case s.Qty > 0:
		return StageWanted
	case s.Paused():
		return StagePaused
	case s.Retired():
		return StageRetired
	}
	return StageStopped
}

// Paused reports an entry the user paused: qty 0, its qty kept in
// paused_qty, no checkout attempted, no order.
func (s Server) Paused() bool {
	return s.Qty == 0 && s.PausedQty > 0 && !s.OrderAttempted && s.OrderID == 0
}

// Retired reports an entry retired over its ceiling, as the Python tool
// leaves it: qty 0 and ceiling_price 0, no checkout attempted, no order,
// not paused, not skip_validate (whose ceiling is never checked, so never
// retired).
func (s Server) Retired() bool {
	return s.Qty == 0 && s.CeilingPrice == 0 && s.PausedQty <= 0 && !s.SkipValidate && !s.OrderAttempted && s.OrderID == 0
}

// Finished reports an entry that buys nothing until the user acts in a way
// other than a flag: ordered (buy another) or retired (bring back).
func (s Server) Finished() bool {
	st := s.Stage()
	return st == StageOrdered || st == StageRetired
}

// Pause stops watching and buying a wanted entry, keeping everything (DCs,
// addons, ceiling, carts, flags); its qty goes to paused_qty. It refuses an
// entry that is not wanted: a latched one (ErrLatched), an ordered one, one
// already paused or at qty 0.
func (s *Server) Pause() error {
	switch s.Stage() {
	case StageWanted:
	case StageLatched:
		return ErrLatched
	case StageOrdered:
		return fmt.Errorf("it is ordered (#%d): nothing to pause", s.OrderID)
	case StagePaused:
		return errors.New("it is already paused")
	default:
		return errors.New("qty is 0: it buys nothing, nothing to pause")
	}
	s.PausedQty, s.Qty = s.Qty, 0
	return nil
}

// Resume makes a paused entry wanted again with the qty it had (and the
// ceiling it kept). It refuses an entry that is not paused.
func (s *Server) Resume() error {
	if !s.Paused() {
		return fmt.Errorf("it is not paused (%s)", s.Stage())
	}
	s.Qty, s.PausedQty = s.PausedQty, 0
	return nil
}

// Retire stops an entry whose validated price is over its ceiling as the
// Python tool does (qty 0, ceiling_price 0), keeping its qty in
// retired_qty for BringBack.
func (s *Server) Retire() {
	if s.Qty > 0 {
		s.RetiredQty = s.Qty
	}
	s.Qty, s.CeilingPrice, s.PausedQty = 0, 0, 0
}

// BringBack makes a retired entry wanted again with a new ceiling (for all
// units, excluding tax, in 1e-8 of the currency) and the qty it had when
// retired (1 when unknown). It refuses an entry that is not retired and a
// ceiling of 0, which would retire it again at once.
func (s *Server) BringBack(ceilingUcents int64) error {
	if !s.Retired() {
		return fmt.Errorf("it is not retired (%s)", s.Stage())
	}
	if ceilingUcents <= 0 {
		return errors.New("a ceiling of 0 accepts no price: it would be retired again")
	}
	s.Qty = max(s.RetiredQty, 1)
	s.CeilingPrice = money.ToFloat(ceilingUcents)
	s.RetiredQty = 0
	return nil
}

// RemoveBlock says why the entry may not be removed from the file ("" when
// it may): a checkout attempted whose outcome is not recorded must stay
// until it is known (the look-up in OVH's orders or the user's re-arm
// needs the entry, and removing it would hide a server that may be billed).
// An ordered entry may go: its order stays in the journal and in the OVH
// account (the Orders screen and `ovhtui orders` read it there).
func (s Server) RemoveBlock() string {
	if s.Latched() {
		return "a checkout in " + orDash(s.OrderAttemptedIn) + " has no known outcome: it may have bought a server. " +
			"Wait for the look-up, or check your OVH orders and re-arm it (R), before removing it"
	}
	return ""
}

// RemoveHold says why the entry may not be removed, its file and the
// journal st (nil: none) taken together ("" when it may): RemoveBlock, or
// a checkout the journal shows attempted with no outcome, which the file
// may have lost (an old copy restored).
func RemoveHold(s Server, st *journal.State) string {
	if why := s.RemoveBlock(); why != "" {
		return why
	}
	if st.Entry(s.Key()).Phase() == journal.PhaseAttempted {
		return "the journal shows a checkout of it with no known outcome: it may have bought a server. " +
			"Wait for the look-up to settle it before removing it"
	}
	return ""
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
