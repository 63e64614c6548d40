package catalog

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/ovhtui/ovhtui/money"
)

// ParseOptions tunes Parse.
type ParseOptions struct {
	// PricingMode selects the pricings used ("default" when empty). A mode
	// that no plan of the catalog has is an error.
	PricingMode string
	// Subsidiary is the subsidiary the catalog was asked for. When set, a
	// catalog whose locale names another subsidiary is an error.
	Subsidiary string
	// FetchedAt is when the raw catalog was downloaded; copied to the Catalog.
	FetchedAt time.Time
	// Log receives one line per skipped item; nil discards.
	Log *slog.Logger
}

// decodeOptions are lenient with what OVH might one day send (invalid UTF-8
// is replaced, a duplicated key keeps the last value, as encoding/json does)
// but strict on structure: a truncated or malformed document is an error.
var decodeOptions = json.JoinOptions(
	jsontext.AllowInvalidUTF8(true),
	jsontext.AllowDuplicateNames(true),
)

// Parse turns the raw body of GET /order/catalog/public/eco into a Catalog.
//
// Malformed JSON, a missing currency, a catalog for another subsidiary, an
// unknown pricing mode or a catalog with no usable plan is an error. A plan
// without a price in the chosen mode, or whose mandatory family has no
// usable addon, is left out; an addon that is referenced but missing or
// unpriced is dropped from its families; both are listed in
// Catalog.Skipped and logged.
//
// Each Offer gets one Variant per fqn: every combination of one addon per
// mandatory exclusive family where memory and storage, the two families
// the fqn names, take each of their addons and every other mandatory family
// (bandwidth, vrack, system-storage, or a non-exclusive mandatory family)
// takes its default, or its first addon when it has no usable default.
// This is what enumerating every combination and then keeping, per fqn, the
// one with default choices outside the fqn gives: the availability API
// knows nothing finer than the fqn, and Resolve picks the same defaults.
// The fqn is planCode.memory.storage with the addons' product names; a
// plan without a memory or storage family leaves that part out.
func Parse(data []byte, opts ParseOptions) (*Catalog, error) {
	mode := cmp.Or(opts.PricingMode, DefaultPricingMode)
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if len(data) == 0 {
		return nil, errors.New("parse eco catalog: empty document")
	}
	var w wireCatalog
	if err := json.Unmarshal(data, &w, decodeOptions); err != nil {
		return nil, fmt.Errorf("parse eco catalog: %w", err)
	}

	c := &Catalog{
		Subsidiary:  cmp.Or(w.Locale.Subsidiary, opts.Subsidiary),
		Currency:    w.Locale.CurrencyCode,
		PricingMode: mode,
		FetchedAt:   opts.FetchedAt,
	}
	if c.Currency == "" {
		return nil, errors.New("parse eco catalog: locale.currencyCode: missing")
	}
	if opts.Subsidiary != "" && w.Locale.Subsidiary != "" && !strings.EqualFold(opts.Subsidiary, w.Locale.Subsidiary) {
		return nil, fmt.Errorf("parse eco catalog: locale.subsidiary: catalog is for %s, want %s", w.Locale.Subsidiary, opts.Subsidiary)
	}
	if r := w.Locale.TaxRate; r < 0 || r > 100 {
		return nil, fmt.Errorf("parse eco catalog: locale.taxRate: %v is not a percentage", r)
	}
	c.taxMilliPercent = int64(math.Round(w.Locale.TaxRate * 1000))
	c.TaxRate = int(c.taxMilliPercent / 1000)
	if len(w.Plans) == 0 {
		return nil, errors.New("parse eco catalog: plans: empty")
	}

	c.PricingModes = pricingModes(w.Plans)
	if _, ok := slices.BinarySearch(c.PricingModes, mode); !ok {
		return nil, fmt.Errorf("parse eco catalog: unknown pricing mode %q (catalog has: %s)", mode, strings.Join(c.PricingModes, ", "))
	}

	b := &builder{
		c:        c,
		mode:     mode,
		log:      log,
		addons:   make(map[string]*wirePlan, len(w.Addons)),
		products: make(map[string]*wireProduct, len(w.Products)),
		badAddon: make(map[string]bool),
	}
	for i := range w.Addons {
		b.addons[w.Addons[i].PlanCode] = &w.Addons[i]
	}
	for i := range w.Products {
		b.products[w.Products[i].Name] = &w.Products[i]
	}
	c.byPlan = make(map[string]*Offer, len(w.Plans))
	c.byFQN = make(map[string]*Variant, 8*len(w.Plans))
	c.byAddon = make(map[string]*Addon, len(w.Addons))
	c.Offers = make([]*Offer, 0, len(w.Plans))
	for i := range w.Plans {
		b.plan(i, &w.Plans[i])
	}
	if len(c.Offers) == 0 {
		first := c.Skipped[0]
		return nil, fmt.Errorf("parse eco catalog: no usable plan (%d skipped, first %s %s: %s)", len(c.Skipped), first.Kind, first.Item, first.Reason)
	}
	slices.SortFunc(c.Offers, func(a, b *Offer) int { return strings.Compare(a.PlanCode, b.PlanCode) })
	return c, nil
}

// pricingModes returns the sorted set of modes used by the plans' pricings.
func pricingModes(plans []wirePlan) []string {
	var modes []string
	for i := range plans {
		for j := range plans[i].Pricings {
			m := plans[i].Pricings[j].Mode
			if m != "" && !slices.Contains(modes, m) {
				modes = append(modes, m)
			}
		}
	}
	slices.Sort(modes)
	return modes
}

// builder holds the indexes used while building one Catalog.
type builder struct {
	c        *Catalog
	mode     string
	log      *slog.Logger
	addons   map[string]*wirePlan
	products map[string]*wireProduct
	badAddon map[string]bool // addon planCodes already skipped
}

func (b *builder) skip(kind SkipKind, item, reason string) {
	b.c.Skipped = append(b.c.Skipped, Skip{Kind: kind, Item: item, Reason: reason})
	b.log.Warn("catalog: item skipped", "kind", string(kind), "item", item, "reason", reason)
}

// plan builds the Offer of w, or records why it is skipped.
func (b *builder) plan(index int, w *wirePlan) {
	if w.PlanCode == "" {
		b.skip(SkipPlan, fmt.Sprintf("plans[%d]", index), "no planCode")
		return
	}
	if _, dup := b.c.byPlan[w.PlanCode]; dup {
		b.skip(SkipPlan, w.PlanCode, fmt.Sprintf("plans[%d]: planCode listed twice, kept the first", index))
		return
	}
	price, err := b.price(w.Pricings)
	if err != nil {
		b.skip(SkipPlan, w.PlanCode, err.Error())
		return
	}
	o := &Offer{
		PlanCode: w.PlanCode,
		Name:     w.InvoiceName,
		Price:    price,
		Families: make([]Family, 0, len(w.AddonFamilies)),
	}
	for i := range w.AddonFamilies {
		f, ok := b.family(w.PlanCode, &w.AddonFamilies[i])
		if !ok {
			return
		}
		o.Families = append(o.Families, f)
	}
	for _, cfg := range w.Configurations {
		switch cfg.Name {
		case labelDatacenter:
			o.Datacenters = cfg.Values
		case labelRegion:
			o.Regions = cfg.Values
		default:
			o.Configs = append(o.Configs, ConfigLabel{Name: cfg.Name, Mandatory: cfg.IsMandatory, Values: cfg.Values})
		}
	}
	prod := b.products[w.Product]
	if prod != nil {
		if cpu := prod.Blobs.cpu(); cpu != nil {
			o.CPU = CPU{Brand: cpu.Brand, Model: cpu.Model, Cores: cpu.Cores, Threads: cpu.Threads, Frequency: cpu.Frequency, Boost: cpu.Boost}
		}
	}
	o.Range = offerRange(w, prod)
	b.variants(o)
	b.c.Offers = append(b.c.Offers, o)
	b.c.byPlan[o.PlanCode] = o
}

// family builds one addon family of plan. It reports false, after
// recording the skip, when the family is mandatory and none of its addons
// is usable: the plan cannot be ordered.
func (b *builder) family(plan string, w *wireFamily) (Family, bool) {
	f := Family{
		Name:      w.Name,
		Mandatory: w.Mandatory,
		Exclusive: w.Exclusive,
		Addons:    make([]*Addon, 0, len(w.Addons)),
	}
	for _, code := range w.Addons {
		a := b.addon(plan, w.Name, code)
		if a == nil || slices.Contains(f.Addons, a) {
			continue
		}
		f.Addons = append(f.Addons, a)
		if code == w.Default {
			f.Default = code
		}
	}
	if w.Default != "" && f.Default == "" {
		b.log.Debug("catalog: family default unusable", "plan", plan, "family", w.Name, "default", w.Default)
	}
	if f.Mandatory && len(f.Addons) == 0 {
		b.skip(SkipPlan, plan, fmt.Sprintf("mandatory family %s has no usable addon (listed: %s)", w.Name, strings.Join(w.Addons, ", ")))
		return f, false
	}
	return f, true
}

// addon returns the shared Addon of code, building it on first use, or nil
// when it is missing or unpriced (recorded once per addon planCode).
func (b *builder) addon(plan, family, code string) *Addon {
	if a := b.c.byAddon[code]; a != nil {
		return a
	}
	if b.badAddon[code] {
		return nil
	}
	w := b.addons[code]
	if w == nil {
		b.badAddon[code] = true
		b.skip(SkipAddon, code, fmt.Sprintf("listed in family %s of plan %s but missing from the catalog's addons", family, plan))
		return nil
	}
	price, err := b.price(w.Pricings)
	if err != nil {
		b.badAddon[code] = true
		b.skip(SkipAddon, code, err.Error())
		return nil
	}
	a := &Addon{PlanCode: code, Name: w.InvoiceName, Product: w.Product, Family: family, Price: price}
	if a.Product == "" {
		// Without a product name the addon cannot appear in an fqn; its
		// planCode is the closest stable name.
		a.Product = code
	}
	b.c.byAddon[code] = a
	return a
}

// maxPrice bounds any single price: 10 million currency units.
const maxPrice = 10_000_000 * money.Unit

// price picks the monthly renew price and the setup fee of the chosen mode,
// by capacity, mode and interval, never by position. When several pricings
// match (none do in OVH's catalogs so far), the highest is kept: a price
// compared with a ceiling is better overestimated.
func (b *builder) price(pricings []wirePricing) (Price, error) {
	var p Price
	var renew, setup bool
	for i := range pricings {
		q := &pricings[i]
		if q.Mode != b.mode {
			continue
		}
		switch {
		case slices.Contains(q.Capacities, capacityRenew) && q.Interval == 1 && q.IntervalUnit == intervalUnitMonth:
			if !renew || q.Price > p.Monthly {
				p.Monthly, p.MonthlyTax = q.Price, q.Tax
			}
			renew = true
		case slices.Contains(q.Capacities, capacityInstallation):
			if !setup || q.Price > p.Setup {
				p.Setup, p.SetupTax = q.Price, q.Tax
			}
			setup = true
		}
	}
	switch {
	case len(pricings) == 0:
		return p, errors.New("no pricings")
	case !renew:
		return p, fmt.Errorf("no monthly renew price in pricing mode %s", b.mode)
	case !setup:
		return p, fmt.Errorf("no installation price in pricing mode %s", b.mode)
	case p.Monthly < 0 || p.Setup < 0 || p.MonthlyTax < 0 || p.SetupTax < 0:
		return p, fmt.Errorf("negative price in pricing mode %s", b.mode)
	case p.Monthly > maxPrice || p.Setup > maxPrice || p.MonthlyTax > maxPrice || p.SetupTax > maxPrice:
		// Also keeps sums of a plan and its addons far from overflow.
		return p, fmt.Errorf("implausible price above %d in pricing mode %s", int64(maxPrice), b.mode)
	}
	return p, nil
}

// variants builds o.Variants and indexes them by fqn.
func (b *builder) variants(o *Offer) {
	// choices[i] are the addons taken for the i-th mandatory family.
	var choices [][]*Addon
	memory, storage := -1, -1
	for i := range o.Families {
		f := &o.Families[i]
		if !f.Mandatory {
			continue
		}
		switch f.Name {
		case familyMemory:
			memory = len(choices)
		case familyStorage:
			storage = len(choices)
		}
		if f.Exclusive && (f.Name == familyMemory || f.Name == familyStorage) {
			choices = append(choices, f.Addons)
			continue
		}
		// Outside the fqn, or not exclusive (several addons could be taken
		// together; a variant takes one): the default, else the first.
		d := f.defaultAddon()
		if len(f.Addons) > 1 {
			b.log.Debug("catalog: family not in fqn, variants use one addon",
				"plan", o.PlanCode, "family", f.Name, "addon", d.PlanCode, "choices", len(f.Addons), "exclusive", f.Exclusive)
		}
		choices = append(choices, []*Addon{d})
	}

	n := 1
	for _, ch := range choices {
		n *= len(ch)
	}
	o.Variants = make([]*Variant, 0, n)
	idx := make([]int, len(choices))
	for {
		v := &Variant{PlanCode: o.PlanCode, Addons: make([]string, len(choices)), Price: o.Price}
		for i, ch := range choices {
			a := ch[idx[i]]
			v.Addons[i] = a.PlanCode
			v.Price = v.Price.Add(a.Price)
		}
		if memory >= 0 {
			v.Memory = choices[memory][idx[memory]].Product
		}
		if storage >= 0 {
			v.Storage = choices[storage][idx[storage]].Product
		}
		v.FQN = FQN(o.PlanCode, v.Memory, v.Storage)
		if prev, dup := b.c.byFQN[v.FQN]; dup {
			b.skip(SkipVariant, v.FQN, fmt.Sprintf("addons %s give the same fqn as addons %s; kept the latter (catalog order)",
				strings.Join(v.Addons, ", "), strings.Join(prev.Addons, ", ")))
		} else {
			b.c.byFQN[v.FQN] = v
			o.Variants = append(o.Variants, v)
		}
		// Next combination, last family fastest.
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(choices[i]) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			break
		}
	}
	slices.SortFunc(o.Variants, func(x, y *Variant) int {
		return cmp.Or(cmp.Compare(x.FirstInvoice(), y.FirstInvoice()), strings.Compare(x.FQN, y.FQN))
	})
}

// FQN builds an fqn as the availability API writes it:
// planCode.memory.storage, leaving out an empty part.
func FQN(planCode, memory, storage string) string {
	fqn := planCode
	if memory != "" {
		fqn += "." + memory
	}
	if storage != "" {
		fqn += "." + storage
	}
	return fqn
}

// defaultAddon is the family's default addon, else its first.
func (f *Family) defaultAddon() *Addon {
	for _, a := range f.Addons {
		if a.PlanCode == f.Default {
			return a
		}
	}
	return f.Addons[0]
}

// offerRange is the plan's commercial range, else its product's technical
// range, else a guess from the planCode, normalised.
func offerRange(w *wirePlan, prod *wireProduct) string {
	r := w.Blobs.commercialRange()
	if r == "" && prod != nil {
		r = prod.Blobs.serverRange()
	}
	if r == "" {
		return rangeFromPlanCode(w.PlanCode)
	}
	return normaliseRange(r)
}

// Ranges as Offer.Range names them.
const (
	RangeKimsufi    = "kimsufi"
	RangeSoYouStart = "soyoustart"
	RangeRise       = "rise"
)

func normaliseRange(r string) string {
	r = strings.ToLower(strings.TrimSpace(r))
	switch r {
	case "kimsufi", "ks":
		return RangeKimsufi
	case "soyoustart", "so-you-start", "so you start", "sys":
		return RangeSoYouStart
	case "rise":
		return RangeRise
	}
	return r
}

// rangeFromPlanCode guesses from eco planCodes: a two-digit year, then
// "sk" (Kimsufi), "sys" (So you Start) or "rise".
func rangeFromPlanCode(planCode string) string {
	s := strings.TrimLeft(strings.ToLower(planCode), "0123456789")
	switch {
	case strings.HasPrefix(s, "sys"):
		return RangeSoYouStart
	case strings.HasPrefix(s, "sk"), strings.HasPrefix(s, "ks"):
		return RangeKimsufi
	case strings.HasPrefix(s, "rise"):
		return RangeRise
	}
	return ""
}
