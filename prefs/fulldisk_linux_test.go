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
// or read-only names the file and the cause once ("write X: write X:" was
// said twice, issue 12.5), reads the same at every try (it named a temp
// file whose random name changed, so the engine said "not attempted" at
// every poll, issue 21.5), and leaves the file as it was and no temp file.
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
	for _, tc := range []struct {
		name  string
		fill  func(t *testing.T, dir string)
		errno syscall.Errno
	}{
		{"full disk", func(t *testing.T, dir string) {
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
		}, syscall.ENOSPC},
		{"read-only", func(t *testing.T, dir string) {
			// A read-only bind mount over the folder: the lock file stays
			// open for writing on the mount beneath, which a plain
			// read-only remount would refuse (EBUSY).
			if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
				t.Fatalf("bind: %v", err)
			}
			t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
			if err := syscall.Mount("", dir, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
				t.Fatalf("remount read-only: %v", err)
			}
		}, syscall.EROFS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=64k"); err != nil {
				t.Fatalf("tmpfs: %v", err)
			}
			defer syscall.Unmount(dir, syscall.MNT_DETACH)
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
			tc.fill(t, dir)
			var said []string
			for range 3 {
				err = s.Update("test", func(f *File) error {
					f.Servers[0].Coupons = append(f.Servers[0].Coupons, strings.Repeat("X", 8192))
					return nil
				})
				if !errors.Is(err, tc.errno) {
					t.Fatalf("Update: %v, want %v", err, tc.errno)
				}
				said = append(said, err.Error())
			}
			if said[0] != said[1] || said[1] != said[2] {
				t.Errorf("the same failure reads differently:\n%s", strings.Join(said, "\n"))
			}
			msg := said[0]
			if strings.Count(msg, path) != 1 || strings.Count(msg, tc.errno.Error()) != 1 || strings.Contains(msg, "ovhtui-save") {
				t.Errorf("error %q: want the file and the cause once, no temp file", msg)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, orig) {
				t.Errorf("the file changed")
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if strings.Contains(e.Name(), "ovhtui-save") {
					t.Errorf("temp file left: %s", e.Name())
				}
			}
		})
	}
}
