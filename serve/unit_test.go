package serve

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/order"
)

func info(text string) order.Event { return order.Info{Text: text} }

func TestHubReplaysTheCurrentState(t *testing.T) {
	h := NewHub()
	for i := range replayLines + 5 {
		h.Publish(info("line " + string(rune('a'+i%26))))
	}
	h.Publish(order.PollOK{Plan: "p1"})
	h.Publish(order.EntryStatesChanged{Entries: []order.EntryView{{Key: "old"}}})
	h.Publish(order.EntryStatesChanged{Entries: []order.EntryView{{Key: "new"}}})
	h.Publish(order.StatusChanged{})
	ch, replayed, stop := h.Subscribe()
	defer stop()
	if replayed != replayLines {
		t.Errorf("replayed %d, want the %d recent lines", replayed, replayLines)
	}
	var got []order.Event
	for range replayLines + 2 {
		got = append(got, <-ch)
	}
	if _, ok := got[len(got)-1].(order.EntryStatesChanged); !ok {
		t.Fatalf("last replayed %T, want the state", got[len(got)-1])
	}
	if st := got[len(got)-1].(order.EntryStatesChanged); st.Entries[0].Key != "new" {
		t.Errorf("replayed state %v, want the latest", st.Entries)
	}
	if p, ok := got[len(got)-2].(order.PollOK); !ok || p.Plan != "p1" {
		t.Errorf("before the state: %T, want the last poll", got[len(got)-2])
	}
	// Then live events.
	h.Publish(info("live"))
	if ev := <-ch; ev.Message() != "live" {
		t.Errorf("live event %q", ev.Message())
	}
}

// A session that stops reading holds back neither the publisher nor the
// other sessions, and is cut off once far behind.
func TestHubSlowSessionIsCutOff(t *testing.T) {
	h := NewHub()
	stuck, _, stopStuck := h.Subscribe()
	defer stopStuck()
	live, _, stopLive := h.Subscribe()
	defer stopLive()
	for i := range cutBacklog + 100 {
		h.Publish(order.APIError{Call: "x", Err: string(rune(i))})
		<-live
	}
	if n := h.Sessions(); n != 1 {
		t.Fatalf("%d subscriptions left, want the live one", n)
	}
	for range stuck {
	} // closed: its reader would end
}

func TestHubFrequentEventsDroppedForALaggingSession(t *testing.T) {
	h := NewHub()
	ch, _, stop := h.Subscribe()
	defer stop()
	for range maxSessionBacklog + 500 {
		h.Publish(order.PollOK{})
	}
	h.Publish(order.OrderPlaced{OrderID: 7})
	n := 0
	for ev := range ch {
		n++
		if p, ok := ev.(order.OrderPlaced); ok && p.OrderID == 7 {
			break
		}
	}
	if n > maxSessionBacklog+64+2 {
		t.Errorf("%d events delivered: frequent ones were not dropped", n)
	}
}

func TestHubCloseEndsSubscriptions(t *testing.T) {
	h := NewHub()
	ch, _, _ := h.Subscribe()
	h.Close()
	for range ch {
	}
	late, _, _ := h.Subscribe()
	for range late {
	}
}

func TestLimiterBlocksThenForgives(t *testing.T) {
	now := time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)
	l := newAuthLimiter(Limits{MaxFailures: 3, Window: time.Minute, BlockFor: 5 * time.Minute, Now: func() time.Time { return now }})
	for i := range 2 {
		if b, n := l.fail("10.0.0.1"); b != 0 || n != i+1 {
			t.Fatalf("failure %d: blocked %v count %d", i+1, b, n)
		}
	}
	if !l.allow("10.0.0.1") {
		t.Fatal("blocked before the limit")
	}
	if b, _ := l.fail("10.0.0.1"); b != 5*time.Minute {
		t.Fatalf("third failure: blocked %v", b)
	}
	if l.allow("10.0.0.1") || !l.allow("10.0.0.2") {
		t.Fatal("the block is per address")
	}
	now = now.Add(5 * time.Minute)
	if !l.allow("10.0.0.1") {
		t.Fatal("still blocked after BlockFor")
	}
	// Failures spread wider than the window never block.
	for range 10 {
		now = now.Add(time.Minute)
		if b, _ := l.fail("10.0.0.3"); b != 0 {
			t.Fatal("slow failures blocked")
		}
	}
}

func TestLimiterMemoryIsBounded(t *testing.T) {
	now := time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)
	l := newAuthLimiter(Limits{Now: func() time.Time { return now }})
	for i := range 3 * maxTracked {
		now = now.Add(time.Second)
		l.fail("10.1." + string(rune('a'+i%26)) + strings.Repeat("x", i%7) + string(rune(i)))
	}
	if len(l.by) > maxTracked {
		t.Fatalf("%d addresses tracked", len(l.by))
	}
}

func TestHostKeyCreatedOnceAndReused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "ssh_host_ed25519_key")
	a, err := LoadOrCreateHostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if a.PublicKey().Type() != gossh.KeyAlgoED25519 {
		t.Errorf("host key type %s", a.PublicKey().Type())
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("host key mode %#o, want 0600", fi.Mode().Perm())
	}
	b, err := LoadOrCreateHostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(a.PublicKey().Marshal()) != string(b.PublicKey().Marshal()) {
		t.Error("host key not reused")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateHostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a world-readable host key: %v", err)
	}
}

func TestAuthorizedKeysOptions(t *testing.T) {
	k1, k2 := newSigner(t).PublicKey(), newSigner(t).PublicKey()
	line := func(opts string, k gossh.PublicKey) string {
		s := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(k)))
		if opts != "" {
			s = opts + " " + s
		}
		return s + " someone\n"
	}
	dir := t.TempDir()
	write := func(content string) string {
		p := filepath.Join(dir, "keys")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	keys, err := LoadAuthorizedKeys(write("# comment\n\n" + line("", k1) + line(ReadOnlyOption, k2)))
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := find(keys, k1); !ok || a.ReadOnly {
		t.Errorf("k1: found %v read-only %v", ok, a.ReadOnly)
	}
	if a, ok := find(keys, k2); !ok || !a.ReadOnly || a.Comment != "someone" {
		t.Errorf("k2: found %v read-only %v comment %q", ok, a.ReadOnly, a.Comment)
	}
	if _, ok := find(keys, newSigner(t).PublicKey()); ok {
		t.Error("a stranger found")
	}
	// Listed twice, once read-only: read-only.
	keys, err = LoadAuthorizedKeys(write(line("", k1) + line("restrict", k1)))
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := find(keys, k1); !a.ReadOnly {
		t.Error("a key listed read-only once is read-write")
	}
	for _, bad := range []string{line(`command="/bin/sh"`, k1), line(`from="10.0.0.0/8"`, k1), "ssh-ed25519 AAAAnot-base64\n"} {
		if _, err := LoadAuthorizedKeys(write(bad)); err == nil || !strings.Contains(err.Error(), ":1:") {
			t.Errorf("%q: %v, want an error naming the line", bad, err)
		}
	}
}

func TestCatalogFanReachesEverySession(t *testing.T) {
	in := make(chan *catalog.Catalog)
	f := newCatalogFan(in)
	ctxA, stopA := context.WithCancel(context.Background())
	a, b := f.subscribe(ctxA), f.subscribe(context.Background())
	c1, c2, c3 := &catalog.Catalog{}, &catalog.Catalog{}, &catalog.Catalog{}
	// Unbuffered: once c3 is taken, c2 has been handed over, replacing c1
	// (nobody read it): a slow session gets the newest only.
	in <- c1
	in <- c2
	in <- c3
	for name, ch := range map[string]<-chan *catalog.Catalog{"a": a, "b": b} {
		got := <-ch
		if got == c1 {
			t.Errorf("%s got a stale catalog", name)
		}
		if got == c2 {
			got = <-ch
		}
		if got != c3 {
			t.Errorf("%s did not get the newest catalog", name)
		}
	}
	stopA()
	close(in)
	for range b {
	}
}
