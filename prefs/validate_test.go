package prefs

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/money"
)

// validFile is example1 with one DC: valid, one entry buying one server.
func validFile(t *testing.T) *File {
	t.Helper()
	f, err := Load("testdata/example1.json")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestValidateRules(t *testing.T) {
	const e0 = "user_servers[0]"
	tests := []struct {
		name     string
		endpoint string
		change   func(f *File, s *Server)
		want     []string // every problem, as "path: message"
	}{
		{"valid", "ovh-eu", func(f *File, s *Server) {}, nil},
		{"subsidiary empty", "", func(f *File, s *Server) { f.Subsidiary = "" },
			[]string{`subsidiary: empty (the OVH subsidiary of your account, e.g. "IE")`}},
		{"subsidiary lower case", "", func(f *File, s *Server) { f.Subsidiary = "ie" },
			[]string{`subsidiary: must be upper case: "IE", not "ie"`}},
		{"subsidiary lower case unknown", "", func(f *File, s *Server) { f.Subsidiary = "xx" },
			[]string{`subsidiary: must be upper case, got "xx"`}},
		{"subsidiary unknown", "", func(f *File, s *Server) { f.Subsidiary = "XX" },
			[]string{`subsidiary: unknown subsidiary "XX" (known: ASIA AU CA CZ DE ES FI FR GB IE IN IT LT MA NL PL PT QC SG SN TN US WE WS)`}},
		{"subsidiary vs endpoint name", "ovh-ca", func(f *File, s *Server) {},
			[]string{`subsidiary: IE is served by ovh-eu, but the endpoint "ovh-ca" is ovh-ca (set OVH_ENDPOINT=ovh-eu or change the subsidiary)`}},
		{"subsidiary vs endpoint URL", "https://api.us.ovhcloud.com/1.0", func(f *File, s *Server) { f.Subsidiary = "CA" },
			[]string{`subsidiary: CA is served by ovh-ca, but the endpoint "https://api.us.ovhcloud.com/1.0" is ovh-us (set OVH_ENDPOINT=ovh-ca or change the subsidiary)`}},
		{"simulator endpoint not checked", "http://127.0.0.1:43210/1.0", func(f *File, s *Server) { f.Subsidiary = "US" }, nil},
		{"planCode empty", "", func(f *File, s *Server) { s.PlanCode = "" },
			[]string{e0 + `.planCode: empty`}},
		{"fqn empty", "", func(f *File, s *Server) { s.FQN = "" },
			[]string{e0 + `.fqn: empty`}},
		{"fqn of another plan", "", func(f *File, s *Server) { s.FQN = "24sk50.ram-32g" },
			[]string{e0 + `.fqn: must start with the planCode and a dot ("25skleb01."), got "24sk50.ram-32g"`}},
		{"fqn prefix without dot", "", func(f *File, s *Server) { s.FQN = "25skleb012.ram" },
			[]string{e0 + `.fqn: must start with the planCode and a dot ("25skleb01."), got "25skleb012.ram"`}},
		{"qty negative", "", func(f *File, s *Server) { s.Qty = -1 },
			[]string{e0 + `.qty: must be >= 0, got -1`}},
		{"ceiling negative", "", func(f *File, s *Server) { s.CeilingPrice = -0.5 },
			[]string{e0 + `.ceiling_price: must be >= 0, got -0.5`}},
		{"max delivery zero", "", func(f *File, s *Server) { h := 0; s.MaxDeliveryHours = &h },
			[]string{e0 + `.max_delivery_hours: must be >= 1, got 0`}},
		{"max delivery one", "", func(f *File, s *Server) { h := 1; s.MaxDeliveryHours = &h }, nil},
		{"datacenters empty", "", func(f *File, s *Server) { s.Datacenters = nil },
			[]string{e0 + `.datacenters: empty (qty > 0 needs at least one datacenter)`}},
		{"datacenters empty, qty 0", "", func(f *File, s *Server) { s.Datacenters = nil; s.Qty = 0 }, nil},
		{"datacenter duplicate", "", func(f *File, s *Server) { s.Datacenters[1].Datacenter = "fra" },
			[]string{e0 + `.datacenters[1].dedicated_datacenter: "fra" is listed twice (also datacenters[0])`}},
		{"datacenter duplicate, qty 0", "", func(f *File, s *Server) { s.Datacenters[1].Datacenter = "fra"; s.Qty = 0 }, nil},
		{"datacenter code empty", "", func(f *File, s *Server) { s.Datacenters[1].Datacenter = "" },
			[]string{e0 + `.datacenters[1].dedicated_datacenter: empty`}},
		{"datacenter code upper case", "", func(f *File, s *Server) { s.Datacenters[0].Datacenter = "FRA" },
			[]string{e0 + `.datacenters[0].dedicated_datacenter: must be a lower case code: "fra", not "FRA"`}},
		{"region empty", "", func(f *File, s *Server) { s.Datacenters[0].Region = "" },
			[]string{e0 + `.datacenters[0].region: empty`}},
		{"dedicated_os missing", "", func(f *File, s *Server) { s.Labels = StringMap{} },
			[]string{e0 + `.labels.dedicated_os: missing (the OS to install, e.g. "none_64.en")`}},
		{"dedicated_os empty", "", func(f *File, s *Server) { s.Labels.Set("dedicated_os", "") },
			[]string{e0 + `.labels.dedicated_os: empty`}},
		{"coupon empty", "", func(f *File, s *Server) { s.Coupons = []string{"MONDAY", " "} },
			[]string{e0 + `.coupons[1]: empty`}},
		{"addon empty", "", func(f *File, s *Server) { s.AddonPlanCodes[2] = "" },
			[]string{e0 + `.addon_planCodes[2]: empty`}},
		{"no addons, no fetch_catalog", "", func(f *File, s *Server) { s.AddonPlanCodes = nil },
			[]string{e0 + `.addon_planCodes: empty and no fetch_catalog: the order would lack its mandatory addons (list them, or add fetch_catalog)`}},
		{"no addons, fetch_catalog", "", func(f *File, s *Server) { s.AddonPlanCodes = nil; s.FetchCatalog = &StringMap{} }, nil},
		{"no addons, qty 0", "", func(f *File, s *Server) { s.AddonPlanCodes = nil; s.Qty = 0 }, nil},
		{"order_attempted without time", "", func(f *File, s *Server) { s.OrderAttempted = true },
			[]string{e0 + `.order_attempted_at: missing while order_attempted is true`}},
		{"order_attempted with time", "", func(f *File, s *Server) {
			s.OrderAttempted = true
			s.OrderAttemptedAt = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
		}, nil},
		{"same server and DC twice", "", func(f *File, s *Server) {
			o := s.clone()
			o.Datacenters = []Datacenter{{Region: "europe", Datacenter: "gra"}}
			f.Servers = append(f.Servers, o)
		}, []string{
			`user_servers[0].datacenters[1].dedicated_datacenter: user_servers[1] also buys 25skleb01.ram-32g-ecc-2400.softraid-2x450nvme in gra: both would be ordered (merge them and set qty)`,
			`user_servers[1].datacenters[0].dedicated_datacenter: user_servers[0] also buys 25skleb01.ram-32g-ecc-2400.softraid-2x450nvme in gra: both would be ordered (merge them and set qty)`,
		}},
		// Whatever the qty (issue 8): one is an old copy of the other.
		{"same server and DCs twice, one done", "", func(f *File, s *Server) {
			o := s.clone()
			o.Qty = 0
			f.Servers = append(f.Servers, o)
		}, []string{
			`user_servers[0].planCode: user_servers[1] is the same server (planCode, fqn, datacenters): keep one entry (set its qty; to buy again an ordered one, give it a new id)`,
			`user_servers[1].planCode: user_servers[0] is the same server (planCode, fqn, datacenters): keep one entry (set its qty; to buy again an ordered one, give it a new id)`,
		}},
		{"two entries with one id", "", func(f *File, s *Server) {
			s.ID = "x-1"
			o := s.clone()
			o.FQN = "25skleb01.ram-64g"
			f.Servers = append(f.Servers, o)
		}, []string{
			`user_servers[0].id: user_servers[1] has the same id "x-1": each entry needs its own (give one a new id)`,
			`user_servers[1].id: user_servers[0] has the same id "x-1": each entry needs its own (give one a new id)`,
		}},
		{"an id with a space", "", func(f *File, s *Server) { s.ID = "a b" }, []string{
			`user_servers[0].id: must not contain spaces or '|'`,
		}},
		{"same plan, other fqn", "", func(f *File, s *Server) {
			o := s.clone()
			o.FQN = "25skleb01.ram-64g"
			f.Servers = append(f.Servers, o)
		}, nil},
		{"problems in several entries, in file order", "", func(f *File, s *Server) {
			o := s.clone()
			o.PlanCode = ""
			f.Servers = append(f.Servers, o)
			f.Servers[0].Qty = -2
			f.Subsidiary = "fr"
		}, []string{
			`subsidiary: must be upper case: "FR", not "fr"`,
			e0 + `.qty: must be >= 0, got -2`,
			`user_servers[1].planCode: empty`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validFile(t)
			tt.change(f, &f.Servers[0])
			var got []string
			for _, p := range Validate(f, tt.endpoint) {
				got = append(got, p.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("problems\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestEntryProblems(t *testing.T) {
	f := validFile(t)
	f.Subsidiary = "XX"
	o := f.Servers[0].clone()
	o.PlanCode = "other"
	o.FQN = "other.x"
	f.Servers = append(f.Servers, o, f.Servers[0].clone())
	f.Servers[1].Labels = StringMap{}
	got := EntryProblems(f, "")
	if len(got) != 4 {
		t.Fatalf("want file, entries 0, 1 and 2, got %v", got)
	}
	if len(got[FileProblems]) != 1 || got[FileProblems][0].Path != "subsidiary" {
		t.Errorf("file problems %v", got[FileProblems])
	}
	if len(got[1]) != 1 || got[1][0].Path != "user_servers[1].labels.dedicated_os" {
		t.Errorf("entry 1: %v", got[1])
	}
	// 0 and 2 buy the same thing in fra and gra: both are named, per DC
	// and as the same server.
	if len(got[0]) != 3 || len(got[2]) != 3 {
		t.Errorf("duplicates: 0=%v 2=%v", got[0], got[2])
	}
	if p := EntryProblems(validFile(t), "ovh-eu"); len(p) != 0 {
		t.Errorf("valid file: %v", p)
	}
}

func TestEndpoints(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"ovh-eu", "ovh-eu"}, {"OVH-CA", "ovh-ca"}, {"ovh-us", "ovh-us"}, {"kimsufi-eu", "ovh-eu"},
		{"soyoustart-ca", "ovh-ca"}, {"https://eu.api.ovh.com/1.0", "ovh-eu"}, {"https://ca.api.ovh.com/v1", "ovh-ca"},
		{"https://api.us.ovhcloud.com/1.0", "ovh-us"}, {"https://eu.api.kimsufi.com/1.0", "ovh-eu"},
		{"http://127.0.0.1:8080/1.0", ""}, {"", ""}, {"nonsense", ""},
	} {
		got, ok := EndpointRegion(tt.in)
		if got != tt.want || ok != (tt.want != "") {
			t.Errorf("EndpointRegion(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
	for sub, want := range map[string]string{"IE": "ovh-eu", "FR": "ovh-eu", "ASIA": "ovh-ca", "WS": "ovh-ca", "QC": "ovh-ca", "US": "ovh-us"} {
		if got, ok := EndpointForSubsidiary(sub); !ok || got != want {
			t.Errorf("EndpointForSubsidiary(%q) = %q, %v", sub, got, ok)
		}
	}
	if _, ok := EndpointForSubsidiary("ie"); ok {
		t.Error("lower case subsidiary accepted")
	}
	if n := len(Subsidiaries()); n != 24 || !strings.HasPrefix(strings.Join(Subsidiaries(), " "), "ASIA AU CA CZ") {
		t.Errorf("Subsidiaries() = %v", Subsidiaries())
	}
}

// TestEverySubsidiaryHasACurrency: a subsidiary preferences.json accepts
// has a currency in money's table, or every price would be refused.
func TestEverySubsidiaryHasACurrency(t *testing.T) {
	for sub := range SubsidiaryEndpoints {
		if money.SubsidiaryCurrency(sub) == "" {
			t.Errorf("subsidiary %s has no currency in package money", sub)
		}
	}
}
