// Command ovhtui watches OVHcloud ECO dedicated servers and orders them the
// moment they come back in stock. See README.md.
package main

import "os"

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int { return 0 }
