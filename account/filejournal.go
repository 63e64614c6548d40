package account

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
)

// FileJournal is a Journal in a file of JSON lines, appended and fsync'd
// record by record. A torn last line (ovhtui killed mid-write) is skipped.
type FileJournal struct {
	mu   sync.Mutex
	path string
}

// NewFileJournal returns the journal at path (created on first Append).
func NewFileJournal(path string) *FileJournal { return &FileJournal{path: path} }

// Path is the journal's file.
func (j *FileJournal) Path() string { return j.path }

// Append implements Journal: the record is on disk when it returns.
func (j *FileJournal) Append(r Record) error {
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	f, err := os.OpenFile(j.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	_, werr := f.Write(append(line, '\n'))
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	return nil
}

// Records implements Journal. A missing file has none; a line that is not
// a record (torn by a crash) is skipped.
func (j *FileJournal) Records() ([]Record, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	data, err := os.ReadFile(j.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	var out []Record
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var r Record
		if json.Unmarshal(sc.Bytes(), &r) == nil && r.Key != "" {
			out = append(out, r)
		}
	}
	return out, nil
}
