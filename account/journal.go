package account

import (
	"fmt"
	"slices"
	"sync"

	"github.com/ovhtui/ovhtui/journal"
)

// Journal is where payments and renewals are journaled: the engine's
// journal (package journal), beside preferences.json. Append returns once
// the record is on disk.
type Journal interface {
	Append(r journal.Record) error
	Records() ([]journal.Record, error)
}

// FileJournal is the journal file shared with the engine (and with any
// other ovhtui appending to it at once). It is opened (created if need be)
// on the first Append only: listing orders never creates a file.
type FileJournal struct {
	path string
	mu   sync.Mutex
	j    *journal.Journal
}

// NewFileJournal returns the journal at path (journal.Beside(prefsPath)).
func NewFileJournal(path string) *FileJournal { return &FileJournal{path: path} }

// Append implements Journal.
func (f *FileJournal) Append(r journal.Record) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.j == nil {
		j, err := journal.Open(f.path)
		if err != nil {
			return err
		}
		f.j = j
	}
	return f.j.Append(r)
}

// Records implements Journal: every record of the file, written by any
// process (none when it does not exist).
func (f *FileJournal) Records() ([]journal.Record, error) {
	l, err := journal.Read(f.path)
	if err != nil {
		return nil, err
	}
	return l.Records, nil
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
	mu   sync.Mutex
	recs []journal.Record
	// Fail, when set, is returned by Append (a journal that cannot write).
	Fail error
}

// Append implements Journal.
func (j *MemoryJournal) Append(r journal.Record) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.Fail != nil {
		return j.Fail
	}
	j.recs = append(j.recs, r)
	return nil
}

// Records implements Journal.
func (j *MemoryJournal) Records() ([]journal.Record, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.recs), nil
}

// pending returns the intents of kind still waiting for an outcome (none,
// or ResultUnknown), oldest first.
func pending(recs []journal.Record, kind journal.Kind) []journal.Record {
	var out []journal.Record
	for _, r := range journal.Fold(recs).Pending() {
		if r.Kind == kind && r.Type == journal.TypeIntent {
			out = append(out, r)
		}
	}
	return out
}

// renewalDetail is the Detail of a renewal intent, for people and for the
// look-up after an unclear answer (the journal has no period field).
func renewalDetail(service, period string) string {
	return fmt.Sprintf("renewal of %s for %s", service, period)
}

// parseRenewalDetail reads renewalDetail back.
func parseRenewalDetail(d string) (service, period string, ok bool) {
	n, err := fmt.Sscanf(d, "renewal of %s for %s", &service, &period)
	return service, period, err == nil && n == 2
}
