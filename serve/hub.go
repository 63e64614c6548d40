package serve

import (
	"sync"

	"github.com/ovhtui/ovhtui/order"
)

// Hub broadcasts the engine's events to every SSH session. It is a
// listener of the event fan-out (Publish never blocks), and each session
// subscribes for its own channel, which starts with what a UI needs to
// show the current state: the recent log lines, the last poll and the
// engine's last published state of every entry.
type Hub struct {
	mu     sync.Mutex
	subs   map[*subscription]struct{}
	closed bool

	recent   []order.Event // the last replayLines log-worthy events, oldest first
	lastPoll order.Event   // the last PollOK
	states   order.Event   // the last EntryStatesChanged
	unpaid   order.Event   // the last UnpaidOrders
}

// replayLines is how many recent events a new session's log pane starts with.
const replayLines = 300

// maxSessionBacklog is how many events may wait for one session before
// the frequent ones are dropped for it; cutBacklog is how many before the
// session is cut off (it stopped reading: its terminal is gone or stuck).
const (
	maxSessionBacklog = 1024
	cutBacklog        = 8192
)

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[*subscription]struct{}{}} }

// Publish hands ev to every subscriber and remembers what a later one needs.
// It never blocks.
func (h *Hub) Publish(ev order.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	switch ev.(type) {
	case order.PollOK:
		h.lastPoll = ev
	case order.EntryStatesChanged:
		h.states = ev
	case order.UnpaidOrders:
		h.unpaid = ev
	case order.StatusChanged:
	default:
		h.recent = append(h.recent, ev)
		if len(h.recent) > replayLines {
			h.recent = append(h.recent[:0], h.recent[len(h.recent)-replayLines:]...)
		}
	}
	for s := range h.subs {
		if !s.push(ev) {
			delete(h.subs, s)
		}
	}
}

// Close ends every subscription (the engine stopped): each channel is
// closed; a later subscription gets the replay, then its channel closes.
func (h *Hub) Close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		s.close()
	}
	h.subs = map[*subscription]struct{}{}
}

// Subscribe returns a channel of events starting with the current state
// (the first replayed events are the recent past, not news), and
// a function that ends the subscription (the channel is then closed). The
// channel is also closed when the hub closes, or when the subscriber stops
// reading for cutBacklog events.
func (h *Hub) Subscribe() (events <-chan order.Event, replayed int, stop func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := newSubscription()
	for _, ev := range h.recent {
		s.push(ev)
		replayed++
	}
	// Then the latest state (it rings nothing; a newer one may replace it
	// in the queue, so it is not counted).
	for _, ev := range []order.Event{h.unpaid, h.lastPoll, h.states} {
		if ev != nil {
			s.push(ev)
		}
	}
	if h.closed {
		s.close()
	} else {
		h.subs[s] = struct{}{}
	}
	return s.out, replayed, func() {
		h.mu.Lock()
		delete(h.subs, s)
		h.mu.Unlock()
		s.close()
	}
}

// Sessions is the number of subscriptions.
func (h *Hub) Sessions() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// subscription is one session's queue: push never blocks, a pump feeds out.
type subscription struct {
	mu     sync.Mutex
	q      []order.Event
	closed bool
	signal chan struct{}
	done   chan struct{} // closed by close: the pump stops at once
	out    chan order.Event
}

func newSubscription() *subscription {
	s := &subscription{signal: make(chan struct{}, 1), done: make(chan struct{}), out: make(chan order.Event, 64)}
	go s.pump()
	return s
}

// push queues ev; false when the subscriber is cut off (or closed).
func (s *subscription) push(ev order.Event) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	switch {
	case len(s.q) >= cutBacklog:
		s.mu.Unlock()
		s.close()
		return false
	case len(s.q) >= maxSessionBacklog && order.Droppable(ev):
		s.mu.Unlock()
		return true
	}
	if _, ok := ev.(order.EntryStatesChanged); ok {
		// Only the latest state matters: drop one still queued.
		for i, old := range s.q {
			if _, ok := old.(order.EntryStatesChanged); ok {
				s.q = append(s.q[:i], s.q[i+1:]...)
				break
			}
		}
	}
	s.q = append(s.q, ev)
	s.mu.Unlock()
	select {
	case s.signal <- struct{}{}:
	default:
	}
	return true
}

func (s *subscription) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.done)
	}
}

// pump delivers the queue in order until closed; a closed subscription
// delivers nothing more (its session is leaving) and closes out.
func (s *subscription) pump() {
	defer close(s.out)
	for {
		s.mu.Lock()
		if len(s.q) == 0 {
			s.mu.Unlock()
			select {
			case <-s.signal:
				continue
			case <-s.done:
				return
			}
		}
		ev := s.q[0]
		s.q[0] = nil
		s.q = s.q[1:]
		s.mu.Unlock()
		select {
		case s.out <- ev:
		case <-s.done:
			return
		}
	}
}
