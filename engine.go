package main

import (
	"fmt"
	"io"
	"os"
)

// runEngine runs the engine with the UI, or headless.
func runEngine(opts options, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ovhtui: engine not wired yet")
	return exitProblems
}

func lookupNonEmpty(k string) bool { v, ok := os.LookupEnv(k); return ok && v != "" }
