// Package gate is the one way a request that can spend money leaves
// ovhtui: the first checkout of an entry, every retry of it, the payment of
// an order, the renewal of a service. Whoever asks (the engine, the UI, a
// subcommand, an SSH session) calls Gate.Do with a Request, and the gate
// does, in this order:
//
//  1. Decide again (Request.Decide): the caller re-reads the user's intent
//     (the preferences file) and checks its facts are fresh (availability,
//     validated price, the amount confirmed). An error sends nothing.
//  2. Serialize: the journal's lock, across processes and within one.
//  3. Check the journal, read afresh, for an action on the same Target
//     (entry id, order id, service and period): one still pending is
//     looked up first (never by another live process, see below), and
//     sends nothing while OVH's records do not settle it; one done is
//     handed to Request.Prior (an unpaid renewal order is offered for
//     payment, an order already paid is said so) and sends nothing.
//  4. Journal the intent, with what is needed to find its result later
//     (cart, addons, DC, price, period...) and OVH's time.
//  5. Send (Request.Send), once.
//  6. Settle: a clear answer is journaled as the outcome. An unclear one
//     (timeout, 5xx, lost connection, malformed answer) is journaled as
//     unknown and looked up at once (Request.LookUp, from the journaled
//     intent, never from the file's current content); when OVH's records
//     do not show it yet, it stays pending: Do returns an *UnclearError and
//     nothing more is sent for the target. Later calls (Settle, or the next
//     Do on the target) look it up again. Only after Window has passed on
//     OVH's clock (GET /auth/time) since the intent, with every look-up
//     finding nothing, is it written down as having done nothing.
//
// A process never settles another live process's intent: the journal
// records which process wrote it (Proc), and while that process lives its
// intent is left to it.
package gate

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/ovhtui/ovhtui/journal"
)

// Journal is what the gate needs of the journal: *journal.Journal.
type Journal interface {
	// Lock serializes money actions across processes; see journal.Lock.
	Lock(ctx context.Context) (unlock func(), err error)
	// Read returns every record now in the journal, whoever wrote it.
	Read() (journal.Log, error)
	// Append writes one record durably.
	Append(r journal.Record) error
}

// Clock reads OVH's time (GET /auth/time).
type Clock interface {
	ServerTime(ctx context.Context) (time.Time, error)
}

// DefaultWindow is how long, on OVH's clock, an unclear request stays
// pending while look-ups find nothing. OVH lists a fresh order, or a
// payment's effect, late; how late is not documented, so the window is
// generous.
const DefaultWindow = 15 * time.Minute

// offsetTTL is how long a measured offset between the local clock and
// OVH's is trusted before /auth/time is read again.
const offsetTTL = 10 * time.Minute

// Options configure a Gate.
type Options struct {
	Journal Journal // required
	Clock   Clock   // required: OVH's time
	// Now is the local clock (default time.Now).
	Now func() time.Time
	// Window: see DefaultWindow (used when zero).
	Window time.Duration
	// Proc is this process's identity in the journal (default Self()).
	Proc string
	// Alive reports whether the process of a Proc lives (default
	// ProcAlive). Tests give processes of their own.
	Alive func(proc string) bool
}

// Gate is the one money gate. It is safe for concurrent use; one per
// journal per process.
type Gate struct {
	j      Journal
	clock  Clock
	now    func() time.Time
	window time.Duration
	proc   string
	alive  func(string) bool

	mu       sync.Mutex
	inflight map[string]bool // attempts of this process being sent or answered
	offset   time.Duration   // OVH's clock minus the local one
	offsetAt time.Time       // when offset was measured (local); zero: never
}

// New returns a gate over o.Journal.
func New(o Options) *Gate {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.Proc == "" {
		o.Proc = Self()
	}
	if o.Alive == nil {
		o.Alive = ProcAlive
	}
	return &Gate{j: o.Journal, clock: o.Clock, now: o.Now, window: o.Window, proc: o.Proc, alive: o.Alive,
		inflight: map[string]bool{}}
}

// Target is what a request spends money on. At most one request per target
// is pending at any time, across processes.
type Target struct {
	Kind      journal.Kind
	Entry     string // checkout: the preferences entry id
	OrderID   int64  // payment: the order paid
	ServiceID int64  // renewal: the service renewed
	Period    string // renewal: the period ("P1M")
}

// String names the target for messages.
func (t Target) String() string {
	switch t.Kind {
	case journal.KindCheckout:
		return "checkout of entry " + t.Entry
	case journal.KindPayment:
		return fmt.Sprintf("payment of order %d", t.OrderID)
	case journal.KindRenewal:
		return fmt.Sprintf("renewal of service %d for %s", t.ServiceID, t.Period)
	}
	return string(t.Kind)
}

// Matches reports whether r is a record of an action on t. A renewal
// record without a period (written before periods were journaled) counts
// for every period of its service: the stricter reading.
func (t Target) Matches(r journal.Record) bool {
	if r.Kind != t.Kind {
		return false
	}
	switch t.Kind {
	case journal.KindCheckout:
		return r.Entry == t.Entry
	case journal.KindPayment:
		return r.OrderID == t.OrderID
	case journal.KindRenewal:
		return r.ServiceID == t.ServiceID && (r.Period == "" || t.Period == "" || r.Period == t.Period)
	}
	return false
}

// stamp writes the target's fields into r.
func (t Target) stamp(r *journal.Record) {
	r.Kind = t.Kind
	switch t.Kind {
	case journal.KindCheckout:
		r.Entry = t.Entry
	case journal.KindPayment:
		r.OrderID = t.OrderID
	case journal.KindRenewal:
		r.ServiceID, r.Period = t.ServiceID, t.Period
	}
}

// Answer is OVH's answer to a request, or what a look-up found, as the
// caller classifies it.
type Answer struct {
	// Result: ResultOrdered, ResultDone, ResultRefused, ResultFailed or
	// ResultNotSent when clear; "" or ResultUnknown when unclear.
	Result  journal.Result
	OrderID int64
	URL     string // without its order password
	// AmountUcents and Currency: what OVH says it costs, when it says.
	AmountUcents int64
	Currency     string
	// Detail is for people (OVH's message); never a secret.
	Detail string
	// Err is the error of the request, if any.
	Err error
}

// Clear reports an answer that settles the request.
func (a Answer) Clear() bool {
	switch a.Result {
	case journal.ResultOrdered, journal.ResultDone, journal.ResultRefused, journal.ResultFailed, journal.ResultNotSent:
		return true
	}
	return false
}

// Succeeded reports an answer saying the money action was carried out.
func (a Answer) Succeeded() bool {
	return a.Result == journal.ResultOrdered || a.Result == journal.ResultDone
}

// Request is one money request through the gate.
type Request struct {
	Target Target
	// Decide decides again on the freshest intent and facts and returns
	// the intent to journal (the gate fills in type, kind, target, attempt,
	// time, OVH's time and process). Any error sends nothing and is
	// returned as is.
	Decide func(ctx context.Context) (journal.Record, error)
	// Prior, when set, is asked about the last action on the target that
	// succeeded (done, an outcome ordered or done): a non-nil Result is
	// returned instead of sending (nothing is sent); nil lets this request
	// go on (e.g. the earlier renewal order was paid since). When Prior is
	// nil, an earlier success on the target sends nothing.
	Prior func(ctx context.Context, done journal.Record) (*Result, error)
	// Send sends the request once, with the journaled intent.
	Send func(ctx context.Context, intent journal.Record) Answer
	// LookUp searches OVH's records for the result of intent (as
	// journaled): found reports a result found (ans clear); not found is
	// not a refusal. Nil: an unclear answer stays pending until Window.
	LookUp func(ctx context.Context, intent journal.Record) (ans Answer, found bool, err error)
}

// Result is what came of a request.
type Result struct {
	// Intent is the intent concerned: the one sent, or the earlier one
	// that settled the target (zero when none).
	Intent journal.Record
	Answer
	// Sent: a request left with this call.
	Sent bool
	// Earlier: an earlier action on the target answered; nothing was sent.
	Earlier bool
	// Found: the answer comes from a look-up at OVH, not from the request.
	Found bool
}

// PendingError: an earlier request on the target is still pending, so
// nothing was sent.
type PendingError struct {
	Target Target
	Intent journal.Record
	// Other: another process, still running, waits on its answer.
	Other bool
	// Until is when (OVH's clock) the look-ups give up if they keep
	// finding nothing.
	Until time.Time
	// Err is why the last look-up failed, if it did.
	Err error
}

// Error says why nothing was sent and what happens next.
func (e *PendingError) Error() string {
	when := e.Intent.Time.UTC().Format(time.RFC3339)
	switch {
	case e.Other:
		return fmt.Sprintf("an earlier %s (%s) is still waiting for OVH's answer in another ovhtui (pid %d): nothing was sent; try again once it has its answer",
			e.Target, when, e.Intent.PID)
	case e.Err != nil:
		return fmt.Sprintf("the outcome of an earlier %s (%s) is still unknown and looking it up at OVH failed (%v): nothing was sent; ovhtui looks again before anything else is sent for it",
			e.Target, when, e.Err)
	}
	return fmt.Sprintf("the outcome of an earlier %s (%s) is still unknown: OVH's records do not show it yet; nothing was sent; ovhtui keeps looking until %s (OVH's clock)",
		e.Target, when, e.Until.UTC().Format(time.RFC3339))
}

// Unwrap returns the look-up's error.
func (e *PendingError) Unwrap() error { return e.Err }

// UnclearError: the request left, OVH's answer was unclear, and its
// outcome is not known yet. It stays pending (journaled as unknown):
// nothing more is sent for the target until OVH's records settle it.
type UnclearError struct {
	Target Target
	Intent journal.Record
	Err    error // the unclear answer
	Until  time.Time
}

// Error says what the user must know: it may have been carried out.
func (e *UnclearError) Error() string {
	return fmt.Sprintf("%s: OVH's answer was unclear (%v); it may have been carried out. It stays pending: nothing more is sent for it, and ovhtui looks it up at OVH until %s (OVH's clock) before saying it was not",
		e.Target, e.Err, e.Until.UTC().Format(time.RFC3339))
}

// Unwrap returns the unclear answer's error.
func (e *UnclearError) Unwrap() error { return e.Err }

// ErrNoOVHTime: OVH's clock could not be read, so nothing was sent (the
// intent must carry OVH's time for the look-ups).
var ErrNoOVHTime = errors.New("OVH's time (GET /auth/time) could not be read")

// Do runs req through the gate; see the package comment. It returns the
// result and, when nothing was settled, why: Decide's error, a
// *PendingError, a *journal.ReplacedError, an *UnclearError (sent, answer
// unclear, pending).
func (g *Gate) Do(ctx context.Context, req Request) (Result, error) {
	rec, err := req.Decide(ctx)
	if err != nil {
		return Result{}, err
	}
	ovhNow, err := g.OVHNow(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("%s not sent: %w: %v", req.Target, ErrNoOVHTime, err)
	}
	unlock, err := g.j.Lock(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("%s not sent: %w", req.Target, err)
	}
	locked := true
	defer func() {
		if locked {
			unlock()
		}
	}()
	if res, stop, err := g.checkTarget(ctx, req, ovhNow); stop || err != nil {
		return res, err
	}
	intent := rec
	intent.Type, intent.Result = journal.TypeIntent, ""
	req.Target.stamp(&intent)
	intent.Attempt = newAttempt()
	intent.Time = g.now().UTC()
	intent.OVHTime = ovhNow.UTC()
	intent.Proc = g.proc
	if err := g.j.Append(intent); err != nil {
		return Result{}, fmt.Errorf("%s not sent: the journal could not be written: %w", req.Target, err)
	}
	g.setInflight(intent.Attempt, true)
	defer g.setInflight(intent.Attempt, false)
	unlock()
	locked = false

	ans := req.Send(ctx, intent)
	res := Result{Intent: intent, Answer: ans, Sent: true}
	if ans.Clear() {
		return res, g.outcome(intent, ans)
	}
	// Unclear: journaled as unknown, then looked up at once.
	cause := ans.Err
	if cause == nil {
		cause = errors.New(orDefault(ans.Detail, "no usable answer"))
	}
	unk := ans
	unk.Result, unk.Detail = journal.ResultUnknown, cause.Error()
	if err := g.outcome(intent, unk); err != nil {
		return res, errors.Join(&UnclearError{Target: req.Target, Intent: intent, Err: cause, Until: ovhNow.Add(g.window)}, err)
	}
	if req.LookUp != nil {
		found, ok, lerr := req.LookUp(context.WithoutCancel(ctx), intent)
		if lerr == nil && ok && found.Clear() {
			found.Detail = joinDetail(found.Detail, "found at OVH after an unclear answer ("+cause.Error()+")")
			return Result{Intent: intent, Answer: found, Sent: true, Found: true}, g.outcome(intent, found)
		}
	}
	res.Answer.Result = journal.ResultUnknown
	return res, &UnclearError{Target: req.Target, Intent: intent, Err: cause, Until: ovhNow.Add(g.window)}
}

// checkTarget looks at the journal, read afresh under the lock, for an
// action on req's target: pending ones are settled if they can be (stop
// with a *PendingError if not), a success is handed to Prior. stop: return
// res and err without sending.
func (g *Gate) checkTarget(ctx context.Context, req Request, ovhNow time.Time) (res Result, stop bool, err error) {
	log, err := g.j.Read()
	if err != nil {
		return Result{}, true, fmt.Errorf("%s not sent: %w", req.Target, err)
	}
	st := journal.Fold(log.Records)
	for _, p := range st.Pending() {
		if !req.Target.Matches(p) {
			continue
		}
		ans, settled, err := g.settleLocked(ctx, req.Target, p, req.LookUp, ovhNow)
		if err != nil {
			return Result{}, true, err
		}
		if settled && ans.Succeeded() {
			// Recorded now: it is the last success, handled below.
			log.Records = append(log.Records, outcomeRecord(p, ans, g.now(), g.proc))
		}
	}
	var done *journal.Record
	for i := range log.Records {
		r := log.Records[i]
		if r.Type == journal.TypeOutcome && req.Target.Matches(r) && (r.Result == journal.ResultOrdered || r.Result == journal.ResultDone) {
			done = &log.Records[i]
		}
	}
	if done == nil {
		return Result{}, false, nil
	}
	if req.Prior != nil {
		r, err := req.Prior(ctx, *done)
		if err != nil {
			return Result{}, true, err
		}
		if r == nil {
			return Result{}, false, nil
		}
		r.Earlier, r.Sent = true, false
		return *r, true, nil
	}
	return Result{Intent: *done, Answer: answerOf(*done), Earlier: true}, true, nil
}

// Settle looks up, at OVH, the pending requests on target (this process's
// own, or those of a process that no longer runs) and journals what is
// found. It returns the last one settled. A pending request whose look-ups
// keep finding nothing stays pending (a *PendingError) until Window has
// passed on OVH's clock.
func (g *Gate) Settle(ctx context.Context, target Target, lookUp func(ctx context.Context, intent journal.Record) (Answer, bool, error)) (Result, error) {
	ovhNow, err := g.OVHNow(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("look up the %s: %w: %v", target, ErrNoOVHTime, err)
	}
	unlock, err := g.j.Lock(ctx)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	log, err := g.j.Read()
	if err != nil {
		return Result{}, err
	}
	var last Result
	for _, p := range journal.Fold(log.Records).Pending() {
		if !target.Matches(p) {
			continue
		}
		ans, settled, err := g.settleLocked(ctx, target, p, lookUp, ovhNow)
		if err != nil {
			return Result{Intent: p}, err
		}
		if settled {
			last = Result{Intent: p, Answer: ans, Found: true}
		}
	}
	return last, nil
}

// Pending returns the intents on target still without a clear outcome, as
// the journal says now.
func (g *Gate) Pending(target Target) ([]journal.Record, error) {
	log, err := g.j.Read()
	if err != nil {
		return nil, err
	}
	var out []journal.Record
	for _, p := range journal.Fold(log.Records).Pending() {
		if target.Matches(p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// settleLocked tries to settle the pending record p (the journal is
// locked). settled: an outcome was journaled (ans). Otherwise the error is
// a *PendingError saying why it stays pending.
func (g *Gate) settleLocked(ctx context.Context, t Target, p journal.Record, lookUp func(context.Context, journal.Record) (Answer, bool, error), ovhNow time.Time) (Answer, bool, error) {
	since := p.OVHTime
	if since.IsZero() {
		since = p.Time // written before OVH's time was journaled
	}
	until := since.Add(g.window)
	if g.isInflight(p.Attempt) || g.othersLive(p) {
		return Answer{}, false, &PendingError{Target: t, Intent: p, Other: !g.isInflight(p.Attempt), Until: until}
	}
	if lookUp != nil {
		ans, found, err := lookUp(context.WithoutCancel(ctx), p)
		if err != nil {
			return Answer{}, false, &PendingError{Target: t, Intent: p, Until: until, Err: err}
		}
		if found && ans.Clear() {
			ans.Detail = joinDetail(ans.Detail, "found at OVH later")
			return ans, true, g.outcome(p, ans)
		}
	}
	// A checkout is never concluded "did nothing" by the window: an order
	// OVH lists later would be a second server; the user decides (re-arm).
	if ovhNow.Before(until) || p.Kind == journal.KindCheckout {
		return Answer{}, false, &PendingError{Target: t, Intent: p, Until: until}
	}
	ans := Answer{Result: nothingResult(p.Kind), Detail: fmt.Sprintf(
		"not found at OVH in the %s after the request (OVH's clock, looked up until %s): it did nothing", g.window, ovhNow.UTC().Format(time.RFC3339))}
	return ans, true, g.outcome(p, ans)
}

// nothingResult is the outcome of a request OVH's records show did
// nothing.
func nothingResult(k journal.Kind) journal.Result {
	if k == journal.KindPayment {
		return journal.ResultFailed
	}
	return journal.ResultRefused
}

// othersLive reports an intent written by another process that still runs.
func (g *Gate) othersLive(p journal.Record) bool {
	switch {
	case p.Proc == g.proc:
		return false
	case p.Proc != "":
		return g.alive(p.Proc)
	case p.PID != 0 && p.PID != os.Getpid():
		return g.alive(fmt.Sprint(p.PID))
	}
	return false
}

func (g *Gate) setInflight(attempt string, on bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if on {
		g.inflight[attempt] = true
	} else {
		delete(g.inflight, attempt)
	}
}

func (g *Gate) isInflight(attempt string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return attempt != "" && g.inflight[attempt]
}

// outcome journals ans as the outcome of intent.
func (g *Gate) outcome(intent journal.Record, ans Answer) error {
	if err := g.j.Append(outcomeRecord(intent, ans, g.now(), g.proc)); err != nil {
		return fmt.Errorf("journal the outcome (%s) of the %s: %w", ans.Result, describe(intent), err)
	}
	return nil
}

// outcomeRecord is the outcome ans of intent: the intent's fields, so that
// a look-up can be made from either.
func outcomeRecord(intent journal.Record, ans Answer, now time.Time, proc string) journal.Record {
	r := intent
	r.Type, r.Result, r.Time, r.PID, r.Proc = journal.TypeOutcome, ans.Result, now.UTC(), 0, proc
	if r.Result == "" {
		r.Result = journal.ResultUnknown
	}
	if ans.OrderID != 0 {
		r.OrderID = ans.OrderID
	}
	if ans.URL != "" {
		r.URL = ans.URL
	}
	if ans.Currency != "" {
		r.AmountUcents, r.Currency = ans.AmountUcents, ans.Currency
	}
	r.Detail = ans.Detail
	if r.Detail == "" && ans.Err != nil {
		r.Detail = ans.Err.Error()
	}
	return r
}

// answerOf reads an outcome back as an answer.
func answerOf(r journal.Record) Answer {
	return Answer{Result: r.Result, OrderID: r.OrderID, URL: r.URL, AmountUcents: r.AmountUcents, Currency: r.Currency, Detail: r.Detail}
}

func describe(r journal.Record) string {
	t := Target{Kind: r.Kind, Entry: r.Entry, OrderID: r.OrderID, ServiceID: r.ServiceID, Period: r.Period}
	return t.String()
}

// Proc is this process's identity in the journal.
func (g *Gate) Proc() string { return g.proc }

// OVHNow returns OVH's time now: the local clock plus the offset measured
// with GET /auth/time (measured again when older than 10 minutes).
func (g *Gate) OVHNow(ctx context.Context) (time.Time, error) {
	now := g.now()
	g.mu.Lock()
	off, at := g.offset, g.offsetAt
	g.mu.Unlock()
	if !at.IsZero() && !now.Before(at) && now.Sub(at) < offsetTTL {
		return now.Add(off), nil
	}
	if g.clock == nil {
		return time.Time{}, errors.New("no OVH clock")
	}
	t, err := g.clock.ServerTime(ctx)
	if err != nil {
		return time.Time{}, err
	}
	now = g.now()
	g.mu.Lock()
	g.offset, g.offsetAt = t.Sub(now), now
	g.mu.Unlock()
	return t, nil
}

// newAttempt returns a unique id tying an intent to its outcome.
func newAttempt() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b[:])
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func joinDetail(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
