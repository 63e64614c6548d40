// Package serve serves ovhtui's dashboard over SSH (ovhtui serve): one
// engine, any number of sessions, each with its own window and screen.
//
// Data flow: the engine's events reach Hub.Publish (a listener of the
// event fan-out); each SSH session subscribes to the hub and runs its own
// tui.Model on that subscription, which starts with the current state.
// Sessions act through the same functions as the local UI (preferences
// through the Store, buys through the engine, payments and renewals
// through the account client), so every euro still goes through the one
// money gate; a read-only key's session changes nothing. Detaching ends
// the session, never the engine.
//
// The door is the user's money: public-key authentication only, against
// the authorized keys file (read at each attempt, so a removed line locks
// out at once); failed connections are logged with the peer address and
// rate-limited per address; idle sessions are closed.
package serve

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/activeterm"
	bm "charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/ovhtui/ovhtui/tui"
)

// Defaults of Options.
const (
	DefaultAddr        = "127.0.0.1:2222"
	DefaultIdleTimeout = 30 * time.Minute
	handshakeTimeout   = 10 * time.Second
	maxConns           = 64 // connections at once, authenticated or not
)

// Options configure a Server.
type Options struct {
	// Addr is where to listen (default DefaultAddr).
	Addr string
	// AuthorizedKeys is the authorized keys file (required; see
	// LoadAuthorizedKeys). HostKey is the host key file, created on first use.
	AuthorizedKeys, HostKey string
	// Hub delivers the engine's events (required).
	Hub *Hub
	// Deps returns the UI's dependencies for a new session: the same the
	// local UI gets. The server sets Events, ReadOnly and Detach (required).
	Deps func() tui.Deps
	// Log receives connections, sessions and refusals (default: discard).
	Log *slog.Logger
	// IdleTimeout closes a session without a key press or mouse event for
	// that long (default DefaultIdleTimeout).
	IdleTimeout time.Duration
	// Limits of failed connections per address (defaults: see authLimiter).
	Limits Limits
}

// Server is the SSH server. Create it with New, run it with Serve.
type Server struct {
	opts    Options
	srv     *ssh.Server
	limiter *authLimiter
	cats    *catalogFan // nil without catalog updates
	conns   atomic.Int64

	mu       sync.Mutex
	ln       net.Listener
	sessions int
}

// ctxKey keys what the authentication leaves in the connection's context.
type ctxKey string

const (
	ctxReadOnly ctxKey = "ovhtui-read-only"
	ctxKeyName  ctxKey = "ovhtui-key"
)

// New checks the authorized keys file, loads or creates the host key and
// builds the server. It does not listen yet.
func New(opts Options) (*Server, error) {
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Hub == nil || opts.Deps == nil {
		return nil, errors.New("serve: Hub and Deps are required")
	}
	if err := CheckAuthorizedKeys(opts.AuthorizedKeys); err != nil {
		return nil, err
	}
	signer, err := LoadOrCreateHostKey(opts.HostKey)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, limiter: newAuthLimiter(opts.Limits)}
	if up := opts.Deps().CatalogUpdates; up != nil {
		s.cats = newCatalogFan(up)
	}
	srv, err := wish.NewServer(
		wish.WithAddress(opts.Addr),
		wish.WithPublicKeyAuth(s.authorize),
		wish.WithMiddleware(
			bm.MiddlewareWithProgramHandler(s.program),
			activeterm.Middleware(),
			s.onlyTheDashboard,
		),
	)
	if err != nil {
		return nil, err
	}
	srv.AddHostKey(signer)
	srv.HandshakeTimeout = handshakeTimeout
	srv.ConnCallback = s.admit
	srv.ConnectionFailedCallback = s.failed
	srv.ConnectionCloseCallback = func(net.Conn) { s.conns.Add(-1) }
	// Password and keyboard-interactive: no handler, so the SSH library
	// offers neither and refuses both.
	srv.PasswordHandler, srv.KeyboardInteractiveHandler = nil, nil
	s.srv = srv
	return s, nil
}

// Serve listens on Options.Addr and serves until ctx is done, then closes
// every session. It returns an error only when it could not listen or the
// listener failed.
func (s *Server) Serve(ctx context.Context, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("ssh: listen on %s: %w", s.opts.Addr, err)
	}
	s.mu.Lock()
	s.ln = ln
	s.mu.Unlock()
	s.opts.Log.Info("ssh: serving the dashboard", "addr", ln.Addr().String(), "authorized_keys", s.opts.AuthorizedKeys)
	if ready != nil {
		ready(ln.Addr())
	}
	stopped := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			_ = s.srv.Close()
		case <-stopped:
		}
	}()
	err = s.srv.Serve(ln)
	close(stopped)
	if errors.Is(err, ssh.ErrServerClosed) || ctx.Err() != nil {
		return nil
	}
	return err
}

// Sessions is the number of sessions open now.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// admit refuses a connection from a blocked address, or beyond maxConns,
// before any handshake work.
func (s *Server) admit(_ ssh.Context, conn net.Conn) net.Conn {
	host := hostOf(conn.RemoteAddr())
	if !s.limiter.allow(host) {
		_ = conn.Close()
		return nil
	}
	if s.conns.Add(1) > maxConns {
		s.conns.Add(-1)
		s.opts.Log.Warn("ssh: connection refused, too many at once", "peer", conn.RemoteAddr().String(), "max", maxConns)
		_ = conn.Close()
		return nil
	}
	return conn
}

// failed logs a connection that failed its handshake or authentication,
// and counts it against its address.
func (s *Server) failed(conn net.Conn, err error) {
	peer := conn.RemoteAddr().String()
	blocked, n := s.limiter.fail(hostOf(conn.RemoteAddr()))
	s.opts.Log.Warn("ssh: connection failed", "peer", peer, "err", err.Error(), "failures", n)
	if blocked > 0 {
		s.opts.Log.Warn("ssh: address blocked after repeated failures", "peer", hostOf(conn.RemoteAddr()), "for", blocked.String())
	}
}

// authorize lets in a key listed in the authorized keys file, read now.
func (s *Server) authorize(ctx ssh.Context, key ssh.PublicKey) bool {
	keys, err := LoadAuthorizedKeys(s.opts.AuthorizedKeys)
	if err != nil {
		s.opts.Log.Error("ssh: authorized keys unreadable, nobody is let in", "err", err.Error())
		return false
	}
	ak, ok := find(keys, key)
	if !ok {
		return false
	}
	ctx.SetValue(ctxReadOnly, ak.ReadOnly)
	name := gossh.FingerprintSHA256(key)
	if ak.Comment != "" {
		name = ak.Comment + " " + name
	}
	ctx.SetValue(ctxKeyName, name)
	return true
}

// onlyTheDashboard refuses commands and subsystems: a session gets the
// dashboard and nothing else.
func (s *Server) onlyTheDashboard(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if len(sess.Command()) > 0 || sess.Subsystem() != "" {
			wish.Println(sess, "ovhtui serves its dashboard only: connect without a command")
			_ = sess.Exit(1)
			return
		}
		next(sess)
	}
}

// program builds the session's UI on its own subscription of the hub.
func (s *Server) program(sess ssh.Session) *tea.Program {
	ctx := sess.Context()
	readOnly, _ := ctx.Value(ctxReadOnly).(bool)
	keyName, _ := ctx.Value(ctxKeyName).(string)
	events, replayed, unsubscribe := s.opts.Hub.Subscribe()

	d := s.opts.Deps()
	d.Events = events
	d.CatalogUpdates = nil
	if s.cats != nil {
		d.CatalogUpdates = s.cats.subscribe(ctx)
	}
	d.Detach = true
	d.Farewell = nil
	if readOnly {
		readOnlyDeps(&d)
	}
	m := tui.NewSession(ctx, d, replayed)

	idle := newIdleWatch(s.opts.IdleTimeout)
	// No tea.WithContext: the middleware quits the program when the
	// session ends, which is a clean exit rather than a kill.
	opts := append(bm.MakeOptions(sess),
		tea.WithFPS(20),
		tea.WithFilter(func(_ tea.Model, msg tea.Msg) tea.Msg {
			switch msg.(type) {
			case tea.SuspendMsg:
				return tea.ResumeMsg{} // no suspending the server (as bm.MakeOptions does)
			case tea.KeyPressMsg, tea.MouseMsg, tea.PasteMsg:
				idle.touch()
			}
			return msg
		}),
	)
	p := tea.NewProgram(m, opts...)

	peer := sess.RemoteAddr().String()
	s.mu.Lock()
	s.sessions++
	s.mu.Unlock()
	start := time.Now()
	s.opts.Log.Info("ssh: session opened", "peer", peer, "key", keyName, "read_only", readOnly)
	go func() {
		timedOut := idle.wait(ctx)
		if timedOut {
			s.opts.Log.Info("ssh: idle session closed", "peer", peer, "idle", s.opts.IdleTimeout.String())
			p.Quit()
			_ = sess.Close()
		}
		unsubscribe()
		s.mu.Lock()
		s.sessions--
		s.mu.Unlock()
		s.opts.Log.Info("ssh: session closed", "peer", peer, "key", keyName, "lasted", time.Since(start).Round(time.Second).String())
	}()
	return p
}

// hostOf is the address without its port, the unit of rate limiting.
func hostOf(a net.Addr) string {
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}
