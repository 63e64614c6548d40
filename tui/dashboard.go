package tui

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/orderstate"
	"github.com/ovhtui/ovhtui/prefs"
)

// dashCols are the widths of the dashboard's columns (0: not shown); a
// space separates them and a 2-cell selection marker starts each row.
type dashCols struct {
	name, dc, avail, cart, price, status, flags int
}

// maxDCColWidth bounds the DC column: a short code (gra) shows whole, a
// zone name shortened to its city and zone (eu-west-par-a: par-a) by
// shortDC.
const maxDCColWidth = 5

// cols are the layout's columns with the DC column as wide as the DCs
// shown need (4 cells, up to maxDCColWidth), taken from the status.
func (m *Model) cols() dashCols {
	c := m.layout.cols
	if c.dc == 0 || m.file == nil {
		return c
	}
	w := c.dc
	for _, s := range m.file.Servers {
		for _, dc := range s.DCNames() {
			w = max(w, ansi.StringWidth(shortDC(dc, maxDCColWidth)))
		}
	}
	if extra := w - c.dc; extra > 0 && c.status-extra >= minStatusWidth {
		c.dc, c.status = w, c.status-extra
	}
	return c
}

// Minimum widths of the columns that always stay.
const (
	minStatusWidth = 14
	minNameWidth   = 8
	flagsWidth     = 11 // "qty ord pay"
)

// computeDashCols shares the width by priority. The status, qty and
// ord/pay columns always stay; when the window is too narrow the cart
// countdown goes first, then the price, then the availability, then the DC;
// what is left is shared between the status (first) and the server name.
func computeDashCols(w int) dashCols {
	c := dashCols{name: 14, dc: 4, avail: 7, cart: 7, price: 13, flags: flagsWidth}
	if w >= 110 {
		c.name, c.avail, c.cart, c.price = 20, 8, 8, 17
	}
	used := func() int {
		n := 2 + c.name + c.flags + 1 // marker, name, flags and the space before them
		for _, x := range []int{c.dc, c.avail, c.cart, c.price} {
			if x > 0 {
				n += x + 1
			}
		}
		return n + 1 // the space after the status
	}
	wantStatus := 24
	for _, drop := range []*int{&c.cart, &c.price, &c.avail, &c.dc} {
		if used()+wantStatus <= w {
			break
		}
		*drop = 0
		wantStatus = minStatusWidth
	}
	// The status comes before the name: the name shrinks first.
	if short := used() + 24 - w; short > 0 {
		c.name = max(c.name-short, minNameWidth)
	}
	c.status = max(w-used(), minStatusWidth)
	// A wide window: the name takes a share of what the status does not need.
	if extra := c.status - 48; extra > 0 {
		c.name += extra / 3
		c.status -= extra / 3
	}
	return c
}

// entryRows returns the first dashboard row of entry i and its row count
// (one per DC, at least one).
func (m *Model) entryRows(i int) (start, n int) {
	if m.file == nil || i < 0 || i >= len(m.file.Servers) {
		return 0, 0
	}
	for j := 0; j < i; j++ {
		start += max(len(m.file.Servers[j].Datacenters), 1)
	}
	return start, max(len(m.file.Servers[i].Datacenters), 1)
}

func (m *Model) totalRows() int {
	n := 0
	if m.file != nil {
		for _, s := range m.file.Servers {
			n += max(len(s.Datacenters), 1)
		}
	}
	return n
}

// dashboardView renders the column titles and the rows that fit in height.
func (m *Model) dashboardView(height int) string {
	st := &m.styles.ink
	c := m.cols()
	var b strings.Builder
	title := "  " + fit("server", c.name) + " "
	for _, col := range []struct {
		w    int
		name string
	}{{c.dc, "DC"}, {c.avail, "avail"}, {c.cart, "cart"}, {c.price, "price/ceil"}, {c.status, "status"}} {
		if col.w > 0 {
			title += fit(col.name, col.w) + " "
		}
	}
	title += "qty ord pay"
	b.WriteString(st.ColumnTitle.Render(fit(title, m.layout.width)))
	rows := height - 1
	if m.file == nil || len(m.file.Servers) == 0 {
		b.WriteString("\n" + st.Dim.Render(cut("  no entries in preferences.json: press / to add one from the catalog", m.layout.width)))
		rows--
	} else {
		row := 0
		for i := range m.file.Servers {
			s := &m.file.Servers[i]
			n := max(len(s.Datacenters), 1)
			if row+n <= m.dashTop {
				row += n
				continue
			}
			for j := 0; j < n && rows > 0; j++ {
				if row >= m.dashTop {
					b.WriteByte('\n')
					b.WriteString(m.dashRow(i, s, j))
					rows--
				}
				row++
			}
			if rows == 0 {
				break
			}
		}
	}
	for ; rows > 0; rows-- {
		b.WriteByte('\n')
	}
	return b.String()
}

// dashRow renders row j (the j-th DC) of entry i from the engine's
// published state of the entry: the UI derives nothing about money.
func (m *Model) dashRow(i int, s *prefs.Server, j int) string {
	st := &m.styles.ink
	c := m.cols()
	var b strings.Builder
	b.Grow(m.layout.width * 3)
	if i == m.sel {
		mark := "▸ "
		switch {
		case j > 0:
			mark = "▏ "
		case m.logFocus:
			mark = "› "
		}
		b.WriteString(st.Selected.Render(mark))
	} else {
		b.WriteString("  ")
	}
	switch j {
	case 0:
		b.WriteString(st.Name.Render(fit(m.serverName(s.PlanCode), c.name)))
	case 1:
		b.WriteString(st.Dim.Render(fit(shortFQN(s.PlanCode, s.FQN), c.name)))
	default:
		b.WriteString(strings.Repeat(" ", c.name))
	}
	b.WriteByte(' ')
	dc := "—"
	if j < len(s.Datacenters) {
		dc = s.Datacenters[j].Datacenter
	}
	v := m.live.view(s.Key())
	pending := v != nil && !engineSees(v, s)
	d := dcView(v, dc)
	if c.dc > 0 {
		b.WriteString(fit(shortDC(dc, c.dc), c.dc))
		b.WriteByte(' ')
	}
	if c.avail > 0 {
		avail, availSt := availCell(st, d, m.now)
		b.WriteString(availSt.Render(fit(avail, c.avail)))
		b.WriteByte(' ')
	}
	if c.cart > 0 {
		cart, cartSt := m.cartText(d)
		b.WriteString(cartSt.Render(fit(cart, c.cart)))
		b.WriteByte(' ')
	}
	if c.price > 0 {
		price, priceSt := m.priceText(s, v, d, pending, c.price)
		b.WriteString(priceSt.Render(fit(price, c.price)))
		b.WriteByte(' ')
	}
	status, statusSt := m.statusText(s, v, d, pending)
	if !pending {
		status = m.lastInStockNote(s, v, d, dc, status, c.status) // the restock radar (radar.go)
	}
	if v != nil && !pending && v.Lifecycle != order.LifeWatching {
		// One status for the whole entry, wrapped over its rows.
		status, statusSt = m.entryStatus(s, v, c.status, j)
	}
	b.WriteString(statusSt.Render(fit(status, c.status)))
	b.WriteByte(' ')
	if j == 0 {
		b.WriteString(m.flagsText(s))
	}
	return cut(b.String(), m.layout.width)
}

// engineSees reports whether the engine's state was computed from the
// entry as the UI shows it (a change just saved is not seen until the
// engine reads the file again).
func engineSees(v *order.EntryView, s *prefs.Server) bool {
	return v.Qty == s.Qty && v.PlaceOrder == s.PlaceOrder && v.Autopay == s.Autopay &&
		v.Ceiling.Ucents == s.CeilingUcents() && v.SkipValidate == s.SkipValidate &&
		v.OrderID == s.OrderID && len(v.DCs) == len(s.Datacenters)
}

// cartText is the cart's countdown to expiry, from the engine's state.
func (m *Model) cartText(d *order.DCView) (string, ink) {
	st := &m.styles.ink
	if d == nil {
		return "—", st.Dim
	}
	if d.Status == order.StatusBuildingCart {
		return "build…", st.StatusBusy
	}
	if !d.HasCart || d.Cart.Expire.IsZero() {
		return "—", st.Dim
	}
	left := d.Cart.Expire.Sub(m.now)
	switch {
	case left <= 0:
		return "expired", st.StatusBad
	case left < 10*time.Minute:
		return fmtCountdown(left), st.StatusBusy
	}
	return fmtCountdown(left), st.Plain
}

// priceText is the validated price against the ceiling, judged by the
// engine: "19.99≤20.00" within, "21.00>20.00" above, "19.99?20.00" when the
// price must be read again. When the amounts do not fit the column, the
// ceiling gives way to a word; amounts are never cut.
func (m *Model) priceText(s *prefs.Server, v *order.EntryView, d *order.DCView, pending bool, width int) (string, ink) {
	st := &m.styles.ink
	ceiling := s.CeilingUcents()
	if v != nil && !pending {
		ceiling = v.Ceiling.Ucents
	}
	ceil := money.CeilingDecimal(ceiling)
	if ceiling == 0 && (v == nil || !v.SkipValidate) {
		// No ceiling: a retired entry (its ceiling set to 0 as the
		// Python tool does), never "0.00" as if one.
		ceil = "—"
	}
	if d == nil || !d.HasCart || d.Cart.Price.Ucents == 0 && d.Cart.ValidatedAt.IsZero() {
		return fitAmounts("-", "/", ceil, "", width), st.Dim
	}
	price := money.Decimal(d.Cart.Price.Ucents)
	verdict := d.Verdict
	if pending {
		verdict = order.PriceUnknown
	}
	switch verdict {
	case order.PriceWithin:
		return fitAmounts(price, "≤", ceil, " ok", width), st.PriceWithin
	case order.PriceOver:
		return fitAmounts(price, ">", ceil, " OVER", width), st.PriceAbove
	case order.PriceUnchecked:
		return fitAmounts(price, " ", "nocheck", "", width), st.AvailSoon
	case order.PriceStale:
		return fitAmounts(price, "?", ceil, " old", width), st.Dim
	}
	return fitAmounts(price, "/", ceil, "", width), st.Dim
}

// fitAmounts joins price, sep and ceiling when they fit width; else the
// price and word; else the price alone (cut only if the price itself does
// not fit, which a 7-cell column allows up to 9,999,999.99).
func fitAmounts(price, sep, ceiling, word string, width int) string {
	if s := price + sep + ceiling; ansi.StringWidth(s) <= width {
		return s
	}
	if s := price + word; ansi.StringWidth(s) <= width {
		return s
	}
	return price
}

// statusText says where the entry stands in the DC, as the engine published
// it; a change the engine has not read yet says so.
func (m *Model) statusText(s *prefs.Server, v *order.EntryView, d *order.DCView, pending bool) (string, ink) {
	st := &m.styles.ink
	if v == nil || d == nil {
		if s.OrderID != 0 {
			return "ordered #" + strconv.FormatInt(s.OrderID, 10), st.StatusOK
		}
		return "waiting for the engine", st.Dim
	}
	if pending {
		return "saved; the engine reads it at its next poll", st.StatusBusy
	}
	text := d.Note
	if !d.CoolingUntil.IsZero() && d.CoolingUntil.After(m.now) && !d.OrderNow && v.Target != d.DC {
		text = "refused as not available: retry in " + fmtAge(d.CoolingUntil.Sub(m.now))
	}
	if v.Lifecycle == order.LifeOrdered && (v.OrderedIn == d.DC || v.OrderedIn == "") && m.unpaidOrder(v.OrderID) {
		return text + " " + m.unpaidText(v.OrderID, true), st.StatusBad
	}
	return text, m.statusInk(v, d)
}

// entryStatus is row j of the status of an entry that is not watching
// (ordered, stopped, latched…): one text for the entry, wrapped over as
// many rows as it has DCs, the last one cut.
func (m *Model) entryStatus(s *prefs.Server, v *order.EntryView, width, j int) (string, ink) {
	text := ""
	if len(v.DCs) > 0 {
		text = v.DCs[0].Note
	}
	ink := m.statusInk(v, nil)
	rows := max(len(s.Datacenters), 1)
	if v.Lifecycle == order.LifeOrdered {
		id := "#" + strconv.FormatInt(v.OrderID, 10)
		in := ""
		if v.OrderedIn != "" && rows > 1 {
			in = " in " + v.OrderedIn
		}
		text = "ordered " + id + in
		if m.unpaidOrder(v.OrderID) {
			ink = m.styles.ink.StatusBad
			// The first that fits its rows; UNPAID always shows.
			unpaid := m.unpaidText(v.OrderID, true)
			for _, t := range []string{
				text + " · " + unpaid,
				"ordered " + id + " " + unpaid,
				id + " " + unpaid,
				id + " " + orderstate.Unpaid.String(),
			} {
				text = t
				if ansi.StringWidth(t) <= width*rows-(rows-1)*4 {
					break
				}
			}
		}
	}
	lines := strings.Split(ansi.Wordwrap(keepAmounts(text), width, ""), "\n")
	for i := range lines {
		lines[i] = strings.ReplaceAll(lines[i], nbsp, " ")
	}
	if j >= len(lines) {
		return "", ink
	}
	if j == rows-1 && len(lines) > rows {
		return cut(strings.Join(lines[j:], " "), width), ink
	}
	return lines[j], ink
}

// nbsp is a non-breaking space: ansi.Wordwrap never breaks a line there.
const nbsp = "\u00a0"

// amountCurrency is an amount followed by its currency code ("40.00 EUR").
var amountCurrency = regexp.MustCompile(`(\d) ([A-Z]{3})\b`)

// keepAmounts joins each amount to its currency with a non-breaking space,
// so that a wrapped status never leaves "EUR" alone on the next row.
func keepAmounts(s string) string { return amountCurrency.ReplaceAllString(s, "${1}"+nbsp+"${2}") }

// statusInk colours a status by what it means.
func (m *Model) statusInk(v *order.EntryView, d *order.DCView) ink {
	st := &m.styles.ink
	switch v.Lifecycle {
	case order.LifeOrdered:
		return st.StatusOK
	case order.LifeInvalid:
		return st.StatusBad
	case order.LifeBusy, order.LifeResolving:
		return st.StatusBusy
	case order.LifeNeedsDecision:
		return st.StatusDecision
	case order.LifeStopped, order.LifePaused:
		return st.StatusQuiet
	}
	if d == nil {
		return st.Plain
	}
	switch {
	case d.OrderNow || v.Target == d.DC:
		return st.StatusBusy
	case d.Status == order.StatusError, d.Verdict == order.PriceOver:
		return st.StatusBad
	case d.Verdict == order.PriceWithin || d.Verdict == order.PriceUnchecked:
		return st.StatusOK
	}
	return st.Plain
}

// problemText is a validation problem without the entry's path prefix.
func problemText(p prefs.Problem) string {
	path := p.Path
	if i := strings.IndexByte(path, ']'); i >= 0 && strings.HasPrefix(path, "user_servers[") {
		path = strings.TrimPrefix(path[i+1:], ".")
	}
	if path == "" {
		return p.Msg
	}
	return path + ": " + p.Msg
}

// flagsText renders qty, place_order and autopay; flags that spend money
// stand out.
func (m *Model) flagsText(s *prefs.Server) string {
	st := &m.styles.ink
	onOff := func(v bool) string {
		if v {
			return st.FlagLive.Render("on ")
		}
		return st.FlagOff.Render("off")
	}
	return fmt.Sprintf("%3d", s.Qty) + " " + onOff(s.PlaceOrder) + " " + onOff(s.Autopay)
}

// findOffer returns the offer of planCode in c, or nil.
func findOffer(c *catalog.Catalog, planCode string) *catalog.Offer {
	if c == nil {
		return nil
	}
	if o, ok := c.Offer(planCode); ok {
		return o
	}
	for _, o := range c.Offers { // a catalog built without its index
		if o.PlanCode == planCode {
			return o
		}
	}
	return nil
}
