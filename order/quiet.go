package order

import "sync"

// The engine's checkouts write to disk on their way to OVH (the
// preferences file and the journal, each synced), and a sync waits for
// whatever else the same disk is writing. Background disk work, the restock
// radar's writes above all, waits while a checkout is under way (Quiet), so
// that it never shares the disk with one: measured, a history write landing
// beside a checkout's syncs tripled the time from the poll seeing the DC
// orderable to the checkout leaving (history/latency_bench_test.go).

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
