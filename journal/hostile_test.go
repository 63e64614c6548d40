//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package journal

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/safefile"
	"github.com/ovhtui/ovhtui/secret"
)

// Issue 16.12: a FIFO at the journal's path is refused at once, by Open and
// by Read (start-up, `orders`, `pay`), never waited on; so is a directory.
func TestNotRegularRefusedWithoutBlocking(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.journal")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("mkfifo:", err)
	}
	sub := filepath.Join(dir, "dir.journal")
	os.Mkdir(sub, 0o700)
	for _, p := range []string{fifo, sub} {
		var nr *safefile.NotRegularError
		if _, err := Open(p); !errors.As(err, &nr) {
			t.Errorf("Open(%s): %v, want a NotRegularError", p, err)
		} else if !strings.Contains(err.Error(), p) {
			t.Errorf("error does not name the path: %v", err)
		}
		if _, err := Read(p); !errors.As(err, &nr) {
			t.Errorf("Read(%s): %v, want a NotRegularError", p, err)
		}
	}
}

// nestedGarbage is the 800 KB line of issue 16.12: record starts nested in
// one another, none of them whole.
func nestedGarbage() []byte {
	return bytes.Repeat([]byte(`{"time":`), 100_000)
}

// Issue 16.12: one line of nested garbage costs one pass, and a record
// after it on the next line is still read. (The time is measured by
// BenchmarkParseNestedGarbage; before the fix it took about a minute.)
func TestParseNestedGarbage(t *testing.T) {
	good := `{"time":"2026-01-02T03:04:05Z","type":"intent","kind":"checkout","entry":"e1","attempt":"a1"}`
	data := append(nestedGarbage(), '\n')
	data = append(data, good...)
	log := Parse(data)
	if len(log.Records) != 1 || log.Skipped != 1 {
		t.Fatalf("%d records, %d skipped", len(log.Records), log.Skipped)
	}
	glued := append(nestedGarbage(), good...)
	if log := Parse(glued); len(log.Records) != 1 || log.Records[0].Entry != "e1" {
		t.Fatalf("glued record lost: %+v", log)
	}
}

func BenchmarkParseNestedGarbage(b *testing.B) {
	data := nestedGarbage()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Parse(data)
	}
}

// Issue 16.12: a hand-written record with a negative id, an unknown kind
// or result is not trusted.
func TestInvalidRecordsRefused(t *testing.T) {
	data := strings.Join([]string{
		`{"time":"2026-01-02T03:04:05Z","type":"outcome","kind":"checkout","entry":"e1","attempt":"a","result":"ordered","order_id":-5}`,
		`{"time":"2026-01-02T03:04:05Z","type":"intent","kind":"lottery","entry":"e1"}`,
		`{"time":"2026-01-02T03:04:05Z","type":"outcome","kind":"payment","order_id":4,"result":"maybe"}`,
		`{"time":"2026-01-02T03:04:05Z","type":"intent","kind":"payment"}`,
		`{"time":"2026-01-02T03:04:05Z","type":"outcome","kind":"checkout","entry":"e1","attempt":"a","result":"ordered","order_id":5}`,
	}, "\n")
	log := Parse([]byte(data))
	if len(log.Records) != 1 || log.Records[0].OrderID != 5 || log.Invalid != 4 {
		t.Fatalf("%+v", log)
	}
	j, _ := Open(filepath.Join(t.TempDir(), "p.journal"))
	defer j.Close()
	if err := j.Append(Record{Type: TypeOutcome, Kind: KindCheckout, Entry: "e", Result: ResultOrdered, OrderID: -5}); err == nil {
		t.Fatal("a negative order id was written")
	}
}

// Issue 16.12: an error message echoed by the server goes into detail
// without the secrets and the order password it holds.
func TestAppendScrubsSecrets(t *testing.T) {
	t.Cleanup(secret.Forget)
	secret.Register("APPSECRET-0123456789", "CONSUMERKEY-abcdef")
	path := filepath.Join(t.TempDir(), "p.journal")
	j, _ := Open(path)
	defer j.Close()
	echo := "bad request: key CONSUMERKEY-abcdef secret APPSECRET-0123456789 url https://eu.ovh/order?orderId=3&orderPassword=SeCrEtPw"
	if err := j.Append(Record{Type: TypeOutcome, Kind: KindPayment, OrderID: 3, Result: ResultFailed, Detail: echo,
		URL: "https://eu.ovh/order?orderId=3&orderPassword=SeCrEtPw"}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for _, leak := range []string{"APPSECRET-0123456789", "CONSUMERKEY-abcdef", "SeCrEtPw"} {
		if bytes.Contains(data, []byte(leak)) {
			t.Errorf("journal holds %q: %s", leak, data)
		}
	}
}

// Issue 16.7: the journal replaced (a restore, a sync tool, "save as") or
// deleted while a process has it open: the next append notices, re-opens
// the path, writes back what the old file held, and tells; Lock refuses
// the money action in hand.
func TestReplacedJournalReopenedAndMerged(t *testing.T) {
	for _, how := range []string{"replaced", "deleted"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "p.journal")
			j, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close()
			var told []*ReplacedError
			j.OnReplaced(func(r *ReplacedError) { told = append(told, r) })
			old := Record{Type: TypeIntent, Kind: KindCheckout, Entry: "e1", Attempt: "a1"}
			j.Append(old)
			copyBefore, _ := os.ReadFile(path)
			j.Append(Record{Type: TypeOutcome, Kind: KindCheckout, Entry: "e1", Attempt: "a1", Result: ResultOrdered, OrderID: 9})
			switch how {
			case "replaced": // an old copy restored over it
				tmp := filepath.Join(dir, "restore")
				os.WriteFile(tmp, copyBefore, 0o600)
				os.Rename(tmp, path)
			case "deleted":
				os.Remove(path)
			}
			_, err = j.Lock(context.Background())
			var rep *ReplacedError
			if !errors.As(err, &rep) || len(told) != 1 {
				t.Fatalf("Lock after the file was %s: %v (told %d)", how, err, len(told))
			}
			log, _ := Read(path)
			st := Fold(log.Records)
			if st.Entry("e1").Phase() != PhaseOrdered {
				t.Fatalf("the order was not written back: %+v", log.Records)
			}
			if err := j.Append(Record{Type: TypeRearm, Entry: "e1", NewEntry: "e2"}); err != nil {
				t.Fatal(err)
			}
			log, _ = Read(path)
			if n := len(log.Records); n != 3 || log.Records[n-1].Type != TypeRearm {
				t.Fatalf("after re-open: %+v", log.Records)
			}
			unlock, err := j.Lock(context.Background())
			if err != nil {
				t.Fatalf("Lock once re-opened: %v", err)
			}
			unlock()
		})
	}
}

// Lock serializes two holders of the journal (two processes stand as two
// Journals on one file: flock locks belong to the open file).
func TestLockAcrossOpens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.journal")
	a, _ := Open(path)
	b, _ := Open(path)
	defer a.Close()
	defer b.Close()
	unlock, err := a.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Lock(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("second Lock while held: %v", err)
	}
	unlock()
	ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	unlockB, err := b.Lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	unlockB()
}

// Issue 16.8: a symlinked preferences file and its target share one
// journal, whichever the user names.
func TestBesideResolvesSymlinks(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real", "preferences.json")
	os.Mkdir(filepath.Dir(real), 0o700)
	os.WriteFile(real, []byte("{}"), 0o600)
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(real, link); err != nil {
		t.Skip(err)
	}
	if Beside(link) != Beside(real) {
		t.Fatalf("Beside(link) = %s, Beside(real) = %s", Beside(link), Beside(real))
	}
}
