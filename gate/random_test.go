package gate

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/journal"
)

// fakeOVH is OVH as the randomized test needs it: orders made by
// checkouts and renewals, payments, answers that are lost or come late,
// effects that show up only after a while. It records every violation of
// the promises the gate exists for.
type fakeOVH struct {
	mu     sync.Mutex
	clock  *fakeClock
	nextID int64
	orders []*fakeOrder
	// late are effects carried out after the answer (an unclear answer
	// whose order shows up a few look-ups later).
	late       []func()
	violations []string
}

type fakeOrder struct {
	id      int64
	at      time.Time
	entry   string // checkout
	service int64  // renewal
	period  string
	paid    bool
}

func (o *fakeOVH) violate(format string, args ...any) {
	o.violations = append(o.violations, fmt.Sprintf(format, args...))
}

func (o *fakeOVH) checkout(entry string) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, x := range o.orders {
		if x.entry == entry {
			o.violate("a second order for the wanted unit %s", entry)
		}
	}
	o.nextID++
	o.orders = append(o.orders, &fakeOrder{id: o.nextID, at: o.clock.Now(), entry: entry})
	return o.nextID
}

func (o *fakeOVH) renew(service int64, period string) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, x := range o.orders {
		if x.service == service && x.period == period && !x.paid {
			o.violate("a second renewal of %d for %s while order %d is unpaid", service, period, x.id)
		}
	}
	o.nextID++
	o.orders = append(o.orders, &fakeOrder{id: o.nextID, at: o.clock.Now(), service: service, period: period})
	return o.nextID
}

func (o *fakeOVH) pay(id int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, x := range o.orders {
		if x.id == id {
			if x.paid {
				o.violate("order %d paid twice", id)
			}
			x.paid = true
		}
	}
}

func (o *fakeOVH) order(id int64) (fakeOrder, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, x := range o.orders {
		if x.id == id {
			return *x, true
		}
	}
	return fakeOrder{}, false
}

// runLate carries out the late effects (OVH catching up).
func (o *fakeOVH) runLate() {
	o.mu.Lock()
	late := o.late
	o.late = nil
	o.mu.Unlock()
	for _, f := range late {
		f()
	}
}

func (o *fakeOVH) addLate(f func()) {
	o.mu.Lock()
	o.late = append(o.late, f)
	o.mu.Unlock()
}

// find returns the first order matching, made at or after from, not taken.
func (o *fakeOVH) find(from time.Time, taken map[int64]bool, match func(*fakeOrder) bool) (fakeOrder, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, x := range o.orders {
		if !x.at.Before(from.Add(-time.Minute)) && !taken[x.id] && match(x) {
			return *x, true
		}
	}
	return fakeOrder{}, false
}

// answerKind is how the fake OVH answers one request.
type answerKind int

const (
	answerOK       answerKind = iota
	answerRefused             // refused for good: nothing done
	answerLostDone            // done, the answer lost (timeout after the effect)
	answerLostNone            // the answer lost, nothing done
	answerLostLate            // the answer lost, the effect shows up later
	answerSlow                // done, the answer comes much later
	numAnswerKinds
)

// proc is one ovhtui process of the test.
type proc struct {
	name string
	j    *journal.Journal
	g    *Gate
}

// world is the randomized test's state.
type world struct {
	t     *testing.T
	rng   *rand.Rand
	ovh   *fakeOVH
	clock *fakeClock
	path  string

	mu    sync.Mutex
	alive map[string]bool
	procs []*proc
	n     int
	// wanted: the user's intent per entry, as the preferences file says now.
	wanted map[string]bool

	slow     []chan struct{} // answers held back
	inflight sync.WaitGroup
	copies   [][]byte // old copies of the journal, to restore
}

var (
	entries  = []string{"e1", "e2", "e3"}
	services = []int64{101, 102}
	periods  = []string{"P1M", "P3M"}
)

func (w *world) isAlive(p string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.alive[p]
}

func (w *world) start() *proc {
	w.n++
	name := fmt.Sprintf("p%d", w.n)
	j, err := journal.Open(w.path)
	if err != nil {
		w.t.Fatal(err)
	}
	p := &proc{name: name, j: j}
	p.g = New(Options{Journal: j, Clock: w.clock, Now: w.clock.Now, Proc: name, Alive: w.isAlive})
	w.mu.Lock()
	w.alive[name] = true
	w.procs = append(w.procs, p)
	w.mu.Unlock()
	return p
}

// kill stops p at once: its journal is closed (outcomes of its requests in
// flight are never written) and it no longer runs.
func (w *world) kill(p *proc) {
	w.mu.Lock()
	w.alive[p.name] = false
	for i, q := range w.procs {
		if q == p {
			w.procs = append(w.procs[:i], w.procs[i+1:]...)
			break
		}
	}
	w.mu.Unlock()
	p.j.Close()
}

func (w *world) live() []*proc {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]*proc(nil), w.procs...)
}

// taken are the orders the journal gives to intents other than attempt.
func taken(g *Gate, attempt string) map[int64]bool {
	out := map[int64]bool{}
	log, err := g.j.Read()
	if err != nil {
		return out
	}
	for _, r := range log.Records {
		if r.Type == journal.TypeOutcome && r.Attempt != attempt && r.OrderID != 0 && r.Kind != journal.KindPayment {
			out[r.OrderID] = true
		}
	}
	return out
}

// send answers a request as kind says; effect does what OVH does.
func (w *world) send(kind answerKind, hold chan struct{}, effect func() int64, ok journal.Result, refused journal.Result) Answer {
	switch kind {
	case answerOK:
		return Answer{Result: ok, OrderID: effect()}
	case answerRefused:
		return Answer{Result: refused, Err: errors.New("refused")}
	case answerLostDone:
		effect()
		return Answer{Err: errors.New("timeout")}
	case answerLostNone:
		return Answer{Err: errors.New("502")}
	case answerLostLate:
		w.ovh.addLate(func() { effect() })
		return Answer{Err: errors.New("timeout")}
	}
	<-hold
	return Answer{Result: ok, OrderID: effect()}
}

func (w *world) checkoutReq(p *proc, entry string, kind answerKind, hold chan struct{}) Request {
	return Request{
		Target: Target{Kind: journal.KindCheckout, Entry: entry},
		Decide: func(context.Context) (journal.Record, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			if !w.wanted[entry] {
				return journal.Record{}, errors.New("not wanted now")
			}
			return journal.Record{PlanCode: "plan", DC: "fra", Qty: 1, Cart: "c-" + entry}, nil
		},
		Send: func(context.Context, journal.Record) Answer {
			return w.send(kind, hold, func() int64 { return w.ovh.checkout(entry) }, journal.ResultOrdered, journal.ResultRefused)
		},
		LookUp: func(_ context.Context, in journal.Record) (Answer, bool, error) {
			o, ok := w.ovh.find(in.OVHTime, taken(p.g, in.Attempt), func(x *fakeOrder) bool { return x.entry == in.Entry })
			return Answer{Result: journal.ResultOrdered, OrderID: o.id}, ok, nil
		},
	}
}

func (w *world) renewReq(p *proc, service int64, period string, kind answerKind, hold chan struct{}) Request {
	return Request{
		Target: Target{Kind: journal.KindRenewal, ServiceID: service, Period: period},
		Decide: func(context.Context) (journal.Record, error) {
			return journal.Record{AmountUcents: 100, Currency: "EUR"}, nil
		},
		Prior: func(_ context.Context, done journal.Record) (*Result, error) {
			if o, ok := w.ovh.order(done.OrderID); ok && !o.paid {
				return &Result{Answer: Answer{Result: journal.ResultOrdered, OrderID: o.id}}, nil
			}
			return nil, nil
		},
		Send: func(context.Context, journal.Record) Answer {
			return w.send(kind, hold, func() int64 { return w.ovh.renew(service, period) }, journal.ResultOrdered, journal.ResultRefused)
		},
		LookUp: func(_ context.Context, in journal.Record) (Answer, bool, error) {
			o, ok := w.ovh.find(in.OVHTime, taken(p.g, in.Attempt), func(x *fakeOrder) bool {
				return x.service == in.ServiceID && x.period == in.Period
			})
			return Answer{Result: journal.ResultOrdered, OrderID: o.id}, ok, nil
		},
	}
}

func (w *world) payReq(id int64, kind answerKind, hold chan struct{}) Request {
	paidAnswer := func() (Answer, bool, error) {
		o, _ := w.ovh.order(id)
		return Answer{Result: journal.ResultDone}, o.paid, nil
	}
	return Request{
		Target: Target{Kind: journal.KindPayment, OrderID: id},
		Decide: func(context.Context) (journal.Record, error) {
			if o, ok := w.ovh.order(id); !ok || o.paid {
				return journal.Record{}, errors.New("not payable")
			}
			return journal.Record{AmountUcents: 100, Currency: "EUR"}, nil
		},
		Send: func(context.Context, journal.Record) Answer {
			a := w.send(kind, hold, func() int64 { w.ovh.pay(id); return 0 }, journal.ResultDone, journal.ResultFailed)
			a.OrderID = 0
			return a
		},
		LookUp: func(context.Context, journal.Record) (Answer, bool, error) { return paidAnswer() },
	}
}

// do runs req through p's gate, at once or, for a slow answer, in the
// background (the test goes on meanwhile); done is closed when it ends.
func (w *world) do(p *proc, req Request, slow bool) (done chan struct{}) {
	done = make(chan struct{})
	if !slow {
		_, _ = p.g.Do(context.Background(), req)
		close(done)
		return done
	}
	w.inflight.Add(1)
	go func() {
		defer w.inflight.Done()
		defer close(done)
		_, _ = p.g.Do(context.Background(), req)
	}()
	return done
}

func (w *world) step() {
	live := w.live()
	for _, p := range live { // every process checks its journal each poll cycle
		_ = p.j.Check()
	}
	if len(live) == 0 {
		w.start()
		return
	}
	p := live[w.rng.IntN(len(live))]
	kind := answerKind(w.rng.IntN(int(numAnswerKinds)))
	op := w.rng.IntN(12)
	var hold chan struct{}
	if kind == answerSlow && op >= 2 && op <= 6 {
		hold = make(chan struct{})
		w.slow = append(w.slow, hold)
	}
	done := make(chan struct{})
	close(done)
	switch op {
	case 0, 1: // the user edits the file
		e := entries[w.rng.IntN(len(entries))]
		w.mu.Lock()
		w.wanted[e] = !w.wanted[e]
		w.mu.Unlock()
	case 2, 3:
		done = w.do(p, w.checkoutReq(p, entries[w.rng.IntN(len(entries))], kind, hold), hold != nil)
	case 4, 5:
		done = w.do(p, w.renewReq(p, services[w.rng.IntN(len(services))], periods[w.rng.IntN(len(periods))], kind, hold), hold != nil)
	case 6:
		w.ovh.mu.Lock()
		var ids []int64
		for _, o := range w.ovh.orders {
			ids = append(ids, o.id)
		}
		w.ovh.mu.Unlock()
		if len(ids) > 0 {
			done = w.do(p, w.payReq(ids[w.rng.IntN(len(ids))], kind, hold), hold != nil)
		} else if hold != nil {
			w.slow = w.slow[:len(w.slow)-1]
			hold = nil
		}
	case 7: // killed at any instant
		if w.rng.IntN(3) == 0 {
			w.kill(p)
		}
	case 8: // another process starts
		if len(live) < 3 {
			w.start()
		}
	case 9: // an old copy of the journal restored over it (a sync tool)
		if data, err := os.ReadFile(w.path); err == nil {
			w.copies = append(w.copies, data)
		}
		if len(w.copies) > 0 && w.rng.IntN(2) == 0 {
			old := w.copies[w.rng.IntN(len(w.copies))]
			tmp := w.path + ".restore"
			if err := os.WriteFile(tmp, old, 0o600); err == nil {
				os.Rename(tmp, w.path)
			}
		}
	case 10: // OVH catches up; time passes on its clock
		w.ovh.runLate()
		w.clock.Advance(time.Duration(1+w.rng.IntN(4)) * time.Minute)
	case 11: // slow answers arrive
		for _, h := range w.slow {
			close(h)
		}
		w.slow = nil
		w.inflight.Wait()
	}
	if hold != nil && w.rng.IntN(2) == 0 { // some slow answers come soon
		close(hold)
		w.slow = w.slow[:len(w.slow)-1]
		<-done
	}
}

// finish lets every answer arrive, OVH catch up and its clock pass the
// window, then a fresh process settles everything left pending.
func (w *world) finish() *proc {
	for _, h := range w.slow {
		close(h)
	}
	w.slow = nil
	w.inflight.Wait()
	w.ovh.runLate()
	for _, p := range w.live() {
		w.kill(p)
	}
	w.clock.Advance(2 * DefaultWindow)
	p := w.start()
	ctx := context.Background()
	for _, e := range entries {
		p.g.Settle(ctx, Target{Kind: journal.KindCheckout, Entry: e}, w.checkoutReq(p, e, answerOK, nil).LookUp)
	}
	for _, s := range services {
		for _, per := range periods {
			p.g.Settle(ctx, Target{Kind: journal.KindRenewal, ServiceID: s, Period: per}, w.renewReq(p, s, per, answerOK, nil).LookUp)
		}
	}
	w.ovh.mu.Lock()
	var ids []int64
	for _, o := range w.ovh.orders {
		ids = append(ids, o.id)
	}
	w.ovh.mu.Unlock()
	for _, id := range ids {
		p.g.Settle(ctx, Target{Kind: journal.KindPayment, OrderID: id}, w.payReq(id, answerOK, nil).LookUp)
	}
	return p
}

// TestRandomizedGate interleaves edits of the user's intent, restored old
// copies of the journal, kills, unclear, late and slow answers, and
// several processes, and checks what the gate promises: at most one order
// per wanted unit, at most one renewal of a service and period at a time
// (another only once the first is paid), no order paid twice, and every
// order that exists at OVH journaled by the end.
func TestRandomizedGate(t *testing.T) {
	seeds := 25
	if testing.Short() {
		seeds = 8
	}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			w := &world{t: t, rng: rand.New(rand.NewPCG(uint64(seed), 16)), clock: clk, ovh: &fakeOVH{clock: clk},
				path: filepath.Join(t.TempDir(), "p.journal"), alive: map[string]bool{}, wanted: map[string]bool{"e1": true, "e2": true, "e3": true}}
			w.start()
			for range 120 {
				w.step()
			}
			p := w.finish()
			defer p.j.Close()
			for _, v := range w.ovh.violations {
				t.Error(v)
			}
			log, err := p.j.Read()
			if err != nil {
				t.Fatal(err)
			}
			journaled := map[int64]bool{}
			for _, r := range log.Records {
				if r.Type == journal.TypeOutcome && r.Result == journal.ResultOrdered {
					journaled[r.OrderID] = true
				}
			}
			for _, o := range w.ovh.orders {
				if !journaled[o.id] {
					t.Errorf("order %d (%+v) exists at OVH but not in the journal", o.id, *o)
				}
			}
			if t.Failed() {
				t.Logf("journal:\n%s", dumpJournal(log))
			}
		})
	}
}

func dumpJournal(l journal.Log) string {
	s := ""
	for _, r := range l.Records {
		s += fmt.Sprintf("%s %s %s entry=%s order=%d svc=%d %s res=%s proc=%s %s\n", r.Time.Format("15:04"), r.Type, r.Kind, r.Entry, r.OrderID, r.ServiceID, r.Period, r.Result, r.Proc, r.Detail)
	}
	return s
}
