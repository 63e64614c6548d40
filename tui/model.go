// Package tui is ovhtui's terminal user interface: a live dashboard of the
// entries of preferences.json per datacenter, a log pane of engine events,
// editors for the entries, and a catalog browser to add servers.
//
// Data flow: the engine's events arrive on Deps.Events and are drained by
// one re-arming command into a liveState (availability, carts, prices,
// statuses per entry and DC) and the log pane; preferences are read from
// Deps.Store snapshots, re-read whenever the Store signals a change; every
// change the user makes is a compare-and-set function queued for
// Store.Update and run by a command, one at a time. Update never blocks and
// never does I/O; View is a pure function of the model (a 1 Hz tick puts the
// time into the model while something on screen counts).
package tui

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

// screen is what has the keyboard.
type screen int

const (
	screenDashboard screen = iota
	screenLog
	screenConfirm
	screenCeiling
	screenDCOrder
	screenBrowserList
	screenBrowserConfig
	screenBuy
	screenHelp
	screenOrders  // afterwin.go
	screenServers // afterwin.go
	screenHistory // historyview.go
)

// Model is the root model of the UI (a tea.Model).
type Model struct {
	deps   Deps
	ctx    context.Context
	keys   keyMap
	styles Styles
	help   help.Model
	isDark bool
	layout layout

	// now is the time shown: the 1 Hz tick puts it into the model whatever
	// the engine does (View reads no clock).
	now time.Time

	// base is the last snapshot of preferences.json; file is what is shown:
	// base with the changes not saved yet applied (the same compare-and-set
	// functions the Store runs, so what the user sees is what will be
	// saved unless the engine or an editor changed it meanwhile). Neither
	// is mutated once installed.
	base *prefs.File
	file *prefs.File
	// problems are the validation problems of each entry (by index in
	// file): the engine leaves such entries alone, the dashboard says why.
	problems map[int][]prefs.Problem
	live     liveState
	cat      *catalog.Catalog
	catBusy  bool

	log      logPane
	logFocus bool
	helpOf   *screen // the screen the help was opened from, while it is shown

	sel     int    // selected entry
	selKey  string // its Key, to keep the selection across reloads
	dashTop int    // first dashboard row shown

	banner   *orderBanner
	reminder *order.Reminder // reminder.go
	// replaying counts the events still to come that a session replays
	// (session.go): they ring no bell.
	replaying int
	alerts    termAlerts  // bell and desktop notifications (alert.go)
	orders    orderStates // each order's payment state (unpaid.go)
	confirm   *confirmDialog
	ceiling   *ceilingEditor
	dcOrder   *dcEditor
	buy       *buyDialog
	browser   *browser
	radar     radarState   // the restock radar's figures (radar.go)
	history   *historyView // the history view (historyview.go)
	// historyGen counts the history views opened, for their replies.
	historyGen int
	after      *afterWin // the Orders or Servers screen (afterwin.go)
	awSeq      int       // screens opened, for their replies' generation
	// noRefreshTick stops the Orders screen's 5-minute refresh (tests).
	noRefreshTick bool

	saves    []saveReq // waiting to run, in order
	inflight *saveReq  // running
	saving   bool
	leaving  *quitState // set once the user quit
	evClosed bool
}

// New builds the root model. It reads the Store snapshot and the current
// catalog (neither blocks).
func New(d Deps) Model {
	d.defaults()
	m := Model{
		deps:   d,
		ctx:    context.Background(),
		keys:   newKeyMap(),
		isDark: true,
		help:   help.New(),
		now:    d.Now(),
		live:   newLiveState(),

		orders: newOrderStates(),
		alerts: newTermAlerts(d.Demo),
		cat:    d.Catalog(),
	}
	m.setStyles()
	if d.Store != nil {
		m.base = d.Store.Snapshot()
	} else {
		m.base = &prefs.File{}
	}
	m.file = m.base
	m.problems = prefs.EntryProblems(m.file, d.Endpoint)
	m.setSize(80, 24)
	return m
}

func (m *Model) setStyles() {
	if m.deps.NoColor {
		m.styles = plainStyles()
	} else {
		m.styles = newStyles(m.isDark)
	}
	m.styles.ink = newInks(&m.styles)
	m.help.Styles = m.styles.Help
	m.help.ShortSeparator = " · "
}

// Init starts the readers of events, preference changes and catalogs.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{
		tea.RequestBackgroundColor,
		waitEvents(m.ctx, m.deps.Events, m.deps.Now, m.deps.Log),
		waitPrefs(m.deps.Store),
		waitCatalog(m.deps.CatalogUpdates),
		tickCmd(m.now, m.deps.Now),
		m.radarCmd(),
		waitRadarChanged(m.ctx, m.deps.History),
	}
	return tea.Batch(cmds...)
}

// Update applies a message to the model.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.setSize(msg.Width, msg.Height)
		return m, nil
	case tea.BackgroundColorMsg:
		m.isDark = msg.IsDark()
		m.setStyles()
		return m, nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case awMsg:
		return m.handleAfterWin(msg)
	case eventsMsg:
		return m.handleEvents(msg)
	case prefsMsg:
		m.setFile(msg.file)
		return m, waitPrefs(m.deps.Store)
	case savedMsg:
		return m.handleSaved(msg)
	case tickMsg:
		m.now = msg.now
		// Statuses are read again with the clock too: the engine may have
		// nothing left to watch, and so no event to send.
		if m.browser != nil {
			m.browser.now = m.now
		}
		return m, tea.Batch(tickCmd(m.now, m.deps.Now), m.askStates(), m.radarCmd(), m.historyDue())
	case radarMsg:
		m.setRadar(msg)
		return m, nil
	case radarChangedMsg:
		return m, m.radarChanged()
	case historyMsg:
		m.setHistory(msg)
		return m, nil
	case catalogMsg:
		if msg.closed {
			return m, nil
		}
		m.setCatalog(msg.cat)
		return m, waitCatalog(m.deps.CatalogUpdates)
	case catalogRefreshedMsg:
		m.catBusy = false
		if msg.err != nil {
			m.logf(slog.LevelError, "catalog refresh failed: %v", msg.err)
		} else {
			m.logf(slog.LevelInfo, "catalog refreshed")
		}
		if msg.cat != nil {
			m.setCatalog(msg.cat)
		}
		return m, nil
	case availMsg:
		if m.browser != nil {
			m.browser.setAvailability(msg)
		}
		return m, nil
	case expiryMsg:
		m.setExpiry(msg)
		return m, nil
	case orderStateMsg:
		m.setOrderState(msg)
		return m, nil
	case quitNowMsg:
		return m, tea.Quit
	case buyMsg:
		if msg.err != nil {
			m.logf(slog.LevelError, "buy another of %s refused: %v", msg.name, msg.err)
		} else {
			m.logf(slog.LevelWarn, "%s re-armed to buy %d more: the engine watches it again", msg.name, msg.qty)
		}
		return m, snapshotCmd(m.deps.Store)
	case removeMsg:
		return m.handleRemoved(msg)
	case rearmMsg:
		if msg.err != nil {
			m.logf(slog.LevelError, "re-arm of %s failed: %v", msg.name, msg.err)
		} else {
			m.logf(slog.LevelWarn, "%s re-armed: the engine watches it again", msg.name)
		}
		return m, snapshotCmd(m.deps.Store)
	}
	return m, nil
}

// handleEvents applies engine events and re-arms the reader.
func (m Model) handleEvents(msg eventsMsg) (tea.Model, tea.Cmd) {
	m.now = msg.now
	var cmds []tea.Cmd
	reload := false
	for _, ev := range msg.events {
		m.live.apply(ev)
		m.orderSeen(ev)
		m.addEventLine(ev)
		if m.replaying > 0 {
			m.replaying-- // the past a session catches up on: no bell
		} else if c := m.alerts.forEvent(ev, m.labelOf); c != nil {
			cmds = append(cmds, c)
		}
		switch e := ev.(type) {
		case order.OrderPlaced:
			m.banner = newOrderBanner(e, m.labelOf(e.Entry), m.banner)
			m.relayout()
		case order.PrefsSaved:
			reload = true
		case order.Reminder:
			m.setReminder(e)
			m.relayout()
		}
	}
	if reload {
		cmds = append(cmds, snapshotCmd(m.deps.Store))
	}
	cmds = append(cmds, m.askStates())
	if m.leaving != nil {
		cmds = append(cmds, m.quitIfDone())
	}
	if msg.closed {
		m.evClosed = true
		m.logf(slog.LevelWarn, "the engine stopped sending events")
	} else {
		cmds = append(cmds, waitEvents(m.ctx, m.deps.Events, m.deps.Now, m.deps.Log))
	}
	return m, tea.Batch(cmds...)
}

// handleSaved ends one save, starts the next, and quits when quitting and
// nothing is left to save.
func (m Model) handleSaved(msg savedMsg) (tea.Model, tea.Cmd) {
	m.saving, m.inflight = false, nil
	m.now = msg.now
	if msg.err != nil {
		m.logf(slog.LevelError, "not saved (%s): %v", msg.req.reason, msg.err)
	} else if !msg.req.quiet {
		m.logf(slog.LevelInfo, "saved: %s", msg.req.reason)
	}
	if msg.err == nil && msg.req.selectKey != "" {
		m.selKey = msg.req.selectKey
	}
	m.setFile(msg.file)
	if len(m.saves) > 0 {
		return m, m.nextSave()
	}
	return m, m.quitIfDone()
}

// queueSave asks for a change to preferences.json. Saves run one at a time
// in the order asked, so two quick key presses apply in order.
func (m *Model) queueSave(req saveReq) tea.Cmd {
	if m.deps.ReadOnly {
		m.logf(slog.LevelWarn, "read-only session: not saved (%s)", req.reason)
		return nil
	}
	m.saves = append(m.saves, req)
	m.setFile(nil)
	if m.saving {
		return nil
	}
	return m.nextSave()
}

func (m *Model) nextSave() tea.Cmd {
	req := m.saves[0]
	m.saves = m.saves[1:]
	m.saving, m.inflight = true, &req
	return saveCmd(m.deps.Store, req, m.deps.Now, m.deps.Log)
}

// setFile installs a new snapshot (nil keeps the current one), applies
// the changes not saved yet, and keeps the selection on the same entry.
func (m *Model) setFile(f *prefs.File) {
	if f != nil {
		m.base = f
	}
	m.file = m.base
	if m.inflight != nil || len(m.saves) > 0 {
		view := m.base.Clone()
		if m.inflight != nil {
			_ = m.inflight.change(view) // fails when the snapshot already has it
		}
		for _, req := range m.saves {
			_ = req.change(view)
		}
		m.file = view
	}
	m.problems = prefs.EntryProblems(m.file, m.deps.Endpoint)
	if m.selKey != "" {
		if i := m.file.Find(m.selKey); i >= 0 {
			m.sel = i
		}
	}
	m.sel = min(max(m.sel, 0), max(len(m.file.Servers)-1, 0))
	m.selKey = ""
	if e := m.selected(); e != nil {
		m.selKey = e.Key()
	}
	m.ensureVisible()
	if m.browser != nil {
		m.browser.setFile(m.file)
	}
}

func (m *Model) setCatalog(c *catalog.Catalog) {
	if c == nil {
		return
	}
	m.cat = c
	if m.browser != nil {
		m.browser.setCatalog(c)
	}
}

// selected returns the selected entry, or nil when there is none.
func (m *Model) selected() *prefs.Server {
	if m.file == nil || m.sel < 0 || m.sel >= len(m.file.Servers) {
		return nil
	}
	return &m.file.Servers[m.sel]
}

// logf adds a line of the UI's own to the log pane.
func (m *Model) logf(level slog.Level, format string, args ...any) {
	m.log.add(logLine{at: m.deps.Now(), level: level, text: fmt.Sprintf(format, args...)})
}

// screen returns what has the keyboard.
func (m *Model) screen() screen {
	switch {
	case m.helpOf != nil:
		return screenHelp
	case m.after != nil && m.after.kind == awOrders:
		return screenOrders
	case m.after != nil:
		return screenServers
	case m.history != nil:
		return screenHistory
	case m.confirm != nil:
		return screenConfirm
	case m.ceiling != nil:
		return screenCeiling
	case m.dcOrder != nil:
		return screenDCOrder
	case m.buy != nil:
		return screenBuy
	case m.browser != nil && m.browser.config != nil:
		return screenBrowserConfig
	case m.browser != nil:
		return screenBrowserList
	case m.logFocus:
		return screenLog
	}
	return screenDashboard
}
