package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"

	"github.com/ovhtui/ovhtui/safefile"
)

// logFileWriter writes log lines to --log-file without ever failing the
// logger: the first failed write is reported at once through report (one
// message, whatever the number of lines), later failures are only counted,
// and Close says how many lines were lost.
type logFileWriter struct {
	f      *os.File
	report func(msg string)

	mu   sync.Mutex
	lost int
}

// openLogFile opens --log-file for appending (0600). Only a regular file is
// used: a FIFO, a device, a folder is refused at once, without blocking
// (a FIFO without a reader used to hang start-up). report receives the one
// message about the first failed write; it must not block.
func openLogFile(path string, report func(msg string)) (*logFileWriter, error) {
	f, err := safefile.Open(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600, roleLog)
	if errors.Is(err, safefile.ErrNotRegular) {
		return nil, err // names the file and what it is
	}
	if err != nil {
		return nil, fmt.Errorf("open log file: %w", err)
	}
	return &logFileWriter{f: f, report: report}, nil
}

// Write writes p; a failure is reported once and counted, never returned,
// so that the other outputs of the logger (stdout headless) still get it.
func (l *logFileWriter) Write(p []byte) (int, error) {
	if _, err := l.f.Write(p); err != nil {
		l.mu.Lock()
		l.lost++
		first := l.lost == 1
		l.mu.Unlock()
		if first && l.report != nil {
			l.report(fmt.Sprintf("cannot write to the log file %s: %s; log lines that cannot be written are counted and the count given at exit",
				l.f.Name(), causeOf(err)))
		}
	}
	return len(p), nil
}

// Close closes the file and returns a message when lines were lost.
func (l *logFileWriter) Close() (lostMsg string) {
	l.f.Close()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost == 0 {
		return ""
	}
	return fmt.Sprintf("%d log line(s) could not be written to %s", l.lost, l.f.Name())
}

// causeOf is the innermost reason of a file error ("no space left on
// device"), without the operation and path a *fs.PathError repeats.
func causeOf(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

var _ io.Writer = (*logFileWriter)(nil)
