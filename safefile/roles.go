package safefile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Roles records which file ovhtui uses for each role (preferences file,
// lock file, journal, .env, log file, catalog cache...), so that a path
// given for one role is never used for another: --log-file
// preferences.json would append log lines to the preferences. The zero
// value is ready to use; it is safe for concurrent use.
type Roles struct {
	mu     sync.Mutex
	claims []claim
}

type claim struct {
	role string
	path string      // as given, for messages
	abs  string      // absolute, cleaned, symlinks of existing parts resolved
	info fs.FileInfo // nil while the file does not exist
}

// RoleConflictError says that a path given for Role is already used by
// ovhtui as Other.
type RoleConflictError struct {
	Role, Path   string // the role refused and its path as given
	Other, OPath string // the role that has the file, and its path as given
	// Alias is true when the two paths are spelled differently (a
	// symlink, a hard link, ".." ...).
	Alias bool
}

// Error names both roles, and both paths when they differ.
func (e *RoleConflictError) Error() string {
	same := e.Path
	if e.Alias {
		same = fmt.Sprintf("%s (the same file as %s)", e.Path, e.OPath)
	}
	return fmt.Sprintf("%s %s is ovhtui's %s: one file cannot be both; give the %s a file of its own", e.Role, same, e.Other, e.Role)
}

// Claim records path as the file of role. It fails with a
// *RoleConflictError when another role already has that file: the same
// inode (hard links and symlinks included), or the same absolute path when
// neither exists yet. Claiming the same path again for the same role is
// fine.
func (r *Roles) Claim(role, path string) error {
	c := claim{role: role, path: path, abs: absPath(path)}
	if info, err := os.Stat(path); err == nil {
		c.info = info
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, o := range r.claims {
		if o.role == role || !sameFile(c, o) {
			continue
		}
		return &RoleConflictError{Role: role, Path: path, Other: o.role, OPath: o.path, Alias: plainAbs(path) != plainAbs(o.path)}
	}
	r.claims = append(r.claims, c)
	return nil
}

// sameFile reports whether two claims name one file.
func sameFile(a, b claim) bool {
	if a.info != nil && b.info != nil {
		return os.SameFile(a.info, b.info)
	}
	if a.abs == b.abs {
		return true
	}
	// One was claimed before it existed: compare its path now.
	ai, aerr := os.Stat(a.path)
	bi, berr := os.Stat(b.path)
	return aerr == nil && berr == nil && os.SameFile(ai, bi)
}

// plainAbs is path made absolute and clean, symlinks left as they are: how
// the user spelled it.
func plainAbs(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// absPath is path made absolute and clean, with the symlinks of its folder
// resolved (the file itself may not exist yet).
func absPath(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		return real
	}
	dir, base := filepath.Split(abs)
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		return filepath.Join(real, base)
	}
	return abs
}
