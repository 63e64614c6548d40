package prefs

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// fullDiskChildEnv marks the re-executed test binary that runs
// TestSaveOnFullDiskSaysItOnce in its own user and mount namespaces, where
// it can mount a tiny tmpfs and fill it.
const fullDiskChildEnv = "OVHTUI_PREFS_FULLDISK_CHILD"

// TestSaveOnFullDiskSaysItOnce: a save that fails because the disk is full
// names the file and the cause once ("write X: write X:" was said twice,
// issue 12.5), and leaves the file as it was.
func TestSaveOnFullDiskSaysItOnce(t *testing.T) {
	if os.Getenv(fullDiskChildEnv) == "" {
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(exe, "-test.run=^TestSaveOnFullDiskSaysItOnce$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), fullDiskChildEnv+"=1")
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
			UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
			GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
		}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Skipf("no user namespace to mount a small disk in: %v", err)
		}
		if err := cmd.Wait(); err != nil || !bytes.Contains(out.Bytes(), []byte("--- PASS: TestSaveOnFullDiskSaysItOnce")) {
			t.Fatalf("namespaced run: %v\n%s", err, out.String())
		}
		return
	}
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		t.Fatalf("make / private: %v", err)
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=64k"); err != nil {
		t.Fatalf("tmpfs: %v", err)
	}
	defer syscall.Unmount(dir, 0)
	path := filepath.Join(dir, "preferences.json")
	orig, err := os.ReadFile("testdata/example1.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Fill the disk.
	filler, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := filler.Write(make([]byte, 4096)); err != nil {
			break
		}
	}
	filler.Close()
	err = s.Update("test", func(f *File) error {
		f.Servers[0].Coupons = append(f.Servers[0].Coupons, strings.Repeat("X", 8192))
		return nil
	})
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Update on a full disk: %v, want ENOSPC", err)
	}
	if n := strings.Count(err.Error(), ".preferences.json.tmp-"); n != 1 || strings.Count(err.Error(), "no space left on device") != 1 {
		t.Errorf("error %q names the temp file %d times; want the file and the cause once", err, n)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, orig) {
		t.Errorf("the file changed")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".preferences.json.tmp-") {
			t.Errorf("temp file left: %s", e.Name())
		}
	}
}
