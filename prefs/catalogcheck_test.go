package prefs

import (
	"os"
	"strings"
	"testing"

	"github.com/ovhtui/ovhtui/catalog"
)

func ieCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	b, err := os.ReadFile("../testdata/eco-catalog-IE.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.Parse(b, catalog.ParseOptions{Subsidiary: "IE"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCheckProblems: what the catalog knows fails at runtime is found by
// --check (issue 12.10). Each case changes one thing of a good entry.
func TestCheckProblems(t *testing.T) {
	cat := ieCatalog(t)
	good := func() Server {
		return Server{
			PlanCode:       "24sk50",
			FQN:            "24sk50.ram-32g-ecc-2400.softraid-2x2000sa",
			Datacenters:    []Datacenter{{Region: "europe", Datacenter: "gra"}, {Region: "canada", Datacenter: "bhs"}},
			AddonPlanCodes: []string{"bandwidth-300-24sk", "ram-32g-ecc-2400-24sk50", "softraid-2x2000sa-24sk50"},
			Qty:            1,
			CeilingPrice:   60,
		}
	}
	fetch := func(kv ...string) *StringMap {
		m := &StringMap{}
		for i := 0; i+1 < len(kv); i += 2 {
			m.Set(kv[i], kv[i+1])
		}
		return m
	}
	for _, tc := range []struct {
		name     string
		change   func(s *Server)
		noCat    bool
		wantPath string // "" = no problem
		wantMsg  string
	}{
		{name: "good entry", change: func(s *Server) {}},
		{name: "qty 0 is not checked", change: func(s *Server) { s.Qty = 0; s.PlanCode = "nope"; s.CeilingPrice = 0 }},
		{name: "unknown planCode", change: func(s *Server) { s.PlanCode = "24sk99"; s.FQN = "24sk99.a.b" },
			wantPath: "user_servers[0].planCode", wantMsg: `"24sk99" is not in the IE eco catalog`},
		{name: "unknown DC", change: func(s *Server) { s.Datacenters[1].Datacenter = "xyz" },
			wantPath: "user_servers[0].datacenters[1].dedicated_datacenter", wantMsg: `"xyz" is not a datacenter of 24sk50 (it is sold in: bhs, fra, gra`},
		{name: "DC of another plan", change: func(s *Server) {
			s.PlanCode, s.FQN = "25skleb01", "25skleb01.ram-32g-ecc-2400.softraid-2x2000sa"
			s.AddonPlanCodes = []string{"bandwidth-300-25skle", "ram-32g-ecc-2400-25skle", "softraid-2x2000sa-25skle"}
		}, wantPath: "user_servers[0].datacenters[1].dedicated_datacenter", wantMsg: `"bhs" is not a datacenter of 25skleb01`},
		{name: "unknown region", change: func(s *Server) { s.Datacenters[0].Region = "asia" },
			wantPath: "user_servers[0].datacenters[0].region", wantMsg: `"asia" is not a region of 24sk50 (regions: canada, europe)`},
		{name: "fqn not a variant", change: func(s *Server) { s.FQN = "24sk50.ram-16g-ecc-2400.softraid-2x2000sa" },
			wantPath: "user_servers[0].fqn", wantMsg: "is not a variant of 24sk50 in the catalog (memory: ram-32g-ecc-2400, ram-64g-ecc-2400; storage: softraid-2x2000sa, softraid-2x450nvme)"},
		{name: "fqn memory disagrees with the addon", change: func(s *Server) { s.FQN = "24sk50.ram-64g-ecc-2400.softraid-2x2000sa" },
			wantPath: "user_servers[0].addon_planCodes[1]", wantMsg: `"ram-32g-ecc-2400-24sk50" is memory ram-32g-ecc-2400, but the fqn says ram-64g-ecc-2400`},
		{name: "fqn storage disagrees with the addon", change: func(s *Server) { s.AddonPlanCodes[2] = "softraid-2x450nvme-24sk50" },
			wantPath: "user_servers[0].addon_planCodes[2]", wantMsg: "is storage softraid-2x450nvme, but the fqn says softraid-2x2000sa"},
		{name: "two addons of one family", change: func(s *Server) { s.AddonPlanCodes = append(s.AddonPlanCodes, "ram-64g-ecc-2400-24sk50") },
			wantPath: "user_servers[0].addon_planCodes[3]", wantMsg: `"ram-64g-ecc-2400-24sk50" is a second memory addon (also addon_planCodes[1])`},
		{name: "addon of another plan", change: func(s *Server) { s.AddonPlanCodes[0] = "bandwidth-300-25skle" },
			wantPath: "user_servers[0].addon_planCodes[0]", wantMsg: `"bandwidth-300-25skle" is an addon of another plan, not of 24sk50`},
		{name: "addon not in the catalog", change: func(s *Server) { s.AddonPlanCodes[0] = "bandwidth-9000" },
			wantPath: "user_servers[0].addon_planCodes[0]", wantMsg: `"bandwidth-9000" is not in the IE eco catalog`},
		{name: "mandatory family missing", change: func(s *Server) { s.AddonPlanCodes = s.AddonPlanCodes[1:] },
			wantPath: "user_servers[0].addon_planCodes", wantMsg: `no bandwidth addon, which 24sk50 requires`},
		{name: "fetch_catalog that resolves", change: func(s *Server) { s.AddonPlanCodes = nil; s.FetchCatalog = fetch("memory", "") }},
		{name: "fetch_catalog naming a family the plan lacks", change: func(s *Server) { s.AddonPlanCodes = nil; s.FetchCatalog = fetch("vrack", "vrack-x") },
			wantPath: "user_servers[0].fetch_catalog", wantMsg: "the catalog cannot resolve the addons"},
		{name: "ceiling 0 with the catalog price", change: func(s *Server) { s.CeilingPrice = 0 },
			wantPath: "user_servers[0].ceiling_price", wantMsg: "0 with qty 1: no price is accepted, so nothing would ever be ordered; set the most you will pay for the first invoice, excluding tax (the catalog's first invoice for this fqn is "},
		{name: "ceiling 0 without a catalog", change: func(s *Server) { s.CeilingPrice = 0 }, noCat: true,
			wantPath: "user_servers[0].ceiling_price", wantMsg: "0 with qty 1: no price is accepted"},
		{name: "ceiling 0 with skip_validate", change: func(s *Server) { s.CeilingPrice = 0; s.SkipValidate = true }},
		{name: "no catalog: no catalog check", change: func(s *Server) { s.Datacenters[0].Datacenter = "xyz" }, noCat: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := good()
			tc.change(&s)
			f := &File{Subsidiary: "IE", Servers: []Server{s}}
			c := cat
			if tc.noCat {
				c = nil
			}
			got := CheckProblems(f, c)
			if tc.wantPath == "" {
				if len(got) != 0 {
					t.Fatalf("problems %v, want none", got)
				}
				return
			}
			found := false
			for _, p := range got {
				found = found || p.Path == tc.wantPath && strings.Contains(p.Msg, tc.wantMsg)
			}
			if !found {
				t.Fatalf("problems %v\nwant one at %s: %s", got, tc.wantPath, tc.wantMsg)
			}
		})
	}
}
