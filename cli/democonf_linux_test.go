package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"unsafe"

	"github.com/ovh/go-ovh/ovh"
)

// confChildEnv marks the re-executed test binary that runs
// TestDemoNeverLooksUpOVHConf: "etc" inside its own user and mount
// namespaces, where /etc is a private tmpfs holding an /etc/ovh.conf;
// "plain" without them.
const confChildEnv = "OVHTUI_CONF_CHILD"

// confParentNSEnv carries the parent test's mount namespace
// (/proc/self/ns/mnt) to the "etc" child, which refuses to mount anything
// unless it runs in another one: set by hand, the child would otherwise
// hide the machine's /etc.
const confParentNSEnv = "OVHTUI_CONF_PARENT_MNTNS"

// hostileOVHConf is what a user's ovh.conf may hold: credentials for the
// real API, which --demo must never read.
const hostileOVHConf = "[default]\nendpoint=ovh-eu\n[ovh-eu]\napplication_key=conf-key\napplication_secret=conf-secret\nconsumer_key=conf-consumer\n"

// TestDemoNeverLooksUpOVHConf proves that --demo reads no ovh.conf (issue
// 12.4): with ./ovh.conf, ~/.ovh.conf and /etc/ovh.conf all present, inotify
// sees go-ovh's own constructor open each of them (so the watch works), and
// sees --demo's client and the whole demo start open none.
//
// The real /etc is never written: the test re-executes itself in a user
// and mount namespace with a private tmpfs on /etc. Where namespaces are
// not allowed, the same check runs on ./ovh.conf and ~/.ovh.conf only:
// go-ovh reads the three files in one lookup, so no open of the first two
// means no lookup at all. Either way the check runs in a child process,
// whose working folder and HOME are its own: this test runs in parallel.
func TestDemoNeverLooksUpOVHConf(t *testing.T) {
	if mode := os.Getenv(confChildEnv); mode != "" {
		checkNoOVHConfOpened(t, mode == "etc")
		return
	}
	t.Parallel()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := func(mode string) *exec.Cmd {
		cmd := exec.Command(exe, "-test.run=^TestDemoNeverLooksUpOVHConf$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), confChildEnv+"="+mode, confParentNSEnv+"="+mountNS(t, "self"))
		return cmd
	}
	cmd := child("etc")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Logf("no user namespace here (%v): checking ./ovh.conf and ~/.ovh.conf only", err)
		cmd = child("plain")
		out.Reset()
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("the check's run failed: %v\n%s", err, out.String())
	}
	if !bytes.Contains(out.Bytes(), []byte("--- PASS: TestDemoNeverLooksUpOVHConf")) {
		t.Fatalf("the check's run did not pass:\n%s", out.String())
	}
}

// checkNoOVHConfOpened writes the ovh.conf files (with etc, /etc/ovh.conf
// on a private tmpfs: only in the namespaced child) and watches them.
func checkNoOVHConfOpened(t *testing.T, etc bool) {
	// cwd and HOME are fresh temp folders (this process runs only this test).
	t.Chdir(t.TempDir())
	t.Setenv("HOME", t.TempDir())
	a := isolateEnv(t).app()
	cwd, _ := os.Getwd()
	dirs := []string{cwd, os.Getenv("HOME")}
	names := []string{"ovh.conf", ".ovh.conf"}
	if etc {
		requireOwnMountNS(t)
		// Nothing mounted here may reach the parent's namespace.
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			t.Fatalf("make / private: %v", err)
		}
		if err := syscall.Mount("tmpfs", "/etc", "tmpfs", 0, "size=1m"); err != nil {
			t.Fatalf("tmpfs on /etc: %v", err)
		}
		dirs = append(dirs, "/etc")
		names = append(names, "ovh.conf")
	}
	for i, d := range dirs {
		if err := os.WriteFile(filepath.Join(d, names[i]), []byte(hostileOVHConf), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w := newOpenWatch(t, dirs, names)

	// Control: go-ovh's constructor looks every file up, and the watch sees it.
	if _, err := ovh.NewClient("http://127.0.0.1:9/1.0", "k", "s", "c"); err != nil {
		t.Fatal(err)
	}
	if got := w.opened(t); len(got) != len(dirs) {
		t.Fatalf("control: go-ovh opened %v, want all of %v (the watch does not work)", got, dirs)
	}

	// --demo: its client, then the whole demo start.
	if _, err := a.newSimClient("http://127.0.0.1:9/1.0"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d, err := a.startDemo(ctx, options{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(d.tmpDir)
	defer d.close()
	var now float64
	if err := d.client.GetUnAuthWithContext(ctx, "/auth/time", &now); err != nil {
		t.Fatal(err)
	}
	if d.client.AppKey != demoAppKey || d.client.ConsumerKey != demoConsumerKey {
		t.Errorf("demo client has key %q", d.client.AppKey)
	}
	if got := w.opened(t); len(got) != 0 {
		t.Fatalf("--demo opened %v", got)
	}
}

// mountNS names the mount namespace of a process ("self" or a pid).
func mountNS(t *testing.T, pid string) string {
	t.Helper()
	ns, err := os.Readlink("/proc/" + pid + "/ns/mnt")
	if err != nil {
		t.Fatalf("mount namespace of %s: %v", pid, err)
	}
	return ns
}

// requireOwnMountNS stops the "etc" child unless it runs in a mount
// namespace other than both the parent test's (passed in confParentNSEnv)
// and its parent process's: only then may it mount over /etc. Run by hand
// from a shell, the parent process is that shell, in the machine's
// namespace, so a forged confParentNSEnv does not get past it.
func requireOwnMountNS(t *testing.T) {
	t.Helper()
	own := mountNS(t, "self")
	parent := os.Getenv(confParentNSEnv)
	if parent == "" || parent == own {
		t.Fatalf("refusing to mount over /etc: mount namespace %s is not a new one (parent's: %q); %s=etc is for the test's own re-executed child", own, parent, confChildEnv)
	}
	// In the new user namespace the parent's link is not readable
	// (EACCES): it lies outside. Readable, it must differ.
	ppid, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/mnt", os.Getppid()))
	if err != nil && !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("refusing to mount over /etc: cannot read the parent process's mount namespace: %v", err)
	}
	if err == nil && ppid == own {
		t.Fatalf("refusing to mount over /etc: this process shares its parent's mount namespace %s", own)
	}
}

// openWatch reports opens of given files through inotify.
type openWatch struct {
	fd    int
	wds   map[int32]string // watch descriptor -> folder
	names map[string]bool  // "folder/name" watched
}

func newOpenWatch(t *testing.T, dirs, names []string) *openWatch {
	t.Helper()
	fd, err := syscall.InotifyInit1(syscall.IN_NONBLOCK | syscall.IN_CLOEXEC)
	if err != nil {
		t.Fatalf("inotify: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	w := &openWatch{fd: fd, wds: map[int32]string{}, names: map[string]bool{}}
	for i, d := range dirs {
		wd, err := syscall.InotifyAddWatch(fd, d, syscall.IN_OPEN)
		if err != nil {
			t.Fatalf("watch %s: %v", d, err)
		}
		w.wds[int32(wd)] = d
		w.names[filepath.Join(d, names[i])] = true
	}
	return w
}

// opened drains the queued events (queued when open returned: no waiting)
// and returns the watched files that were opened.
func (w *openWatch) opened(t *testing.T) []string {
	t.Helper()
	seen := map[string]bool{}
	buf := make([]byte, 64<<10)
	for {
		n, err := syscall.Read(w.fd, buf)
		if err == syscall.EAGAIN {
			break
		}
		if err != nil {
			t.Fatalf("read inotify: %v", err)
		}
		for off := 0; off+syscall.SizeofInotifyEvent <= n; {
			ev := (*syscall.InotifyEvent)(unsafe.Pointer(&buf[off]))
			name := string(bytes.TrimRight(buf[off+syscall.SizeofInotifyEvent:off+syscall.SizeofInotifyEvent+int(ev.Len)], "\x00"))
			if p := filepath.Join(w.wds[ev.Wd], name); w.names[p] {
				seen[p] = true
			}
			off += syscall.SizeofInotifyEvent + int(ev.Len)
		}
	}
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	return out
}
