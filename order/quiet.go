package order

import "sync"

// The engine's checkouts write to disk on their way to OVH (the
// preferences file and the journal, each synced), and a sync may wait for
// whatever else the same disk is writing. Background disk work, the restock
// radar's writes above all, waits while a checkout is under way (Quiet), so
// that it never shares the disk with one. The radar hears of a poll's
// answer just after the decision that starts its checkout, so without the
// wait its write lands right beside the checkout's syncs. Waiting costs
// the history only a delay of its writes. (One run of
// history/latency_bench_test.go on a loaded machine measured a p50 of 31 ms
// with such writes against 10 ms without; later runs did not show it.)

// quietGate counts the checkouts under way.
type quietGate struct {
	mu   sync.Mutex
	n    int
	done chan struct{} // closed when n drops to 0
}

func (q *quietGate) begin() {
	q.mu.Lock()
	if q.n == 0 {
		q.done = make(chan struct{})
	}
	q.n++
	q.mu.Unlock()
}

func (q *quietGate) end() {
	q.mu.Lock()
	q.n--
	if q.n == 0 {
		close(q.done)
	}
	q.mu.Unlock()
}

func (q *quietGate) wait() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == 0 {
		return nil
	}
	return q.done
}

// Quiet returns nil when no checkout is under way, else a channel closed
// once none is: background disk work waits on it (see above). A checkout
// counts from the decision that starts it to its outcome saved; the
// caller bounds its own wait.
func (e *Engine) Quiet() <-chan struct{} { return e.quiet.wait() }
