package ovhsim

import (
	"encoding/json"
	"fmt"
	"strconv"

	amounts "github.com/ovhtui/ovhtui/money"
)

// money is OVH's order.Price: {value, priceInUcents, text, currencyCode}.
// value is a float with 2 decimals (rounded from the integer), text the
// amount with the currency symbol ("19.98 €"; symbol after the amount for
// EUR as in OVH's guides, before it for GBP/USD/CAD; the code after the
// amount for any other currency).
type money struct {
	CurrencyCode  string      `json:"currencyCode"`
	PriceInUcents int64       `json:"priceInUcents"`
	Text          string      `json:"text"`
	Value         json.Number `json:"value"`
}

func newMoney(ucents int64, currency string) money {
	cents := roundCents(ucents)
	neg := cents < 0
	if neg {
		cents = -cents
	}
	num := fmt.Sprintf("%d.%02d", cents/100, cents%100)
	if neg {
		num = "-" + num
	}
	var text string
	switch currency {
	case "EUR":
		text = num + " €"
	case "GBP":
		text = "£" + num
	case "USD", "CAD", "AUD", "SGD":
		text = "$" + num
	default:
		text = num + " " + currency
	}
	// value: a JSON number with at most two decimals, as OVH sends (9.99,
	// 0, -2.5).
	f, _ := strconv.ParseFloat(num, 64)
	return money{
		CurrencyCode:  currency,
		PriceInUcents: ucents,
		Text:          text,
		Value:         json.Number(strconv.FormatFloat(f, 'f', -1, 64)),
	}
}

// roundCents rounds ucents to whole cents, half away from zero.
func roundCents(ucents int64) int64 { return amounts.DivRound(ucents, amounts.Cent) }

// taxOf computes the tax on an amount excluding tax, rounded to the cent
// (uncertain: OVH's exact rounding is unknown; invoices are in cents).
func taxOf(withoutTax, taxBP int64) int64 {
	return amounts.RoundToCent(withoutTax * taxBP / 10000)
}
