package catalog

import "fmt"

// unitsPerCent is how many catalog units (1e-8 of the currency) make a cent.
const unitsPerCent = 1_000_000

// FormatMoney formats an amount in 1e-8 of the currency with two decimals
// and the currency code, rounding half away from zero: FormatMoney(999000000,
// "EUR") is "9.99 EUR".
func FormatMoney(ucents int64, currency string) string {
	cents := divRound(ucents, unitsPerCent)
	sign := ""
	if cents < 0 {
		sign = "-"
		cents = -cents
	}
	s := fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
	if currency == "" {
		return s
	}
	return s + " " + currency
}

// divRound divides a by b (b > 0), rounding half away from zero.
func divRound(a, b int64) int64 {
	if a < 0 {
		return -((-a + b/2) / b)
	}
	return (a + b/2) / b
}
