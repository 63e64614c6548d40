package history

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Filter selects series and a time range. Empty fields match everything.
type Filter struct {
	Subsidiary string
	PlanCode   string
	FQN        string
	DC         string
	Since      time.Time // zero: from the start
	Until      time.Time // zero: until now
}

// where returns the SQL condition on series s and its arguments.
func (f Filter) where() (string, []any) {
	var conds []string
	var args []any
	for _, c := range []struct{ col, v string }{
		{"s.subsidiary", f.Subsidiary}, {"s.plan_code", f.PlanCode}, {"s.fqn", f.FQN}, {"s.datacenter", f.DC},
	} {
		if c.v != "" {
			conds = append(conds, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	if len(conds) == 0 {
		return "1", nil
	}
	return strings.Join(conds, " AND "), args
}

// Transitions lists the availability changes f selects, oldest first.
func (s *Store) Transitions(ctx context.Context, f Filter) ([]Transition, error) {
	w, args := f.where()
	q := `SELECT c.at_ms, s.subsidiary, s.plan_code, s.fqn, s.datacenter, fv.value, tv.value
		FROM series s JOIN availability_changes c ON c.series_id = s.id
		JOIN availability_values fv ON fv.id = c.from_id JOIN availability_values tv ON tv.id = c.to_id
		WHERE ` + w
	if !f.Since.IsZero() {
		q += ` AND c.at_ms >= ?`
		args = append(args, ms(f.Since))
	}
	if !f.Until.IsZero() {
		q += ` AND c.at_ms <= ?`
		args = append(args, ms(f.Until))
	}
	q += ` ORDER BY c.at_ms, s.subsidiary, s.fqn, s.datacenter`
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("history: read transitions: %w", err)
	}
	defer rows.Close()
	var out []Transition
	for rows.Next() {
		var t Transition
		var at int64
		if err := rows.Scan(&at, &t.Subsidiary, &t.PlanCode, &t.FQN, &t.DC, &t.From, &t.To); err != nil {
			return nil, fmt.Errorf("history: read transitions: %w", err)
		}
		t.Time = fromMS(at)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: read transitions: %w", err)
	}
	return out, nil
}

// Interval is a time an fqn spent in stock in a DC.
type Interval struct {
	FQN, DC string
	Start   time.Time
	End     time.Time // the end, or the stats' end while still in stock
	Grade   string    // the value it came back with
	Restock bool      // it began with a restock (not a first sighting or the range's start)
	Ongoing bool      // still in stock
}

// Duration is how long the interval lasted.
func (i Interval) Duration() time.Duration { return i.End.Sub(i.Start) }

// Heatmap counts restocks per weekday (time.Sunday = 0) and hour in one
// time zone.
type Heatmap struct {
	Location *time.Location
	Count    [7][24]int
	Max      int
}

// Stats is what the history view shows of an offer or an entry over a range.
type Stats struct {
	From, To       time.Time
	Restocks       int
	Heatmaps       []Heatmap // one per location asked, in order
	MedianInStock  time.Duration
	LongestInStock time.Duration
	// LastRestocks are the latest restocks, newest first (at most five).
	LastRestocks []Interval
	// Seen reports whether anything of f was ever recorded.
	Seen bool
	// First is the earliest change recorded in the range (zero when none):
	// where the figures really start.
	First time.Time
}

// series is one row of the series table.
type seriesRow struct {
	id                           int64
	sub, plan, fqn, dc           string
	value                        string
	since, seen, lastIn, lastOut int64
}

func (s *Store) seriesOf(ctx context.Context, f Filter) ([]seriesRow, error) {
	w, args := f.where()
	rows, err := s.db.QueryContext(ctx, `SELECT s.id, s.subsidiary, s.plan_code, s.fqn, s.datacenter, v.value, s.since_ms, s.seen_ms, s.last_in_ms, s.last_out_ms
		FROM series s JOIN availability_values v ON v.id = s.value_id WHERE `+w+` ORDER BY s.datacenter, s.fqn`, args...)
	if err != nil {
		return nil, fmt.Errorf("history: read series: %w", err)
	}
	defer rows.Close()
	var out []seriesRow
	for rows.Next() {
		var r seriesRow
		if err := rows.Scan(&r.id, &r.sub, &r.plan, &r.fqn, &r.dc, &r.value, &r.since, &r.seen, &r.lastIn, &r.lastOut); err != nil {
			return nil, fmt.Errorf("history: read series: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: read series: %w", err)
	}
	return out, nil
}

// change is one row of availability_changes, in words.
type change struct {
	at       int64
	from, to string
}

// changesOf reads the changes of series id from since to until, oldest
// first. Values come as ids, named from vals (one small table read per
// query instead of two joins per row).
func (s *Store) changesOf(ctx context.Context, vals map[int64]string, id int64, since, until int64) ([]change, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at_ms, from_id, to_id FROM availability_changes
		WHERE series_id = ? AND at_ms >= ? AND at_ms <= ? ORDER BY at_ms`, id, since, until)
	if err != nil {
		return nil, fmt.Errorf("history: read changes: %w", err)
	}
	defer rows.Close()
	var out []change
	for rows.Next() {
		var c change
		var from, to int64
		if err := rows.Scan(&c.at, &from, &to); err != nil {
			return nil, fmt.Errorf("history: read changes: %w", err)
		}
		c.from, c.to = vals[from], vals[to]
		out = append(out, c)
	}
	return out, rows.Err()
}

// valueNames reads the availability words by id, and the ids of the words
// in stock and out of stock (seen: not the "" of a first sighting).
func (s *Store) valueNames(ctx context.Context) (names map[int64]string, in, out []int64, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, value, in_stock FROM availability_values`)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("history: read values: %w", err)
	}
	defer rows.Close()
	names = map[int64]string{}
	for rows.Next() {
		var id int64
		var v string
		var stock bool
		if err := rows.Scan(&id, &v, &stock); err != nil {
			return nil, nil, nil, fmt.Errorf("history: read values: %w", err)
		}
		names[id] = v
		switch {
		case stock:
			in = append(in, id)
		case v != valueUnseen:
			out = append(out, id)
		}
	}
	return names, in, out, rows.Err()
}

// Segment is a stretch of time an fqn held one value in a DC.
type Segment struct {
	FQN        string
	Start, End time.Time
	Value      string
}

// segments returns the values series r held over [from, to]: the value at
// from is the first change's "from" (or the value now when nothing changed
// since), "" before the series was first seen.
func segments(r seriesRow, cs []change, from, to int64) []Segment {
	var out []Segment
	cur := r.value
	if len(cs) > 0 {
		cur = cs[0].from
	}
	if r.since > to && len(cs) == 0 {
		cur = valueUnseen // first seen after the range (only with Until)
	}
	start := from
	for _, c := range cs {
		if c.at > start {
			out = append(out, Segment{FQN: r.fqn, Start: fromMS(start), End: fromMS(c.at), Value: cur})
		}
		cur, start = c.to, c.at
	}
	if to > start {
		out = append(out, Segment{FQN: r.fqn, Start: fromMS(start), End: fromMS(to), Value: cur})
	}
	return out
}

// bounds returns f's range in ms, up to now when Until is zero.
func (f Filter) bounds(now time.Time) (int64, int64) {
	to := ms(now)
	if !f.Until.IsZero() {
		to = ms(f.Until)
	}
	return ms(f.Since), to
}

// Stats computes the restock statistics of what f selects from f.Since to
// f.Until (or now), with one heatmap per location in locs. Each series'
// changes are read once, as ids, and folded as they come: no row is kept.
// The series are read side by side (up to statsWorkers at once, each on a
// connection of its own) and their figures merged in order, so that the
// answer is the one read series after series.
func (s *Store) Stats(ctx context.Context, f Filter, now time.Time, locs ...*time.Location) (Stats, error) {
	from, to := f.bounds(now)
	st := Stats{From: fromMS(from), To: fromMS(to)}
	for _, l := range locs {
		st.Heatmaps = append(st.Heatmaps, Heatmap{Location: l})
	}
	rows, err := s.seriesOf(ctx, f)
	if err != nil {
		return st, err
	}
	vals, _, _, err := s.valueNames(ctx)
	if err != nil {
		return st, err
	}
	words := newWordTable(vals)
	live := f.Until.IsZero()
	folds := make([]seriesFold, len(rows))
	fold := func(i int) {
		folds[i].acc.heat = make([][7][24]int, len(locs))
		folds[i].first, folds[i].err = s.foldSeries(ctx, rows[i], words, from, to, live, func(iv Interval) { folds[i].acc.add(iv, locs) })
	}
	if workers := min(len(rows), runtime.GOMAXPROCS(0), statsWorkers); workers <= 1 {
		for i := range rows {
			fold(i)
		}
	} else {
		next := make(chan int)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for i := range next {
					fold(i)
				}
			})
		}
		for i := range rows {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	var all statsAcc
	all.heat = make([][7][24]int, len(locs))
	for _, sf := range folds {
		if sf.err != nil {
			return st, sf.err
		}
		st.Seen = true
		all.merge(&sf.acc)
		if sf.first != 0 && (st.First.IsZero() || fromMS(sf.first).Before(st.First)) {
			st.First = fromMS(sf.first)
		}
	}
	st.Restocks, st.LastRestocks = all.restocks, all.last
	for i := range st.Heatmaps {
		h := &st.Heatmaps[i]
		h.Count = all.heat[i]
		for _, day := range h.Count {
			h.Max = max(h.Max, slices.Max(day[:]))
		}
	}
	if lens := all.lens; len(lens) > 0 {
		slices.Sort(lens)
		st.LongestInStock = lens[len(lens)-1]
		n := len(lens)
		if n%2 == 1 {
			st.MedianInStock = lens[n/2]
		} else {
			st.MedianInStock = (lens[n/2-1] + lens[n/2]) / 2
		}
	}
	return st, nil
}

// statsWorkers is the most series Stats reads at once (the store has four
// connections; the recorder keeps one).
var statsWorkers = 3

// seriesFold is what Stats read of one series.
type seriesFold struct {
	acc   statsAcc
	first int64
	err   error
}

// statsAcc adds up stays in stock into the figures of Stats.
type statsAcc struct {
	lens     []time.Duration // every stay's length
	restocks int
	heat     [][7][24]int // restocks per weekday and hour, per location
	last     []Interval   // the latest restocks, newest first (at most five)
}

func (a *statsAcc) add(iv Interval, locs []*time.Location) {
	a.lens = append(a.lens, iv.Duration())
	if !iv.Restock {
		return
	}
	a.restocks++
	for i, l := range locs {
		d, hr := weekHour(iv.Start, l)
		a.heat[i][d][hr]++
	}
	a.keepLast(iv)
}

// keepLast keeps iv if it is among the five latest; of restocks that
// start at the same instant, the one kept first stays first.
func (a *statsAcc) keepLast(iv Interval) {
	i := sort.Search(len(a.last), func(i int) bool { return a.last[i].Start.Before(iv.Start) })
	if i < 5 {
		a.last = append(a.last, Interval{})
		copy(a.last[i+1:], a.last[i:])
		a.last[i] = iv
		a.last = a.last[:min(5, len(a.last))]
	}
}

// merge adds b, the figures of a series read after a's (of restocks that
// start at the same instant, a's stay first; two of one series never do).
func (a *statsAcc) merge(b *statsAcc) {
	a.lens = append(a.lens, b.lens...)
	a.restocks += b.restocks
	for i := range a.heat {
		for d := range a.heat[i] {
			for h := range a.heat[i][d] {
				a.heat[i][d][h] += b.heat[i][d][h]
			}
		}
	}
	for _, iv := range b.last {
		a.keepLast(iv)
	}
}

// packBits is how many bits a value id takes in a packed change: ids below
// 1<<packBits let foldSeries read a change as one integer.
const packBits = 10

// wordTable names the value ids for foldSeries and says which are in stock
// (InStock): by index when every id packs, else by map.
type wordTable struct {
	packed    bool
	names     []string
	stock     []bool
	namesByID map[int64]string
	stockByID map[int64]bool
}

func newWordTable(vals map[int64]string) wordTable {
	w := wordTable{packed: true}
	for id := range vals {
		if id < 0 || id >= 1<<packBits {
			w.packed = false
		}
	}
	if !w.packed || forceUnpacked {
		w.packed = false
		w.namesByID, w.stockByID = vals, map[int64]bool{}
		for id, v := range vals {
			w.stockByID[id] = InStock(v)
		}
		return w
	}
	w.names, w.stock = make([]string, 1<<packBits), make([]bool, 1<<packBits)
	for id, v := range vals {
		w.names[id], w.stock[id] = v, InStock(v)
	}
	return w
}

// forceUnpacked makes foldSeries read changes column by column (tests).
var forceUnpacked = false

func (w *wordTable) name(id int64) string {
	if w.packed {
		return w.names[id]
	}
	return w.namesByID[id]
}

func (w *wordTable) inStock(id int64) bool {
	if w.packed {
		return w.stock[id]
	}
	return w.stockByID[id]
}

// weekHour is t's weekday and hour in loc, as t.In(loc).Weekday() and
// Hour() say, with one look-up of the zone instead of two.
func weekHour(t time.Time, loc *time.Location) (time.Weekday, int) {
	_, off := t.In(loc).Zone()
	sec := t.Unix() + int64(off)
	day := sec / 86400
	if sec < 0 && sec%86400 != 0 {
		day--
	}
	wd := (day + 4) % 7 // 1970-01-01 was a Thursday
	if wd < 0 {
		wd += 7
	}
	return time.Weekday(wd), int((sec - day*86400) / 3600)
}

// foldSeries calls add with each time series r was in stock within
// [from, to]; live says to is now (an interval still open then is ongoing).
// A stretch already in stock at from counts for time in stock but is no
// restock, and neither is a first sighting. It returns the time of the
// first change read (0: none). The changes are read as one integer each
// when the ids pack (a year of a busy fqn is some 12,000 rows: one column
// instead of three halves the reading).
func (s *Store) foldSeries(ctx context.Context, r seriesRow, w wordTable,
	from, to int64, live bool, add func(Interval)) (int64, error) {
	// Past the year 2248 the time does not pack.
	packed := w.packed && from >= 0 && to < 1<<(63-2*packBits)
	cols := `at_ms, from_id, to_id`
	if packed {
		cols = fmt.Sprintf(`(at_ms << %d) | (from_id << %d) | to_id`, 2*packBits, packBits)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+cols+` FROM availability_changes
		WHERE series_id = ? AND at_ms >= ? AND at_ms <= ? ORDER BY at_ms`, r.id, from, to)
	if err != nil {
		return 0, fmt.Errorf("history: read changes: %w", err)
	}
	defer rows.Close()
	var open Interval // the stretch in stock being read, when isOpen
	isOpen := false
	first := true
	var firstAt int64
	const mask = 1<<packBits - 1
	for rows.Next() {
		var at, fid, tid int64
		if packed {
			err = rows.Scan(&at)
			at, fid, tid = at>>(2*packBits), (at>>packBits)&mask, at&mask
		} else {
			err = rows.Scan(&at, &fid, &tid)
		}
		if err != nil {
			return 0, fmt.Errorf("history: read changes: %w", err)
		}
		if first {
			firstAt = at
		}
		if first && w.inStock(fid) && at > from {
			open, isOpen = Interval{FQN: r.fqn, DC: r.dc, Start: fromMS(from), Grade: w.name(fid)}, true
		}
		first = false
		switch {
		case !isOpen && w.inStock(tid):
			open, isOpen = Interval{FQN: r.fqn, DC: r.dc, Start: fromMS(at), Grade: w.name(tid), Restock: w.name(fid) != valueUnseen && !w.inStock(fid)}, true
		case isOpen && !w.inStock(tid):
			open.End = fromMS(at)
			add(open)
			isOpen = false
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("history: read changes: %w", err)
	}
	if first && InStock(r.value) && r.since <= to {
		open, isOpen = Interval{FQN: r.fqn, DC: r.dc, Start: fromMS(max(from, r.since)), Grade: r.value}, true
	}
	if isOpen {
		open.End = fromMS(to)
		open.Ongoing = live && InStock(r.value)
		add(open)
	}
	return firstAt, nil
}

// DCLine is the timeline of one DC: the segments of every fqn selected there.
type DCLine struct {
	DC       string
	Segments []Segment
}

// Buckets cuts [from, to) into n equal slots and returns, per slot, the
// best value any fqn held in it ("" when nothing was seen).
func (l DCLine) Buckets(from, to time.Time, n int) []string {
	out := make([]string, n)
	if n <= 0 || !to.After(from) {
		return out
	}
	step := to.Sub(from) / time.Duration(n)
	for i := range out {
		a := from.Add(time.Duration(i) * step)
		b := a.Add(step)
		for _, s := range l.Segments {
			if s.End.After(a) && s.Start.Before(b) && Better(s.Value, out[i]) {
				out[i] = s.Value
			}
		}
	}
	return out
}

// Timeline returns, per DC (sorted), the values of what f selects from
// f.Since to f.Until (or now).
func (s *Store) Timeline(ctx context.Context, f Filter, now time.Time) ([]DCLine, error) {
	from, to := f.bounds(now)
	rows, err := s.seriesOf(ctx, f)
	if err != nil {
		return nil, err
	}
	vals, _, _, err := s.valueNames(ctx)
	if err != nil {
		return nil, err
	}
	byDC := map[string]*DCLine{}
	var dcs []string
	for _, r := range rows {
		cs, err := s.changesOf(ctx, vals, r.id, from, to)
		if err != nil {
			return nil, err
		}
		l := byDC[r.dc]
		if l == nil {
			l = &DCLine{DC: r.dc}
			byDC[r.dc] = l
			dcs = append(dcs, r.dc)
		}
		l.Segments = append(l.Segments, segments(r, cs, from, to)...)
	}
	sort.Strings(dcs)
	out := make([]DCLine, 0, len(dcs))
	for _, dc := range dcs {
		out = append(out, *byDC[dc])
	}
	return out, nil
}

// Stock is what is known now of an offer or an entry's stock.
type Stock struct {
	// Best is the best value in stock now and BestDC where ("" when none).
	Best, BestDC string
	// LastIn and LastOut bound the latest time in stock: LastOut is zero
	// while it is still in stock (then LastIn is when it came back); both
	// are zero when it was never seen in stock.
	LastIn, LastOut time.Time
	// Restocks is how many restocks the last RestockWindow saw.
	Restocks int
	// Seen reports whether anything was ever recorded.
	Seen bool
}

// InStockNow reports whether some fqn and DC is in stock now.
func (s Stock) InStockNow() bool { return s.Best != "" }

// RestockWindow is the window Stock.Restocks counts over.
const RestockWindow = 30 * 24 * time.Hour

// add folds series r into s.
func (s *Stock) add(r seriesRow) {
	s.Seen = true
	if InStock(r.value) && (s.Best == "" || Better(r.value, s.Best)) {
		s.Best, s.BestDC = r.value, r.dc
	}
	if r.lastIn == 0 {
		return
	}
	in, out := fromMS(r.lastIn), fromMS(r.lastOut)
	switch {
	case r.lastOut == 0: // in stock now
		if s.LastOut.IsZero() && !s.LastIn.IsZero() && s.LastIn.Before(in) {
			return // an earlier return still running wins (the longer one)
		}
		s.LastIn, s.LastOut = in, time.Time{}
	case s.LastIn.IsZero() || (!s.LastOut.IsZero() && out.After(s.LastOut)):
		s.LastIn, s.LastOut = in, out
	}
}

// Offers returns the stock of every plan of subsidiary sub recorded, keyed
// by planCode, with the restocks of the RestockWindow before now. It reads
// the series (their value now and last time in stock) and the restock
// summaries, never the changes themselves: the browser asks it for its
// whole list. The restocks are counted on a connection of their own while
// the series are read.
func (s *Store) Offers(ctx context.Context, sub string, now time.Time) (map[string]Stock, error) {
	var counts map[string]int
	var countErr error
	counted := make(chan struct{})
	go func() {
		defer close(counted)
		counts, countErr = s.planRestocks(ctx, sub, ms(now.Add(-RestockWindow)))
	}()
	defer func() { <-counted }() // never leave it running
	vals, _, _, err := s.valueNames(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT plan_code, datacenter, value_id, last_in_ms, last_out_ms
		FROM series WHERE subsidiary = ? ORDER BY datacenter, fqn`, sub)
	if err != nil {
		return nil, fmt.Errorf("history: read series: %w", err)
	}
	defer rows.Close()
	out := map[string]Stock{}
	for rows.Next() {
		var r seriesRow
		var vid int64
		if err := rows.Scan(&r.plan, &r.dc, &vid, &r.lastIn, &r.lastOut); err != nil {
			return nil, fmt.Errorf("history: read series: %w", err)
		}
		r.value = vals[vid]
		st := out[r.plan]
		st.add(r)
		out[r.plan] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: read series: %w", err)
	}
	<-counted
	if countErr != nil {
		return nil, countErr
	}
	for plan, n := range counts {
		st := out[plan]
		st.Restocks = n
		out[plan] = st
	}
	return out, nil
}

// dayMS is a UTC day in milliseconds: the bucket of restock_days.
const dayMS = 24 * 60 * 60 * 1000

// planRestocks counts the restocks of every plan of subsidiary sub since
// since (ms): the whole UTC days after since's from restock_days, and the
// rest of since's own day from the restocks log (or the changes, when the
// log does not reach back that far), so that the count is exactly that of
// the changes.
func (s *Store) planRestocks(ctx context.Context, sub string, since int64) (map[string]int, error) {
	day := since / dayMS
	if since < 0 && since%dayMS != 0 {
		day-- // floor: the day since falls in
	}
	// One statement, one snapshot: whole days, then since's day from the
	// restocks log when it reaches back to since, else from the changes.
	rows, err := s.db.QueryContext(ctx, `SELECT plan_code, sum(n) FROM (
			SELECT plan_code, restocks AS n FROM restock_days WHERE subsidiary = ?1 AND day > ?2
			UNION ALL
			SELECT s.plan_code, 1 FROM restocks r JOIN series s ON s.id = r.series_id
			WHERE r.subsidiary = ?1 AND r.at_ms >= ?3 AND r.at_ms < ?4 AND ?3 >= (SELECT at_ms FROM restocks_since)
			UNION ALL
			SELECT s.plan_code, 1 FROM series s JOIN availability_changes c ON c.series_id = s.id
			WHERE ?3 < (SELECT at_ms FROM restocks_since) AND s.subsidiary = ?1 AND c.at_ms >= ?3 AND c.at_ms < ?4
				AND c.from_id != 0 AND c.from_id IN (SELECT id FROM availability_values WHERE in_stock = 0)
				AND c.to_id IN (SELECT id FROM availability_values WHERE in_stock = 1)
		) GROUP BY plan_code`, sub, day, since, (day+1)*dayMS)
	if err != nil {
		return nil, fmt.Errorf("history: count restocks: %w", err)
	}
	defer rows.Close()
	res := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("history: count restocks: %w", err)
		}
		if n > 0 {
			res[k] = n
		}
	}
	return res, rows.Err()
}

// StockOf returns the stock of what f selects (an fqn and its DCs, or a
// plan), with the restocks of the RestockWindow before now.
func (s *Store) StockOf(ctx context.Context, f Filter, now time.Time) (Stock, error) {
	rows, err := s.seriesOf(ctx, f)
	if err != nil {
		return Stock{}, err
	}
	var st Stock
	for _, r := range rows {
		st.add(r)
	}
	counts, err := s.restockCounts(ctx, f, ms(now.Add(-RestockWindow)), "''")
	if err != nil {
		return st, err
	}
	st.Restocks = counts[""]
	return st, nil
}

// restockCounts counts restocks since since per group (an SQL expression
// over series s).
func (s *Store) restockCounts(ctx context.Context, f Filter, since int64, group string) (map[string]int, error) {
	_, in, out, err := s.valueNames(ctx)
	if err != nil {
		return nil, err
	}
	res := map[string]int{}
	if len(in) == 0 || len(out) == 0 {
		return res, nil
	}
	w, args := f.where()
	args = append(args, since)
	rows, err := s.db.QueryContext(ctx, `SELECT `+group+`, count(*) FROM series s
		JOIN availability_changes c ON c.series_id = s.id
		WHERE `+w+` AND c.at_ms >= ? AND c.to_id IN (`+idList(in)+`) AND c.from_id IN (`+idList(out)+`)
		GROUP BY 1`, args...)
	if err != nil {
		return nil, fmt.Errorf("history: count restocks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, fmt.Errorf("history: count restocks: %w", err)
		}
		res[k] = n
	}
	return res, rows.Err()
}

// idList writes ids as an SQL list (integers from the database only).
func idList(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}
