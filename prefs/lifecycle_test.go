package prefs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/journal"
)

func lifecycleServer() Server {
	s := Server{PlanCode: "24ska01", FQN: "24ska01.ram-4g.softraid-1x1000sa", Qty: 2, CeilingPrice: 40}
	s.Datacenters = []Datacenter{{Region: "europe", Datacenter: "fra"}, {Region: "europe", Datacenter: "gra"}}
	return s
}

func TestFallbackIDIgnoresDCOrder(t *testing.T) {
	a := lifecycleServer()
	b := a.clone()
	b.Datacenters[0], b.Datacenters[1] = b.Datacenters[1], b.Datacenters[0]
	b.CeilingPrice, b.Qty = 99, 0
	if a.FallbackID() != b.FallbackID() || !strings.HasPrefix(a.FallbackID(), "24ska01-") {
		t.Fatalf("%q %q", a.FallbackID(), b.FallbackID())
	}
	if a.Key() != a.FallbackID() {
		t.Fatal("Key of an entry without id")
	}
	a.ID = "mine"
	if a.Key() != "mine" {
		t.Fatal("Key of an entry with an id")
	}
	if validID(a.FallbackID()) != "" || validID(NewID("a|b c")) != "" {
		t.Fatal("generated ids must be valid")
	}
}

// The id survives a round trip, and an entry without one gets none
// written until AssignIDs.
func TestIDRoundTrip(t *testing.T) {
	f, err := Parse("p.json", []byte(`{"subsidiary":"IE","user_servers":[{"planCode":"a","fqn":"a.b","id":"a-1","qty":1},{"planCode":"a","fqn":"a.c"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if f.Servers[0].ID != "a-1" || f.Servers[1].ID != "" {
		t.Fatalf("ids %q %q", f.Servers[0].ID, f.Servers[1].ID)
	}
	out, _ := f.Marshal()
	if strings.Count(string(out), `"id"`) != 1 {
		t.Fatalf("marshal: %s", out)
	}
	if got := f.AssignIDs(nil); len(got) != 1 || got[0] != 1 || f.Servers[1].ID != f.Servers[1].FallbackID() {
		t.Fatalf("assigned %v, id %q", got, f.Servers[1].ID)
	}
	out, _ = f.Marshal()
	g, _ := Parse("p.json", out)
	if g.Servers[1].ID != f.Servers[1].ID {
		t.Fatal("assigned id lost in the round trip")
	}
}

func TestAssignIDsUniqueAndAdopted(t *testing.T) {
	st := journal.Fold([]journal.Record{
		{Type: journal.TypeIntent, Kind: journal.KindCheckout, Entry: "old-1", Attempt: "1", PlanCode: "24ska01", FQN: "24ska01.ram-4g.softraid-1x1000sa", DCs: []string{"gra", "rbx"}, DC: "gra", Qty: 1, Time: time.Unix(100, 0)},
		{Type: journal.TypeOutcome, Kind: journal.KindCheckout, Entry: "old-1", Attempt: "1", Result: journal.ResultOrdered, OrderID: 5, DC: "gra", Time: time.Unix(101, 0)},
	})
	f := &File{Servers: []Server{lifecycleServer(), lifecycleServer(), lifecycleServer()}}
	f.Servers[2].FQN = "24ska01.other"
	f.AssignIDs(st)
	// The first takes the journaled order's id (same plan and fqn, gra in
	// common): an old copy of that entry. The second, a duplicate, its
	// fallback; the third its own.
	if f.Servers[0].ID != "old-1" || f.Servers[1].ID != f.Servers[1].FallbackID() || f.Servers[2].ID == f.Servers[1].ID {
		t.Fatalf("ids %q %q %q", f.Servers[0].ID, f.Servers[1].ID, f.Servers[2].ID)
	}
	g := &File{Servers: []Server{lifecycleServer(), lifecycleServer()}}
	g.AssignIDs(nil)
	if g.Servers[0].ID == g.Servers[1].ID {
		t.Fatal("two entries got one id")
	}
}

func TestSetQtyScalesCeiling(t *testing.T) {
	s := lifecycleServer() // qty 2, 40.00
	if err := s.SetQty(3); err != nil || s.CeilingPrice != 60 || s.Qty != 3 {
		t.Fatalf("3: %v %v %v", err, s.CeilingPrice, s.Qty)
	}
	if s.CeilingPerUnitUcents() != 20e8 {
		t.Fatalf("per unit %d", s.CeilingPerUnitUcents())
	}
	s.SetQty(0)
	if s.CeilingPrice != 60 {
		t.Fatal("qty 0 keeps the ceiling")
	}
	s.SetQty(1) // from 0: the ceiling is taken as one unit's
	if s.CeilingPrice != 60 {
		t.Fatalf("0 -> 1: %v", s.CeilingPrice)
	}
	s = lifecycleServer()
	s.CeilingPrice = 19.99
	s.Qty = 3
	s.SetQty(2) // 19.99 / 3 * 2 = 13.32666..: kept to 1e-8, not raised to 13.33
	if s.CeilingPrice != 13.32666667 || s.Accepts(13_33000000) || !s.Accepts(13_32000000) {
		t.Fatalf("scaled: %v", s.CeilingPrice)
	}
	s.OrderAttempted = true
	if err := s.SetQty(5); !errors.Is(err, ErrLatched) {
		t.Fatalf("latched: %v", err)
	}
	if err := s.SetQty(-1); err == nil {
		t.Fatal("negative qty accepted")
	}
}

// TestSetQtyKeepsThePerUnitCeiling: 20.00 for 3 units, then qty 1, then
// qty 3 again is 20.00, not 20.01 (issue 16, item 11).
func TestSetQtyKeepsThePerUnitCeiling(t *testing.T) {
	s := lifecycleServer()
	s.Qty, s.CeilingPrice = 3, 20
	for _, n := range []int{1, 3, 2, 1, 2, 3} {
		if err := s.SetQty(n); err != nil {
			t.Fatal(err)
		}
	}
	if s.CeilingPrice != 20 || s.CeilingUcents() != 20_00000000 {
		t.Fatalf("3 -> 1 -> 3 -> 2 -> 1 -> 2 -> 3: %v", s.CeilingPrice)
	}
	s.SetQty(1)
	if s.Accepts(6_67000000) || !s.Accepts(6_66000000) {
		t.Fatalf("one unit of 20.00 for 3 (%v) accepts 6.67 or refuses 6.66", s.CeilingPrice)
	}
	s.OrderAttempted, s.OrderID = false, 7
	if _, err := s.BuyAgain(3); err != nil || s.CeilingPrice != 20 {
		t.Fatalf("buy again 1 -> 3: %v %v", err, s.CeilingPrice)
	}
}

func TestAccepts(t *testing.T) {
	s := lifecycleServer()
	if !s.Accepts(40e8) || s.Accepts(40e8+1) {
		t.Fatal("equal allowed, above refused")
	}
	s.SkipValidate = true
	if !s.Accepts(1e12) {
		t.Fatal("skip_validate")
	}
}

func TestBuyAgain(t *testing.T) {
	s := lifecycleServer()
	s.ID = "x-1"
	if _, err := s.BuyAgain(1); err == nil {
		t.Fatal("a wanted entry was re-armed")
	}
	s.Latch(time.Unix(5, 0), "fra", "cart-1")
	if s.Qty != 0 || s.OrderAttemptedQty != 2 || !s.Latched() || !s.NeedsDecision() || s.Wanted() {
		t.Fatalf("latched: %+v", s)
	}
	s.OrderID, s.OrderedIn = 7, "fra"
	old, err := s.BuyAgain(1)
	if err != nil || old != "x-1" || s.ID == "x-1" || s.ID == "" {
		t.Fatalf("buy again: %v %q %q", err, old, s.ID)
	}
	if !s.Wanted() || s.Qty != 1 || s.CeilingPrice != 20 || s.OrderID != 0 || s.OrderAttempted || s.OrderedIn != "" {
		t.Fatalf("after: %+v", s)
	}
}

func TestRestoreFromJournal(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	ck := func(typ journal.Type, entry, attempt string, res journal.Result, order int64) journal.Record {
		return journal.Record{Time: at, Type: typ, Kind: journal.KindCheckout, Entry: entry, Attempt: attempt, Result: res, OrderID: order, DC: "gra", Qty: 2, Cart: "c-" + attempt}
	}
	st := journal.Fold([]journal.Record{
		ck(journal.TypeIntent, "ordered", "1", "", 0),
		ck(journal.TypeOutcome, "ordered", "1", journal.ResultOrdered, 77),
		ck(journal.TypeIntent, "pending", "2", "", 0),
		ck(journal.TypeIntent, "refused", "3", "", 0),
		ck(journal.TypeOutcome, "refused", "3", journal.ResultRefused, 0),
		ck(journal.TypeIntent, "rearmed", "4", "", 0),
		ck(journal.TypeOutcome, "rearmed", "4", journal.ResultOrdered, 78),
		{Type: journal.TypeRearm, Entry: "rearmed", NewEntry: "rearmed-2"},
	})
	mk := func(id string) Server { s := lifecycleServer(); s.ID = id; return s }
	f := &File{Servers: []Server{mk("ordered"), mk("pending"), mk("refused"), mk("rearmed"), mk("fresh")}}
	holds := make([]string, len(f.Servers))
	for i, s := range f.Servers {
		holds[i] = JournalHold(s, st)
	}
	if holds[0] == "" || holds[1] == "" || holds[2] != "" || holds[3] == "" || holds[4] != "" {
		t.Fatalf("holds %q", holds)
	}
	got := f.RestoreFromJournal(st)
	if len(got) != 3 {
		t.Fatalf("restored %+v", got)
	}
	o := f.Servers[0]
	if o.OrderID != 77 || o.Qty != 0 || !o.OrderAttempted || o.OrderedIn != "gra" || o.OrderAttemptedQty != 2 ||
		got[0].Message != "restored from the journal: already ordered #77 on 2026-03-04" {
		t.Fatalf("ordered: %+v %q", o, got[0].Message)
	}
	p := f.Servers[1]
	if !p.Latched() || p.Qty != 0 || p.OrderAttemptedCart != "c-2" || !got[1].Latched {
		t.Fatalf("pending: %+v", p)
	}
	if f.Servers[2].Qty != 2 || f.Servers[2].OrderAttempted {
		t.Fatal("a refused attempt is not restored")
	}
	if r := f.Servers[3]; r.ID != "rearmed-2" || !r.Wanted() {
		t.Fatalf("re-armed: %+v", r)
	}
	if again := f.RestoreFromJournal(st); len(again) != 0 {
		t.Fatalf("second restore changed %+v", again)
	}
	// Issue 16.9: an old copy from after the first order (id of the old
	// identity, its order, qty 0) restored after buy another: the order
	// stays the old identity's, and the new one still wants what the
	// re-arm asked for.
	st = journal.Fold([]journal.Record{
		ck(journal.TypeIntent, "first", "5", "", 0),
		ck(journal.TypeOutcome, "first", "5", journal.ResultOrdered, 79),
		{Type: journal.TypeRearm, Entry: "first", NewEntry: "first-2", Qty: 1},
	})
	old := mk("first")
	old.Qty, old.OrderID, old.OrderedIn, old.OrderURL = 0, 79, "gra", "https://x/79"
	old.OrderAttempted, old.OrderAttemptedIn, old.OrderAttemptedQty = true, "gra", 2
	f = &File{Servers: []Server{old}}
	f.RestoreFromJournal(st)
	if r := f.Servers[0]; r.ID != "first-2" || r.OrderID != 0 || r.OrderAttempted || r.Qty != 1 || !r.Wanted() {
		t.Fatalf("old copy after buy another: %+v", r)
	}
}

func TestNotDurableSave(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	os.WriteFile(path, []byte(`{"subsidiary":"IE","user_servers":[]}`), 0o600)
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fail := errors.New("EIO")
	s.SetFolderSync(func(string) error { return fail })
	saved, err := s.Apply("t", func(f *File) error { f.Subsidiary = "FR"; return nil })
	if !saved || !errors.Is(err, ErrNotDurable) || !errors.Is(err, fail) {
		t.Fatalf("saved %v err %v", saved, err)
	}
	if s.Snapshot().Subsidiary != "FR" {
		t.Fatal("the renamed content is the store's")
	}
	if err := s.SyncFolder(); !errors.Is(err, fail) {
		t.Fatalf("retry: %v", err)
	}
	s.SetFolderSync(nil)
	if err := s.SyncFolder(); err != nil {
		t.Fatal(err)
	}
}
