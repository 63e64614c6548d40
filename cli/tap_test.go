package cli

import (
	"testing"

	"github.com/ovhtui/ovhtui/order"
)

// TestTapEveryConsumerSeesEveryEvent: the front end and each listener get
// the same events in the same order, and the output closes after the input.
func TestTapEveryConsumerSeesEveryEvent(t *testing.T) {
	t.Parallel()
	in := make(chan order.Event)
	var a, b []int64
	out, _ := tapEvents(in,
		func(ev order.Event) { a = append(a, ev.(order.OrderPlaced).OrderID) },
		func(ev order.Event) { b = append(b, ev.(order.OrderPlaced).OrderID) },
	)
	go func() {
		for i := int64(1); i <= 500; i++ {
			in <- order.OrderPlaced{OrderID: i}
		}
		close(in)
	}()
	var got []int64
	for ev := range out {
		got = append(got, ev.(order.OrderPlaced).OrderID)
	}
	// The listeners ran on the tap's goroutine, before the channel closed.
	for name, s := range map[string][]int64{"front end": got, "listener a": a, "listener b": b} {
		if len(s) != 500 {
			t.Fatalf("%s saw %d events, want 500", name, len(s))
		}
		for i, id := range s {
			if id != int64(i+1) {
				t.Fatalf("%s: event %d is order %d, want %d", name, i, id, i+1)
			}
		}
	}
}

// TestTapStalledFrontEndHoldsNothingBack: while nobody reads the front
// end's channel, the engine side and the listeners still go on; order
// events are all kept, frequent ones dropped past the backlog bound.
func TestTapStalledFrontEndHoldsNothingBack(t *testing.T) {
	t.Parallel()
	in := make(chan order.Event)
	seen := make(chan order.Event, 10_000)
	out, heard := tapEvents(in, func(ev order.Event) { seen <- ev })
	const orders, polls = 50, 3000
	for i := range polls {
		in <- order.PollOK{Entries: i} // would block if the tap waited for the front end
		if i%60 == 0 {
			in <- order.OrderPlaced{OrderID: int64(i)}
		}
	}
	close(in)
	<-heard // the listener has had every event, though nobody read out yet
	if len(seen) != polls+orders {
		t.Fatalf("listener saw %d events before the front end read any, want %d", len(seen), polls+orders)
	}
	var gotOrders, gotPolls int
	for ev := range out {
		switch ev.(type) {
		case order.OrderPlaced:
			gotOrders++
		case order.PollOK:
			gotPolls++
		}
	}
	// out closed: every listener call is done.
	if len(seen) != polls+orders {
		t.Fatalf("listener saw %d events, want %d", len(seen), polls+orders)
	}
	if gotOrders != orders {
		t.Errorf("front end got %d orders, want all %d", gotOrders, orders)
	}
	if gotPolls >= polls || gotPolls < maxTapBacklog-orders {
		t.Errorf("front end got %d polls: want some dropped past the backlog bound, not all", gotPolls)
	}
}
