package cli

import "github.com/ovhtui/ovhtui/order"

// maxTapBacklog is how many events may wait for the front end before the
// tap drops the frequent ones (order.Droppable), as the engine's own queue does.
const maxTapBacklog = 1024

// tapEvents fans the engine's events out. Each event goes first to every
// listener, then to the returned channel, which the UI or the headless
// printer drains. A listener must not block: it keeps what it wants in a
// queue of its own (the notifier's is bounded). The returned channel is fed
// from an unbounded backlog, so a slow front end holds back neither the
// engine nor the listeners; like the engine's queue, only order.Droppable
// events are dropped, and only while maxTapBacklog events wait. The channel
// is closed once events is closed and the backlog delivered; heard is
// closed as soon as the listeners have had the last event.
func tapEvents(events <-chan order.Event, listeners ...func(order.Event)) (out <-chan order.Event, heard <-chan struct{}) {
	o := make(chan order.Event, 256)
	h := make(chan struct{})
	go func() {
		defer close(o)
		var backlog []order.Event
		in := events
		for in != nil || len(backlog) > 0 {
			var send chan<- order.Event
			var next order.Event
			if len(backlog) > 0 {
				send, next = o, backlog[0]
			}
			select {
			case ev, ok := <-in:
				if !ok {
					in = nil
					close(h)
					continue
				}
				for _, l := range listeners {
					l(ev)
				}
				if len(backlog) >= maxTapBacklog && order.Droppable(ev) {
					continue
				}
				backlog = append(backlog, ev)
			case send <- next:
				backlog[0] = nil
				backlog = backlog[1:]
			}
		}
	}()
	return o, h
}
