package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ovhtui/ovhtui/safefile"
)

// The cache file holds one header line of JSON (cacheHeader) and then the
// raw catalog body exactly as OVH sent it. It is written atomically (temp
// file in the same directory, fsync, rename, fsync of the directory), so a
// reader finds the old file or the new one, never a mix.

const cacheFormat = 1

// maxCacheSize bounds the cache file read: the eco catalog is a few MB.
const maxCacheSize = 256 << 20

type cacheHeader struct {
	Format     int       `json:"format"`
	FetchedAt  time.Time `json:"fetchedAt"`
	Endpoint   string    `json:"endpoint"`
	Subsidiary string    `json:"subsidiary"`
	Size       int       `json:"size"` // body bytes, to detect a damaged file
}

// cacheFileName names the cache of one endpoint and subsidiary, e.g.
// "eco-catalog_ovh-eu_IE.cache". An endpoint URL is reduced to safe
// characters.
func cacheFileName(endpoint, subsidiary string) string {
	safe := func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
				return r
			}
			return '_'
		}, s)
	}
	if endpoint == "" {
		endpoint = "default"
	}
	if u, err := url.Parse(endpoint); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		// A URL endpoint: its host only. A simulator on loopback gets a new
		// port every run; one file serves them all.
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			host = "local-simulator"
		}
		endpoint = host
	}
	return "eco-catalog_" + safe(endpoint) + "_" + safe(strings.ToUpper(subsidiary)) + ".cache"
}

// Pruning: the cache directory keeps the file of each endpoint and
// subsidiary in use; a cache file not written for cacheMaxAge (an endpoint
// or subsidiary no longer used) and temp files left by a crash are removed
// whenever a catalog is written.
const (
	cacheMaxAge    = 30 * 24 * time.Hour
	cacheTmpMaxAge = time.Hour
)

// pruneCache removes from dir the cache files other than keep that were
// not written for cacheMaxAge, and leftover temp files. It returns the
// paths removed.
func pruneCache(dir, keep string, now time.Time) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, "eco-catalog_") || filepath.Join(dir, name) == keep {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		age := now.Sub(info.ModTime())
		tmp := strings.Contains(name, ".cache.tmp-")
		if (tmp && age > cacheTmpMaxAge) || (!tmp && strings.HasSuffix(name, ".cache") && age > cacheMaxAge) {
			if os.Remove(filepath.Join(dir, name)) == nil {
				removed = append(removed, name)
			}
		}
	}
	return removed
}

// writeCache stores body and its fetch time at path atomically and durably.
func writeCache(path string, h cacheHeader, body []byte) (err error) {
	h.Format, h.Size = cacheFormat, len(body)
	head, err := json.Marshal(h)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	// Something else than a cache file at its name is left alone.
	if info, err := os.Lstat(path); err == nil && !info.Mode().IsRegular() {
		return &safefile.NotRegularError{Role: "catalog cache", Path: path, Mode: info.Mode()}
	}
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	head = append(head, '\n')
	if _, err := f.Write(head); err != nil {
		return err
	}
	if _, err := f.Write(body); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// errNoCache: there is no cache file (not an error worth a warning).
var errNoCache = errors.New("no cache file")

// readCache returns the header and body stored at path, checking that they
// belong to endpoint and subsidiary and that the body is whole.
func readCache(path, endpoint, subsidiary string) (cacheHeader, []byte, error) {
	var h cacheHeader
	data, _, err := safefile.ReadFile(path, maxCacheSize, "catalog cache")
	if errors.Is(err, os.ErrNotExist) {
		return h, nil, errNoCache
	}
	if err != nil {
		return h, nil, err
	}
	head, body, ok := bytes.Cut(data, []byte{'\n'})
	if !ok {
		return h, nil, fmt.Errorf("cache %s: no header line", path)
	}
	if err := json.Unmarshal(head, &h); err != nil {
		return h, nil, fmt.Errorf("cache %s: header: %w", path, err)
	}
	switch {
	case h.Format != cacheFormat:
		return h, nil, fmt.Errorf("cache %s: format %d, want %d", path, h.Format, cacheFormat)
	case h.Size != len(body):
		return h, nil, fmt.Errorf("cache %s: body is %d bytes, header says %d", path, len(body), h.Size)
	case !strings.EqualFold(h.Subsidiary, subsidiary) || h.Endpoint != endpoint:
		return h, nil, fmt.Errorf("cache %s: holds %s on %s, want %s on %s", path, h.Subsidiary, h.Endpoint, subsidiary, endpoint)
	case h.FetchedAt.IsZero():
		return h, nil, fmt.Errorf("cache %s: no fetch time", path)
	}
	return h, body, nil
}
