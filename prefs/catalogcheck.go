package prefs

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/money"
)

// CheckProblems lists what --check finds beyond Validate: what is valid in
// form but would only fail at runtime. Without the catalog (cat nil): a
// wanted entry (qty > 0) whose ceiling accepts no price. With it, for each
// wanted entry: a planCode the catalog lacks, a datacenter or region the
// plan is not sold in, an fqn that is no variant of the plan, addons that
// belong to another plan, two addons of one family, an addon that disagrees
// with the fqn's memory or storage, a mandatory family without an addon,
// and a fetch_catalog the catalog cannot resolve.
//
// Entries with qty 0 (done, retired, or waiting) are not checked against
// the catalog: plans leave it, and an old order is no problem. A paused
// entry is: resuming it buys it as it is.
func CheckProblems(f *File, cat *catalog.Catalog) []Problem {
	v := &validator{}
	for i := range f.Servers {
		s := &f.Servers[i]
		if s.Qty <= 0 && !s.Paused() {
			continue
		}
		p := indexPath("user_servers", i)
		if s.CeilingPrice == 0 && !s.SkipValidate {
			price := ""
			if cat != nil {
				if vr, ok := cat.Variant(s.FQN); ok && vr.PlanCode == s.PlanCode {
					price = fmt.Sprintf(" (the catalog's first invoice for this fqn is %s per unit)",
						money.Format(vr.FirstInvoice(), cat.Currency))
				}
			}
			v.add(joinPath(p, "ceiling_price"), "0 with qty %d: no price is accepted, so nothing would ever be ordered; set the most you will pay for the first invoice, excluding tax%s", s.Units(), price)
		}
		if cat != nil && s.PlanCode != "" {
			v.againstCatalog(p, s, cat)
		}
	}
	return v.out
}

// againstCatalog checks one wanted entry against the catalog.
func (v *validator) againstCatalog(p string, s *Server, cat *catalog.Catalog) {
	o, ok := cat.Offer(s.PlanCode)
	if !ok {
		v.add(joinPath(p, "planCode"), "%q is not in the %s eco catalog", s.PlanCode, cat.Subsidiary)
		return
	}
	for i, d := range s.Datacenters {
		ip := indexPath(joinPath(p, "datacenters"), i)
		if d.Datacenter != "" && !slices.Contains(o.Datacenters, d.Datacenter) {
			v.add(joinPath(ip, "dedicated_datacenter"), "%q is not a datacenter of %s (it is sold in: %s)", d.Datacenter, s.PlanCode, strings.Join(o.Datacenters, ", "))
		}
		if d.Region != "" && len(o.Regions) > 0 && !slices.Contains(o.Regions, d.Region) {
			v.add(joinPath(ip, "region"), "%q is not a region of %s (regions: %s)", d.Region, s.PlanCode, strings.Join(o.Regions, ", "))
		}
	}
	variant, fqnOK := cat.Variant(s.FQN)
	fqnOK = fqnOK && variant.PlanCode == s.PlanCode
	if s.FQN != "" && strings.HasPrefix(s.FQN, s.PlanCode+".") && !fqnOK {
		v.add(joinPath(p, "fqn"), "%q is not a variant of %s in the catalog (memory: %s; storage: %s)",
			s.FQN, s.PlanCode, products(o.MemoryOptions()), products(o.StorageOptions()))
	}
	if s.FetchCatalog != nil && s.FetchCatalog.Len() > 0 {
		explicit := map[string]string{}
		for _, fam := range s.FetchCatalog.Keys() {
			if val, _ := s.FetchCatalog.Get(fam); val != "" {
				explicit[fam] = val
			}
		}
		if _, err := cat.Resolve(s.PlanCode, s.FQN, explicit); err != nil && !(errors.Is(err, catalog.ErrNoAddon) && !fqnOK) {
			v.add(joinPath(p, "fetch_catalog"), "the catalog cannot resolve the addons: %v", err)
		}
		return
	}
	if len(s.AddonPlanCodes) == 0 {
		return // Validate says it
	}
	ap := joinPath(p, "addon_planCodes")
	byFamily := map[string]int{}
	for j, a := range s.AddonPlanCodes {
		jp := indexPath(ap, j)
		fam, ok := familyOf(o, a)
		if !ok {
			if _, other := cat.Addon(a); other {
				v.add(jp, "%q is an addon of another plan, not of %s", a, s.PlanCode)
			} else {
				v.add(jp, "%q is not in the %s eco catalog", a, cat.Subsidiary)
			}
			continue
		}
		k, dup := byFamily[fam.Name]
		if dup && fam.Exclusive {
			v.add(jp, "%q is a second %s addon (also addon_planCodes[%d]): a plan takes one per family", a, fam.Name, k)
			continue
		}
		if !dup {
			byFamily[fam.Name] = j
		}
		if !fqnOK {
			continue
		}
		addon, _ := o.Addon(a)
		switch {
		case fam.Name == "memory" && variant.Memory != "" && addon.Product != variant.Memory:
			v.add(jp, "%q is memory %s, but the fqn says %s", a, addon.Product, variant.Memory)
		case fam.Name == "storage" && variant.Storage != "" && addon.Product != variant.Storage:
			v.add(jp, "%q is storage %s, but the fqn says %s", a, addon.Product, variant.Storage)
		}
	}
	for _, fam := range o.Families {
		if _, has := byFamily[fam.Name]; fam.Mandatory && !has && len(fam.Addons) > 0 {
			v.add(ap, "no %s addon, which %s requires (e.g. %q)", fam.Name, s.PlanCode, fam.Addons[0].PlanCode)
		}
	}
}

// familyOf returns the family of o that offers the addon planCode.
func familyOf(o *catalog.Offer, planCode string) (*catalog.Family, bool) {
	for i := range o.Families {
		for _, a := range o.Families[i].Addons {
			if a.PlanCode == planCode {
				return &o.Families[i], true
			}
		}
	}
	return nil, false
}

func products(addons []*catalog.Addon) string {
	if len(addons) == 0 {
		return "none"
	}
	out := make([]string, len(addons))
	for i, a := range addons {
		out[i] = a.Product
	}
	return strings.Join(out, ", ")
}

// CatalogPrice is the catalog's price of one unit of entry s: its plan and
// the addons of addon_planCodes (the variant of its fqn when it lists
// none). ok is false when the catalog lacks the plan, the fqn or an addon.
// It is the catalog's word, not a cart's: coupons and promotions are not in it.
func CatalogPrice(s Server, cat *catalog.Catalog) (p catalog.Price, ok bool) {
	if cat == nil {
		return p, false
	}
	o, found := cat.Offer(s.PlanCode)
	if !found {
		return p, false
	}
	if len(s.AddonPlanCodes) == 0 {
		v, found := cat.Variant(s.FQN)
		if !found || v.PlanCode != s.PlanCode {
			return p, false
		}
		return v.Price, true
	}
	p = o.Price
	for _, code := range s.AddonPlanCodes {
		a, found := o.Addon(code)
		if !found {
			return catalog.Price{}, false
		}
		p = p.Add(a.Price)
	}
	return p, true
}

// OverCatalog says, for an entry that is wanted or paused and whose
// ceiling is checked, how the catalog's first invoice for all its units
// (excluding tax) compares with the ceiling: over is true when the ceiling
// does not accept it (Accepts), so at the catalog's price the entry would
// be retired, never ordered. total is that first invoice; ok is false when
// the catalog cannot price the entry or the question does not arise.
func OverCatalog(s Server, cat *catalog.Catalog) (total int64, over, ok bool) {
	if st := s.Stage(); st != StageWanted && st != StagePaused || s.SkipValidate {
		return 0, false, false
	}
	p, ok := CatalogPrice(s, cat)
	if !ok {
		return 0, false, false
	}
	total = p.FirstInvoice() * int64(s.Units())
	return total, !s.Accepts(total), true
}

// CheckWarnings lists what --check warns of without calling it a problem
// (the exit code does not change): a ceiling below the catalog's first
// invoice for the entry, which only a coupon or a promotion would bring
// within it. A ceiling of 0 is a problem (CheckProblems), not a warning.
func CheckWarnings(f *File, cat *catalog.Catalog) []Problem {
	v := &validator{}
	for i := range f.Servers {
		s := &f.Servers[i]
		if s.CeilingPrice == 0 {
			continue
		}
		total, over, ok := OverCatalog(*s, cat)
		if !ok || !over {
			continue
		}
		paused := ""
		if s.Paused() {
			paused = " (paused)"
		}
		v.add(joinPath(indexPath("user_servers", i), "ceiling_price"),
			"%s is below the catalog's first invoice for this entry%s, %s for %d unit(s) excluding tax: at that price it is retired, never ordered (only a coupon or a promotion would bring it within the ceiling)",
			money.CeilingDecimal(s.CeilingUcents()), paused, money.Format(total, cat.Currency), s.Units())
	}
	return v.out
}
