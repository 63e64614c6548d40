package order

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// localState tracks failures on this machine (preferences.json that cannot
// be saved or no longer parses) so that each is said once, then counted,
// never blamed on OVH; and order outcomes known but not yet saved, written
// as soon as the disk allows.
type localState struct {
	mu       sync.Mutex
	failures map[string]*localFailure // by topic: "latch", "reload"
	unsaved  map[string]unsavedOrder  // entry key -> order OVH created, not yet in the file
}

// localFailure is the failure last said for a topic and how often it
// happened since.
type localFailure struct {
	cause string
	count int
}

// unsavedOrder is an order OVH created whose record could not be saved.
type unsavedOrder struct {
	cart    string // the cart of the latch, to find the entry if its key changed
	dc      string
	orderID int64
	url     string
	cause   string
}

// note records a failure of topic. say is true the first time, and when
// the cause changed; count is how many times in a row it failed.
func (l *localState) note(topic, cause string) (say bool, count int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failures == nil {
		l.failures = map[string]*localFailure{}
	}
	f := l.failures[topic]
	if f == nil || f.cause != cause {
		f = &localFailure{cause: cause}
		l.failures[topic] = f
		say = true
	}
	f.count++
	return say, f.count
}

// ok records a success of topic and returns how many failures it ends (0
// when there were none).
func (l *localState) ok(topic string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := l.failures[topic]
	delete(l.failures, topic)
	if f == nil {
		return 0
	}
	return f.count
}

// whatToDo says what the user can do about a failure to save or read the
// preferences file.
func whatToDo(err error) string {
	var pe *prefs.ParseError
	switch {
	case errors.As(err, &pe):
		return "fix the file (ovhtui --check lists every problem)"
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return "free some disk space"
	case errors.Is(err, syscall.EROFS):
		return "the file system is read-only: remount it read-write or move the file"
	case errors.Is(err, fs.ErrPermission):
		return "make the file and its folder writable by ovhtui"
	case errors.Is(err, fs.ErrNotExist):
		return "the file or its folder is gone: put it back"
	default:
		return "check the file and its folder"
	}
}

// latchNotSaved reports a checkout not attempted because the latch could
// not be saved: a failure here, not at OVH, and nothing was sent. It is
// said once per cause, then counted in the entry's status.
func (e *Engine) latchNotSaved(key, dc string, err error) {
	cause := causeOf(err)
	say, n := e.local.note("latch", cause)
	if say {
		e.emit(Info{Base: e.base(key, dc), Sev: slog.LevelError, Text: fmt.Sprintf(
			"order in %s not attempted: the latch could not be saved to %s, so nothing was sent to OVH (%s); %s. ovhtui tries again at each poll and says so once it can save.",
			dc, e.store.Path(), cause, whatToDo(err))})
	}
	e.setStatus(key, dc, StatusError, fmt.Sprintf("latch not saved (%s): nothing sent to OVH", plural(n, "1 attempt", fmt.Sprintf("%d attempts", n))))
}

// latchSaved ends a run of failed latch saves, saying how many there were.
func (e *Engine) latchSaved(key, dc string) {
	if n := e.local.ok("latch"); n > 0 {
		e.emit(Info{Base: e.base(key, dc), Sev: slog.LevelWarn, Text: fmt.Sprintf(
			"%s can be saved again, after %s: ordering goes on", e.store.Path(), plural(n, "1 failed latch save", fmt.Sprintf("%d failed latch saves", n)))})
	}
}

// reloadFailed reports that preferences.json could not be reloaded (it no
// longer parses, or cannot be read), once per cause, then counts.
func (e *Engine) reloadFailed(err error) {
	cause := causeOf(err)
	if say, _ := e.local.note("reload", cause); say {
		e.emit(Info{Base: e.base("", ""), Sev: slog.LevelError, Text: fmt.Sprintf(
			"preferences not reloaded (%s); %s. ovhtui keeps the last good content, saves nothing over the file, and says so once it reads it again.", cause, whatToDo(err))})
	}
}

// causeOf is what to tell of a failure to save or read the preferences:
// the parse error itself ("file:line:column: reason") when the file no
// longer parses, else the whole error.
func causeOf(err error) string {
	var pe *prefs.ParseError
	if errors.As(err, &pe) {
		return pe.Error()
	}
	return err.Error()
}

// reloaded ends a run of failed reloads.
func (e *Engine) reloaded() {
	if n := e.local.ok("reload"); n > 0 {
		e.emit(Info{Base: e.base("", ""), Sev: slog.LevelWarn, Text: fmt.Sprintf(
			"%s reads again, after %s", e.store.Path(), plural(n, "1 failed reload", fmt.Sprintf("%d failed reloads", n)))})
	}
}

// orderNotSaved keeps an order OVH created whose record could not be
// saved; saveUnsaved writes it as soon as the disk allows. Meanwhile the
// latch on disk keeps the entry from being bought again, and a restart
// finds the order at OVH.
func (e *Engine) orderNotSaved(key, cart, dc string, orderID int64, url string, err error) {
	e.local.mu.Lock()
	if e.local.unsaved == nil {
		e.local.unsaved = map[string]unsavedOrder{}
	}
	e.local.unsaved[key] = unsavedOrder{cart: cart, dc: dc, orderID: orderID, url: url, cause: causeOf(err)}
	e.local.mu.Unlock()
	e.emit(Info{Base: e.base(key, dc), Sev: slog.LevelError, Text: fmt.Sprintf(
		"order %d placed in %s, but it could not be saved to %s (%s); %s. ovhtui writes it as soon as it can; the entry stays latched meanwhile, so nothing is bought twice.",
		orderID, dc, e.store.Path(), causeOf(err), whatToDo(err))})
}

// saveUnsaved writes the orders known but not yet saved. It is called every
// poll cycle and when Run ends.
func (e *Engine) saveUnsaved() {
	e.local.mu.Lock()
	pending := make(map[string]unsavedOrder, len(e.local.unsaved))
	for k, u := range e.local.unsaved {
		pending[k] = u
	}
	e.local.mu.Unlock()
	for key, u := range pending {
		err := e.update(fmt.Sprintf("order %d in %s, saved late", u.orderID, u.dc),
			recordOrderChange(key, u.cart, u.dc, u.orderID, u.url, e.now()))
		e.local.mu.Lock()
		if err == nil || errors.Is(err, errNoEntry) {
			delete(e.local.unsaved, key)
		} else {
			u.cause = causeOf(err)
			e.local.unsaved[key] = u
		}
		e.local.mu.Unlock()
		if err == nil {
			e.emit(Info{Base: e.base(key, u.dc), Sev: slog.LevelWarn, Text: fmt.Sprintf("order %d in %s is now saved to %s", u.orderID, u.dc, e.store.Path())})
		}
	}
}

// unsavedLines describes, for the final summary, the orders OVH created
// that preferences.json still lacks, by entry key.
func (e *Engine) unsavedLines() map[string]string {
	e.local.mu.Lock()
	defer e.local.mu.Unlock()
	out := map[string]string{}
	for key, u := range e.local.unsaved {
		out[key] = fmt.Sprintf("ORDER %d PLACED in %s %s, but NOT SAVED to preferences.json (%s): the next start finds it at OVH and records it",
			u.orderID, u.dc, ovhapi.OrderLink(u.url), u.cause)
	}
	return out
}

// Summary is the final output of --headless: one line per entry (see
// Summary), saying of an order OVH created that the file lacks that it was
// placed and not saved, rather than that its outcome is unknown.
func (e *Engine) Summary() []string {
	f := e.store.Snapshot()
	lines := Summary(f)
	unsaved := e.unsavedLines()
	for i, s := range f.Servers {
		if line, ok := unsaved[s.Key()]; ok && i < len(lines) {
			name, _, _ := strings.Cut(lines[i], ": ")
			lines[i] = name + ": " + line
			delete(unsaved, s.Key())
		}
	}
	// Entries gone from the file meanwhile.
	keys := make([]string, 0, len(unsaved))
	for k := range unsaved {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		lines = append(lines, k+": "+unsaved[k])
	}
	return lines
}

// errUnsaved is returned by Run when orders OVH created are still not saved.
func (e *Engine) errUnsaved() error {
	e.local.mu.Lock()
	n := len(e.local.unsaved)
	e.local.mu.Unlock()
	if n == 0 {
		return nil
	}
	return fmt.Errorf("%s placed but not saved to %s (a restart records %s from OVH)",
		plural(n, "1 order", fmt.Sprintf("%d orders", n)), e.store.Path(), plural(n, "it", "them"))
}
