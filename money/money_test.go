package money

import (
	"math"
	"testing"
)

func TestFormat(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		cur  string
		want string
	}{
		{999000000, "EUR", "9.99 EUR"},
		{1998000000, "EUR", "19.98 EUR"},
		{0, "EUR", "0.00 EUR"},
		{500000, "EUR", "0.01 EUR"},
		{499999, "EUR", "0.00 EUR"},
		{-999000000, "CAD", "-9.99 CAD"},
		{-150000000, "", "-1.50"},
		{-500000, "", "-0.01"},
		{123456789012, "", "1234.57"},
		{math.MaxInt64, "", "92233720368.55"}, {math.MinInt64, "", "-92233720368.55"},
		{250000, "", "0.00"}, {-500000, "", "-0.01"}, {-499999, "", "0.00"},
	} {
		if got := Format(tc.in, tc.cur); got != tc.want {
			t.Errorf("Format(%d, %q) = %q, want %q", tc.in, tc.cur, got, tc.want)
		}
		if got := (Amount{Ucents: tc.in, Currency: tc.cur}).String(); got != tc.want {
			t.Errorf("Amount{%d, %q} = %q, want %q", tc.in, tc.cur, got, tc.want)
		}
	}
}

func TestCeilingDecimalIsExact(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{
		{2000000000, "20.00"}, {666666667, "6.66666667"}, {1332666667, "13.32666667"}, {999999, "0.00999999"},
		{-1, "-0.00000001"}, {0, "0.00"}, {math.MinInt64, "-92233720368.54775808"}, {-150000000, "-1.50"}, {1_50000000 + 5_000_000, "1.55"}, {1_50500000, "1.505"},
	} {
		if got := CeilingDecimal(tc.in); got != tc.want {
			t.Errorf("CeilingDecimal(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := FormatCeiling(666666667, "EUR"); got != "6.66666667 EUR" {
		t.Errorf("FormatCeiling = %q", got)
	}
	if got := FormatCeiling(20*Unit, ""); got != "20.00" {
		t.Errorf("FormatCeiling without currency = %q", got)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"20", 2000000000, false}, {"19.99", 1999000000, false}, {"19,99", 1999000000, false},
		{".5", 50000000, false}, {" 7.1 ", 710000000, false}, {"1000000", 100000000000000, false},
		{"0", 0, false}, {"5.", 500000000, false},
		// Refused, never rounded, truncated or dropped (issue 13).
		{"-5", 0, true}, {"1e9", 0, true}, {"12.345", 0, true}, {"abc", 0, true}, {"0.00000001", 0, true},
		{"", 0, true}, {"1.2.3", 0, true}, {"1,000.50", 0, true}, {"1000000.01", 0, true},
		{"99999999999", 0, true}, {".", 0, true}, {"12 5", 0, true},
	} {
		got, err := Parse(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("Parse(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestFromFloat(t *testing.T) {
	for _, tt := range []struct {
		in   float64
		want int64
	}{
		{0, 0}, {20.0, 20_00000000}, {19.99, 19_99000000}, {0.1 + 0.2, 30000000}, {-1.5, -1_50000000},
		{1e-9, 0}, {1e12, math.MaxInt64}, {-1e12, math.MinInt64}, {math.NaN(), 0},
		{math.Inf(1), math.MaxInt64}, {6.66666667, 666666667},
	} {
		if got := FromFloat(tt.in); got != tt.want {
			t.Errorf("FromFloat(%v) = %d, want %d", tt.in, got, tt.want)
		}
	}
	for _, u := range []int64{1, 666666667, 1332666667, 19_99000000, 123456789012345} {
		if got := FromFloat(ToFloat(u)); got != u {
			t.Errorf("FromFloat(ToFloat(%d)) = %d", u, got)
		}
	}
}

// TestScaleKeepsThePerUnitAmount: 20.00 for 3 units, then 1, then 3 again
// is 20.00, not 20.01 (issue 16, item 11); no chain of qty changes drifts.
func TestScaleKeepsThePerUnitAmount(t *testing.T) {
	if got := Scale(20*Unit, 3, 1); got != 666666667 {
		t.Fatalf("20.00 for 3 -> 1: %d, want 666666667 (6.66666667)", got)
	}
	if got := Scale(Scale(20*Unit, 3, 1), 1, 3); got != 20*Unit {
		t.Fatalf("3 -> 1 -> 3: %d, want %d", got, int64(20*Unit))
	}
	if got := Scale(1999000000, 3, 2); got != 1332666667 {
		t.Fatalf("19.99 for 3 -> 2: %d", got)
	}
	for _, start := range []int64{20 * Unit, 1999000000, Cent, 100 * Unit, 7_77000000, 123456_78000000} {
		for _, path := range [][]int{{3, 1, 3}, {3, 2, 1, 2, 3}, {7, 1, 5, 2, 9, 7}, {3, 4, 5, 6, 7, 8, 9, 10, 3}, {1, 97, 1}, {2, 1, 2, 1, 2, 1, 2}} {
			v := start
			for i := 1; i < len(path); i++ {
				v = Scale(v, path[i-1], path[i])
			}
			if v != start {
				t.Errorf("%d over qty %v: %d", start, path, v)
			}
		}
	}
	if Scale(20*Unit, 0, 3) != 20*Unit || Scale(20*Unit, 3, 0) != 20*Unit || Scale(20*Unit, 2, 2) != 20*Unit {
		t.Error("degenerate qty changed the ceiling")
	}
	if Scale(math.MaxInt64, 1, 3) != math.MaxInt64 || Scale(math.MinInt64, 1, 3) != math.MinInt64 {
		t.Error("no saturation")
	}
	if got := Scale(-20*Unit, 3, 1); got != -666666667 {
		t.Errorf("negative: %d", got)
	}
}

func TestSubsidiaryCurrency(t *testing.T) {
	if SubsidiaryCurrency("IE") != "EUR" || SubsidiaryCurrency("GB") != "GBP" || SubsidiaryCurrency("XX") != "" {
		t.Fatal("table")
	}
}

func TestFromOVH(t *testing.T) {
	u := int64(2458000000)
	if got := FromOVH(1, &u, "EUR"); got != (Amount{Ucents: u, Currency: "EUR"}) {
		t.Errorf("priceInUcents: %v", got)
	}
	for _, tc := range []struct {
		v    float64
		want int64
	}{{24.58, 2458000000}, {-2.5, -250000000}, {0.1 + 0.2, 30000000}, {19.999, 2000000000}} {
		if got := FromOVH(tc.v, nil, "EUR"); got.Ucents != tc.want {
			t.Errorf("value %v: %d, want %d", tc.v, got.Ucents, tc.want)
		}
	}
}
