package ovhsim

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
)

//go:embed data/eco-catalog-IE.json.gz
var defaultCatalogGz []byte

// DefaultCatalog returns the embedded real eco catalog of the IE subsidiary
// (ungzipped JSON, as GET /order/catalog/public/eco?ovhSubsidiary=IE serves
// it): a copy of its own for each caller. The demo builds its simulator
// from it.
func DefaultCatalog() []byte { return bytes.Clone(defaultCatalog()) }

// defaultCatalog is the embedded catalog, ungzipped once per process.
var defaultCatalog = sync.OnceValue(func() []byte {
	zr, err := gzip.NewReader(bytes.NewReader(defaultCatalogGz))
	if err != nil {
		panic(fmt.Sprintf("ovhsim: embedded catalog: %v", err))
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		panic(fmt.Sprintf("ovhsim: embedded catalog: %v", err))
	}
	return b
})

// Configuration labels and family names of the eco catalog.
const (
	labelDatacenter = "dedicated_datacenter"
	labelOS         = "dedicated_os"
	labelRegion     = "region"

	familyMemory        = "memory"
	familyStorage       = "storage"
	familySystemStorage = "system-storage"

	capInstallation = "installation"
	capRenew        = "renew"

	modeDefault = "default"
)

// catalog is the simulator's own minimal reading of the eco catalog: just
// what carts, prices and the availability feed need.
type catalog struct {
	currency   string
	subsidiary string
	taxBP      int64 // tax rate in basis points (23% = 2300)
	plans      map[string]*catPlan
	planOrder  []string
	addons     map[string]*catPlan
}

type catPricing struct {
	Capacities   []string `json:"capacities"`
	Mode         string   `json:"mode"`
	Interval     int      `json:"interval"`
	IntervalUnit string   `json:"intervalUnit"`
	Price        int64    `json:"price"`
	Commitment   int      `json:"commitment"`
	Description  string   `json:"description"`
	Type         string   `json:"type"`
	Quantity     struct {
		Min int `json:"min"`
		Max int `json:"max"`
	} `json:"quantity"`
	Repeat struct {
		Min int `json:"min"`
		Max int `json:"max"`
	} `json:"repeat"`
}

type catFamily struct {
	Name      string   `json:"name"`
	Addons    []string `json:"addons"`
	Default   *string  `json:"default"`
	Exclusive bool     `json:"exclusive"`
	Mandatory bool     `json:"mandatory"`
}

type catConfig struct {
	Name        string   `json:"name"`
	IsCustom    bool     `json:"isCustom"`
	IsMandatory bool     `json:"isMandatory"`
	Values      []string `json:"values"`
}

// catPlan is a plan or an addon (same shape in the catalog).
type catPlan struct {
	PlanCode       string       `json:"planCode"`
	Product        string       `json:"product"`
	InvoiceName    string       `json:"invoiceName"`
	AddonFamilies  []catFamily  `json:"addonFamilies"`
	Configurations []catConfig  `json:"configurations"`
	PricingType    string       `json:"pricingType"`
	Pricings       []catPricing `json:"pricings"`
}

var (
	catCacheMu sync.Mutex
	catCache   = map[[sha256.Size]byte]*catalog{}
)

// parseCatalog parses b, or returns the catalog already parsed from the
// same bytes: a catalog is read-only once parsed, so simulators share it
// (parsing the real one costs tens of milliseconds, far more under -race).
func parseCatalog(b []byte) (*catalog, error) {
	key := sha256.Sum256(b)
	catCacheMu.Lock()
	defer catCacheMu.Unlock()
	if c, ok := catCache[key]; ok {
		return c, nil
	}
	c, err := parseCatalogBytes(b)
	if err != nil {
		return nil, err
	}
	if len(catCache) > 8 {
		clear(catCache)
	}
	catCache[key] = c
	return c, nil
}

func parseCatalogBytes(b []byte) (*catalog, error) {
	var raw struct {
		Locale struct {
			CurrencyCode string      `json:"currencyCode"`
			Subsidiary   string      `json:"subsidiary"`
			TaxRate      json.Number `json:"taxRate"`
		} `json:"locale"`
		Plans  []*catPlan `json:"plans"`
		Addons []*catPlan `json:"addons"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("parse catalog: %w", err)
	}
	if len(raw.Plans) == 0 {
		return nil, fmt.Errorf("parse catalog: no plans")
	}
	if raw.Locale.CurrencyCode == "" {
		return nil, fmt.Errorf("parse catalog: locale.currencyCode is empty")
	}
	c := &catalog{
		currency:   raw.Locale.CurrencyCode,
		subsidiary: raw.Locale.Subsidiary,
		plans:      map[string]*catPlan{},
		addons:     map[string]*catPlan{},
	}
	if raw.Locale.TaxRate != "" {
		f, err := raw.Locale.TaxRate.Float64()
		if err != nil {
			return nil, fmt.Errorf("parse catalog: locale.taxRate: %w", err)
		}
		c.taxBP = int64(math.Round(f * 100))
	}
	for _, p := range raw.Plans {
		if p.PlanCode == "" {
			return nil, fmt.Errorf("parse catalog: a plan has no planCode")
		}
		c.plans[p.PlanCode] = p
		c.planOrder = append(c.planOrder, p.PlanCode)
	}
	for _, a := range raw.Addons {
		c.addons[a.PlanCode] = a
	}
	return c, nil
}

// config returns the plan's configuration named name, or nil.
func (p *catPlan) config(name string) *catConfig {
	for i := range p.Configurations {
		if p.Configurations[i].Name == name {
			return &p.Configurations[i]
		}
	}
	return nil
}

// family returns the addon family named name, or nil.
func (p *catPlan) family(name string) *catFamily {
	for i := range p.AddonFamilies {
		if p.AddonFamilies[i].Name == name {
			return &p.AddonFamilies[i]
		}
	}
	return nil
}

// familyOf returns the family of the plan that lists addon, or nil.
func (p *catPlan) familyOf(addon string) *catFamily {
	for i := range p.AddonFamilies {
		if slices.Contains(p.AddonFamilies[i].Addons, addon) {
			return &p.AddonFamilies[i]
		}
	}
	return nil
}

// datacenters lists the DCs the plan is sold in.
func (p *catPlan) datacenters() []string {
	if c := p.config(labelDatacenter); c != nil {
		return c.Values
	}
	return nil
}

// pricing finds the pricing of mode with capability capa.
func (p *catPlan) pricing(mode, capa string) (catPricing, bool) {
	for _, pr := range p.Pricings {
		if pr.Mode == mode && slices.Contains(pr.Capacities, capa) {
			return pr, true
		}
	}
	return catPricing{}, false
}

// modes lists the pricing modes that have a renew pricing.
func (p *catPlan) modes() []string {
	var out []string
	for _, pr := range p.Pricings {
		if slices.Contains(pr.Capacities, capRenew) && !slices.Contains(out, pr.Mode) {
			out = append(out, pr.Mode)
		}
	}
	return out
}

// durationOf is the ISO 8601 duration a renew pricing bills ("P1M").
func durationOf(pr catPricing) string {
	switch strings.ToLower(pr.IntervalUnit) {
	case "month":
		return fmt.Sprintf("P%dM", pr.Interval)
	case "year":
		return fmt.Sprintf("P%dY", pr.Interval)
	case "day":
		return fmt.Sprintf("P%dD", pr.Interval)
	}
	return fmt.Sprintf("P%dM", pr.Interval)
}

// variant is one orderable hardware combination of a plan: what the
// availability feed lists.
type variant struct {
	planCode      string
	server        string
	memory        string // addon product name
	storage       string // addon product name
	systemStorage string // addon product name, "" when the plan has no such family
	dcs           []string
}

func (v variant) fqn() string { return v.planCode + "." + v.memory + "." + v.storage }

// variants lists every memory x storage combination of every plan.
func (c *catalog) variants() []variant {
	var out []variant
	for _, code := range c.planOrder {
		p := c.plans[code]
		mem, sto := p.family(familyMemory), p.family(familyStorage)
		if mem == nil || sto == nil {
			continue
		}
		sys := ""
		if f := p.family(familySystemStorage); f != nil {
			a := f.Addons[0]
			if f.Default != nil {
				a = *f.Default
			}
			sys = c.addonProduct(a)
		}
		for _, m := range mem.Addons {
			for _, s := range sto.Addons {
				out = append(out, variant{
					planCode:      code,
					server:        p.Product,
					memory:        c.addonProduct(m),
					storage:       c.addonProduct(s),
					systemStorage: sys,
					dcs:           p.datacenters(),
				})
			}
		}
	}
	return out
}

// addonProduct is the product name of an addon (its planCode when unknown).
func (c *catalog) addonProduct(planCode string) string {
	if a, ok := c.addons[planCode]; ok && a.Product != "" {
		return a.Product
	}
	return planCode
}

// getCatalog serves GET /order/catalog/public/eco?ovhSubsidiary=. The
// simulator's own subsidiary gets the raw catalog; another subsidiary of
// the EU endpoint gets the same catalog with locale.subsidiary changed
// (prices and currency are not converted: a simplification); a missing or
// non-EU subsidiary is refused with 400.
func (s *Sim) getCatalog(c *call) *reply {
	sub := c.r.URL.Query().Get("ovhSubsidiary")
	if sub == "" {
		return missing("ovhSubsidiary")
	}
	if !slices.Contains(euSubsidiaries, sub) {
		return errReply(badRequest("[ovhSubsidiary] Given data (%s) does not belong to the OvhSubsidiaryEnum enumeration", sub))
	}
	if sub == s.cat.subsidiary || s.cat.subsidiary == "" {
		return &reply{status: 200, body: s.rawCat}
	}
	if b, ok := s.catBySub[sub]; ok {
		return &reply{status: 200, body: b}
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(s.rawCat, &doc); err != nil {
		return errReply(&apiError{status: 500, class: "Server::InternalServerError", message: err.Error()})
	}
	var loc map[string]any
	_ = json.Unmarshal(doc["locale"], &loc)
	if loc == nil {
		loc = map[string]any{}
	}
	loc["subsidiary"] = sub
	doc["locale"], _ = json.Marshal(loc)
	b, _ := json.Marshal(doc)
	s.catBySub[sub] = b
	return &reply{status: 200, body: b}
}
