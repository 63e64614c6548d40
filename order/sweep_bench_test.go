package order

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/ovhtui/ovhtui/order/ovhsim"
)

// BenchmarkSweepCost is the request cost of one background sweep round of
// the IE eco feed, both ways, against the simulator with the real feed's
// size (~9,000 entries): requests, bytes as served, and bytes gzipped.
//
//	go test ./order -run '^$' -bench SweepCost -benchtime 1x
func BenchmarkSweepCost(b *testing.B) {
	sim, err := ovhsim.New(catalogJSON(b), ovhsim.Options{})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(sim)
	sim.Install(srv.Config)
	srv.Start()
	defer srv.Close()
	env := &simEnv{sim: sim, srv: srv}
	api := env.client(b)
	cat := sweepCatalog(b)
	gz := func(v any) int {
		raw, _ := json.Marshal(v)
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(raw)
		w.Close()
		return buf.Len()
	}
	for b.Loop() {
		whole, err := api.Availability(context.Background(), "", nil)
		if err != nil {
			b.Fatal(err)
		}
		wholeRaw, _ := json.Marshal(whole)
		wholeGz := gz(whole)
		planRaw, planGz := 0, 0
		for _, o := range cat.c.Offers {
			items, err := api.Availability(context.Background(), o.PlanCode, nil)
			if err != nil {
				b.Fatal(err)
			}
			raw, _ := json.Marshal(items)
			planRaw += len(raw)
			planGz += gz(items)
		}
		b.ReportMetric(1, "whole-requests")
		b.ReportMetric(float64(len(wholeRaw))/1e3, "whole-kB")
		b.ReportMetric(float64(wholeGz)/1e3, "whole-gzip-kB")
		b.ReportMetric(float64(len(cat.c.Offers)), "perplan-requests")
		b.ReportMetric(float64(planRaw)/1e3, "perplan-kB")
		b.ReportMetric(float64(planGz)/1e3, "perplan-gzip-kB")
	}
}
