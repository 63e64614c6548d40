package order

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// This file holds the engine's watches that exist to warn the user while
// nobody looks: credentials OVH refuses or that expire soon, carts that
// keep failing, and stopping while entries are still wanted. Each emits an
// event; front ends and the notifier decide how to show it.

// CartsFailingAfter is how long the cart operations of an entry in a DC
// must keep failing, with no success between, before CartsFailing is emitted.
const CartsFailingAfter = 10 * time.Minute

// CredentialWarnBefore is how close to its expiration the consumer key
// must be for CredentialExpiring to be emitted.
const CredentialWarnBefore = 3 * 24 * time.Hour

// credentialCheckEvery is how often the consumer key's expiration is read.
const credentialCheckEvery = 24 * time.Hour

// refusedRepeat is how long one refused call stays quiet after it was reported.
const refusedRepeat = time.Hour

// CredentialsRefused reports that OVH refused the API credentials: a
// signed call answered 401 or 403. Nothing signed works until the user
// fixes the keys or their rights.
type CredentialsRefused struct {
	Base
	Call   string // e.g. "POST /order/cart/{id}/checkout"
	Status int    // 401 or 403
	Err    string // OVH's message, never a secret
}

// CredentialExpiring reports that the consumer key expires within
// CredentialWarnBefore (GET /auth/currentCredential's expiration).
type CredentialExpiring struct {
	Base
	Expires time.Time
}

// CartsFailing reports that the carts of an entry in a DC have failed to
// build (or to be verified) for over CartsFailingAfter: no checkout can
// happen there until it works again.
type CartsFailing struct {
	Base
	Since time.Time
	Err   string // the last failure
}

// StoppingWanted reports that the engine stopped while entries were still
// wanted: nobody watches them any more.
type StoppingWanted struct {
	Base
	Entries []string // keys of the entries still wanted
}

// Level implementations.
func (CredentialsRefused) Level() slog.Level { return slog.LevelError }
func (CredentialExpiring) Level() slog.Level { return slog.LevelWarn }
func (CartsFailing) Level() slog.Level       { return slog.LevelError }
func (StoppingWanted) Level() slog.Level     { return slog.LevelWarn }

// Message implementations.
func (e CredentialsRefused) Message() string {
	return fmt.Sprintf("OVH refused the API credentials (%d on %s): %s; check the application key, consumer key and its rights", e.Status, e.Call, e.Err)
}
func (e CredentialExpiring) Message() string {
	return fmt.Sprintf("the consumer key expires %s (in %s): create a new one before then", e.Expires.UTC().Format(time.RFC3339), roundDuration(e.Expires.Sub(e.Time)))
}
func (e CartsFailing) Message() string {
	return fmt.Sprintf("carts in %s have failed for %s: %s", e.DC, roundDuration(e.Time.Sub(e.Since)), e.Err)
}
func (e StoppingWanted) Message() string {
	return fmt.Sprintf("stopping with %d entr%s still wanted: %s", len(e.Entries), plural(len(e.Entries), "y", "ies"), strings.Join(e.Entries, ", "))
}

// Attrs implementations.
func (e CredentialsRefused) Attrs() []slog.Attr {
	return e.attrs(slog.String("call", e.Call), slog.Int("status", e.Status), slog.String("error", e.Err))
}
func (e CredentialExpiring) Attrs() []slog.Attr { return e.attrs(slog.Time("expires", e.Expires)) }
func (e CartsFailing) Attrs() []slog.Attr {
	return e.attrs(slog.Time("since", e.Since), slog.String("error", e.Err))
}
func (e StoppingWanted) Attrs() []slog.Attr {
	return e.attrs(slog.Any("entries", e.Entries))
}

// alertState is what the watches remember.
type alertState struct {
	mu          sync.Mutex
	failSince   map[CartKey]time.Time // first failure of the current run of failures
	failSaid    map[CartKey]bool      // CartsFailing emitted for this run
	refusedSaid map[string]time.Time  // call -> when CredentialsRefused was last emitted

	paymentChecked, paymentOK bool // payready.go
}

// CredentialsRefused is called (by the API client's hook, see
// ClientOptions.OnRefused) when a signed call was answered 401 or 403. It
// emits CredentialsRefused, at most once an hour per call.
func (e *Engine) CredentialsRefused(call string, status int, msg string) {
	now := e.now()
	a := &e.alerts
	a.mu.Lock()
	if a.refusedSaid == nil {
		a.refusedSaid = map[string]time.Time{}
	}
	last, seen := a.refusedSaid[call]
	quiet := seen && now.Sub(last) < refusedRepeat
	if !quiet {
		a.refusedSaid[call] = now
	}
	a.mu.Unlock()
	if !quiet {
		e.emit(CredentialsRefused{Base: e.base("", ""), Call: call, Status: status, Err: msg})
	}
}

// noteCartFailure records a failed cart operation of k and emits
// CartsFailing once the failures have lasted CartsFailingAfter.
func (e *Engine) noteCartFailure(k CartKey, err error) {
	now := e.now()
	a := &e.alerts
	a.mu.Lock()
	if a.failSince == nil {
		a.failSince, a.failSaid = map[CartKey]time.Time{}, map[CartKey]bool{}
	}
	since, ok := a.failSince[k]
	if !ok {
		since = now
		a.failSince[k] = now
	}
	say := !a.failSaid[k] && now.Sub(since) >= CartsFailingAfter
	if say {
		a.failSaid[k] = true
	}
	a.mu.Unlock()
	if say {
		e.emit(CartsFailing{Base: e.base(k.Entry, k.DC), Since: since, Err: err.Error()})
	}
}

// noteCartOK ends a run of cart failures of k.
func (e *Engine) noteCartOK(k CartKey) {
	a := &e.alerts
	a.mu.Lock()
	delete(a.failSince, k)
	delete(a.failSaid, k)
	a.mu.Unlock()
}

// credentialLoop reads the consumer key's expiration at start and then
// daily, until ctx is done. It does nothing without Config.CredentialExpiry.
func (e *Engine) credentialLoop(ctx context.Context) {
	if e.cfg.CredentialExpiry == nil {
		return
	}
	for {
		e.checkCredentialExpiry(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(credentialCheckEvery):
		}
	}
}

// checkCredentialExpiry emits CredentialExpiring when the consumer key
// expires within CredentialWarnBefore. A key without expiration is fine.
func (e *Engine) checkCredentialExpiry(ctx context.Context) {
	exp, err := e.cfg.CredentialExpiry(ctx)
	if err != nil {
		if ctx.Err() == nil {
			e.emit(Info{Base: e.base("", ""), Sev: slog.LevelWarn, Text: "could not read the consumer key's expiration: " + err.Error()})
		}
		return
	}
	if !exp.IsZero() && exp.Sub(e.now()) < CredentialWarnBefore {
		e.emit(CredentialExpiring{Base: e.base("", ""), Expires: exp})
	}
}

// reportStillWanted emits StoppingWanted when entries are still wanted as
// the engine stops.
func (e *Engine) reportStillWanted() {
	f := e.store.Snapshot()
	e.mu.Lock()
	blocked := e.blocked
	e.mu.Unlock()
	var keys []string
	for _, s := range f.Servers {
		if _, bad := blocked[s.Key()]; !bad && Wanted(s) {
			keys = append(keys, s.Key())
		}
	}
	if len(keys) > 0 {
		e.emit(StoppingWanted{Base: e.base("", ""), Entries: keys})
	}
}

// roundDuration rounds d for messages: minutes under a day, hours above.
func roundDuration(d time.Duration) time.Duration {
	if d > 24*time.Hour {
		return d.Round(time.Hour)
	}
	return d.Round(time.Minute)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
