package history

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Seen is one value of one availability answer: fqn in DC.
type Seen struct {
	PlanCode string
	FQN      string
	DC       string
	Value    string // OVH's word, e.g. "1H-high", "unavailable"
}

// Observation is what one availability answer said, and when (the instant
// the answer arrived, UTC).
type Observation struct {
	Time       time.Time
	Subsidiary string
	Items      []Seen
}

// Price is the price of one fqn (plan and its default addons) in a catalog.
type Price struct {
	PlanCode string
	FQN      string
	Monthly  int64 // 1e-8 of the currency, excluding tax
	Setup    int64
}

// CatalogObservation is what one catalog listed: its plans and prices.
type CatalogObservation struct {
	Time       time.Time
	Subsidiary string
	Currency   string
	Plans      []string
	Prices     []Price
}

// Transition is one availability change of an fqn in a DC. From is "" the
// first time the fqn was seen in the DC.
type Transition struct {
	Time       time.Time `json:"time"`
	Subsidiary string    `json:"subsidiary"`
	PlanCode   string    `json:"planCode"`
	FQN        string    `json:"fqn"`
	DC         string    `json:"datacenter"`
	From       string    `json:"from"`
	To         string    `json:"to"`
}

// Restock reports whether t is a restock: from a value seen out of stock to
// one in stock (a first sighting is not a restock).
func (t Transition) Restock() bool { return t.From != valueUnseen && !InStock(t.From) && InStock(t.To) }

// PriceChange is a new price of an fqn. Old is zero for a first sighting.
type PriceChange struct {
	Time       time.Time
	Subsidiary string
	PlanCode   string
	FQN        string
	Currency   string
	Old, New   Price
	First      bool // the fqn had no price before
}

// PlanChange is a plan appearing in or disappearing from the catalog.
type PlanChange struct {
	Time       time.Time
	Subsidiary string
	PlanCode   string
	Present    bool // true: appeared
}

// News is what one batch recorded that alerts may tell: restocks, price
// changes of known fqns, plans appearing or disappearing (first sightings
// of a subsidiary's catalog are not news).
type News struct {
	Restocks []Transition
	Prices   []PriceChange
	Plans    []PlanChange

	recorded int // changes of any kind written (the batch changed the history)
}

func (n News) empty() bool { return len(n.Restocks)+len(n.Prices)+len(n.Plans) == 0 }

// RecorderOptions configures a Recorder.
type RecorderOptions struct {
	// Keep is how long history is kept (default DefaultKeep); older
	// records are pruned at start and daily.
	Keep time.Duration
	// Now is the clock, for pruning (default time.Now).
	Now func() time.Time
	// OnError is told the first error of the database, once: from then on
	// the recorder keeps trying quietly (nil: ignored).
	OnError func(error)
	// OnNews is told what each batch recorded (nil: ignored). It runs on
	// the recorder's goroutine and must not block long.
	OnNews func(News)
	// Queue is how many observations may wait for the disk before new ones
	// are dropped (default 1024).
	Queue int
	// MaxBatch is the most observations written in one transaction
	// (default 256).
	MaxBatch int
	// Hold, when set, is asked before each write: while it returns a
	// channel not yet closed (a checkout is under way: order.Engine.Quiet)
	// the write waits for it, at most HoldMax, so that the recorder never
	// shares the disk with a checkout's syncs. Observations queue meanwhile.
	Hold func() <-chan struct{}
	// Seed, when set, fills a database that has recorded nothing yet
	// before anything queued is written (the demo's invented weeks): it
	// calls emit with observations, each series in time order. Seeding is
	// no news.
	Seed func(emit func(Observation))
}

// Recorder writes observations to a Store on its own goroutine (Run),
// batched, as transitions. Observe and ObserveCatalog never block.
type Recorder struct {
	store *Store
	opts  RecorderOptions
	in    chan any

	dropped atomic.Int64
	written atomic.Int64
	errOnce sync.Once

	// changed is closed, and replaced, when a batch recorded a transition
	// (Changed).
	chMu    sync.Mutex
	changed chan struct{}
	// ready is closed once Run has read the recorded state and seeded.
	ready chan struct{}

	// State, owned by Run's goroutine.
	seeding bool // writing Options.Seed into a file that had nothing
	series  map[seriesKey]*seriesState
	values  map[string]valueInfo
	prices  map[priceKey]pricePoint
	plans   map[planKey]bool // present now
	known   map[string]bool  // subsidiaries with a catalog recorded
	pruned  time.Time
	// Prepared statements of the hot path (nil until the first write).
	insChange, updSeries, insRestock, addRestockDay *sql.Stmt
}

type seriesKey struct{ sub, fqn, dc string }

type seriesState struct {
	id      int64
	plan    string
	value   string
	since   int64 // ms
	seen    int64 // ms, last seen in memory
	stored  int64 // ms, seen_ms as written
	lastIn  int64
	lastOut int64
}

type valueInfo struct {
	id      int64
	inStock bool
}

type priceKey struct{ sub, fqn string }

type pricePoint struct {
	plan     string
	currency string
	monthly  int64
	setup    int64
}

type planKey struct{ sub, plan string }

type flushReq struct{ done chan struct{} }

// HoldMax is the longest a write waits for Options.Hold: a checkout is
// sent within seconds; its outcome may take longer to settle.
const HoldMax = 5 * time.Second

// seenFlushEvery is how stale seen_ms may be on disk: it is rewritten at
// most this often per series, not at every poll.
const seenFlushEvery = 5 * time.Minute

// NewRecorder returns a recorder writing to store. Start it with Run.
func NewRecorder(store *Store, opts RecorderOptions) *Recorder {
	if opts.Keep == 0 {
		opts.Keep = DefaultKeep
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Queue <= 0 {
		opts.Queue = 1024
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 256
	}
	return &Recorder{store: store, opts: opts, in: make(chan any, opts.Queue), changed: make(chan struct{}), ready: make(chan struct{})}
}

// Ready returns a channel closed once Run has read the recorded state and
// written Options.Seed (or failed to read the file): from then on the
// store answers with the seed. The demo waits on it before its UI shows.
func (r *Recorder) Ready() <-chan struct{} { return r.ready }

// Changed returns a channel closed once the history has changed: the next
// batch that records an availability transition, a price or a plan change
// (or a seed). Readers (the UI's radar figures) wait on it, read again,
// then ask for a new one. Any number of readers may wait on it.
func (r *Recorder) Changed() <-chan struct{} {
	r.chMu.Lock()
	defer r.chMu.Unlock()
	return r.changed
}

// announce wakes the readers waiting on Changed.
func (r *Recorder) announce() {
	r.chMu.Lock()
	close(r.changed)
	r.changed = make(chan struct{})
	r.chMu.Unlock()
}

// Observe queues an availability answer. It never blocks: when the queue is
// full (the disk is slow or broken) the observation is dropped and counted.
func (r *Recorder) Observe(o Observation) {
	if len(o.Items) == 0 {
		return
	}
	r.offer(o)
}

// ObserveCatalog queues a catalog, never blocking (see Observe).
func (r *Recorder) ObserveCatalog(c CatalogObservation) {
	if c.Subsidiary == "" || len(c.Plans) == 0 {
		return
	}
	r.offer(c)
}

func (r *Recorder) offer(v any) {
	select {
	case r.in <- v:
	default:
		r.dropped.Add(1)
	}
}

// Dropped is how many observations were dropped because the queue was full.
func (r *Recorder) Dropped() int64 { return r.dropped.Load() }

// Written is how many batches were committed.
func (r *Recorder) Written() int64 { return r.written.Load() }

// Flush waits until everything queued before it is written (or ctx ends).
// It is for tests and for commands that read right after recording.
func (r *Recorder) Flush(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case r.in <- flushReq{done: done}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run loads the recorded state and writes observations until ctx is done,
// then writes what is still queued. An error of the database is told once
// to OnError; Run keeps draining the queue so that Observe never blocks.
func (r *Recorder) Run(ctx context.Context) {
	loaded := r.load(context.WithoutCancel(ctx)) == nil
	if loaded {
		r.prune(ctx)
		if r.opts.Seed != nil && len(r.series) == 0 {
			r.seed(context.WithoutCancel(ctx))
		}
	}
	close(r.ready)
	batch := make([]any, 0, r.opts.MaxBatch)
	for {
		batch = batch[:0]
		select {
		case <-ctx.Done():
			r.drain(loaded)
			return
		case v := <-r.in:
			batch = append(batch, v)
		}
	more:
		for len(batch) < r.opts.MaxBatch {
			select {
			case v := <-r.in:
				batch = append(batch, v)
			default:
				break more
			}
		}
		if !loaded {
			loaded = r.load(ctx) == nil
		}
		r.holdOff(ctx)
		r.handle(context.WithoutCancel(ctx), batch, loaded)
		if loaded && r.opts.Now().Sub(r.pruned) >= 24*time.Hour {
			r.prune(ctx)
		}
	}
}

// seed runs Options.Seed, writing in large batches, without news.
func (r *Recorder) seed(ctx context.Context) {
	const batch = 8192
	r.seeding = true
	defer func() { r.seeding = false }()
	var work []any
	write := func() {
		if len(work) == 0 {
			return
		}
		if _, err := r.write(ctx, work); err != nil {
			r.report(fmt.Errorf("history database %s: seed: %w", r.store.path, err))
		}
		work = work[:0]
	}
	r.opts.Seed(func(o Observation) {
		work = append(work, o)
		if len(work) >= batch {
			write()
		}
	})
	write()
	r.announce()
}

// holdOff waits while Options.Hold says a checkout is under way, at most
// HoldMax.
func (r *Recorder) holdOff(ctx context.Context) {
	if r.opts.Hold == nil {
		return
	}
	ch := r.opts.Hold()
	if ch == nil {
		return
	}
	t := time.NewTimer(HoldMax)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-ctx.Done():
	}
}

// drain writes what is queued at shutdown.
func (r *Recorder) drain(loaded bool) {
	ctx := context.Background()
	var batch []any
	for {
		select {
		case v := <-r.in:
			batch = append(batch, v)
			continue
		default:
		}
		break
	}
	r.handle(ctx, batch, loaded)
	r.flushSeen(ctx, true)
}

// handle writes one batch and answers the flushes in it.
func (r *Recorder) handle(ctx context.Context, batch []any, loaded bool) {
	var work []any
	var flushes []flushReq
	for _, v := range batch {
		if f, ok := v.(flushReq); ok {
			flushes = append(flushes, f)
			continue
		}
		work = append(work, v)
	}
	if loaded && len(work) > 0 {
		news, err := r.write(ctx, work)
		if err != nil {
			r.report(fmt.Errorf("history database %s: %w; recording paused, ovhtui runs on (retrying quietly)", r.store.path, err))
		} else {
			r.written.Add(1)
			if news.recorded > 0 {
				r.announce()
			}
			if r.opts.OnNews != nil && !news.empty() {
				r.opts.OnNews(news)
			}
		}
	}
	if loaded && len(flushes) > 0 {
		r.flushSeen(ctx, true)
	}
	for _, f := range flushes {
		close(f.done)
	}
}

func (r *Recorder) report(err error) {
	r.errOnce.Do(func() {
		if r.opts.OnError != nil {
			r.opts.OnError(err)
		}
	})
}

func (r *Recorder) prune(ctx context.Context) {
	r.pruned = r.opts.Now()
	if _, err := r.store.Prune(ctx, r.pruned, r.opts.Keep); err != nil {
		r.report(err)
	}
}

// load reads the recorded state: every series, value, last price and plan.
func (r *Recorder) load(ctx context.Context) error {
	err := r.loadState(ctx)
	if err != nil {
		r.report(fmt.Errorf("history database %s: read: %w; ovhtui runs on without history", r.store.path, err))
	}
	return err
}

func (r *Recorder) loadState(ctx context.Context) error {
	db := r.store.db
	r.values = map[string]valueInfo{}
	rows, err := db.QueryContext(ctx, `SELECT id, value, in_stock FROM availability_values`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var v string
		var vi valueInfo
		if err := rows.Scan(&vi.id, &v, &vi.inStock); err != nil {
			rows.Close()
			return err
		}
		r.values[v] = vi
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	byID := map[int64]string{}
	for v, vi := range r.values {
		byID[vi.id] = v
	}
	r.series = map[seriesKey]*seriesState{}
	rows, err = db.QueryContext(ctx, `SELECT id, subsidiary, plan_code, fqn, datacenter, value_id, since_ms, seen_ms, last_in_ms, last_out_ms FROM series`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k seriesKey
		var st seriesState
		var vid int64
		if err := rows.Scan(&st.id, &k.sub, &st.plan, &k.fqn, &k.dc, &vid, &st.since, &st.seen, &st.lastIn, &st.lastOut); err != nil {
			rows.Close()
			return err
		}
		st.value = byID[vid]
		st.stored = st.seen
		r.series[k] = &st
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	r.prices = map[priceKey]pricePoint{}
	rows, err = db.QueryContext(ctx, `SELECT p.subsidiary, p.fqn, p.plan_code, p.currency, p.monthly, p.setup FROM price_changes p
		WHERE p.at_ms = (SELECT max(at_ms) FROM price_changes q WHERE q.subsidiary = p.subsidiary AND q.fqn = p.fqn)`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k priceKey
		var p pricePoint
		if err := rows.Scan(&k.sub, &k.fqn, &p.plan, &p.currency, &p.monthly, &p.setup); err != nil {
			rows.Close()
			return err
		}
		r.prices[k] = p
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	r.plans = map[planKey]bool{}
	r.known = map[string]bool{}
	rows, err = db.QueryContext(ctx, `SELECT p.subsidiary, p.plan_code, p.present FROM plan_changes p
		WHERE p.at_ms = (SELECT max(at_ms) FROM plan_changes q WHERE q.subsidiary = p.subsidiary AND q.plan_code = p.plan_code)`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k planKey
		var present bool
		if err := rows.Scan(&k.sub, &k.plan, &present); err != nil {
			rows.Close()
			return err
		}
		r.plans[k] = present
		r.known[k.sub] = true
	}
	return closeRows(rows)
}

func closeRows(rows *sql.Rows) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

// batchTx is the state of one write: what changed in memory is applied
// only once the transaction commits.
type batchTx struct {
	tx      *sql.Tx
	ins     *sql.Stmt // insert an availability change
	series  map[seriesKey]*seriesState
	values  map[string]valueInfo
	prices  map[priceKey]pricePoint
	plans   map[planKey]bool
	known   map[string]bool
	news    News
	changed map[seriesKey]bool
	// The restocks recorded, for the summaries (schema 2): the log's
	// rows, and the count per series and UTC day.
	restocks    []restockAt
	restockDays map[restockDay]int64
}

type restockAt struct {
	sub        string // the series' subsidiary
	series, at int64
}

type restockDay struct{ series, day int64 }

// writeRestocks writes the batch's restocks to the summaries: the log (from
// restocks_since on, as the file says in this transaction) and restock_days
// (counted under the series' plan as the file has it).
func (r *Recorder) writeRestocks(ctx context.Context, b *batchTx) error {
	if len(b.restocks) == 0 {
		return nil
	}
	var since int64
	if err := b.tx.QueryRowContext(ctx, `SELECT at_ms FROM restocks_since`).Scan(&since); err != nil {
		return err
	}
	// In the log's order: each insert lands beside the last.
	slices.SortFunc(b.restocks, func(a, b restockAt) int {
		return cmp.Or(strings.Compare(a.sub, b.sub), cmp.Compare(a.at, b.at), cmp.Compare(a.series, b.series))
	})
	ins := b.tx.StmtContext(ctx, r.insRestock)
	for _, x := range b.restocks {
		if x.at < since {
			continue // older than the log reaches
		}
		if _, err := ins.ExecContext(ctx, x.sub, x.at, x.series); err != nil {
			return err
		}
	}
	add := b.tx.StmtContext(ctx, r.addRestockDay)
	for k, n := range b.restockDays {
		if _, err := add.ExecContext(ctx, k.day, k.series, n); err != nil {
			return err
		}
	}
	return nil
}

// write records a batch in one transaction.
func (r *Recorder) write(ctx context.Context, work []any) (News, error) {
	if r.insChange == nil {
		ins, err := r.store.db.PrepareContext(ctx, `INSERT INTO availability_changes (series_id, at_ms, from_id, to_id) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return News{}, err
		}
		upd, err := r.store.db.PrepareContext(ctx, `UPDATE series SET plan_code = ?, value_id = ?, since_ms = ?, seen_ms = ?, last_in_ms = ?, last_out_ms = ? WHERE id = ?`)
		if err != nil {
			ins.Close()
			return News{}, err
		}
		insR, err := r.store.db.PrepareContext(ctx, `INSERT INTO restocks (subsidiary, at_ms, series_id) VALUES (?, ?, ?)`)
		if err != nil {
			ins.Close()
			upd.Close()
			return News{}, err
		}
		addR, err := r.store.db.PrepareContext(ctx, `INSERT INTO restock_days (subsidiary, day, plan_code, restocks)
			SELECT subsidiary, ?1, plan_code, ?3 FROM series WHERE id = ?2
			ON CONFLICT DO UPDATE SET restocks = restocks + excluded.restocks`)
		if err != nil {
			ins.Close()
			upd.Close()
			insR.Close()
			return News{}, err
		}
		r.insChange, r.updSeries, r.insRestock, r.addRestockDay = ins, upd, insR, addR
	}
	tx, err := r.store.db.BeginTx(ctx, nil)
	if err != nil {
		return News{}, err
	}
	defer tx.Rollback()
	b := &batchTx{tx: tx, ins: tx.StmtContext(ctx, r.insChange), series: map[seriesKey]*seriesState{}, values: map[string]valueInfo{},
		prices: map[priceKey]pricePoint{}, plans: map[planKey]bool{}, known: map[string]bool{}, changed: map[seriesKey]bool{},
		restockDays: map[restockDay]int64{}}
	for _, v := range work {
		switch o := v.(type) {
		case Observation:
			err = r.writeObservation(ctx, b, o)
		case CatalogObservation:
			err = r.writeCatalog(ctx, b, o)
		}
		if err != nil {
			return News{}, err
		}
	}
	// The restocks before the series' updates: a plan changed by this
	// batch moves them (trigger restock_days_follow_plan).
	if err := r.writeRestocks(ctx, b); err != nil {
		return News{}, err
	}
	upd := tx.StmtContext(ctx, r.updSeries)
	for k := range b.changed {
		st := b.series[k]
		if _, err := upd.ExecContext(ctx,
			st.plan, b.valueOrOld(r, st.value).id, st.since, st.seen, st.lastIn, st.lastOut, st.id); err != nil {
			return News{}, err
		}
		st.stored = st.seen
	}
	if err := tx.Commit(); err != nil {
		return News{}, err
	}
	for k, st := range b.series {
		if old := r.series[k]; old != nil && !b.changed[k] {
			old.seen = max(old.seen, st.seen) // only seen moved
			continue
		}
		r.series[k] = st
	}
	for k, v := range b.values {
		r.values[k] = v
	}
	for k, v := range b.prices {
		r.prices[k] = v
	}
	for k, v := range b.plans {
		r.plans[k] = v
	}
	for k := range b.known {
		r.known[k] = true
	}
	return b.news, nil
}

func (b *batchTx) valueOrOld(r *Recorder, v string) valueInfo {
	if vi, ok := b.values[v]; ok {
		return vi
	}
	return r.values[v]
}

// value returns the id of availability word v, adding it when new.
func (r *Recorder) value(ctx context.Context, b *batchTx, v string) (valueInfo, error) {
	if vi, ok := b.values[v]; ok {
		return vi, nil
	}
	if vi, ok := r.values[v]; ok {
		return vi, nil
	}
	vi := valueInfo{inStock: InStock(v)}
	if _, err := b.tx.ExecContext(ctx, `INSERT OR IGNORE INTO availability_values (value, in_stock) VALUES (?, ?)`, v, vi.inStock); err != nil {
		return vi, err
	}
	if err := b.tx.QueryRowContext(ctx, `SELECT id FROM availability_values WHERE value = ?`, v).Scan(&vi.id); err != nil {
		return vi, err
	}
	b.values[v] = vi
	return vi, nil
}

// state returns the working copy of series k, from memory or the database
// (creating it), and whether it existed.
func (r *Recorder) state(ctx context.Context, b *batchTx, k seriesKey, plan string, at int64) (*seriesState, bool, error) {
	if st, ok := b.series[k]; ok {
		return st, true, nil
	}
	if st, ok := r.series[k]; ok {
		cp := *st
		b.series[k] = &cp
		return &cp, true, nil
	}
	// Another process may have created it: insert or read.
	unseen, err := r.value(ctx, b, valueUnseen)
	if err != nil {
		return nil, false, err
	}
	if _, err := b.tx.ExecContext(ctx, `INSERT INTO series (subsidiary, plan_code, fqn, datacenter, value_id, since_ms, seen_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (subsidiary, fqn, datacenter) DO NOTHING`, k.sub, plan, k.fqn, k.dc, unseen.id, at, at); err != nil {
		return nil, false, err
	}
	st, err := r.readSeries(ctx, b, k)
	if err != nil {
		return nil, false, err
	}
	b.series[k] = st
	return st, st.value != valueUnseen, nil
}

func (r *Recorder) readSeries(ctx context.Context, b *batchTx, k seriesKey) (*seriesState, error) {
	var st seriesState
	var v string
	err := b.tx.QueryRowContext(ctx, `SELECT s.id, s.plan_code, v.value, s.since_ms, s.seen_ms, s.last_in_ms, s.last_out_ms
		FROM series s JOIN availability_values v ON v.id = s.value_id WHERE s.subsidiary = ? AND s.fqn = ? AND s.datacenter = ?`,
		k.sub, k.fqn, k.dc).Scan(&st.id, &st.plan, &v, &st.since, &st.seen, &st.lastIn, &st.lastOut)
	if err != nil {
		return nil, err
	}
	st.value = v
	st.stored = st.seen
	return &st, nil
}

func (r *Recorder) writeObservation(ctx context.Context, b *batchTx, o Observation) error {
	if o.Subsidiary == "" {
		return errors.New("observation without a subsidiary")
	}
	at := ms(o.Time)
	for _, it := range o.Items {
		if it.FQN == "" || it.DC == "" {
			continue
		}
		k := seriesKey{sub: o.Subsidiary, fqn: it.FQN, dc: it.DC}
		st, existed, err := r.state(ctx, b, k, it.PlanCode, at)
		if err != nil {
			return err
		}
		if existed && at < st.seen {
			continue // an older answer arriving late: the newer one stands
		}
		if existed && st.value != it.Value && !b.changed[k] && !r.seeding {
			// Another process may have recorded it meanwhile: trust the file.
			fresh, err := r.readSeries(ctx, b, k)
			if err != nil {
				return err
			}
			if fresh.since > st.since || fresh.value != st.value {
				*st = *fresh
				if at < st.seen {
					continue
				}
			}
		}
		st.seen = max(st.seen, at)
		if it.PlanCode != "" && it.PlanCode != st.plan {
			st.plan = it.PlanCode
			b.changed[k] = true
		}
		if existed && st.value == it.Value {
			if st.seen-st.stored >= seenFlushEvery.Milliseconds() {
				b.changed[k] = true
			}
			continue
		}
		from := st.value
		if !existed {
			from = valueUnseen
		}
		if err := r.record(ctx, b, k, st, from, it.Value, at); err != nil {
			return err
		}
	}
	return nil
}

// record writes one transition of series k and updates its state.
func (r *Recorder) record(ctx context.Context, b *batchTx, k seriesKey, st *seriesState, from, to string, at int64) error {
	if at <= st.since && from != valueUnseen {
		at = st.since + 1 // keep the series' order (and its key) strict
	}
	fv, err := r.value(ctx, b, from)
	if err != nil {
		return err
	}
	tv, err := r.value(ctx, b, to)
	if err != nil {
		return err
	}
	if _, err := b.ins.ExecContext(ctx, st.id, at, fv.id, tv.id); err != nil {
		return err
	}
	if tv.inStock && !fv.inStock && from != valueUnseen { // a restock, for the summaries
		b.restocks = append(b.restocks, restockAt{sub: k.sub, series: st.id, at: at})
		b.restockDays[restockDay{series: st.id, day: at / dayMS}]++
	}
	switch {
	case tv.inStock && !fv.inStock:
		st.lastIn, st.lastOut = at, 0
	case fv.inStock && !tv.inStock:
		st.lastOut = at
	}
	st.value, st.since, st.seen = to, at, max(st.seen, at)
	b.changed[k] = true
	b.news.recorded++
	t := Transition{Time: fromMS(at), Subsidiary: k.sub, PlanCode: st.plan, FQN: k.fqn, DC: k.dc, From: from, To: to}
	if t.Restock() {
		b.news.Restocks = append(b.news.Restocks, t)
	}
	return nil
}

func (r *Recorder) writeCatalog(ctx context.Context, b *batchTx, c CatalogObservation) error {
	at := ms(c.Time)
	known := r.known[c.Subsidiary] || b.known[c.Subsidiary]
	plans := func(k planKey) (bool, bool) {
		if v, ok := b.plans[k]; ok {
			return v, true
		}
		v, ok := r.plans[k]
		return v, ok
	}
	present := map[string]bool{}
	for _, p := range c.Plans {
		present[p] = true
	}
	names := make([]string, 0, len(present))
	for p := range present {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		k := planKey{sub: c.Subsidiary, plan: p}
		if was, _ := plans(k); was {
			continue
		}
		if err := b.planChange(ctx, k, at, true); err != nil {
			return err
		}
		if known {
			b.news.Plans = append(b.news.Plans, PlanChange{Time: fromMS(at), Subsidiary: c.Subsidiary, PlanCode: p, Present: true})
		}
	}
	var gone []planKey
	for _, m := range []map[planKey]bool{r.plans, b.plans} {
		for k, was := range m {
			if k.sub == c.Subsidiary && was && !present[k.plan] {
				gone = append(gone, k)
			}
		}
	}
	sort.Slice(gone, func(i, j int) bool { return gone[i].plan < gone[j].plan })
	for i, k := range gone {
		if i > 0 && gone[i-1] == k {
			continue
		}
		if now, _ := plans(k); !now {
			continue
		}
		if err := b.planChange(ctx, k, at, false); err != nil {
			return err
		}
		b.news.Plans = append(b.news.Plans, PlanChange{Time: fromMS(at), Subsidiary: c.Subsidiary, PlanCode: k.plan, Present: false})
	}
	b.known[c.Subsidiary] = true
	for _, p := range c.Prices {
		k := priceKey{sub: c.Subsidiary, fqn: p.FQN}
		old, had := b.prices[k]
		if !had {
			old, had = r.prices[k]
		}
		next := pricePoint{plan: p.PlanCode, currency: c.Currency, monthly: p.Monthly, setup: p.Setup}
		if had && old == next {
			continue
		}
		if _, err := b.tx.ExecContext(ctx, `INSERT OR REPLACE INTO price_changes (subsidiary, fqn, at_ms, plan_code, currency, monthly, setup) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			k.sub, k.fqn, at, p.PlanCode, c.Currency, p.Monthly, p.Setup); err != nil {
			return err
		}
		b.prices[k] = next
		b.news.recorded++
		if had {
			b.news.Prices = append(b.news.Prices, PriceChange{Time: fromMS(at), Subsidiary: k.sub, PlanCode: p.PlanCode, FQN: p.FQN,
				Currency: c.Currency, Old: Price{PlanCode: old.plan, FQN: p.FQN, Monthly: old.monthly, Setup: old.setup}, New: p})
		}
	}
	return nil
}

func (b *batchTx) planChange(ctx context.Context, k planKey, at int64, present bool) error {
	if _, err := b.tx.ExecContext(ctx, `INSERT OR REPLACE INTO plan_changes (subsidiary, plan_code, at_ms, present) VALUES (?, ?, ?, ?)`,
		k.sub, k.plan, at, present); err != nil {
		return err
	}
	b.plans[k] = present
	b.news.recorded++
	return nil
}

// flushSeen writes seen_ms of series seen since it was last written (all of
// them when force, else only those more than seenFlushEvery behind).
func (r *Recorder) flushSeen(ctx context.Context, force bool) {
	var ids []int64
	var sts []*seriesState
	for _, st := range r.series {
		if st.seen > st.stored && (force || st.seen-st.stored >= seenFlushEvery.Milliseconds()) {
			ids = append(ids, st.id)
			sts = append(sts, st)
		}
	}
	if len(ids) == 0 {
		return
	}
	tx, err := r.store.db.BeginTx(ctx, nil)
	if err != nil {
		r.report(err)
		return
	}
	defer tx.Rollback()
	for i, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE series SET seen_ms = max(seen_ms, ?) WHERE id = ?`, sts[i].seen, id); err != nil {
			r.report(err)
			return
		}
	}
	if err := tx.Commit(); err != nil {
		r.report(err)
		return
	}
	for _, st := range sts {
		st.stored = st.seen
	}
}
