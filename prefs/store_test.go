package prefs

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// childEnv selects the helper a re-executed test binary runs (see TestMain).
const (
	childEnv     = "OVHTUI_PREFS_CHILD"
	childPathEnv = "OVHTUI_PREFS_CHILD_PATH"
)

// TestMain turns the test binary into a helper process when childEnv is set:
// the crash and lock tests re-execute it and talk to it over fd 3.
func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "saver":
		os.Exit(childSaver(os.Getenv(childPathEnv)))
	case "holder":
		os.Exit(childHolder(os.Getenv(childPathEnv)))
	default:
		fmt.Fprintln(os.Stderr, "unknown child", os.Getenv(childEnv))
		os.Exit(3)
	}
}

// childSaver opens the store and toggles place_order forever, writing one
// byte to fd 3 before each save.
func childSaver(path string) int {
	s, err := Open(path, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	signal := os.NewFile(3, "signal")
	for {
		if _, err := signal.Write([]byte{'s'}); err != nil {
			return 1
		}
		if err := s.Update("toggle", func(f *File) error {
			f.Servers[0].PlaceOrder = !f.Servers[0].PlaceOrder
			return nil
		}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
}

// childHolder opens the store, says "locked" on fd 3 and holds the lock
// until its stdin closes.
func childHolder(path string) int {
	s, err := Open(path, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	fmt.Fprintln(os.NewFile(3, "signal"), "locked")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	return 0
}

// startChild re-executes the test binary as helper kind on path; it returns
// the command and the read end of its fd 3.
func startChild(t *testing.T, kind, path string) (*exec.Cmd, *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+kind, childPathEnv+"="+path)
	// stdin stays open (the holder waits on it) until the test ends.
	stdinR, stdinW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin = stdinR
	cmd.ExtraFiles = []*os.File{w}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	stdinR.Close()
	t.Cleanup(func() { r.Close(); stdinW.Close() })
	return cmd, r
}

// writeExample copies example1 (in its saved form) to a new temp folder.
func writeExample(t *testing.T) (string, []byte) {
	t.Helper()
	orig, err := os.ReadFile("testdata/example1.json")
	if err != nil {
		t.Fatal(err)
	}
	data := indent(t, orig)
	path := filepath.Join(t.TempDir(), "preferences.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, data
}

func openStore(t *testing.T, path string, log *slog.Logger) *Store {
	t.Helper()
	s, err := Open(path, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// setPlaceOrder returns a change that sets place_order of the entry with key.
func setPlaceOrder(key string, v bool) func(*File) error {
	return func(f *File) error {
		i := f.Find(key)
		if i < 0 {
			return fmt.Errorf("entry %s is gone", key)
		}
		f.Servers[i].PlaceOrder = v
		return nil
	}
}

// A child saving in a loop is SIGKILLed at random moments; after each kill
// the file is one of the two complete contents, never a partial one.
func TestCrashDuringSaves(t *testing.T) {
	path, before := writeExample(t)
	f := mustParse(t, before)
	f.Servers[0].PlaceOrder = true
	after := mustMarshal(t, f)
	valid := map[string]bool{string(before): true, string(after): true}

	kills := 100
	if testing.Short() {
		kills = 20
	}
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 64)
	for i := range kills {
		cmd, signal := startChild(t, "saver", path)
		// Let it get some saves deep, then kill it somewhere in one.
		want := 1 + rng.IntN(20)
		for got := 0; got < want; {
			n, err := signal.Read(buf[:min(len(buf), want-got)])
			if err != nil {
				cmd.Wait()
				t.Fatalf("kill %d: child stopped before saving: %v", i, err)
			}
			got += n
		}
		if d := rng.IntN(3000); d > 0 {
			// Not an assertion of time: only spreads the kill over a save.
			time.Sleep(time.Duration(d) * time.Microsecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("kill %d: child ended on its own: %v", i, cmd.ProcessState)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		if !valid[string(data)] {
			t.Fatalf("kill %d: file is neither content:\n%s", i, data)
		}
		if _, err := Parse(path, data); err != nil {
			t.Fatalf("kill %d: %v", i, err)
		}
		if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
			t.Fatalf("kill %d: mode %v, %v", i, info.Mode(), err)
		}
		// Anything else in the folder is the lock or a leftover temp file.
		entries, _ := os.ReadDir(filepath.Dir(path))
		for _, e := range entries {
			n := e.Name()
			if n != "preferences.json" && n != ".ovhtui-preferences.json.lock" && !strings.HasPrefix(n, ".preferences.json.ovhtui-save-") {
				t.Fatalf("kill %d: unexpected file %s", i, n)
			}
		}
	}
	// Opening again names the leftovers of interrupted saves, and leaves
	// them: ovhtui deletes only what it created in this run (issue 21.2).
	leftBefore, _ := os.ReadDir(filepath.Dir(path))
	var logs bytes.Buffer
	s := openStore(t, path, slog.New(slog.NewTextHandler(&logs, nil)))
	s.Close()
	leftAfter, _ := os.ReadDir(filepath.Dir(path))
	for _, e := range leftBefore {
		if n := e.Name(); strings.Contains(n, "ovhtui-save") && !strings.Contains(logs.String(), n) {
			t.Errorf("leftover %s not named:\n%s", n, logs.String())
		}
	}
	if len(leftAfter) != len(leftBefore) && len(leftAfter) != len(leftBefore)-1 { // the lock file may have been left by a kill
		t.Fatalf("files before Open: %v, after Close: %v", leftBefore, leftAfter)
	}
}

func TestLockInProcess(t *testing.T) {
	path, _ := writeExample(t)
	s := openStore(t, path, nil)
	_, err := Open(path, nil)
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second Open: %v, want *LockedError", err)
	}
	if le.PID != os.Getpid() || le.Path != filepath.Join(filepath.Dir(path), ".ovhtui-preferences.json.lock") {
		t.Fatalf("LockedError %+v, want PID %d", le, os.Getpid())
	}
	if want := fmt.Sprintf("another ovhtui instance (PID %d) holds the lock", os.Getpid()); !strings.Contains(err.Error(), want) {
		t.Fatalf("message %q lacks %q", err, want)
	}
	// A symlink to the same file shares the lock.
	link := filepath.Join(t.TempDir(), "link.json")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(link, nil); !errors.As(err, &le) {
		t.Fatalf("Open through a symlink: %v, want *LockedError", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path, nil)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s2.Close()
}

func TestLockAcrossProcesses(t *testing.T) {
	path, _ := writeExample(t)
	cmd, signal := startChild(t, "holder", path)
	line, err := bufio.NewReader(signal).ReadString('\n')
	if err != nil || line != "locked\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child: %q %v", line, err)
	}
	_, err = Open(path, nil)
	var le *LockedError
	if !errors.As(err, &le) || le.PID != cmd.Process.Pid {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("Open while the child holds the lock: %v, want LockedError with PID %d", err, cmd.Process.Pid)
	}
	// The lock dies with its holder, however it dies.
	cmd.Process.Kill()
	cmd.Wait()
	s, err := Open(path, nil)
	if err != nil {
		t.Fatalf("Open after the holder died: %v", err)
	}
	s.Close()
}

// The user edits the file in another pane; the next in-app change is
// applied to the edited content.
func TestExternalEditMerged(t *testing.T) {
	path, data := writeExample(t)
	var logs bytes.Buffer
	s := openStore(t, path, slog.New(slog.NewTextHandler(&logs, nil)))
	key := s.Snapshot().Servers[0].Key()

	edited := bytes.Replace(data, []byte(`"ceiling_price": 20.0`), []byte(`"ceiling_price": 25.5`), 1)
	edited = bytes.Replace(edited, []byte(`"MONDAY"`), []byte(`"TUESDAY"`), 1)
	if bytes.Equal(edited, data) {
		t.Fatal("edit did nothing")
	}
	if err := os.WriteFile(path, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, future, future); err != nil {
		t.Fatal(err)
	}
	if err := s.Update("toggle place_order", setPlaceOrder(key, true)); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sv := got.Servers[0]
	if sv.CeilingPrice != 25.5 || sv.Coupons[0] != "TUESDAY" || !sv.PlaceOrder {
		t.Fatalf("merge lost something: ceiling %v coupons %v place_order %v", sv.CeilingPrice, sv.Coupons, sv.PlaceOrder)
	}
	if !strings.Contains(logs.String(), "preferences.json changed on disk; merged") {
		t.Fatalf("merge not logged:\n%s", logs.String())
	}
	if snap := s.Snapshot().Servers[0]; snap.CeilingPrice != 25.5 || !snap.PlaceOrder {
		t.Fatalf("store content %+v", snap)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", info.Mode())
	}
}

// An edit that keeps size and mtime is still found by Update, which hashes.
func TestExternalEditSameSizeAndMtime(t *testing.T) {
	path, data := writeExample(t)
	s := openStore(t, path, nil)
	info, _ := os.Stat(path)
	key := s.Snapshot().Servers[0].Key()
	edited := bytes.Replace(data, []byte(`"MONDAY"`), []byte(`"FRIDAY"`), 1)
	if len(edited) != len(data) {
		t.Fatal("sizes differ")
	}
	if err := os.WriteFile(path, edited, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := s.Update("toggle", setPlaceOrder(key, true)); err != nil {
		t.Fatal(err)
	}
	got, _ := Load(path)
	if got.Servers[0].Coupons[0] != "FRIDAY" || !got.Servers[0].PlaceOrder {
		t.Fatalf("edit lost: %v %v", got.Servers[0].Coupons, got.Servers[0].PlaceOrder)
	}
}

// When the edited file no longer parses, Update saves nothing and says so;
// the file stays byte-identical.
func TestUpdateRefusesBrokenFile(t *testing.T) {
	path, data := writeExample(t)
	s := openStore(t, path, nil)
	key := s.Snapshot().Servers[0].Key()
	broken := append(bytes.Clone(data[:len(data)/2]), "\n"...)
	if err := os.WriteFile(path, broken, 0o600); err != nil {
		t.Fatal(err)
	}
	err := s.Update("record order intent", setPlaceOrder(key, true))
	var pe *ParseError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "changed on disk and no longer parses, so record order intent is not saved") {
		t.Fatalf("Update: %v", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, broken) {
		t.Fatal("the broken file was written")
	}
	if s.Snapshot().Servers[0].PlaceOrder {
		t.Fatal("change applied in memory")
	}
	// Fixed again: saves resume.
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.Update("again", setPlaceOrder(key, true)); err != nil {
		t.Fatal(err)
	}
}

// Malformed JSON through Open: a ParseError with its position, and the file
// is left byte-identical.
func TestOpenMalformedLeavesFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "preferences.json")
	bad := []byte("{\n  \"subsidiary\": \"IE\",\n  \"user_servers\": [\n}\n")
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(path)
	_, err := Open(path, nil)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Line != 4 || pe.Column != 1 || !strings.HasPrefix(err.Error(), path+":4:1: ") {
		t.Fatalf("Open: %v", err)
	}
	after, _ := os.Stat(path)
	if got, _ := os.ReadFile(path); !bytes.Equal(got, bad) || !after.ModTime().Equal(before.ModTime()) || after.Mode() != before.Mode() {
		t.Fatal("malformed file was touched")
	}
	// No lock file was created for it (issue 21.7).
	if _, err := os.Lstat(filepath.Join(dir, ".ovhtui-preferences.json.lock")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lock file: %v", err)
	}
	if err := os.WriteFile(path, indent(t, []byte(`{"subsidiary":"IE","user_servers":[]}`)), 0o600); err != nil {
		t.Fatal(err)
	}
	s := openStore(t, path, nil)
	s.Close()
}

func TestUpdateNoOpWritesNothing(t *testing.T) {
	path, data := writeExample(t)
	// A non-canonical but equivalent file stays as the user wrote it.
	flat, _ := os.ReadFile("testdata/example1.json")
	if err := os.WriteFile(path, flat, 0o644); err != nil {
		t.Fatal(err)
	}
	s := openStore(t, path, nil)
	key := s.Snapshot().Servers[0].Key()
	select {
	case <-s.Changed():
		t.Fatal("Changed signalled by Open")
	default:
	}
	saved, err := s.Apply("nothing", setPlaceOrder(key, false))
	if err != nil || saved {
		t.Fatalf("Apply no-op: saved=%v err=%v", saved, err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, flat) {
		t.Fatal("no-op change wrote the file")
	}
	select {
	case <-s.Changed():
		t.Fatal("Changed signalled by a no-op")
	default:
	}
	saved, err = s.Apply("something", setPlaceOrder(key, true))
	if err != nil || !saved {
		t.Fatalf("Apply: saved=%v err=%v", saved, err)
	}
	select {
	case <-s.Changed():
	default:
		t.Fatal("Changed not signalled by a save")
	}
	want := bytes.Replace(data, []byte(`"place_order": false`), []byte(`"place_order": true`), 1)
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Fatalf("saved:\n%s", got)
	}
	// A failing change saves nothing.
	boom := errors.New("boom")
	if err := s.Update("fail", func(f *File) error { f.Servers[0].Qty = 7; return boom }); !errors.Is(err, boom) {
		t.Fatalf("Update: %v", err)
	}
	if s.Snapshot().Servers[0].Qty != 1 {
		t.Fatal("failed change kept")
	}
}

func TestRefresh(t *testing.T) {
	path, data := writeExample(t)
	var logs bytes.Buffer
	s := openStore(t, path, slog.New(slog.NewTextHandler(&logs, nil)))
	if changed, err := s.Refresh(); changed || err != nil {
		t.Fatalf("unchanged file: %v %v", changed, err)
	}
	// Touched, same bytes: not a change.
	future := time.Now().Add(time.Hour)
	os.Chtimes(path, future, future)
	if changed, err := s.Refresh(); changed || err != nil {
		t.Fatalf("touched file: %v %v", changed, err)
	}
	// Edited.
	edited := bytes.Replace(data, []byte(`"qty": 1`), []byte(`"qty": 3`), 1)
	os.WriteFile(path, edited, 0o600)
	future = future.Add(time.Second)
	os.Chtimes(path, future, future)
	if changed, err := s.Refresh(); !changed || err != nil {
		t.Fatalf("edited file: %v %v", changed, err)
	}
	<-s.Changed()
	if s.Snapshot().Servers[0].Qty != 3 {
		t.Fatal("not reloaded")
	}
	// Broken: error, last good content kept, logged once.
	os.WriteFile(path, []byte("{"), 0o600)
	future = future.Add(time.Second)
	os.Chtimes(path, future, future)
	for range 3 {
		changed, err := s.Refresh()
		var pe *ParseError
		if changed || !errors.As(err, &pe) {
			t.Fatalf("broken file: %v %v", changed, err)
		}
	}
	if n := strings.Count(logs.String(), "no longer parses"); n != 1 {
		t.Fatalf("logged %d times:\n%s", n, logs.String())
	}
	if s.Snapshot().Servers[0].Qty != 3 {
		t.Fatal("lost the last good content")
	}
	// Another broken content is logged again.
	os.WriteFile(path, []byte("{\"a\""), 0o600)
	future = future.Add(time.Second)
	os.Chtimes(path, future, future)
	if _, err := s.Refresh(); err == nil {
		t.Fatal("no error")
	}
	if n := strings.Count(logs.String(), "no longer parses"); n != 2 {
		t.Fatalf("logged %d times", n)
	}
	// Deleted: an error, content kept.
	os.Remove(path)
	if _, err := s.Refresh(); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("deleted file: %v", err)
	}
}

// Concurrent updates are serialized: none is lost.
func TestConcurrentUpdates(t *testing.T) {
	path, _ := writeExample(t)
	s := openStore(t, path, nil)
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := s.Update("add coupon", func(f *File) error {
				f.Servers[0].Coupons = append(f.Servers[0].Coupons, "C"+strconv.Itoa(i))
				return nil
			})
			if err != nil {
				t.Error(err)
			}
			_ = s.Snapshot()
			_, _ = s.Refresh()
		})
	}
	wg.Wait()
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Servers[0].Coupons) != n+1 {
		t.Fatalf("coupons %v", got.Servers[0].Coupons)
	}
}

func TestSaveAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := SaveAtomic(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	info, _ := os.Stat(path)
	if string(got) != "new" || info.Mode().Perm() != 0o600 {
		t.Fatalf("%q %v", got, info.Mode())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temp left: %v", entries)
	}
	// A folder that cannot be written: error, nothing left behind.
	if err := SaveAtomic(filepath.Join(dir, "missing", "p.json"), []byte("x")); err == nil {
		t.Fatal("no error")
	}
	if LockPath("/a/preferences.json") != "/a/.ovhtui-preferences.json.lock" || LockPath("/a/prefs") != "/a/.ovhtui-prefs.lock" {
		t.Fatal("LockPath")
	}
}

func TestClosed(t *testing.T) {
	path, _ := writeExample(t)
	s := openStore(t, path, nil)
	s.Close()
	if err := s.Update("x", func(*File) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
	if _, err := s.Refresh(); !errors.Is(err, ErrClosed) {
		t.Fatal(err)
	}
}

// An edit that lands while the temp file is being written is merged too:
// Apply starts over on the edited content.
func TestEditDuringSaveMerged(t *testing.T) {
	path, data := writeExample(t)
	s := openStore(t, path, nil)
	key := s.Snapshot().Servers[0].Key()
	edits := [][]byte{
		bytes.Replace(data, []byte(`"MONDAY"`), []byte(`"SUNDAY"`), 1),
		bytes.Replace(data, []byte(`"MONDAY"`), []byte(`"SATURDAY"`), 1),
	}
	calls := 0
	testHookBeforeCommit = func(string) {
		if calls < len(edits) {
			if err := os.WriteFile(path, edits[calls], 0o600); err != nil {
				t.Error(err)
			}
		}
		calls++
	}
	t.Cleanup(func() { testHookBeforeCommit = func(string) {} })
	applied := 0
	if err := s.Update("toggle", func(f *File) error {
		applied++
		return setPlaceOrder(key, true)(f)
	}); err != nil {
		t.Fatal(err)
	}
	got, _ := Load(path)
	if got.Servers[0].Coupons[0] != "SATURDAY" || !got.Servers[0].PlaceOrder || applied != 3 {
		t.Fatalf("coupons %v place_order %v, change applied %d times", got.Servers[0].Coupons, got.Servers[0].PlaceOrder, applied)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 2 {
		t.Fatalf("temp files left: %v", entries)
	}

	// An edit before every rename: gives up, and the user's last edit stays.
	calls = 0
	on := func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"place_order": false`), []byte(`"place_order": true`), 1)
	}
	edits = [][]byte{on(edits[0]), on(edits[1]), on(edits[0])}
	err := s.Update("toggle", setPlaceOrder(key, false))
	if err == nil || !strings.Contains(err.Error(), "keeps changing on disk") {
		t.Fatalf("Update: %v", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, edits[2]) {
		t.Fatal("the user's edit was overwritten")
	}
}

// Snapshot during a save returns the content before it, without waiting
// for the save (a Snapshot that took the save lock would hang here).
func TestSnapshotDuringSave(t *testing.T) {
	path, _ := writeExample(t)
	s := openStore(t, path, nil)
	key := s.Snapshot().Servers[0].Key()
	var during *File
	testHookBeforeCommit = func(string) { during = s.Snapshot() }
	t.Cleanup(func() { testHookBeforeCommit = func(string) {} })
	if err := s.Update("toggle", setPlaceOrder(key, true)); err != nil {
		t.Fatal(err)
	}
	if during == nil || during.Servers[0].PlaceOrder || !s.Snapshot().Servers[0].PlaceOrder {
		t.Fatalf("snapshot during the save: %+v", during)
	}
}
