package order

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ovhtui/ovhtui/order/ovhsim"
)

// readOnlyChildEnv marks the re-executed test binary that runs
// TestReadOnlyFolderSaidOnce in its own user and mount namespaces, where it
// can make the preferences folder read-only (root ignores permissions).
const readOnlyChildEnv = "OVHTUI_ORDER_READONLY_CHILD"

// TestReadOnlyFolderSaidOnce: with the preferences folder read-only, "not
// attempted" is said once over many polls, then counted; it was said at
// every poll because the error named the save's random temp file (issue
// 21.5). Once the folder is writable again, ordering resumes.
func TestReadOnlyFolderSaidOnce(t *testing.T) {
	if os.Getenv(readOnlyChildEnv) == "" {
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(exe, "-test.run=^TestReadOnlyFolderSaidOnce$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), readOnlyChildEnv+"=1")
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
			UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
			GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
		}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Skipf("no user namespace to mount a read-only folder in: %v", err)
		}
		if err := cmd.Wait(); err != nil || !bytes.Contains(out.Bytes(), []byte("--- PASS: TestReadOnlyFolderSaidOnce")) {
			t.Fatalf("namespaced run: %v\n%s", err, out.String())
		}
		return
	}
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		t.Fatalf("make / private: %v", err)
	}
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry()))
	h.waitCarts("fra", "gra")
	dir := filepath.Dir(h.path)
	// A read-only bind mount over the folder: the files open already stay
	// writable on the mount beneath.
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
		t.Fatalf("bind: %v", err)
	}
	if err := syscall.Mount("", dir, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		syscall.Unmount(dir, syscall.MNT_DETACH)
		t.Fatalf("remount read-only: %v", err)
	}
	env.sim.SetAvailability(simFQN, "fra", "1H-high")
	msg := h.wait("the latch failure", infoWith("not attempted")).(Info).Text
	// At least a second failed save, whatever the polls took: on a loaded
	// machine one attempt (a fresh poll, then the save) can outlast the six
	// poll cycles below, and the recovery below counts the failures.
	h.wait("a second failed latch save", func(Event) bool { return latchFailures(h.eng) >= 2 })
	h.waitPolls(6)
	if n := h.count(infoWith("not attempted")); n != 1 {
		t.Errorf("said %d times over %d failed saves, want once:\n%s", n, latchFailures(h.eng), h.dump())
	}
	for _, w := range []string{"read-only file system", "the file system is read-only"} {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q lacks %q", msg, w)
		}
	}
	if strings.Contains(msg, "ovhtui-save") {
		t.Errorf("message %q names a temp file", msg)
	}
	noOVHBlame(t, h)
	if n := len(env.requests("POST", checkoutSuffix)); n != 0 {
		t.Fatalf("%d checkouts sent without a saved latch", n)
	}
	// Writable again: it says so with the count, and orders. A lazy
	// unmount: a file the engine holds open on the read-only mount at this
	// instant (under load, it happens) would make a plain one fail with
	// EBUSY; detached, the mount is gone for every new open at once.
	if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
		t.Fatal(err)
	}
	again := h.wait("saved again", infoWith("can be saved again, after")).(Info).Text
	if !strings.Contains(again, "failed latch saves") {
		t.Errorf("recovery %q does not count the failures", again)
	}
	h.waitOrder()
}
