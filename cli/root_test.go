package cli

import (
	"os"
	"path/filepath"
)

// rootDir is the repository root (the parent of cli/), captured before
// tests change directory.
var rootDir = func() string { wd, _ := os.Getwd(); return filepath.Dir(wd) }()
