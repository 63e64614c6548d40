package journal

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestBeside(t *testing.T) {
	for in, want := range map[string]string{
		"preferences.json": "preferences.journal",
		"prefs":            "prefs.journal",
		// Never the preferences file itself (issue 12: bad input never loses a byte).
		"prefs.journal": "prefs.journal.journal",
		"prefs.JOURNAL": "prefs.JOURNAL.journal",
	} {
		if got := Beside(filepath.Join("a", in)); got != filepath.Join("a", want) {
			t.Errorf("Beside(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAppendRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.journal")
	j, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	in := Record{Time: at, Type: TypeIntent, Kind: KindCheckout, Attempt: "a1", Entry: "e1", DC: "fra", Qty: 1, Cart: "c1", AmountUcents: 1998000000, Currency: "EUR"}
	if err := j.Append(in); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(Record{Type: TypeOutcome, Kind: KindCheckout, Attempt: "a1", Entry: "e1", Result: ResultOrdered, OrderID: 42}); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(Record{Kind: KindCheckout}); err == nil {
		t.Fatal("a record without a type was accepted")
	}
	j.Close()
	if err := j.Append(in); err != ErrClosed {
		t.Fatalf("append after close: %v", err)
	}
	log, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Records) != 2 || log.Skipped != 0 {
		t.Fatalf("read %+v", log)
	}
	if !log.Records[0].Time.Equal(at) || log.Records[0].Time.Location() != time.UTC || log.Records[0].PID != os.Getpid() {
		t.Fatalf("first record %+v", log.Records[0])
	}
	st := Fold(log.Records)
	if st.Entry("e1").Phase() != PhaseOrdered || st.Entry("e1").Order.OrderID != 42 {
		t.Fatalf("fold: %+v", st.Entry("e1"))
	}
	if e, ok := st.OrderEntry(42); !ok || e != "e1" {
		t.Fatalf("OrderEntry(42) = %q %v", e, ok)
	}
	if len(st.Pending()) != 0 {
		t.Fatalf("pending %v", st.Pending())
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", info.Mode())
	}
}

func TestReadMissing(t *testing.T) {
	log, err := Read(filepath.Join(t.TempDir(), "none.journal"))
	if err != nil || len(log.Records) != 0 {
		t.Fatalf("%v %v", log, err)
	}
}

// A crash mid-write leaves a torn last line: it is skipped, and the next
// Open ends it so that new records are read.
func TestTornLastLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.journal")
	j, _ := Open(path)
	j.Append(Record{Type: TypeIntent, Kind: KindCheckout, Attempt: "a1", Entry: "e1"})
	j.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"time":"2026-01-02T03:04:05Z","type":"outc`)
	f.Close()
	log, _ := Read(path)
	if len(log.Records) != 1 || log.Skipped != 1 {
		t.Fatalf("torn: %+v", log)
	}
	j, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	j.Append(Record{Type: TypeOutcome, Kind: KindCheckout, Attempt: "a1", Entry: "e1", Result: ResultRefused})
	j.Close()
	log, _ = Read(path)
	if len(log.Records) != 2 || log.Skipped != 1 || log.Records[1].Result != ResultRefused {
		t.Fatalf("after reopen: %+v", log)
	}
	if Fold(log.Records).Entry("e1").Phase() != PhaseNone {
		t.Fatal("refused attempt should leave the entry free")
	}
}

// Another writer appending after a torn line glues its record to it: the
// record is recovered.
func TestGluedRecordRecovered(t *testing.T) {
	data := []byte(`{"time":"2026-01-02T03:04:05Z","type":"inte{"time":"2026-01-02T03:04:06Z","type":"intent","kind":"checkout","entry":"e2","attempt":"a2"}` + "\n" +
		"garbage\n\n" + `{"time":"x"}` + "\n")
	log := Parse(data)
	if len(log.Records) != 1 || log.Records[0].Entry != "e2" || log.Skipped != 3 {
		t.Fatalf("%+v", log)
	}
	if p := Fold(log.Records).Pending(); len(p) != 1 || p[0].Attempt != "a2" {
		t.Fatalf("pending %+v", p)
	}
}

// Two processes appending at once (two Journals on one file stand for
// them): every line is whole.
func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.journal")
	var wg sync.WaitGroup
	const writers, each = 4, 50
	for w := range writers {
		j, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer j.Close()
			for i := range each {
				if err := j.Append(Record{Type: TypeIntent, Kind: KindPayment, OrderID: int64(w*1000 + i + 1), Detail: string(bytes.Repeat([]byte{'x'}, 300))}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	log, _ := Read(path)
	if len(log.Records) != writers*each || log.Skipped != 0 {
		t.Fatalf("%d records, %d skipped", len(log.Records), log.Skipped)
	}
	st := Fold(log.Records)
	if len(st.Orders) != writers*each || len(st.Pending()) != writers*each {
		t.Fatalf("orders %d pending %d", len(st.Orders), len(st.Pending()))
	}
}

func TestFoldPhases(t *testing.T) {
	ck := func(typ Type, entry, attempt string, res Result, order int64) Record {
		return Record{Type: typ, Kind: KindCheckout, Entry: entry, Attempt: attempt, Result: res, OrderID: order}
	}
	recs := []Record{
		ck(TypeIntent, "a", "1", "", 0),
		ck(TypeIntent, "b", "2", "", 0),
		ck(TypeOutcome, "b", "2", ResultUnknown, 0),
		ck(TypeIntent, "c", "3", "", 0),
		ck(TypeOutcome, "c", "3", ResultNotSent, 0),
		ck(TypeIntent, "d", "4", "", 0),
		ck(TypeOutcome, "d", "4", ResultUnknown, 0),
		ck(TypeOutcome, "d", "4", ResultOrdered, 7), // reconciled
		{Type: TypeRearm, Entry: "d", NewEntry: "d2"},
		{Type: TypeRearm, Entry: "d2", NewEntry: "d3"},
		{Type: TypeIntent, Kind: KindPayment, OrderID: 7, Attempt: "p1"},
		{Type: TypeOutcome, Kind: KindPayment, OrderID: 7, Attempt: "p1", Result: ResultDone},
	}
	st := Fold(recs)
	for id, want := range map[string]Phase{"a": PhaseAttempted, "b": PhaseAttempted, "c": PhaseNone, "d": PhaseOrdered, "zz": PhaseNone} {
		if got := st.Entry(id).Phase(); got != want {
			t.Errorf("%s: %v, want %v", id, got, want)
		}
	}
	if got := st.Follow("d"); got != "d3" {
		t.Errorf("Follow(d) = %q", got)
	}
	var pend []string
	for _, r := range st.Pending() {
		pend = append(pend, r.Entry)
	}
	if fmt.Sprint(pend) != "[a b]" {
		t.Errorf("pending %v", pend)
	}
	if o := st.Orders[7]; o.Entry != "d" || o.Outcome == nil || o.Outcome.Result != ResultDone {
		t.Errorf("order 7: %+v", o)
	}
}

// BenchmarkAppend: one synced line, the cost a checkout pays before it
// leaves.
func BenchmarkAppend(b *testing.B) {
	j, err := Open(filepath.Join(b.TempDir(), "p.journal"))
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	r := Record{Type: TypeIntent, Kind: KindCheckout, Attempt: "a", Entry: "25skleb01-3f9a2c1b", PlanCode: "25skleb01",
		FQN: "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme", DCs: []string{"fra", "gra"}, DC: "fra", Qty: 1, Cart: "c", AmountUcents: 1998000000, Currency: "EUR"}
	for b.Loop() {
		if err := j.Append(r); err != nil {
			b.Fatal(err)
		}
	}
}
