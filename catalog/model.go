// Package catalog fetches, caches, parses and prices OVH's public eco
// catalog (GET /order/catalog/public/eco).
//
// Data flow: a Source serves the cached raw catalog at once and refreshes it
// in the background; Parse turns raw bytes into a Catalog (offers, addon
// families, prices, every variant with its fqn); Resolve picks the addon
// plan codes of every mandatory family for a planCode and fqn.
package catalog

import "time"

// DefaultPricingMode is the pricing mode used when none is chosen.
const DefaultPricingMode = "default"

// Catalog is the parsed eco catalog of one subsidiary. It is immutable once
// built and safe for concurrent use.
type Catalog struct {
	Subsidiary  string
	Currency    string // e.g. "EUR"
	TaxRate     int    // percent, from locale.taxRate
	PricingMode string
	FetchedAt   time.Time
	Offers      []*Offer // sorted by planCode

	// Skipped lists plans or addons left out, with the reason.
	Skipped []Skip

	byPlan  map[string]*Offer
	byFQN   map[string]*Variant
	byAddon map[string]*Addon
}

// Skip is an item of the catalog that was left out and why.
type Skip struct {
	Item   string
	Reason string
}

// CPU is the processor of an offer.
type CPU struct {
	Brand     string
	Model     string
	Cores     int
	Threads   int
	Frequency float64 // GHz
	Boost     float64 // GHz, 0 when unknown
}

// ConfigLabel is a required configuration of a plan and its allowed values.
type ConfigLabel struct {
	Name      string // e.g. "dedicated_os"
	Mandatory bool
	Values    []string
}

// Offer is one plan of the catalog: a server model.
type Offer struct {
	PlanCode    string
	Name        string // invoiceName, e.g. "KS-LE-B"
	Range       string // "kimsufi", "soyoustart", "rise" (or what the catalog says)
	CPU         CPU
	Datacenters []string // dedicated_datacenter values
	Regions     []string // region values
	Configs     []ConfigLabel
	Families    []Family
	Price       Price // the plan alone, without addons
	Variants    []*Variant
}

// Family is an addon family of a plan.
type Family struct {
	Name      string // "memory", "storage", "bandwidth", ...
	Mandatory bool
	Exclusive bool
	Default   string // addon planCode, "" when none
	Addons    []*Addon
}

// Addon is an option of a plan.
type Addon struct {
	PlanCode string // e.g. "ram-32g-ecc-2400-25skle"
	Name     string // invoiceName
	Product  string // generic name used in fqn, e.g. "ram-32g-ecc-2400"
	Family   string
	Price    Price
}

// Price is a monthly renew price and a setup fee in 1e-8 of the currency,
// excluding tax.
type Price struct {
	Monthly int64
	Setup   int64
}

// FirstInvoice is setup plus the first month.
func (p Price) FirstInvoice() int64 { return p.Monthly + p.Setup }

// Variant is one orderable combination: one addon per mandatory exclusive family.
type Variant struct {
	FQN      string // planCode.memory.storage, as the availability API writes it
	PlanCode string
	Addons   []string // addon planCodes, one per mandatory family, in family order
	Price    Price    // plan + addons
}

// FirstInvoice is the first invoice of one unit excluding tax.
func (v *Variant) FirstInvoice() int64 { return v.Price.FirstInvoice() }

// WithTax returns amount with the catalog's tax rate added.
func (c *Catalog) WithTax(amount int64) int64 { return amount + amount*int64(c.TaxRate)/100 }

// Offer returns the offer of planCode.
func (c *Catalog) Offer(planCode string) (*Offer, bool) { o, ok := c.byPlan[planCode]; return o, ok }

// Variant returns the variant of fqn.
func (c *Catalog) Variant(fqn string) (*Variant, bool) { v, ok := c.byFQN[fqn]; return v, ok }

// Addon returns the addon of planCode.
func (c *Catalog) Addon(planCode string) (*Addon, bool) { a, ok := c.byAddon[planCode]; return a, ok }
