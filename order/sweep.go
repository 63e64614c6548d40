package order

import (
	"context"
	"log/slog"
	"sort"
	"strconv"
	"time"

	"github.com/ovhtui/ovhtui/budget"
	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/ovhapi"
)

// The background sweep reads the availability of every ECO model of the
// catalog, wanted or not, every Config.Sweep, for the restock radar
// (package history): its answers go out as AvailabilitySeen events with
// Sweep set, and never into the engine's own availability, so no decision
// rests on them. It runs on its own goroutine and draws each request from
// the background part of the request budget, which only gives what the
// wanted polls leave: it never delays a wanted poll. It keeps running when
// nothing is wanted.
//
// Two ways to read the feed, and the sweep takes the cheaper in requests,
// the unit of the budget and of OVH's rate limits: one unfiltered request
// (the whole feed, ~9,000 entries of every dedicated range, gzip on the
// wire: Go's transport asks for it) costs 1 request a round; per-plan
// filtered requests cost one per ECO plan (79 for IE). The unfiltered
// answer is kept to the catalog's plans. When it fails sweepFallbackAfter
// rounds in a row (too big for a proxy, a timeout), the sweep polls per
// plan, and tries the unfiltered request again every sweepRetryWhole rounds.

// DefaultSweep is the sweep interval the command line uses by default.
const DefaultSweep = 5 * time.Minute

// SweepMode is how a sweep round read the feed.
type SweepMode string

// Sweep modes.
const (
	SweepWhole   SweepMode = "unfiltered"
	SweepPerPlan SweepMode = "per plan"
)

const (
	sweepFallbackAfter = 2
	sweepRetryWhole    = 12
	sweepFirstAfter    = time.Minute // let the wanted polls and carts start first
)

// SweepDone reports one round of the background sweep: how it read the
// feed and what it cost in requests.
type SweepDone struct {
	Base
	Mode     SweepMode
	Requests int // requests sent this round
	Items    int // feed entries kept
	Failed   int // requests that failed
	Took     time.Duration
}

// Level implements Event.
func (SweepDone) Level() slog.Level { return slog.LevelDebug }

// Message implements Event.
func (e SweepDone) Message() string {
	return "history sweep (" + string(e.Mode) + "): " + strconv.Itoa(e.Requests) + " requests, " + strconv.Itoa(e.Items) + " entries in " + e.Took.Round(time.Millisecond).String()
}

// Attrs implements Event.
func (e SweepDone) Attrs() []slog.Attr {
	return e.attrs(slog.String("mode", string(e.Mode)), slog.Int("requests", e.Requests), slog.Int("items", e.Items),
		slog.Int("failed", e.Failed), slog.Duration("took", e.Took))
}

// sweepState is the sweep's own memory, owned by its goroutine.
type sweepState struct {
	wholeFails int // unfiltered rounds failed in a row
	rounds     int // rounds since the sweep fell back to per plan
	lastCat    *catalog.Catalog
}

// sweepLoop runs the sweep every Config.Sweep until ctx ends.
func (e *Engine) sweepLoop(ctx context.Context) {
	every := e.cfg.Sweep
	if every <= 0 {
		return
	}
	var st sweepState
	t := time.NewTimer(min(every, sweepFirstAfter))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		start := time.Now()
		e.sweepOnce(ctx, &st)
		t.Reset(max(every-time.Since(start), 0))
	}
}

// sweepOnce runs one round.
func (e *Engine) sweepOnce(ctx context.Context, st *sweepState) {
	sub := e.subsidiary()
	if sub == "" {
		return
	}
	cat := e.sweepCatalog(ctx, st)
	plans := map[string]bool{}
	if cat != nil {
		for _, o := range cat.Offers {
			plans[o.PlanCode] = true
		}
	}
	start := time.Now()
	whole := st.wholeFails < sweepFallbackAfter || len(plans) == 0
	if !whole && st.rounds >= sweepRetryWhole {
		whole, st.rounds = true, 0
	}
	done := SweepDone{Mode: SweepWhole}
	if whole {
		if e.sweepWait(ctx) != nil {
			return
		}
		items, err := e.api.Availability(ctx, "", nil)
		seen := e.now()
		done.Requests = 1
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			st.wholeFails++
			done.Failed = 1
			e.sweepFailed(err, "")
		} else {
			st.wholeFails = 0
			kept := items
			if len(plans) > 0 {
				kept = make([]ovhapi.Availability, 0, len(plans)*8)
				for _, it := range items {
					if plans[it.PlanCode] {
						kept = append(kept, it)
					}
				}
			}
			done.Items = len(kept)
			e.emit(AvailabilitySeen{Base: Base{Time: seen}, Subsidiary: sub, Items: kept, Sweep: true})
		}
	} else {
		st.rounds++
		done.Mode = SweepPerPlan
		codes := make([]string, 0, len(plans))
		for p := range plans {
			codes = append(codes, p)
		}
		sort.Strings(codes)
		for _, p := range codes {
			if e.sweepWait(ctx) != nil {
				return
			}
			items, err := e.api.Availability(ctx, p, nil)
			seen := e.now()
			done.Requests++
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				done.Failed++
				e.sweepFailed(err, p)
				continue
			}
			done.Items += len(items)
			e.emit(AvailabilitySeen{Base: Base{Time: seen}, Subsidiary: sub, PlanCode: p, Items: items, Sweep: true})
		}
	}
	done.Base, done.Took = e.base("", ""), time.Since(start)
	e.emit(done)
}

// sweepCatalog returns the catalog (nil when none can be had) and emits
// CatalogSeen when it is a new one.
func (e *Engine) sweepCatalog(ctx context.Context, st *sweepState) *catalog.Catalog {
	if e.catalog == nil {
		return st.lastCat
	}
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cat, err := e.catalog.Catalog(cctx)
	if err != nil || cat == nil {
		return st.lastCat
	}
	if cat != st.lastCat {
		st.lastCat = cat
		e.emit(CatalogSeen{Base: e.base("", ""), Catalog: cat})
	}
	return cat
}

// sweepFailed reports a failed sweep request once per kind of failure:
// the sweep is background work, its errors are not the user's emergency.
func (e *Engine) sweepFailed(err error, plan string) {
	call := "GET /dedicated/server/datacenter/availabilities"
	if plan != "" {
		call += "?planCode=" + plan
	}
	e.tooMany(err) // a 429 halves the budget for everyone
	e.log.Debug("history sweep: request failed", "call", call, "err", err)
}

// sweepWait waits for the budget to give one background request: only
// what the wanted polls and re-checks leave (package budget).
func (e *Engine) sweepWait(ctx context.Context) error {
	return e.cfg.Budget.Wait(ctx, budget.Background)
}

// subsidiary is the subsidiary of the preferences.
func (e *Engine) subsidiary() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.file == nil {
		return ""
	}
	return e.file.Subsidiary
}
