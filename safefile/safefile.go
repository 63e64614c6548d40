// Package safefile opens the files ovhtui names by path (preferences, lock,
// journal, .env, log file, catalog cache) without ever blocking on, or
// using, something that is not a regular file, and keeps a path given to
// one role from being used for another.
//
// Data flow: Open opens with O_NONBLOCK (a FIFO without a writer or reader
// returns at once instead of hanging start-up), then fstats the open file
// and refuses anything but a regular file with a *NotRegularError naming
// the role, the path and what it is. ReadFile reads such a file up to a
// size limit. Roles records the file of each role and refuses a second role
// on the same file (same inode, or same absolute path while it does not
// exist yet).
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// ErrNotRegular is wrapped by every error about a path that is not a
// regular file (a folder, a FIFO, a socket, a device).
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by the error of ReadFile for a file over its limit.
var ErrTooLarge = errors.New("file too large")

// NotRegularError says that the file at Path, used as Role, is not a
// regular file. It wraps ErrNotRegular.
type NotRegularError struct {
	Role string      // what ovhtui uses the file for, e.g. "log file"
	Path string      // the path as given
	Mode fs.FileMode // what it is
}

// Error names the role, the path and what the path is.
func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s %s is %s, not a regular file: ovhtui uses only a regular file as its %s", e.Role, e.Path, Describe(e.Mode), e.Role)
}

// Unwrap returns ErrNotRegular.
func (e *NotRegularError) Unwrap() error { return ErrNotRegular }

// Describe names the kind of file a mode is, for messages ("a FIFO (named
// pipe)", "a folder").
func Describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m.IsRegular():
		return "a regular file"
	default:
		return "not a regular file"
	}
}

// Open opens path with flag and perm like os.OpenFile, for role (named in
// errors), and returns it only when it is a regular file. It never blocks:
// the open is non-blocking, so a FIFO without a peer returns at once, and
// the type is checked on the open file (fstat), so a file swapped after a
// stat cannot slip through. Anything else is closed and refused with a
// *NotRegularError.
func Open(path string, flag int, perm fs.FileMode, role string) (*os.File, error) {
	f, err := os.OpenFile(path, flag|openNonBlock, perm)
	if err != nil {
		// A FIFO or socket opened for writing without a reader (ENXIO),
		// a folder opened for writing (EISDIR): say what it is.
		if errors.Is(err, syscall.ENXIO) || errors.Is(err, syscall.EISDIR) {
			if info, serr := os.Stat(path); serr == nil && !info.Mode().IsRegular() {
				return nil, &NotRegularError{Role: role, Path: path, Mode: info.Mode()}
			}
		}
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, &NotRegularError{Role: role, Path: path, Mode: info.Mode()}
	}
	if err := clearNonBlock(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ReadFile reads the regular file at path (see Open) if it is at most limit
// bytes, and returns the stat of the open file, which describes the bytes
// read even when the path is replaced meanwhile. A larger file is refused
// with an error wrapping ErrTooLarge before it is read.
func ReadFile(path string, limit int64, role string) ([]byte, fs.FileInfo, error) {
	f, err := Open(path, os.O_RDONLY, 0, role)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if info.Size() > limit {
		return nil, nil, fmt.Errorf("%s %s is %d bytes, over the limit of %d bytes: %w", role, path, info.Size(), limit, ErrTooLarge)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, nil, err
	}
	if int64(len(data)) > limit {
		return nil, nil, fmt.Errorf("%s %s grew over the limit of %d bytes while being read: %w", role, path, limit, ErrTooLarge)
	}
	return data, info, nil
}
