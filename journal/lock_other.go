//go:build !(linux || darwin || freebsd || openbsd || netbsd || dragonfly)

package journal

import (
	"context"
	"io/fs"
	"os"
)

// fileID is a file's identity: size and modification time stand in where
// the system gives no inode.
type fileID struct{ dev, ino uint64 }

func idOf(info fs.FileInfo) fileID { return fileID{} }

// flockWait: no cross-process lock on this system; the in-process one
// still serializes.
func flockWait(ctx context.Context, f *os.File) error { return ctx.Err() }

func funlock(f *os.File) {}
