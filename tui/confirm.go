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
)

// confirmDialog asks before something that can spend money. It keeps the
// values the user saw; the save checks they still hold.
type confirmDialog struct {
	kind               confirmKind
	key                string
	name               string
	fromPlace, fromPay bool
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
		lines = append(lines,
			st.Danger.Render(cut(m.moneyWarning()+" — "+what+" for "+d.name, w)),
			cut(fmt.Sprintf("ovhtui will order %d unit(s) as soon as a wanted DC is in stock,", s.Qty), w),
			cut("and OVH charges your preferred payment method at once.", w),
		)
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
	qty := s.Qty
	if qty == 0 && s.OrderAttemptedQty > 0 {
		qty = s.OrderAttemptedQty // a latched entry: the qty re-arming restores
	}
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
