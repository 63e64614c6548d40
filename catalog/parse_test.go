package catalog

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/ovhtui/ovhtui/money"
)

const fixturePath = "../testdata/eco-catalog-IE.json"

func readFixture(tb testing.TB) []byte {
	tb.Helper()
	data, err := os.ReadFile(fixturePath)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// parsedFixture is the IE fixture parsed once; a Catalog is immutable.
var parsedFixture = sync.OnceValues(func() (*Catalog, error) {
	data, err := os.ReadFile(fixturePath)
	if err != nil {
		return nil, err
	}
	return Parse(data, ParseOptions{Subsidiary: "IE"})
})

func parseFixture(tb testing.TB) *Catalog {
	tb.Helper()
	c, err := parsedFixture()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestParseFixtureKSLEB(t *testing.T) {
	fetched := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	c, err := Parse(readFixture(t), ParseOptions{Subsidiary: "IE", FetchedAt: fetched})
	if err != nil {
		t.Fatal(err)
	}
	if c.Subsidiary != "IE" || c.Currency != "EUR" || c.TaxRate != 23 || c.PricingMode != "default" || !c.FetchedAt.Equal(fetched) {
		t.Errorf("catalog header = %q %q %d %q %v", c.Subsidiary, c.Currency, c.TaxRate, c.PricingMode, c.FetchedAt)
	}
	o, ok := c.Offer("25skleb01")
	if !ok {
		t.Fatal("25skleb01 not found")
	}
	if o.Name != "KS-LE-B" || o.Range != RangeKimsufi {
		t.Errorf("offer = %q range %q", o.Name, o.Range)
	}
	if !slices.Equal(o.Datacenters, []string{"fra", "gra"}) || !slices.Equal(o.Regions, []string{"europe"}) {
		t.Errorf("datacenters %v regions %v", o.Datacenters, o.Regions)
	}
	if o.CPU.Brand != "Intel" || o.CPU.Model != "Xeon E3-1245v5" || o.CPU.Cores != 4 || o.CPU.Threads != 8 || o.CPU.Frequency != 3.5 || o.CPU.Boost != 3.9 {
		t.Errorf("cpu = %+v", o.CPU)
	}
	if len(o.Configs) != 1 || o.Configs[0].Name != "dedicated_os" || !o.Configs[0].Mandatory || !slices.Equal(o.Configs[0].Values, []string{"none_64.en"}) {
		t.Errorf("configs = %+v", o.Configs)
	}
	if got := o.MandatoryFamilies(); !slices.Equal(got, []string{"bandwidth", "memory", "storage"}) {
		t.Errorf("mandatory families = %v", got)
	}
	storage, _ := o.Family("storage")
	if storage.Default != "softraid-2x2000sa-25skle" || !storage.Exclusive || len(storage.Addons) != 2 {
		t.Errorf("storage family = %+v", storage)
	}

	const fqn = "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme"
	v, ok := c.Variant(fqn)
	if !ok {
		t.Fatalf("variant %s not found; have %v", fqn, fqns(o))
	}
	if v.PlanCode != "25skleb01" || v.Memory != "ram-32g-ecc-2400" || v.Storage != "softraid-2x450nvme" {
		t.Errorf("variant = %+v", v)
	}
	wantAddons := []string{"bandwidth-300-25skle", "ram-32g-ecc-2400-25skle", "softraid-2x450nvme-25skle"}
	if !slices.Equal(v.Addons, wantAddons) {
		t.Errorf("addons = %v, want %v (family order)", v.Addons, wantAddons)
	}
	if v.Price.Monthly != 999000000 || v.Price.Setup != 999000000 || v.FirstInvoice() != 1998000000 {
		t.Errorf("price = %+v first invoice %d", v.Price, v.FirstInvoice())
	}
	if got := money.Format(v.FirstInvoice(), c.Currency); got != "19.98 EUR" {
		t.Errorf("first invoice = %s", got)
	}
	if got := v.Price.FirstInvoiceWithTax(); got != 1998000000+2*229770000 {
		t.Errorf("first invoice with tax = %d", got)
	}
	if got := c.WithTax(v.FirstInvoice()); got != 2457540000 {
		t.Errorf("WithTax = %d", got)
	}
	if len(o.Variants) != 2 {
		t.Errorf("variants = %v", fqns(o))
	}
	for _, code := range wantAddons {
		a, ok := c.Addon(code)
		if !ok {
			t.Errorf("addon %s not found", code)
			continue
		}
		if oa, ok := o.Addon(code); !ok || oa != a {
			t.Errorf("offer addon %s = %v, %v", code, oa, ok)
		}
	}
	if a, _ := c.Addon("ram-32g-ecc-2400-25skle"); a.Product != "ram-32g-ecc-2400" || a.Family != "memory" || a.Name != "32GB DDR4 ECC 2400MHz" {
		t.Errorf("memory addon = %+v", a)
	}
}

func fqns(o *Offer) []string {
	var s []string
	for _, v := range o.Variants {
		s = append(s, v.FQN)
	}
	return s
}

// Every plan of the fixture gives an offer with at least one variant, or a
// skip reason; every variant is reachable by its fqn and names one addon
// per mandatory family.
func TestParseFixtureEveryPlan(t *testing.T) {
	data := readFixture(t)
	c := parseFixture(t)
	var w wireCatalog
	if err := jsonUnmarshalForTest(data, &w); err != nil {
		t.Fatal(err)
	}
	skipped := map[string]bool{}
	for _, s := range c.Skipped {
		if s.Kind == SkipPlan {
			skipped[s.Item] = true
		}
	}
	for _, p := range w.Plans {
		o, ok := c.Offer(p.PlanCode)
		if !ok {
			if !skipped[p.PlanCode] {
				t.Errorf("plan %s: neither offer nor skip reason", p.PlanCode)
			}
			continue
		}
		if len(o.Variants) == 0 {
			t.Errorf("plan %s: no variant", p.PlanCode)
		}
		if o.Range == "" {
			t.Errorf("plan %s: no range", p.PlanCode)
		}
		mandatory := o.MandatoryFamilies()
		for _, v := range o.Variants {
			if got, _ := c.Variant(v.FQN); got != v {
				t.Errorf("variant %s not indexed", v.FQN)
			}
			if len(v.Addons) != len(mandatory) {
				t.Errorf("variant %s: addons %v for families %v", v.FQN, v.Addons, mandatory)
			}
			if !strings.HasPrefix(v.FQN, p.PlanCode+".") {
				t.Errorf("variant %s: fqn does not start with the planCode", v.FQN)
			}
			if v.FirstInvoice() <= 0 {
				t.Errorf("variant %s: first invoice %d", v.FQN, v.FirstInvoice())
			}
		}
	}
	if len(c.Offers) != len(w.Plans) {
		t.Errorf("offers = %d, plans = %d, skipped %v", len(c.Offers), len(w.Plans), c.Skipped)
	}
	if !slices.IsSortedFunc(c.Offers, func(a, b *Offer) int { return strings.Compare(a.PlanCode, b.PlanCode) }) {
		t.Error("offers not sorted by planCode")
	}
	for _, code := range []string{"25sysle01", "24sys01", "24sysgame01"} {
		if o, _ := c.Offer(code); o.Range != RangeSoYouStart {
			t.Errorf("%s range = %q", code, o.Range)
		}
	}
	if o, _ := c.Offer("24rise02"); o.Range != RangeRise {
		t.Errorf("24rise02 range = %q", o.Range)
	}
}

func TestParseFixtureNonFQNFamiliesUseDefault(t *testing.T) {
	c := parseFixture(t)
	// 24rise02-mum: 4 bandwidth x 2 memory x 5 storage x 2 vrack combinations,
	// 10 fqns; bandwidth and vrack take their defaults.
	o, _ := c.Offer("24rise02-mum")
	if len(o.Variants) != 10 {
		t.Fatalf("variants = %d: %v", len(o.Variants), fqns(o))
	}
	for _, v := range o.Variants {
		if v.Addons[0] != "traffic-25tb-1000-24rise-apac" || v.Addons[3] != "vrack-bandwidth-1000-upto-2000-24rise" {
			t.Errorf("variant %s addons %v", v.FQN, v.Addons)
		}
	}
	if !slices.IsSortedFunc(o.Variants, func(a, b *Variant) int { return int(a.FirstInvoice() - b.FirstInvoice()) }) {
		t.Error("variants not sorted by price")
	}
}

func TestParseUnknownPricingMode(t *testing.T) {
	_, err := Parse(readFixture(t), ParseOptions{PricingMode: "monthly"})
	if err == nil || !strings.Contains(err.Error(), `unknown pricing mode "monthly"`) || !strings.Contains(err.Error(), "default, degressivity12") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseOtherPricingMode(t *testing.T) {
	c, err := Parse(readFixture(t), ParseOptions{PricingMode: "degressivity12"})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := c.Variant("25skleb01.ram-32g-ecc-2400.softraid-2x450nvme"); !ok || v.Price.Monthly != 999000000 {
		t.Errorf("variant = %+v", v)
	}
	// upfront modes have no monthly renew price: every plan is skipped.
	_, err = Parse(readFixture(t), ParseOptions{PricingMode: "upfront12"})
	if err == nil || !strings.Contains(err.Error(), "no usable plan") || !strings.Contains(err.Error(), "no monthly renew price in pricing mode upfront12") {
		t.Fatalf("upfront12 err = %v", err)
	}
}

func TestParseWrongSubsidiary(t *testing.T) {
	_, err := Parse(readFixture(t), ParseOptions{Subsidiary: "CA"})
	if err == nil || !strings.Contains(err.Error(), "catalog is for IE, want CA") {
		t.Fatalf("err = %v", err)
	}
}

func TestParseMalformed(t *testing.T) {
	data := readFixture(t)
	for name, in := range map[string][]byte{
		"empty":       nil,
		"truncated":   data[:len(data)/2],
		"truncated-1": bytes.TrimSpace(data)[:len(bytes.TrimSpace(data))-1],
		"trailing":    append(bytes.TrimSpace(data[:len(data):len(data)]), []byte("}")...),
		"not json":    []byte("<html>502 Bad Gateway</html>"),
		"array":       []byte(`[]`),
		"no plans":    []byte(`{"locale":{"currencyCode":"EUR","subsidiary":"IE","taxRate":23},"plans":[]}`),
		"no currency": []byte(`{"locale":{"subsidiary":"IE"},"plans":[{"planCode":"x"}]}`),
		"bad tax":     []byte(`{"locale":{"currencyCode":"EUR","taxRate":230},"plans":[{"planCode":"x"}]}`),
		"price type":  []byte(`{"locale":{"currencyCode":"EUR"},"plans":[{"planCode":"x","pricings":[{"price":"9.99"}]}]}`),
		"price float": []byte(`{"locale":{"currencyCode":"EUR"},"plans":[{"planCode":"x","pricings":[{"price":9.99}]}]}`),
		"huge price": []byte(`{"locale":{"currencyCode":"EUR"},"plans":[{"planCode":"x","pricings":[
			{"capacities":["installation"],"mode":"default","price":0},
			{"capacities":["renew"],"mode":"default","interval":1,"intervalUnit":"month","price":9223372036854775807}]}]}`),
	} {
		c, err := Parse(in, ParseOptions{})
		if err == nil {
			t.Errorf("%s: no error, catalog with %d offers", name, len(c.Offers))
		}
	}
}

// mini is a small catalog in OVH's shape for bad-input tests.
const mini = `{
 "locale": {"currencyCode": "EUR", "subsidiary": "IE", "taxRate": 23},
 "plans": [
  {"planCode": "good", "product": "good", "invoiceName": "GOOD",
   "addonFamilies": [
    {"name": "memory", "addons": ["ram-a", "ram-gone"], "default": "ram-gone", "exclusive": true, "mandatory": true},
    {"name": "storage", "addons": ["disk-a", "disk-b"], "default": null, "exclusive": true, "mandatory": true},
    {"name": "bandwidth", "addons": ["bw-a", "bw-b"], "default": "bw-b", "exclusive": true, "mandatory": true}
   ],
   "configurations": [{"name": "dedicated_datacenter", "values": ["gra"]}],
   "pricings": [
    {"capacities": ["installation"], "mode": "default", "interval": 0, "intervalUnit": "none", "price": 100000000, "tax": 23000000},
    {"capacities": ["renew"], "mode": "default", "interval": 12, "intervalUnit": "month", "price": 9000000000},
    {"capacities": ["renew"], "mode": "default", "interval": 1, "intervalUnit": "month", "price": 500000000, "tax": 115000000}
   ]},
  {"planCode": "noprice", "addonFamilies": [], "pricings": []},
  {"planCode": "nomemory", "addonFamilies": [
    {"name": "memory", "addons": ["ram-gone"], "exclusive": true, "mandatory": true}],
   "pricings": [
    {"capacities": ["installation"], "mode": "default", "price": 0},
    {"capacities": ["renew"], "mode": "default", "interval": 1, "intervalUnit": "month", "price": 1}]},
  {"planCode": "bare", "pricings": [
    {"capacities": ["installation"], "mode": "default", "price": 0},
    {"capacities": ["renew"], "mode": "default", "interval": 1, "intervalUnit": "month", "price": 1}]},
  {"planCode": "nonexcl", "addonFamilies": [
    {"name": "memory", "addons": ["ram-a", "ram-b"], "default": "ram-b", "exclusive": false, "mandatory": true},
    {"name": "storage", "addons": ["disk-a", "disk-b"], "default": "disk-a", "exclusive": true, "mandatory": true}],
   "pricings": [
    {"capacities": ["installation"], "mode": "default", "price": 0},
    {"capacities": ["renew"], "mode": "default", "interval": 1, "intervalUnit": "month", "price": 1}]},
  {"planCode": "dupdisk", "addonFamilies": [
    {"name": "storage", "addons": ["disk-a", "disk-a2"], "exclusive": true, "mandatory": true}],
   "pricings": [
    {"capacities": ["installation"], "mode": "default", "price": 0},
    {"capacities": ["renew"], "mode": "default", "interval": 1, "intervalUnit": "month", "price": 1}]}
 ],
 "addons": [
  {"planCode": "ram-a", "product": "ram-8g", "invoiceName": "8 GB", "pricings": [
    {"capacities": ["installation"], "mode": "default", "price": 0},
    {"capacities": ["renew"], "mode": "default", "interval": 1, "intervalUnit": "month", "price": 100000000}]},
  {"planCode": "ram-b", "product": "ram-16g", "invoiceName": "16 GB", "pricings": [
    {"capacities": ["installation"], "mode": "default", "price": 0},
    {"capacities": ["renew"], "mode": "default", "interval": 1, "intervalUnit": "month", "price": 200000000}]},
  {"planCode": "disk-a", "product": "disk-1", "pricings": [
    {"capacities": ["installation"], "mode": "default", "price": 0},
    {"capacities": ["renew"], "mode": "default", "interval": 1, "intervalUnit": "month", "price": 0}]},
  {"planCode": "disk-a2", "product": "disk-1", "pricings": [
    {"capacities": ["installation"], "mode": "default", "price": 0},
    {"capacities": ["renew"], "mode": "default", "interval": 1, "intervalUnit": "month", "price": 7}]},
  {"planCode": "disk-b", "product": "disk-2", "pricings": [
    {"capacities": ["installation"], "mode": "default", "price": 50000000},
    {"capacities": ["renew"], "mode": "default", "interval": 1, "intervalUnit": "month", "price": 200000000}]},
  {"planCode": "bw-a", "product": "bw-1", "pricings": [
    {"capacities": ["installation"], "mode": "default", "price": 0},
    {"capacities": ["renew"], "mode": "default", "interval": 1, "intervalUnit": "month", "price": 0}]},
  {"planCode": "bw-b", "product": "bw-2", "pricings": [
    {"capacities": ["renew"], "mode": "default", "interval": 1, "intervalUnit": "month", "price": 0}]}
 ]
}`

func TestParseBadItemsSkipped(t *testing.T) {
	var logs bytes.Buffer
	c, err := Parse([]byte(mini), ParseOptions{Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	want := []Skip{
		{SkipAddon, "ram-gone", "listed in family memory of plan good but missing from the catalog's addons"},
		{SkipAddon, "bw-b", "no installation price in pricing mode default"},
		{SkipPlan, "noprice", "no pricings"},
		{SkipPlan, "nomemory", "mandatory family memory has no usable addon (listed: ram-gone)"},
		{SkipVariant, "dupdisk.disk-1", "addons disk-a2 give the same fqn as addons disk-a; kept the latter (catalog order)"},
	}
	if !slices.Equal(c.Skipped, want) {
		t.Errorf("skipped:\n got %q\nwant %q", c.Skipped, want)
	}
	for _, s := range want {
		if !strings.Contains(logs.String(), "item="+s.Item) {
			t.Errorf("no log line for %s:\n%s", s.Item, logs.String())
		}
	}
	o, ok := c.Offer("good")
	if !ok {
		t.Fatal("good skipped")
	}
	mem, _ := o.Family("memory")
	if len(mem.Addons) != 1 || mem.Default != "" {
		t.Errorf("memory family = %+v", mem)
	}
	bw, _ := o.Family("bandwidth")
	if len(bw.Addons) != 1 || bw.Addons[0].PlanCode != "bw-a" {
		t.Errorf("bandwidth family = %+v", bw)
	}
	if got := fqns(o); !slices.Equal(got, []string{"good.ram-8g.disk-1", "good.ram-8g.disk-2"}) {
		t.Errorf("variants = %v", got)
	}
	v, _ := c.Variant("good.ram-8g.disk-2")
	// Plan 5.00 + 1.00 setup, ram 1.00, disk 2.00 + 0.50 setup; the
	// 12-month renew pricing is not the monthly one.
	if v.Price.Monthly != 800000000 || v.Price.Setup != 150000000 || v.Price.MonthlyTax != 115000000 || v.Price.SetupTax != 23000000 {
		t.Errorf("price = %+v", v.Price)
	}
	if o, ok := c.Offer("bare"); !ok || fqns(o)[0] != "bare" || len(o.Variants[0].Addons) != 0 {
		t.Errorf("bare plan = %+v", o)
	}
	if _, ok := c.Offer("noprice"); ok {
		t.Error("noprice kept")
	}
}

func TestParseAllSkipped(t *testing.T) {
	_, err := Parse([]byte(`{"locale":{"currencyCode":"EUR"},"plans":[{"planCode":"x","pricings":[{"mode":"default","capacities":["installation"]}]}]}`), ParseOptions{})
	if err == nil || !strings.Contains(err.Error(), "no usable plan (1 skipped, first plan x: no monthly renew price") {
		t.Fatalf("err = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(mini))
	f.Add([]byte(`{"locale":{"currencyCode":"EUR"},"plans":[{"planCode":"x"}]}`))
	f.Add([]byte(`{"plans":null}`))
	f.Add(readFixture(f)[:4096])
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, ParseOptions{})
		if err != nil {
			if c != nil {
				t.Fatal("catalog with error")
			}
			return
		}
		for _, o := range c.Offers {
			if len(o.Variants) == 0 {
				t.Fatalf("offer %s without variant", o.PlanCode)
			}
			for _, v := range o.Variants {
				if got, ok := c.Variant(v.FQN); !ok || got != v {
					t.Fatalf("variant %s not indexed", v.FQN)
				}
				if _, err := c.Resolve(o.PlanCode, v.FQN, nil); err != nil && !errors.Is(err, ErrAmbiguous) {
					t.Fatalf("resolve own variant %s: %v", v.FQN, err)
				}
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	data := readFixture(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, ParseOptions{Subsidiary: "IE"}); err != nil {
			b.Fatal(err)
		}
	}
}

func jsonUnmarshalForTest(data []byte, v any) error { return json.Unmarshal(data, v, decodeOptions) }

// A mandatory family that is not exclusive: variants take its default (the
// catalog allows several of its addons together; ovhtui orders one).
func TestParseMandatoryNonExclusive(t *testing.T) {
	c, err := Parse([]byte(mini), ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	o, _ := c.Offer("nonexcl")
	if got := fqns(o); !slices.Equal(got, []string{"nonexcl.ram-16g.disk-1", "nonexcl.ram-16g.disk-2"}) {
		t.Errorf("variants = %v", got)
	}
	if got := len(o.MemoryOptions()); got != 2 {
		t.Errorf("memory options = %d", got)
	}
	if got, err := c.Resolve("nonexcl", "nonexcl.ram-8g.disk-2", nil); err != nil || !slices.Equal(got, []string{"ram-a", "disk-b"}) {
		t.Errorf("Resolve = %v, %v", got, err)
	}
}

func TestOfferHelpers(t *testing.T) {
	c := parseFixture(t)
	o, _ := c.Offer("24sk50")
	var mem, sto []string
	for _, a := range o.MemoryOptions() {
		mem = append(mem, a.Product)
	}
	for _, a := range o.StorageOptions() {
		sto = append(sto, a.Product)
	}
	if !slices.Equal(mem, []string{"ram-32g-ecc-2400", "ram-64g-ecc-2400"}) || !slices.Equal(sto, []string{"softraid-2x2000sa", "softraid-2x450nvme"}) {
		t.Errorf("options = %v %v", mem, sto)
	}
	if v := o.CheapestVariant(); v == nil || v.FQN != "24sk50.ram-32g-ecc-2400.softraid-2x2000sa" {
		t.Errorf("cheapest = %+v", v)
	}
	if _, ok := o.Addon("ram-32g-ecc-2400-25skle"); ok {
		t.Error("24sk50 offers an addon of 25skleb01")
	}
	if got := o.CPU.String(); got != "Intel Xeon-E3 1270 v6, 4c/8t, 3.8/4.2 GHz" {
		t.Errorf("CPU = %q (%+v)", got, o.CPU)
	}
	if got := FQN("p", "", "s"); got != "p.s" {
		t.Errorf("FQN = %q", got)
	}
}
