package catalog

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Errors Resolve wraps, for errors.Is.
var (
	// ErrUnknownPlan: the planCode is not in the catalog (not yet, or skipped).
	ErrUnknownPlan = errors.New("plan not in catalog")
	// ErrNoAddon: a family has no addon matching the fqn, or the family
	// named by an explicit choice is not a family of the plan.
	ErrNoAddon = errors.New("no matching addon")
	// ErrAmbiguous: a family outside the fqn has several addons and no default.
	ErrAmbiguous = errors.New("ambiguous")
)

// Resolve returns the addon planCodes to order planCode as fqn: one per
// mandatory family of the offer, in family order (the catalog's order:
// bandwidth, memory, storage, ... for OVH's eco plans), followed in family
// order by explicit choices for optional families.
//
// For each family, a non-empty explicit[family] is used as is (it is not
// checked against the catalog, so a user may name an addon the catalog
// does not list yet). Otherwise memory and storage come from the fqn
// (planCode.memory.storage): the family's addon whose Product is that part;
// any other family takes its only addon, else its default; a family with
// several addons and no default is ambiguous. An empty fqn resolves memory
// and storage like the other families. An explicit choice for a family the
// plan does not have is an error.
//
// Errors name the family: "resolve 24sk50 fqn X: family storage: no addon
// with product Y (have: a, b)", and wrap ErrUnknownPlan, ErrNoAddon or
// ErrAmbiguous.
func (c *Catalog) Resolve(planCode, fqn string, explicit map[string]string) ([]string, error) {
	wrap := func(err error) error { return fmt.Errorf("resolve %s fqn %s: %w", planCode, fqn, err) }
	o, ok := c.Offer(planCode)
	if !ok {
		return nil, wrap(ErrUnknownPlan)
	}
	for name, code := range explicit {
		if _, ok := o.Family(name); !ok && code != "" {
			return nil, wrap(fmt.Errorf("family %s: %w: plan has no such family (has: %s)", name, ErrNoAddon, strings.Join(o.familyNames(), ", ")))
		}
	}
	var fromFQN fqnParts
	if fqn != "" {
		var err error
		if fromFQN, err = o.splitFQN(fqn, explicit); err != nil {
			return nil, wrap(err)
		}
	}
	addons := make([]string, 0, len(o.Families))
	for i := range o.Families {
		f := &o.Families[i]
		if code := explicit[f.Name]; code != "" {
			addons = append(addons, code)
			continue
		}
		if !f.Mandatory {
			continue
		}
		switch {
		case f.Name == familyMemory && fromFQN.memory != nil:
			addons = append(addons, fromFQN.memory.PlanCode)
		case f.Name == familyStorage && fromFQN.storage != nil:
			addons = append(addons, fromFQN.storage.PlanCode)
		case len(f.Addons) == 1:
			addons = append(addons, f.Addons[0].PlanCode)
		case f.Default != "":
			addons = append(addons, f.Default)
		default:
			return nil, wrap(fmt.Errorf("family %s: %w: %d addons and no default (have: %s)", f.Name, ErrAmbiguous, len(f.Addons), strings.Join(addonCodes(f.Addons), ", ")))
		}
	}
	return addons, nil
}

// fqnParts are the memory and storage addons an fqn names (nil when the
// plan has no such mandatory family, or an explicit choice replaces it).
type fqnParts struct {
	memory, storage *Addon
}

// splitFQN matches the parts of fqn after the planCode with the products
// of the plan's mandatory memory and storage families: memory by prefix,
// storage by suffix, longest product first, so product names may contain
// dots. Families with an explicit choice are not matched.
func (o *Offer) splitFQN(fqn string, explicit map[string]string) (fqnParts, error) {
	var p fqnParts
	mem, _ := o.Family(familyMemory)
	sto, _ := o.Family(familyStorage)
	if mem != nil && !mem.Mandatory {
		mem = nil
	}
	if sto != nil && !sto.Mandatory {
		sto = nil
	}
	if mem == nil && sto == nil {
		if fqn != o.PlanCode {
			return p, fmt.Errorf("%w: fqn should be the planCode alone: the plan has no memory or storage family", ErrNoAddon)
		}
		return p, nil
	}
	rest, ok := strings.CutPrefix(fqn, o.PlanCode+".")
	if !ok {
		return p, fmt.Errorf("%w: fqn does not start with %s.", ErrNoAddon, o.PlanCode)
	}
	if mem != nil {
		p.memory = longestMatch(mem.Addons, func(prod string) bool {
			return rest == prod || (sto != nil && strings.HasPrefix(rest, prod+"."))
		})
	}
	if sto != nil {
		p.storage = longestMatch(sto.Addons, func(prod string) bool {
			return rest == prod || (mem != nil && strings.HasSuffix(rest, "."+prod))
		})
	}
	needMem := mem != nil && explicit[familyMemory] == ""
	needSto := sto != nil && explicit[familyStorage] == ""
	if needMem && p.memory == nil {
		guess, _, _ := strings.Cut(rest, ".")
		if p.storage != nil {
			guess = strings.TrimSuffix(rest, "."+p.storage.Product)
		}
		return p, fmt.Errorf("family memory: %w: no addon with product %s (have: %s)", ErrNoAddon, guess, strings.Join(products(mem.Addons), ", "))
	}
	if needSto && p.storage == nil {
		guess := rest[strings.LastIndexByte(rest, '.')+1:]
		if p.memory != nil {
			if rest == p.memory.Product {
				return p, fmt.Errorf("family storage: %w: fqn has no storage part (have: %s)", ErrNoAddon, strings.Join(products(sto.Addons), ", "))
			}
			guess = strings.TrimPrefix(rest, p.memory.Product+".")
		}
		return p, fmt.Errorf("family storage: %w: no addon with product %s (have: %s)", ErrNoAddon, guess, strings.Join(products(sto.Addons), ", "))
	}
	if needMem && needSto && len(p.memory.Product)+1+len(p.storage.Product) != len(rest) {
		return p, fmt.Errorf("%w: fqn does not split into memory %s and storage %s", ErrNoAddon, p.memory.Product, p.storage.Product)
	}
	return p, nil
}

// longestMatch returns the addon with the longest product that match
// accepts, the first in catalog order on a tie; nil when none.
func longestMatch(addons []*Addon, match func(product string) bool) *Addon {
	var best *Addon
	for _, a := range addons {
		if match(a.Product) && (best == nil || len(a.Product) > len(best.Product)) {
			best = a
		}
	}
	return best
}

func products(addons []*Addon) []string {
	s := make([]string, len(addons))
	for i, a := range addons {
		s[i] = a.Product
	}
	return s
}

func addonCodes(addons []*Addon) []string {
	s := make([]string, len(addons))
	for i, a := range addons {
		s[i] = a.PlanCode
	}
	return s
}

func (o *Offer) familyNames() []string {
	s := make([]string, len(o.Families))
	for i := range o.Families {
		s[i] = o.Families[i].Name
	}
	return slices.Clip(s)
}
