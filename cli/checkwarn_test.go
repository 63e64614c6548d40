package cli

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ovhtui/ovhtui/order/ovhsim"
)

// TestCheckWarnsCeilingBelowCatalog: a ceiling below the catalog's first
// invoice for the entry is a warning on stdout and in --json; the exit code
// stays 0 (issue 18).
func TestCheckWarnsCeilingBelowCatalog(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	sim, err := ovhsim.New(ovhsim.DefaultCatalog(), ovhsim.Options{NoPadding: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	e.setenv("OVH_ENDPOINT", srv.URL+"/1.0")
	p := writeFile(t, "preferences.json", `{"subsidiary": "IE", "user_servers": [{
		"planCode": "24sk50", "fqn": "24sk50.ram-32g-ecc-2400.softraid-2x2000sa", "qty": 1, "ceiling_price": 1.5,
		"datacenters": [{"region": "europe", "dedicated_datacenter": "gra"}], "labels": {"dedicated_os": "none_64.en"},
		"addon_planCodes": ["bandwidth-300-24sk", "ram-32g-ecc-2400-24sk50", "softraid-2x2000sa-24sk50"]}]}`)
	code, out, errOut := e.run("--check", "--prefs", p)
	if code != exitOK {
		t.Fatalf("exit %d, want 0; stdout %q stderr %q", code, out, errOut)
	}
	if !strings.Contains(out, "user_servers[0].ceiling_price: 1.50 is below the catalog's first invoice") || !strings.Contains(out, "ok (1 entries, 1 warning(s))") {
		t.Fatalf("stdout:\n%s", out)
	}
	code, out, errOut = e.run("check", "--json", "--prefs", p)
	if code != exitOK {
		t.Fatalf("--json: exit %d; stderr %q", code, errOut)
	}
	var rep struct {
		OK       bool `json:"ok"`
		Warnings []struct {
			Path, Message string
		} `json:"warnings"`
		Problems []any `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if !rep.OK || len(rep.Problems) != 0 || len(rep.Warnings) != 1 || rep.Warnings[0].Path != "user_servers[0].ceiling_price" {
		t.Fatalf("report %+v", rep)
	}
}
