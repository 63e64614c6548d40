package cli

import (
	"io"
	"strings"
	"sync"

	"github.com/ovhtui/ovhtui/secret"
)

// secretEnv are the environment variables whose values must never be shown.
var secretEnv = []string{"OVH_APPLICATION_SECRET", "OVH_CONSUMER_KEY", "OVH_CLIENT_SECRET", "OVH_ACCESS_TOKEN"}

// redactor holds the secret values of one run (credentials, notification
// tokens) and scrubs them from anything written.
type redactor struct {
	mu      sync.Mutex
	fromEnv []string // collect
	others  []string // register
}

// collect remembers the secret values present in env (after the --env
// file is loaded); values registered before are kept.
func (r *redactor) collect(env *environ) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fromEnv = r.fromEnv[:0]
	for _, k := range secretEnv {
		if v := env.get(k); len(v) >= 4 {
			r.fromEnv = append(r.fromEnv, v)
		}
	}
	// The journal scrubs what it writes with package secret.
	secret.Register(r.fromEnv...)
}

// register adds values (notification tokens) to scrub.
func (r *redactor) register(vals ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range vals {
		if len(v) >= 4 {
			r.others = append(r.others, v)
		}
	}
	secret.Register(vals...)
}

// redact replaces every known secret value in s.
func (r *redactor) redact(s string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range r.fromEnv {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	for _, v := range r.others {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	return s
}

// writer scrubs secrets from everything written through it to w: the
// last line of defence for logs.
func (r *redactor) writer(w io.Writer) io.Writer { return redactingWriter{w, r} }

type redactingWriter struct {
	w io.Writer
	r *redactor
}

func (rw redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(rw.w, rw.r.redact(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
