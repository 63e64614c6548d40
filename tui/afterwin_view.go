package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/orderstate"
	"github.com/ovhtui/ovhtui/ovhapi"
)

// afterWinView renders the Orders or Servers screen into width x height.
func (m *Model) afterWinView(width, height int) string {
	a, st := m.after, &m.styles
	var title string
	if a.kind == awOrders {
		title = "Orders · last 30 days and ovhtui's (*) · UTC"
		if width >= 100 {
			title = "Orders · last 30 days and ovhtui's (BY ovhtui) · UTC"
		}
	} else {
		title = "Servers · expiring soonest first · dates UTC"
	}
	status := ""
	switch {
	case a.loading:
		status = "loading…"
	case !a.loadedAt.IsZero():
		status = "read " + a.loadedAt.UTC().Format("15:04:05")
		if a.kind == awOrders {
			status += " (every 5 min; r now)"
		}
	}
	lines := []string{st.PaneTitleFocused.Render(cut(title, width)) + "  " + st.Dim.Render(cut(status, max(width-len(title)-2, 0)))}

	var dialog []string
	if a.dialog != nil {
		dialog = strings.Split(m.afterWinDialogView(width), "\n")
	}
	foot := []string{}
	if a.note != "" {
		style := st.StatusOK
		if a.noteBad {
			style = st.StatusBad
		}
		foot = append(foot, style.Render(cut(a.note, width)))
	}
	listHeight := max(height-1-len(dialog)-len(foot)-1, 1)

	switch {
	case a.err != nil:
		lines = append(lines, m.afterWinErrorLines(a.err, width)...)
	case a.kind == awOrders:
		lines = append(lines, m.ordersLines(width, listHeight)...)
	default:
		lines = append(lines, m.serversLines(width, listHeight)...)
	}
	for len(lines) < height-len(dialog)-len(foot) {
		lines = append(lines, "")
	}
	lines = append(lines, foot...)
	lines = append(lines, dialog...)
	return padLines(lines, height)
}

// afterWinErrorLines say what failed; a missing right names the rule to add.
func (m *Model) afterWinErrorLines(err error, width int) []string {
	st := &m.styles
	if rule := account.MissingRule(err); rule != "" {
		return []string{
			st.StatusDecision.Render(cut("The consumer key lacks the rule "+rule+".", width)),
			cut("Create a key with it (see README, API rights) and restart ovhtui; `ovhtui --check` lists what is missing.", width),
		}
	}
	return []string{st.StatusBad.Render(cut("Could not read from OVH: "+err.Error(), width)), cut("r tries again.", width)}
}

// Column widths of the Orders list.
const (
	colOrderID = 10
	colDate    = 16
	colAmount  = 9
	colStatus  = 10
)

func shortAmount(a money.Amount) string { return money.Decimal(a.Ucents) }

func utcMinute(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

// shortMinute is utcMinute without the year, for narrow screens.
func shortMinute(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("01-02 15:04")
}

func (m *Model) ordersLines(width, height int) []string {
	a, st := m.after, &m.styles
	if len(a.orders) == 0 {
		if a.loading {
			return nil
		}
		return []string{st.Dim.Render("No order in the last 30 days.")}
	}
	cur := a.orders[0].WithTax.Currency
	showExp := width >= 100
	date, dateW := utcMinute, colDate
	if !showExp {
		date, dateW = shortMinute, 11
	}
	byW, byText, byHead := 6, "ovhtui", "BY"
	if !showExp {
		byW, byText, byHead = 1, "*", "*"
	}
	what := width - 2 - colOrderID - dateW - 2*colAmount - colStatus - byW - 6
	if showExp {
		what -= colDate + 1
	}
	what = max(what, 8)
	head := "  " + fit("ORDER", colOrderID) + " " + fit("DATE", dateW) + " " + fit("WHAT", what) + " " +
		fitRight("EXCL. "+cur, colAmount) + " " + fitRight("INCL. "+cur, colAmount) + " " + fit("STATUS", colStatus) + " "
	if showExp {
		head += fit("PAY BEFORE", colDate) + " "
	}
	head += byHead
	lines := []string{st.ColumnTitle.Render(cut(head, width))}
	rows := max(height-2, 1) // title line and the selected order's link
	top := max(a.sel-rows+1, 0)
	for i := top; i < len(a.orders) && i < top+rows; i++ {
		o := a.orders[i]
		mark := "  "
		if i == a.sel {
			mark = st.Selected.Render("▸ ")
		}
		w := m.orderWhat(o)
		if o.Err != "" {
			w = "? " + o.Err
		}
		statusText, style := o.State().StatusText(), st.StatusQuiet
		switch o.State().Payment() {
		case orderstate.Unpaid:
			style = st.Danger
		case orderstate.PaymentUnclear:
			style = st.StatusBusy
		case orderstate.Paid:
			style = st.StatusBusy
			if o.Status == orderstate.StatusDelivered {
				style = st.StatusOK
			}
		case orderstate.Unknown:
			style = st.StatusBad
		}
		by := ""
		if o.Ours {
			by = byText
		}
		row := fit(strconv.FormatInt(o.ID, 10), colOrderID) + " " + fit(date(o.Date), dateW) + " " + fit(w, what) + " " +
			fitRight(shortAmount(o.WithoutTax), colAmount) + " " + fitRight(shortAmount(o.WithTax), colAmount) + " " +
			style.Render(fit(statusText, colStatus)) + " "
		if showExp {
			exp := ""
			if o.Unpaid() {
				exp = utcMinute(o.Expiration)
			}
			row += fit(exp, colDate) + " "
		}
		row += by
		lines = append(lines, mark+cut(row, width-2))
	}
	if a.sel < len(a.orders) {
		o := a.orders[a.sel]
		link := ovhapi.OrderLink(o.URL) // never the order password
		switch {
		case o.Unpaid():
			link = orderstate.PayBefore(o.Expiration) + " · enter pays it · " + link
		case o.State().Payment() == orderstate.PaymentUnclear:
			link = "payment sent, answer unclear: do not pay it again · " + link
		}
		lines = append(lines, st.Dim.Render(linkRows("  "+link, width, false)[0])) // an OSC 8 link, never wrapped
		if o.FollowUp != "" {
			lines = append(lines, st.Dim.Render(cut("  OVH's follow-up: "+o.FollowUp, width)))
		}
	}
	return lines
}

// orderWhat names what an order bought with the catalog's names
// ("KS-LE-1 in gra"), else as the account says it.
func (m *Model) orderWhat(o account.Order) string {
	if len(o.Items) == 0 {
		return o.What
	}
	parts := make([]string, 0, len(o.Items))
	for _, it := range o.Items {
		parts = append(parts, m.serverName(it.PlanCode)+" in "+it.Datacenter)
	}
	return strings.Join(parts, ", ")
}

// Column widths of the Servers list.
const (
	colService = 10
	colExpires = 10
	colIn      = 7
	colRenewal = 24
	colDC      = 5
	colModel   = 8
)

// renewalText says how a server renews (short: in 10 cells).
func renewalText(s account.Server, short bool) string {
	if short {
		return s.RenewalShort()
	}
	return s.Renewal()
}

// daysLeft says how long until t, in whole days.
func daysLeft(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	if t.Before(now) {
		return "expired"
	}
	switch d := int(t.Sub(now).Hours() / 24); d {
	case 0:
		return "today"
	case 1:
		return "1 day"
	default:
		return strconv.Itoa(d) + " days"
	}
}

func (m *Model) serversLines(width, height int) []string {
	a, st := m.after, &m.styles
	if len(a.servers) == 0 {
		if a.loading {
			return nil
		}
		return []string{st.Dim.Render("No dedicated server on this account yet: a paid order shows here once delivered.")}
	}
	short := width < 110
	renewW := colRenewal
	if short {
		renewW = 10
	}
	name := max(width-2-colModel-colService-colDC-colExpires-colIn-renewW-7-7, 12)
	head := "  " + fit("SERVER", name) + " " + fit("MODEL", colModel) + " " + fit("SERVICE", colService) + " " + fit("DC", colDC) + " " +
		fit("EXPIRES", colExpires) + " " + fit("IN", colIn) + " " + fit("RENEWAL", renewW) + " STATUS"
	lines := []string{st.ColumnTitle.Render(cut(head, width))}
	rows := max(height-2, 1)
	top := max(a.sel-rows+1, 0)
	for i := top; i < len(a.servers) && i < top+rows; i++ {
		s := a.servers[i]
		mark := "  "
		if i == a.sel {
			mark = st.Selected.Render("▸ ")
		}
		if s.Err != "" {
			lines = append(lines, mark+cut(fit(s.Name, name)+" "+st.StatusBad.Render("? "+s.Err), width-2))
			continue
		}
		left := daysLeft(s.Expiration, m.now)
		inStyle := st.StatusQuiet
		if s.Expiration.Sub(m.now) < 7*24*time.Hour {
			inStyle = st.StatusDecision
		}
		renew := renewalText(s, short)
		if !short && s.PeriodMonths > 0 {
			renew += fmt.Sprintf(", %dM", s.PeriodMonths)
		}
		renewStyle := st.StatusOK
		if s.Manual() || s.DeleteAtExpiration {
			renewStyle = st.Danger
		}
		statusStyle := st.StatusOK
		if s.Status != "ok" {
			statusStyle = st.StatusBad
		}
		model := ""
		if s.Range != "" {
			model = m.serverName(s.Range)
		}
		row := fit(s.Name, name) + " " + fit(orDash(model), colModel) + " " + fit(strconv.FormatInt(s.ServiceID, 10), colService) + " " + fit(orDash(s.Datacenter), colDC) + " " +
			fit(s.Expiration.UTC().Format(time.DateOnly), colExpires) + " " + inStyle.Render(fit(left, colIn)) + " " +
			renewStyle.Render(fit(renew, renewW)) + " " + statusStyle.Render(s.Status)
		lines = append(lines, mark+cut(row, width-2))
	}
	if a.sel < len(a.servers) && a.servers[a.sel].Manual() {
		lines = append(lines, st.Dim.Render(cut("  renews only by hand: enter shows its renewal periods and prices (a dry run first)", width)))
	}
	return lines
}

// afterWinDialogView renders the payment or renewal dialog.
func (m *Model) afterWinDialogView(width int) string {
	d, st := m.after.dialog, &m.styles
	w := width - 4
	var lines []string
	keys := func(s string) string { return st.DialogTitle.Render(s) }
	wrap := func(s string) string { return lipgloss.NewStyle().Width(w).Render(s) }
	if d.renewal {
		lines = append(lines, st.DialogTitle.Render(wrap(fmt.Sprintf("Renew %s (service %d, expires %s, renewal %s)", d.server.Name,
			d.server.ServiceID, d.server.Expiration.UTC().Format(time.DateOnly), renewalText(d.server, false)))))
	}
	payTitle := func() string {
		return fmt.Sprintf("Pay order %d: %s", d.order.ID, m.orderWhat(d.order))
	}
	switch d.step {
	case stepLoading:
		if d.order.ID != 0 {
			lines = append(lines, cut(payTitle(), w))
		}
		lines = append(lines, st.StatusBusy.Render(cut(d.busy, w)), keys("esc")+" close (what was sent finishes and shows in the list)")
	case stepChoosePeriod:
		lines = append(lines, "Renewal period (prices excl. tax; a dry run shows the total next):")
		for i, o := range d.options {
			mark := "  "
			if i == d.optAt {
				mark = "▸ "
			}
			lines = append(lines, cut(mark+fit(o.Period, 6)+" "+o.WithoutTax.String(), w))
		}
		lines = append(lines, keys("↑↓")+" choose   "+keys("enter")+" dry run   "+keys("esc")+" cancel")
	case stepConfirmRenew:
		q := d.quote
		lines = append(lines,
			wrap(fmt.Sprintf("Dry run for %s: %s incl. tax (%s excl. tax, %s tax). Nothing is ordered yet.", q.Period, q.WithTax, q.WithoutTax, q.Tax)),
			st.Danger.Render(wrap(fmt.Sprintf("%s — order this renewal for %s? You pay it next, after a second confirmation.", m.moneyWarning(), q.WithTax))),
			keys("y")+" order the renewal   "+keys("n/esc")+" cancel")
	case stepChooseMean:
		lines = append(lines, cut(payTitle(), w), "Payment mean:")
		for i, p := range d.means {
			mark := "  "
			if i == d.meanAt {
				mark = "▸ "
			}
			lines = append(lines, cut(mark+p.String(), w))
		}
		lines = append(lines, keys("↑↓")+" choose   "+keys("enter")+" next   "+keys("esc")+" cancel")
	case stepConfirmPay:
		lines = append(lines,
			wrap(payTitle()),
			wrap(fmt.Sprintf("%s incl. tax (%s excl. tax) with %s", d.order.WithTax, d.order.WithoutTax, d.means[d.meanAt])))
		if d.order.State().Payment() == orderstate.PaymentUnclear {
			lines = append(lines, st.StatusBusy.Render(wrap("A payment of this order was already sent and its answer was unclear: OVH's records are read first, and nothing is sent while it may still be booked.")))
		}
		lines = append(lines,
			st.Danger.Render(cut(fmt.Sprintf("%s — pay %s now?", m.moneyWarning(), d.order.WithTax), w)),
			keys("y")+" pay   "+keys("n/esc")+" cancel")
	case stepDone:
		if d.err != nil {
			msg := d.err.Error()
			if rule := account.MissingRule(d.err); rule != "" {
				msg = "the consumer key lacks the rule " + rule + ": add it to your key (see README, API rights)"
			}
			lines = append(lines, st.StatusBad.Render(wrap(msg)))
		} else {
			lines = append(lines, st.StatusOK.Render(wrap(d.result)))
		}
		lines = append(lines, keys("enter/esc")+" close")
	}
	return st.Dialog.Width(width).Render(strings.Join(lines, "\n"))
}
