//go:build unix

package safefile

import (
	"os"
	"syscall"
)

// openNonBlock makes opening a FIFO return at once instead of waiting for
// a peer; it changes nothing for a regular file.
const openNonBlock = syscall.O_NONBLOCK

// clearNonBlock puts the descriptor of a regular file back in blocking mode,
// so that it behaves as one opened without O_NONBLOCK (for a regular file
// the flag has no effect on Linux, but not every system says so).
func clearNonBlock(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.SetNonblock(int(fd), false) }); err != nil {
		return err
	}
	return serr
}
