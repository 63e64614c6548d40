package prefs

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Problem is one validation finding: the field path and what is wrong.
type Problem struct {
	// Path is the field path, e.g. "user_servers[1].datacenters[0].dedicated_datacenter".
	Path string
	// Msg says what is wrong, e.g. "empty".
	Msg string
}

// String formats the problem as "path: message".
func (p Problem) String() string { return p.Path + ": " + p.Msg }

// Endpoint names of the three OVH API regions.
const (
	EndpointEU = "ovh-eu"
	EndpointCA = "ovh-ca"
	EndpointUS = "ovh-us"
)

// SubsidiaryEndpoints maps every subsidiary ovhtui knows to the name of the
// API endpoint that serves it. Treat it as read-only.
var SubsidiaryEndpoints = map[string]string{
	"CZ": EndpointEU, "DE": EndpointEU, "ES": EndpointEU, "FI": EndpointEU, "FR": EndpointEU,
	"GB": EndpointEU, "IE": EndpointEU, "IT": EndpointEU, "LT": EndpointEU, "MA": EndpointEU,
	"NL": EndpointEU, "PL": EndpointEU, "PT": EndpointEU, "SN": EndpointEU, "TN": EndpointEU,

	"ASIA": EndpointCA, "AU": EndpointCA, "CA": EndpointCA, "IN": EndpointCA,
	"QC": EndpointCA, "SG": EndpointCA, "WE": EndpointCA, "WS": EndpointCA,

	"US": EndpointUS,
}

// EndpointForSubsidiary returns the endpoint name ("ovh-eu", "ovh-ca" or
// "ovh-us") that serves the subsidiary sub (upper case), and false when sub is
// unknown.
func EndpointForSubsidiary(sub string) (string, bool) {
	e, ok := SubsidiaryEndpoints[sub]
	return e, ok
}

// Subsidiaries returns the known subsidiaries in alphabetical order.
func Subsidiaries() []string {
	out := make([]string, 0, len(SubsidiaryEndpoints))
	for s := range SubsidiaryEndpoints {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// endpointRegions maps go-ovh endpoint names and the hosts of their URLs to
// the OVH region (one of the Endpoint* names) whose accounts they serve.
// Kimsufi and So you Start have their own hosts on the same account regions.
var endpointRegions = map[string]string{
	"ovh-eu": EndpointEU, "kimsufi-eu": EndpointEU, "soyoustart-eu": EndpointEU,
	"ovh-ca": EndpointCA, "kimsufi-ca": EndpointCA, "soyoustart-ca": EndpointCA,
	"ovh-us": EndpointUS,

	"eu.api.ovh.com": EndpointEU, "eu.api.kimsufi.com": EndpointEU, "eu.api.soyoustart.com": EndpointEU,
	"ca.api.ovh.com": EndpointCA, "ca.api.kimsufi.com": EndpointCA, "ca.api.soyoustart.com": EndpointCA,
	"api.us.ovhcloud.com": EndpointUS,
}

// EndpointRegion returns the region ("ovh-eu", "ovh-ca" or "ovh-us") of an
// endpoint given as go-ovh accepts it in OVH_ENDPOINT: a name such as
// "ovh-eu" or "kimsufi-ca", or a URL such as "https://eu.api.ovh.com/1.0".
// It returns false for anything else, e.g. the URL of a local simulator.
func EndpointRegion(endpoint string) (string, bool) {
	e := strings.ToLower(strings.TrimSpace(endpoint))
	if r, ok := endpointRegions[e]; ok {
		return r, true
	}
	u, err := url.Parse(e)
	if err != nil || u.Host == "" {
		return "", false
	}
	r, ok := endpointRegions[u.Hostname()]
	return r, ok
}

// FileProblems is the EntryProblems key of the problems that concern the
// whole file (e.g. the subsidiary) rather than one entry.
const FileProblems = -1

// EntryProblems runs Validate and groups its problems by the index of the
// user_servers entry they concern; problems about the whole file are under
// FileProblems. Entries without problems are absent from the map.
//
// The order engine orders nothing while FileProblems is present, and skips
// every entry that has problems: a problem in one entry must not stop the
// others, but an entry that is wrong in any way is never bought. A
// duplicate (planCode, fqn, DC) is reported on both entries, so both are
// skipped until the user says which one is meant.
func EntryProblems(f *File, endpoint string) map[int][]Problem {
	out := map[int][]Problem{}
	for _, p := range Validate(f, endpoint) {
		i := entryIndex(p.Path)
		out[i] = append(out[i], p)
	}
	return out
}

// entryIndex extracts i from a path starting with "user_servers[i]", or
// returns FileProblems.
func entryIndex(path string) int {
	const pre = "user_servers["
	if !strings.HasPrefix(path, pre) {
		return FileProblems
	}
	var i int
	if _, err := fmt.Sscanf(path[len(pre):], "%d]", &i); err != nil {
		return FileProblems
	}
	return i
}

// Validate lists every problem of f, in file order. endpoint is the OVH
// endpoint name or URL in use ("" when unknown), to check that it serves
// the subsidiary; endpoints EndpointRegion does not know (a simulator) are
// not checked. Type errors are not problems: Parse reports them.
func Validate(f *File, endpoint string) []Problem {
	v := &validator{}
	v.subsidiary(f.Subsidiary, endpoint)
	for i := range f.Servers {
		v.server(indexPath("user_servers", i), &f.Servers[i])
	}
	v.duplicates(f.Servers)
	v.sameEntries(f.Servers)
	// Duplicates are found after the entries: put every problem back in
	// file order so that each entry's problems read together.
	sort.SliceStable(v.out, func(a, b int) bool {
		return entryIndex(v.out[a].Path) < entryIndex(v.out[b].Path)
	})
	return v.out
}

type validator struct{ out []Problem }

func (v *validator) add(path, format string, args ...any) {
	v.out = append(v.out, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (v *validator) subsidiary(sub, endpoint string) {
	const p = "subsidiary"
	switch {
	case sub == "":
		v.add(p, "empty (the OVH subsidiary of your account, e.g. %q)", "IE")
		return
	case sub != strings.ToUpper(sub):
		if _, ok := SubsidiaryEndpoints[strings.ToUpper(sub)]; ok {
			v.add(p, "must be upper case: %q, not %q", strings.ToUpper(sub), sub)
		} else {
			v.add(p, "must be upper case, got %q", sub)
		}
		return
	}
	want, ok := SubsidiaryEndpoints[sub]
	if !ok {
		v.add(p, "unknown subsidiary %q (known: %s)", sub, strings.Join(Subsidiaries(), " "))
		return
	}
	if endpoint == "" {
		return
	}
	if got, ok := EndpointRegion(endpoint); ok && got != want {
		v.add(p, "%s is served by %s, but the endpoint %q is %s (set OVH_ENDPOINT=%s or change the subsidiary)",
			sub, want, endpoint, got, want)
	}
}

func (v *validator) server(p string, s *Server) {
	if s.ID != "" {
		if why := validID(s.ID); why != "" {
			v.add(joinPath(p, "id"), "%s", why)
		}
	}
	if s.PlanCode == "" {
		v.add(joinPath(p, "planCode"), "empty")
	}
	switch {
	case s.FQN == "":
		v.add(joinPath(p, "fqn"), "empty")
	case s.PlanCode != "" && !strings.HasPrefix(s.FQN, s.PlanCode+"."):
		v.add(joinPath(p, "fqn"), "must start with the planCode and a dot (%q), got %q", s.PlanCode+".", s.FQN)
	}
	if s.Qty < 0 {
		v.add(joinPath(p, "qty"), "must be >= 0, got %d", s.Qty)
	}
	if s.PausedQty < 0 {
		v.add(joinPath(p, "paused_qty"), "must be >= 0, got %d", s.PausedQty)
	}
	if s.RetiredQty < 0 {
		v.add(joinPath(p, "retired_qty"), "must be >= 0, got %d", s.RetiredQty)
	}
	if s.CeilingPrice < 0 {
		v.add(joinPath(p, "ceiling_price"), "must be >= 0, got %v", s.CeilingPrice)
	}
	if s.MaxDeliveryHours != nil && *s.MaxDeliveryHours < 1 {
		v.add(joinPath(p, "max_delivery_hours"), "must be >= 1, got %d", *s.MaxDeliveryHours)
	}
	wanted := s.Qty > 0
	dp := joinPath(p, "datacenters")
	if wanted && len(s.Datacenters) == 0 {
		v.add(dp, "empty (qty > 0 needs at least one datacenter)")
	}
	seen := map[string]int{}
	for i, d := range s.Datacenters {
		ip := indexPath(dp, i)
		if d.Region == "" {
			v.add(joinPath(ip, "region"), "empty")
		}
		cp := joinPath(ip, "dedicated_datacenter")
		switch {
		case d.Datacenter == "":
			v.add(cp, "empty")
		case d.Datacenter != strings.ToLower(d.Datacenter):
			v.add(cp, "must be a lower case code: %q, not %q", strings.ToLower(d.Datacenter), d.Datacenter)
		}
		if d.Datacenter == "" {
			continue
		}
		if j, dup := seen[d.Datacenter]; dup && wanted {
			v.add(cp, "%q is listed twice (also datacenters[%d])", d.Datacenter, j)
		} else if !dup {
			seen[d.Datacenter] = i
		}
	}
	lp := joinPath(joinPath(p, "labels"), "dedicated_os")
	if osName, ok := s.Labels.Get("dedicated_os"); !ok {
		v.add(lp, "missing (the OS to install, e.g. %q)", "none_64.en")
	} else if osName == "" {
		v.add(lp, "empty")
	}
	for i, c := range s.Coupons {
		if strings.TrimSpace(c) == "" {
			v.add(indexPath(joinPath(p, "coupons"), i), "empty")
		}
	}
	for i, a := range s.AddonPlanCodes {
		if strings.TrimSpace(a) == "" {
			v.add(indexPath(joinPath(p, "addon_planCodes"), i), "empty")
		}
	}
	if wanted && len(s.AddonPlanCodes) == 0 && s.FetchCatalog == nil {
		v.add(joinPath(p, "addon_planCodes"),
			"empty and no fetch_catalog: the order would lack its mandatory addons (list them, or add fetch_catalog)")
	}
	if s.OrderAttempted && s.OrderAttemptedAt.IsZero() {
		v.add(joinPath(p, "order_attempted_at"), "missing while order_attempted is true")
	}
}

// duplicates reports, on both entries, every (planCode, fqn, DC) that two
// entries with qty > 0 would buy.
func (v *validator) duplicates(servers []Server) {
	type buy struct{ plan, fqn, dc string }
	type where struct{ entry, dc int }
	first := map[buy]where{}
	reported := map[buy]bool{}
	for i, s := range servers {
		if s.Qty <= 0 {
			continue
		}
		for k, d := range s.Datacenters {
			if d.Datacenter == "" {
				continue
			}
			b := buy{s.PlanCode, s.FQN, d.Datacenter}
			w, dup := first[b]
			if !dup {
				first[b] = where{i, k}
				continue
			}
			if w.entry == i {
				continue // listed twice in one entry: reported by server
			}
			msg := "user_servers[%d] also buys %s in %s: both would be ordered (merge them and set qty)"
			if !reported[b] {
				reported[b] = true
				v.add(joinPath(indexPath(indexPath("user_servers", w.entry)+".datacenters", w.dc), "dedicated_datacenter"),
					msg, i, s.FQN, d.Datacenter)
			}
			v.add(joinPath(indexPath(indexPath("user_servers", i)+".datacenters", k), "dedicated_datacenter"),
				msg, w.entry, s.FQN, d.Datacenter)
		}
	}
}

// sameEntries reports, on both, two entries with one id, and two entries
// with the same planCode, fqn and set of DCs whatever their qty (one of
// them is an old copy of the other, or a second purchase that belongs in
// the first: qty, or a new id once it is ordered).
func (v *validator) sameEntries(servers []Server) {
	ids := map[string]int{}
	same := map[string]int{}
	for i, s := range servers {
		if s.ID != "" {
			if j, dup := ids[s.ID]; dup {
				msg := "user_servers[%d] has the same id %q: each entry needs its own (give one a new id)"
				v.add(joinPath(indexPath("user_servers", j), "id"), msg, i, s.ID)
				v.add(joinPath(indexPath("user_servers", i), "id"), msg, j, s.ID)
			} else {
				ids[s.ID] = i
			}
		}
		if s.PlanCode == "" || s.FQN == "" || len(s.Datacenters) == 0 {
			continue
		}
		dcs := s.DCNames()
		sort.Strings(dcs)
		k := s.PlanCode + "\x00" + s.FQN + "\x00" + strings.Join(dcs, ",")
		if j, dup := same[k]; dup {
			msg := "user_servers[%d] is the same server (planCode, fqn, datacenters): keep one entry (set its qty; to buy again an ordered one, give it a new id)"
			v.add(joinPath(indexPath("user_servers", j), "planCode"), msg, i)
			v.add(joinPath(indexPath("user_servers", i), "planCode"), msg, j)
		} else {
			same[k] = i
		}
	}
}
