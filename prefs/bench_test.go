package prefs

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// bigFile is a 50-entry file with carts, as a busy user would have.
func bigFile(b testing.TB) *File {
	b.Helper()
	f := &File{Subsidiary: "IE"}
	for i := range 50 {
		s := Server{
			PlanCode: fmt.Sprintf("25skleb%02d", i), FQN: fmt.Sprintf("25skleb%02d.ram-32g-ecc-2400.softraid-2x450nvme", i),
			Coupons: []string{"MONDAY"}, Qty: 1, CeilingPrice: 20,
			Datacenters:    []Datacenter{{Region: "europe", Datacenter: "fra"}, {Region: "europe", Datacenter: "gra"}},
			AddonPlanCodes: []string{"softraid-2x450nvme-25skle", "bandwidth-300-25skle", "ram-32g-ecc-2400-25skle"},
		}
		s.Labels.Set("dedicated_os", "none_64.en")
		for _, dc := range []string{"fra", "gra"} {
			s.DCCarts.Set(DCCart{DC: dc, CartID: "cart-" + dc, CartExpire: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
				ItemIDs: []int64{1, 2, 3, 4}, Summary: &Summary{WithoutTaxUcents: 1999000000, Currency: "EUR", Text: "19.99"}})
		}
		f.Servers = append(f.Servers, s)
	}
	// Through the file, so that raw keys are there as after a Load.
	data, err := f.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	g, err := Parse("big", data)
	if err != nil {
		b.Fatal(err)
	}
	return g
}

// BenchmarkSnapshot is the cost of Store.Snapshot (a deep Clone) of a
// 50-entry file.
func BenchmarkSnapshot(b *testing.B) {
	f := bigFile(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = f.Clone()
	}
}

// BenchmarkMarshal is the cost of encoding a 50-entry file (done twice per
// save).
func BenchmarkMarshal(b *testing.B) {
	f := bigFile(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse is the cost of parsing a 50-entry file.
func BenchmarkParse(b *testing.B) {
	data, _ := bigFile(b).Marshal()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("big", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidate is the cost of validating a 50-entry file.
func BenchmarkValidate(b *testing.B) {
	f := bigFile(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = Validate(f, "ovh-eu")
	}
}

// BenchmarkRefreshUnchanged is the per-poll cost of Store.Refresh when the
// file did not change: one stat.
func BenchmarkRefreshUnchanged(b *testing.B) {
	path := filepath.Join(b.TempDir(), "preferences.json")
	data, _ := bigFile(b).Marshal()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	s, err := Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Refresh(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdate is one durable save of a 50-entry file (two fsyncs).
func BenchmarkUpdate(b *testing.B) {
	path := filepath.Join(b.TempDir(), "preferences.json")
	data, _ := bigFile(b).Marshal()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	s, err := Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Update("bench", func(f *File) error {
			f.Servers[0].PlaceOrder = !f.Servers[0].PlaceOrder
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
}
