package money

// subsidiaryCurrency is the currency OVH bills each subsidiary in.
// (ASIA, WE and WS bill in USD: uncertain; a cart in another currency is
// refused, which is the stricter choice.)
var subsidiaryCurrency = map[string]string{
	"CZ": "CZK", "DE": "EUR", "ES": "EUR", "FI": "EUR", "FR": "EUR", "GB": "GBP", "IE": "EUR", "IT": "EUR",
	"LT": "EUR", "MA": "MAD", "NL": "EUR", "PL": "PLN", "PT": "EUR", "SN": "XOF", "TN": "TND",
	"ASIA": "USD", "AU": "AUD", "CA": "CAD", "IN": "INR", "QC": "CAD", "SG": "SGD", "WE": "USD", "WS": "USD",
	"US": "USD",
}

// SubsidiaryCurrency returns the currency code OVH bills subsidiary in
// ("IE": "EUR"), or "" for a subsidiary it does not know.
func SubsidiaryCurrency(subsidiary string) string { return subsidiaryCurrency[subsidiary] }
