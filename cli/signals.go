package cli

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// shutdownSignals end ovhtui gracefully: a checkout in flight finishes and
// is saved, the lock is released. SIGHUP is what a closed SSH session
// (without tmux) sends.
var shutdownSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// early holds the shutdown signals caught from the start of Main.
var early struct {
	mu  sync.Mutex
	got chan struct{} // nil until catchShutdownSignals; closed at the first signal
}

// catchShutdownSignals installs the handler of shutdownSignals. Main calls
// it first thing: a SIGTERM sent a few milliseconds after start, before the
// flags are even parsed, used to kill ovhtui on the spot; it is now kept,
// and the engine stops gracefully at once (shutdownContext). Later calls do
// nothing.
func catchShutdownSignals() {
	early.mu.Lock()
	defer early.mu.Unlock()
	if early.got != nil {
		return
	}
	got := make(chan struct{})
	early.got = got
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, shutdownSignals...)
	go func() {
		<-ch
		close(got)
		// Later signals fill ch and are dropped: shutting down already, a
		// checkout in flight is not cut short.
	}()
}

// shutdownContext returns a context cancelled by the first shutdown signal,
// including one caught before the call when Main installed the handler
// (catchShutdownSignals). Without it (tests calling run), it is
// signal.NotifyContext.
func shutdownContext(parent context.Context) (context.Context, context.CancelFunc) {
	early.mu.Lock()
	got := early.got
	early.mu.Unlock()
	if got == nil {
		return signal.NotifyContext(parent, shutdownSignals...)
	}
	ctx, cancel := context.WithCancel(parent)
	go func() {
		select {
		case <-got:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// surviveBrokenPipes keeps a write to a closed stdout or stderr pipe
// (`ovhtui --headless | head -1`) from killing ovhtui with SIGPIPE: the
// write fails with EPIPE instead, which outputGuard says once. A handler,
// not SIG_IGN, so that a program ovhtui starts gets the default back.
func surviveBrokenPipes() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
}
