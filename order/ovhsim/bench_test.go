package ovhsim

import (
	"net/http/httptest"
	"testing"
)

func benchSim(b *testing.B) *Sim {
	b.Helper()
	sim, err := New(testCatalog(b), Options{Now: newFakeClock().Now})
	if err != nil {
		b.Fatal(err)
	}
	return sim
}

// BenchmarkAvailabilityUnfiltered measures serving the whole ~9,000-entry
// feed (pre-encoded) through the handler.
func BenchmarkAvailabilityUnfiltered(b *testing.B) {
	sim := benchSim(b)
	req := httptest.NewRequest("GET", "/1.0"+availPath, nil)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)
		n = rec.Body.Len()
	}
	b.ReportMetric(float64(n), "bytes/response")
}

// BenchmarkAvailabilityUnfilteredAfterChange measures the feed when every
// request follows an availability change (cache rebuilt each time).
func BenchmarkAvailabilityUnfilteredAfterChange(b *testing.B) {
	sim := benchSim(b)
	req := httptest.NewRequest("GET", "/1.0"+availPath, nil)
	vals := []string{Avail1HLow, AvailUnavailable}
	i := 0
	for b.Loop() {
		sim.SetAvailability(testFQN, "fra", vals[i%2])
		i++
		sim.ServeHTTP(httptest.NewRecorder(), req)
	}
}

// BenchmarkAvailabilityFiltered measures one poll filtered to one plan.
func BenchmarkAvailabilityFiltered(b *testing.B) {
	sim := benchSim(b)
	req := httptest.NewRequest("GET", "/1.0"+availPath+"?planCode="+testPlan+"&datacenters=fra,gra", nil)
	b.ReportAllocs()
	var n int
	for b.Loop() {
		rec := httptest.NewRecorder()
		sim.ServeHTTP(rec, req)
		n = rec.Body.Len()
	}
	b.ReportMetric(float64(n), "bytes/response")
}
