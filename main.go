// Command ovhtui watches OVHcloud ECO dedicated servers (Kimsufi, So you
// Start, Rise) and orders them the moment they come back in stock, within
// the ceiling price the user set in preferences.json. See README.md and
// package cli, which holds the commands.
package main

import (
	"os"

	// First: the shutdown signals are caught from package initialization on.
	_ "github.com/ovhtui/ovhtui/shutdown/atstart"

	"github.com/ovhtui/ovhtui/cli"
)

// version is set at build time with -ldflags "-X main.version=..."; go
// install fills it from the module version.
var version = "dev"

func main() { os.Exit(cli.Main(version)) }
