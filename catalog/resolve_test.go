package catalog

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestResolveSpecExamples(t *testing.T) {
	c := parseFixture(t)
	for _, tc := range []struct {
		plan, fqn string
		explicit  map[string]string
		want      []string // family order: bandwidth, memory, storage
	}{
		// First example of the spec: its addon_planCodes, in family order.
		{"25skleb01", "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme", nil,
			[]string{"bandwidth-300-25skle", "ram-32g-ecc-2400-25skle", "softraid-2x450nvme-25skle"}},
		// Second example: fetch_catalog with every value empty.
		{"24sk50", "24sk50.ram-32g-ecc-2400.softraid-2x2000sa", map[string]string{"storage": "", "memory": "", "bandwidth": ""},
			[]string{"bandwidth-300-24sk", "ram-32g-ecc-2400-24sk50", "softraid-2x2000sa-24sk50"}},
		{"24sk50", "24sk50.ram-64g-ecc-2400.softraid-2x450nvme", nil,
			[]string{"bandwidth-300-24sk", "ram-64g-ecc-2400-24sk50", "softraid-2x450nvme-24sk50"}},
		// Explicit values are used as is, even unknown to the catalog.
		{"24sk50", "24sk50.ram-32g-ecc-2400.softraid-2x2000sa", map[string]string{"memory": "ram-custom", "bandwidth": "bw-custom"},
			[]string{"bw-custom", "ram-custom", "softraid-2x2000sa-24sk50"}},
		// Explicit memory: the fqn's memory part is not looked at.
		{"24sk50", "24sk50.ram-999g.softraid-2x2000sa", map[string]string{"memory": "ram-32g-ecc-2400-24sk50"},
			[]string{"bandwidth-300-24sk", "ram-32g-ecc-2400-24sk50", "softraid-2x2000sa-24sk50"}},
		// An explicit optional family is added in family order.
		{"25skleb01", "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme", map[string]string{"application-license": "plesk-12-webhost"},
			[]string{"plesk-12-webhost", "bandwidth-300-25skle", "ram-32g-ecc-2400-25skle", "softraid-2x450nvme-25skle"}},
		// No fqn: defaults everywhere.
		{"25skleb01", "", nil,
			[]string{"bandwidth-300-25skle", "ram-32g-ecc-2400-25skle", "softraid-2x2000sa-25skle"}},
		// Five mandatory families, bandwidth and vrack by default.
		{"24rise02-mum", "24rise02-mum.ram-128g-ecc-2933.softraid-2x1920nvme", nil,
			[]string{"traffic-25tb-1000-24rise-apac", "ram-128g-ecc-2933-24rise", "softraid-2x1920nvme-24rise", "vrack-bandwidth-1000-upto-2000-24rise"}},
		{"24risestor01", "24risestor01.ram-64g-ecc-2933.softraid-4x14000sas", map[string]string{"bandwidth": "bandwidth-2000-24rise"},
			[]string{"bandwidth-2000-24rise", "ram-64g-ecc-2933-24risestor", "softraid-4x14000sas-24risestor", "softraid-2x480ssd-system-24risestor", "vrack-bandwidth-1000-upto-2000-24rise"}},
	} {
		got, err := c.Resolve(tc.plan, tc.fqn, tc.explicit)
		if err != nil {
			t.Errorf("Resolve(%s, %s, %v): %v", tc.plan, tc.fqn, tc.explicit, err)
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Resolve(%s, %s, %v) = %v, want %v", tc.plan, tc.fqn, tc.explicit, got, tc.want)
		}
	}
}

// Every variant of the fixture resolves to its own addons.
func TestResolveEveryVariant(t *testing.T) {
	c := parseFixture(t)
	for _, o := range c.Offers {
		for _, v := range o.Variants {
			got, err := c.Resolve(o.PlanCode, v.FQN, nil)
			if err != nil || !slices.Equal(got, v.Addons) {
				t.Errorf("Resolve(%s) = %v, %v; want %v", v.FQN, got, err, v.Addons)
			}
		}
	}
}

func TestResolveErrors(t *testing.T) {
	c := parseFixture(t)
	for _, tc := range []struct {
		plan, fqn string
		explicit  map[string]string
		is        error
		msg       string
	}{
		{"99nope", "99nope.a.b", nil, ErrUnknownPlan, "resolve 99nope fqn 99nope.a.b: plan not in catalog"},
		{"24sk50", "24sk50.ram-32g-ecc-2400.softraid-9x9sa", nil, ErrNoAddon,
			"resolve 24sk50 fqn 24sk50.ram-32g-ecc-2400.softraid-9x9sa: family storage: no matching addon: no addon with product softraid-9x9sa (have: softraid-2x2000sa, softraid-2x450nvme)"},
		{"24sk50", "24sk50.ram-1g.softraid-2x2000sa", nil, ErrNoAddon,
			"family memory: no matching addon: no addon with product ram-1g (have: ram-32g-ecc-2400, ram-64g-ecc-2400)"},
		{"24sk50", "24sk50.ram-1g.softraid-9x9sa", nil, ErrNoAddon,
			"family memory: no matching addon: no addon with product ram-1g "},
		{"24sk50", "25skleb01.ram-32g-ecc-2400.softraid-2x2000sa", nil, ErrNoAddon, "fqn does not start with 24sk50."},
		{"24sk50", "24sk50.ram-32g-ecc-2400", nil, ErrNoAddon, "family storage: no matching addon: fqn has no storage part"},
		{"24sk50", "24sk50.ram-32g-ecc-2400.softraid-2x2000sa", map[string]string{"gpu": "gpu-x"}, ErrNoAddon,
			"family gpu: no matching addon: plan has no such family (has: application-license, bandwidth, distribution-license, memory, storage)"},
	} {
		_, err := c.Resolve(tc.plan, tc.fqn, tc.explicit)
		if err == nil || !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("Resolve(%s, %s) error = %v, want %v containing %q", tc.plan, tc.fqn, err, tc.is, tc.msg)
		}
	}
}

func TestResolveAmbiguous(t *testing.T) {
	c, err := Parse([]byte(mini), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// "good": storage has no default; bandwidth has one usable addon.
	got, err := c.Resolve("good", "good.ram-8g.disk-2", nil)
	if err != nil || !slices.Equal(got, []string{"ram-a", "disk-b", "bw-a"}) {
		t.Errorf("Resolve = %v, %v", got, err)
	}
	_, err = c.Resolve("good", "", nil)
	if !errors.Is(err, ErrAmbiguous) || !strings.Contains(err.Error(), "family storage: ambiguous: 2 addons and no default (have: disk-a, disk-b)") {
		t.Errorf("err = %v", err)
	}
	got, err = c.Resolve("good", "", map[string]string{"storage": "disk-a"})
	if err != nil || !slices.Equal(got, []string{"ram-a", "disk-a", "bw-a"}) {
		t.Errorf("Resolve = %v, %v", got, err)
	}
	// A plan without memory and storage families: its fqn is its planCode.
	if got, err := c.Resolve("bare", "bare", nil); err != nil || len(got) != 0 {
		t.Errorf("Resolve(bare) = %v, %v", got, err)
	}
	if _, err := c.Resolve("bare", "bare.x.y", nil); !errors.Is(err, ErrNoAddon) {
		t.Errorf("Resolve(bare.x.y) err = %v", err)
	}
	// Storage only: planCode.storage.
	if got, err := c.Resolve("dupdisk", "dupdisk.disk-1", nil); err != nil || !slices.Equal(got, []string{"disk-a"}) {
		t.Errorf("Resolve(dupdisk) = %v, %v", got, err)
	}
}

func BenchmarkResolve(b *testing.B) {
	c := parseFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Resolve("24sk50", "24sk50.ram-32g-ecc-2400.softraid-2x2000sa", nil); err != nil {
			b.Fatal(err)
		}
	}
}
