//go:build linux || darwin || freebsd || openbsd || netbsd || dragonfly

package prefs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"

	"github.com/ovhtui/ovhtui/safefile"
)

// openNonBlock makes opening a FIFO return at once instead of waiting for a
// writer; it changes nothing for a regular file.
const openNonBlock = syscall.O_NONBLOCK

// acquireLock takes an exclusive, non-blocking flock on the lock file and
// writes this process's PID into it. The kernel releases the lock when the
// process dies, however it dies. flock locks belong to the open file, so a
// second acquireLock in the same process fails too.
//
// It never changes a file it did not create: the file is created
// exclusively, or an existing one is opened without truncation (and without
// following a symlink) and written to only once the lock is held and its
// content is what an ovhtui lock holds (nothing, or a PID). Anything else
// is refused with a *ForeignLockFileError and left byte for byte.
//
// releaseLock removes the file before unlocking it, so a lock taken on a
// file that is no longer at path (its holder removed it between our open
// and our flock) is dropped and taken again on the file now there.
func acquireLock(path string) (*os.File, error) {
	for range 8 {
		f, err := lockOnce(path)
		if err != errLockMoved {
			return f, err
		}
	}
	return nil, fmt.Errorf("lock %s: the lock file keeps being replaced; is another ovhtui starting and stopping?", path)
}

// errLockMoved: the file locked is no longer the one at the lock path.
var errLockMoved = errors.New("lock file replaced")

// testHookLockOpened runs between opening the lock file and locking it.
var testHookLockOpened = func() {}

// lockOnce is one try of acquireLock.
func lockOnce(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	created := err == nil
	if errors.Is(err, os.ErrExist) {
		f, err = os.OpenFile(path, os.O_RDWR|syscall.O_NOFOLLOW|openNonBlock, 0)
	}
	if err != nil {
		switch {
		case errors.Is(err, syscall.ELOOP):
			return nil, &ForeignLockFileError{Path: path, Why: "it is a symbolic link"}
		case errors.Is(err, syscall.EISDIR):
			return nil, &ForeignLockFileError{Path: path, Why: "it is a folder"}
		case errors.Is(err, syscall.ENXIO): // a FIFO or socket without a peer
			if info, serr := os.Lstat(path); serr == nil {
				return nil, &ForeignLockFileError{Path: path, Why: "it is " + safefile.Describe(info.Mode())}
			}
		case errors.Is(err, os.ErrNotExist):
			return nil, errLockMoved // removed between the two opens
		}
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if !created {
		info, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("open lock file: %w", err)
		}
		if !info.Mode().IsRegular() {
			f.Close()
			return nil, &ForeignLockFileError{Path: path, Why: "it is " + safefile.Describe(info.Mode())}
		}
	}
	testHookLockOpened()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &LockedError{Path: path, PID: readPID(f)}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !namedBy(f, path) {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
		return nil, errLockMoved
	}
	if !created {
		// Held: no ovhtui writes it now. Only an empty file or a PID left by
		// an ovhtui that ended is ours to write.
		if !holdsLockContent(f) {
			syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			f.Close()
			return nil, &ForeignLockFileError{Path: path, Why: "it holds data that is not an ovhtui PID"}
		}
	}
	if err := writePID(f); err != nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
		return nil, fmt.Errorf("write PID to %s: %w", path, err)
	}
	return f, nil
}

// namedBy reports whether path still names the open file f.
func namedBy(f *os.File, path string) bool {
	info, err := f.Stat()
	if err != nil {
		return false
	}
	cur, err := os.Lstat(path)
	return err == nil && os.SameFile(info, cur)
}

// releaseLock removes the lock file (ours: acquireLock checked it), then
// unlocks it: no empty lock file is left behind. It is removed while still
// locked and only if the name still is this file, so that a process that
// opened it meanwhile sees, once it gets the lock, that the name is gone
// (see acquireLock). If it cannot be removed, it is emptied.
func releaseLock(f *os.File) error {
	if !namedBy(f, f.Name()) || os.Remove(f.Name()) != nil {
		f.Truncate(0)
	}
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func writePID(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

// maxLockContent is the most an ovhtui lock file ever holds: a PID and a
// newline.
const maxLockContent = 24

// holdsLockContent reports whether f holds what an ovhtui lock file may
// hold: nothing, or a PID and a newline.
func holdsLockContent(f *os.File) bool {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, maxLockContent+1))
	if err != nil || len(b) > maxLockContent {
		return false
	}
	if len(b) == 0 {
		return true
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	_, err = strconv.ParseUint(string(b), 10, 31)
	return err == nil
}

// readPID reads the PID the holder wrote, 0 when it is not there (yet).
func readPID(f *os.File) int {
	b, err := io.ReadAll(io.NewSectionReader(f, 0, 64))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
