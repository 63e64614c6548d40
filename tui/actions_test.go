package tui

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/ovhtui/ovhtui/prefs"
)

func loadFile(t *testing.T, path string) *prefs.File {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := prefs.Parse(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestChangesAreCompareAndSet(t *testing.T) {
	f := loadFile(t, "testdata/dashboard-prefs.json")
	ks := f.Servers[0].Key()
	latched := f.Servers[2].Key()

	if err := setFlags(ks, true, false, false, false)(f); err != nil || f.Servers[0].PlaceOrder {
		t.Fatalf("setFlags from what is there: err %v place_order %v", err, f.Servers[0].PlaceOrder)
	}
	// The same change again: the file no longer holds what the user saw.
	if err := setFlags(ks, true, false, false, false)(f); !errors.Is(err, errChangedNow) {
		t.Fatalf("stale setFlags: %v, want errChangedNow", err)
	}
	// The ceiling covers all units: 1 -> 2 doubles it.
	if err := setQty(ks, 1, 2)(f); err != nil || f.Servers[0].Qty != 2 || f.Servers[0].CeilingPrice != 40 {
		t.Fatalf("setQty: %v qty %d ceiling %v", err, f.Servers[0].Qty, f.Servers[0].CeilingPrice)
	}
	if err := setQty(ks, 1, 3)(f); !errors.Is(err, errChangedNow) || f.Servers[0].Qty != 2 {
		t.Fatalf("stale setQty: %v qty %d", err, f.Servers[0].Qty)
	}
	if err := setQty(latched, 0, 1)(f); !errors.Is(err, errEntryBusy) {
		t.Fatalf("setQty on a latched entry: %v, want errEntryBusy", err)
	}
	if err := setCeiling(ks, 4000000000, 2550000000)(f); err != nil || f.Servers[0].CeilingPrice != 25.5 {
		t.Fatalf("setCeiling: %v ceiling %v", err, f.Servers[0].CeilingPrice)
	}
	if err := setCeiling(ks, 4000000000, 1)(f); !errors.Is(err, errChangedNow) {
		t.Fatalf("stale setCeiling: %v", err)
	}
	if err := setFlags("nope|x", false, false, true, true)(f); !errors.Is(err, errEntryGone) {
		t.Fatalf("unknown entry: %v", err)
	}
}

func TestSetDCOrderKeepsDCObjects(t *testing.T) {
	f := loadFile(t, "testdata/dashboard-prefs.json")
	key := f.Servers[1].Key()
	if err := setDCOrder(key, f.Servers[1].DCNames(), []string{"bhs", "rbx", "sbg"})(f); err != nil {
		t.Fatal(err)
	}
	s := f.Servers[1]
	if got := strings.Join(s.DCNames(), ","); got != "bhs,rbx,sbg" {
		t.Fatalf("order %s", got)
	}
	if s.Datacenters[0].Region != "canada" {
		t.Fatalf("region of bhs lost: %+v", s.Datacenters[0])
	}
	// The key survives a reorder; a second reorder from the order seen
	// before the first is refused.
	if f.Servers[1].Key() != key {
		t.Fatal("the key changed with the DC order")
	}
	if err := setDCOrder(key, []string{"rbx", "sbg", "bhs"}, []string{"sbg", "rbx", "bhs"})(f); !errors.Is(err, errChangedNow) {
		t.Fatalf("reorder from a stale key: %v", err)
	}
}

func TestClearLatch(t *testing.T) {
	f := loadFile(t, "testdata/dashboard-prefs.json")
	key := f.Servers[2].Key()
	if err := clearLatch(key)(f); err != nil {
		t.Fatal(err)
	}
	s := f.Servers[2]
	if s.OrderAttempted || s.Qty != 1 || s.OrderAttemptedQty != 0 {
		t.Fatalf("after re-arm: attempted %v qty %d attempted_qty %d", s.OrderAttempted, s.Qty, s.OrderAttemptedQty)
	}
	if err := clearLatch(key)(f); err == nil {
		t.Fatal("second re-arm accepted")
	}
	if err := clearLatch(f.Servers[3].Key())(f); err == nil {
		t.Fatal("re-arm of an ordered entry accepted")
	}
}

func TestAddEntryRefusesDuplicates(t *testing.T) {
	f := loadFile(t, "testdata/dashboard-prefs.json")
	n := newEntry{
		PlanCode: "25skleb01", FQN: "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme",
		Datacenters: []prefs.Datacenter{{Region: "europe", Datacenter: "gra"}},
		OS:          "none_64.en", Addons: []string{"a", "b"}, Qty: 1, Ceiling: 2000000000,
	}
	if err := addEntry(n)(f); err == nil || !strings.Contains(err.Error(), "already buys") {
		t.Fatalf("duplicate accepted: %v", err)
	}
	n.Datacenters = []prefs.Datacenter{{Region: "europe", Datacenter: "rbx"}}
	n.ID = "25skleb01-new1" // the browser gives a new entry a fresh id
	if err := addEntry(n)(f); err != nil {
		t.Fatal(err)
	}
	s := f.Servers[len(f.Servers)-1]
	if s.PlaceOrder || s.Autopay || s.Qty != 1 || s.CeilingPrice != 20 || s.Key() != n.serverKey() || s.ID != n.ID {
		t.Fatalf("new entry %+v", s)
	}
	if os, _ := s.Labels.Get("dedicated_os"); os != "none_64.en" {
		t.Fatalf("dedicated_os %q", os)
	}
	if probs := prefs.Validate(f, "ovh-eu"); len(probs) > 0 {
		t.Fatalf("file with the new entry does not validate: %v", probs)
	}
}

func TestChangeEntryDropsStaleCarts(t *testing.T) {
	f := loadFile(t, "testdata/dashboard-prefs.json")
	f.Servers[0].DCCarts.Set(prefs.DCCart{DC: "fra", CartID: "old"})
	key := f.Servers[0].Key()
	n := newEntry{
		PlanCode: "25skleb01", FQN: "25skleb01.ram-32g-ecc-2400.softraid-2x2000sa",
		Datacenters: []prefs.Datacenter{{Region: "x", Datacenter: "gra"}, {Region: "europe", Datacenter: "fra"}},
		Addons:      []string{"bandwidth-300-25skle", "ram-32g-ecc-2400-25skle", "softraid-2x2000sa-25skle"},
		Qty:         1, Ceiling: 2100000000,
	}
	if err := changeEntry(key, n)(f); err != nil {
		t.Fatal(err)
	}
	s := f.Servers[0]
	if s.FQN != n.FQN || len(s.DCCarts) != 0 || s.CeilingPrice != 21 || !s.PlaceOrder {
		t.Fatalf("changed entry: fqn %s carts %d ceiling %v place_order %v", s.FQN, len(s.DCCarts), s.CeilingPrice, s.PlaceOrder)
	}
	if s.Datacenters[0].Region != "europe" {
		t.Fatalf("existing DC object not kept: %+v", s.Datacenters[0])
	}
	if err := changeEntry(f.Servers[2].Key(), newEntry{PlanCode: "24rise01"})(f); !errors.Is(err, errEntryBusy) {
		t.Fatalf("change of a latched entry: %v", err)
	}
}
