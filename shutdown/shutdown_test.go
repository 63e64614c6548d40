package shutdown

import (
	"context"
	"os"
	"syscall"
	"testing"
)

// TestSignalBeforeContextKept: a signal caught before Context is called
// cancels the context it returns; without the handler the signal would end
// the test binary.
func TestSignalBeforeContextKept(t *testing.T) {
	Catch()
	defer Reset()
	Catch() // idempotent
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-Caught()
	ctx, cancel := Context(context.Background())
	defer cancel()
	<-ctx.Done() // a hang here fails the test by its timeout
	if Caught() == nil {
		t.Fatal("Caught is nil after Catch")
	}
}

// TestContextWithoutCatch: without Catch, Context is a plain
// signal.NotifyContext, and Caught is nil.
func TestContextWithoutCatch(t *testing.T) {
	if Caught() != nil {
		t.Fatal("caught before Catch")
	}
	ctx, cancel := Context(context.Background())
	cancel()
	<-ctx.Done()
}
