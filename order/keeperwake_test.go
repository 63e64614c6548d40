package order

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ovhtui/ovhtui/prefs"
)

// An edit another user of the store saves (the TUI's qty key, a re-arm)
// wakes the cart keeper even when one of the engine's own saves (a cart
// persisted, the journal's ids) reloads the file before the poller looks:
// the poller then sees nothing new, and without the wake the keeper would
// build the edit's cart only on its timer, up to a minute later.
func TestEditAbsorbedByAnEngineSaveWakesTheKeeper(t *testing.T) {
	path := filepath.Join(t.TempDir(), "preferences.json")
	if err := os.WriteFile(path, prefsJSON(t, entry(func(m map[string]any) { m["id"], m["qty"] = "25skleb01-3f9a2c1b", 0 })), 0o600); err != nil {
		t.Fatal(err)
	}
	store, err := prefs.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	e := New(Config{Store: store})
	e.reload()
	select { // the start's wake: not what this test is about
	case <-e.keeperWake:
	default:
	}

	if err := store.Update("the TUI: qty 1", func(f *prefs.File) error {
		f.Servers[0].Qty = 1
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := e.update("the engine's own save", func(*prefs.File) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if e.reload() {
		t.Fatal("the poller's reload saw the edit: the engine's save did not pick it up, so this test shows nothing")
	}
	select {
	case <-e.keeperWake:
	default:
		t.Fatal("the cart keeper was not woken for the edit")
	}
	if got := len(e.jobs()); got != 2 {
		t.Fatalf("the keeper has %d carts to keep, want 2 (the entry in fra and gra)", got)
	}
}
