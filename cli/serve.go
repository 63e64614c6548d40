package cli

import (
	"bytes"
	"strings"

	"context"
	"errors"
	"fmt"
	gossh "golang.org/x/crypto/ssh"
	"io/fs"
	"net"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/serve"
	"github.com/ovhtui/ovhtui/shutdown"
	"github.com/ovhtui/ovhtui/tui"
)

// serveFlags are the flags of `ovhtui serve` beside the engine's.
type serveFlags struct {
	addr           string
	authorizedKeys string
	hostKey        string
}

// Default file names of serve, in the state folder (the folder of --prefs).
const (
	authorizedKeysName = "authorized_keys"
	hostKeyName        = "ssh_host_ed25519_key"
)

// serveCommand is `ovhtui serve`: one engine, its dashboard over SSH.
func (a *app) serveCommand() *cobra.Command {
	var (
		o  options
		sf serveFlags
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the engine and serve its dashboard over SSH (any number of sessions, one engine)",
		Long: "Runs the engine and serves the dashboard over SSH: `ssh -p 2222 host` opens the same UI as\n" +
			"`ovhtui run`, every screen and key, for as many sessions as attach; detaching never stops the\n" +
			"engine. Only the public keys of the authorized keys file get in (the option ovhtui-read-only\n" +
			"before a key makes its sessions watch-only). Logs go to stdout, as headless.",
		Example: "ovhtui serve\nssh -p 2222 localhost\novhtui serve --demo --metrics 127.0.0.1:9188\n" +
			"ovhtui serve --prefs /data/preferences.json --ssh 0.0.0.0:2222",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkEngineFlags(cmd, &o); err != nil {
				return err
			}
			if _, _, err := net.SplitHostPort(sf.addr); err != nil {
				return usageError(cmd, "--ssh %q is not HOST:PORT", sf.addr)
			}
			return a.serve(cmd, o, sf)
		},
	}
	fs := cmd.Flags()
	addEngineFlags(fs, &o)
	fs.StringVar(&sf.addr, "ssh", serve.DefaultAddr, "listen for SSH on `ADDR` (HOST:PORT)")
	fs.StringVar(&sf.authorizedKeys, "authorized-keys", "", "the public keys let in, OpenSSH's format (`PATH`; default "+authorizedKeysName+" beside --prefs)")
	fs.StringVar(&sf.hostKey, "host-key", "", "the server's ed25519 key, created on first use (`PATH`; default "+hostKeyName+" beside --prefs)")
	return cmd
}

// serveFrontEnd is the setup of serve: logs to stdout as headless; it
// never exits for having nothing to do (a session may add an entry).
var serveFrontEnd = frontEnd{logsToStdout: true, catalogAtOnce: true}

// serve runs the engine and the SSH server until a signal comes.
func (a *app) serve(cmd *cobra.Command, opts options, sf serveFlags) error {
	ctx, stop := shutdown.Context(cmd.Context())
	defer stop()
	state := filepath.Dir(opts.prefsPath) // the folder of --prefs as given, not the demo's copy
	keys, host := sf.authorizedKeys, sf.hostKey
	if keys == "" {
		keys = filepath.Join(state, authorizedKeysName)
	}
	if host == "" {
		host = filepath.Join(state, hostKeyName)
	}
	if !opts.demo {
		// Before anything is locked or started: nobody could get in.
		if err := serve.CheckAuthorizedKeys(keys); err != nil {
			return a.failure(cmd, exitUsage, err)
		}
	}
	hub := serve.NewHub()
	fe := serveFrontEnd
	fe.listeners = []func(order.Event){hub.Publish} // every event, from the first
	r, code := a.setupEngine(ctx, opts, fe)
	if code != exitOK {
		return exitCode(code)
	}
	defer r.close()
	if r.demo != nil {
		var err error
		if keys, host, err = a.demoKeys(r, sf, keys, host); err != nil {
			fmt.Fprintln(a.stderr, "ovhtui: demo:", err)
			return exitCode(exitUsage)
		}
	}

	srv, err := serve.New(serve.Options{
		Addr: sf.addr, AuthorizedKeys: keys, HostKey: host, Hub: hub, Log: r.log,
		Deps: func() tui.Deps { return a.uiDeps(r) },
	})
	if err != nil {
		return a.failure(cmd, exitUsage, err)
	}

	engCtx, stopEng := context.WithCancel(context.Background())
	defer stopEng()
	engDone := make(chan error, 1)
	go func() { engDone <- r.eng.Run(engCtx) }()
	printed := make(chan struct{})
	go func() {
		order.RunHeadless(context.Background(), r.events, r.log) // drains until Run ends
		hub.Close()
		close(printed)
	}()
	srvErr := srv.Serve(ctx, func(addr net.Addr) {
		if r.demo != nil {
			fmt.Fprintf(a.stderr, "demo: simulator at %s, preferences in %s\n", r.demo.endpoint, r.demo.prefsPath)
		}
		fmt.Fprintf(a.stderr, "ovhtui serve: the dashboard is at ssh -p %d %s (keys from %s)\n", addr.(*net.TCPAddr).Port, hostForSSH(addr), keys)
	})
	// A signal (or a listener failure): the engine finishes a checkout in
	// flight and saves before Run returns.
	stopEng()
	engErr := <-engDone
	<-printed
	if srvErr != nil {
		fmt.Fprintln(a.stderr, "ovhtui serve:", srvErr)
		return exitCode(exitProblems)
	}
	if engErr != nil {
		r.log.Error("engine stopped", "err", engErr)
		return exitCode(exitProblems)
	}
	return nil
}

// hostForSSH is what to type after ssh for addr.
func hostForSSH(addr net.Addr) string {
	ta, ok := addr.(*net.TCPAddr)
	if !ok || ta.IP.IsUnspecified() || ta.IP.IsLoopback() {
		return "localhost"
	}
	return ta.IP.String()
}

// demoKeys makes `ovhtui serve --demo` work as is: without an authorized
// keys file where it is looked for, the demo lets in the user's own public
// keys (~/.ssh/authorized_keys and ~/.ssh/*.pub, copied into its temp
// folder), and its host key lives in that folder unless --host-key says.
func (a *app) demoKeys(r *engineRun, sf serveFlags, keys, host string) (string, string, error) {
	tmp := filepath.Dir(r.demo.prefsPath)
	if sf.hostKey == "" {
		host = filepath.Join(tmp, hostKeyName)
	}
	if _, err := os.Stat(keys); sf.authorizedKeys != "" || !errors.Is(err, fs.ErrNotExist) {
		return keys, host, nil
	}
	home := a.env.get("HOME")
	if home == "" {
		return "", "", fmt.Errorf("no %s and no home folder to find your public keys in", keys)
	}
	var lines []byte
	var from []string
	cands, _ := filepath.Glob(filepath.Join(home, ".ssh", "*.pub"))
	for _, p := range append([]string{filepath.Join(home, ".ssh", "authorized_keys")}, cands...) {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		n := 0
		for rest := b; len(bytes.TrimSpace(rest)) > 0; {
			key, comment, _, next, err := gossh.ParseAuthorizedKey(rest)
			if err != nil {
				break
			}
			// The key alone: options of the user's own file mean nothing here.
			lines = append(lines, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(key)))+" "+comment+"\n"...)
			rest, n = next, n+1
		}
		if n > 0 {
			from = append(from, p)
		}
	}
	if len(from) == 0 {
		return "", "", fmt.Errorf("no %s, and no public key in %s: create one with ssh-keygen -t ed25519, or give --authorized-keys", keys, filepath.Join(home, ".ssh"))
	}
	demoKeys := filepath.Join(tmp, authorizedKeysName)
	if err := os.WriteFile(demoKeys, lines, 0o600); err != nil {
		return "", "", err
	}
	fmt.Fprintf(a.stderr, "demo: letting in the public keys of %v\n", from)
	return demoKeys, host, nil
}
