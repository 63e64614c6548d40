package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/orderstate"
	"github.com/ovhtui/ovhtui/prefs"
)

// The demo's story. `ovhtui --demo` tells it for as long as it runs: the
// simulator makes stock come and go (ovhsim.RunDemo), and this director,
// listening to the engine's events, plays the rest of the world and the
// user's hand:
//
//   - an entry that ordered, or whose dry run is done, wants another one a
//     little later (what B does), so that orders keep landing: paid at
//     once with autopay, or unpaid, to pay in screen O (no more than
//     storyMaxUnpaid wait at once: the story pauses those entries meanwhile);
//   - every few minutes OVH raises a price over the ceiling of an entry
//     that waits to want another; once wanted and in stock, the engine
//     retires it; a minute later the price falls back and the story brings
//     the entry back at the ceiling it had;
//   - every few minutes, time flies for a server whose renewal is manual:
//     it nears its expiry, to renew in screen S (the engine's reminder says so).
//
// The story brings the retired entry back itself rather than waiting for
// the user: a demo is watched as much as it is used, and a prompt nobody
// answers would end that part of the story. A user who brings it back
// first (or removes it) is left alone: the story acts only on an entry
// still retired, still in the file.
//
// What it does is told in the log pane (and headless) as "demo: …" lines,
// merged into the engine's events. It never touches a real account: it
// drives the demo's own simulator and the demo's copy of the preferences.

// The story's timing.
const (
	storyRearmAutopay = 60 * time.Second // an entry with autopay wants another this long after its order
	storyRearmUnpaid  = 4 * time.Minute  // one without, after its order
	storyRearmDryRun  = 90 * time.Second // one with place_order off, after its dry run
	storyRetry        = 20 * time.Second // a step that could not run now tries again after this
	storyMaxUnpaid    = 4                // orders awaiting payment before unpaid entries pause (they lapse after demoOrderLife)

	storyPriceFirst  = 90 * time.Second // the first price rise, after the start
	storyPriceEvery  = 4 * time.Minute  // between price rises
	storyPriceGiveUp = 6 * time.Minute  // a rise that retired nothing is undone after this
	storyPriceBack   = time.Minute      // after the retirement, the price falls back
	storyBringBack   = 45 * time.Second // after the price fell back (carts re-read it), the entry is brought back
	storyPriceAbove  = 10 * money.Unit  // how far over the ceiling the price rises

	storyRenewFirst = 2 * time.Minute // the first server nearing its expiry, after the start
	storyRenewEvery = 3 * time.Minute // between them
	storyExpiresIn  = 3*24*time.Hour + 12*time.Hour
)

// demoRemindEvery is how often the demo's engine looks for reminders, so
// that a server brought near its expiry is said within a minute.
const demoRemindEvery = time.Minute

// demoEngineConfig is cfg as the demo runs it: the story never ends, so
// the engine never stops for lack of work (headless included), and
// reminders are looked for every demoRemindEvery.
func demoEngineConfig(cfg order.Config) order.Config {
	cfg.ExitWhenIdle = false
	cfg.RemindEvery = demoRemindEvery
	return cfg
}

// demoStory is the director (see above). hear is its listener on the
// event fan-out; run plays it until ctx ends; out carries its narration.
type demoStory struct {
	sim   *ovhsim.Sim
	store *prefs.Store
	// rearm wants another unit of an entry that ordered or is stopped
	// (the engine's Rearm: a new id, the journal told).
	rearm func(ctx context.Context, key string) error
	name  func(key string) string // an entry's product name
	// animated are the fqns whose stock comes and goes (ovhsim.RunDemo).
	animated map[string]bool
	out      chan order.Event

	mu    sync.Mutex
	heard []order.Event
	wake  chan struct{}

	// owned by run
	beats   []storyBeat
	facts   map[string]storyFacts // entry -> what its events said
	raised  *priceRise            // the price rise under way, if any
	waiting bool                  // "orders await payment" said, not yet resolved
}

// storyFacts is what the events said of an entry.
type storyFacts struct {
	autopay        bool
	price, ceiling money.Amount // the last validated cart
}

// priceRise is a price the story raised over an entry's ceiling.
type priceRise struct {
	entry, plan string
	name        string       // the product, as the user knows it
	ceiling     money.Amount // the entry's ceiling before it was retired
	retired     bool
}

// storyBeat is one step of the story, due at a time.
type storyBeat struct {
	at time.Time
	do func(ctx context.Context)
}

// startDemoStory starts the story of the demo's simulator for eng, whose
// entries' fqns stock comes and goes for (ovhsim.RunDemo); name gives an
// entry's product name. The caller merges s.out into the engine's events
// (mergeEvents) and gives s.hear the fan-out; stop ends the story.
func startDemoStory(sim *ovhsim.Sim, store *prefs.Store, eng *order.Engine, name func(string) string, fqns []string) (s *demoStory, stop func()) {
	s = &demoStory{sim: sim, store: store, rearm: eng.Rearm, name: name, animated: map[string]bool{},
		out: make(chan order.Event, 64), wake: make(chan struct{}, 1), facts: map[string]storyFacts{}}
	for _, f := range fqns {
		s.animated[f] = true
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.run(ctx)
	}()
	return s, func() { cancel(); <-done }
}

// hear takes the events the story follows; it never blocks.
func (s *demoStory) hear(ev order.Event) {
	switch ev.(type) {
	case order.CartReady, order.OrderAttempted, order.OrderPlaced, order.WouldHaveOrdered, order.PriceOverCeiling:
	default:
		return
	}
	s.mu.Lock()
	s.heard = append(s.heard, ev)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// run plays the story until ctx ends.
func (s *demoStory) run(ctx context.Context) {
	now := time.Now()
	s.at(now.Add(storyPriceFirst), s.raisePrice)
	s.at(now.Add(storyRenewFirst), s.nearExpiry)
	for {
		s.mu.Lock()
		evs := s.heard
		s.heard = nil
		s.mu.Unlock()
		for _, ev := range evs {
			s.follow(ev)
		}
		now := time.Now()
		var timer *time.Timer
		var fire <-chan time.Time
		if len(s.beats) > 0 {
			slices.SortStableFunc(s.beats, func(a, b storyBeat) int { return a.at.Compare(b.at) })
			if next := s.beats[0]; !next.at.After(now) {
				s.beats = s.beats[1:]
				next.do(ctx)
				continue
			}
			timer = time.NewTimer(s.beats[0].at.Sub(now))
			fire = timer.C
		}
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			return
		case <-s.wake:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// at schedules do at t.
func (s *demoStory) at(t time.Time, do func(context.Context)) {
	s.beats = append(s.beats, storyBeat{at: t, do: do})
}

// after schedules do after d.
func (s *demoStory) after(d time.Duration, do func(context.Context)) { s.at(time.Now().Add(d), do) }

// follow updates the story with one event of the engine.
func (s *demoStory) follow(ev order.Event) {
	switch e := ev.(type) {
	case order.CartReady:
		f := s.facts[e.Entry]
		f.price, f.ceiling = e.Price, e.Ceiling
		s.facts[e.Entry] = f
	case order.OrderAttempted:
		if !e.DryRun {
			f := s.facts[e.Entry]
			f.autopay = e.Autopay
			s.facts[e.Entry] = f
		}
	case order.OrderPlaced:
		d := storyRearmUnpaid
		if s.facts[e.Entry].autopay {
			d = storyRearmAutopay
		}
		s.after(d, s.wantAnother(e.Entry))
	case order.WouldHaveOrdered:
		s.after(storyRearmDryRun, s.wantAnother(e.Entry))
	case order.PriceOverCeiling:
		// The entry wanted another since the rise: it has a new key.
		if r := s.raised; e.Retired && r != nil && !r.retired && s.planOf(e.Entry) == r.plan {
			r.retired, r.entry = true, e.Entry
			s.after(storyPriceBack, s.priceFallsBack)
		}
	}
}

// planOf is the plan code of an entry, "" when the file no longer has it.
func (s *demoStory) planOf(key string) string {
	f := s.store.Snapshot()
	if i := f.Find(key); i >= 0 {
		return f.Servers[i].PlanCode
	}
	return ""
}

// wantAnother is the beat that re-arms an entry that ordered or stopped.
func (s *demoStory) wantAnother(key string) func(context.Context) {
	return func(ctx context.Context) {
		f := s.store.Snapshot()
		i := f.Find(key)
		if i < 0 || f.Servers[i].Wanted() {
			return // removed, or wanted again by the user's hand
		}
		if !s.facts[key].autopay && f.Servers[i].PlaceOrder {
			if n := s.unpaid(); n >= storyMaxUnpaid {
				if !s.waiting {
					s.waiting = true
					s.say(slog.LevelInfo, fmt.Sprintf("demo: %d orders await payment (pay them in O, then p): %s waits before ordering another", n, s.name(key)))
				}
				s.after(storyRetry, s.wantAnother(key))
				return
			}
			s.waiting = false
		}
		name := s.name(key) // before the entry gets its new key
		if err := s.rearm(ctx, key); err != nil {
			if ctx.Err() == nil {
				s.after(storyRetry, s.wantAnother(key))
			}
			return
		}
		s.say(slog.LevelInfo, fmt.Sprintf("demo: the story wants another %s (in your own ovhtui, B does it)", name))
	}
}

// unpaid is how many demo orders await payment.
func (s *demoStory) unpaid() int {
	n := 0
	for _, o := range s.sim.Orders() {
		if orderstate.FromStatus(o.Status) == orderstate.Unpaid {
			n++
		}
	}
	return n
}

// raisePrice is the beat where OVH raises a plan's price over the
// ceiling of an entry that waits to want another (ordered, or its dry run
// done): when the story wants another, its new carts read the new price
// and the engine retires it as soon as it is in stock. Raising the price
// of a wanted entry instead could let a checkout leave at the new price
// before its cart is read again: the demo never shows an order above its
// ceiling.
func (s *demoStory) raisePrice(ctx context.Context) {
	f := s.store.Snapshot()
	var pick *prefs.Server
	var facts storyFacts
	for i := range f.Servers {
		sv := &f.Servers[i]
		fa, ok := s.facts[sv.Key()]
		st := sv.Stage()
		waits := (st == prefs.StageOrdered || st == prefs.StageStopped) && sv.CeilingPrice > 0 // not paused, not retired
		if !waits || !s.animated[sv.FQN] || sv.SkipValidate || sv.Units() != 1 || !ok || fa.price.Ucents == 0 || fa.price.Currency != fa.ceiling.Currency {
			continue
		}
		if pick == nil || fa.ceiling.Ucents > facts.ceiling.Ucents {
			pick, facts = sv, fa
		}
	}
	monthly, setup, ok := int64(0), int64(0), false
	if pick != nil {
		monthly, setup, ok = s.sim.PlanPrice(pick.PlanCode)
		for _, sv := range f.Servers {
			ok = ok && !(sv.PlanCode == pick.PlanCode && sv.Wanted())
		}
	}
	if !ok {
		s.after(storyRetry, s.raisePrice)
		return
	}
	rise := facts.ceiling.Ucents - facts.price.Ucents + storyPriceAbove
	s.sim.SetPlanPrice(pick.PlanCode, monthly+rise, setup)
	r := &priceRise{entry: pick.Key(), plan: pick.PlanCode, name: s.name(pick.Key()), ceiling: facts.ceiling}
	s.raised = r
	newPrice := money.Amount{Ucents: facts.price.Ucents + rise, Currency: facts.price.Currency}
	s.say(slog.LevelWarn, fmt.Sprintf("demo: OVH raises the price of %s to %s excl. tax, over its ceiling of %s: the next time it is wanted and in stock, ovhtui retires it",
		s.name(pick.Key()), newPrice, money.FormatCeiling(facts.ceiling.Ucents, facts.ceiling.Currency)))
	s.after(storyPriceGiveUp, func(context.Context) {
		if s.raised == r && !r.retired {
			s.sim.ResetPlanPrice(r.plan)
			s.raised = nil
			s.say(slog.LevelInfo, fmt.Sprintf("demo: the price of %s falls back before it was in stock", r.name))
			s.after(storyPriceEvery, s.raisePrice)
		}
	})
}

// priceFallsBack is the beat where the raised price falls back; the entry
// is brought back once the carts had time to read the price again.
func (s *demoStory) priceFallsBack(context.Context) {
	r := s.raised
	if r == nil {
		return
	}
	s.sim.ResetPlanPrice(r.plan)
	s.say(slog.LevelInfo, fmt.Sprintf("demo: the price of %s falls back; the story brings the entry back at its ceiling of %s in %s (in your own ovhtui, R brings a retired entry back with a new ceiling)",
		s.name(r.entry), money.FormatCeiling(r.ceiling.Ucents, r.ceiling.Currency), storyBringBack))
	s.after(storyBringBack, func(context.Context) {
		s.raised = nil
		s.after(storyPriceEvery, s.raisePrice)
		err := s.store.Update("demo: "+s.name(r.entry)+" brought back", func(f *prefs.File) error {
			i := f.Find(r.entry)
			if i < 0 {
				return errStoryGone
			}
			sv := &f.Servers[i]
			if !sv.Retired() {
				return errStoryGone // brought back, or changed, by the user
			}
			return sv.BringBack(r.ceiling.Ucents)
		})
		if err == nil {
			s.say(slog.LevelInfo, fmt.Sprintf("demo: %s is back, watched again at its ceiling of %s", s.name(r.entry), money.FormatCeiling(r.ceiling.Ucents, r.ceiling.Currency)))
		}
	})
}

// errStoryGone: the entry the story meant to change was changed by the
// user meanwhile (or removed): the story leaves it alone.
var errStoryGone = errors.New("the entry changed meanwhile")

// nearExpiry is the beat where time flies for a manual-renewal server.
func (s *demoStory) nearExpiry(context.Context) {
	s.after(storyRenewEvery, s.nearExpiry)
	name, exp := s.sim.NearExpiry(storyExpiresIn, order.RenewalLeads[0])
	if name == "" {
		return
	}
	s.say(slog.LevelWarn, fmt.Sprintf("demo: time flies: server %s, whose renewal is manual, now expires %s: renew it in S (then r)", name, exp.UTC().Format("2006-01-02")))
}

// say tells the user what the story did (dropped if nobody reads). The
// text names the products: no entry is given, so that no line says its
// product twice.
func (s *demoStory) say(sev slog.Level, text string) {
	select {
	case s.out <- order.Info{Base: order.Base{Time: time.Now()}, Sev: sev, Text: text}:
	default:
	}
}

// mergeEvents forwards the engine's events and the story's narration
// until the engine's channel closes.
func mergeEvents(engine, story <-chan order.Event) <-chan order.Event {
	out := make(chan order.Event)
	go func() {
		defer close(out)
		for {
			select {
			case ev, ok := <-engine:
				if !ok {
					return
				}
				out <- ev
			case ev := <-story:
				out <- ev
			}
		}
	}()
	return out
}
