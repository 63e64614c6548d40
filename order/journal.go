package order

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/ovhtui/ovhtui/gate"
	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// The engine's use of the journal (package journal), beside the
// preferences file: every latch is journaled (intent) before POST checkout
// leaves and every outcome after; entries the journal shows attempted or
// ordered are held until the file says so again (syncJournal writes the
// journal's record back into the file), so an old copy of preferences.json
// never buys twice.

// openJournal opens the journal beside the preferences file and folds what
// it holds. The engine does not run without it.
func (e *Engine) openJournal() error {
	path := journal.Beside(e.store.Path())
	log, err := journal.Read(path)
	if err != nil {
		return err
	}
	j, err := journal.Open(path)
	if err != nil {
		return err
	}
	if log.Skipped > 0 {
		e.emit(Info{Base: e.base("", ""), Sev: slog.LevelWarn,
			Text: fmt.Sprintf("journal %s: %d line(s) that hold no record skipped (a crash mid-write leaves one)", path, log.Skipped)})
	}
	if log.Invalid > 0 {
		e.emit(Info{Base: e.base("", ""), Sev: slog.LevelWarn,
			Text: fmt.Sprintf("journal %s: %d record(s) ovhtui could not have written (negative id, unknown kind) ignored", path, log.Invalid)})
	}
	// Replaced, moved or deleted while running: the journal re-opens and
	// merges by itself; the user is told (UI, headless, notifications).
	j.OnReplaced(func(r *journal.ReplacedError) {
		e.emit(JournalTrouble{Base: e.base("", ""), Text: r.Error()})
	})
	e.jmu.Lock()
	e.journal, e.jstate = j, journal.Fold(log.Records)
	e.jmu.Unlock()
	e.gate = gate.New(gate.Options{Journal: engineJournal{e}, Clock: e.api, Now: e.now, Proc: e.gateProc, Alive: e.gateAlive})
	return nil
}

// engineJournal is the journal as the gate sees it: appends also fold
// into the engine's state.
type engineJournal struct{ e *Engine }

func (w engineJournal) Lock(ctx context.Context) (func(), error) {
	w.e.jmu.Lock()
	j := w.e.journal
	w.e.jmu.Unlock()
	if j == nil {
		return nil, errNoJournal
	}
	return j.Lock(ctx)
}

func (w engineJournal) Read() (journal.Log, error) {
	w.e.jmu.Lock()
	j := w.e.journal
	w.e.jmu.Unlock()
	if j == nil {
		return journal.Log{}, errNoJournal
	}
	return j.Read()
}

func (w engineJournal) Append(r journal.Record) error { return w.e.journalAppend(r) }

// checkJournal checks, once per poll cycle, that the journal is still the
// file opened: replaced (a restore, a sync tool), it is re-opened and gets
// back what this process knows at once, not only at the next money
// action (journal.Check tells the user through OnReplaced).
func (e *Engine) checkJournal() {
	e.jmu.Lock()
	j := e.journal
	e.jmu.Unlock()
	if j == nil {
		return
	}
	if err := j.Check(); err != nil && !errors.Is(err, journal.ErrClosed) {
		e.jmu.Lock()
		said := e.jcheckErr == err.Error()
		e.jcheckErr = err.Error()
		e.jmu.Unlock()
		if !said {
			e.emit(JournalTrouble{Base: e.base("", ""), Text: "nothing is bought while the journal is unusable: " + err.Error()})
		}
	}
}

// closeJournal closes the journal at the end of Run.
func (e *Engine) closeJournal() {
	e.jmu.Lock()
	defer e.jmu.Unlock()
	if e.journal != nil {
		e.journal.Close()
	}
}

// errNoJournal refuses a money action when the journal is not open.
var errNoJournal = errors.New("the journal is not open")

// journalAppend writes r to the journal (synced) and folds it in.
func (e *Engine) journalAppend(r journal.Record) error {
	e.jmu.Lock()
	defer e.jmu.Unlock()
	if e.journal == nil {
		return errNoJournal
	}
	if r.Time.IsZero() {
		r.Time = e.now().UTC()
	}
	if err := e.journal.Append(r); err != nil {
		return err
	}
	e.jstate.Apply(r)
	return nil
}

// journalIntent returns the entry's last checkout intent, nil if none.
func (e *Engine) journalIntent(key string) *journal.Record {
	e.jmu.Lock()
	defer e.jmu.Unlock()
	if es := e.jstate.Entry(key); es != nil {
		return es.Intent
	}
	return nil
}

// journalOutcome records the outcome of the entry's last checkout intent.
// A failure is reported: the file still holds the latch or the order.
func (e *Engine) journalOutcome(key, dc string, res journal.Result, orderID int64, url string, price money.Amount, detail string) {
	// The journal is for people to read: the order URL goes without its
	// order password (ovhapi.OrderLink); preferences.json keeps the full one.
	r := journal.Record{Type: journal.TypeOutcome, Kind: journal.KindCheckout, Entry: key, DC: dc, Result: res,
		OrderID: orderID, URL: ovhapi.OrderLink(url), AmountUcents: price.Ucents, Currency: price.Currency, Detail: detail}
	if in := e.journalIntent(key); in != nil {
		r.Attempt = in.Attempt
		r.PlanCode, r.FQN, r.Qty, r.Cart = in.PlanCode, in.FQN, in.Qty, in.Cart
	}
	if err := e.journalAppend(r); err != nil {
		e.emit(Info{Base: e.base(key, dc), Sev: slog.LevelError, Text: fmt.Sprintf("journal: outcome %s not written: %v", res, err)})
	}
}

// intentRecord is the journal intent of a checkout of s in dc: what a
// look-up needs to find its order (plan, DC, addons, quantity, cart).
func intentRecord(s prefs.Server, dc, cartID string, a Action) journal.Record {
	return journal.Record{
		Type: journal.TypeIntent, Kind: journal.KindCheckout, Entry: s.Key(),
		PlanCode: s.PlanCode, FQN: s.FQN, DCs: s.DCNames(), DC: dc, Addons: slices.Clone(s.AddonPlanCodes),
		Qty: a.Qty, Cart: cartID, AmountUcents: a.Price.Ucents, Currency: a.Price.Currency, Autopay: a.Autopay,
	}
}

// journalHolds maps entries the journal forbids buying (or that have no
// id yet) to why: Decide, the poller and the cart keeper skip them until
// syncJournal has written the journal's record back into the file.
func (e *Engine) journalHolds(f *prefs.File) map[string]string {
	out := map[string]string{}
	e.jmu.Lock()
	defer e.jmu.Unlock()
	for _, s := range f.Servers {
		switch {
		case s.ID == "":
			out[s.Key()] = "no id yet: ovhtui writes one"
		case e.jstate != nil:
			if why := prefs.JournalHold(s, e.jstate); why != "" {
				out[s.Key()] = why
			}
		}
	}
	return out
}

// syncJournal writes ids into entries that have none and the journal's
// record into entries that lost it (an old copy of the file), and tells
// the user. An entry whose latch it restores is looked up in /me/order.
func (e *Engine) syncJournal() {
	f := e.store.Snapshot()
	if len(e.journalHolds(f)) == 0 && !e.restoreNeeded(f) {
		return
	}
	var assigned []int
	var restored []prefs.Restored
	err := e.update("entry ids and the journal", func(f *prefs.File) error {
		e.jmu.Lock()
		defer e.jmu.Unlock()
		assigned = f.AssignIDs(e.jstate)
		restored = f.RestoreFromJournal(e.jstate)
		return nil
	})
	e.jmu.Lock()
	said := e.jsyncErr
	e.jsyncErr = ""
	if err != nil {
		e.jsyncErr = err.Error()
	}
	e.jmu.Unlock()
	if err != nil {
		if said != err.Error() { // once per distinct error, not every poll
			e.emit(Info{Base: e.base("", ""), Sev: slog.LevelError,
				Text: "writing entry ids and the journal's record into the file failed (those entries are not bought meanwhile): " + err.Error()})
		}
		return
	}
	if len(assigned) > 0 {
		e.emit(Info{Base: e.base("", ""), Sev: slog.LevelInfo, Text: fmt.Sprintf("wrote an id into %d entr(y/ies) of the preferences file", len(assigned))})
	}
	for _, r := range restored {
		e.emit(Info{Base: e.base(r.ID, ""), Sev: slog.LevelWarn, Text: r.Message})
		if r.Latched {
			e.reconcileRestored(r.ID)
		}
	}
}

// restoreNeeded reports whether RestoreFromJournal would change f.
func (e *Engine) restoreNeeded(f *prefs.File) bool {
	e.jmu.Lock()
	defer e.jmu.Unlock()
	return len(f.Clone().RestoreFromJournal(e.jstate)) > 0
}

// reconcileRestored looks up the order of an entry whose latch came back
// from the journal, unless a checkout or a lookup of it is under way.
func (e *Engine) reconcileRestored(key string) {
	if e.lookingUp(key) {
		return
	}
	e.mu.Lock()
	busy := e.inFlight[key] || e.runCtx == nil
	if !busy {
		e.inFlight[key] = true
	}
	ctx := e.runCtx
	e.mu.Unlock()
	if !busy {
		e.lookUpInFlight(ctx, key)
	}
}

// lookUpInFlight reconciles key in the background; the entry, which the
// caller marked in flight, stays so until the first lookup ends (so
// ExitWhenIdle waits for it).
func (e *Engine) lookUpInFlight(ctx context.Context, key string) {
	e.goTracked(func() {
		e.reconcile(ctx, key)
		e.mu.Lock()
		delete(e.inFlight, key)
		e.mu.Unlock()
		e.checkIdle()
	})
}

// journalAttempted reports an entry the journal shows with a checkout
// whose outcome is unknown.
func (e *Engine) journalAttempted(key string) bool {
	e.jmu.Lock()
	defer e.jmu.Unlock()
	return e.jstate.Entry(key).Phase() == journal.PhaseAttempted
}

// journalOrderOwner returns the entry the journal says order id belongs to.
func (e *Engine) journalOrderOwner(id int64) (string, bool) {
	e.jmu.Lock()
	defer e.jmu.Unlock()
	return e.jstate.OrderEntry(id)
}

// decideFor runs Decide again for the entry key on f, the freshest
// content (the one a store update is about to save), with what the engine
// knows now, and returns its action for key (nil: none). The entry itself
// counts as not in flight. Called inside store updates: it takes e.mu and
// the journal's lock, never the store's.
func (e *Engine) decideFor(f *prefs.File, key string) *Action {
	blocked := entryProblems(f, e.cfg.Endpoint)
	for k, why := range e.journalHolds(f) {
		if _, ok := blocked[k]; !ok {
			blocked[k] = why
		}
	}
	e.mu.Lock()
	in := DecideInput{
		File: f, Blocked: blocked, Avail: e.avail, Cooldown: e.cooldown, Now: e.now(),
		InFlight: map[string]bool{}, Carts: map[CartKey]CartState{},
	}
	for k, c := range e.carts {
		if k.Entry == key {
			in.Carts[k] = c.CartState
		}
	}
	acts := Decide(in)
	e.mu.Unlock()
	for _, a := range acts {
		if a.Entry == key {
			return &a
		}
	}
	return nil
}

// sameDecision reports whether a fresh decision is the one being acted on.
func sameDecision(fresh *Action, a Action) bool {
	return fresh != nil && fresh.Kind == a.Kind && fresh.DC == a.DC && fresh.CartID == a.CartID && fresh.Qty == a.Qty &&
		fresh.Price == a.Price && fresh.Autopay == a.Autopay && fresh.Waive == a.Waive
}
