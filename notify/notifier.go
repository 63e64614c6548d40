// Package notify tells the user what matters wherever they are: it turns
// the engine's events into messages (Describer) and delivers them to the
// services of OVHTUI_NOTIFY (ntfy, Telegram, Discord, Gotify, e-mail,
// generic webhooks… through shoutrrr) without ever holding the engine back.
//
// Delivery: Offer never blocks (a bounded queue; a full queue drops and
// says so once). Each channel has its own worker and queue, so a slow or
// dead service delays no other. A send is bounded by a timeout, retried
// with backoff, then dropped with one log line per channel and cause. A
// channel sends at most one message per MinInterval, and a message whose
// key was sent less than RepeatQuiet ago waits, collapsing with its
// repeats into one that says "×N". Close flushes with a deadline.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ovhtui/ovhtui/history"
	"github.com/ovhtui/ovhtui/order"
)

// Options configure a Notifier. Channels is required; the rest has defaults.
type Options struct {
	Channels []Channel
	// Events is what to send (nil: DefaultSet).
	Events Set
	// Describer turns events into messages (nil: a plain Describer).
	Describer *Describer
	// Log receives delivery failures (default: discard).
	Log *slog.Logger
	// Redact is applied to every title and text before it leaves (the
	// process's secret scrubber): a last line of defence.
	Redact func(string) string
	// TitlePrefix starts every title (e.g. "[ovhtui demo] ").
	TitlePrefix string
	// Delivered, when set, is told each message's final result on a
	// channel: nil once sent, the last error once dropped after retries
	// (the metrics count them). It runs in the channel's worker and must
	// not block.
	Delivered func(channel string, err error)

	QueueSize   int           // events waiting for the describer, and messages per channel (default 100)
	Attempts    int           // tries per message (default 4)
	Backoff     time.Duration // delay before the first retry, doubled each time (default 2 s)
	SendTimeout time.Duration // bound of one send (default 15 s)
	MinInterval time.Duration // least time between two sends of a channel (default 1 s)
	RepeatQuiet time.Duration // least time between two sends of one key on a channel (default 10 min)
}

// DemoTitlePrefix starts the title of every message of `ovhtui --demo`
// (Options.TitlePrefix): its orders are the simulator's.
const DemoTitlePrefix = "[ovhtui demo] "

// Notifier delivers messages. Create it with New; Offer events; Close it.
type Notifier struct {
	opts    Options
	in      chan order.Event
	workers []*worker
	done    chan struct{} // closed when the describer loop has handed everything over
	abort   chan struct{} // closed when the flush deadline passes

	mu        sync.Mutex
	closed    bool
	dropped   int // events dropped because the queue was full
	warnedIn  bool
	closeOnce sync.Once
}

// New starts a notifier.
func New(opts Options) *Notifier {
	if opts.Events == nil {
		opts.Events = DefaultSet()
	}
	if opts.Describer == nil {
		opts.Describer = &Describer{}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Redact == nil {
		opts.Redact = func(s string) string { return s }
	}
	if opts.QueueSize <= 0 {
		opts.QueueSize = 100
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 4
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 2 * time.Second
	}
	if opts.SendTimeout <= 0 {
		opts.SendTimeout = 15 * time.Second
	}
	if opts.MinInterval <= 0 {
		opts.MinInterval = time.Second
	}
	if opts.RepeatQuiet <= 0 {
		opts.RepeatQuiet = 10 * time.Minute
	}
	n := &Notifier{opts: opts, in: make(chan order.Event, opts.QueueSize), done: make(chan struct{}), abort: make(chan struct{})}
	for _, ch := range opts.Channels {
		w := &worker{ch: ch, opts: &n.opts, q: make(chan Message, opts.QueueSize), abort: n.abort,
			finished: make(chan struct{}), lastKey: map[string]time.Time{}, logged: map[string]bool{}}
		n.workers = append(n.workers, w)
		go w.run()
	}
	go n.describeLoop()
	return n
}

// Offer hands an event to the notifier. It never blocks: when the queue
// is full the event is dropped (and that is logged once).
func (n *Notifier) Offer(ev order.Event) {
	if !n.wants(ev) {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	select {
	case n.in <- ev:
	default:
		n.dropped++
		if !n.warnedIn {
			n.warnedIn = true
			n.opts.Log.Warn("notify: queue full, events dropped (further drops are counted at exit)")
		}
	}
}

// wants filters out the frequent events the describer never needs.
func (n *Notifier) wants(ev order.Event) bool {
	switch e := ev.(type) {
	case order.PollOK, order.StatusChanged, order.PrefsSaved, order.Info:
		return false
	case order.AvailabilityChanged:
		return e.Orderable && n.opts.Events[KindAvailable]
	case order.APIError:
		return n.opts.Events[KindAPIError]
	case order.CartRenewed:
		return n.opts.Events[KindCart]
	case history.RestockAlert:
		return n.opts.Events[KindRestock]
	case history.PriceAlert:
		return n.opts.Events[KindPriceChange]
	case history.PlanAlert:
		return n.opts.Events[KindNewPlan]
	}
	return true
}

// Send queues msg on every channel, as if an event had produced it.
func (n *Notifier) Send(msg Message) {
	n.dispatch(msg)
}

func (n *Notifier) describeLoop() {
	defer close(n.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-n.abort:
			cancel()
		case <-n.done:
		}
	}()
	for ev := range n.in {
		m, ok := n.opts.Describer.Describe(ctx, ev)
		if ok && n.opts.Events[m.Kind] {
			n.dispatch(m)
		}
	}
}

func (n *Notifier) dispatch(m Message) {
	m.Title, m.Text = n.opts.Redact(n.opts.TitlePrefix+m.Title), n.opts.Redact(m.Text)
	for _, w := range n.workers {
		w.enqueue(m)
	}
}

// Close stops taking events and delivers what is queued until ctx is
// done; what is left then is dropped, with one log line per channel. It
// returns when every worker has stopped (a send in flight is abandoned).
func (n *Notifier) Close(ctx context.Context) {
	n.closeOnce.Do(func() {
		n.mu.Lock()
		n.closed = true
		dropped := n.dropped
		close(n.in)
		n.mu.Unlock()
		if dropped > 0 {
			n.opts.Log.Warn("notify: events dropped because the queue was full", "count", dropped)
		}
		select {
		case <-n.done:
		case <-ctx.Done():
		}
		for _, w := range n.workers {
			w.closeQueue()
		}
		all := make(chan struct{})
		go func() {
			for _, w := range n.workers {
				<-w.finished
			}
			close(all)
		}()
		select {
		case <-all:
		case <-ctx.Done():
			close(n.abort)
			<-all
		}
	})
}

// Channels are the channels' redacted names.
func (n *Notifier) Channels() []string {
	out := make([]string, len(n.workers))
	for i, w := range n.workers {
		out[i] = w.ch.Name
	}
	return out
}

// --- one worker per channel ------------------------------------------------

type worker struct {
	ch       Channel
	opts     *Options
	q        chan Message
	abort    chan struct{}
	finished chan struct{}

	mu      sync.Mutex
	qClosed bool
	full    int  // messages dropped: queue full
	warned  bool // "queue full" logged

	// owned by run
	pending []*item
	lastKey map[string]time.Time // key -> last send
	lastAt  time.Time            // last send of any message
	stuck   chan struct{}        // closed when a timed-out send finally returns
	logged  map[string]bool      // causes already logged
	closing bool
}

type item struct {
	msg      Message
	n        int // repeats collapsed into it
	attempts int
	retryAt  time.Time
}

func (w *worker) enqueue(m Message) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.qClosed {
		return
	}
	select {
	case w.q <- m:
	default:
		w.full++
		if !w.warned {
			w.warned = true
			w.opts.Log.Warn("notify: channel queue full, messages dropped", "channel", w.ch.Name)
		}
	}
}

func (w *worker) closeQueue() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.qClosed {
		w.qClosed = true
		close(w.q)
	}
}

// add queues m, collapsing it into a pending message with the same key.
func (w *worker) add(m Message) {
	for _, it := range w.pending {
		if it.msg.Key == m.Key && it.attempts == 0 {
			it.n++
			it.msg.Text, it.msg.At = m.Text, m.At
			return
		}
	}
	if len(w.pending) >= w.opts.QueueSize {
		w.pending = w.pending[1:]
		w.full++
	}
	w.pending = append(w.pending, &item{msg: m, n: 1})
}

// due returns when it may be sent.
func (w *worker) due(it *item) time.Time {
	t := w.lastAt.Add(w.opts.MinInterval)
	if it.retryAt.After(t) {
		t = it.retryAt
	}
	if last, ok := w.lastKey[it.msg.Key]; ok && !w.closing && it.attempts == 0 {
		if q := last.Add(w.opts.RepeatQuiet); q.After(t) {
			t = q
		}
	}
	return t
}

func (w *worker) run() {
	defer close(w.finished)
	q := w.q
	for {
		if q == nil && len(w.pending) == 0 {
			return
		}
		// Pick the first message that is due; else wait for the earliest.
		var next *item
		var at time.Time
		for _, it := range w.pending {
			if d := w.due(it); next == nil || d.Before(at) {
				next, at = it, d
			}
		}
		var timer *time.Timer
		var fire <-chan time.Time
		if next != nil {
			wait := time.Until(at)
			if wait <= 0 {
				w.deliver(next)
				continue
			}
			timer = time.NewTimer(wait)
			fire = timer.C
		}
		select {
		case m, ok := <-q:
			if !ok {
				q, w.closing = nil, true
			} else {
				w.add(m)
			}
		case <-fire:
		case <-w.abort:
			w.dropAll("not sent before exit")
			return
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// deliver sends it once; on failure it is retried later or dropped.
func (w *worker) deliver(it *item) {
	m := it.msg
	title := m.Title
	if it.n > 1 {
		title = fmt.Sprintf("%s (×%d)", title, it.n)
	}
	err := w.send(title, m.Text)
	now := time.Now()
	w.lastAt = now
	if err == nil {
		w.lastKey[m.Key] = now
		w.remove(it)
		w.delivered(nil)
		return
	}
	it.attempts++
	if it.attempts < w.opts.Attempts {
		it.retryAt = now.Add(w.opts.Backoff << (it.attempts - 1))
		return
	}
	w.remove(it)
	w.delivered(err)
	cause := w.ch.scrub(err)
	if !w.logged[cause] {
		w.logged[cause] = true
		w.opts.Log.Warn("notify: message dropped after retries (further failures of this channel with this cause are not logged)",
			"channel", w.ch.Name, "attempts", it.attempts, "kind", string(m.Kind), "cause", cause)
	}
}

func (w *worker) delivered(err error) {
	if w.opts.Delivered != nil {
		w.opts.Delivered(w.ch.Name, err)
	}
}

func (w *worker) remove(it *item) {
	for i, p := range w.pending {
		if p == it {
			w.pending = append(w.pending[:i], w.pending[i+1:]...)
			return
		}
	}
}

func (w *worker) dropAll(why string) {
	n := len(w.pending)
	w.pending = nil
	for {
		select {
		case _, ok := <-w.q:
			if !ok {
				goto done
			}
			n++
		default:
			goto done
		}
	}
done:
	if n > 0 {
		w.opts.Log.Warn("notify: messages "+why, "channel", w.ch.Name, "count", n)
	}
}

// errHanging is returned while an earlier send of the channel still hangs.
var errHanging = fmt.Errorf("an earlier send is still waiting for an answer")

// send runs one Sender call bounded by SendTimeout. A send that times out
// is abandoned, not killed: until it returns, further sends of this
// channel fail at once, so a hanging service holds one goroutine at most.
func (w *worker) send(title, text string) error {
	if w.stuck != nil {
		select {
		case <-w.stuck:
			w.stuck = nil
		default:
			return errHanging
		}
	}
	res := make(chan error, 1)
	fin := make(chan struct{})
	go func() {
		defer close(fin)
		res <- w.ch.sender.Send(title, text)
	}()
	t := time.NewTimer(w.opts.SendTimeout)
	defer t.Stop()
	select {
	case err := <-res:
		return err
	case <-t.C:
		w.stuck = fin
		return fmt.Errorf("no answer within %s", w.opts.SendTimeout)
	case <-w.abort:
		w.stuck = fin
		return fmt.Errorf("exiting")
	}
}

// Result is the outcome of a test message on one channel.
type Result struct {
	Channel string // redacted name
	Err     error  // nil: delivered; its text holds no secret
	Took    time.Duration
}

// Test sends a test message to every channel at once and returns each
// result, in the channels' order (for --notify-test).
func Test(channels []Channel, timeout time.Duration, text string) []Result {
	out := make([]Result, len(channels))
	var wg sync.WaitGroup
	for i, ch := range channels {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{ch: ch, opts: &Options{SendTimeout: timeout}}
			start := time.Now()
			err := w.send("ovhtui test", text)
			out[i] = Result{Channel: ch.Name, Took: time.Since(start)}
			if err != nil {
				out[i].Err = fmt.Errorf("%s", ch.scrub(err))
			}
		}()
	}
	wg.Wait()
	return out
}
