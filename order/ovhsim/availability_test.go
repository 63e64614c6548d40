package ovhsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"
)

type availResp struct {
	FQN         string `json:"fqn"`
	PlanCode    string `json:"planCode"`
	Server      string `json:"server"`
	Memory      string `json:"memory"`
	Storage     string `json:"storage"`
	Datacenters []struct {
		Datacenter   string `json:"datacenter"`
		Availability string `json:"availability"`
	} `json:"datacenters"`
}

func (e *env) avail(t *testing.T, query string) ([]availResp, error) {
	t.Helper()
	var out []availResp
	err := e.client.GetUnAuth("/dedicated/server/datacenter/availabilities"+query, &out)
	return out, err
}

func dcValues(a availResp) map[string]string {
	m := map[string]string{}
	for _, d := range a.Datacenters {
		m[d.Datacenter] = d.Availability
	}
	return m
}

func TestAvailabilityFilteredByPlanCode(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.SetAvailability(testFQN, "fra", Avail72H)
	got, err := e.avail(t, "?planCode="+testPlan)
	if err != nil {
		t.Fatal(err)
	}
	var fqns []string
	for _, a := range got {
		fqns = append(fqns, a.FQN)
	}
	slices.Sort(fqns)
	want := []string{"25skleb01.ram-32g-ecc-2400.softraid-2x2000sa", testFQN}
	if !slices.Equal(fqns, want) {
		t.Fatalf("fqns = %v, want %v", fqns, want)
	}
	for _, a := range got {
		if a.PlanCode != testPlan || a.Server != testPlan || a.Memory != "ram-32g-ecc-2400" {
			t.Errorf("entry = %+v", a)
		}
		v := dcValues(a)
		if len(v) != 2 || v["gra"] != AvailUnavailable {
			t.Errorf("%s datacenters = %v", a.FQN, v)
		}
		if a.FQN == testFQN && v["fra"] != Avail72H {
			t.Errorf("%s fra = %q, want 72H", a.FQN, v["fra"])
		}
	}
}

func TestAvailabilityFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.badRequests = true // sends requests the schema refuses, on purpose
	got, err := e.avail(t, "?planCode="+testPlan+"&storage=softraid-2x450nvme&datacenters=fra")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].FQN != testFQN || len(got[0].Datacenters) != 1 || got[0].Datacenters[0].Datacenter != "fra" {
		t.Fatalf("storage+datacenters filter = %+v", got)
	}
	got, err = e.avail(t, "?planCode="+testPlan+"&datacenters=fra&excludeDatacenters=true")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range got {
		if v := dcValues(a); len(v) != 1 || v["gra"] == "" {
			t.Fatalf("excludeDatacenters: %s datacenters = %v", a.FQN, v)
		}
	}
	got, err = e.avail(t, "?memory=ram-32g-ecc-2400&server="+testPlan)
	if err != nil || len(got) != 2 {
		t.Fatalf("memory+server filter: %d entries, %v", len(got), err)
	}
	// A DC the plan is not sold in, an unknown plan, several planCodes.
	for _, q := range []string{"?planCode=" + testPlan + "&datacenters=bhs", "?planCode=nope", "?planCode=" + testPlan + ",24sk10"} {
		_, err := e.avail(t, q)
		wantAPIError(t, err, 404, "No availabilities found")
	}
	_, err = e.avail(t, "?planCode="+testPlan+"&excludeDatacenters=maybe")
	wantAPIError(t, err, 400, "")
}

func TestAvailabilityUnfilteredIsRealSize(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	resp, err := http.Get(e.srv.URL + "/1.0/dedicated/server/datacenter/availabilities")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var all []availResp
	if err := json.Unmarshal(body, &all); err != nil {
		t.Fatal(err)
	}
	if len(all) < 8500 || len(all) > 9500 {
		t.Fatalf("unfiltered feed has %d entries, want about 9000", len(all))
	}
	if len(body) < 2<<20 {
		t.Fatalf("unfiltered feed is %d bytes, want megabytes", len(body))
	}
	seen := map[string]bool{}
	for _, a := range all {
		if seen[a.FQN] {
			t.Fatalf("duplicate fqn %s", a.FQN)
		}
		seen[a.FQN] = true
	}
	// The pre-encoded feed follows changes.
	e.sim.SetAvailability(testFQN, "gra", Avail1HLow)
	resp, err = http.Get(e.srv.URL + "/1.0/dedicated/server/datacenter/availabilities")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	i := bytes.Index(again, []byte(`{"fqn":"`+testFQN+`"`))
	var entry availResp
	if i < 0 || json.NewDecoder(bytes.NewReader(again[i:])).Decode(&entry) != nil || dcValues(entry)["gra"] != Avail1HLow {
		t.Fatalf("unfiltered feed does not show the change: %+v", entry)
	}
	// A filtered poll for one plan is a tiny fraction of it.
	reqs := e.sim.Requests()
	before := len(reqs)
	if _, err := e.avail(t, "?planCode="+testPlan); err != nil {
		t.Fatal(err)
	}
	reqs = e.sim.Requests()
	if n := reqs[before].BytesOut; n*100 > len(body) {
		t.Fatalf("filtered poll %d bytes vs unfiltered %d", n, len(body))
	}
}

func TestSetAvailabilityUnknownFQNAddsEntry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.SetAvailability("26new01.ram-64g.softraid-2x1000nvme", "rbx", Avail24H)
	got, err := e.avail(t, "?planCode=26new01")
	if err != nil || len(got) != 1 || got[0].Memory != "ram-64g" || dcValues(got[0])["rbx"] != Avail24H {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestTimelineAppliedLazily(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.SetTimeline([]Step{
		{At: 10 * time.Minute, FQN: testFQN, DC: "fra", Value: Avail1HHigh},
		{At: 20 * time.Minute, FQN: testFQN, DC: "fra", Value: AvailUnavailable},
	})
	check := func(want string) {
		t.Helper()
		got, err := e.avail(t, "?planCode="+testPlan+"&storage=softraid-2x450nvme")
		if err != nil {
			t.Fatal(err)
		}
		if v := dcValues(got[0])["fra"]; v != want {
			t.Fatalf("fra = %q, want %q", v, want)
		}
	}
	check(AvailUnavailable)
	e.clock.Advance(10 * time.Minute)
	check(Avail1HHigh)
	if v := e.sim.Availability(testFQN, "fra"); v != Avail1HHigh {
		t.Fatalf("Availability = %q", v)
	}
	e.clock.Advance(15 * time.Minute)
	check(AvailUnavailable)
}

func TestStockLimitsOrders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.sim.SetAvailability(testFQN, "fra", Avail1HLow)
	e.sim.SetStock(testFQN, "fra", 1)
	id1, _ := e.buildCart(t, defaultSpec())
	id2, _ := e.buildCart(t, defaultSpec())
	if err := e.client.Post("/order/cart/"+id1+"/checkout", checkoutBody(false), nil); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, e.client.Post("/order/cart/"+id2+"/checkout", checkoutBody(false), nil), 400, testFQN+" is not available in fra")
	if v := e.sim.Availability(testFQN, "fra"); v != AvailUnavailable {
		t.Fatalf("after stock ran out: %q", v)
	}
}
