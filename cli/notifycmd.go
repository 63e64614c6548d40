package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/notify"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// Environment variables of the notifier (from the environment or .env).
const (
	envNotify       = "OVHTUI_NOTIFY"        // service URLs, space separated
	envNotifyEvents = "OVHTUI_NOTIFY_EVENTS" // kinds to send (default: all but routine)
)

// notifyFlushTimeout bounds the delivery of queued messages at exit (a
// variable for tests).
var notifyFlushTimeout = 5 * time.Second

// notifyChannels opens the channels of OVHTUI_NOTIFY and registers their
// secrets with the log redaction. No variable: no channel, no error.
func notifyChannels() ([]notify.Channel, error) {
	urls := notify.ParseURLs(os.Getenv(envNotify))
	for _, u := range urls {
		registerSecrets(notify.Secrets(u)...)
		registerSecrets(u)
	}
	var chans []notify.Channel
	for i, u := range urls {
		ch, err := notify.Open(u)
		if err != nil {
			return nil, fmt.Errorf("%s URL %d: %s", envNotify, i+1, redactString(err.Error()))
		}
		chans = append(chans, ch)
	}
	return chans, nil
}

// startNotifier returns the notifier of OVHTUI_NOTIFY, or nil when none is
// configured.
// With --demo every title says so: the orders are the simulator's.
func startNotifier(api *ovhapi.OVHClient, store *prefs.Store, src *catalog.Source, demo bool, log *slog.Logger) (*notify.Notifier, error) {
	chans, err := notifyChannels()
	if err != nil || len(chans) == 0 {
		return nil, err
	}
	set, err := notify.ParseSet(os.Getenv(envNotifyEvents))
	if err != nil {
		return nil, err
	}
	d := &notify.Describer{
		Name: func(entry string) string { return entryName(store, src, entry) },
		OrderExpiry: func(ctx context.Context, id int64) (time.Time, error) {
			o, err := api.MyOrder(ctx, id)
			if err != nil || o.ExpirationDate == nil {
				return time.Time{}, err
			}
			return *o.ExpirationDate, nil
		},
	}
	prefix := ""
	if demo {
		prefix = "[ovhtui demo] "
	}
	n := notify.New(notify.Options{Channels: chans, Events: set, Describer: d, Log: log, Redact: redactString, TitlePrefix: prefix})
	log.Info("notifications on", "channels", strings.Join(n.Channels(), " "), "events", set.String())
	return n, nil
}

// entryName is "KS-LE-B (fqn)" for an entry key, or its fqn when the
// catalog is not loaded.
func entryName(store *prefs.Store, src *catalog.Source, entry string) string {
	f := store.Snapshot()
	i := f.Find(entry)
	if i < 0 {
		return ""
	}
	s := f.Servers[i]
	if c := src.Current(); c != nil {
		if o, ok := c.Offer(s.PlanCode); ok && o.Name != "" {
			name, _, _ := strings.Cut(o.Name, " | ") // "KS-LE-B | Intel Xeon-E 2274G"
			return name + " (" + s.FQN + ")"
		}
	}
	return s.FQN
}

// flushNotifier delivers what is queued, for at most notifyFlushTimeout.
func flushNotifier(n *notify.Notifier) {
	if n == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), notifyFlushTimeout)
	defer cancel()
	n.Close(ctx)
}

// runNotifyTest sends a test message to every channel of OVHTUI_NOTIFY and
// prints each result. Exit 0 when all were delivered, 1 when one failed, 2
// when none is configured or a URL is invalid.
func runNotifyTest(opts options, stdout, stderr io.Writer) int {
	if _, err := loadEnvFile(opts.envPath); err != nil {
		fmt.Fprintln(stderr, "ovhtui:", err)
		return exitUsage
	}
	collectSecrets()
	chans, err := notifyChannels()
	if err != nil {
		fmt.Fprintln(stderr, "ovhtui:", err)
		return exitUsage
	}
	if len(chans) == 0 {
		fmt.Fprintf(stderr, "ovhtui: %s is not set (in the environment or %s): nothing to test\n", envNotify, opts.envPath)
		return exitUsage
	}
	if _, err := notify.ParseSet(os.Getenv(envNotifyEvents)); err != nil {
		fmt.Fprintln(stderr, "ovhtui:", err)
		return exitUsage
	}
	host, _ := os.Hostname()
	text := fmt.Sprintf("Test message from ovhtui %s on %s: notifications reach you here.", buildVersion(), host)
	code := exitOK
	for _, r := range notify.Test(chans, 15*time.Second, text) {
		if r.Err != nil {
			fmt.Fprintf(stdout, "FAIL %s: %s\n", r.Channel, redactString(r.Err.Error()))
			code = exitProblems
			continue
		}
		fmt.Fprintf(stdout, "ok   %s (%s)\n", r.Channel, r.Took.Round(time.Millisecond))
	}
	return code
}
