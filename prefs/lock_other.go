//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package prefs

import (
	"fmt"
	"os"
	"runtime"
)

// openNonBlock is not needed where flock is missing: ovhtui does not run
// there (acquireLock refuses).
const openNonBlock = 0

// acquireLock refuses: without flock, two instances could order the same
// server twice.
func acquireLock(path string) (*os.File, error) {
	return nil, fmt.Errorf("lock %s: not supported on %s (ovhtui needs flock to run as a single instance)", path, runtime.GOOS)
}

func releaseLock(f *os.File) error { return nil }
