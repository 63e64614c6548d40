//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package prefs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// TestLockNeverTouchesForeignFiles: whatever lies beside the preferences,
// ovhtui's lock changes no byte of a file it did not create (issue 12.1).
func TestLockNeverTouchesForeignFiles(t *testing.T) {
	valid, err := os.ReadFile("testdata/example1.json")
	if err != nil {
		t.Fatal(err)
	}
	foreign := []byte("{\n  \"packages\": {\"x\": \"1.0\"}\n}\n")
	for _, tc := range []struct {
		name      string
		prefsName string // the --prefs file name
		other     string // a pre-existing file beside it ("" none)
		otherData []byte
		// wantErr: other has the lock file's name and is not an ovhtui
		// lock: refused, left as it is.
		wantErr bool
	}{
		// The old scheme's victims: name without extension + ".lock".
		{name: "composer.lock beside composer.json", prefsName: "composer.json", other: "composer.lock", otherData: foreign},
		{name: "prefs.lock is the preferences file", prefsName: "prefs.lock"},
		{name: "preferences.lock of another tool", prefsName: "preferences.json", other: "preferences.lock", otherData: foreign},
		{name: "foreign file at the lock name", prefsName: "preferences.json", other: ".ovhtui-preferences.json.lock", otherData: foreign, wantErr: true},
		{name: "big digits at the lock name", prefsName: "preferences.json", other: ".ovhtui-preferences.json.lock", otherData: bytes.Repeat([]byte("7"), 4096), wantErr: true},
		{name: "empty file at the lock name", prefsName: "preferences.json", other: ".ovhtui-preferences.json.lock", otherData: []byte{}},
		{name: "stale PID at the lock name", prefsName: "preferences.json", other: ".ovhtui-preferences.json.lock", otherData: []byte("4242\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tc.prefsName)
			if err := os.WriteFile(path, valid, 0o600); err != nil {
				t.Fatal(err)
			}
			var otherPath string
			if tc.other != "" {
				otherPath = filepath.Join(dir, tc.other)
				if err := os.WriteFile(otherPath, tc.otherData, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			s, err := Open(path, nil)
			if tc.wantErr {
				var fe *ForeignLockFileError
				if !errors.As(err, &fe) || fe.Path != otherPath {
					t.Fatalf("Open: %v, want *ForeignLockFileError on %s", err, otherPath)
				}
			} else {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				lock, err := os.ReadFile(LockPath(path))
				if err != nil || string(lock) != strconv.Itoa(os.Getpid())+"\n" {
					t.Fatalf("lock file holds %q (%v), want our PID", lock, err)
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, valid) {
				t.Fatalf("preferences changed (%v):\n%s", err, got)
			}
			if otherPath != "" && LockPath(path) != otherPath {
				if got, err := os.ReadFile(otherPath); err != nil || !bytes.Equal(got, tc.otherData) {
					t.Fatalf("%s changed (%v):\n%q", tc.other, err, got)
				}
			}
			if tc.wantErr {
				if got, _ := os.ReadFile(otherPath); !bytes.Equal(got, tc.otherData) {
					t.Fatalf("%s changed:\n%q", tc.other, got)
				}
			}
		})
	}
}

// TestLockRefusesOddLockFiles: a symlink, a folder or a FIFO at the lock
// name is refused and left as it is.
func TestLockRefusesOddLockFiles(t *testing.T) {
	valid, err := os.ReadFile("testdata/example1.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		make func(t *testing.T, lockPath, dir string)
	}{
		{"symlink to a file", func(t *testing.T, lockPath, dir string) {
			target := filepath.Join(dir, "target.txt")
			if err := os.WriteFile(target, []byte("keep me\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, lockPath); err != nil {
				t.Fatal(err)
			}
		}},
		{"folder", func(t *testing.T, lockPath, dir string) {
			if err := os.Mkdir(lockPath, 0o700); err != nil {
				t.Fatal(err)
			}
		}},
		{"fifo", func(t *testing.T, lockPath, dir string) {
			if err := syscall.Mkfifo(lockPath, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "preferences.json")
			if err := os.WriteFile(path, valid, 0o600); err != nil {
				t.Fatal(err)
			}
			tc.make(t, LockPath(path), dir)
			_, err := Open(path, nil)
			var fe *ForeignLockFileError
			if !errors.As(err, &fe) {
				t.Fatalf("Open: %v, want *ForeignLockFileError", err)
			}
			if got, _ := os.ReadFile(filepath.Join(dir, "target.txt")); tc.name == "symlink to a file" && string(got) != "keep me\n" {
				t.Fatalf("symlink target changed: %q", got)
			}
		})
	}
}

// TestOpenRefusesNonRegularBeforeCreatingAnything: a folder, a FIFO or a
// device given as --prefs is refused with a clear error, and no lock file
// is created beside it.
func TestOpenRefusesNonRegularBeforeCreatingAnything(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder.json")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, kind string }{
		{fifo, "a FIFO"},
		{folder, "a folder"},
		{"/dev/null", "a character device"},
		{"/dev/zero", "a character device"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			_, err := Open(tc.path, nil)
			if !errors.Is(err, ErrNotRegular) {
				t.Fatalf("Open: %v, want ErrNotRegular", err)
			}
			if want := tc.path + " is " + tc.kind; !bytes.Contains([]byte(err.Error()), []byte(want)) {
				t.Errorf("error %q does not say %q", err, want)
			}
			if _, err := os.Lstat(LockPath(tc.path)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a lock file was created: %s (%v)", LockPath(tc.path), err)
			}
			if _, err := Load(tc.path); !errors.Is(err, ErrNotRegular) {
				t.Errorf("Load: %v, want ErrNotRegular", err)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("files created: %v", entries)
	}
}

// TestLockTakenWhileHolderLeaves: a process that opened the lock file just
// as its holder removed it and unlocked must not hold a lock on the removed
// file (a third one would then lock a new file of the same name): it takes
// the lock again on the file at the path (issue 21.7: the lock file is now
// removed at exit).
func TestLockTakenWhileHolderLeaves(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".ovhtui-p.json.lock")
	holder, err := acquireLock(path)
	if err != nil {
		t.Fatal(err)
	}
	released := false
	testHookLockOpened = func() {
		if !released {
			released = true
			if err := releaseLock(holder); err != nil {
				t.Error(err)
			}
		}
	}
	defer func() { testHookLockOpened = func() {} }()
	second, err := acquireLock(path)
	if err != nil {
		t.Fatal(err)
	}
	defer releaseLock(second)
	if !released {
		t.Fatal("the hook did not run")
	}
	if !namedBy(second, path) {
		t.Fatal("the lock is held on a file no longer at the lock path")
	}
	if _, err := acquireLock(path); !errors.As(err, new(*LockedError)) {
		t.Fatalf("a third acquire: %v, want *LockedError", err)
	}
}
