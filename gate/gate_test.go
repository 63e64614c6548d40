package gate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/journal"
)

// fakeClock is OVH's clock and the local one, moved by the test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) ServerTime(context.Context) (time.Time, error) { return c.Now(), nil }

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTestGate(t *testing.T, path string, clk *fakeClock, proc string, alive func(string) bool) (*Gate, *journal.Journal) {
	t.Helper()
	j, err := journal.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return New(Options{Journal: j, Clock: clk, Now: clk.Now, Proc: proc, Alive: alive}), j
}

func payReq(id int64, send func() Answer, look func() (Answer, bool)) Request {
	return Request{
		Target: Target{Kind: journal.KindPayment, OrderID: id},
		Decide: func(context.Context) (journal.Record, error) {
			return journal.Record{AmountUcents: 100, Currency: "EUR"}, nil
		},
		Send:   func(context.Context, journal.Record) Answer { return send() },
		LookUp: func(context.Context, journal.Record) (Answer, bool, error) { a, ok := look(); return a, ok, nil },
	}
}

func TestUnclearStaysPendingUntilWindow(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	g, j := newTestGate(t, filepath.Join(t.TempDir(), "p.journal"), clk, "me", func(string) bool { return false })
	sends := 0
	paid := false
	req := payReq(7, func() Answer { sends++; return Answer{Err: errors.New("timeout")} }, func() (Answer, bool) {
		return Answer{Result: journal.ResultDone}, paid
	})
	_, err := g.Do(context.Background(), req)
	var ue *UnclearError
	if !errors.As(err, &ue) || sends != 1 {
		t.Fatalf("first: %v, %d sends", err, sends)
	}
	_, err = g.Do(context.Background(), req)
	var pe *PendingError
	if !errors.As(err, &pe) || sends != 1 {
		t.Fatalf("second: %v, %d sends", err, sends)
	}
	// The window passes with nothing found: it did nothing; a new request goes.
	clk.Advance(DefaultWindow)
	if _, err := g.Do(context.Background(), req); !errors.As(err, &ue) || sends != 2 {
		t.Fatalf("after the window: %v, %d sends", err, sends)
	}
	// Found paid: the pending one settles as done, and the next says so.
	paid = true
	res, err := g.Do(context.Background(), req)
	if err != nil || !res.Earlier || res.Result != journal.ResultDone || sends != 2 {
		t.Fatalf("paid: %+v %v, %d sends", res, err, sends)
	}
	log, _ := j.Read()
	st := journal.Fold(log.Records)
	if len(st.Pending()) != 0 {
		t.Fatalf("pending: %+v", st.Pending())
	}
}

func TestDecideErrorSendsNothing(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	g, j := newTestGate(t, filepath.Join(t.TempDir(), "p.journal"), clk, "me", nil)
	changed := errors.New("place_order was turned off")
	req := payReq(7, func() Answer { t.Fatal("sent"); return Answer{} }, func() (Answer, bool) { return Answer{}, false })
	req.Decide = func(context.Context) (journal.Record, error) { return journal.Record{}, changed }
	if _, err := g.Do(context.Background(), req); !errors.Is(err, changed) {
		t.Fatal(err)
	}
	if log, _ := j.Read(); len(log.Records) != 0 {
		t.Fatalf("journaled: %+v", log.Records)
	}
}

// A journal replaced meanwhile stops the request in hand.
func TestReplacedJournalStops(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "p.journal")
	g, _ := newTestGate(t, path, clk, "me", nil)
	os.Remove(path)
	req := payReq(7, func() Answer { t.Fatal("sent"); return Answer{} }, func() (Answer, bool) { return Answer{}, false })
	var rep *journal.ReplacedError
	if _, err := g.Do(context.Background(), req); !errors.As(err, &rep) {
		t.Fatal(err)
	}
	if _, err := g.Do(context.Background(), payReq(7, func() Answer { return Answer{Result: journal.ResultDone} }, nil)); err != nil {
		t.Fatalf("once re-opened: %v", err)
	}
}

func TestProcAlive(t *testing.T) {
	if !ProcAlive(Self()) {
		t.Fatal("this process is not alive")
	}
	if ProcAlive("999999999") {
		t.Fatal("a PID that cannot exist is alive")
	}
	if s := Self(); startTime(os.Getpid()) != "" && ProcAlive(s[:len(s)-1]+"x") {
		t.Fatal("a reused PID (other start time) counts as this process")
	}
}
