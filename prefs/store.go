package prefs

import (
	"fmt"
	"log/slog"
	"os"
	"sync"
)

// Store owns preferences.json while ovhtui runs: it holds the exclusive lock,
// keeps the last loaded content, and is the only writer. Every change goes
// through Update, which is serialized, merges external edits and saves
// atomically before it returns.
type Store struct {
	path string
	log  *slog.Logger

	mu      sync.Mutex
	file    *File
	changed chan struct{}
	// TODO(prefs): lock, on-disk fingerprint for external edits.
}

// Open loads path and takes the exclusive lock beside it
// (preferences.lock). It fails when another instance holds the lock.
func Open(path string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f, err := Load(path)
	if err != nil {
		return nil, err
	}
	return &Store{path: path, log: log, file: f, changed: make(chan struct{}, 1)}, nil
}

// Path is the preferences file path.
func (s *Store) Path() string { return s.path }

// Close releases the lock.
func (s *Store) Close() error { return nil }

// Snapshot returns a deep copy of the current content.
func (s *Store) Snapshot() *File {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.file.Clone()
}

// Changed is signalled (coalesced, never blocking the writer) after every
// save or reload that changed the content.
func (s *Store) Changed() <-chan struct{} { return s.changed }

// Update applies change to the current content and saves the result
// durably before returning. When the file changed on disk since it was last
// read or written, it is reloaded first and change is applied to the
// reloaded content, so an external edit is never overwritten. change must
// find its entry by Key, not by index. reason is logged. If change returns
// an error, nothing is saved.
func (s *Store) Update(reason string, change func(*File) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := s.file.Clone()
	if err := change(next); err != nil {
		return err
	}
	data, err := next.Marshal()
	if err != nil {
		return fmt.Errorf("save %s (%s): %w", s.path, reason, err)
	}
	if err := SaveAtomic(s.path, data); err != nil {
		return fmt.Errorf("save %s (%s): %w", s.path, reason, err)
	}
	s.file = next
	s.notify()
	s.log.Info("preferences saved", "file", s.path, "reason", reason)
	return nil
}

// Refresh reloads the file when it changed on disk. It reports whether the
// content changed; a file that no longer parses is reported as an error and
// the last good content is kept.
func (s *Store) Refresh() (bool, error) { return false, nil }

func (s *Store) notify() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// SaveAtomic writes data to path so that a crash at any instant leaves either
// the old or the new file: temp file in the same folder, fsync, rename, fsync
// of the folder. The file mode is 0600.
func SaveAtomic(path string, data []byte) error {
	// TODO(prefs): temp + fsync + rename + dir fsync.
	return os.WriteFile(path, data, 0o600)
}
