// Package money is ovhtui's one home for amounts of money: OVH's 1e-8
// units, the currency of each OVH subsidiary, reading amounts typed by the
// user or written in preferences.json, scaling a ceiling with qty, and
// formatting at the edge. Every package computes with int64 amounts in
// 1e-8 of the currency (OVH's priceInUcents) and formats them here.
package money

import (
	"fmt"
	"math"
	"strings"
)

// Units of an amount: OVH counts money in 1e-8 of the currency.
const (
	// Unit is one unit of currency (1 EUR) in 1e-8 units.
	Unit = 100_000_000
	// Cent is one cent in 1e-8 units.
	Cent = 1_000_000
)

// Amount is an amount in 1e-8 of Currency, as OVH counts it.
type Amount struct {
	Ucents   int64  `json:"ucents"`
	Currency string `json:"currency"`
}

// String formats the amount with two decimals and the currency code (see
// Format).
func (a Amount) String() string { return Format(a.Ucents, a.Currency) }

// Format formats an amount in 1e-8 units with two decimals and the
// currency code, rounding half away from zero to the cent:
// Format(999000000, "EUR") is "9.99 EUR". Without a currency, the number
// alone.
func Format(ucents int64, currency string) string {
	if currency == "" {
		return Decimal(ucents)
	}
	return Decimal(ucents) + " " + currency
}

// Decimal formats an amount in 1e-8 units with two decimals and no
// currency, rounding half away from zero to the cent: "19.98", "-0.50".
func Decimal(ucents int64) string {
	return centsText(DivRound(ucents, Cent))
}

// CeilingDecimal formats a ceiling with no currency, exactly: two
// decimals for a whole number of cents ("20.00"), else every decimal it
// holds ("6.66666667"). A ceiling scaled with qty may hold a fraction of a
// cent (20.00 for 3 units is 6.66666667 for one); rounded to 6.67 it
// would look like it accepts a 6.67 price, which it refuses.
func CeilingDecimal(ucents int64) string {
	if ucents%Cent == 0 {
		return centsText(ucents / Cent)
	}
	sign, u := "", uint64(ucents)
	if ucents < 0 {
		sign, u = "-", uint64(-(ucents+1))+1 // math.MinInt64 too
	}
	return sign + strings.TrimRight(fmt.Sprintf("%d.%08d", u/Unit, u%Unit), "0")
}

// FormatCeiling is CeilingDecimal with the currency code, like Format.
func FormatCeiling(ucents int64, currency string) string {
	if currency == "" {
		return CeilingDecimal(ucents)
	}
	return CeilingDecimal(ucents) + " " + currency
}

func centsText(cents int64) string {
	sign, c := "", uint64(cents)
	if cents < 0 {
		sign, c = "-", uint64(-(cents+1))+1
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// DivRound divides a by b (b > 0), rounding half away from zero, for
// every int64 a (no overflow near the limits).
func DivRound(a, b int64) int64 {
	q, r := a/b, a%b // r has a's sign, |r| < b
	switch {
	case r > 0 && r >= b-r:
		q++
	case r < 0 && -r >= b+r:
		q--
	}
	return q
}

// RoundToCent rounds an amount in 1e-8 units to the nearest cent, half
// away from zero.
func RoundToCent(ucents int64) int64 { return DivRound(ucents, Cent) * Cent }

// FromFloat converts an amount of currency (as preferences.json and OVH's
// display value write it) to 1e-8 units, rounded half away from zero to the
// unit. Past ±9e10 it saturates rather than wraps (a wrapped ceiling could
// change sign); NaN, which no JSON number yields, is 0.
func FromFloat(amount float64) int64 {
	const limit = 9e10
	switch {
	case math.IsNaN(amount):
		return 0
	case amount >= limit:
		return math.MaxInt64
	case amount <= -limit:
		return math.MinInt64
	case amount >= 0:
		return int64(amount*Unit + 0.5)
	default:
		return int64(amount*Unit - 0.5)
	}
}

// ToFloat converts 1e-8 units to an amount of currency, for
// preferences.json's ceiling_price: FromFloat(ToFloat(u)) == u for any
// amount below 9e7 units of currency (float64 holds 15 significant digits).
func ToFloat(ucents int64) float64 { return float64(ucents) / Unit }

// FromOVH returns an OVH order.Price as an Amount: its priceInUcents, or,
// where OVH leaves that null (the schema allows it), its value, which has
// two decimals, rounded to the cent.
func FromOVH(value float64, priceInUcents *int64, currency string) Amount {
	if priceInUcents != nil {
		return Amount{Ucents: *priceInUcents, Currency: currency}
	}
	return Amount{Ucents: RoundToCent(FromFloat(value)), Currency: currency}
}
