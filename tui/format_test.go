package tui

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/order"
)

// TestAvailText: the words follow the engine's classes, with
// max_delivery_hours: 120H is orderable for an entry accepting 240H.
func TestAvailText(t *testing.T) {
	for _, tc := range []struct {
		v     string
		max   int
		class order.AvailClass
		text  string
	}{
		{"", 72, order.AvailNoData, "…"},
		{"1H-high", 72, order.AvailOrderable, "1H-high"}, {"1H-low", 1, order.AvailOrderable, "1H-low"},
		{"24H", 72, order.AvailOrderable, "24H"}, {"72H", 72, order.AvailOrderable, "72H"},
		{"120H", 72, order.AvailTooSlow, "120H"}, {"120H", 240, order.AvailOrderable, "120H"},
		{"2160H", 240, order.AvailTooSlow, "2160H"}, {"comingSoon", 72, order.AvailComing, "coming"},
		{"unavailable", 72, order.AvailOut, "out"},
		{"unknown", 72, order.AvailUnknown, "unknown"}, {"3H-medium", 72, order.AvailUnknown, "3H-medium?"}, {"H", 72, order.AvailUnknown, "H?"},
	} {
		c := order.ClassifyAvailability(tc.v, tc.max)
		if c != tc.class {
			t.Errorf("ClassifyAvailability(%q, %d) = %v, want %v", tc.v, tc.max, c, tc.class)
		}
		if got := availText(tc.v, c); got != tc.text {
			t.Errorf("availText(%q) = %q, want %q", tc.v, got, tc.text)
		}
	}
}

func TestShortFQN(t *testing.T) {
	for _, tc := range []struct{ plan, fqn, want string }{
		{"25skleb01", "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme", "32g/2x450nvme"},
		{"24rise01", "24rise01.ram-128g-ecc-2933.hybridsoftraid-2x6000sa-2x512nvme-24rise", "128g/2x6000sa-2x512nvme-24rise"},
		{"x", "other.fqn", "other.fqn"},
		{"p", "p", "p"},
	} {
		if got := shortFQN(tc.plan, tc.fqn); got != tc.want {
			t.Errorf("shortFQN(%q, %q) = %q, want %q", tc.plan, tc.fqn, got, tc.want)
		}
	}
}

func TestFmtCountdownAndAge(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "expired"}, {-time.Second, "expired"}, {59 * time.Second, "0m59s"}, {7*time.Minute + 12*time.Second, "7m12s"},
		{5*time.Hour + 7*time.Minute, "5h07m"}, {47 * time.Hour, "47h00m"}, {29*24*time.Hour + 5*time.Hour, "29d5h"},
	} {
		if got := fmtCountdown(tc.d); got != tc.want {
			t.Errorf("fmtCountdown(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0s"}, {3 * time.Second, "3s"}, {2 * time.Minute, "2m"}, {5 * time.Hour, "5h"}, {72 * time.Hour, "3d"},
	} {
		if got := fmtAge(tc.d); got != tc.want {
			t.Errorf("fmtAge(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestFitMeasuresCells(t *testing.T) {
	for _, tc := range []struct {
		s     string
		width int
		want  string
	}{
		{"abc", 5, "abc  "},
		{"abcdef", 4, "abc…"},
		{"日本語", 4, "日… "}, // wide runes: cells, not bytes or runes
		{"日本", 4, "日本"},
		{"x", 0, ""},
	} {
		got := fit(tc.s, tc.width)
		if got != tc.want || (tc.width > 0 && ansi.StringWidth(got) != tc.width) {
			t.Errorf("fit(%q, %d) = %q (width %d), want %q", tc.s, tc.width, got, ansi.StringWidth(got), tc.want)
		}
	}
	if got := fitRight("7", 3); got != "  7" {
		t.Errorf("fitRight = %q", got)
	}
	if got := cut("\x1b[1mbold text\x1b[m", 4); ansi.StringWidth(got) != 4 {
		t.Errorf("cut of styled text = %q, width %d", got, ansi.StringWidth(got))
	}
}

// TestFitAmountsNeverCutsAnAmount: a ceiling too long for the column gives
// way to a word; no amount is cut into a different-looking number.
func TestFitAmountsNeverCutsAnAmount(t *testing.T) {
	for _, tc := range []struct {
		price, sep, ceil, word string
		w                      int
		want                   string
	}{
		{"183.98", "≤", "1000000.00", " ok", 13, "183.98 ok"},
		{"183.98", "≤", "200.00", " ok", 13, "183.98≤200.00"},
		{"551.94", ">", "500.00", " OVER", 11, "551.94 OVER"},
		{"551.94", ">", "500.00", " OVER", 8, "551.94"},
	} {
		if got := fitAmounts(tc.price, tc.sep, tc.ceil, tc.word, tc.w); got != tc.want {
			t.Errorf("fitAmounts(%s%s%s, %d) = %q, want %q", tc.price, tc.sep, tc.ceil, tc.w, got, tc.want)
		}
	}
}

func TestShortDC(t *testing.T) {
	for _, c := range []struct {
		dc    string
		width int
		want  string
	}{
		{"gra", 4, "gra"},
		{"gra", 5, "gra"},
		{"eu-west-par-a", 5, "par-a"},
		{"eu-west-par-a", 10, "west-par-a"},
		{"eu-west-par-a", 13, "eu-west-par-a"},
		{"ap-southeast-sgp-a", 5, "sgp-a"},
		{"us-east-vin-a", 5, "vin-a"},
		{"rbx-hz", 5, "rbx"},
		{"eu-south-mil-b", 3, "mil"},
	} {
		got := shortDC(c.dc, c.width)
		if got != c.want {
			t.Errorf("shortDC(%q, %d) = %q, want %q", c.dc, c.width, got, c.want)
		}
		if got != c.dc && !slices.Contains(strings.Split(c.dc, "-"), strings.Split(got, "-")[0]) {
			t.Errorf("shortDC(%q, %d) = %q cuts a word", c.dc, c.width, got)
		}
	}
}

// TestDCRegion: no list of DC codes; the catalog and zone names decide.
func TestDCRegion(t *testing.T) {
	data, err := os.ReadFile("../testdata/eco-catalog-IE.json")
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Parse(data, catalog.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	both := &catalog.Offer{PlanCode: "x", Regions: []string{"canada", "europe"}, Datacenters: []string{"bhs", "fra", "gra", "lon", "eu-west-par-a"}}
	for dc, want := range map[string]string{
		"eu-west-par-a": "europe", "ca-east-tor-a": "canada", "sgp": "canada", "gra": "europe", "lon": "europe",
	} {
		if got := dcRegion(cat, both, dc); got != want {
			t.Errorf("%s: %q, want %q", dc, got, want)
		}
	}
	one := &catalog.Offer{PlanCode: "y", Regions: []string{"europe"}}
	if got := dcRegion(cat, one, "ca-east-bhs-a"); got != "europe" {
		t.Errorf("single-region offer: %q", got)
	}
}
