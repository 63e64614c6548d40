package history

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openTemp(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "state", "ovhtui", FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenCreatesFolderWALAndSchema(t *testing.T) {
	s := openTemp(t)
	var mode string
	if err := s.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
	}
	var v int
	if err := s.db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion {
		t.Fatalf("user_version = %d, %v; want %d", v, err, SchemaVersion)
	}
	var busy int
	if err := s.db.QueryRow("PRAGMA busy_timeout").Scan(&busy); err != nil || busy != int(BusyTimeout.Milliseconds()) {
		t.Fatalf("busy_timeout = %d, %v", busy, err)
	}
	// Reopening applies nothing twice.
	s2, err := Open(context.Background(), s.Path())
	if err != nil {
		t.Fatal(err)
	}
	s2.Close()
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	s := openTemp(t)
	if _, err := s.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), s.Path())
	if err == nil || !strings.Contains(err.Error(), "newer") || !strings.Contains(err.Error(), "--history off") {
		t.Fatalf("err = %v; want a newer-schema error that says how to go on", err)
	}
}

func TestOpenCorruptFileSaysSo(t *testing.T) {
	p := filepath.Join(t.TempDir(), FileName)
	junk := []byte(strings.Repeat("this is no database ", 400))
	if err := os.WriteFile(p, junk, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), p)
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("err = %v; want the file named and called damaged", err)
	}
	got, _ := os.ReadFile(p)
	if string(got) != string(junk) {
		t.Fatal("a damaged file was modified")
	}
}

func TestOpenUnwritableFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes everywhere")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	_, err := Open(context.Background(), filepath.Join(dir, "sub", FileName))
	if err == nil || !strings.Contains(err.Error(), "--history") {
		t.Fatalf("err = %v", err)
	}
}

func TestDefaultPathFollowsXDG(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/x/state")
	p, err := DefaultPath()
	if err != nil || p != filepath.Join("/x/state", "ovhtui", FileName) {
		t.Fatalf("DefaultPath = %q, %v", p, err)
	}
	t.Setenv("XDG_STATE_HOME", "relative") // not absolute: ignored, as the spec says
	t.Setenv("HOME", "/home/u")
	p, err = DefaultPath()
	if err != nil || (p != filepath.Join("/home/u", ".local", "state", "ovhtui", FileName) && !strings.Contains(p, "Library")) {
		t.Fatalf("DefaultPath = %q, %v", p, err)
	}
}

func TestPruneKeepsLatestPriceAndPlan(t *testing.T) {
	s := openTemp(t)
	h := startRecorder(t, s, RecorderOptions{Keep: -1})
	old := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	h.rec.Observe(obs(old, "kimsufi-1.ram.disk", "fra", "unavailable"))
	h.rec.Observe(obs(old.Add(time.Hour), "kimsufi-1.ram.disk", "fra", "1H-low"))
	h.rec.ObserveCatalog(CatalogObservation{Time: old, Subsidiary: "IE", Currency: "EUR", Plans: []string{"kimsufi-1"},
		Prices: []Price{{PlanCode: "kimsufi-1", FQN: "kimsufi-1.ram.disk", Monthly: 1}}})
	h.flush()
	n, err := s.Prune(context.Background(), old.Add(400*24*time.Hour), 10*24*time.Hour)
	if err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want the 2 availability changes", n, err)
	}
	var prices, plans int
	s.db.QueryRow("SELECT count(*) FROM price_changes").Scan(&prices)
	s.db.QueryRow("SELECT count(*) FROM plan_changes").Scan(&plans)
	if prices != 1 || plans != 1 {
		t.Fatalf("prices %d plans %d; the latest of each stays", prices, plans)
	}
}
