package serve

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Limits bound failed connections (a failed handshake or authentication)
// per peer address: after MaxFailures within Window, the address is
// refused for BlockFor, before any handshake work.
type Limits struct {
	MaxFailures int           // default 10
	Window      time.Duration // default 1 minute
	BlockFor    time.Duration // default 1 minute
	Now         func() time.Time
}

// maxTracked bounds the addresses remembered; older ones are forgotten first.
const maxTracked = 4096

type authLimiter struct {
	l  Limits
	mu sync.Mutex
	by map[string]*peerFailures
}

type peerFailures struct {
	recent       []time.Time // failures within the window
	blockedUntil time.Time
}

func newAuthLimiter(l Limits) *authLimiter {
	if l.MaxFailures <= 0 {
		l.MaxFailures = 10
	}
	if l.Window <= 0 {
		l.Window = time.Minute
	}
	if l.BlockFor <= 0 {
		l.BlockFor = time.Minute
	}
	if l.Now == nil {
		l.Now = time.Now
	}
	return &authLimiter{l: l, by: map[string]*peerFailures{}}
}

// allow reports whether host may connect now.
func (a *authLimiter) allow(host string) bool {
	now := a.l.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	p := a.by[host]
	return p == nil || !now.Before(p.blockedUntil)
}

// fail counts a failure of host; it returns how long host is now blocked
// for (0: not blocked by this failure) and its failures in the window.
func (a *authLimiter) fail(host string) (time.Duration, int) {
	now := a.l.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	p := a.by[host]
	if p == nil {
		if len(a.by) >= maxTracked {
			a.prune(now)
		}
		p = &peerFailures{}
		a.by[host] = p
	}
	keep := p.recent[:0]
	for _, t := range p.recent {
		if now.Sub(t) < a.l.Window {
			keep = append(keep, t)
		}
	}
	p.recent = append(keep, now)
	n := len(p.recent)
	if n >= a.l.MaxFailures && !now.Before(p.blockedUntil) {
		p.blockedUntil = now.Add(a.l.BlockFor)
		p.recent = p.recent[:0]
		return a.l.BlockFor, n
	}
	return 0, n
}

// prune forgets the addresses neither blocked nor failing lately; if all
// are, it forgets them all but the blocked ones.
func (a *authLimiter) prune(now time.Time) {
	for h, p := range a.by {
		if now.After(p.blockedUntil) && (len(p.recent) == 0 || now.Sub(p.recent[len(p.recent)-1]) >= a.l.Window) {
			delete(a.by, h)
		}
	}
	if len(a.by) >= maxTracked {
		for h, p := range a.by {
			if now.After(p.blockedUntil) {
				delete(a.by, h)
			}
		}
	}
}

// idleWatch tracks a session's last input.
type idleWatch struct {
	timeout time.Duration
	last    atomic.Int64 // unix nanoseconds
}

func newIdleWatch(timeout time.Duration) *idleWatch {
	w := &idleWatch{timeout: timeout}
	w.touch()
	return w
}

func (w *idleWatch) touch() { w.last.Store(time.Now().UnixNano()) }

// wait returns true once the session had no input for the timeout, false
// when ctx ends first.
func (w *idleWatch) wait(ctx context.Context) bool {
	t := time.NewTimer(w.timeout)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
			left := w.timeout - time.Since(time.Unix(0, w.last.Load()))
			if left <= 0 {
				return true
			}
			t.Reset(left)
		}
	}
}
