package tui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ovhtui/ovhtui/account"
)

// awStep is where a payment or renewal dialog stands.
type awStep int

const (
	stepLoading      awStep = iota // waiting for OVH (busy says what)
	stepChoosePeriod               // renewal: choose a period
	stepConfirmRenew               // renewal: the dry run is shown, y orders it
	stepChooseMean                 // payment: choose a payment mean
	stepConfirmPay                 // payment: y pays the amount shown
	stepDone                       // a result or an error is shown
)

// awDialog is a payment (of an unpaid order) or a renewal (of a server,
// then the payment of its renewal order). Every step that moves money
// shows the amount and waits for y.
type awDialog struct {
	// id binds OVH's replies to this dialog: a reply for another (one
	// closed with esc, then another opened) is dropped, never shown or
	// acted on.
	id     int
	step   awStep
	busy   string // what is being waited for
	err    error
	result string

	order  account.Order // the order to pay
	means  []account.PaymentMean
	meanAt int

	server  account.Server // the server to renew
	options []account.RenewOption
	optAt   int
	quote   account.RenewQuote
	renewal bool // the dialog renews (then pays the renewal order)
}

var errNoAccount = errors.New("not available: this ovhtui has no OVH account client")

// startPay opens the payment of an unpaid order: its payment means first.
func (a *afterWin) startPay(ctx context.Context, api AccountAPI, o account.Order) tea.Cmd {
	a.note = ""
	a.dialogSeq++
	a.dialog = &awDialog{id: a.dialogSeq, order: o}
	return a.dialog.loadMeans(ctx, api, a.gen)
}

// startRenew opens the renewal of a server: its periods first.
func (a *afterWin) startRenew(ctx context.Context, api AccountAPI, s account.Server) tea.Cmd {
	a.note = ""
	a.dialogSeq++
	d := &awDialog{id: a.dialogSeq, server: s, renewal: true, step: stepLoading, busy: "reading the renewal periods…"}
	a.dialog = d
	gen, dlg := a.gen, d.id
	return func() tea.Msg {
		opts, err := api.RenewOptions(ctx, s.ServiceID)
		return awOptionsMsg{gen: gen, dlg: dlg, opts: opts, err: err}
	}
}

func (d *awDialog) loadMeans(ctx context.Context, api AccountAPI, gen int) tea.Cmd {
	d.step, d.busy = stepLoading, "reading the payment means…"
	id, dlg := d.order.ID, d.id
	return func() tea.Msg {
		means, err := api.PaymentMeans(ctx, id)
		return awMeansMsg{gen: gen, dlg: dlg, means: means, err: err}
	}
}

// fail shows err and ends the dialog.
func (d *awDialog) fail(err error) {
	d.step, d.err, d.busy = stepDone, err, ""
}

// apply applies an OVH reply to the dialog.
func (d *awDialog) apply(ctx context.Context, api AccountAPI, a *afterWin, msg awMsg, ours []int64, now func() time.Time) tea.Cmd {
	gen, dlg := a.gen, d.id
	switch msg := msg.(type) {
	case awMeansMsg:
		if msg.err != nil {
			d.fail(msg.err)
			return nil
		}
		if len(msg.means) == 0 {
			d.fail(account.ErrNoPaymentMean)
			return nil
		}
		d.means, d.meanAt = msg.means, 0
		d.step = stepChooseMean
		if len(msg.means) == 1 {
			d.step = stepConfirmPay
		}
	case awPaidMsg:
		if msg.err != nil {
			d.fail(msg.err)
			a.note, a.noteBad = "not paid: "+msg.err.Error(), true
		} else {
			how := ""
			if msg.res.LookedUp {
				how = " (OVH's answer was unclear: its status says paid)"
			}
			d.step, d.busy = stepDone, ""
			d.result = fmt.Sprintf("paid: order %d is now %s%s", d.order.ID, orDash(msg.res.Status), how)
			a.note, a.noteBad = d.result, false
		}
		// Show the new status in the list.
		return a.reloadFor(ctx, api, ours, now)
	case awOptionsMsg:
		if msg.err != nil {
			d.fail(msg.err)
			return nil
		}
		if len(msg.opts) == 0 {
			d.fail(fmt.Errorf("OVH offers no renewal period for %s", d.server.Name))
			return nil
		}
		d.options, d.optAt, d.step = msg.opts, 0, stepChoosePeriod
	case awQuoteMsg:
		if msg.err != nil {
			d.fail(msg.err)
			return nil
		}
		d.quote, d.step, d.busy = msg.quote, stepConfirmRenew, ""
	case awRenewedMsg:
		if msg.err != nil {
			d.fail(msg.err)
			a.note, a.noteBad = "not renewed: "+msg.err.Error(), true
			return nil
		}
		id := msg.res.OrderID
		d.busy = fmt.Sprintf("renewal order %d made; reading it…", id)
		return func() tea.Msg { return awOrderMsg{gen: gen, dlg: dlg, order: api.Order(ctx, id)} }
	case awOrderMsg:
		if msg.order.Err != "" {
			d.fail(fmt.Errorf("renewal order %d made, but reading it failed: %s; pay it from the Orders screen", msg.order.ID, msg.order.Err))
			return nil
		}
		d.order = msg.order
		return d.loadMeans(ctx, api, gen)
	}
	return nil
}

// reloadFor reloads the list after a payment or renewal.
func (a *afterWin) reloadFor(ctx context.Context, api AccountAPI, ours []int64, now func() time.Time) tea.Cmd {
	return a.load(ctx, api, ours, now)
}

// key handles a key while the dialog is open. esc closes it at any step
// (a request already sent finishes; its outcome is journaled and shown in
// the list).
func (d *awDialog) key(ctx context.Context, api AccountAPI, a *afterWin, msg tea.KeyPressMsg, k keyMap) tea.Cmd {
	gen, dlg := a.gen, d.id
	if key.Matches(msg, k.Cancel) && msg.String() != "n" || d.step == stepDone && key.Matches(msg, k.aw.Choose) {
		a.dialog = nil
		return nil
	}
	switch d.step {
	case stepChoosePeriod:
		switch {
		case key.Matches(msg, k.Up):
			d.optAt = max(d.optAt-1, 0)
		case key.Matches(msg, k.Down):
			d.optAt = min(d.optAt+1, len(d.options)-1)
		case key.Matches(msg, k.aw.Choose):
			id, period := d.server.ServiceID, d.options[d.optAt].Period
			d.step, d.busy = stepLoading, "dry run: asking OVH what "+period+" costs…"
			return func() tea.Msg {
				q, err := api.RenewDryRun(ctx, id, period)
				return awQuoteMsg{gen: gen, dlg: dlg, quote: q, err: err}
			}
		}
	case stepChooseMean:
		switch {
		case key.Matches(msg, k.Up):
			d.meanAt = max(d.meanAt-1, 0)
		case key.Matches(msg, k.Down):
			d.meanAt = min(d.meanAt+1, len(d.means)-1)
		case key.Matches(msg, k.aw.Choose):
			d.step = stepConfirmPay
		}
	case stepConfirmRenew:
		switch {
		case key.Matches(msg, k.Confirm):
			r := account.RenewRequest{ServiceID: d.server.ServiceID, Service: d.server.Name, Period: d.quote.Period, Amount: d.quote.WithTax}
			d.step, d.busy = stepLoading, "ordering the renewal…"
			return func() tea.Msg {
				res, err := api.Renew(ctx, r)
				return awRenewedMsg{gen: gen, dlg: dlg, req: r, res: res, err: err}
			}
		case msg.String() == "n":
			a.dialog = nil
		}
	case stepConfirmPay:
		switch {
		case key.Matches(msg, k.Confirm):
			r := account.PayRequest{OrderID: d.order.ID, Mean: d.means[d.meanAt], Amount: d.order.WithTax}
			d.step, d.busy = stepLoading, "paying…"
			return func() tea.Msg {
				res, err := api.Pay(ctx, r)
				return awPaidMsg{gen: gen, dlg: dlg, req: r, res: res, err: err}
			}
		case msg.String() == "n":
			a.dialog = nil
		}
	}
	return nil
}
