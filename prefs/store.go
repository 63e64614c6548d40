package prefs

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/ovhtui/ovhtui/safefile"
)

// Store owns preferences.json while ovhtui runs: it holds the exclusive lock,
// keeps the last loaded content, and is the only writer. Every change goes
// through Update, which is serialized, merges external edits and saves
// atomically before it returns.
//
// External edits are found by comparing the file with what the Store last
// read or wrote. Refresh, called every poll, compares only the stat
// (identity, size, mtime) and reads the file when that differs: one stat per
// poll. Update, which runs before money moves, always reads and hashes the
// file (a few kilobytes: microseconds), so an edit that kept size and mtime
// (coarse-mtime file systems) is never overwritten.
type Store struct {
	path string // the preferences file, symlinks resolved
	log  *slog.Logger
	lock *os.File

	// file is the current content. It is replaced, never modified, so
	// Snapshot reads it without waiting for a save's disk I/O.
	file atomic.Pointer[File]

	mu         sync.Mutex // serializes saves and guards the fields below
	folderSync func(dir string) error
	closed     bool
	encoded    []byte    // file.Marshal(), nil until needed
	disk       diskState // what the Store last read or wrote
	bad        diskState // the last content that failed to parse (sum zero if none)
	badErr     error
	changed    chan struct{}
}

// diskState identifies one content of the file on disk.
type diskState struct {
	info os.FileInfo // nil when unknown
	sum  [sha256.Size]byte
}

// sameStat reports whether info is the same file, size and mtime as s.
func (s diskState) sameStat(info os.FileInfo) bool {
	return s.info != nil && os.SameFile(s.info, info) &&
		s.info.Size() == info.Size() && s.info.ModTime().Equal(info.ModTime())
}

// LockedError is returned by Open when another process (or another Store
// in this one) holds the lock on the preferences file.
type LockedError struct {
	// Path is the lock file.
	Path string
	// PID is the process holding it, 0 when it could not be read.
	PID int
}

// Error says that another instance holds the lock, and its PID.
func (e *LockedError) Error() string {
	who := "another ovhtui instance"
	if e.PID > 0 {
		who = fmt.Sprintf("another ovhtui instance (PID %d)", e.PID)
	}
	return fmt.Sprintf("%s holds the lock %s: only one ovhtui may use a preferences file at a time", who, e.Path)
}

// LockPath returns the lock file of the preferences file path: in the same
// folder, ".ovhtui-" plus the full file name plus ".lock"
// (preferences.json → .ovhtui-preferences.json.lock). The name cannot be
// the preferences file itself nor, in practice, a file of another tool.
func LockPath(path string) string {
	dir, base := filepath.Split(path)
	return filepath.Join(dir, ".ovhtui-"+base+".lock")
}

// ForeignLockFileError is returned by Open when the lock file's name is
// taken by something that is not an ovhtui lock file. ovhtui leaves it as it
// is and refuses to run.
type ForeignLockFileError struct {
	Path string // the lock file
	Why  string // e.g. "it is a directory"
}

// Error says which file is in the way and why it is not used.
func (e *ForeignLockFileError) Error() string {
	return fmt.Sprintf("%s is in the way of ovhtui's lock file: %s; ovhtui leaves it untouched and will not start (move it away)", e.Path, e.Why)
}

// MaxFileSize is the largest preferences file ovhtui reads: far more than
// any real file (a few kilobytes), small enough that a wrong --prefs
// cannot exhaust memory.
const MaxFileSize = 64 << 20

// ErrNotRegular is wrapped by the errors of Load and Open for a path that
// is not a regular file (a folder, a device, a FIFO, a socket).
var ErrNotRegular = safefile.ErrNotRegular

// ErrTooLarge is wrapped by the errors of Load and Open for a file larger
// than MaxFileSize.
var ErrTooLarge = errors.New("file too large")

// ErrEmptyPath is wrapped by the errors of Load, LoadCheck and Open for an
// empty path, which names no file (it was said as "  is a folder": the
// current folder).
var ErrEmptyPath = errors.New("the path is empty: name the preferences file, for example ./preferences.json")

// checkRegular returns an error wrapping ErrNotRegular or ErrTooLarge when
// info is not a regular file of at most MaxFileSize bytes.
func checkRegular(path string, info os.FileInfo) error {
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s is %s, %w: ovhtui reads preferences only from a regular file", path, safefile.Describe(info.Mode()), ErrNotRegular)
	}
	if info.Size() > MaxFileSize {
		return fmt.Errorf("%s is %d bytes, over the %d MB limit for a preferences file: %w", path, info.Size(), MaxFileSize>>20, ErrTooLarge)
	}
	return nil
}

// tempPattern is the os.CreateTemp pattern of the temp files saves write
// beside path (created with O_EXCL, so each name is new). A save removes
// only the temp file it created; the leftover of a crash is named at the
// next Open and left to the user, as a file of theirs could match.
func tempPattern(path string) string { return "." + filepath.Base(path) + ".ovhtui-save-*.tmp" }

// Open loads path and takes the exclusive lock beside it (LockPath). It
// fails with *LockedError when another instance holds the lock, and with
// *ParseError when the file is not valid preferences; it never writes the
// preferences file, and it creates the lock file only for a file that
// parses (Close removes it). log may be nil.
func Open(path string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if path == "" {
		return nil, fmt.Errorf("read preferences: %w", ErrEmptyPath)
	}
	given := path // named in errors, as the user knows it
	// Write through a symlink to its target, so that the link survives
	// and two links to one file share one lock.
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	// Refuse what is not a regular file, or does not parse, before
	// creating anything: no lock file is left for it.
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read preferences: %w", err)
	}
	if err := checkRegular(given, info); err != nil {
		return nil, fmt.Errorf("read preferences: %w", err)
	}
	data, _, err := readFile(path)
	if err != nil {
		return nil, fmt.Errorf("read preferences: %w", err)
	}
	if _, err := Parse(given, data); err != nil {
		return nil, err
	}
	lock, err := acquireLock(LockPath(path))
	if err != nil {
		return nil, err
	}
	s := &Store{path: path, log: log, lock: lock, changed: make(chan struct{}, 1), folderSync: syncDir}
	// Read again under the lock: the file may have changed meanwhile.
	data, info, err = readFile(path)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("read preferences: %w", err)
	}
	f, err := Parse(given, data)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.file.Store(f)
	s.disk = diskState{info: info, sum: sha256.Sum256(data)}
	s.noteLeftovers()
	return s, nil
}

// noteLeftovers names the temp files an interrupted save may have left.
// They are not removed: ovhtui deletes only files it created in this run,
// and a file of the user's could have such a name.
func (s *Store) noteLeftovers() {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(s.path), tempPattern(s.path)))
	for _, m := range matches {
		s.log.Warn("a temp file, perhaps left by an interrupted save, lies beside the preferences; ovhtui deletes only files it created in this run: delete it if you do not need it", "file", m)
	}
}

// Path is the preferences file path (symlinks resolved).
func (s *Store) Path() string { return s.path }

// Close releases the lock. The Store must not be used afterwards.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return releaseLock(s.lock)
}

// Snapshot returns a deep copy of the current content. It does not wait
// for a save in progress.
func (s *Store) Snapshot() *File { return s.file.Load().Clone() }

// Changed is signalled (coalesced, never blocking the writer) after every
// save or reload that changed the content.
func (s *Store) Changed() <-chan struct{} { return s.changed }

// ErrClosed is returned by Update and Refresh after Close.
var ErrClosed = errors.New("preferences store is closed")

// Update applies change to the current content and saves the result
// durably before returning. When the file changed on disk since it was last
// read or written, it is reloaded first and change is applied to the
// reloaded content, so an external edit is never overwritten.
//
// change must find its entry by Key, not by index; it must only modify its
// argument and not keep it after returning (it becomes the Store's
// content). It may be called again, on freshly reloaded content, when the
// file changes on disk during the save. If change returns an error,
// nothing is saved and that error is returned. reason is logged.
//
// When the file on disk no longer parses, Update saves nothing (the file
// stays byte-identical) and returns an error wrapping *ParseError: the
// caller must not act as if the change were recorded. A change that leaves
// the content as it was writes nothing (see Apply).
func (s *Store) Update(reason string, change func(*File) error) error {
	_, err := s.Apply(reason, change)
	return err
}

// testHookBeforeCommit runs between writing the temp file and the last
// look at the file before the rename; tests edit the file there.
var testHookBeforeCommit = func(path string) {}

// maxMergeRounds bounds how often Apply starts over because the file
// changed on disk while it was saving.
const maxMergeRounds = 3

// Apply is Update that also reports whether anything was written: saved is
// false, with a nil error, when change left the content as it was.
func (s *Store) Apply(reason string, change func(*File) error) (saved bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false, ErrClosed
	}
	for range maxMergeRounds {
		if err := s.mergeDisk(reason); err != nil {
			return false, err
		}
		if s.encoded == nil {
			if s.encoded, err = s.file.Load().Marshal(); err != nil {
				return false, fmt.Errorf("save %s (%s): %w", s.path, reason, err)
			}
		}
		next := s.file.Load().Clone()
		if err := change(next); err != nil {
			return false, err
		}
		data, err := next.Marshal()
		if err != nil {
			return false, fmt.Errorf("save %s (%s): %w", s.path, reason, err)
		}
		if bytes.Equal(data, s.encoded) {
			s.log.Debug("preferences unchanged; not saved", "file", s.path, "reason", reason)
			return false, nil
		}
		tmp, err := writeTemp(s.path, data, s.disk.info)
		if err != nil {
			return false, fmt.Errorf("save %s (%s): %w", s.path, reason, err)
		}
		testHookBeforeCommit(s.path)
		// Writing and syncing takes milliseconds: look again just before
		// the rename, so that an edit made meanwhile is merged, not lost.
		if changed, err := s.diskChanged(); err != nil || changed {
			tmp.abort()
			if err != nil {
				return false, fmt.Errorf("save %s (%s): %w", s.path, reason, err)
			}
			continue
		}
		renamed, err := tmp.commit(s.path, s.folderSync)
		if renamed {
			s.file.Store(next)
			s.encoded = data
			s.disk = diskState{info: tmp.info, sum: sha256.Sum256(data)}
			s.notify()
		}
		if err != nil && renamed {
			return true, fmt.Errorf("save %s (%s): %w: %w", s.path, reason, ErrNotDurable, err)
		}
		if err != nil {
			return false, fmt.Errorf("save %s (%s): %w", s.path, reason, err)
		}
		s.log.Info("preferences saved", "file", s.path, "reason", reason)
		return true, nil
	}
	return false, fmt.Errorf("save %s (%s): the file keeps changing on disk; not saved", s.path, reason)
}

// ErrNotDurable is wrapped by the error of an Apply whose new content is in
// place (the rename succeeded) but whose folder sync failed: a crash or
// power loss could still bring the old content back. Treat the change as
// possibly written, and call SyncFolder until it succeeds.
var ErrNotDurable = errors.New("written but not yet durable (the folder sync failed)")

// SyncFolder syncs the folder of the preferences file again, to make the
// last save durable after ErrNotDurable.
func (s *Store) SyncFolder() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.folderSync(filepath.Dir(s.path)); err != nil {
		return fmt.Errorf("sync folder of %s: %w", s.path, err)
	}
	return nil
}

// SetFolderSync replaces the folder sync of saves (nil: the real one). It
// exists for fault-injection tests of callers.
func (s *Store) SetFolderSync(sync func(dir string) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sync == nil {
		sync = syncDir
	}
	s.folderSync = sync
}

// diskChanged reports whether the bytes on disk differ from what the Store
// last read or wrote.
func (s *Store) diskChanged() (bool, error) {
	data, _, err := readFile(s.path)
	if err != nil {
		return false, err
	}
	return sha256.Sum256(data) != s.disk.sum, nil
}

// mergeDisk reloads the file when its bytes differ from what the Store last
// read or wrote. A file that no longer parses is an error and nothing is
// loaded.
func (s *Store) mergeDisk(reason string) error {
	data, info, err := readFile(s.path)
	if err != nil {
		return fmt.Errorf("save %s (%s): %w", s.path, reason, err)
	}
	sum := sha256.Sum256(data)
	if sum == s.disk.sum {
		s.disk.info = info
		s.bad = diskState{}
		return nil
	}
	f, err := Parse(s.path, data)
	if err != nil {
		s.noteBad(info, sum, err)
		return fmt.Errorf("%s changed on disk and no longer parses, so %s is not saved; fix the file: %w",
			s.path, reason, err)
	}
	s.file.Store(f)
	s.encoded = nil
	s.disk = diskState{info: info, sum: sum}
	s.bad = diskState{}
	s.notify()
	s.log.Warn("preferences.json changed on disk; merged", "file", s.path, "reason", reason)
	return nil
}

// noteBad remembers content that failed to parse and logs it once per
// distinct content.
func (s *Store) noteBad(info os.FileInfo, sum [sha256.Size]byte, err error) {
	if s.bad.sum != sum {
		s.log.Error("preferences file changed on disk and no longer parses; keeping the last good content",
			"file", s.path, "err", err)
	}
	s.bad = diskState{info: info, sum: sum}
	s.badErr = err
}

// Refresh reloads the file when it changed on disk. It reports whether the
// content was reloaded; a file that no longer parses is reported as an error
// (wrapping *ParseError, logged once per distinct content) and the last good
// content is kept. When the file is unchanged it costs one stat.
func (s *Store) Refresh() (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false, ErrClosed
	}
	info, err := os.Stat(s.path)
	if err != nil {
		return false, fmt.Errorf("refresh preferences: %w", err)
	}
	if s.disk.sameStat(info) {
		return false, nil
	}
	if s.bad.sameStat(info) {
		return false, s.badErr
	}
	data, info, err := readFile(s.path)
	if err != nil {
		return false, fmt.Errorf("refresh preferences: %w", err)
	}
	sum := sha256.Sum256(data)
	if sum == s.disk.sum {
		s.disk.info = info // touched, or restored: not changed
		s.bad = diskState{}
		return false, nil
	}
	f, err := Parse(s.path, data)
	if err != nil {
		s.noteBad(info, sum, err)
		return false, err
	}
	s.file.Store(f)
	s.encoded = nil
	s.disk = diskState{info: info, sum: sum}
	s.bad = diskState{}
	s.notify()
	s.log.Info("preferences.json changed on disk; reloaded", "file", s.path)
	return true, nil
}

func (s *Store) notify() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// readFile reads path and stats the open file, so that the stat describes
// the bytes read even when the file is replaced meanwhile. Only a regular
// file of at most MaxFileSize bytes is read: a FIFO neither blocks nor
// feeds it forever, a device is not read at all.
func readFile(path string) ([]byte, os.FileInfo, error) {
	if path == "" {
		return nil, nil, ErrEmptyPath
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openNonBlock, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if err := checkRegular(path, info); err != nil {
		return nil, nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxFileSize {
		return nil, nil, fmt.Errorf("%s grew over the %d MB limit for a preferences file while being read: %w", path, MaxFileSize>>20, ErrTooLarge)
	}
	return data, info, nil
}

// SaveAtomic writes data to path so that a crash at any instant leaves either
// the old or the new file: temp file in the same folder, fsync, rename, fsync
// of the folder. The mode is that of the file replaced (see savedMode), 0600
// for a new file. On failure the temp file is removed and path is
// untouched. It does not lock: within ovhtui, save through Store.Update.
func SaveAtomic(path string, data []byte) error {
	old, _ := os.Stat(path) // nil for a new file
	tmp, err := writeTemp(path, data, old)
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	_, err = tmp.commit(path, syncDir)
	return err
}

// tempFile is a fully written and synced temp file waiting to be renamed.
type tempFile struct {
	name string
	info os.FileInfo // stat of the temp file, which is the file's after the rename
}

// savedMode is the permission of a saved file that replaces one of mode
// old (nil: a new file): the owner's bits as they were, so that a file the
// user made read-only stays read-only (the rename replacing it needs only
// the folder to be writable), always readable by the owner; never any bit
// for group and others, as the file may hold an order URL with its
// password.
func savedMode(old os.FileInfo) os.FileMode {
	if old == nil {
		return 0o600
	}
	return old.Mode().Perm()&0o700 | 0o400
}

// writeTemp writes data to a new temp file beside path, with the mode and,
// when ovhtui may set it, the owner of old (the file it will replace, nil
// for none; see savedMode), and syncs it. Its errors name path and the cause
// but not the temp file, whose name is new at every try: the same failure
// reads the same every time. The caller names path.
func writeTemp(path string, data []byte, old os.FileInfo) (_ *tempFile, err error) {
	f, err := os.CreateTemp(filepath.Dir(path), tempPattern(path))
	if err != nil {
		return nil, tempError("create a temp file beside it", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name()) // ours: CreateTemp made it with O_EXCL
		}
	}()
	if _, err := f.Write(data); err != nil {
		return nil, tempError("write its temp file", err)
	}
	if err := f.Chmod(savedMode(old)); err != nil {
		return nil, tempError("set the mode of its temp file", err)
	}
	keepOwner(f, old)
	if err := f.Sync(); err != nil {
		return nil, tempError("sync its temp file", err)
	}
	info, err := f.Stat()
	if err != nil {
		return nil, tempError("stat its temp file", err)
	}
	if err := f.Close(); err != nil {
		return nil, tempError("close its temp file", err)
	}
	return &tempFile{name: f.Name(), info: info}, nil
}

// tempError is "what: cause", with the cause of an *fs.PathError without
// its path (the temp file's random name); errors.Is still finds the cause
// (ENOSPC, EROFS...). Callers name the file being saved.
func tempError(what string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// commit renames the temp file over path and syncs the folder, so that the
// rename itself survives a power loss. renamed reports whether path now has
// the new content (true with an error when only the folder sync failed).
func (t *tempFile) commit(path string, folderSync func(string) error) (renamed bool, err error) {
	if err := os.Rename(t.name, path); err != nil {
		t.abort()
		var le *os.LinkError // "rename OLD NEW: cause": OLD is new at every try
		if errors.As(err, &le) {
			err = le.Err
		}
		return false, fmt.Errorf("rename its temp file over it: %w", err)
	}
	if err := folderSync(filepath.Dir(path)); err != nil {
		return true, fmt.Errorf("sync folder of %s: %w", path, err)
	}
	return true, nil
}

// abort removes the temp file.
func (t *tempFile) abort() { os.Remove(t.name) }

// syncDir fsyncs a folder so that renames in it are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
