package tui

import (
	"fmt"
	"strings"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/ovhapi"
)

// headerView renders two lines: where ovhtui orders and how fresh its data
// is, then the API health.
func (m *Model) headerView() string {
	st := &m.styles
	w := m.layout.width
	sub := m.deps.Subsidiary
	if sub == "" && m.file != nil {
		sub = m.file.Subsidiary
	}
	endpoint := m.deps.Endpoint
	if endpoint == "" {
		endpoint = "?"
	}
	if m.deps.Demo {
		endpoint = st.Danger.Render(demoWord) + " simulator"
	}
	parts := []string{
		st.Header.Render("ovhtui"),
		endpoint + " " + st.Header.Render(sub),
	}
	poll := "poll " + m.deps.Poll.String()
	h := m.live.health
	if p := h.pacing; p.Plans > 0 && (p.Interval != p.Poll || p.Budget.Throttled()) {
		// The plans need more than the request budget, or a 429 halved it:
		// say what interval each plan gets.
		poll = p.Text
		if p.Budget.Throttled() {
			poll = st.HealthBad.Render(p.Text)
		}
	}
	if h.lastPoll.IsZero() {
		poll += ", no poll yet"
	} else {
		poll += ", last " + fmtAge(m.now.Sub(h.lastPoll)) + " ago"
	}
	if !m.anyWatched() {
		poll += " (nothing left to watch)"
	}
	parts = append(parts, poll)
	if m.cat == nil {
		cat := "catalog not loaded"
		if m.catBusy {
			cat = "catalog loading…"
		}
		parts = append(parts, st.HeaderDim.Render(cat))
	} else {
		cat := "catalog " + fmtAge(m.now.Sub(m.cat.FetchedAt)) + " old"
		if m.catBusy {
			cat += " (refreshing…)"
		}
		parts = append(parts, st.HeaderDim.Render(cat))
	}
	if m.deps.ReadOnly {
		parts = append(parts[:1], append([]string{st.Danger.Render("READ-ONLY")}, parts[1:]...)...)
	}
	line1 := cut(strings.Join(parts, st.HeaderDim.Render(" │ ")), w)

	var line2 string
	if h.lastErrAt.IsZero() {
		line2 = st.HealthOK.Render("API ok")
	} else {
		age := m.now.Sub(h.lastErrAt)
		msg := fmt.Sprintf("API error %s ago: %s: %s", fmtAge(age), h.lastErrCall, h.lastErr)
		if !h.lastPoll.IsZero() && h.lastPoll.After(h.lastErrAt) {
			line2 = st.HealthOK.Render("API ok") + st.HeaderDim.Render(" (last error "+fmtAge(age)+" ago: "+h.lastErrCall+": "+h.lastErr+")")
		} else {
			line2 = st.HealthBad.Render(msg)
		}
	}
	if n := m.live.health.ordersPlaced; n > 0 {
		line2 = st.StatusOK.Render(fmt.Sprintf("%d order(s) placed", n)) + st.HeaderDim.Render(" │ ") + line2
	}
	if m.file != nil {
		line2 = st.HeaderDim.Render(fmt.Sprintf("%d entries │ ", len(m.file.Servers))) + line2
	}
	if p := h.payment; p != nil {
		// Before any stock: an order placed with autopay would stay unpaid.
		status := p.Status
		if status == "" {
			status = "missing"
		}
		line2 = st.HealthBad.Render("AUTOPAY CANNOT PAY: default payment method "+status+" (fix it in OVH's control panel)") +
			st.HeaderDim.Render(" │ ") + line2
	}
	return line1 + "\n" + cut(line2, w)
}

// orderBanner is shown when an order is placed, until dismissed.
type orderBanner struct {
	ev    order.OrderPlaced
	label string
	count int // orders placed since the banner was last dismissed
}

func newOrderBanner(e order.OrderPlaced, label string, prev *orderBanner) *orderBanner {
	b := &orderBanner{ev: e, label: label, count: 1}
	if prev != nil {
		b.count = prev.count + 1
	}
	return b
}

// bannerView renders the order banner over the full width: what was ordered,
// then the order URL (wrapped, never cut: the user needs all of it).
func (m *Model) bannerView() string {
	b := m.banner
	w := m.layout.width
	st := m.styles.Banner
	line1 := fmt.Sprintf(" ★ ORDER PLACED: #%d  %s in %s at %s", b.ev.OrderID, b.label, b.ev.DC, b.ev.Price)
	if b.ev.Reconciled {
		line1 += " (" + b.ev.FoundHow() + ")"
	}
	if b.count > 1 {
		line1 += fmt.Sprintf("  (+%d more, see log)", b.count-1)
	}
	lines := []string{line1}
	if m.unpaidOrder(b.ev.OrderID) {
		st = m.styles.BannerAlarm
		lines = append(lines, " "+m.unpaidText(b.ev.OrderID, false)+", at this link:")
	}
	if b.ev.OverCeiling {
		st = m.styles.BannerAlarm
		lines = append(lines, " ! THE CHECKOUT TOTAL IS ABOVE YOUR CEILING: check this order in your OVH account now")
	}
	if url := ovhapi.OrderLink(b.ev.URL); url != "" { // never the order password
		lines = append(lines, " "+hyperlink(url, w-1)) // never wrapped (links.go)
	} else {
		lines = append(lines, " (no URL returned)")
	}
	if m.layout.height >= compactHeight {
		lines = append(lines, " x dismisses this banner")
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = st.Render(fit(l, w))
	}
	return strings.Join(out, "\n")
}

// compactHeight is the window height under which the banner drops its
// last line (x is in the help line) to leave room for the dashboard.
const compactHeight = 16

// labelOf names an entry from an event's Entry key: server name and short
// fqn ("KS-LE-B 32g/2x450nvme").
func (m *Model) labelOf(key string) string {
	id := entryID(key)
	if m.file != nil {
		for _, s := range m.file.Servers {
			if entryID(s.Key()) == id {
				return m.serverName(s.PlanCode) + " " + shortFQN(s.PlanCode, s.FQN)
			}
		}
	}
	plan, fqn, found := strings.Cut(id, "|")
	if !found { // an entry id (e.g. re-armed since): planCode-hex when ovhtui wrote it
		if i := strings.LastIndexByte(id, '-'); i > 0 {
			plan = id[:i]
		}
		if name := m.serverName(plan); name != plan {
			return name + " (" + id + ")"
		}
		return id
	}
	return m.serverName(plan) + " " + shortFQN(plan, fqn)
}

// serverName is the catalog's name of a plan ("KS-LE-B", the part of the
// invoiceName before " | "), or the planCode when the catalog does not say.
func (m *Model) serverName(planCode string) string {
	if o := findOffer(m.cat, planCode); o != nil && o.Name != "" {
		return shortName(o.Name)
	}
	return planCode
}

// shortName keeps the model name of an invoiceName ("RISE-1 | Intel
// Xeon-E 2386G" -> "RISE-1").
func shortName(invoiceName string) string { return catalog.ModelName(invoiceName) }

// anyWatched reports whether some entry still wants a server: qty > 0,
// no order recorded, valid.
func (m *Model) anyWatched() bool {
	if m.file == nil {
		return false
	}
	for i, s := range m.file.Servers {
		if s.Qty > 0 && len(m.problems[i]) == 0 {
			return true
		}
	}
	return false
}
