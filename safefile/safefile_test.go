package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// mkfifo makes a FIFO at path; the test is skipped where there are none.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

// TestOpenRefusesNonRegularWithoutBlocking: a FIFO (with or without a
// peer), a folder, a device are refused at once with the role, the path
// and what it is; a blocking open would hang the test (issue 21.1).
func TestOpenRefusesNonRegularWithoutBlocking(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	mkfifo(t, fifo)
	// A FIFO with a reader: the write open succeeds, the fstat refuses.
	withPeer := filepath.Join(dir, "fifo-with-reader")
	mkfifo(t, withPeer)
	reader, err := os.OpenFile(withPeer, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	for _, tc := range []struct {
		name, path string
		flag       int
		want       string
	}{
		{"FIFO read", fifo, os.O_RDONLY, "log file " + fifo + " is a FIFO (named pipe), not a regular file"},
		{"FIFO append, no reader", fifo, os.O_WRONLY | os.O_APPEND | os.O_CREATE, "is a FIFO (named pipe)"},
		{"FIFO append, a reader", withPeer, os.O_WRONLY | os.O_APPEND | os.O_CREATE, "is a FIFO (named pipe)"},
		{"FIFO read-write", fifo, os.O_RDWR, "is a FIFO (named pipe)"},
		{"folder read", dir, os.O_RDONLY, "is a folder"},
		{"folder append", dir, os.O_WRONLY | os.O_APPEND | os.O_CREATE, "is a folder"},
		{"device", os.DevNull, os.O_WRONLY | os.O_APPEND, "is a character device"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Open(tc.path, tc.flag, 0o600, "log file")
			if err == nil {
				f.Close()
				t.Fatal("opened")
			}
			var nre *NotRegularError
			if !errors.As(err, &nre) || !errors.Is(err, ErrNotRegular) {
				t.Fatalf("%v, want a *NotRegularError", err)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "ovhtui uses only a regular file as its log file") {
				t.Fatalf("%q, want %q", err, tc.want)
			}
		})
	}
}

// TestOpenRegular: a regular file opens as asked, in blocking mode.
func TestOpenRegular(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	f, err := Open(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600, "log file")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("line\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	data, info, err := ReadFile(path, 100, "log file")
	if err != nil || string(data) != "line\n" || info.Size() != 5 {
		t.Fatalf("%q %v %v", data, info, err)
	}
	if _, _, err := ReadFile(path, 4, "log file"); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
	if _, _, err := ReadFile(filepath.Join(t.TempDir(), "none"), 4, "log file"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing: %v", err)
	}
}

// TestRolesRefuseOneFileForTwoRoles: the log file cannot be the
// preferences, the journal or the .env, by any spelling (issue 21.3).
func TestRolesRefuseOneFileForTwoRoles(t *testing.T) {
	dir := t.TempDir()
	prefs := filepath.Join(dir, "preferences.json")
	if err := os.WriteFile(prefs, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(prefs, link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.json")
	if err := os.Link(prefs, hard); err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(dir, "journal.jsonl") // does not exist yet
	var r Roles
	for _, c := range [][2]string{{"preferences file", prefs}, {"journal", journal}, {"preferences file", prefs}} {
		if err := r.Claim(c[0], c[1]); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{prefs, link, hard, filepath.Join(dir, ".", "preferences.json"), journal, filepath.Join(dir, "x", "..", "journal.jsonl")} {
		err := r.Claim("log file", p)
		var rc *RoleConflictError
		if !errors.As(err, &rc) {
			t.Errorf("log file %s: %v, want a *RoleConflictError", p, err)
			continue
		}
		if !strings.Contains(err.Error(), "log file "+p) || !strings.Contains(err.Error(), "give the log file a file of its own") {
			t.Errorf("%s", err)
		}
		if alias := strings.Contains(err.Error(), "(the same file as"); alias != (p == link || p == hard) {
			t.Errorf("%s: alias said %v", err, alias)
		}
	}
	if err := r.Claim("log file", filepath.Join(dir, "ovhtui.log")); err != nil {
		t.Fatal(err)
	}
	// A file created after its claim is still recognized.
	if err := os.WriteFile(journal, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	jl := filepath.Join(dir, "jl")
	if err := os.Symlink(journal, jl); err != nil {
		t.Fatal(err)
	}
	if err := r.Claim(".env file", jl); err == nil {
		t.Fatal("a symlink to the journal accepted as the .env file")
	}
}
