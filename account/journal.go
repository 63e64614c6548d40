package account

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ovhtui/ovhtui/gate"
	"github.com/ovhtui/ovhtui/journal"
)

// Journal is where payments and renewals are journaled: the engine's
// journal (package journal), beside preferences.json. Every payment and
// renewal goes through the money gate (package gate) over it.
type Journal = gate.Journal

// FileJournal is the journal file shared with the engine (and with any
// other ovhtui appending to it at once). It is opened (created if need be)
// on the first Lock or Append only: listing orders never creates a file.
type FileJournal struct {
	path string
	mu   sync.Mutex
	j    *journal.Journal
	// onReplaced is passed to the journal once opened.
	onReplaced func(*journal.ReplacedError)
}

// NewFileJournal returns the journal at path (journal.Beside(prefsPath)).
func NewFileJournal(path string) *FileJournal { return &FileJournal{path: path} }

// OnReplaced sets what is called when the journal turns out to have been
// replaced, moved or deleted (see journal.Journal.OnReplaced).
func (f *FileJournal) OnReplaced(fn func(*journal.ReplacedError)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.onReplaced = fn
	if f.j != nil {
		f.j.OnReplaced(fn)
	}
}

func (f *FileJournal) open() (*journal.Journal, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.j == nil {
		j, err := journal.Open(f.path)
		if err != nil {
			return nil, err
		}
		if f.onReplaced != nil {
			j.OnReplaced(f.onReplaced)
		}
		f.j = j
	}
	return f.j, nil
}

// Lock implements Journal.
func (f *FileJournal) Lock(ctx context.Context) (func(), error) {
	j, err := f.open()
	if err != nil {
		return nil, err
	}
	return j.Lock(ctx)
}

// Append implements Journal.
func (f *FileJournal) Append(r journal.Record) error {
	j, err := f.open()
	if err != nil {
		return err
	}
	return j.Append(r)
}

// Read implements Journal: every record of the file, written by any
// process (none when it does not exist).
func (f *FileJournal) Read() (journal.Log, error) {
	f.mu.Lock()
	j := f.j
	f.mu.Unlock()
	if j != nil {
		return j.Read()
	}
	return journal.Read(f.path)
}

// Records is Read's records.
func (f *FileJournal) Records() ([]journal.Record, error) {
	l, err := f.Read()
	return l.Records, err
}

// Close closes the file if it was opened.
func (f *FileJournal) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.j == nil {
		return nil
	}
	return f.j.Close()
}

// MemoryJournal is a Journal in memory, for tests and the demo.
type MemoryJournal struct {
	lock sync.Mutex // Lock
	mu   sync.Mutex
	recs []journal.Record
	// Fail, when set, is returned by Append (a journal that cannot write).
	Fail error
}

// Lock implements Journal.
func (j *MemoryJournal) Lock(ctx context.Context) (func(), error) {
	j.lock.Lock()
	return j.lock.Unlock, nil
}

// Append implements Journal.
func (j *MemoryJournal) Append(r journal.Record) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.Fail != nil {
		return j.Fail
	}
	if r.Time.IsZero() {
		r.Time = time.Now().UTC()
	}
	r = journal.Scrubbed(r)
	if err := r.Valid(); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	j.recs = append(j.recs, r)
	return nil
}

// Read implements Journal.
func (j *MemoryJournal) Read() (journal.Log, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return journal.Log{Records: slices.Clone(j.recs)}, nil
}

// Records returns the records.
func (j *MemoryJournal) Records() ([]journal.Record, error) {
	l, err := j.Read()
	return l.Records, err
}

// renewalDetail is the Detail of a renewal intent, for people.
func renewalDetail(service, period string) string {
	return fmt.Sprintf("renewal of %s for %s", service, period)
}

// parseRenewalDetail reads renewalDetail back: the service's name, and the
// period of intents written before the period had a field of its own.
func parseRenewalDetail(d string) (service, period string, ok bool) {
	n, err := fmt.Sscanf(d, "renewal of %s for %s", &service, &period)
	return service, period, err == nil && n == 2
}
