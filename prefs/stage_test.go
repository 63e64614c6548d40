package prefs

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/journal"
)

func TestStage(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Server)
		want Stage
	}{
		{"wanted", func(*Server) {}, StageWanted},
		{"ordered", func(s *Server) { s.Qty, s.OrderID = 0, 42 }, StageOrdered},
		{"latched", func(s *Server) { s.Latch(time.Now(), "fra", "c1") }, StageLatched},
		{"paused", func(s *Server) { s.Qty, s.PausedQty = 0, 2 }, StagePaused},
		{"retired", func(s *Server) { s.Retire() }, StageRetired},
		{"retired by the Python tool", func(s *Server) { s.Qty, s.CeilingPrice = 0, 0 }, StageRetired},
		{"stopped: dry run done", func(s *Server) { s.Qty = 0 }, StageStopped},
		{"skip_validate at ceiling 0 is never retired", func(s *Server) { s.Qty, s.CeilingPrice, s.SkipValidate = 0, 0, true }, StageStopped},
		{"paused_qty left beside a qty: wanted", func(s *Server) { s.PausedQty = 5 }, StageWanted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := lifecycleServer()
			tc.edit(&s)
			if got := s.Stage(); got != tc.want {
				t.Fatalf("stage %s, want %s", got, tc.want)
			}
			if s.Finished() != (tc.want == StageOrdered || tc.want == StageRetired) {
				t.Fatalf("Finished %v for %s", s.Finished(), tc.want)
			}
		})
	}
}

// Pause keeps everything but qty; Resume gives it back; the ceiling is
// never scaled on the way.
func TestPauseResume(t *testing.T) {
	s := lifecycleServer()
	s.PlaceOrder, s.Autopay = true, true
	s.DCCarts.Set(DCCart{DC: "fra", CartID: "c1"})
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	if s.Qty != 0 || s.PausedQty != 2 || s.CeilingPrice != 40 || !s.Paused() || s.Wanted() {
		t.Fatalf("paused: %+v", s)
	}
	if _, ok := s.DCCarts.Get("fra"); !ok || !s.PlaceOrder || !s.Autopay || s.Units() != 2 || s.CeilingPerUnitUcents() != 20e8 {
		t.Fatal("pause lost a setting")
	}
	if err := s.Pause(); err == nil {
		t.Fatal("paused twice")
	}
	if err := s.Resume(); err != nil {
		t.Fatal(err)
	}
	if s.Qty != 2 || s.PausedQty != 0 || s.CeilingPrice != 40 || !s.Wanted() {
		t.Fatalf("resumed: %+v", s)
	}
	if err := s.Resume(); err == nil {
		t.Fatal("resumed an entry that is not paused")
	}
}

func TestPauseRefusals(t *testing.T) {
	latched := lifecycleServer()
	latched.Latch(time.Now(), "fra", "c1")
	if err := latched.Pause(); !errors.Is(err, ErrLatched) {
		t.Fatalf("latched: %v", err)
	}
	ordered := lifecycleServer()
	ordered.Qty, ordered.OrderID = 0, 42
	if err := ordered.Pause(); err == nil || !strings.Contains(err.Error(), "#42") {
		t.Fatalf("ordered: %v", err)
	}
	stopped := lifecycleServer()
	stopped.Qty = 0
	if err := stopped.Pause(); err == nil {
		t.Fatal("paused an entry at qty 0")
	}
}

// Raising qty of a paused entry by hand resumes it, scaling the ceiling
// from the paused qty.
func TestSetQtyOnPaused(t *testing.T) {
	s := lifecycleServer()
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	if err := s.SetQty(3); err != nil {
		t.Fatal(err)
	}
	if s.Qty != 3 || s.PausedQty != 0 || s.CeilingPrice != 60 {
		t.Fatalf("%+v", s)
	}
}

func TestRetireBringBack(t *testing.T) {
	s := lifecycleServer()
	s.Retire()
	if !s.Retired() || s.Qty != 0 || s.CeilingPrice != 0 || s.RetiredQty != 2 {
		t.Fatalf("retired: %+v", s)
	}
	if err := s.BringBack(0); err == nil {
		t.Fatal("brought back with a ceiling of 0")
	}
	if err := s.BringBack(4598e6); err != nil {
		t.Fatal(err)
	}
	if s.Qty != 2 || s.CeilingPrice != 45.98 || s.RetiredQty != 0 || !s.Wanted() {
		t.Fatalf("brought back: %+v", s)
	}
	if err := s.BringBack(5e9); err == nil {
		t.Fatal("brought back an entry that is not retired")
	}
	py := lifecycleServer() // retired by the Python tool: no retired_qty
	py.Qty, py.CeilingPrice = 0, 0
	if err := py.BringBack(2e9); err != nil || py.Qty != 1 {
		t.Fatalf("qty %d, err %v", py.Qty, err)
	}
}

// An entry whose checkout outcome is unknown cannot be removed, whether the
// file or only the journal knows it.
func TestRemoveHold(t *testing.T) {
	s := lifecycleServer()
	s.ID = "e1"
	if why := RemoveHold(s, nil); why != "" {
		t.Fatalf("wanted entry: %q", why)
	}
	ordered := s
	ordered.Qty, ordered.OrderID = 0, 42
	if why := RemoveHold(ordered, nil); why != "" {
		t.Fatalf("ordered entry: %q", why)
	}
	latched := s
	latched.Latch(time.Now(), "fra", "c1")
	if why := RemoveHold(latched, nil); !strings.Contains(why, "fra") {
		t.Fatalf("latched entry: %q", why)
	}
	st := journal.Fold([]journal.Record{{Type: journal.TypeIntent, Kind: journal.KindCheckout, Entry: "e1", DC: "gra", Attempt: "a1"}})
	if why := RemoveHold(s, st); !strings.Contains(why, "journal") {
		t.Fatalf("attempted in the journal: %q", why)
	}
	st.Apply(journal.Record{Type: journal.TypeOutcome, Kind: journal.KindCheckout, Entry: "e1", DC: "gra", Attempt: "a1", Result: journal.ResultOrdered, OrderID: 7})
	if why := RemoveHold(s, st); why != "" {
		t.Fatalf("ordered in the journal: %q", why)
	}
}

// paused_qty and retired_qty survive a round trip and are written only
// when set.
func TestPausedRetiredRoundTrip(t *testing.T) {
	f, err := Parse("p.json", []byte(`{"subsidiary":"IE","user_servers":[{"planCode":"a","fqn":"a.b","qty":0,"paused_qty":2,"ceiling_price":20},{"planCode":"a","fqn":"a.c","qty":1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if !f.Servers[0].Paused() || f.Servers[0].PausedQty != 2 {
		t.Fatalf("%+v", f.Servers[0])
	}
	out, _ := f.Marshal()
	if strings.Count(string(out), `"paused_qty": 2`) != 1 || strings.Contains(string(out), "retired_qty") {
		t.Fatalf("marshal: %s", out)
	}
	f.Servers[1].Retire()
	out, _ = f.Marshal()
	g, err := Parse("p.json", out)
	if err != nil || !g.Servers[1].Retired() || g.Servers[1].RetiredQty != 1 {
		t.Fatalf("%v %+v", err, g.Servers[1])
	}
	if _, err := Parse("p.json", []byte(`{"subsidiary":"IE","user_servers":[{"planCode":"a","fqn":"a.b","paused_qty":"2"}]}`)); err == nil || !strings.Contains(err.Error(), "paused_qty") {
		t.Fatalf("a string paused_qty: %v", err)
	}
}
