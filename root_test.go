package main

import "os"

// rootDir is the repository root, captured before tests change directory.
var rootDir, _ = os.Getwd()
