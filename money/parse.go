package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxTyped is the largest amount Parse accepts, in units of
// currency: more is surely a typo (skip_validate exists for "any price").
const MaxTyped = 1_000_000

// Parse reads an amount typed by the user (a ceiling): a plain decimal with at
// most two decimals ("20", "19.99", "19,99"), into ucents, exactly (no
// float). Anything else is refused with the reason, never rounded,
// truncated or silently dropped.
func Parse(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, errors.New("type an amount, e.g. 25 or 24.99")
	}
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("%q: an amount cannot be negative", s)
	}
	if strings.ContainsAny(s, "eE") && strings.Trim(s, "0123456789.,eE+") == "" {
		return 0, fmt.Errorf("%q: write the amount in plain digits (no exponent)", s)
	}
	if strings.Count(s, ".")+strings.Count(s, ",") > 1 {
		return 0, fmt.Errorf("%q: one decimal point at most, no thousands separator", s)
	}
	whole, frac, _ := strings.Cut(strings.ReplaceAll(s, ",", "."), ".")
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("%q is not an amount: digits and one decimal point only", s)
		}
	}
	if whole == "" && frac == "" {
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("%q: at most two decimals (it would be rounded)", s)
	}
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > MaxTyped || (w == MaxTyped && strings.Trim(frac, "0") != "") {
		return 0, fmt.Errorf("%q: at most %d", s, MaxTyped)
	}
	var f int64
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", 8-len(frac)), 10, 64)
	}
	return w*Unit + f, nil
}
