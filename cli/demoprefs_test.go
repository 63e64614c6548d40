package cli

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
)

// --demo --prefs FILE works on a copy in the demo's temp folder: the
// user's file (and its folder: no journal, no lock) is never written.
func TestDemoWorksOnACopyOfPrefs(t *testing.T) {
	t.Parallel()
	a := isolateEnv(t).app()
	dir := t.TempDir()
	p := filepath.Join(dir, "preferences.json")
	orig := []byte(demoPreferences)
	if err := os.WriteFile(p, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	var logBuf bytes.Buffer
	d, err := a.startDemo(context.Background(), options{fileFlags: fileFlags{prefsPath: p, prefsSet: true}}, slog.New(slog.NewTextHandler(&logBuf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	defer os.RemoveAll(d.tmpDir)
	if d.prefsPath == p || filepath.Dir(d.prefsPath) != d.tmpDir || d.copiedFrom != p {
		t.Fatalf("demo uses %s (copied from %q), want a copy in %s", d.prefsPath, d.copiedFrom, d.tmpDir)
	}
	got, err := os.ReadFile(d.prefsPath)
	if err != nil || !bytes.Equal(got, orig) {
		t.Fatalf("copy: %v", err)
	}
	if !bytes.Contains(logBuf.Bytes(), []byte("copy")) {
		t.Fatalf("the demo does not say where: %s", logBuf.String())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("the user's folder got %d files", len(entries))
	}
}
