//go:build !unix

package safefile

import "os"

// openNonBlock is 0 where FIFOs do not block opens the Unix way.
const openNonBlock = 0

func clearNonBlock(*os.File) error { return nil }
