package cli

import (
	"os"
	"os/signal"
	"syscall"
)

// surviveBrokenPipes keeps a write to a closed stdout or stderr pipe
// (`ovhtui --headless | head -1`) from killing ovhtui with SIGPIPE: the
// write fails with EPIPE instead, which outputGuard says once. A handler,
// not SIG_IGN, so that a program ovhtui starts gets the default back.
func surviveBrokenPipes() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
}
