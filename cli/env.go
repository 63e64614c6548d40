package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/joho/godotenv"

	"github.com/ovhtui/ovhtui/safefile"
)

// environ is the environment of one run as a value: the process's
// variables at start, plus what the --env file adds. ovhtui reads its
// variables (OVH_*, OVHTUI_NOTIFY*, NO_COLOR, HOME, XDG_CACHE_HOME) from
// here, never from the process, so that runs (tests) do not share one.
type environ struct {
	mu   sync.Mutex
	vars map[string]string
	// origins says where each variable the --env file set comes from
	// ("FILE line N"), for messages about its value.
	origins map[string]string
}

// newEnviron reads KEY=value pairs (os.Environ's form); the first of a key
// wins, as in getenv.
func newEnviron(kv []string) *environ {
	e := &environ{vars: make(map[string]string, len(kv))}
	for _, p := range kv {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			continue
		}
		if _, dup := e.vars[k]; !dup {
			e.vars[k] = v
		}
	}
	return e
}

// get is the value of k, "" when unset.
func (e *environ) get(k string) string {
	v, _ := e.lookup(k)
	return v
}

// lookup is the value of k and whether it is set.
func (e *environ) lookup(k string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := e.vars[k]
	return v, ok
}

// nonEmpty reports whether k is set to something.
func (e *environ) nonEmpty(k string) bool { return e.get(k) != "" }

// setDefault sets k to v unless k is already set (the --env file never
// overrides the environment), and reports whether it did.
func (e *environ) setDefault(k, v string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, set := e.vars[k]; set {
		return false
	}
	e.vars[k] = v
	return true
}

// setOrigin records where the --env file set k.
func (e *environ) setOrigin(k, origin string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.origins == nil {
		e.origins = map[string]string{}
	}
	e.origins[k] = origin
}

// origin says where the variable k was set, for messages.
func (e *environ) origin(k string) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if o, ok := e.origins[k]; ok {
		return "set in " + o
	}
	return "set in the environment or an ovh.conf file"
}

// clearOVH removes every OVH_* variable, so that nothing of the user's
// reaches a client (used by --demo).
func (e *environ) clearOVH() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for k := range e.vars {
		if strings.HasPrefix(k, "OVH_") {
			delete(e.vars, k)
		}
	}
}

// list is the environment as KEY=value pairs, sorted.
func (e *environ) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.vars))
	for k, v := range e.vars {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// cacheDir is the user's cache folder for ovhtui, as os.UserCacheDir
// finds it but from this environment ("" when there is none).
func (e *environ) cacheDir() string {
	base := e.get("XDG_CACHE_HOME")
	if base == "" {
		home := e.get("HOME")
		if home == "" {
			return ""
		}
		base = filepath.Join(home, ".cache")
	}
	if !filepath.IsAbs(base) {
		return ""
	}
	return filepath.Join(base, "ovhtui")
}

// maxEnvFileSize bounds the env file: a few lines of credentials.
const maxEnvFileSize = 1 << 20

// loadEnvFile loads path into env with godotenv without overriding
// variables already set. A missing file is fine. It returns a warning when
// the file is readable by group or others. Errors say what is wrong and
// where (line, cause), never the content of a line, which may hold a
// secret. A UTF-8 byte order mark, which some editors write, is skipped.
func loadEnvFile(env *environ, path string) (warning string, err error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err == nil && isDevNull(st) {
		return "", nil // --env /dev/null: how people say "no environment file"
	}
	if err != nil {
		return "", fmt.Errorf("env file %s: %s", path, causeOf(err))
	}
	switch {
	case st.IsDir():
		return "", fmt.Errorf("env file %s is a folder, not a file (--env names a file of NAME=value lines)", path)
	case !st.Mode().IsRegular():
		return "", fmt.Errorf("env file %s is not a regular file (%s)", path, st.Mode().Type())
	case st.Size() > maxEnvFileSize:
		return "", fmt.Errorf("env file %s is %d bytes, over the 1 MB limit for a file of credentials", path, st.Size())
	}
	if st.Mode().Perm()&0o077 != 0 {
		warning = fmt.Sprintf("%s is readable by group or others (mode %04o): run chmod 600 %s", path, st.Mode().Perm(), path)
	}
	// Opened without blocking and checked again on the open file: a FIFO
	// put there since the stat must not hang start-up.
	data, _, err := safefile.ReadFile(path, maxEnvFileSize, "env file")
	if err != nil {
		return warning, fmt.Errorf("cannot read env file %s: %s", path, causeOf(err))
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	// godotenv does the same; doing it first keeps offsets in step with its errors.
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	vars, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		return warning, envSyntaxError(path, data, err)
	}
	for k, v := range vars {
		if env.setDefault(k, v) {
			env.setOrigin(k, fmt.Sprintf("%s line %d", path, envLineOf(data, k)))
		}
	}
	return warning, nil
}

// isDevNull reports the null device (/dev/null, or a link to it).
func isDevNull(st fs.FileInfo) bool {
	if st.Mode()&fs.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err == nil && os.SameFile(st, null)
}

var (
	envBadNameRe  = regexp.MustCompile(`^unexpected character ("(?:[^"\\]|\\.)*") in variable name near ("(?s:.*)")$`)
	envUnquotedRe = regexp.MustCompile(`^unterminated quoted value (?s:(.*))$`)
)

// envSyntaxError turns a godotenv error into "file:line: cause". godotenv's
// own text quotes the rest of the file, secrets included: only the line
// number and the kind of mistake are kept.
func envSyntaxError(path string, data []byte, err error) error {
	lineOf := func(off int) int { return 1 + bytes.Count(data[:max(0, min(off, len(data)))], []byte("\n")) }
	msg := err.Error()
	if m := envBadNameRe.FindStringSubmatch(msg); m != nil {
		char, err1 := strconv.Unquote(m[1])
		rest, err2 := strconv.Unquote(m[2])
		if err1 == nil && err2 == nil && len(rest) <= len(data) {
			off := len(data) - len(rest)
			line := lineOf(off)
			text, _, _ := bytes.Cut(data[off:], []byte("\n"))
			if char == "\n" || !bytes.ContainsAny(text, "=:") {
				return fmt.Errorf("env file %s:%d: no \"=\" on this line (expected NAME=value)", path, line)
			}
			return fmt.Errorf("env file %s:%d: the variable name has a character other than letters, digits, \"_\" and \".\" (expected NAME=value)", path, line)
		}
	}
	if m := envUnquotedRe.FindStringSubmatch(msg); m != nil {
		if off := bytes.LastIndex(data, []byte(m[1])); off >= 0 {
			return fmt.Errorf("env file %s:%d: a quoted value opened on this line is never closed", path, lineOf(off))
		}
		return fmt.Errorf("env file %s: a quoted value is never closed", path)
	}
	return fmt.Errorf("env file %s: invalid syntax (expected NAME=value lines)", path)
}
