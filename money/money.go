// Package money is ovhtui's one home for amounts of money: OVH's 1e-8 units,
// the currency of each OVH subsidiary, parsing of typed amounts and
// formatting at the edge.
package money

import "fmt"

// Amount is an amount in 1e-8 of Currency, as OVH counts it.
type Amount struct {
	Ucents   int64
	Currency string
}

// String formats the amount with two decimals and the currency code.
func (m Amount) String() string {
	sign := ""
	u := m.Ucents
	if u < 0 {
		sign, u = "-", -u
	}
	cents := (u + 500000) / 1000000
	return fmt.Sprintf("%s%d.%02d %s", sign, cents/100, cents%100, m.Currency)
}
