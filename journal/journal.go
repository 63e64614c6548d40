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
// follows garbage on the same line.
//
// The journal is read like hostile input: anything at its path that is not
// a regular file (a FIFO, a directory, a device) is refused without ever
// blocking; parsing takes time linear in the size; a record is trusted only
// once Valid (known type and kind, positive ids); every text field is
// scrubbed of secrets (package secret) before it is written.
//
// Before every append the journal checks that the file at its path is still
// the one it opened (device and inode). When it was replaced, moved or
// deleted (a sync tool, a restore, an editor's "save as"), the journal
// re-opens the path, merges back every record of the file it had open, and
// reports it (OnReplaced, and Lock's *ReplacedError, which stops the money
// action in hand). Lock serializes money actions across processes (flock on
// the file) and within one.
package journal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ovhtui/ovhtui/safefile"
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
	// Period is what a renewal renews for (ISO 8601, "P1M").
	Period string `json:"period,omitempty"`
	// OVHTime is OVH's clock (GET /auth/time) when the intent was written:
	// a look-up after an unclear answer searches from there, on OVH's
	// clock, whatever the local one says.
	OVHTime time.Time `json:"ovh_time,omitzero"`
	Result  Result    `json:"result,omitempty"`
	URL     string    `json:"url,omitempty"`
	// Detail is a human explanation (an error message, never a secret).
	Detail string `json:"detail,omitempty"`
	// PID is the process that wrote the record.
	PID int `json:"pid,omitempty"`
	// Proc identifies the process that wrote an intent across PID reuse
	// (PID and start time, see package gate): a live process's intent is
	// never settled by another.
	Proc string `json:"proc,omitempty"`
}

// Beside returns the journal path of the preferences file prefsPath: in the
// same folder, the file name without its extension plus ".journal"
// (preferences.json → preferences.journal). A preferences file that itself
// ends in ".journal" keeps its whole name (prefs.journal →
// prefs.journal.journal): the journal is never the preferences file.
//
// Symlinks in prefsPath are resolved first (when it exists), so that the
// engine, the UI and every subcommand find one journal whichever link the
// user named: this is the one place that resolves it.
func Beside(prefsPath string) string {
	if real, err := filepath.EvalSymlinks(prefsPath); err == nil {
		prefsPath = real
	}
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
	// spend serializes Lock holders within the process (flock locks belong
	// to an open file, and two Journals of one process hold two).
	spend sync.Mutex
	mu    sync.Mutex
	f     *os.File
	id    fileID
	// sync is (*os.File).Sync; tests replace it.
	sync       func(*os.File) error
	onReplaced func(*ReplacedError)
	replaced   int
	// held is the file whose flock Lock's holder has (or waits for), under
	// mu: it is not closed before the holder lets go of it; a file
	// replaced or closed meanwhile waits in retired.
	held    *os.File
	retired []*os.File
}

// ReplacedError: the file at the journal's path is no longer the one this
// process opened. The journal was re-opened and what this process knew was
// merged back; the money action in hand is not sent (decide again).
type ReplacedError struct {
	Path string
	How  string // "replaced by another file", "deleted or moved"
	// Merged counts the records copied back into the file now at Path.
	Merged int
}

// Error says what happened and what was done.
func (e *ReplacedError) Error() string {
	return fmt.Sprintf("journal %s was %s while ovhtui ran: re-opened, %d record(s) this process knew written back; the money action in hand was not sent",
		e.Path, e.How, e.Merged)
}

// Open opens (creating it, mode 0600) the journal at path for appending.
// A torn last line left by a crash is ended with a newline so that the
// next record starts on a line of its own. Anything at path that is not a
// regular file is refused (*safefile.NotRegularError) at once: a FIFO never
// blocks.
func Open(path string) (*Journal, error) {
	f, id, err := openFile(path)
	if err != nil {
		return nil, err
	}
	j := &Journal{path: path, f: f, id: id, sync: (*os.File).Sync}
	if err := j.endTornLine(f); err != nil {
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

// openFile opens path for reading and appending without blocking (a FIFO
// would block a plain open) and refuses what is not a regular file
// (*safefile.NotRegularError).
func openFile(path string) (*os.File, fileID, error) {
	f, err := safefile.Open(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600, role)
	if err != nil {
		return nil, fileID{}, fmt.Errorf("open journal: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fileID{}, fmt.Errorf("open journal %s: %w", path, err)
	}
	return f, idOf(info), nil
}

// role names the journal in safefile's messages.
const role = "journal"

// endTornLine appends a newline when the file does not end with one.
func (j *Journal) endTornLine(f *os.File) error {
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if info.Size() == 0 {
		return nil
	}
	last := make([]byte, 1)
	if _, err := f.ReadAt(last, info.Size()-1); err != nil {
		return err
	}
	if last[0] == '\n' {
		return nil
	}
	if _, err := f.Write([]byte{'\n'}); err != nil {
		return err
	}
	return j.sync(f)
}

// Path is the journal file.
func (j *Journal) Path() string { return j.path }

// OnReplaced sets what is called (once per replacement found, outside the
// journal's locks) when the file at the path turns out not to be the one
// opened: tell the user.
func (j *Journal) OnReplaced(fn func(*ReplacedError)) {
	j.mu.Lock()
	j.onReplaced = fn
	j.mu.Unlock()
}

// Replacements counts the replacements found so far.
func (j *Journal) Replacements() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.replaced
}

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("journal is closed")

// Append writes r as one line and syncs it to disk before returning. Time
// is set to now when zero, PID to this process; every text field is
// scrubbed of secrets; an invalid record is refused. Before writing, the
// file at the path is checked to be the one opened; if it was replaced,
// the journal re-opens it, merges back what it knew, reports it
// (OnReplaced) and writes r into the file now at the path. When Append
// returns an error the record may or may not be on disk: treat the action
// it describes as not covered by the journal.
func (j *Journal) Append(r Record) error {
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	r.Time = r.Time.UTC()
	if r.PID == 0 {
		r.PID = os.Getpid()
	}
	r = Scrubbed(r)
	if err := r.Valid(); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("journal: encode: %w", err)
	}
	line = append(line, '\n')
	rep, err := j.appendLine(line)
	j.report(rep)
	return err
}

func (j *Journal) appendLine(line []byte) (*ReplacedError, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil, ErrClosed
	}
	rep, err := j.check()
	if err != nil {
		return rep, err
	}
	// One write per line: with O_APPEND the kernel puts it at the end in
	// one piece, whoever else appends.
	if _, err := j.f.Write(line); err != nil {
		return rep, fmt.Errorf("journal %s: write: %w", j.path, err)
	}
	if err := j.sync(j.f); err != nil {
		return rep, fmt.Errorf("journal %s: sync: %w", j.path, err)
	}
	return rep, nil
}

// report tells OnReplaced about rep (nil: nothing to tell).
func (j *Journal) report(rep *ReplacedError) {
	if rep == nil {
		return
	}
	j.mu.Lock()
	fn := j.onReplaced
	j.mu.Unlock()
	if fn != nil {
		fn(rep)
	}
}

// check verifies that the file at the path is the one open. When it is
// not, it re-opens the path (creating it when gone), writes back the
// records of the old file the new one lacks, and returns what happened.
// The caller holds j.mu.
func (j *Journal) check() (*ReplacedError, error) {
	info, err := os.Stat(j.path)
	how := ""
	switch {
	case errors.Is(err, fs.ErrNotExist):
		how = "deleted or moved"
	case err != nil:
		return nil, fmt.Errorf("journal %s: check it is still the file opened: %w", j.path, err)
	case idOf(info) != j.id:
		how = "replaced by another file"
	default:
		return nil, nil
	}
	nf, nid, err := openFile(j.path)
	if err != nil {
		return nil, fmt.Errorf("journal %s was %s and cannot be re-opened: %w", j.path, how, err)
	}
	if err := j.endTornLine(nf); err != nil {
		nf.Close()
		return nil, fmt.Errorf("journal %s was %s; re-open: %w", j.path, how, err)
	}
	n, err := j.merge(j.f, nf)
	if err != nil {
		nf.Close()
		return nil, fmt.Errorf("journal %s was %s; writing back what this process knew failed: %w", j.path, how, err)
	}
	_ = syncDir(filepath.Dir(j.path))
	j.retire(j.f)
	j.f, j.id = nf, nid
	j.replaced++
	return &ReplacedError{Path: j.path, How: how, Merged: n}, nil
}

// merge appends to nf, in their order, the records of old that nf lacks.
func (j *Journal) merge(old, nf *os.File) (int, error) {
	oldData, err := readAllAt(old)
	if err != nil {
		return 0, err
	}
	newData, err := readAllAt(nf)
	if err != nil {
		return 0, err
	}
	have := map[string]bool{}
	for _, r := range Parse(newData).Records {
		have[recordKey(r)] = true
	}
	var buf []byte
	n := 0
	for _, r := range Parse(oldData).Records {
		k := recordKey(r)
		if have[k] {
			continue
		}
		have[k] = true
		buf = append(buf, k...)
		buf = append(buf, '\n')
		n++
	}
	if len(buf) == 0 {
		return 0, nil
	}
	if _, err := nf.Write(buf); err != nil {
		return 0, err
	}
	return n, j.sync(nf)
}

// recordKey is a record's canonical line: two copies of one record have
// the same.
func recordKey(r Record) string {
	b, _ := json.Marshal(r)
	return string(b)
}

// Lock takes the journal's lock: within this process and across processes
// (an flock on the file), waiting until ctx is done. It then checks that
// the file at the path is the one opened: when it was replaced, the
// journal is re-opened and merged, the lock is released and a
// *ReplacedError returned (stop: decide again before spending). Unlock
// with the function returned.
func (j *Journal) Lock(ctx context.Context) (unlock func(), err error) {
	if err := lockMutex(ctx, &j.spend); err != nil {
		return nil, err
	}
	for {
		j.mu.Lock()
		f := j.f
		if f == nil {
			j.mu.Unlock()
			j.spend.Unlock()
			return nil, ErrClosed
		}
		j.held = f
		j.mu.Unlock()
		ferr := flockWait(ctx, f)
		j.mu.Lock()
		if ferr != nil {
			j.letGo(f)
			j.mu.Unlock()
			j.spend.Unlock()
			return nil, fmt.Errorf("journal %s: lock: %w", j.path, ferr)
		}
		if j.f != f { // re-opened or closed meanwhile: lock the new one
			funlock(f)
			j.letGo(f)
			j.mu.Unlock()
			continue
		}
		rep, err := j.check()
		if err != nil || rep != nil {
			funlock(f)
			j.letGo(f)
			j.mu.Unlock()
			j.spend.Unlock()
			j.report(rep)
			if rep != nil {
				return nil, rep
			}
			return nil, err
		}
		j.mu.Unlock()
		return func() {
			j.mu.Lock()
			funlock(f)
			j.letGo(f)
			j.mu.Unlock()
			j.spend.Unlock()
		}, nil
	}
}

// retire closes f, or keeps it open until Lock's holder lets go of it.
// The caller holds j.mu.
func (j *Journal) retire(f *os.File) {
	if f == j.held {
		j.retired = append(j.retired, f)
		return
	}
	f.Close()
}

// letGo ends Lock's hold on f, closing it if it was retired meanwhile.
// The caller holds j.mu.
func (j *Journal) letGo(f *os.File) {
	if j.held == f {
		j.held = nil
	}
	for i, r := range j.retired {
		if r == f {
			r.Close()
			j.retired = append(j.retired[:i], j.retired[i+1:]...)
			break
		}
	}
}

// lockMutex locks m unless ctx ends first.
func lockMutex(ctx context.Context, m *sync.Mutex) error {
	for !m.TryLock() {
		if err := pause(ctx); err != nil {
			return err
		}
	}
	return nil
}

// pause waits a little (another holder is working) or until ctx ends.
func pause(ctx context.Context) error {
	t := time.NewTimer(5 * time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Check verifies that the file at the path is still the one opened, and
// when it is not re-opens and merges it (and reports it, OnReplaced) like
// Append would. It costs a stat: the engine calls it every poll cycle, so
// that a replaced journal gets back what this process knows even if no
// money action follows.
func (j *Journal) Check() error {
	j.mu.Lock()
	if j.f == nil {
		j.mu.Unlock()
		return ErrClosed
	}
	rep, err := j.check()
	j.mu.Unlock()
	j.report(rep)
	return err
}

// Read returns the records of the file at the path now (checked to be the
// one opened, re-opened and merged when not).
func (j *Journal) Read() (Log, error) {
	j.mu.Lock()
	if j.f == nil {
		j.mu.Unlock()
		return Log{}, ErrClosed
	}
	rep, err := j.check()
	var data []byte
	if err == nil {
		data, err = readAllAt(j.f)
	}
	j.mu.Unlock()
	j.report(rep)
	if err != nil {
		return Log{}, fmt.Errorf("read journal %s: %w", j.path, err)
	}
	return Parse(data), nil
}

// readAllAt reads the whole file through f, whatever its offset.
func readAllAt(f *os.File) ([]byte, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return io.ReadAll(io.NewSectionReader(f, 0, info.Size()))
}

// Close closes the file. Appending afterwards returns ErrClosed.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	var err error
	if j.f == j.held {
		j.retired = append(j.retired, j.f)
	} else {
		err = j.f.Close()
	}
	j.f = nil
	return err
}

// Log is what Read found in a journal.
type Log struct {
	Records []Record
	// Skipped counts lines that held no record (torn, garbage).
	Skipped int
	// Invalid counts records refused by Valid (a negative id, an unknown
	// kind...): a hand-written line is not trusted.
	Invalid int
}

// Read reads and parses the journal at path. A missing file is an empty
// journal; anything there that is not a regular file is refused at once
// (*safefile.NotRegularError), without blocking.
func Read(path string) (Log, error) {
	f, err := safefile.Open(path, os.O_RDONLY, 0, role)
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

// CheckPath reports whether path can be the journal: nothing there yet,
// or a regular file. Anything else (a FIFO, a folder, a device) is
// refused at once, without blocking, with a *safefile.NotRegularError
// naming the path. Every front end calls it at start, before anything is
// sent, so that a journal ovhtui cannot use is said in one line.
func CheckPath(path string) error {
	f, err := safefile.Open(path, os.O_RDONLY, 0, role)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// recordStart is how every line Append writes begins. It cannot occur
// inside a record's line elsewhere (JSON escapes the quotes of a string).
var recordStart = []byte(`{"time":`)

// Parse reads the records of a journal's content, in file order, in time
// linear in its size. Blank lines are ignored; a line that is not a valid
// record is skipped and counted, except that a record glued after garbage
// on the same line (a torn line another writer appended to) is recovered.
// It never fails.
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
		r, status := parseLine(line)
		if status == lineRecord {
			out.Records = append(out.Records, r)
			continue
		}
		if status == lineInvalid {
			out.Invalid++
			continue
		}
		out.Skipped++
		// Garbage then a whole record: only the last record start can
		// begin one that runs to the end of the line (a record holds no
		// other), so one more parse at most: linear, whatever the garbage.
		if i := bytes.LastIndex(line, recordStart); i > 0 {
			switch r, status := parseLine(line[i:]); status {
			case lineRecord:
				out.Records = append(out.Records, r)
			case lineInvalid:
				out.Invalid++
			}
		}
	}
	return out
}

type lineStatus int

const (
	lineGarbage lineStatus = iota
	lineInvalid
	lineRecord
)

// parseLine decodes one record and validates it.
func parseLine(line []byte) (Record, lineStatus) {
	if !bytes.HasPrefix(line, recordStart) || line[len(line)-1] != '}' {
		return Record{}, lineGarbage
	}
	var r Record
	if err := json.Unmarshal(line, &r); err != nil {
		return Record{}, lineGarbage
	}
	if r.Valid() != nil {
		return Record{}, lineInvalid
	}
	return r, lineRecord
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
