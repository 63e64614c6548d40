//go:build unix

package catalog

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/safefile"
)

// TestCacheNeverBlocksOnAFIFO: a FIFO (or a folder) at the cache path is
// refused at once when read, and left in place rather than renamed over
// when a catalog is written (issue 21: no path ovhtui opens may block).
func TestCacheNeverBlocksOnAFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, cacheFileName("ovh-eu", "IE"))
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	_, _, err := readCache(fifo, "ovh-eu", "IE")
	if !errors.Is(err, safefile.ErrNotRegular) || !strings.Contains(err.Error(), "is a FIFO (named pipe)") {
		t.Fatalf("read: %v, want a not-regular error", err)
	}
	err = writeCache(fifo, cacheHeader{FetchedAt: time.Now(), Endpoint: "ovh-eu", Subsidiary: "IE"}, []byte("{}"))
	if !errors.Is(err, safefile.ErrNotRegular) {
		t.Fatalf("write: %v, want a not-regular error", err)
	}
	if info, err := os.Lstat(fifo); err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced: %v %v", info, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}
