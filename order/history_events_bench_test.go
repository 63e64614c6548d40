package order

import (
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/ovhapi"
)

// BenchmarkRadarOnThePath is all the restock radar adds on the engine's
// side of a poll: handing the answer over as an AvailabilitySeen event
// (after the decision; a queue append, the answer shared, not copied). The
// recording itself runs on the fan-out and the recorder's goroutines. One
// wanted poll's answer (2 fqns x 3 DCs), and one sweep answer of the whole
// IE feed (~9,000 entries, the same cost: the slice is shared).
//
//	go test ./order -run '^$' -bench RadarOnThePath
func BenchmarkRadarOnThePath(b *testing.B) {
	for _, c := range []struct {
		name  string
		items int
	}{{"wanted-poll", 2}, {"sweep", 9000}} {
		b.Run(c.name, func(b *testing.B) {
			e := New(Config{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				for range e.Events() { // the fan-out, draining
				}
			}()
			items := make([]ovhapi.Availability, c.items)
			for i := range items {
				items[i] = ovhapi.Availability{PlanCode: "p", FQN: "p.f", Datacenters: []ovhapi.DCAvailability{{Datacenter: "gra", Availability: "unavailable"}, {Datacenter: "rbx", Availability: "unavailable"}, {Datacenter: "fra", Availability: "unavailable"}}}
			}
			at := time.Now()
			for b.Loop() {
				e.emit(AvailabilitySeen{Base: Base{Time: at}, Subsidiary: "IE", PlanCode: "p", Items: items})
			}
			e.events.close()
			<-done
		})
	}
}
