package serve

// BenchmarkReactionUnderSSHLoad measures what SSH sessions and hostile
// connections cost the engine: from the moment the engine records the poll
// that shows a DC orderable to the moment the checkout request arrives at
// the simulator, with --poll 1s, over 10 flips; with no session, then with 5
// sessions attached (each drawing the dashboard) while 200 bad connections
// are made (100 with a key that is not authorized, 100 that connect and
// never speak, held until the handshake timeout). The failure limit is
// raised for the run so that every bad connection costs a full handshake,
// the worst case. It measures, it does not assert:
//
//	go test -run '^$' -bench ReactionUnderSSHLoad -benchtime 1x ./serve/

import (
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/prefs"
)

func BenchmarkReactionUnderSSHLoad(b *testing.B) {
	for _, load := range []struct {
		name     string
		sessions int
		bad      int
	}{{"none", 0, 0}, {"5sessions+200bad", 5, 200}} {
		b.Run(load.name, func(b *testing.B) {
			e := startEnv(b, envOpts{limits: Limits{MaxFailures: 1 << 20}})
			var terms []*term
			for range load.sessions {
				tm := e.open(e.rw)
				tm.waitFor(simPlan)
				terms = append(terms, tm)
			}
			arrivals := make(chan time.Time, 4)
			e.sim.OnRequest(func(r ovhsim.Request) {
				if r.Method == "POST" && strings.HasSuffix(r.Path, "/checkout") {
					arrivals <- time.Now()
				}
			})
			events, _, stop := e.hub.Subscribe()
			defer stop()
			cartsReady := func() {
				// The engine says so in its state: the cart in gra is ready.
				deadline := time.After(waitTimeout)
				for {
					select {
					case ev := <-events:
						if st, ok := ev.(interface{ Message() string }); ok && strings.HasPrefix(st.Message(), "cart ") && strings.Contains(st.Message(), " ready in gra") {
							return
						}
					case <-deadline:
						b.Fatal("no cart")
					}
				}
			}
			// The bad connections run throughout the flips.
			badDone := make(chan struct{})
			go func() {
				defer close(badDone)
				var wg sync.WaitGroup
				for i := range load.bad {
					wg.Add(1)
					go func() {
						defer wg.Done()
						if i%2 == 0 {
							if c, err := e.dial(gossh.PublicKeys(e.stranger)); err == nil {
								c.Close()
							}
							return
						}
						c, err := net.Dial("tcp", e.addr)
						if err == nil {
							buf := make([]byte, 256)
							_ = c.SetReadDeadline(time.Now().Add(2 * handshakeTimeout))
							for {
								if _, err := c.Read(buf); err != nil {
									break
								}
							}
							c.Close()
						}
					}()
					time.Sleep(50 * time.Millisecond) // spread over the run, as a scanner would
				}
				wg.Wait()
			}()
			const flips = 10
			var lat []time.Duration
			b.ResetTimer()
			for range flips {
				cartsReady()
				e.sim.SetAvailability(simFQN, "gra", "1H-high")
				// The engine's own record of the poll that showed it, then
				// its order.
				var seen time.Time
				deadline := time.After(waitTimeout)
			placed:
				for {
					select {
					case ev := <-events:
						switch ev := ev.(type) {
						case order.AvailabilityChanged:
							if ev.DC == "gra" && ev.Orderable && seen.IsZero() {
								seen = ev.Time
							}
						case order.OrderPlaced:
							break placed
						}
					case <-deadline:
						b.Fatal("no order")
					}
				}
				lat = append(lat, (<-arrivals).Sub(seen))
				e.sim.SetAvailability(simFQN, "gra", "unavailable")
				if err := e.store.Update("bench: want again", func(f *prefs.File) error {
					_, err := f.Servers[0].BuyAgain(1)
					return err
				}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			<-badDone
			b.Logf("%s: %v", load.name, lat)
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "p100-ms")
			b.ReportMetric(float64(e.srv.Sessions()), "sessions")
			for _, tm := range terms {
				tm.close()
			}
		})
	}
}
