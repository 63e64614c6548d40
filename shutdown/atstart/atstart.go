// Package atstart installs ovhtui's shutdown signal handler (package
// shutdown) during package initialization, before main runs and before
// most other packages initialize: import it for its side effect, first, in
// package main. A SIGTERM within milliseconds of start is then kept and
// handled gracefully instead of killing the process.
package atstart

import "github.com/ovhtui/ovhtui/shutdown"

func init() { shutdown.Catch() }
