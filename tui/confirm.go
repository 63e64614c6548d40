package tui

import (
	"fmt"
	"strings"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

// confirmKind is what a confirmation dialog asks.
type confirmKind int

const (
	// confirmPlaceOrder: turn place_order on while autopay is on.
	confirmPlaceOrder confirmKind = iota
	// confirmAutopay: turn autopay on while place_order is on.
	confirmAutopay
	// confirmRearm: re-arm an entry latched without an order.
	confirmRearm
	// confirmRemove: remove an entry from preferences.json (d).
	confirmRemove
	// confirmPause: pause a wanted entry (z).
	confirmPause
	// confirmResume: resume a paused entry that orders and pays at once (z).
	confirmResume
	// confirmFinishedPlace: turn place_order on for an ordered or retired
	// entry, which buys nothing now (p).
	confirmFinishedPlace
)

// confirmDialog asks before something that can spend money. It keeps the
// values the user saw; the save checks they still hold.
type confirmDialog struct {
	kind               confirmKind
	key                string
	name               string
	fromPlace, fromPay bool
	qty                int // the qty paused or resumed
}

// confirmView renders the dialog with the live validated prices per DC.
func (m *Model) confirmView() string {
	d := m.confirm
	st := &m.styles
	w := m.layout.width - 4 // border and padding
	i := m.file.Find(d.key)
	if i < 0 {
		return st.Dialog.Width(m.layout.width).Render("the entry is gone from preferences.json: esc")
	}
	s := &m.file.Servers[i]
	var lines []string
	switch d.kind {
	case confirmPlaceOrder, confirmAutopay:
		what := "Turn place_order ON"
		if d.kind == confirmAutopay {
			what = "Turn autopay ON"
		}
		lines = append(lines, st.Danger.Render(cut(m.moneyWarning()+" — "+what+" for "+d.name, w)))
		if s.Stage() == prefs.StageWanted {
			lines = append(lines,
				cut(fmt.Sprintf("ovhtui will order %d unit(s) as soon as a wanted DC is in stock,", s.Qty), w),
				cut("and OVH charges your preferred payment method at once.", w))
		} else {
			// Paused, stopped or latched: nothing is bought now (the
			// lifecycle says when it would be).
			lines = append(lines, wrapText("Nothing is bought now"+flagNote(s)+fmt.Sprintf(". Then ovhtui orders %d unit(s) as soon as a wanted DC is in stock, and OVH charges your preferred payment method at once.", s.Units()), w)...)
		}
		lines = append(lines, m.priceLines(s, w)...)
		lines = append(lines, st.DialogTitle.Render("y")+" yes, order for real   "+st.DialogTitle.Render("n/esc")+" cancel")
	case confirmRearm:
		lines = append(lines,
			st.Danger.Render(cut("Re-arm "+d.name+"?", w)),
			cut(fmt.Sprintf("An order was attempted in %s at %s and its outcome is unknown.", orDash(s.OrderAttemptedIn), fmtTime(s.OrderAttemptedAt)), w),
			cut("Check your OVH account (orders) first: re-arming may buy a second server.", w),
		)
		lines = append(lines, m.priceLines(s, w)...)
		lines = append(lines, st.DialogTitle.Render("y")+" re-arm   "+st.DialogTitle.Render("n/esc")+" cancel")
	default:
		lines = m.entryActionLines(d, s, w)
	}
	return st.Dialog.Width(m.layout.width).Render(strings.Join(lines, "\n"))
}

// priceLines lists the validated price of each DC against the ceiling,
// as the engine judged them.
func (m *Model) priceLines(s *prefs.Server, w int) []string {
	st := &m.styles
	v := m.live.view(s.Key())
	ceiling := s.CeilingUcents()
	cur := ""
	if m.cat != nil {
		cur = " " + m.cat.Currency
	}
	qty := s.Units() // at qty 0: what re-arming, resuming or bringing back restores
	out := []string{cut(fmt.Sprintf("Ceiling (first invoice excl. tax, %d unit(s)): %s%s", qty, money.CeilingDecimal(ceiling), cur), w)}
	dcW := dcWidth(s.DCNames(), 4) + 1
	for _, dc := range s.DCNames() {
		d := dcView(v, dc)
		line := "  " + fit(dc, dcW)
		if d == nil || !d.HasCart || d.Cart.ValidatedAt.IsZero() {
			out = append(out, cut(line+st.Dim.Render("no validated price yet"), w))
			continue
		}
		p := money.Decimal(d.Cart.Price.Ucents) + cur
		switch d.Verdict {
		case order.PriceUnchecked:
			line += st.AvailSoon.Render(p + " (skip_validate: the ceiling is not checked)")
		case order.PriceWithin:
			line += st.PriceWithin.Render(p + " validated, within the ceiling")
		case order.PriceOver:
			line += st.PriceAbove.Render(p + " validated, ABOVE the ceiling: not ordered there")
		case order.PriceStale:
			line += st.Dim.Render(p + " validated " + fmtAge(m.now.Sub(d.Cart.ValidatedAt)) + " ago: read again before ordering")
		default:
			line += st.Dim.Render(p + " validated " + fmtAge(m.now.Sub(d.Cart.ValidatedAt)) + " ago")
		}
		out = append(out, cut(line, w))
	}
	return out
}

// entryActionLines are the lines of the dialogs of entryactions.go.
func (m *Model) entryActionLines(d *confirmDialog, s *prefs.Server, w int) []string {
	st := &m.styles
	keys := func(yes string) string {
		return st.DialogTitle.Render("y") + " " + yes + "   " + st.DialogTitle.Render("n/esc") + " cancel"
	}
	var lines []string
	switch d.kind {
	case confirmRemove:
		lines = append(lines, st.Danger.Render(cut("Remove "+d.name+" from preferences.json?", w)))
		lines = append(lines, wrapText(fmt.Sprintf("ovhtui stops watching it and forgets its settings (DCs, addons, ceiling %s, carts).", money.CeilingDecimal(s.CeilingUcents())), w)...)
		switch s.Stage() {
		case prefs.StageOrdered:
			lines = append(lines, wrapText(fmt.Sprintf("Order #%d stays in your OVH account (O lists it) and in the journal.", s.OrderID), w)...)
			if m.unpaidOrder(s.OrderID) {
				for _, l := range wrapText(fmt.Sprintf("It is %s: pay it in O (or ovhtui pay %d).", m.unpaidText(s.OrderID, false), s.OrderID), w) {
					lines = append(lines, st.Danger.Render(l))
				}
			}
		case prefs.StageWanted:
			lines = append(lines, wrapText(fmt.Sprintf("It is watched now (qty %d): it will not be bought. To stop it for a while instead, pause it (z).", s.Qty), w)...)
		}
		lines = append(lines, keys("remove"))
	case confirmPause:
		lines = append(lines, st.DialogTitle.Render(cut("Pause "+d.name+"?", w)))
		lines = append(lines, wrapText(fmt.Sprintf("It stops watching and ordering. Qty %d is kept aside (paused_qty) with the ceiling %s, DCs, addons and carts; z resumes it in one key.", d.qty, money.CeilingDecimal(s.CeilingUcents())), w)...)
		lines = append(lines, keys("pause"))
	case confirmResume:
		lines = append(lines,
			st.Danger.Render(cut(m.moneyWarning()+" — Resume "+d.name+"?", w)),
			cut(fmt.Sprintf("ovhtui will order %d unit(s) as soon as a wanted DC is in stock,", d.qty), w),
			cut("and OVH charges your preferred payment method at once (autopay on).", w),
		)
		lines = append(lines, m.priceLines(s, w)...)
		lines = append(lines, keys("resume"))
	case confirmFinishedPlace:
		real := "for real"
		if m.deps.Demo {
			real = "in the demo"
		}
		pays := ""
		if s.Autopay {
			pays = " and pays at once (autopay on)"
		}
		if s.Stage() == prefs.StageOrdered {
			lines = append(lines, st.DialogTitle.Render(cut(fmt.Sprintf("%s is ordered (#%d in %s)", d.name, s.OrderID, orDash(s.OrderedIn)), w)))
			lines = append(lines, wrapText("Turning place_order ON buys nothing now: the entry stays ordered. It applies if you buy another (B): the re-armed entry then orders "+real+pays+", within the ceiling you confirm there.", w)...)
		} else {
			lines = append(lines, st.DialogTitle.Render(cut(d.name+" is retired (a price over its ceiling; qty 0, ceiling 0)", w)))
			lines = append(lines, wrapText("Turning place_order ON buys nothing now. It applies once you bring it back (R, with a new ceiling): it then orders "+real+pays+" as soon as a wanted DC is in stock.", w)...)
		}
		lines = append(lines, keys("turn place_order on"))
	}
	return lines
}
