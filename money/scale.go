package money

import (
	"math"
	"math/big"
)

// snapUnits is how close to a whole cent a scaled ceiling must be to be
// taken as that cent: a hundredth of a cent. The 1e-8 rounding of earlier
// scalings leaves errors of a few units; a genuine fraction of a cent
// (a total of whole cents split over q units) is at least a cent / q away
// from any whole cent: more than a hundredth of one for any qty below 100.
const snapUnits = Cent / 100

// Scale returns a ceiling covering from units scaled to cover to units:
// total × to / from, computed from the total in 1e-8 units and rounded half
// away from zero to the unit, so that the per-unit amount is kept exact to
// 1e-8 (20.00 for 3 units is 6.66666667 for one). A result within a
// hundredth of a cent of a whole cent is that cent, so that scaling back
// returns the amount the user typed (6.66666667 for one is 20.00 for 3
// again, not 20.01 nor 20.00000001). from or to not positive, or equal,
// returns total. A result past the int64 range saturates.
func Scale(total int64, from, to int) int64 {
	if from <= 0 || to <= 0 || from == to {
		return total
	}
	q := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(total), big.NewInt(int64(to))), big.NewInt(int64(from)))
	v, ok := roundRat(q)
	if !ok {
		if q.Sign() < 0 {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	if c := RoundToCent(v); c-v <= snapUnits && v-c <= snapUnits {
		return c
	}
	return v
}

// roundRat rounds q half away from zero to an int64; false when it does
// not fit.
func roundRat(q *big.Rat) (int64, bool) {
	num, den := new(big.Int).Abs(q.Num()), q.Denom()
	// (2·|num| + den) / (2·den), floored, is |q| rounded half up.
	n := new(big.Int).Add(new(big.Int).Lsh(num, 1), den)
	n.Quo(n, new(big.Int).Lsh(den, 1))
	if !n.IsInt64() {
		return 0, false
	}
	if q.Sign() < 0 {
		return -n.Int64(), true
	}
	return n.Int64(), true
}
