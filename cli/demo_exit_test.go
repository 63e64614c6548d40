package cli

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDemoFolderRemovedAtExit: the built binary's `--demo --headless` says
// on its first line that it is a demo, works in a folder of its own under
// TMPDIR (preferences, journal, cache, history), goes on while its story
// has entries wait, and on SIGINT exits 0 leaving nothing behind.
func TestDemoFolderRemovedAtExit(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := ovhtuiBinary(t)
	dir := t.TempDir()
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--demo", "--headless")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TMPDIR=" + tmp,
		"XDG_CACHE_HOME=" + filepath.Join(dir, "cache"), "XDG_STATE_HOME=" + filepath.Join(dir, "state")}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedWriter
	stderr.w = &bytes.Buffer{}
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var first string
	started := false
	for lines.Scan() {
		if first == "" {
			first = lines.Text()
		}
		if strings.Contains(lines.Text(), "engine started") {
			started = true
			break
		}
	}
	if !started {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("no \"engine started\" line; first line %q; stderr:\n%s", first, stderr.String())
	}
	if !strings.Contains(first, "DEMO: ovhtui runs against its built-in OVH API simulator") {
		t.Errorf("the first line does not say it is a demo: %q", first)
	}
	folders, _ := filepath.Glob(filepath.Join(tmp, "ovhtui-demo-*"))
	if len(folders) != 1 {
		t.Errorf("demo folders while it runs: %v, want one", folders)
	} else if _, err := os.Stat(filepath.Join(folders[0], "preferences.json")); err != nil {
		t.Errorf("the demo's preferences: %v", err)
	}
	go func() {
		for lines.Scan() { // keep stdout drained until exit
		}
		done <- cmd.Wait()
	}()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGINT: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(guardBound): // a bound, not a measure: a demo that never stops fails here
		cmd.Process.Kill()
		t.Fatalf("no exit after SIGINT; stderr:\n%s", stderr.String())
	}
	left, err := os.ReadDir(tmp)
	if err != nil || len(left) != 0 {
		var names []string
		for _, e := range left {
			names = append(names, e.Name())
		}
		t.Errorf("left in TMPDIR after exit: %v (%v)", names, err)
	}
}
