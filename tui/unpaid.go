package tui

import (
	"context"
	"log/slog"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/orderstate"
)

// An order is paid or not as package orderstate says, from what the UI
// knows of it: whether its checkout asked for autopay, and the status OVH
// last gave (read here every statusEvery until it is paid or cancelled,
// on the Orders screen, and in a payment's answer). The dashboard row,
// the banner and the quit summary all render m.payment(id); an order not
// paid says so, with the date OVH gives (expirationDate) once read.

// statusEvery is how often the status of an order not known to be paid or
// cancelled is read again, so that a payment made elsewhere (OVH's site,
// `ovhtui pay`, another session) shows within a minute.
const statusEvery = time.Minute

// orderStates are the payment states of the orders the UI knows, and when
// each status was last asked for.
type orderStates struct {
	of       map[int64]orderstate.State
	askedAt  map[int64]time.Time
	inFlight map[int64]bool
	failed   map[int64]bool // a failed read was logged (once until it works)
	autopay  map[string]bool
	// placed are the orders whose checkout this UI saw: a change of their
	// payment goes to the log pane, as does one of an order OVH said was
	// unpaid (not the first read of an earlier run's order).
	placed map[int64]bool
}

func newOrderStates() orderStates {
	return orderStates{of: map[int64]orderstate.State{}, askedAt: map[int64]time.Time{},
		inFlight: map[int64]bool{}, failed: map[int64]bool{}, autopay: map[string]bool{}, placed: map[int64]bool{}}
}

// payment is the payment state of order id.
func (m *Model) payment(id int64) orderstate.State { return m.orders.of[id] }

// unpaidOrder reports whether order id waits for a payment.
func (m *Model) unpaidOrder(id int64) bool { return id != 0 && m.payment(id).Unpaid() }

// orderSeen records an engine event about an order: the autopay a
// checkout asked for, and each order placed.
func (m *Model) orderSeen(ev order.Event) {
	switch e := ev.(type) {
	case order.OrderAttempted:
		m.orders.autopay[entryID(e.Entry)] = e.Autopay
	case order.OrderPlaced:
		st := m.orders.of[e.OrderID]
		st.Placed = true
		if a, ok := m.orders.autopay[entryID(e.Entry)]; ok {
			st.Autopay = a
		} else if v := m.live.view(e.Entry); v != nil {
			st.Autopay = v.Autopay // placed by an earlier run: the entry's autopay
		} else if i := m.file.Find(e.Entry); i >= 0 {
			st.Autopay = m.file.Servers[i].Autopay
		}
		m.orders.of[e.OrderID] = st
		m.orders.placed[e.OrderID] = true
	}
}

// observeOrder records what OVH said of an order: its status and expiry.
// A payment it shows (paid on OVH's site, by `ovhtui pay`, by another
// session; or autopay that did not pay) goes to the log pane.
func (m *Model) observeOrder(id int64, status string, expires time.Time) {
	m.observeOrderSent(id, status, expires, nil)
}

// observeAccountOrder records an order as the account client read it:
// also whether a payment of it is pending in the journal (sent, answer
// unclear), so that it is not shown UNPAID meanwhile.
func (m *Model) observeAccountOrder(o account.Order) {
	m.observeOrderSent(o.ID, o.Status, o.Expiration, &o.PaymentPending)
}

func (m *Model) observeOrderSent(id int64, status string, expires time.Time, sent *bool) {
	if id == 0 {
		return
	}
	before := m.orders.of[id]
	st := before.Observe(status)
	if !expires.IsZero() {
		st.Expires = expires
	}
	if sent != nil {
		st.PaymentSent = *sent
	}
	m.orders.of[id] = st
	if !m.orders.placed[id] && before.Status == "" {
		return // the first read of an earlier run's order: nothing changed here
	}
	if change := orderstate.Change(id, before, st); change != "" {
		m.logf(slog.LevelWarn, "%s", change)
	}
}

// noteOrders records the statuses the Orders screen read.
func (m *Model) noteOrders(orders []account.Order) {
	for _, o := range orders {
		if o.Err == "" {
			m.observeAccountOrder(o)
		}
	}
}

// unpaidText is "UNPAID: pay before DATE or it lapses" (short: "UNPAID:
// pay before Nov 24 10:00 UTC"), in orderstate's words.
func (m *Model) unpaidText(orderID int64, short bool) string {
	return m.payment(orderID).Words(short)
}

// askStates reads the status of each order ovhtui placed that is not known
// to be paid or cancelled, at most every statusEvery (with the Orders
// screen's account client; without one, only the expiry, once).
func (m *Model) askStates() tea.Cmd {
	var cmds []tea.Cmd
	ask := func(id int64, autopay bool) {
		if id == 0 {
			return
		}
		st, known := m.orders.of[id]
		if !known {
			st = orderstate.State{Placed: true, Autopay: autopay} // placed by an earlier run
			m.orders.of[id] = st
		}
		if p := st.Payment(); p == orderstate.Paid || p == orderstate.Cancelled || m.orders.inFlight[id] {
			return
		}
		if at, ok := m.orders.askedAt[id]; ok && (m.deps.Account == nil || m.now.Sub(at) < statusEvery) {
			return
		}
		m.orders.askedAt[id] = m.now
		switch {
		case m.deps.Account != nil:
			m.orders.inFlight[id] = true
			cmds = append(cmds, orderStateCmd(m.ctx, m.deps.Account, id))
		case m.deps.OrderExpiry != nil && st.Unpaid():
			cmds = append(cmds, orderExpiryCmd(m.ctx, m.deps.OrderExpiry, id))
		}
	}
	for _, v := range m.live.views {
		if v.Lifecycle == order.LifeOrdered {
			ask(v.OrderID, v.Autopay)
		}
	}
	if m.banner != nil {
		ask(m.banner.ev.OrderID, m.orders.autopay[entryID(m.banner.ev.Entry)])
	}
	return tea.Batch(cmds...)
}

// orderStateMsg carries an order as OVH gave it.
type orderStateMsg struct{ order account.Order }

func orderStateCmd(ctx context.Context, api AccountAPI, id int64) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, availTimeout)
		defer cancel()
		return orderStateMsg{order: api.Order(ctx, id)}
	}
}

// setOrderState records a status read.
func (m *Model) setOrderState(msg orderStateMsg) {
	o := msg.order
	delete(m.orders.inFlight, o.ID)
	if o.Err != "" {
		if !m.orders.failed[o.ID] {
			m.orders.failed[o.ID] = true
			m.logf(slog.LevelWarn, "order %d: could not read its status: %s", o.ID, o.Err)
		}
		return
	}
	delete(m.orders.failed, o.ID)
	m.observeAccountOrder(o)
	if m.banner != nil {
		m.relayout()
	}
}

// setExpiry records when an unpaid order lapses.
func (m *Model) setExpiry(msg expiryMsg) {
	if msg.err != nil {
		m.logf(slog.LevelWarn, "order %d: could not read when it lapses: %v", msg.orderID, msg.err)
		return
	}
	if !msg.at.IsZero() {
		m.observeOrder(msg.orderID, "", msg.at)
		if m.banner != nil {
			m.relayout()
		}
	}
}
