package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

// dashCols are the widths of the dashboard's columns; a space separates
// them and a 2-cell selection marker starts each row.
type dashCols struct {
	name, dc, avail, cart, price, status, flags int
	// overflow is set when the columns are wider than the window (under
	// about 70 columns): rows are then cut to the window.
	overflow bool
}

// computeDashCols shares the width: fixed columns for short values, the
// rest split between the server name and the status.
func computeDashCols(w int) dashCols {
	c := dashCols{dc: 4, avail: 7, cart: 7, price: 13, flags: 11}
	if w >= 110 {
		c.price, c.avail, c.cart = 17, 8, 8
	}
	fixed := 2 + c.dc + c.avail + c.cart + c.price + c.flags + 6
	rest := max(w-fixed, 20)
	c.name = max(rest*2/5, 10)
	c.status = max(rest-c.name, 10)
	c.overflow = fixed+c.name+c.status > w
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
	c := m.layout.cols
	var b strings.Builder
	title := "  " + fit("server", c.name) + " " + fit("DC", c.dc) + " " + fit("avail", c.avail) + " " +
		fit("cart", c.cart) + " " + fit("price/ceiling", c.price) + " " + fit("status", c.status) + " " + fit("qty ord pay", c.flags)
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

// dashRow renders row j (the j-th DC) of entry i.
func (m *Model) dashRow(i int, s *prefs.Server, j int) string {
	st := &m.styles.ink
	c := m.layout.cols
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
	b.WriteString(fit(dc, c.dc))
	b.WriteByte(' ')

	id := entryID(s.Key())
	cl := m.live.lookup(id, dc)
	entryCell := m.live.lookup(id, "")

	avail := ""
	if cl != nil {
		avail = cl.avail
	}
	b.WriteString(m.availStyle(avail).Render(fit(availText(avail), c.avail)))
	b.WriteByte(' ')

	cart, cartSt := m.cartText(s, dc, cl)
	b.WriteString(cartSt.Render(fit(cart, c.cart)))
	b.WriteByte(' ')

	price, priceSt := m.priceText(s, dc, cl)
	b.WriteString(priceSt.Render(fit(price, c.price)))
	b.WriteByte(' ')

	status, statusSt := m.statusText(s, dc, cl, entryCell)
	if probs := m.problems[i]; len(probs) > 0 && s.OrderID == 0 {
		status, statusSt = "invalid, ignored: "+problemText(probs[0]), m.styles.ink.StatusBad
	}
	b.WriteString(statusSt.Render(fit(status, c.status)))
	b.WriteByte(' ')

	if j == 0 {
		b.WriteString(m.flagsText(s))
	}
	if c.overflow {
		return cut(b.String(), m.layout.width)
	}
	return b.String()
}

func (m *Model) availStyle(v string) ink { return availInk(&m.styles.ink, v) }

// cartText is the cart's countdown to expiry, from the engine's last report
// or, before any, from dc_carts.
func (m *Model) cartText(s *prefs.Server, dc string, cl *cell) (string, ink) {
	st := &m.styles.ink
	if cl != nil && cl.status == order.StatusBuildingCart {
		return "build…", st.StatusBusy
	}
	exp := cl.expireOr(s, dc)
	if exp.IsZero() {
		return "—", st.Dim
	}
	left := exp.Sub(m.now)
	switch {
	case left <= 0:
		return "expired", st.StatusBad
	case left < 10*time.Minute:
		return fmtCountdown(left), st.StatusBusy
	}
	return fmtCountdown(left), st.Plain
}

// priceText is the validated price against the ceiling: "19.99≤20.00"
// within, "21.00>20.00" above.
func (m *Model) priceText(s *prefs.Server, dc string, cl *cell) (string, ink) {
	st := &m.styles.ink
	ceiling := s.CeilingUcents()
	price, ok := validatedPrice(s, dc, cl)
	if !ok {
		return "-/" + fmtAmount(ceiling), st.Dim
	}
	if s.SkipValidate {
		return fmtAmount(price) + " nocheck", st.AvailSoon
	}
	if price <= ceiling {
		return fmtAmount(price) + "≤" + fmtAmount(ceiling), st.PriceWithin
	}
	return fmtAmount(price) + ">" + fmtAmount(ceiling), st.PriceAbove
}

// validatedPrice is the engine's last validated price for the DC, or the
// one saved in dc_carts.
func validatedPrice(s *prefs.Server, dc string, cl *cell) (int64, bool) {
	if cl != nil && cl.hasPrice {
		return cl.price.Ucents, true
	}
	if cart, ok := s.DCCarts.Get(dc); ok && cart.Summary != nil {
		return cart.Summary.WithoutTaxUcents, true
	}
	return 0, false
}

func (c *cell) expireOr(s *prefs.Server, dc string) (t time.Time) {
	if c != nil && !c.cartExpire.IsZero() {
		return c.cartExpire
	}
	if cart, ok := s.DCCarts.Get(dc); ok {
		return cart.CartExpire
	}
	return t
}

// statusText says what the engine does with the entry in the DC. What the
// file records (an order, a latch) wins over older live reports.
func (m *Model) statusText(s *prefs.Server, dc string, cl, entry *cell) (string, ink) {
	st := &m.styles.ink
	if s.OrderID != 0 && (s.OrderedIn == dc || s.OrderedIn == "") {
		return "ordered #" + strconv.FormatInt(s.OrderID, 10), st.StatusOK
	}
	if cl != nil && cl.status == order.StatusOrdered && cl.orderID != 0 {
		return "ordered #" + strconv.FormatInt(cl.orderID, 10), st.StatusOK
	}
	if s.OrderAttempted && s.OrderID == 0 {
		if cl != nil && cl.status == order.StatusOrdering {
			return "ordering…", st.StatusBusy
		}
		return "needs your decision (R)", st.StatusDecision
	}
	if entry != nil && entry.status == order.StatusNeedsDecision {
		return "needs your decision (R)", st.StatusDecision
	}
	if cl == nil || cl.status == "" {
		if entry != nil && entry.status != "" {
			return statusWords(entry.status, entry.statusDetail), m.statusStyle(entry.status)
		}
		if s.Qty == 0 {
			return "idle (qty 0)", st.StatusQuiet
		}
		if s.OrderError != "" && s.OrderAttemptedIn == dc {
			return "refused: " + s.OrderError, st.StatusBad
		}
		return "waiting for engine", st.Dim
	}
	text := statusWords(cl.status, cl.statusDetail)
	if cl.status == order.StatusError && cl.orderErr != "" && cl.statusDetail == "" {
		text += ": " + cl.orderErr
	}
	return text, m.statusStyle(cl.status)
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

func statusWords(s order.Status, detail string) string {
	text := string(s)
	if detail != "" {
		text += ": " + detail
	}
	return text
}

func (m *Model) statusStyle(s order.Status) ink {
	st := &m.styles.ink
	switch s {
	case order.StatusReady, order.StatusOrdered:
		return st.StatusOK
	case order.StatusBuildingCart, order.StatusOrdering:
		return st.StatusBusy
	case order.StatusOverCeiling, order.StatusError:
		return st.StatusBad
	case order.StatusNeedsDecision:
		return st.StatusDecision
	case order.StatusRetired, order.StatusIdle:
		return st.StatusQuiet
	}
	return st.Plain
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
