// Package shutdown catches the signals that end ovhtui gracefully (SIGINT,
// SIGTERM, SIGHUP) from the first instant of the process, so that a signal
// sent a few milliseconds after start is kept rather than fatal, and hands
// them to the code that stops the engine as a context.
//
// Data flow: Catch (called by the init of package shutdown/atstart, which
// main imports first thing, or by cli.Main) installs the handler and
// remembers the first signal; Context returns a context cancelled by it,
// even when it came before the call.
package shutdown

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Signals end ovhtui gracefully: a checkout in flight finishes and is
// saved, the lock is released. SIGHUP is what a closed SSH session (without
// tmux) sends.
var Signals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

var (
	mu  sync.Mutex
	got chan struct{} // nil until Catch; closed at the first signal
)

// Catch installs the handler of Signals; later calls do nothing. A signal
// caught is kept for Context. Later signals are dropped: shutting down
// already, a checkout in flight is not cut short.
func Catch() {
	mu.Lock()
	defer mu.Unlock()
	if got != nil {
		return
	}
	g := make(chan struct{})
	got = g
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, Signals...)
	go func() {
		<-ch
		close(g)
	}()
}

// Context returns a context cancelled by the first shutdown signal,
// including one caught before the call when Catch was called. Without Catch
// (tests), it is signal.NotifyContext.
func Context(parent context.Context) (context.Context, context.CancelFunc) {
	mu.Lock()
	g := got
	mu.Unlock()
	if g == nil {
		return signal.NotifyContext(parent, Signals...)
	}
	ctx, cancel := context.WithCancel(parent)
	go func() {
		select {
		case <-g:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// Caught is closed at the first shutdown signal; nil before Catch.
func Caught() <-chan struct{} {
	mu.Lock()
	defer mu.Unlock()
	return got
}

// Reset forgets Catch and restores the default handling of Signals (tests).
func Reset() {
	mu.Lock()
	defer mu.Unlock()
	signal.Reset(Signals...)
	got = nil
}
