package catalog

import (
	"fmt"
	"strings"
)

// Family returns the family named name.
func (o *Offer) Family(name string) (*Family, bool) {
	for i := range o.Families {
		if o.Families[i].Name == name {
			return &o.Families[i], true
		}
	}
	return nil, false
}

// Addon returns the addon of planCode if one of o's families offers it.
func (o *Offer) Addon(planCode string) (*Addon, bool) {
	for i := range o.Families {
		for _, a := range o.Families[i].Addons {
			if a.PlanCode == planCode {
				return a, true
			}
		}
	}
	return nil, false
}

// MemoryOptions returns the addons of the memory family (nil when none).
func (o *Offer) MemoryOptions() []*Addon { return o.familyAddons(familyMemory) }

// StorageOptions returns the addons of the storage family (nil when none).
func (o *Offer) StorageOptions() []*Addon { return o.familyAddons(familyStorage) }

func (o *Offer) familyAddons(name string) []*Addon {
	if f, ok := o.Family(name); ok {
		return f.Addons
	}
	return nil
}

// MandatoryFamilies returns the names of o's mandatory families in order.
func (o *Offer) MandatoryFamilies() []string {
	var names []string
	for i := range o.Families {
		if o.Families[i].Mandatory {
			names = append(names, o.Families[i].Name)
		}
	}
	return names
}

// CheapestVariant returns the variant with the lowest first invoice, nil
// when o has none.
func (o *Offer) CheapestVariant() *Variant {
	if len(o.Variants) == 0 {
		return nil
	}
	return o.Variants[0]
}

// String describes the CPU, e.g. "Intel Xeon E3-1245v5, 4c/8t, 3.5/3.9 GHz".
func (c CPU) String() string {
	if c.Model == "" {
		return ""
	}
	var b strings.Builder
	if c.Brand != "" && !strings.HasPrefix(c.Model, c.Brand) {
		b.WriteString(c.Brand + " ")
	}
	b.WriteString(c.Model)
	if c.Cores > 0 {
		fmt.Fprintf(&b, ", %dc/%dt", c.Cores, c.Threads)
	}
	if c.Frequency > 0 {
		fmt.Fprintf(&b, ", %g", c.Frequency)
		if c.Boost > 0 {
			fmt.Fprintf(&b, "/%g", c.Boost)
		}
		b.WriteString(" GHz")
	}
	return b.String()
}
