package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/ovhtui/ovhtui/vtscreen"
)

// notifyingBuffer is an output the test waits on.
type notifyingBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	notify chan struct{}
}

func newNotifyingBuffer() *notifyingBuffer { return &notifyingBuffer{notify: make(chan struct{})} }

func (n *notifyingBuffer) Write(p []byte) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	close(n.notify)
	n.notify = make(chan struct{})
	return n.b.Write(p)
}

// waitMatch waits until re matches the output and returns the match.
func (n *notifyingBuffer) waitMatch(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.After(guardBound)
	for {
		n.mu.Lock()
		s, ch := n.b.String(), n.notify
		n.mu.Unlock()
		if m := re.FindStringSubmatch(s); m != nil {
			return m
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("timeout waiting for %s in:\n%s", re, s)
		}
	}
}

// sshScreen is what a terminal shows of an SSH session's output: the
// renderer sends only the cells that changed, so a text may never appear
// whole in the raw stream.
type sshScreen struct {
	mu     sync.Mutex
	screen *vtscreen.Screen
	notify chan struct{}
}

func newSSHScreen(rows, cols int) *sshScreen {
	return &sshScreen{screen: vtscreen.New(rows, cols), notify: make(chan struct{})}
}

func (s *sshScreen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.notify)
	s.notify = make(chan struct{})
	return s.screen.Write(p)
}

// waitMatch waits until re matches a row the screen showed, spaces
// removed, and returns the match.
func (s *sshScreen) waitMatch(t *testing.T, re *regexp.Regexp) []string {
	t.Helper()
	deadline := time.After(guardBound) // a bound, not a measure
	for {
		s.mu.Lock()
		m, ch := s.screen.Match(re), s.notify
		s.mu.Unlock()
		if m != nil {
			return m
		}
		select {
		case <-ch:
		case <-deadline:
			s.mu.Lock()
			defer s.mu.Unlock()
			t.Fatalf("timeout waiting for %s on the screen:\n%s", re, s.screen.Text())
		}
	}
}

// `ovhtui serve --demo`, then ssh: the live demo, with the user's own
// public key; the metrics count the demo's order.
func TestServeDemoOverSSH(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	home := e.vars["HOME"]
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".ssh", "id_ed25519.pub"), gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"serve", "--demo", "--ssh", "127.0.0.1:0", "--metrics", "127.0.0.1:0"}
	stdout, stderr := newNotifyingBuffer(), newNotifyingBuffer()
	a := newApp(e.process(args, stdout, stderr))
	// Not a test of the history: a day of it, not the month the demo
	// seeds (seconds under -race) before its UI shows.
	a.demoHistoryDays = 1
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- a.run(ctx, args) }()
	defer func() {
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("serve exited %d:\n%s", code, stderr.b.String())
		}
		if _, err := os.Stat(hostKeyName); err == nil {
			t.Error("the demo wrote a host key beside --prefs")
		}
	}()
	port := stderr.waitMatch(t, regexp.MustCompile(`ssh -p (\d+) localhost`))[1]
	metricsAddr := stdout.waitMatch(t, regexp.MustCompile(`metrics: serving.* addr=(\S+)`))[1]

	c, err := gossh.Dial("tcp", "127.0.0.1:"+port, &gossh.ClientConfig{User: "me", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("ssh: %v", err)
	}
	defer c.Close()
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	screen := newSSHScreen(40, 120)
	s.Stdout = screen
	if err := s.Shell(); err != nil {
		t.Fatal(err)
	}
	// The demo's story orders at once: the session sees it, then the metrics count it.
	screen.waitMatch(t, regexp.MustCompile(`KS-LE-B`))
	screen.waitMatch(t, regexp.MustCompile(`ORDERPLACED:#(\d+)`))
	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The metrics hear each event before the sessions do (setupEngine's
	// listeners), so the order the screen showed is counted. The story may
	// have placed another since (a server of the demo comes back every 3 s),
	// so the count is at least 1, not exactly 1.
	for _, name := range []string{"ovhtui_orders_placed_total", `ovhtui_checkouts_total{result="placed"}`} {
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` (\d+)$`).FindStringSubmatch(string(body))
		if m == nil || m[1] == "0" {
			t.Errorf("/metrics: %s is %v, want the order shown counted:\n%s", name, m, body)
		}
	}
}

func TestServeRefusesWithoutAuthorizedKeys(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	prefs := writeFile(t, "preferences.json", `{"subsidiary": "IE", "user_servers": []}`)
	code, _, stderr := e.run("serve", "--prefs", prefs, "--ssh", "127.0.0.1:0", "--env", "/dev/null")
	if code != exitUsage || !strings.Contains(stderr, "authorized_keys") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
}
