package order

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file holds the reminders: before an unpaid order lapses and before
// a server whose renewal is manual expires, the engine says so with a
// Reminder event (a banner in the UI, a line headless, a notification).
// DueReminders decides, as a pure function of what OVH said and the
// clock; remindLoop only reads and emits. The consumer key's expiry keeps
// its own event (CredentialExpiring, alerts.go).

// UnpaidLeads are how long before an unpaid order lapses it is reminded of.
var UnpaidLeads = []time.Duration{24 * time.Hour, 2 * time.Hour}

// RenewalLeads are how long before a manual-renewal server expires it is
// reminded of.
var RenewalLeads = []time.Duration{7 * 24 * time.Hour, 24 * time.Hour}

// reminderCheckEvery is how often the orders and servers are read for
// reminders: a reminder is at most this late.
const reminderCheckEvery = 15 * time.Minute

// UnpaidOrder is an order OVH awaits payment for.
type UnpaidOrder struct {
	ID      int64
	Expires time.Time // when OVH cancels it; zero when OVH does not say
}

// ServerTerm is a server of the account and when its service expires.
type ServerTerm struct {
	Name    string // e.g. "ns1234567.ip-1-2-3.eu"
	Expires time.Time
	Manual  bool // renewal is manual: it lapses unless the user renews it
}

// ReminderKind is what a reminder is about.
type ReminderKind string

// Reminder kinds.
const (
	RemindUnpaid  ReminderKind = "unpaid_order"   // an unpaid order lapses soon
	RemindRenewal ReminderKind = "manual_renewal" // a manual-renewal server expires soon
)

// Reminder reports that something lapses within Lead unless the user acts.
type Reminder struct {
	Base
	Kind    ReminderKind
	OrderID int64  // RemindUnpaid
	Server  string // RemindRenewal
	Due     time.Time
	Lead    time.Duration // the threshold reached (24h, 2h, 7 days, 1 day)
}

// UnpaidOrders reports the unpaid orders read by the reminder watch (all of
// them, each time): the metrics show them.
type UnpaidOrders struct {
	Base
	Orders []UnpaidOrder
}

// Level implementations.
func (e Reminder) Level() slog.Level {
	if e.Lead <= 24*time.Hour {
		return slog.LevelError
	}
	return slog.LevelWarn
}
func (UnpaidOrders) Level() slog.Level { return slog.LevelDebug }

// Message implementations.
func (e Reminder) Message() string {
	left := leftWords(e.Due.Sub(e.Time))
	at := e.Due.UTC().Format("2006-01-02 15:04 UTC")
	if e.Kind == RemindUnpaid {
		return fmt.Sprintf("order %d is unpaid and lapses in %s (%s): pay it (O, then p) or lose it", e.OrderID, left, at)
	}
	return fmt.Sprintf("server %s expires in %s (%s) and its renewal is manual: renew it (S, then r)", e.Server, left, at)
}
func (e UnpaidOrders) Message() string { return fmt.Sprintf("%d unpaid orders", len(e.Orders)) }

// Attrs implementations.
func (e Reminder) Attrs() []slog.Attr {
	a := []slog.Attr{slog.String("kind", string(e.Kind)), slog.Time("due", e.Due), slog.Duration("lead", e.Lead)}
	if e.OrderID != 0 {
		a = append(a, slog.Int64("order_id", e.OrderID))
	}
	if e.Server != "" {
		a = append(a, slog.String("server", e.Server))
	}
	return e.attrs(a...)
}
func (e UnpaidOrders) Attrs() []slog.Attr { return e.attrs(slog.Int("orders", len(e.Orders))) }

// DueReminders returns the reminders due at now, given the unpaid orders,
// the servers and said, the reminders already given (by ReminderKey). It
// returns the reminders to give and the new said set, which holds only the
// keys of what is still pending (a paid order or a renewed server is
// forgotten; a new expiry date is a new subject).
//
// Each subject gets one reminder per lead it reaches, the nearest only: an
// order first seen 1 h before it lapses gets the 2 h reminder, not the
// 24 h one too. Nothing is said of what has lapsed already, nor of a
// server renewed automatically.
func DueReminders(now time.Time, orders []UnpaidOrder, servers []ServerTerm, said map[string]bool) ([]Reminder, map[string]bool) {
	var out []Reminder
	next := map[string]bool{}
	consider := func(r Reminder, subject string, leads []time.Duration) {
		left := r.Due.Sub(now)
		if r.Due.IsZero() || left <= 0 {
			return
		}
		// The nearest lead reached: the smallest lead >= left.
		nearest := -1
		for i, l := range leads {
			if left <= l && (nearest < 0 || l < leads[nearest]) {
				nearest = i
			}
		}
		if nearest < 0 {
			return
		}
		for _, l := range leads {
			if l < leads[nearest] {
				continue
			}
			k := ReminderKey(r.Kind, subject, r.Due, l)
			if l == leads[nearest] && !said[k] {
				r.Lead = l
				out = append(out, r)
			}
			next[k] = true // a farther lead reached meanwhile is not said late
		}
	}
	for _, o := range orders {
		consider(Reminder{Base: Base{Time: now}, Kind: RemindUnpaid, OrderID: o.ID, Due: o.Expires}, strconv.FormatInt(o.ID, 10), UnpaidLeads)
	}
	for _, s := range servers {
		if !s.Manual {
			continue
		}
		consider(Reminder{Base: Base{Time: now}, Kind: RemindRenewal, Server: s.Name, Due: s.Expires}, s.Name, RenewalLeads)
	}
	slices.SortStableFunc(out, func(a, b Reminder) int { return a.Due.Compare(b.Due) })
	return out, next
}

// ReminderKey names one reminder of one subject for one expiry date.
func ReminderKey(kind ReminderKind, subject string, due time.Time, lead time.Duration) string {
	return string(kind) + "|" + subject + "|" + strconv.FormatInt(due.Unix(), 10) + "|" + lead.String()
}

// remindLoop reads the unpaid orders and the servers at start and then
// every reminderCheckEvery, and emits the reminders due. It does nothing
// without Config.UnpaidOrders and Config.ServerTerms. What was said is
// kept in memory: after a restart a pending reminder is said once more.
func (e *Engine) remindLoop(ctx context.Context) {
	if e.cfg.UnpaidOrders == nil && e.cfg.ServerTerms == nil {
		return
	}
	st := &reminderState{said: map[string]bool{}}
	every := e.cfg.RemindEvery
	if every <= 0 {
		every = reminderCheckEvery
	}
	for {
		e.remind(ctx, st)
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// reminderState is what remindLoop keeps between rounds.
type reminderState struct {
	said map[string]bool // reminders given (ReminderKey)
	// the last failure of each read, said once until it changes or heals
	ordersErr, serversErr string
}

// remind does one round of remindLoop. A failed read keeps what was said
// of that half, so nothing is said twice because one look-up failed.
func (e *Engine) remind(ctx context.Context, st *reminderState) {
	var (
		orders    []UnpaidOrder
		servers   []ServerTerm
		ordersOK  = e.cfg.UnpaidOrders != nil
		serversOK = e.cfg.ServerTerms != nil
	)
	failed := func(last *string, what string, err error) {
		if ctx.Err() != nil || err.Error() == *last {
			return
		}
		*last = err.Error()
		e.emit(Info{Base: e.base("", ""), Sev: slog.LevelWarn, Text: "reminders: could not read " + what + " (said once until it changes): " + err.Error()})
	}
	if ordersOK {
		var err error
		if orders, err = e.cfg.UnpaidOrders(ctx); err != nil {
			ordersOK = false
			failed(&st.ordersErr, "the unpaid orders", err)
		} else {
			st.ordersErr = ""
			e.emit(UnpaidOrders{Base: e.base("", ""), Orders: orders})
		}
	}
	if serversOK {
		var err error
		if servers, err = e.cfg.ServerTerms(ctx); err != nil {
			serversOK = false
			failed(&st.serversErr, "the servers", err)
		} else {
			st.serversErr = ""
		}
	}
	due, next := DueReminders(e.now(), orders, servers, st.said)
	// Keep what was said of a half that could not be read this time.
	for k := range st.said {
		kind := ReminderKind(k[:max(0, strings.IndexByte(k, '|'))])
		if (kind == RemindUnpaid && !ordersOK) || (kind == RemindRenewal && !serversOK) {
			next[k] = true
		}
	}
	st.said = next
	for _, r := range due {
		e.emit(r)
	}
}

// leftWords says a time left briefly: "3d16h", "1h30m", "45m".
func leftWords(d time.Duration) string {
	d = d.Round(time.Minute)
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%dd%dh", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", d/time.Hour, d%time.Hour/time.Minute)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}
