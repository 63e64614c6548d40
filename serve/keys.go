package serve

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	gossh "golang.org/x/crypto/ssh"

	"github.com/ovhtui/ovhtui/safefile"
)

// ReadOnlyOption marks a key of the authorized keys file as read-only:
// its sessions watch and change nothing. OpenSSH's "restrict" means the
// same here (fail closed). Any other option refuses the key, so a line
// copied from an OpenSSH file with from= or command= never grants more
// than its author meant.
const ReadOnlyOption = "ovhtui-read-only"

// maxKeysFile bounds what is read of the authorized keys file and the host key.
const maxKeysFile = 1 << 20

// AuthorizedKey is one key allowed in, from one line of the file.
type AuthorizedKey struct {
	Key      gossh.PublicKey
	Comment  string
	ReadOnly bool
	Line     int
}

// LoadAuthorizedKeys reads the authorized keys file at path: one key a line
// in OpenSSH's format ([options] type base64 [comment]); blank lines and
// lines starting with # are skipped. A line that does not parse or has an
// option other than ReadOnlyOption or "restrict" is an error naming the
// file and line: nothing is let in on a file ovhtui does not understand.
func LoadAuthorizedKeys(path string) ([]AuthorizedKey, error) {
	data, _, err := safefile.ReadFile(path, maxKeysFile, "authorized keys file")
	if err != nil {
		return nil, err
	}
	var out []AuthorizedKey
	for i, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		key, comment, options, rest, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: not an authorized key line: %w", path, i+1, err)
		}
		if len(bytes.TrimSpace(rest)) > 0 {
			return nil, fmt.Errorf("%s:%d: one key a line", path, i+1)
		}
		ak := AuthorizedKey{Key: key, Comment: comment, Line: i + 1}
		for _, o := range options {
			switch strings.ToLower(o) {
			case ReadOnlyOption, "restrict":
				ak.ReadOnly = true
			default:
				return nil, fmt.Errorf("%s:%d: option %q is not supported (only %s)", path, i+1, optionName(o), ReadOnlyOption)
			}
		}
		out = append(out, ak)
	}
	return out, nil
}

// CheckAuthorizedKeys reports why the authorized keys file at path would
// let nobody in: unreadable, not understood, or empty.
func CheckAuthorizedKeys(path string) error {
	keys, err := LoadAuthorizedKeys(path)
	if err != nil {
		return fmt.Errorf("%w (it lists the public keys allowed in, one a line, e.g. a copy of ~/.ssh/id_ed25519.pub; add the option %s before a key to make it read-only)", err, ReadOnlyOption)
	}
	if len(keys) == 0 {
		return fmt.Errorf("authorized keys file %s lists no key: nobody could log in", path)
	}
	return nil
}

// optionName is an option without its value (which may be long).
func optionName(o string) string {
	name, _, _ := strings.Cut(o, "=")
	return name
}

// find returns the entry of key. A key listed twice is read-only if any of
// its lines says so.
func find(keys []AuthorizedKey, key gossh.PublicKey) (AuthorizedKey, bool) {
	var found AuthorizedKey
	ok := false
	want := key.Marshal()
	for _, k := range keys {
		if bytes.Equal(k.Key.Marshal(), want) {
			if !ok {
				found, ok = k, true
			}
			found.ReadOnly = found.ReadOnly || k.ReadOnly
		}
	}
	return found, ok
}

// LoadOrCreateHostKey returns the server's host key from path, creating
// an ed25519 key there (mode 0600) the first time. A key file readable by
// others is refused, as OpenSSH refuses it.
func LoadOrCreateHostKey(path string) (gossh.Signer, error) {
	data, info, err := safefile.ReadFile(path, maxKeysFile, "SSH host key")
	if errors.Is(err, fs.ErrNotExist) {
		return createHostKey(path)
	}
	if err != nil {
		return nil, err
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("SSH host key %s has mode %#o: it must be readable by its owner only (chmod 600 %s)", path, info.Mode().Perm(), path)
	}
	signer, err := gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("SSH host key %s: %w", path, err)
	}
	return signer, nil
}

// createHostKey writes a new ed25519 key to path (0600, never over an
// existing file) and returns it.
func createHostKey(path string) (gossh.Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := gossh.MarshalPrivateKey(priv, "ovhtui serve host key")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("SSH host key: %w", err)
	}
	// Written beside, then linked into place: a crash leaves no half key,
	// and a key created meanwhile by someone else is kept (Link fails).
	tmp, err := os.CreateTemp(filepath.Dir(path), ".hostkey-*")
	if err != nil {
		return nil, fmt.Errorf("SSH host key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err == nil {
		_, err = tmp.Write(pem.EncodeToMemory(block))
		if err == nil {
			err = tmp.Sync()
		}
		if cerr := tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Link(tmp.Name(), path)
		}
		if err != nil {
			return nil, fmt.Errorf("SSH host key %s: %w", path, err)
		}
	} else {
		tmp.Close()
		return nil, fmt.Errorf("SSH host key: %w", err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return gossh.NewSignerFromKey(priv)
}
