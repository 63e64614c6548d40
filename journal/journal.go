// Package journal is ovhtui's own record of what it did with money: an
// append-only file of JSON lines beside preferences.json (Beside), written
// only by ovhtui, readable by a person. preferences.json belongs to the user
// and can lie (an old copy restored, an editor's stale buffer); the journal
// is what ovhtui trusts about its own past.
//
// Use: Open the journal once per process and Append a Record before and
// after every money action: an intent (TypeIntent) before the request
// leaves, an outcome (TypeOutcome, same Attempt) once its answer is known.
// Kinds are checkout (Entry: the preferences entry id), payment (OrderID)
// and renewal (ServiceID, OrderID when known). Read (or Parse) returns the
// records; Fold turns them into per-entry checkout state (Entries) and
// per-order state (Orders), and lists intents still without an outcome
// (Pending).
//
// Each Append is one write(2) of one line on a file opened with O_APPEND,
// followed by fsync, so two processes may append at once. A crash may leave
// a torn last line; Open ends it with a newline so the next record starts on
// its own line, and Parse skips any line that is not a record (torn,
// garbage, or two writers' bytes glued together), recovering a record that
// follows garbage on the same line. The journal may be deleted only while no
// ovhtui runs (see the README).
package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Type says what a record is.
type Type string

// Record types.
const (
	// TypeIntent is written before a money request leaves.
	TypeIntent Type = "intent"
	// TypeOutcome is written once the answer is known (or known to be
	// unknown: ResultUnknown).
	TypeOutcome Type = "outcome"
	// TypeRearm says the user asked to buy an entry again: Entry continues
	// as NewEntry, a fresh identity with nothing bought yet.
	TypeRearm Type = "rearm"
)

// Kind is what the money action is.
type Kind string

// Record kinds.
const (
	KindCheckout Kind = "checkout" // POST /order/cart/{id}/checkout for an entry
	KindPayment  Kind = "payment"  // paying an order
	KindRenewal  Kind = "renewal"  // renewing a service
)

// Result is the outcome of an intent.
type Result string

// Outcome results.
const (
	// ResultOrdered: OVH created the order (OrderID).
	ResultOrdered Result = "ordered"
	// ResultRefused: OVH refused for good; nothing was bought.
	ResultRefused Result = "refused"
	// ResultNotSent: the request never left (e.g. the latch could not be
	// saved durably); nothing was bought.
	ResultNotSent Result = "not_sent"
	// ResultUnknown: the request may have been carried out (timeout, 5xx,
	// malformed answer); it must be looked up before anything else.
	ResultUnknown Result = "unknown"
	// ResultDone: a payment or renewal went through.
	ResultDone Result = "done"
	// ResultFailed: a payment or renewal failed for good.
	ResultFailed Result = "failed"
)

// Record is one line of the journal. Fields that do not apply are left
// out of the line.
type Record struct {
	// Time is when the record was written (UTC); Append sets it when zero.
	// It is the first field of every line, which Parse relies on to find
	// a record after garbage.
	Time time.Time `json:"time"`
	Type Type      `json:"type"`
	Kind Kind      `json:"kind,omitempty"`
	// Attempt ties an outcome to its intent; unique per intent.
	Attempt string `json:"attempt,omitempty"`
	// Entry is the preferences entry id (checkout, rearm).
	Entry string `json:"entry,omitempty"`
	// NewEntry is the id a re-armed entry continues as (rearm).
	NewEntry  string   `json:"new_entry,omitempty"`
	OrderID   int64    `json:"order_id,omitempty"`
	ServiceID int64    `json:"service_id,omitempty"`
	PlanCode  string   `json:"plan_code,omitempty"`
	FQN       string   `json:"fqn,omitempty"`
	DCs       []string `json:"dcs,omitempty"` // the entry's DCs in preference order
	DC        string   `json:"dc,omitempty"`  // the DC ordered in
	Addons    []string `json:"addons,omitempty"`
	Qty       int      `json:"qty,omitempty"`
	Cart      string   `json:"cart,omitempty"`
	// AmountUcents is the amount in 1e-8 of Currency, as OVH counts money.
	AmountUcents int64  `json:"amount_ucents,omitempty"`
	Currency     string `json:"currency,omitempty"`
	Autopay      bool   `json:"autopay,omitempty"`
	Result       Result `json:"result,omitempty"`
	URL          string `json:"url,omitempty"`
	// Detail is a human explanation (an error message, never a secret).
	Detail string `json:"detail,omitempty"`
	// PID is the process that wrote the record.
	PID int `json:"pid,omitempty"`
}

// Beside returns the journal path of the preferences file prefsPath: in the
// same folder, the file name without its extension plus ".journal"
// (preferences.json → preferences.journal). A preferences file that itself
// ends in ".journal" keeps its whole name (prefs.journal →
// prefs.journal.journal): the journal is never the preferences file.
func Beside(prefsPath string) string {
	dir, base := filepath.Split(prefsPath)
	if strings.EqualFold(filepath.Ext(base), ".journal") {
		return filepath.Join(dir, base+".journal")
	}
	return filepath.Join(dir, strings.TrimSuffix(base, filepath.Ext(base))+".journal")
}

// Journal appends records to one journal file. It is safe for concurrent
// use, and other processes may append to the same file at once.
type Journal struct {
	path string
	mu   sync.Mutex
	f    *os.File
	// sync is (*os.File).Sync; tests replace it.
	sync func(*os.File) error
}

// Open opens (creating it, mode 0600) the journal at path for appending.
// A torn last line left by a crash is ended with a newline so that the
// next record starts on a line of its own.
func Open(path string) (*Journal, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open journal: %w", err)
	}
	j := &Journal{path: path, f: f, sync: (*os.File).Sync}
	if err := j.endTornLine(); err != nil {
		f.Close()
		return nil, fmt.Errorf("open journal %s: %w", path, err)
	}
	// A new file must survive a power loss with its first record.
	if err := syncDir(filepath.Dir(path)); err != nil {
		f.Close()
		return nil, fmt.Errorf("open journal %s: sync folder: %w", path, err)
	}
	return j, nil
}

// endTornLine appends a newline when the file does not end with one.
func (j *Journal) endTornLine() error {
	r, err := os.Open(j.path)
	if err != nil {
		return err
	}
	defer r.Close()
	info, err := r.Stat()
	if err != nil {
		return err
	}
	if info.Size() == 0 {
		return nil
	}
	last := make([]byte, 1)
	if _, err := r.ReadAt(last, info.Size()-1); err != nil {
		return err
	}
	if last[0] == '\n' {
		return nil
	}
	if _, err := j.f.Write([]byte{'\n'}); err != nil {
		return err
	}
	return j.sync(j.f)
}

// Path is the journal file.
func (j *Journal) Path() string { return j.path }

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("journal is closed")

// Append writes r as one line and syncs it to disk before returning. Time
// is set to now when zero, PID to this process. When Append returns an
// error the record may or may not be on disk: treat the action it
// describes as not covered by the journal.
func (j *Journal) Append(r Record) error {
	if r.Type == "" {
		return errors.New("journal: record without a type")
	}
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	r.Time = r.Time.UTC()
	if r.PID == 0 {
		r.PID = os.Getpid()
	}
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("journal: encode: %w", err)
	}
	line = append(line, '\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return ErrClosed
	}
	// One write per line: with O_APPEND the kernel puts it at the end in
	// one piece, whoever else appends.
	if _, err := j.f.Write(line); err != nil {
		return fmt.Errorf("journal %s: write: %w", j.path, err)
	}
	if err := j.sync(j.f); err != nil {
		return fmt.Errorf("journal %s: sync: %w", j.path, err)
	}
	return nil
}

// Close closes the file. Appending afterwards returns ErrClosed.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// Log is what Read found in a journal.
type Log struct {
	Records []Record
	// Skipped counts lines that held no record (torn, garbage).
	Skipped int
}

// Read reads and parses the journal at path. A missing file is an empty
// journal.
func Read(path string) (Log, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return Log{}, nil
	}
	if err != nil {
		return Log{}, fmt.Errorf("read journal: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return Log{}, fmt.Errorf("read journal %s: %w", path, err)
	}
	return Parse(data), nil
}

// recordStart is how every line Append writes begins.
var recordStart = []byte(`{"time":`)

// Parse reads the records of a journal's content, in file order. Blank
// lines are ignored; a line that is not a record is skipped and counted,
// except that a record glued after garbage on the same line (a torn line
// another writer appended to) is recovered. It never fails.
func Parse(data []byte) Log {
	var out Log
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if r, ok := parseLine(line); ok {
			out.Records = append(out.Records, r)
			continue
		}
		out.Skipped++
		// Garbage then a whole record: take the last record start that
		// parses to the end of the line.
		for i := bytes.LastIndex(line, recordStart); i > 0; i = bytes.LastIndex(line[:i], recordStart) {
			if r, ok := parseLine(line[i:]); ok {
				out.Records = append(out.Records, r)
				break
			}
		}
	}
	return out
}

// parseLine decodes one record; a line without a known type is not one.
func parseLine(line []byte) (Record, bool) {
	if !bytes.HasPrefix(line, recordStart) {
		return Record{}, false
	}
	var r Record
	if err := json.Unmarshal(line, &r); err != nil {
		return Record{}, false
	}
	switch r.Type {
	case TypeIntent, TypeOutcome, TypeRearm:
		return r, true
	}
	return Record{}, false
}

// syncDir fsyncs a folder so that a new file in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
