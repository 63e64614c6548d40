package tui

import (
	"context"
	"log/slog"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

// Messages the UI's commands send back to Update.
type (
	// eventsMsg carries engine events read in one go (at least one unless
	// closed) and the time they were read.
	eventsMsg struct {
		events []order.Event
		now    time.Time
		closed bool
	}
	// prefsMsg carries a fresh snapshot of preferences.json.
	prefsMsg struct{ file *prefs.File }
	// savedMsg reports the end of a Store.Update.
	savedMsg struct {
		req  saveReq
		err  error
		file *prefs.File
		now  time.Time
	}
	// tickMsg puts the time into the model once a second.
	tickMsg struct{ now time.Time }
	// catalogMsg carries a new catalog.
	catalogMsg struct {
		cat    *catalog.Catalog
		closed bool
	}
	// catalogRefreshedMsg reports the end of a catalog refresh.
	catalogRefreshedMsg struct {
		cat *catalog.Catalog
		err error
	}
	// availMsg carries the availability of a plan for the browser.
	availMsg struct {
		gen      int
		planCode string
		data     map[string]map[string]string
		err      error
	}
	// expiryMsg carries when an unpaid order lapses.
	expiryMsg struct {
		orderID int64
		at      time.Time
		err     error
	}
	// rearmMsg reports the end of a re-arm.
	rearmMsg struct {
		key, name string
		err       error
	}
)

// maxEventsPerMsg bounds how many queued events one message carries, so a
// burst is drawn once without starving key presses.
const maxEventsPerMsg = 256

// waitEvents reads the next events from ch; Update re-arms it after each
// message (one reader, never two). Events are logged here, off the UI loop.
func waitEvents(ctx context.Context, ch <-chan order.Event, now func() time.Time, log *slog.Logger) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		logEv := func(ev order.Event) { log.LogAttrs(ctx, ev.Level(), ev.Message(), ev.Attrs()...) }
		ev, ok := <-ch
		if !ok {
			return eventsMsg{closed: true, now: now()}
		}
		logEv(ev)
		evs := []order.Event{ev}
		for len(evs) < maxEventsPerMsg {
			select {
			case ev, ok := <-ch:
				if !ok {
					return eventsMsg{events: evs, closed: true, now: now()}
				}
				logEv(ev)
				evs = append(evs, ev)
			default:
				return eventsMsg{events: evs, now: now()}
			}
		}
		return eventsMsg{events: evs, now: now()}
	}
}

// waitPrefs waits for the Store to signal a change, then snapshots it.
func waitPrefs(store *prefs.Store) tea.Cmd {
	if store == nil {
		return nil
	}
	return func() tea.Msg {
		<-store.Changed()
		return prefsMsg{file: store.Snapshot()}
	}
}

// saveReq is one change to preferences.json, applied by Store.Update.
// change must find its entry by Key and check that what the user saw still
// holds (compare and set), so a stale screen never overwrites an engine or
// external change.
type saveReq struct {
	reason string
	change func(*prefs.File) error
	// selectKey, when set, is the Key of the entry to select after the save
	// (an entry added or whose DC order changed).
	selectKey string
	// quiet saves are not logged in the pane when they succeed.
	quiet bool
}

// saveCmd runs one save. Saves run one at a time, in the order they were
// asked (see Model.queueSave).
func saveCmd(store *prefs.Store, req saveReq, now func() time.Time, log *slog.Logger) tea.Cmd {
	return func() tea.Msg {
		if store == nil {
			return savedMsg{req: req, err: errNoStore, now: now()}
		}
		err := store.Update(req.reason, req.change)
		if err != nil {
			log.Warn("change not saved", "reason", req.reason, "err", err)
		} else {
			log.Info("change saved", "reason", req.reason)
		}
		return savedMsg{req: req, err: err, file: store.Snapshot(), now: now()}
	}
}

// snapshotCmd reads the Store again (after an engine save).
func snapshotCmd(store *prefs.Store) tea.Cmd {
	if store == nil {
		return nil
	}
	return func() tea.Msg { return prefsMsg{file: store.Snapshot()} }
}

// tickCmd wakes the UI at the next whole second.
func tickCmd(now time.Time, clock func() time.Time) tea.Cmd {
	delay := time.Second - time.Duration(now.Nanosecond())
	return tea.Tick(delay, func(time.Time) tea.Msg { return tickMsg{now: clock()} })
}

// waitCatalog waits for the next catalog.
func waitCatalog(ch <-chan *catalog.Catalog) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		c, ok := <-ch
		return catalogMsg{cat: c, closed: !ok}
	}
}

// Timeouts of the UI's own calls.
const (
	catalogTimeout = 2 * time.Minute
	availTimeout   = 20 * time.Second
	rearmTimeout   = 30 * time.Second
)

func refreshCatalogCmd(ctx context.Context, refresh func(context.Context) error, current func() *catalog.Catalog) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, catalogTimeout)
		defer cancel()
		err := refresh(ctx)
		return catalogRefreshedMsg{cat: current(), err: err}
	}
}

func availabilityCmd(ctx context.Context, fn func(context.Context, string) (map[string]map[string]string, error), gen int, planCode string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, availTimeout)
		defer cancel()
		data, err := fn(ctx, planCode)
		return availMsg{gen: gen, planCode: planCode, data: data, err: err}
	}
}

func rearmCmd(ctx context.Context, fn func(context.Context, string) error, key, name string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, rearmTimeout)
		defer cancel()
		return rearmMsg{key: key, name: name, err: fn(ctx, key)}
	}
}

func orderExpiryCmd(ctx context.Context, fn func(context.Context, int64) (time.Time, error), id int64) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, availTimeout)
		defer cancel()
		at, err := fn(ctx, id)
		return expiryMsg{orderID: id, at: at, err: err}
	}
}
