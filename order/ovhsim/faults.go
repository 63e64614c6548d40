package ovhsim

import (
	"net/http"
	pathpkg "path"
	"strconv"
	"strings"
	"time"
)

// Fault is an injected misbehaviour of the API on some requests.
//
// Without AfterHandler the fault answers instead of the API (the request
// has no effect): after waiting Delay (or until Hold is closed), it drops
// the connection (DropConnection), or answers Status with Body (default:
// an OVH-shaped error for Status), or, with Status 0 and a Body, answers
// 200 with that raw Body (a malformed success). With only a Delay/Hold the
// request is then handled normally (a slow API).
//
// With AfterHandler the API handles the request first (a checkout creates
// its order) and the fault then replaces or drops the response: how tests
// make an ambiguous checkout whose order exists.
type Fault struct {
	Method string // "" matches any method
	// Path is relative to /1.0: an exact path, a prefix ending with "*"
	// ("/order/cart/*"), or a pattern whose "*" each match one segment
	// ("/order/cart/*/summary").
	Path string
	// Query, when set, must appear in the request's raw query
	// ("planCode=25skleb01"): a fault on one planCode's polls only.
	Query          string
	Status         int
	RetryAfter     time.Duration   // sets Retry-After (whole seconds, rounded up)
	Delay          time.Duration   // real time; returns early when the client gives up
	Hold           <-chan struct{} // wait until closed (or the client gives up)
	Body           string
	Times          int // how many requests it applies to; 0 = until removed
	DropConnection bool
	AfterHandler   bool
}

type faultEntry struct {
	id   int
	f    Fault
	left int // remaining applications; -1 = unlimited
}

// InjectFault adds a fault; the returned func removes it. Faults are tried
// in the order they were added; the first that matches applies.
func (s *Sim) InjectFault(f Fault) (remove func()) {
	id := s.injectFault(f)
	return func() { s.removeFault(id) }
}

func (s *Sim) injectFault(f Fault) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultSeq++
	fe := &faultEntry{id: s.faultSeq, f: f, left: -1}
	if f.Times > 0 {
		fe.left = f.Times
	}
	s.faults = append(s.faults, fe)
	return fe.id
}

func (s *Sim) removeFault(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, fe := range s.faults {
		if fe.id == id {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
			return true
		}
	}
	return false
}

// ClearFaults removes every fault.
func (s *Sim) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// waitOnly reports whether the fault only delays the request.
func (f *Fault) waitOnly() bool { return !f.DropConnection && f.Status == 0 && f.Body == "" }

func faultMatches(f Fault, method, path string) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, method) {
		return false
	}
	if pre, ok := strings.CutSuffix(f.Path, "*"); ok && !strings.Contains(pre, "*") {
		return strings.HasPrefix(path, pre)
	}
	if strings.Contains(f.Path, "*") {
		// "/order/cart/*/summary": each "*" stands for one path segment.
		ok, _ := pathpkg.Match(f.Path, path)
		return ok
	}
	return f.Path == path
}

// takeFaultLocked finds the first matching fault of the given kind and
// counts one use of it.
func (s *Sim) takeFaultLocked(method, path, rawQuery string, after bool) *Fault {
	for i, fe := range s.faults {
		if fe.f.AfterHandler != after || !faultMatches(fe.f, method, path) || !strings.Contains(rawQuery, fe.f.Query) {
			continue
		}
		f := fe.f
		if fe.left > 0 {
			fe.left--
			if fe.left == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		return &f
	}
	return nil
}

// applyFault waits as the fault says, then returns the reply to send
// (nil when the connection was dropped or the client left). prev is the
// handler's reply for an AfterHandler fault, nil before the handler; a
// fault that only waits returns prev.
func (s *Sim) applyFault(w http.ResponseWriter, r *http.Request, f *Fault, prev *reply) *reply {
	ctx := r.Context()
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil
		}
	}
	if f.Hold != nil {
		select {
		case <-f.Hold:
		case <-ctx.Done():
			return nil
		}
	}
	if f.DropConnection {
		dropConnection(w)
		return nil
	}
	var rep *reply
	switch {
	case f.Status != 0 && f.Body != "":
		rep = &reply{status: f.Status, body: []byte(f.Body)}
	case f.Status != 0:
		msg := http.StatusText(f.Status)
		if f.Status == http.StatusTooManyRequests {
			msg = "Too many requests"
		}
		rep = errReply(&apiError{status: f.Status, class: classFor(f.Status), message: msg})
	case f.Body != "":
		rep = &reply{status: http.StatusOK, body: []byte(f.Body)}
	default:
		return prev
	}
	if f.RetryAfter > 0 {
		secs := int((f.RetryAfter + time.Second - 1) / time.Second)
		rep.header = http.Header{"Retry-After": {strconv.Itoa(secs)}}
	}
	return rep
}

// dropConnection closes the client connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
