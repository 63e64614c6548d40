package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/ovhtui/ovhtui/account"
)

// TestEveryCommandPrintsJSON runs every command that has --json and parses
// what it prints: stdout holds one JSON document and nothing else.
func TestEveryCommandPrintsJSON(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	src, err := os.ReadFile(filepath.Join(rootDir, "prefs", "testdata", "example1.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, "preferences.json", string(src))

	// A server's name, for renew by name.
	code, out, errOut := e.run("servers", "--demo", "--json")
	var servers []account.Server
	if code != exitOK || json.Unmarshal([]byte(out), &servers) != nil || len(servers) == 0 {
		t.Fatalf("servers --json: exit %d\n%s\n%s", code, out, errOut)
	}
	runs := [][]string{
		{"orders", "--demo", "--json"},
		{"servers", "--demo", "--json"},
		{"pay", "200000002", "--demo", "--yes", "--json"},
		{"renew", "120000001", "--period", "P1M", "--demo", "--yes", "--json"},
		{"renew", servers[0].Name, "--period", "P1M", "--dry-run", "--demo", "--json"},
		{"check", "--json", "--prefs", p},
		{"--check", "--json", "--prefs", p},
		{"history", "--json", "--history", filepath.Join(t.TempDir(), "history.db")},
	}
	covered := map[string]bool{}
	for _, args := range runs {
		code, out, errOut := e.run(args...)
		if code != exitOK {
			t.Errorf("%v: exit %d\nstdout %s\nstderr %s", args, code, out, errOut)
			continue
		}
		var v any
		dec := json.NewDecoder(strings.NewReader(out))
		if err := dec.Decode(&v); err != nil || dec.More() {
			t.Errorf("%v: stdout is not one JSON document (%v):\n%s", args, err, out)
			continue
		}
		if m, ok := v.(map[string]any); ok && args[0] == "renew" && m["server"] == nil {
			t.Errorf("%v: no server in %s", args, out)
		}
		covered[args[0]] = true
	}
	// Every command with --json is run above.
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Flags().Lookup("json") != nil && c.HasParent() && !covered[c.Name()] {
			t.Errorf("%s has --json but is not run by this test", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(e.app().rootCommand())
}

// TestRenewNamesAServerThatRenewsByItself: renew takes a server's name as
// well as its service id, and says first when the server renews by itself.
func TestRenewNamesAServerThatRenewsByItself(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	_, out, _ := e.run("servers", "--demo", "--json")
	var servers []account.Server
	if err := json.Unmarshal([]byte(out), &servers); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(servers, func(s account.Server) bool { return !s.Manual() && !s.DeleteAtExpiration })
	if i < 0 {
		t.Fatalf("no automatic server in the demo: %+v", servers)
	}
	code, out, errOut := e.run("renew", servers[i].Name, "--period", "P1M", "--dry-run", "--demo")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	first, _, _ := strings.Cut(out, "\n")
	if !strings.Contains(first, servers[i].Name+" renews by itself") {
		t.Errorf("the first line does not say it renews by itself:\n%s", out)
	}
}

// TestCompletions: `ovhtui completion SHELL` prints a script for
// bash, zsh and fish.
func TestCompletions(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	for shell, want := range map[string]string{"bash": "__start_ovhtui", "zsh": "#compdef ovhtui", "fish": "complete -c ovhtui"} {
		code, out, errOut := e.run("completion", shell)
		if code != exitOK || !strings.Contains(out, want) || errOut != "" {
			t.Errorf("completion %s: exit %d, stderr %q, stdout lacks %q", shell, code, errOut, want)
		}
	}
	// The completion script asks the binary for the commands.
	code, out, _ := e.run("__complete", "")
	for _, cmd := range []string{"run", "headless", "check", "notify-test", "orders", "pay", "servers", "renew"} {
		if code != exitOK || !strings.Contains(out, cmd) {
			t.Errorf("completion of commands lacks %s:\n%s", cmd, out)
		}
	}
}
