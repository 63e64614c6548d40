// Package order is the ordering engine: it watches OVH availability for the
// entries of preferences.json, keeps a ready cart per entry and DC, and
// checks out the moment a wanted DC becomes orderable, exactly once.
//
// Data flow: the poller (poller.go) reads availability filtered to what the
// preferences want and stores it; after every poll, and whenever a cart
// becomes ready, the engine runs Decide (decide.go), a pure function of
// (preferences, availability, carts, now) that returns Actions. A checkout
// action goes to checkout.go, which saves the latch in preferences.json
// through prefs.Store before POST checkout and records the outcome; an
// ambiguous outcome goes to reconcile.go, which looks the order up in
// /me/order. Every latch and outcome is also written to the journal beside
// the file (journal.go, package journal), which the engine trusts over an
// old copy of preferences.json; entries are known by their id. The cart keeper (cartkeeper.go) runs in its own goroutine: it
// builds, verifies, re-validates and renews carts ahead of time, so the
// checkout is the very next request once a DC is seen orderable. Everything
// the engine does is reported as typed Events (events.go) on one channel,
// which the TUI or the headless printer (headless.go) drains.
package order

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ovhtui/ovhtui/budget"
	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/gate"
	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// DefaultPoll is the availability poll interval when Config.Poll is zero.
const DefaultPoll = 3 * time.Second

// MinPoll is the shortest accepted poll interval.
const MinPoll = time.Second

// CatalogProvider serves the parsed eco catalog (catalog.Source does).
type CatalogProvider interface {
	Catalog(ctx context.Context) (*catalog.Catalog, error)
}

// Config is what the engine needs. API and Store are required.
type Config struct {
	API     API
	Store   *prefs.Store
	Catalog CatalogProvider // nil: entries with fetch_catalog get an error
	// Poll is the availability poll interval (default DefaultPoll, at least MinPoll).
	Poll time.Duration
	// Endpoint is the OVH endpoint name or URL, for validation messages.
	Endpoint string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log receives the engine's own diagnostics (default: discard). Events
	// are the engine's output; Log is for what does not fit an event.
	Log *slog.Logger
	// ExitWhenIdle makes Run return nil once no entry has anything left to
	// do: every entry has qty 0, an order, or a latch awaiting the user's
	// decision (or a problem that stops it).
	ExitWhenIdle bool
	// Budget is the budget of unsigned requests shared with other
	// pollers (nil: no budget, every plan polled every Poll). Polls are
	// paced within it (pacing.go).
	Budget *budget.Budget
	// DefaultPaymentMethod, when set, reads the account's default payment
	// method (found false: none), checked while entries check out with
	// autopay (payready.go).
	DefaultPaymentMethod func(ctx context.Context) (m ovhapi.PaymentMethod, found bool, err error)
	// CredentialExpiry, when set, returns the consumer key's expiration
	// (zero: none), read at start and daily to warn before it lapses (alerts.go).
	CredentialExpiry func(ctx context.Context) (time.Time, error)
	// Sweep is the interval of the background sweep of every ECO model
	// for the restock radar (sweep.go); 0: no sweep.
	Sweep time.Duration
	// UnpaidOrders and ServerTerms, when set, read the unpaid orders and
	// the account's servers for reminders before they lapse (reminders.go).
	UnpaidOrders func(ctx context.Context) ([]UnpaidOrder, error)
	ServerTerms  func(ctx context.Context) ([]ServerTerm, error)
	// RemindEvery is how often they are read (0: every 15 minutes; the
	// demo, whose story moves faster, reads them every minute).
	RemindEvery time.Duration
	// LookUpRetries are the delays of the later /me/order look-ups of a
	// checkout whose outcome is unknown, when the first look-up finds
	// nothing (nil: DefaultLookUpRetries). --headless waits for them before
	// it exits. Tests give short ones.
	LookUpRetries []time.Duration
}

// Engine runs the ordering pipeline. Create it with New, drain Events, call Run.
type Engine struct {
	api     API
	store   *prefs.Store
	catalog CatalogProvider
	log     *slog.Logger
	now     func() time.Time
	poll    time.Duration
	cfg     Config
	quiet   quietGate // checkouts under way (quiet.go)

	// test hooks
	cycleHook       func()       // called after each poll cycle
	beforeSettle    func(Action) // called before a checkout, dry run or retire touches the file
	minPoll         time.Duration
	revalidateEvery time.Duration
	verifyEvery     time.Duration
	renewBefore     time.Duration
	// reconcileRetries: delays of the later /me/order lookups
	// (Config.LookUpRetries)
	reconcileRetries []time.Duration
	// cartRetryBase is the first wait before a failed cart operation is
	// tried again (doubled at each failure, up to 5 minutes)
	cartRetryBase time.Duration

	events *eventQueue
	alerts alertState // alerts.go
	local  localState // failures on this machine, orders not yet saved (localfail.go)
	retry  retryState // per-plan polling and refusal backoff (retry.go)
	// building: carts the keeper or a rush build is at work on (cartkeeper.go), under mu
	building map[CartKey]bool

	mu        sync.Mutex
	file      *prefs.File // last snapshot of the store
	lastData  []byte      // file marshalled, to see changes
	blocked   map[string]string
	avail     map[AvailKey]string
	carts     map[CartKey]*cartInfo
	inFlight  map[string]bool
	cooldown  map[CartKey]time.Time
	status    map[CartKey]Status
	details   map[CartKey]string // detail of the last status per entry and DC
	notes     map[string]string  // entry -> the engine's last word on stopping it
	acting    map[string]Action  // entry -> the action in flight (act)
	published []EntryView        // last EntryStatesChanged sent
	rush      map[CartKey]bool
	reval     map[CartKey]bool
	reported  map[string]string // entry -> last reported blocking problem / catalog error
	lookups   map[string]int    // entry -> pending /me/order lookups (reconcile.go)
	runCtx    context.Context   // Run's context, for work that outlives a checkout's

	// The journal beside the preferences file (journal.go); jmu guards
	// both and is taken after e.mu and the store's lock, never before.
	jmu     sync.Mutex
	journal *journal.Journal
	jstate  *journal.State
	// jsyncErr is the last error of syncJournal, said once; jcheckErr that
	// of checkJournal.
	jsyncErr  string
	jcheckErr string
	// gate is the money gate every checkout goes through (journal.go);
	// gateProc and gateAlive, when set (tests), stand for the process.
	gate      *gate.Gate
	gateProc  string
	gateAlive func(string) bool
	// availAt: when each availability value was last read (poller.go,
	// freshAvailability), under mu.
	availAt map[AvailKey]time.Time

	keeperWake chan struct{}
	idleCh     chan struct{}
	wg         sync.WaitGroup

	pacingMu   sync.Mutex
	lastPacing PollPacing // last PollPacing sent (pacing.go)
}

// New returns an engine for cfg. It does no I/O.
func New(cfg Config) *Engine {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{
		api: cfg.API, store: cfg.Store, catalog: cfg.Catalog, log: cfg.Log, now: cfg.Now, poll: cfg.Poll, cfg: cfg,
		minPoll:         MinPoll,
		revalidateEvery: RevalidateEvery,
		verifyEvery:     10 * time.Minute,
		renewBefore:     24 * time.Hour,
		events:          newEventQueue(),
		blocked:         map[string]string{},
		avail:           map[AvailKey]string{},
		availAt:         map[AvailKey]time.Time{},
		carts:           map[CartKey]*cartInfo{},
		inFlight:        map[string]bool{},
		cooldown:        map[CartKey]time.Time{},
		status:          map[CartKey]Status{},
		details:         map[CartKey]string{},
		notes:           map[string]string{},
		acting:          map[string]Action{},
		rush:            map[CartKey]bool{},
		reval:           map[CartKey]bool{},
		reported:        map[string]string{},
		keeperWake:      make(chan struct{}, 1),
		idleCh:          make(chan struct{}, 1),
	}
	e.reconcileRetries = cfg.LookUpRetries
	e.cartRetryBase = 5 * time.Second
	return e
}

// Events is the engine's output. It is closed after Run returns and every
// queued event was delivered. Order, cart, price, error and status events
// are never dropped (the engine queues them without bound rather than
// block); PollOK, AvailabilityChanged and the history events
// (AvailabilitySeen, CatalogSeen) are dropped while more than 1,024 events
// wait for the consumer.
func (e *Engine) Events() <-chan Event { return e.events.out }

// Run runs the engine until ctx is cancelled (or, with ExitWhenIdle, until
// nothing is left to do) and every goroutine has stopped. A checkout in
// flight is allowed to finish and its outcome saved before Run returns.
func (e *Engine) Run(ctx context.Context) error {
	defer e.events.close()
	if e.api == nil || e.store == nil {
		return errors.New("order engine: API and Store are required")
	}
	if e.poll <= 0 {
		e.poll = DefaultPoll
	}
	if e.poll < e.minPoll {
		e.poll = e.minPoll
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	e.mu.Lock()
	e.runCtx = ctx
	e.mu.Unlock()

	// Nothing is bought without the journal: it is what ovhtui trusts
	// about its own past (journal.go).
	if err := e.openJournal(); err != nil {
		return fmt.Errorf("order engine: %w", err)
	}
	defer e.closeJournal()
	e.reload()
	e.syncJournal() // ids, and what an old copy of the file lost
	e.adoptPersistedCarts()
	start := "engine started, polling every " + e.poll.String()
	if e.cfg.Budget != nil {
		// The start line says what the request budget leaves each plan.
		start = "engine started: " + e.cfg.Budget.Describe(len(e.wantedPlans()), e.poll)
	}
	e.emit(Info{Base: e.base("", ""), Text: start, Sev: slog.LevelInfo})

	// Entries latched without an order id: reconcile before anything else
	// may touch them (they are not Wanted, so nothing orders them meanwhile).
	// The first lookup counts as in flight, so ExitWhenIdle waits for it.
	for _, s := range e.snapshot().Servers {
		if s.OrderAttempted && s.OrderID == 0 {
			key := s.Key()
			e.mu.Lock()
			started := e.inFlight[key] // a latch syncJournal restored is looked up already
			e.inFlight[key] = true
			e.mu.Unlock()
			if !started {
				e.lookUpInFlight(ctx, key)
			}
		}
	}
	if r, ok := e.api.(interface{ Run(context.Context) }); ok {
		e.goTracked(func() { r.Run(ctx) }) // client upkeep (OAuth2 token ahead of time)
	}
	e.goTracked(func() { e.keeperLoop(ctx) })
	paymentFirst := make(chan struct{})
	if e.cfg.DefaultPaymentMethod != nil {
		e.goTracked(func() { e.paymentLoop(ctx, paymentFirst) })
	} else {
		close(paymentFirst)
	}
	e.goTracked(func() {
		// The payment warning comes before any stock: the first poll
		// waits for the first payment check (bounded).
		select {
		case <-paymentFirst:
		case <-time.After(paymentFirstWait):
		case <-ctx.Done():
		}
		e.pollLoop(ctx)
	})
	e.goTracked(func() { e.credentialLoop(ctx) })
	e.goTracked(func() { e.sweepLoop(ctx) })
	e.goTracked(func() { e.remindLoop(ctx) })

	e.publish()

	select {
	case <-ctx.Done():
		e.sayWaiting()
	case <-e.idleCh:
		e.emit(Info{Base: e.base("", ""), Text: "nothing left to do", Sev: slog.LevelInfo})
	}
	cancel()
	e.wg.Wait()
	e.reportStillWanted()
	e.saveUnsaved()
	return e.errUnsaved()
}

func (e *Engine) goTracked(f func()) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		f()
	}()
}

// Rearm re-arms an entry left waiting for the user's decision, or buys
// another of an ordered one: BuyAnother with the qty of the last attempt.
func (e *Engine) Rearm(ctx context.Context, key string) error { return e.BuyAnother(ctx, key, 0) }

// BuyAnother re-arms the entry with key to buy qty more units (0: as many
// as the last attempt): prefs.Server.BuyAgain gives it a new id (the old
// one keeps what it bought, in the journal), clears the latch and order
// fields and scales the ceiling; a rearm record goes to the journal. It
// refuses an entry with a checkout or an order lookup under way, and one
// still wanted.
func (e *Engine) BuyAnother(ctx context.Context, key string, qty int) error {
	// A pending lookup first: it is the more precise reason (a startup
	// lookup also counts as in flight until its first round ends).
	if e.lookingUp(key) {
		return errors.New("re-arm " + key + ": its order is still being looked up in /me/order; wait for the lookup to finish")
	}
	e.mu.Lock()
	busy := e.inFlight[key]
	e.mu.Unlock()
	if busy {
		return errors.New("re-arm " + key + ": a checkout is in flight")
	}
	var next prefs.Server
	newID := ""
	err := e.update("re-arm "+key, func(f *prefs.File) error {
		i := f.Find(key)
		if i < 0 {
			return errors.New("re-arm: no entry " + key)
		}
		s := &f.Servers[i]
		if newID == "" {
			newID = prefs.NewID(s.PlanCode)
		}
		if _, err := s.BuyAgain(qty); err != nil {
			return fmt.Errorf("re-arm %s: %w", key, err)
		}
		s.ID = newID
		next = *s
		return nil
	})
	if err != nil {
		return err
	}
	if err := e.journalAppend(journal.Record{Type: journal.TypeRearm, Entry: key, NewEntry: newID, PlanCode: next.PlanCode,
		FQN: next.FQN, DCs: next.DCNames(), Qty: next.Qty}); err != nil {
		e.emit(Info{Base: e.base(newID, ""), Sev: slog.LevelError, Text: "journal: re-arm not written: " + err.Error()})
	}
	e.emit(Info{Base: e.base(newID, ""), Sev: slog.LevelWarn, Text: fmt.Sprintf("re-armed: %s is now %s, to buy %d", key, newID, next.Qty)})
	for _, dc := range e.entryDCs(newID) {
		e.setStatus(newID, dc, StatusWatching, "re-armed")
	}
	e.wakeKeeper()
	return nil
}

// States returns the state of every entry the engine last published
// (see EntryStates). The slice is shared: do not modify it.
func (e *Engine) States() []EntryView {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.published
}

// --- state helpers -------------------------------------------------------

func (e *Engine) base(entry, dc string) Base { return Base{Time: e.now(), Entry: entry, DC: dc} }

func (e *Engine) emit(ev Event) { e.events.push(ev) }

// setStatus emits StatusChanged when the status of entry/dc changes.
func (e *Engine) setStatus(entry, dc string, st Status, detail string) {
	k := CartKey{Entry: entry, DC: dc}
	e.mu.Lock()
	same := e.status[k] == st
	e.status[k] = st
	e.details[k] = detail
	e.mu.Unlock()
	if !same {
		e.emit(StatusChanged{Base: e.base(entry, dc), Status: st, Detail: detail})
		e.publish()
	}
}

func (e *Engine) setEntryStatus(entry string, st Status, detail string) {
	for _, dc := range e.entryDCs(entry) {
		e.setStatus(entry, dc, st, detail)
	}
}

// entryDCs returns the DCs of the entry with key, as the last snapshot
// lists them.
func (e *Engine) entryDCs(key string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.file == nil {
		return nil
	}
	if i := e.file.Find(key); i >= 0 {
		return e.file.Servers[i].DCNames()
	}
	return nil
}

func (e *Engine) snapshot() *prefs.File {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.file
}

// reload takes a fresh snapshot of the store and recomputes blocked
// entries. It reports whether the content changed since the last reload,
// and then wakes the cart keeper: whichever reload first sees an edit
// (the poller's, or one of the engine's own saves that picks up an edit
// another user of the store saved meanwhile) is the only one that sees
// it changed, so it must be the one that wakes the keeper, or the edit's
// cart waits for the keeper's timer (up to a minute).
func (e *Engine) reload() bool {
	f := e.store.Snapshot()
	data, _ := f.Marshal()
	blocked := entryProblems(f, e.cfg.Endpoint)
	holds := e.journalHolds(f) // not reported here: syncJournal says what it restores
	e.mu.Lock()
	changed := !bytes.Equal(data, e.lastData)
	e.file = f
	e.lastData = data
	e.blocked = make(map[string]string, len(blocked)+len(holds))
	maps.Copy(e.blocked, holds)
	maps.Copy(e.blocked, blocked)
	e.mu.Unlock()
	if changed {
		e.wakeKeeper()
	}
	for key, why := range blocked {
		e.mu.Lock()
		seen := e.reported[key] == why
		e.reported[key] = why
		e.mu.Unlock()
		if !seen {
			e.setEntryStatus(key, StatusError, why)
			e.emit(Info{Base: e.base(key, ""), Text: "entry not watched: " + why, Sev: slog.LevelError})
		}
	}
	return changed
}

// update saves a change through the store, emits PrefsSaved and refreshes
// the snapshot.
func (e *Engine) update(reason string, change func(*prefs.File) error) error {
	saved, err := e.store.Apply(reason, change)
	if err != nil {
		return err
	}
	if saved {
		e.emit(PrefsSaved{Base: e.base("", ""), Reason: reason})
	}
	e.reload()
	return nil
}

// entryProblems maps entries with validation problems to a summary of
// them. A problem of the file itself (e.g. its subsidiary) blocks every entry.
func entryProblems(f *prefs.File, endpoint string) map[string]string {
	out := map[string]string{}
	probs := prefs.EntryProblems(f, endpoint)
	fileWide := joinProblems(probs[prefs.FileProblems])
	for i, s := range f.Servers {
		why := joinProblems(probs[i])
		if fileWide != "" {
			why = strings.TrimPrefix(why+"; "+fileWide, "; ")
		}
		if why != "" {
			out[s.Key()] = why
		}
	}
	return out
}

func joinProblems(ps []prefs.Problem) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

func (e *Engine) wakeKeeper() {
	select {
	case e.keeperWake <- struct{}{}:
	default:
	}
}

// evaluate runs Decide on the current state and starts its actions.
func (e *Engine) evaluate(ctx context.Context) {
	e.mu.Lock()
	in := DecideInput{
		File: e.file, Blocked: e.blocked, Avail: e.avail, InFlight: e.inFlight, Cooldown: e.cooldown,
		Now: e.now(), Carts: make(map[CartKey]CartState, len(e.carts)),
	}
	for k, c := range e.carts {
		in.Carts[k] = c.CartState
	}
	acts := Decide(in)
	wake := false
	var start []Action
	var builds []CartKey
	for _, a := range acts {
		k := CartKey{Entry: a.Entry, DC: a.DC}
		switch a.Kind {
		case ActCheckout, ActDryRun, ActRetire:
			e.inFlight[a.Entry] = true
			e.acting[a.Entry] = a
			start = append(start, a)
		case ActBuildCart:
			builds = append(builds, k) // built at once, in parallel (cartkeeper.go)
		case ActRevalidate:
			if !e.reval[k] {
				e.reval[k] = true
				wake = true
			}
		}
	}
	e.mu.Unlock()
	for _, a := range start {
		a := a
		if a.Kind == ActCheckout {
			e.quiet.begin() // before the radar hears of the answer (quiet.go)
		}
		// The checkout outlives ctx so its outcome is saved: Run waits for it.
		e.goTracked(func() {
			if a.Kind == ActCheckout {
				defer e.quiet.end()
			}
			e.act(context.WithoutCancel(ctx), a)
		})
	}
	for _, k := range builds {
		e.rushBuild(ctx, k)
	}
	if wake {
		e.wakeKeeper()
	}
	e.publish()
}

// act runs one action that settles an entry: checkout, dry run or retire.
func (e *Engine) act(ctx context.Context, a Action) {
	defer func() {
		e.mu.Lock()
		delete(e.inFlight, a.Entry)
		delete(e.acting, a.Entry)
		e.mu.Unlock()
		e.publish()
		e.checkIdle()
	}()
	if e.beforeSettle != nil {
		e.beforeSettle(a)
	}
	switch a.Kind {
	case ActCheckout:
		e.checkout(ctx, a)
	case ActDryRun:
		e.dryRun(ctx, a)
	case ActRetire:
		e.retire(a)
	}
}

// checkIdle signals Run when ExitWhenIdle and nothing is left to do.
func (e *Engine) checkIdle() {
	if !e.cfg.ExitWhenIdle {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.inFlight) > 0 || len(e.lookups) > 0 || e.file == nil {
		return
	}
	for _, s := range e.file.Servers {
		if _, bad := e.blocked[s.Key()]; bad {
			continue
		}
		if Wanted(s) {
			return
		}
		if NeedsCatalog(s) && s.Qty > 0 && s.OrderID == 0 && !s.OrderAttempted && e.catalog != nil {
			return
		}
	}
	select {
	case e.idleCh <- struct{}{}:
	default:
	}
}

// clearLatch removes the latch fields of s.
func clearLatch(s *prefs.Server) {
	s.OrderAttempted = false
	s.OrderAttemptedAt = time.Time{}
	s.OrderAttemptedIn = ""
	s.OrderAttemptedQty = 0
	s.OrderAttemptedCart = ""
}

// backoff returns the delay after n consecutive failures: base doubled per
// failure up to max, with +-20% jitter, and at least retryAfter.
func backoff(base, max time.Duration, n int, retryAfter time.Duration) time.Duration {
	d := base
	for i := 0; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	j := time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
	if j < retryAfter {
		j = retryAfter
	}
	return j
}

// --- event queue ---------------------------------------------------------

// maxQueuedDroppable is the queue length above which frequent events are dropped.
const maxQueuedDroppable = 1024

// eventQueue decouples the engine from its consumer: push never blocks.
type eventQueue struct {
	mu     sync.Mutex
	q      []Event
	closed bool
	signal chan struct{}
	out    chan Event
}

func newEventQueue() *eventQueue {
	q := &eventQueue{signal: make(chan struct{}, 1), out: make(chan Event, 256)}
	go q.pump()
	return q
}

// Droppable reports the frequent events (polls, availability changes) that
// a queue may drop while its consumer lags; every other event is kept.
func Droppable(ev Event) bool {
	switch ev.(type) {
	case PollOK, AvailabilityChanged, AvailabilitySeen, CatalogSeen:
		return true
	}
	return false
}

func (q *eventQueue) push(ev Event) {
	q.mu.Lock()
	if q.closed || (len(q.q) >= maxQueuedDroppable && Droppable(ev)) {
		q.mu.Unlock()
		return
	}
	if _, ok := ev.(EntryStatesChanged); ok {
		// Only the latest state matters: drop one still queued.
		for i, old := range q.q {
			if _, ok := old.(EntryStatesChanged); ok {
				q.q = append(q.q[:i], q.q[i+1:]...)
				break
			}
		}
	}
	q.q = append(q.q, ev)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *eventQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *eventQueue) pump() {
	for {
		q.mu.Lock()
		if len(q.q) == 0 {
			closed := q.closed
			q.mu.Unlock()
			if closed {
				close(q.out)
				return
			}
			<-q.signal
			continue
		}
		ev := q.q[0]
		q.q[0] = nil
		q.q = q.q[1:]
		q.mu.Unlock()
		q.out <- ev
	}
}

// sortedKeys returns the keys of m in order (for stable iteration).
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
