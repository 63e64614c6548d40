// Package catalog fetches, caches, parses and prices OVH's public eco
// catalog (GET /order/catalog/public/eco).
//
// Data flow: a Source serves the cached raw catalog at once and refreshes it
// in the background (a Fetcher does the HTTP call, NewOVHFetcher through
// go-ovh); Parse turns raw bytes into a Catalog (offers, addon families,
// prices, one variant per fqn); Resolve picks the addon plan codes of every
// mandatory family for a planCode and fqn. Consumers read Source.Current
// (never blocks) or Source.Catalog (waits for the first one) and listen on
// Source.Updates for newer catalogs.
//
// Money is int64 in 1e-8 of the currency, excluding tax, as OVH writes it in
// the catalog; money.Format formats it at the edge.
package catalog

import (
	"time"

	"github.com/ovhtui/ovhtui/money"
)

// DefaultPricingMode is the pricing mode used when none is chosen.
const DefaultPricingMode = "default"

// Catalog is the parsed eco catalog of one subsidiary. It is immutable once
// built and safe for concurrent use.
type Catalog struct {
	Subsidiary string
	Currency   string // e.g. "EUR"
	// TaxRate is locale.taxRate in percent, rounded down (23 for IE). The
	// exact rate is kept internally for WithTax; per-price tax amounts as
	// OVH computed them are in Price.MonthlyTax and Price.SetupTax.
	TaxRate     int
	PricingMode string
	// PricingModes lists every pricing mode the catalog's plans use, sorted.
	PricingModes []string
	FetchedAt    time.Time
	Offers       []*Offer // sorted by planCode

	// Skipped lists plans, addons or variants left out, with the reason.
	Skipped []Skip

	taxMilliPercent int64 // locale.taxRate in 1/1000 of a percent

	byPlan  map[string]*Offer
	byFQN   map[string]*Variant
	byAddon map[string]*Addon
}

// SkipKind says what kind of catalog item a Skip is about.
type SkipKind string

// Kinds of skipped items.
const (
	SkipPlan    SkipKind = "plan"    // Item is a planCode; no Offer was built
	SkipAddon   SkipKind = "addon"   // Item is an addon planCode; it is in no family
	SkipVariant SkipKind = "variant" // Item is an fqn; a duplicate was dropped
)

// Skip is an item of the catalog that was left out and why.
type Skip struct {
	Kind   SkipKind
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
	Range       string // "kimsufi", "soyoustart", "rise" (or what the catalog says, lower case)
	CPU         CPU
	Datacenters []string // dedicated_datacenter values, catalog order
	Regions     []string // region values, catalog order
	Configs     []ConfigLabel
	Families    []Family // catalog order (alphabetical in OVH's catalogs)
	Price       Price    // the plan alone, without addons
	// Variants has one entry per fqn, sorted by first invoice then fqn.
	Variants []*Variant
}

// Family is an addon family of a plan.
type Family struct {
	Name      string // "memory", "storage", "bandwidth", ...
	Mandatory bool
	Exclusive bool
	Default   string // addon planCode, "" when none (or when the catalog's default is unusable)
	Addons    []*Addon
}

// Addon is an option of a plan. One Addon value is shared by every plan
// whose families list its planCode: OVH prices an addon planCode once, in
// the catalog's top-level addons list, whatever the plan.
type Addon struct {
	PlanCode string // e.g. "ram-32g-ecc-2400-25skle"
	Name     string // invoiceName
	Product  string // generic name used in fqn, e.g. "ram-32g-ecc-2400"
	Family   string // family of the first plan listing it (OVH keeps one family per addon)
	Price    Price
}

// Price is a monthly renew price and a setup fee in 1e-8 of the currency,
// excluding tax, with the tax OVH states for each.
type Price struct {
	Monthly    int64
	Setup      int64
	MonthlyTax int64
	SetupTax   int64
}

// FirstInvoice is setup plus the first month, excluding tax.
func (p Price) FirstInvoice() int64 { return p.Monthly + p.Setup }

// FirstInvoiceWithTax is setup plus the first month, tax included.
func (p Price) FirstInvoiceWithTax() int64 {
	return p.Monthly + p.Setup + p.MonthlyTax + p.SetupTax
}

// Add returns the sum of p and q.
func (p Price) Add(q Price) Price {
	return Price{
		Monthly:    p.Monthly + q.Monthly,
		Setup:      p.Setup + q.Setup,
		MonthlyTax: p.MonthlyTax + q.MonthlyTax,
		SetupTax:   p.SetupTax + q.SetupTax,
	}
}

// Variant is one orderable combination: one addon per mandatory family,
// identified by its fqn. Memory and storage vary across an offer's
// variants; every other mandatory family (bandwidth, vrack, ...) takes its
// default, or its first addon when the catalog names no usable default
// (Resolve then reports that family as ambiguous instead of guessing).
type Variant struct {
	FQN      string // planCode.memory.storage, as the availability API writes it
	PlanCode string
	Memory   string   // memory addon product ("" when the plan has no memory family)
	Storage  string   // storage addon product ("" when the plan has no storage family)
	Addons   []string // addon planCodes, one per mandatory family, in family order
	Price    Price    // plan + addons
}

// FirstInvoice is the first invoice of one unit excluding tax.
func (v *Variant) FirstInvoice() int64 { return v.Price.FirstInvoice() }

// WithTax returns amount with the catalog's tax rate added, rounded to the
// nearest unit.
func (c *Catalog) WithTax(amount int64) int64 {
	rate := c.taxMilliPercent
	if rate == 0 {
		rate = int64(c.TaxRate) * 1000
	}
	return amount + money.DivRound(amount*rate, 100_000)
}

// Offer returns the offer of planCode.
func (c *Catalog) Offer(planCode string) (*Offer, bool) { o, ok := c.byPlan[planCode]; return o, ok }

// Variant returns the variant of fqn.
func (c *Catalog) Variant(fqn string) (*Variant, bool) { v, ok := c.byFQN[fqn]; return v, ok }

// Addon returns the addon of planCode. The same Addon serves every plan
// that lists it; use Offer.Addon to also check that a plan offers it.
func (c *Catalog) Addon(planCode string) (*Addon, bool) { a, ok := c.byAddon[planCode]; return a, ok }
