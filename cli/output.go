package cli

import (
	"io"
	"sync"
)

// outputGuard writes to stdout for --headless. The first write that fails
// (the reader of a pipe went away: `ovhtui --headless | head -1`) is said
// once through report, and stdout is not written again; Write never fails,
// so that the log file beside it in a MultiWriter, and the engine, go on.
type outputGuard struct {
	w      io.Writer
	report func(err error)

	mu     sync.Mutex
	broken bool
}

// Write writes p unless stdout already failed; it always succeeds.
func (g *outputGuard) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.broken {
		return len(p), nil
	}
	if _, err := g.w.Write(p); err != nil {
		g.broken = true
		if g.report != nil {
			g.report(err)
		}
	}
	return len(p), nil
}
