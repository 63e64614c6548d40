//go:build unix

package prefs

import (
	"os"
	"syscall"
)

// keepOwner gives f the owner and group of old when they differ and this
// process may set them (root saving a user's file leaves it the user's).
// Failing that, f keeps this process's owner, as any new file would.
func keepOwner(f *os.File, old os.FileInfo) {
	if old == nil {
		return
	}
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok || int(st.Uid) == os.Geteuid() && int(st.Gid) == os.Getegid() {
		return
	}
	f.Chown(int(st.Uid), int(st.Gid)) // best effort: see above
}
