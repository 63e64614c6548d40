package ovhsim

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Datacenters named like availability zones. OVH's export of 2025-10
// (dedicated.AvailabilityDatacenterEnum) mixes the short codes (gra, rbx,
// ...) with zone names (eu-west-par-a, ca-east-bhs-a, ...; 48 values), and
// ECO servers are offered in Paris 3-AZ (ovh-api-notes.md, "Newer").
// Options.AZDatacenters adds such DCs to plans of the catalog: the served
// catalog lists them in the plan's dedicated_datacenter values, the feed
// has them, carts accept them like any other DC.

// Paris3AZ are the DCs of OVH's Paris 3-AZ region, as the 2025-10 enum
// writes them.
var Paris3AZ = []string{"eu-west-par-a", "eu-west-par-b", "eu-west-par-c"}

// DemoAZDatacenters is what the demo serves in Paris 3-AZ: a few Kimsufi
// plans people snipe (the demo's own entries use one of them).
func DemoAZDatacenters() map[string][]string {
	return map[string][]string{
		"25skle01": slices.Clone(Paris3AZ),
		"24sk10":   slices.Clone(Paris3AZ),
		"24sk20":   {"eu-west-par-a"},
	}
}

// datacenterEnum is the 2025-10 list of datacenter names of the feed.
func (sc *Schema) datacenterEnum() []string {
	op := sc.Lookup("GET", "/dedicated/server/datacenter/availabilities")
	if op == nil {
		return nil
	}
	return op.models["dedicated.AvailabilityDatacenterEnum"].enum
}

// withDatacenters returns the catalog catalogJSON with extra DCs added to
// the dedicated_datacenter values of the plans extra names. Every DC must
// be in the feed's datacenter enum (enum) and every plan in the catalog.
func withDatacenters(catalogJSON []byte, extra map[string][]string, enum []string) ([]byte, error) {
	if len(extra) == 0 {
		return catalogJSON, nil
	}
	var doc map[string]any
	if err := json.Unmarshal(catalogJSON, &doc); err != nil {
		return nil, fmt.Errorf("parse catalog: %w", err)
	}
	plans, _ := doc["plans"].([]any)
	done := map[string]bool{}
	for _, p := range plans {
		plan, _ := p.(map[string]any)
		code, _ := plan["planCode"].(string)
		dcs, ok := extra[code]
		if !ok {
			continue
		}
		for _, dc := range dcs {
			if enum != nil && !slices.Contains(enum, dc) {
				return nil, fmt.Errorf("AZDatacenters: %q is not a datacenter of OVH's 2025-10 enum", dc)
			}
		}
		cfgs, _ := plan["configurations"].([]any)
		for _, c := range cfgs {
			cfg, _ := c.(map[string]any)
			if cfg["name"] != labelDatacenter {
				continue
			}
			vals, _ := cfg["values"].([]any)
			for _, dc := range dcs {
				if !slices.Contains(vals, any(dc)) {
					vals = append(vals, dc)
				}
			}
			cfg["values"] = vals
			done[code] = true
		}
	}
	for _, code := range sortedKeys(extra) {
		if !done[code] {
			return nil, fmt.Errorf("AZDatacenters: plan %q is not in the catalog (or has no %s)", code, labelDatacenter)
		}
	}
	return json.Marshal(doc)
}
