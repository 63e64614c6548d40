package order

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// This file is the engine's published state of each entry: what it knows of
// the entry and what it will do next, as one plain value the UI renders.
// Everything here that says whether money would be spent is computed by
// Decide itself, so the dashboard can never disagree with the engine.

// AvailClass is what an availability value means for an entry.
type AvailClass int

// Availability classes. Only AvailOrderable is ever ordered.
const (
	AvailNoData    AvailClass = iota // nothing heard yet
	AvailOrderable                   // a delivery window within max_delivery_hours
	AvailTooSlow                     // a delivery window longer than max_delivery_hours
	AvailOut                         // unavailable
	AvailComing                      // comingSoon
	AvailUnknown                     // "unknown" or a value this version does not know
)

// String is the short word the dashboard shows for the class.
func (c AvailClass) String() string {
	switch c {
	case AvailNoData:
		return "no data"
	case AvailOrderable:
		return "orderable"
	case AvailTooSlow:
		return "too slow"
	case AvailOut:
		return "out"
	case AvailComing:
		return "coming"
	}
	return "unknown"
}

// ClassifyAvailability classifies availability v for an entry accepting
// delivery within maxHours, with the functions Decide uses.
func ClassifyAvailability(v string, maxHours int) AvailClass {
	switch v {
	case "":
		return AvailNoData
	case "unavailable":
		return AvailOut
	case "comingSoon":
		return AvailComing
	}
	if Orderable(v, maxHours) {
		return AvailOrderable
	}
	if _, ok := DeliveryHours(v); ok {
		return AvailTooSlow
	}
	return AvailUnknown
}

// Lifecycle is where an entry stands.
type Lifecycle string

// Lifecycles, in the order they are checked.
const (
	LifeInvalid       Lifecycle = "invalid"        // a validation problem: the engine leaves it alone
	LifeOrdered       Lifecycle = "ordered"        // an order is recorded
	LifeBusy          Lifecycle = "busy"           // a checkout, dry run, retirement or order lookup is in flight
	LifeNeedsDecision Lifecycle = "needs decision" // latched without a known outcome
	LifeResolving     Lifecycle = "resolving"      // addons wait for the catalog (fetch_catalog)
	LifePaused        Lifecycle = "paused"         // paused by the user (prefs.Server.Paused): qty kept aside
	LifeStopped       Lifecycle = "stopped"        // qty 0: nothing to buy (retired, dry run done, set by hand)
	LifeWatching      Lifecycle = "watching"       // wanted: orders when a DC is orderable
)

// PriceVerdict is what the engine thinks of a DC's validated price.
type PriceVerdict int

// Price verdicts, from Decide.
const (
	PriceUnknown   PriceVerdict = iota // not judged (entry not wanted, DC cooling down, never orderable)
	PriceNoCart                        // no usable cart: one is built when the DC is orderable
	PriceStale                         // validated too long ago: re-read before any checkout
	PriceWithin                        // at or below the ceiling: would be ordered
	PriceOver                          // above the ceiling: the entry is retired if this DC is ordered
	PriceUnchecked                     // skip_validate: the ceiling is not enforced
)

// EntryView is the engine's state of one entry, published as a value.
type EntryView struct {
	Key       string
	PlanCode  string
	FQN       string
	Lifecycle Lifecycle
	// Reason says why the entry is in its lifecycle, in words.
	Reason string
	// Next says what the engine will do next, in words.
	Next string

	// What the engine read in preferences.json (the UI compares it with the
	// file it shows to tell a change not yet seen by the engine).
	Qty              int
	PausedQty        int // the qty a paused entry gets back when resumed
	PlaceOrder       bool
	Autopay          bool
	Ceiling          money.Amount // currency from the carts, when one is known
	SkipValidate     bool
	MaxDeliveryHours int

	// Target is the DC Decide acts on now ("" for none), and Action what it does there.
	Target string
	Action ActionKind

	OrderID   int64
	OrderedIn string
	OrderURL  string

	DCs []DCView // in the user's preference order
}

// DCView is the engine's state of one entry in one DC.
type DCView struct {
	DC    string
	Avail string     // OVH's value, "" before the first poll
	Class AvailClass // from ClassifyAvailability
	// AvailAt is when Avail was last read from OVH (zero: never, or not
	// reported).
	AvailAt time.Time
	// AvailOld: Avail is no longer current, and shown with its age: no
	// wanted entry polls this server in this DC any more (ordered,
	// stopped, invalid), or it was read more than Reports.FreshFor ago
	// (its polls fail). AvailFresh is the rule.
	AvailOld bool
	// OrderNow is true when Decide checks out in this DC now.
	OrderNow bool
	// CoolingUntil is set while the DC is skipped after a "not available" refusal.
	CoolingUntil time.Time
	Cart         CartState
	HasCart      bool
	Verdict      PriceVerdict
	// Status and Detail are the engine's last report for this DC (cart
	// building, errors); Note is the status line for the dashboard.
	Status Status
	Detail string
	Note   string
}

// Reports are what the engine knows besides Decide's input, for
// EntryStates; any field may be nil.
type Reports struct {
	Status  map[CartKey]Status // last status per entry and DC
	Details map[CartKey]string // its detail
	Notes   map[string]string  // entry -> the engine's last word on stopping it (dry run, retirement)
	Acting  map[string]Action  // entry -> the action in flight (checkout, dry run, retirement)
	// AvailAt is when each availability value was last read; FreshFor how
	// old one may be and still count as current (0: no age limit).
	AvailAt  map[AvailKey]time.Time
	FreshFor time.Duration
}

// AvailFresh is the one rule of whether an availability read at `at` is
// current at now: its server is still polled in that DC (polled) and it
// was read at most freshFor ago (freshFor 0: no age limit). A value never
// read is not "old": there is nothing to show.
func AvailFresh(polled bool, at, now time.Time, freshFor time.Duration) bool {
	if !polled {
		return false
	}
	return freshFor <= 0 || at.IsZero() || now.Sub(at) <= freshFor
}

// polledKeys are the servers and DCs the poller records availability for:
// those of the wanted entries the engine does not block (poller.go).
func polledKeys(in DecideInput) map[AvailKey]bool {
	out := map[AvailKey]bool{}
	for _, s := range in.File.Servers {
		if _, bad := in.Blocked[s.Key()]; bad || !Wanted(s) || s.PlanCode == "" {
			continue
		}
		for _, dc := range s.DCNames() {
			out[AvailKey{FQN: s.FQN, DC: dc}] = true
		}
	}
	return out
}

// EntryStates computes the state of every entry of in.File, with Decide.
func EntryStates(in DecideInput, r Reports) []EntryView {
	if in.File == nil {
		return nil
	}
	now := Decide(in)
	byEntry := make(map[string]Action, len(now))
	for _, a := range now {
		byEntry[a.Entry] = a
	}
	out := make([]EntryView, 0, len(in.File.Servers))
	polled := polledKeys(in)
	for _, s := range in.File.Servers {
		out = append(out, entryView(in, s, byEntry, r, polled))
	}
	return out
}

func entryView(in DecideInput, s prefs.Server, acts map[string]Action, r Reports, polled map[AvailKey]bool) EntryView {
	key := s.Key()
	a, acting := acts[key]
	v := EntryView{
		Key: key, PlanCode: s.PlanCode, FQN: s.FQN, Qty: s.Qty, PausedQty: s.PausedQty, PlaceOrder: s.PlaceOrder, Autopay: s.Autopay,
		Ceiling:      money.Amount{Ucents: s.CeilingUcents()},
		SkipValidate: s.SkipValidate, MaxDeliveryHours: s.MaxDelivery(),
		OrderID: s.OrderID, OrderedIn: s.OrderedIn, OrderURL: ovhapi.OrderLink(s.OrderURL), // never the order password
	}
	if acting {
		v.Target, v.Action = a.DC, a.Kind
	}
	why, blocked := in.Blocked[key]
	switch {
	case s.OrderID != 0:
		v.Lifecycle = LifeOrdered
		v.Reason = fmt.Sprintf("order %d in %s", s.OrderID, orDash(s.OrderedIn))
		v.Next = "nothing: buy another to order again"
	case blocked:
		v.Lifecycle, v.Reason, v.Next = LifeInvalid, why, "nothing until the file is fixed"
	case in.InFlight[key]:
		v.Lifecycle, v.Next = LifeBusy, "records the outcome"
		a, ok := r.Acting[key]
		switch {
		case ok && a.Kind == ActCheckout:
			v.Reason = "checkout in " + a.DC + " in flight"
		case ok && a.Kind == ActDryRun:
			v.Reason = "dry-run checkout in " + a.DC + " under way"
		case ok && a.Kind == ActRetire:
			v.Reason = "retiring: price in " + a.DC + " over the ceiling"
		case s.OrderAttempted:
			v.Reason = "looking the order up in /me/order"
		default:
			v.Reason = "engine at work"
		}
	case s.OrderAttempted:
		v.Lifecycle = LifeNeedsDecision
		v.Reason = "checkout in " + orDash(s.OrderAttemptedIn) + " has no known outcome"
		v.Next = "nothing until you check your OVH orders and re-arm it"
	case NeedsCatalog(s) && s.Qty > 0:
		v.Lifecycle, v.Reason, v.Next = LifeResolving, "addons come from the catalog", "resolves the addons"
	case s.Paused():
		v.Lifecycle = LifePaused
		v.Reason = fmt.Sprintf("paused by you (qty %d, ceiling and DCs kept)", s.PausedQty)
		v.Next = "nothing until you resume it"
	case !Wanted(s):
		v.Lifecycle, v.Reason, v.Next = LifeStopped, "qty 0", "nothing: raise qty to watch it again"
		if s.Retired() {
			v.Reason, v.Next = "retired over its ceiling: R brings it back", "nothing until you bring it back with a new ceiling"
		}
		if n := r.Notes[key]; n != "" {
			v.Reason = n
		} else if s.OrderError != "" {
			v.Reason = "refused: " + s.OrderError
		}
	default:
		v.Lifecycle = LifeWatching
		v.Reason = fmt.Sprintf("wants %d, in the first DC delivering within %dH", s.Qty, s.MaxDelivery())
		if !s.PlaceOrder {
			v.Reason += " (dry run: place_order off)"
		}
		v.Next = "waits for an orderable DC"
		if acting {
			v.Next = actionWords(a)
		}
	}
	for _, dc := range s.DCNames() {
		v.DCs = append(v.DCs, dcView(in, s, v, dc, r, polled))
	}
	for _, d := range v.DCs {
		if d.HasCart && d.Cart.Price.Currency != "" {
			v.Ceiling.Currency = d.Cart.Price.Currency
			break
		}
	}
	return v
}

func dcView(in DecideInput, s prefs.Server, v EntryView, dc string, r Reports, polled map[AvailKey]bool) DCView {
	key := s.Key()
	ck := CartKey{Entry: key, DC: dc}
	ak := AvailKey{FQN: s.FQN, DC: dc}
	d := DCView{DC: dc, Avail: in.Avail[ak], AvailAt: r.AvailAt[ak], Status: r.Status[ck], Detail: r.Details[ck]}
	d.Class = ClassifyAvailability(d.Avail, s.MaxDelivery())
	d.AvailOld = d.Avail != "" && !AvailFresh(polled[ak], d.AvailAt, in.Now, r.FreshFor)
	if c, ok := in.Carts[ck]; ok {
		d.Cart, d.HasCart = c, true
	}
	if until, ok := in.Cooldown[ck]; ok && in.Now.Before(until) {
		d.CoolingUntil = until
	}
	d.OrderNow = v.Lifecycle == LifeWatching && v.Target == dc && v.Action == ActCheckout
	if v.Lifecycle == LifeWatching {
		d.Verdict = verdictIn(in, s, dc)
	}
	d.Note = dcNote(v, d)
	return d
}

// verdictIn asks Decide what it would do with the entry were dc its only
// orderable DC, and turns the answer into a price verdict.
func verdictIn(in DecideInput, s prefs.Server, dc string) PriceVerdict {
	hyp := in
	hyp.File = &prefs.File{Subsidiary: in.File.Subsidiary, Servers: []prefs.Server{s}}
	hyp.Avail = map[AvailKey]string{{FQN: s.FQN, DC: dc}: "1H-high"}
	hyp.Cooldown = nil
	hyp.InFlight = nil
	acts := Decide(hyp)
	if len(acts) == 0 || acts[0].DC != dc {
		return PriceUnknown
	}
	switch acts[0].Kind {
	case ActBuildCart:
		return PriceNoCart
	case ActRevalidate:
		return PriceStale
	case ActRetire:
		return PriceOver
	case ActCheckout, ActDryRun:
		if s.SkipValidate {
			return PriceUnchecked
		}
		return PriceWithin
	}
	return PriceUnknown
}

// actionWords says what Decide does now.
func actionWords(a Action) string {
	switch a.Kind {
	case ActCheckout:
		return "orders in " + a.DC + " now"
	case ActDryRun:
		return "dry-run checkout in " + a.DC + " now (place_order off)"
	case ActRetire:
		return "retires the entry: price in " + a.DC + " over the ceiling"
	case ActBuildCart:
		return "builds the cart in " + a.DC + " (" + a.Reason + "), then orders"
	case ActRevalidate:
		return "re-reads the price in " + a.DC + ", then orders"
	}
	return a.Kind.String()
}

// dcNote is the dashboard's status line for one DC.
func dcNote(v EntryView, d DCView) string {
	switch v.Lifecycle {
	case LifeOrdered:
		if v.OrderedIn == d.DC || v.OrderedIn == "" {
			return "ordered #" + strconv.FormatInt(v.OrderID, 10)
		}
		return "—"
	case LifeInvalid:
		return "invalid, ignored: " + v.Reason
	case LifeBusy:
		return v.Reason
	case LifeNeedsDecision:
		return "needs your decision (R)"
	case LifeResolving:
		return "resolving addons"
	case LifePaused:
		return "paused (qty " + strconv.Itoa(v.PausedQty) + " kept): z resumes"
	case LifeStopped:
		if strings.HasPrefix(v.Reason, "retired") || strings.HasPrefix(v.Reason, "dry run") {
			return v.Reason // says it stopped, and why
		}
		return "stopped: " + v.Reason
	}
	if v.Target == d.DC {
		switch v.Action {
		case ActCheckout:
			return "ORDERING NOW"
		case ActDryRun:
			return "dry run now"
		case ActRetire:
			return "over ceiling: retiring"
		case ActBuildCart:
			return "orderable: building cart"
		case ActRevalidate:
			return "orderable: re-reading price"
		}
	}
	if d.Status == StatusError && d.Detail != "" {
		return "error: " + d.Detail
	}
	if !d.CoolingUntil.IsZero() {
		return "refused as not available: skipped a moment"
	}
	var cart string
	switch d.Verdict {
	case PriceWithin, PriceUnchecked:
		cart = "ready"
	case PriceOver:
		cart = "over ceiling"
	case PriceStale:
		cart = "price to re-read"
	case PriceNoCart:
		cart = "no cart yet"
		if d.Status == StatusBuildingCart {
			cart = "building cart"
		}
	}
	switch d.Class {
	case AvailOrderable:
		if v.Target != "" {
			return "orderable, " + v.Target + " comes first"
		}
		return "orderable"
	case AvailTooSlow:
		return joinNote(cart, fmt.Sprintf("too slow (>%dH)", v.MaxDeliveryHours))
	case AvailNoData:
		return joinNote(cart, "no poll yet")
	}
	return joinNote(cart, "no stock")
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + " · " + b
}

// --- publishing -------------------------------------------------------------

// EntryStatesChanged carries the state of every entry. The engine sends it
// whenever any of it changes; only the latest one matters, so a newer one
// replaces one still queued.
type EntryStatesChanged struct {
	Base
	Entries []EntryView
}

// Level implements Event.
func (EntryStatesChanged) Level() slog.Level { return slog.LevelDebug }

// Message implements Event.
func (e EntryStatesChanged) Message() string {
	return fmt.Sprintf("state of %d entries", len(e.Entries))
}

// Attrs implements Event.
func (e EntryStatesChanged) Attrs() []slog.Attr { return e.attrs(slog.Int("entries", len(e.Entries))) }

// publish computes the state of every entry and sends it when it changed.
func (e *Engine) publish() {
	freshFor := e.availFreshFor()
	e.mu.Lock()
	if e.file == nil {
		e.mu.Unlock()
		return
	}
	in := DecideInput{
		File: e.file, Blocked: e.blocked, Avail: e.avail, InFlight: e.inFlight, Cooldown: e.cooldown,
		Now: e.now(), Carts: make(map[CartKey]CartState, len(e.carts)),
	}
	for k, c := range e.carts {
		in.Carts[k] = c.CartState
	}
	views := EntryStates(in, Reports{Status: e.status, Details: e.details, Notes: e.notes, Acting: e.acting,
		AvailAt: e.availAt, FreshFor: freshFor})
	same := reflect.DeepEqual(views, e.published)
	if !same {
		e.published = views
	}
	e.mu.Unlock()
	if !same {
		e.emit(EntryStatesChanged{Base: e.base("", ""), Entries: views})
	}
}

// setNote records the engine's last word on an entry it stopped.
func (e *Engine) setNote(key, note string) {
	e.mu.Lock()
	e.notes[key] = note
	e.mu.Unlock()
	e.publish()
}

// sayWaiting reports, when the engine is asked to stop, each checkout it
// still waits for: Run returns only once their outcome is saved.
func (e *Engine) sayWaiting() {
	e.mu.Lock()
	var waits []string
	if e.file != nil {
		for _, s := range e.file.Servers {
			if !e.inFlight[s.Key()] {
				continue
			}
			what := "the order lookup of " + s.PlanCode
			if a, ok := e.acting[s.Key()]; ok {
				what = "the " + a.Kind.String() + " of " + s.PlanCode + " in " + a.DC
				if a.Kind == ActCheckout {
					what = "the checkout of " + s.PlanCode + " in " + a.DC
				}
			}
			waits = append(waits, what)
		}
	}
	e.mu.Unlock()
	for _, w := range waits {
		e.emit(Info{Base: e.base("", ""), Sev: slog.LevelWarn, Text: "stopping: waiting for " + w + " to finish before exiting"})
	}
}

// --- the user's changes that need the engine ------------------------------

// Remove deletes the entry with key from preferences.json, after the user
// confirmed. prefs.RemoveHold says when it may not, from the file and the
// journal read inside the same save: an entry whose checkout outcome is not
// known stays until it is, so no server that may be billed goes out of
// sight. It also refuses an entry with a checkout or an order look-up
// under way. An ordered entry may go: its order stays in the journal and
// in the OVH account.
func (e *Engine) Remove(_ context.Context, key string) error {
	if e.lookingUp(key) {
		return errors.New("its order is still being looked up in /me/order: wait for the look-up to finish")
	}
	e.mu.Lock()
	busy := e.inFlight[key]
	e.mu.Unlock()
	if busy {
		return errors.New("a checkout of it is in flight: wait for its outcome")
	}
	name := key
	err := e.update("remove "+key, func(f *prefs.File) error {
		i := f.Find(key)
		if i < 0 {
			return errNoEntry
		}
		e.jmu.Lock()
		why := prefs.RemoveHold(f.Servers[i], e.jstate)
		e.jmu.Unlock()
		if why != "" {
			return errors.New(why)
		}
		name = f.Servers[i].FQN
		f.Servers = append(f.Servers[:i:i], f.Servers[i+1:]...)
		return nil
	})
	if err != nil {
		return err
	}
	e.dropEntryCarts(key)
	e.emit(Info{Base: e.base("", ""), Sev: slog.LevelWarn, Text: "removed " + name + " (" + key + ") from preferences.json"})
	e.publish()
	return nil
}

// dropEntryCarts forgets every cart of the entry with key.
func (e *Engine) dropEntryCarts(key string) {
	e.mu.Lock()
	for k := range e.carts {
		if k.Entry == key {
			delete(e.carts, k)
		}
	}
	e.mu.Unlock()
}
