package prefs

import (
	"strings"
	"testing"
)

// A ceiling below the catalog's first invoice is a --check warning for a
// wanted or paused entry, never for a stopped, ordered or skip_validate one.
func TestCheckWarningsCeilingBelowCatalog(t *testing.T) {
	cat := ieCatalog(t)
	good := Server{
		PlanCode:       "24sk50",
		FQN:            "24sk50.ram-32g-ecc-2400.softraid-2x2000sa",
		Datacenters:    []Datacenter{{Region: "europe", Datacenter: "gra"}},
		AddonPlanCodes: []string{"bandwidth-300-24sk", "ram-32g-ecc-2400-24sk50", "softraid-2x2000sa-24sk50"},
		Qty:            1,
		CeilingPrice:   1000,
	}
	p, ok := CatalogPrice(good, cat)
	v, _ := cat.Variant(good.FQN)
	if !ok || p != v.Price {
		t.Fatalf("catalog price %+v, variant %+v", p, v.Price)
	}
	noAddons := good
	noAddons.AddonPlanCodes = nil
	if p2, ok := CatalogPrice(noAddons, cat); !ok || p2 != p {
		t.Fatal("an entry without addons is priced by its fqn's variant")
	}
	first := p.FirstInvoice()
	for _, tc := range []struct {
		name string
		edit func(*Server)
		warn bool
	}{
		{"well above", func(*Server) {}, false},
		{"equal", func(s *Server) { s.CeilingPrice = float64(first) / 1e8 }, false},
		{"one cent below", func(s *Server) { s.CeilingPrice = float64(first-1e6) / 1e8 }, true},
		{"2 units, ceiling for one", func(s *Server) { s.Qty, s.CeilingPrice = 2, float64(first)/1e8 }, true},
		{"paused", func(s *Server) { s.CeilingPrice = 1; _ = s.Pause() }, true},
		{"skip_validate", func(s *Server) { s.CeilingPrice, s.SkipValidate = 1, true }, false},
		{"stopped", func(s *Server) { s.CeilingPrice, s.Qty = 1, 0 }, false},
		{"ordered", func(s *Server) { s.CeilingPrice, s.Qty, s.OrderID = 1, 0, 9 }, false},
		{"ceiling 0 is a problem, not a warning", func(s *Server) { s.CeilingPrice = 0 }, false},
		{"unknown addon", func(s *Server) { s.CeilingPrice, s.AddonPlanCodes = 1, []string{"nope"} }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := good
			s.AddonPlanCodes = append([]string(nil), good.AddonPlanCodes...)
			tc.edit(&s)
			w := CheckWarnings(&File{Subsidiary: "IE", Servers: []Server{s}}, cat)
			if (len(w) > 0) != tc.warn {
				t.Fatalf("warnings %v, want a warning: %v", w, tc.warn)
			}
			if tc.warn && (w[0].Path != "user_servers[0].ceiling_price" || !strings.Contains(w[0].Msg, "below the catalog's first invoice")) {
				t.Fatalf("%v", w[0])
			}
		})
	}
	if w := CheckWarnings(&File{Servers: []Server{good}}, nil); len(w) != 0 {
		t.Fatal("no catalog, no warning")
	}
}

// A paused entry is checked against the catalog like a wanted one: resuming
// it buys it as it is.
func TestCheckProblemsPausedEntry(t *testing.T) {
	cat := ieCatalog(t)
	s := Server{
		PlanCode:       "24sk50",
		FQN:            "24sk50.ram-32g-ecc-2400.softraid-2x2000sa",
		Datacenters:    []Datacenter{{Region: "europe", Datacenter: "xyz"}},
		AddonPlanCodes: []string{"bandwidth-300-24sk", "ram-32g-ecc-2400-24sk50", "softraid-2x2000sa-24sk50"},
		Qty:            0,
		PausedQty:      2,
		CeilingPrice:   500,
	}
	p := CheckProblems(&File{Subsidiary: "IE", Servers: []Server{s}}, cat)
	if len(p) != 1 || !strings.Contains(p[0].Path, "dedicated_datacenter") {
		t.Fatalf("problems %v", p)
	}
	s.PausedQty = 0 // stopped: not checked
	if p := CheckProblems(&File{Subsidiary: "IE", Servers: []Server{s}}, cat); len(p) != 0 {
		t.Fatalf("a stopped entry checked: %v", p)
	}
}
