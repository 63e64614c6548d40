package tui

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/prefs"
)

// buyDialog asks before re-arming an ordered entry to buy more units ("buy
// another"): the qty, and the ceiling the lifecycle owner scales for it
// (prefs.Server.BuyAgain). It keeps the order id the user saw; the engine
// refuses if the entry changed meanwhile.
type buyDialog struct {
	key     string
	name    string
	orderID int64
	qty     int
	err     string
}

// maxBuyQty bounds the qty typed in the dialog.
const maxBuyQty = 99

// buyMsg reports the end of a buy another.
type buyMsg struct {
	key, name string
	qty       int
	err       error
}

// openBuy opens the dialog for an ordered entry.
func (m *Model) openBuy(s *prefs.Server, name string) {
	m.buy = &buyDialog{key: s.Key(), name: name, orderID: s.OrderID, qty: max(s.Units(), 1)}
	m.relayout()
}

// preview is the entry as BuyAgain would leave it with qty (run on a copy).
func (d *buyDialog) preview(s prefs.Server) (prefs.Server, error) {
	_, err := s.BuyAgain(d.qty)
	return s, err
}

func (m Model) updateBuy(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	d := m.buy
	switch k := msg.String(); {
	case k == "esc" || k == "n":
		m.buy = nil
		m.logf(slog.LevelInfo, "cancelled: nothing changed for %s", d.name)
		m.relayout()
	case k == "+" || k == "=" || k == "up":
		d.qty, d.err = min(d.qty+1, maxBuyQty), ""
	case k == "-" || k == "down":
		d.qty, d.err = max(d.qty-1, 1), ""
	case k == "backspace":
		d.qty, d.err = max(d.qty/10, 1), ""
	case len(k) == 1 && k[0] >= '0' && k[0] <= '9':
		n, _ := strconv.Atoi(strconv.Itoa(d.qty) + k)
		if d.qty == 1 && k != "0" {
			n, _ = strconv.Atoi(k) // typing replaces the default 1
		}
		if n < 1 || n > maxBuyQty {
			d.err = fmt.Sprintf("qty from 1 to %d", maxBuyQty)
			return m, nil
		}
		d.qty, d.err = n, ""
	case k == "y" || k == "enter":
		m.buy = nil
		m.relayout()
		m.logf(slog.LevelWarn, "buying %d more of %s…", d.qty, d.name)
		if m.deps.BuyAnother != nil {
			return m, buyCmd(m.ctx, m.deps.BuyAnother, d.key, d.name, d.qty)
		}
		return m, m.queueSave(saveReq{reason: fmt.Sprintf("buy %d more of %s (confirmed)", d.qty, d.name), change: buyAgain(d.key, d.orderID, d.qty)})
	}
	return m, nil
}

// buyAgain re-arms an ordered entry through the Store when no BuyAnother
// function is wired (prefs.Server.BuyAgain), if it still has the order the
// user saw.
func buyAgain(key string, orderID int64, qty int) func(*prefs.File) error {
	return func(f *prefs.File) error {
		s, err := findEntry(f, key)
		if err != nil {
			return err
		}
		if s.OrderID != orderID {
			return fmt.Errorf("order %w", errChangedNow)
		}
		_, err = s.BuyAgain(qty)
		return err
	}
}

func buyCmd(ctx context.Context, fn func(context.Context, string, int) error, key, name string, qty int) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, rearmTimeout)
		defer cancel()
		return buyMsg{key: key, name: name, qty: qty, err: fn(ctx, key, qty)}
	}
}

// buyView renders the dialog.
func (m *Model) buyView() string {
	d := m.buy
	st := &m.styles
	w := m.layout.width - 4
	i := m.file.Find(d.key)
	if i < 0 {
		return st.Dialog.Width(m.layout.width).Render("the entry is gone from preferences.json: esc")
	}
	s := m.file.Servers[i]
	next, err := d.preview(s)
	cur := ""
	if m.cat != nil {
		cur = " " + m.cat.Currency
	}
	lines := []string{
		st.Danger.Render(cut(m.moneyWarning()+" — Buy another "+d.name+"?", w)),
		cut(fmt.Sprintf("Order #%d is placed (in %s). This re-arms the entry to buy more:", s.OrderID, orDash(s.OrderedIn)), w),
		"qty: " + st.Input.Render(fmt.Sprintf(" %d ", d.qty)) + st.Dim.Render("  (+/- or type)"),
	}
	if err != nil {
		lines = append(lines, st.Danger.Render(cut("not possible: "+err.Error(), w)))
	} else {
		lines = append(lines, wrapText(fmt.Sprintf("ceiling for them: %s%s (first invoice excl. tax, all %d units; was %s for %d)",
			money.CeilingDecimal(next.CeilingUcents()), cur, d.qty, money.CeilingDecimal(s.CeilingUcents()), s.Units()), w)...)
		lines = append(lines, wrapText(fmt.Sprintf("place_order %s, autopay %s: %s", onOff(s.PlaceOrder), onOff(s.Autopay), buyWhat(s)), w)...)
	}
	if d.err != "" {
		lines = append(lines, st.Danger.Render(cut(d.err, w)))
	}
	lines = append(lines, st.DialogTitle.Render("y/enter")+" buy another   "+st.DialogTitle.Render("n/esc")+" cancel")
	return st.Dialog.Width(m.layout.width).Render(strings.Join(lines, "\n"))
}

// buyWhat says what happens once re-armed.
func buyWhat(s prefs.Server) string {
	switch {
	case !s.PlaceOrder:
		return "a dry run only (turn place_order on with p to order for real)"
	case s.Autopay:
		return "orders and pays as soon as a wanted DC is in stock"
	}
	return "orders as soon as a wanted DC is in stock; you pay it"
}

// wrapText wraps plain text at spaces into lines of at most w cells.
func wrapText(s string, w int) []string {
	return strings.Split(ansi.Hardwrap(ansi.Wordwrap(s, w, ""), w, true), "\n")
}
