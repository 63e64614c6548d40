package order

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/ovhtui/ovhtui/ovhapi"
)

// Payment readiness: checkout with autopay pays with the account's default
// payment method. With none, or one that is not VALID (expired, paused,
// failed, ...: me.payment.method.StatusEnum of OVH's export of 2025-10),
// the order is placed unpaid and the server is not held. Whenever an
// entry would check out with autopay, the engine reads the default method
// at start (before the first poll, so the warning comes before any stock),
// then daily and when autopay is newly on, and says so (PaymentNotReady);
// --check uses the same rule (PaymentProblem).

// paymentCheckEvery is how often the default payment method is read again
// while autopay is on; paymentTick how often the engine looks whether
// autopay came on.
const (
	paymentCheckEvery = 24 * time.Hour
	paymentRetry      = time.Hour // after a failed read
	paymentTick       = time.Minute
	// paymentFirstWait bounds how long the first poll waits for the first
	// payment check.
	paymentFirstWait = 10 * time.Second
)

// PaymentStatusValid is the status of a payment method autopay can use.
const PaymentStatusValid = "VALID"

// PaymentProblem says why checkout with autopay would leave an order
// unpaid, given the account's default payment method m (found false: it
// has none), naming the method's status; "" when it is VALID.
func PaymentProblem(m ovhapi.PaymentMethod, found bool) string {
	const unpaid = "an order placed with autopay would stay unpaid and the server would not be held"
	switch {
	case !found:
		return "the account has no default payment method: " + unpaid
	case m.Status != PaymentStatusValid:
		return fmt.Sprintf("the default payment method (%s) is %s, not VALID: %s", m.Name(), m.Status, unpaid)
	}
	return ""
}

// PaymentNotReady: an entry checks out with autopay and the account's
// default payment method is missing or not VALID.
type PaymentNotReady struct {
	Base
	Status  string // the method's status; "" when there is no default method
	Method  string // the method's name; "" when none
	Problem string // PaymentProblem
	Entries []string
}

// PaymentReady: the default payment method autopay uses is VALID (said at
// the first check, and when it becomes valid again).
type PaymentReady struct {
	Base
	Method string
}

// Level implements Event.
func (PaymentNotReady) Level() slog.Level { return slog.LevelError }

// Level implements Event.
func (PaymentReady) Level() slog.Level { return slog.LevelInfo }

// Message implements Event.
func (e PaymentNotReady) Message() string {
	return "autopay is not ready: " + e.Problem + " (fix it in OVH's control panel; entries with autopay: " + strings.Join(e.Entries, ", ") + ")"
}

// Message implements Event.
func (e PaymentReady) Message() string {
	return "autopay is ready: the default payment method (" + e.Method + ") is VALID"
}

// Attrs implements Event.
func (e PaymentNotReady) Attrs() []slog.Attr {
	return e.attrs(slog.String("status", orDash(e.Status)), slog.String("method", orDash(e.Method)))
}

// Attrs implements Event.
func (e PaymentReady) Attrs() []slog.Attr { return e.attrs(slog.String("method", e.Method)) }

// autopayEntries are the entries that would check out with autopay.
func (e *Engine) autopayEntries() []string {
	var out []string
	for _, s := range e.store.Snapshot().Servers {
		if s.Autopay && s.PlaceOrder && Wanted(s) {
			out = append(out, s.Key())
		}
	}
	return out
}

// paymentLoop checks the default payment method while entries check out
// with autopay: at once, then daily and whenever autopay comes on. first
// is closed after the first look (checked or nothing to check).
func (e *Engine) paymentLoop(ctx context.Context, first chan<- struct{}) {
	var last time.Time
	wasOn := false
	for {
		entries := e.autopayEntries()
		if on := len(entries) > 0; on && (!wasOn || e.now().Sub(last) >= paymentCheckEvery) {
			last = e.now()
			if !e.checkPayment(ctx, entries) {
				last = last.Add(paymentRetry - paymentCheckEvery) // unread: again in an hour, not a day
			}
		}
		wasOn = len(entries) > 0
		if first != nil {
			close(first)
			first = nil
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(paymentTick):
		}
	}
}

// checkPayment reads the default payment method once and says what it
// found: PaymentNotReady each time it is not ready, PaymentReady when it
// is (after a problem, or at the first check). false: it could not be read.
func (e *Engine) checkPayment(ctx context.Context, entries []string) bool {
	m, found, err := e.cfg.DefaultPaymentMethod(ctx)
	if err != nil {
		if ctx.Err() == nil {
			text := "could not read the default payment method autopay uses: " + err.Error()
			var ce *ovhapi.CallError
			if errors.As(err, &ce) && ce.Status == http.StatusForbidden {
				text = "the consumer key lacks GET /me/payment/method (or /me/payment/method/*): ovhtui cannot check that autopay can pay; add the rights (README, OVH API keys) or run ovhtui --check"
			}
			e.emit(Info{Base: e.base("", ""), Sev: slog.LevelWarn, Text: text})
		}
		return false
	}
	e.alerts.mu.Lock()
	wasOK, checked := e.alerts.paymentOK, e.alerts.paymentChecked
	e.alerts.mu.Unlock()
	if why := PaymentProblem(m, found); why != "" {
		ev := PaymentNotReady{Base: e.base("", ""), Status: m.Status, Problem: why, Entries: entries}
		if found {
			ev.Method = m.Name()
		}
		e.setPaymentOK(false)
		e.emit(ev)
		return true
	}
	e.setPaymentOK(true)
	if !checked || !wasOK {
		e.emit(PaymentReady{Base: e.base("", ""), Method: m.Name()})
	}
	return true
}

func (e *Engine) setPaymentOK(ok bool) {
	e.alerts.mu.Lock()
	e.alerts.paymentOK, e.alerts.paymentChecked = ok, true
	e.alerts.mu.Unlock()
}
