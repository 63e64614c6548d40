package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
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

// notifyChannels opens the channels of OVHTUI_NOTIFY and registers their
// secrets with the log redaction. No variable: no channel, no error.
func (a *app) notifyChannels() ([]notify.Channel, error) {
	urls := notify.ParseURLs(a.env.get(envNotify))
	for _, u := range urls {
		a.secrets.register(notify.Secrets(u)...)
		a.secrets.register(u)
	}
	var chans []notify.Channel
	for i, u := range urls {
		ch, err := notify.Open(u)
		if err != nil {
			return nil, fmt.Errorf("%s URL %d: %s", envNotify, i+1, a.secrets.redact(err.Error()))
		}
		chans = append(chans, ch)
	}
	return chans, nil
}

// startNotifier returns the notifier of OVHTUI_NOTIFY, or nil when none is
// configured.
// With --demo every title says so: the orders are the simulator's.
func (a *app) startNotifier(api *ovhapi.OVHClient, store *prefs.Store, src *catalog.Source, demo bool, log *slog.Logger, delivered func(string, error)) (*notify.Notifier, error) {
	chans, err := a.notifyChannels()
	if err != nil || len(chans) == 0 {
		return nil, err
	}
	set, err := notify.ParseSet(a.env.get(envNotifyEvents))
	if err != nil {
		return nil, err
	}
	cat := &messageCatalog{src: src, wait: a.notifyCatalogWait}
	d := &notify.Describer{
		Name:    func(entry string) string { return entryName(store, cat.get(), entry) },
		Product: func(planCode, fqn string) string { return cat.get().ProductName(planCode, fqn) },
		Order:   orderFacts(api),
	}
	prefix := ""
	if demo {
		prefix = notify.DemoTitlePrefix
	}
	n := notify.New(notify.Options{Channels: chans, Events: set, Describer: d, Log: log, Redact: a.secrets.redact, TitlePrefix: prefix, Delivered: delivered})
	log.Info("notifications on", "channels", strings.Join(n.Channels(), " "), "events", set.String())
	return n, nil
}

// messageCatalog is the catalog the notifier names products from. The
// front ends without a catalog browser (headless) load it only when an
// entry needs it: the first message waits for it (cache first, then a
// download) at most wait, once; later ones take what is loaded (the
// download goes on after that wait). The describer runs on the notifier's own goroutine: the engine
// never waits for it.
type messageCatalog struct {
	src    *catalog.Source
	wait   time.Duration
	waited atomic.Bool
}

func (m *messageCatalog) get() *catalog.Catalog {
	if c := m.src.Current(); c != nil || m.waited.Swap(true) {
		return c
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.wait)
	defer cancel()
	c, _ := m.src.Catalog(ctx)
	return c
}

// entryName is the product name of an entry key as users know it
// ("KS-LE-1 32g/2x450nvme"; the plan code stands for the model without a
// catalog), or "" for a key the file does not hold.
func entryName(store *prefs.Store, cat *catalog.Catalog, entry string) string {
	f := store.Snapshot()
	i := f.Find(entry)
	if i < 0 {
		return ""
	}
	s := f.Servers[i]
	return cat.ProductName(s.PlanCode, s.FQN)
}

// orderFacts reads OVH's record of an order for its message: when it
// lapses unpaid, and its total with tax.
func orderFacts(api *ovhapi.OVHClient) func(ctx context.Context, id int64) (notify.OrderFacts, error) {
	return func(ctx context.Context, id int64) (notify.OrderFacts, error) {
		o, err := api.MyOrder(ctx, id)
		if err != nil {
			return notify.OrderFacts{}, err
		}
		var f notify.OrderFacts
		if o.ExpirationDate != nil {
			f.Expires = *o.ExpirationDate
		}
		if o.PriceWithTax.CurrencyCode != "" {
			f.Total = o.PriceWithTax.Money()
		}
		return f, nil
	}
}

// flushNotifier delivers what is queued, for at most a.notifyFlushTimeout.
func (a *app) flushNotifier(n *notify.Notifier) {
	if n == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.notifyFlushTimeout)
	defer cancel()
	n.Close(ctx)
}
