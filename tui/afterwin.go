package tui

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ovhtui/ovhtui/account"
)

// The after-the-win screens: Orders (key O) and Servers (key S). Their
// state is afterWin, their data comes from Deps.Account through commands,
// each reply tagged with the generation of the screen that asked for it so
// that a reply arriving after the screen was closed or reloaded is dropped.
// Paying and renewing go through a dialog (awDialog) that always shows the
// amount before the user confirms with y.

// AccountAPI is what the Orders and Servers screens call (package
// account's *Client implements it). Every call is made from a command.
type AccountAPI interface {
	Orders(ctx context.Context, ours []int64) ([]account.Order, error)
	Order(ctx context.Context, id int64) account.Order
	PaymentMeans(ctx context.Context, id int64) ([]account.PaymentMean, error)
	Pay(ctx context.Context, r account.PayRequest) (account.PayResult, error)
	Servers(ctx context.Context) ([]account.Server, error)
	RenewOptions(ctx context.Context, serviceID int64) ([]account.RenewOption, error)
	RenewDryRun(ctx context.Context, serviceID int64, period string) (account.RenewQuote, error)
	Renew(ctx context.Context, r account.RenewRequest) (account.RenewResult, error)
}

// ordersRefresh is how often the Orders screen reloads while shown.
const ordersRefresh = 5 * time.Minute

// awKind is which after-the-win screen is shown.
type awKind int

const (
	awOrders awKind = iota
	awServers
)

// afterWin is the state of the Orders or Servers screen.
type afterWin struct {
	kind     awKind
	gen      int // generation of the replies this screen waits for
	loading  bool
	err      error
	loadedAt time.Time
	orders   []account.Order
	servers  []account.Server
	sel      int
	dialog   *awDialog
	// dialogSeq numbers the dialogs opened, so that a reply reaches only
	// the dialog that asked (awDialog.id).
	dialogSeq int
	note      string // the last payment or renewal result
	noteBad   bool
}

// afterWinKeys are the bindings of the after-the-win screens.
type afterWinKeys struct {
	Orders, Servers key.Binding // dashboard: open the screens
	Pay, Renew      key.Binding
	Reload          key.Binding
	Back            key.Binding
	Choose          key.Binding
}

func newAfterWinKeys() afterWinKeys {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return afterWinKeys{
		Orders:  b("O", "orders", "O"),
		Servers: b("S", "servers", "S"),
		Pay:     b("enter", "pay", "enter", "p"),
		Renew:   b("enter", "renew", "enter", "n"),
		Reload:  b("r", "refresh", "r"),
		Back:    b("esc", "dashboard", "esc"),
		Choose:  b("enter", "choose", "enter"),
	}
}

// afterWinHelp is the help of the after-the-win screens.
func (k keyMap) afterWinHelp(s screen) helpKeys {
	a := k.aw
	if s == screenOrders {
		return helpKeys{
			short: []key.Binding{k.MoveHelp, a.Pay, a.Reload, a.Servers, a.Back, k.Help, k.Quit},
			full:  [][]key.Binding{{k.Up, k.Down, a.Pay, a.Reload}, {a.Servers, a.Back, k.Quit}},
		}
	}
	return helpKeys{
		short: []key.Binding{k.MoveHelp, a.Renew, a.Reload, a.Orders, a.Back, k.Help, k.Quit},
		full:  [][]key.Binding{{k.Up, k.Down, a.Renew, a.Reload}, {a.Orders, a.Back, k.Quit}},
	}
}

// Messages of the after-the-win screens.
type (
	awOrdersMsg struct {
		gen    int
		orders []account.Order
		err    error
		at     time.Time
	}
	awServersMsg struct {
		gen     int
		servers []account.Server
		err     error
		at      time.Time
	}
	awTickMsg  struct{ gen int }
	awMeansMsg struct {
		gen   int
		dlg   int // the dialog that asked (awDialog.id)
		means []account.PaymentMean
		err   error
	}
	awPaidMsg struct {
		gen int
		dlg int // the dialog that asked (awDialog.id)
		req account.PayRequest
		res account.PayResult
		err error
	}
	awOptionsMsg struct {
		gen  int
		dlg  int // the dialog that asked (awDialog.id)
		opts []account.RenewOption
		err  error
	}
	awQuoteMsg struct {
		gen   int
		dlg   int // the dialog that asked (awDialog.id)
		quote account.RenewQuote
		err   error
	}
	awRenewedMsg struct {
		gen int
		dlg int // the dialog that asked (awDialog.id)
		req account.RenewRequest
		res account.RenewResult
		err error
	}
	awOrderMsg struct {
		gen   int
		dlg   int // the dialog that asked (awDialog.id)
		order account.Order
	}
)

// awMsg is any message of the after-the-win screens.
type awMsg interface{ awGen() int }

func (m awOrdersMsg) awGen() int  { return m.gen }
func (m awServersMsg) awGen() int { return m.gen }
func (m awTickMsg) awGen() int    { return m.gen }
func (m awMeansMsg) awGen() int   { return m.gen }
func (m awPaidMsg) awGen() int    { return m.gen }
func (m awOptionsMsg) awGen() int { return m.gen }
func (m awQuoteMsg) awGen() int   { return m.gen }
func (m awRenewedMsg) awGen() int { return m.gen }
func (m awOrderMsg) awGen() int   { return m.gen }

// awDialogMsg is a reply to one dialog.
type awDialogMsg interface {
	awMsg
	awDialog() int
}

func (m awMeansMsg) awDialog() int   { return m.dlg }
func (m awPaidMsg) awDialog() int    { return m.dlg }
func (m awOptionsMsg) awDialog() int { return m.dlg }
func (m awQuoteMsg) awDialog() int   { return m.dlg }
func (m awRenewedMsg) awDialog() int { return m.dlg }
func (m awOrderMsg) awDialog() int   { return m.dlg }

// lateReply describes a dropped reply for the log.
func lateReply(msg awDialogMsg) string {
	switch msg := msg.(type) {
	case awPaidMsg:
		return fmt.Sprintf("the answer to the payment of order %d", msg.res.OrderID)
	case awRenewedMsg:
		return "the answer to a renewal"
	case awQuoteMsg:
		return fmt.Sprintf("the %s renewal quote of service %d", msg.quote.Period, msg.quote.ServiceID)
	case awOrderMsg:
		return fmt.Sprintf("order %d", msg.order.ID)
	case awOptionsMsg:
		return "renewal periods"
	}
	return "payment means"
}

// openAfterWin opens the Orders or Servers screen and loads it.
func (m Model) openAfterWin(kind awKind) (tea.Model, tea.Cmd) {
	m.awSeq++
	m.after = &afterWin{kind: kind, gen: m.awSeq}
	m.helpOf = nil
	if m.deps.Account == nil {
		m.after.err = errNoAccount
		return m, nil
	}
	return m, tea.Batch(m.after.load(m.ctx, m.deps.Account, m.ourOrders(), m.deps.Now), m.afterWinTick())
}

// afterWinTick schedules the next refresh of the Orders screen.
func (m *Model) afterWinTick() tea.Cmd {
	a := m.after
	if a == nil || a.kind != awOrders || m.noRefreshTick {
		return nil
	}
	gen := a.gen
	return tea.Tick(ordersRefresh, func(time.Time) tea.Msg { return awTickMsg{gen: gen} })
}

// ourOrders are the order ids preferences.json records (the journal's
// are added by the account client).
func (m *Model) ourOrders() []int64 {
	var out []int64
	if m.file != nil {
		for _, s := range m.file.Servers {
			if s.OrderID != 0 {
				out = append(out, s.OrderID)
			}
		}
	}
	return out
}

// load starts loading the screen's list.
func (a *afterWin) load(ctx context.Context, api AccountAPI, ours []int64, now func() time.Time) tea.Cmd {
	a.loading = true
	gen := a.gen
	if a.kind == awOrders {
		return func() tea.Msg {
			orders, err := api.Orders(ctx, ours)
			return awOrdersMsg{gen: gen, orders: orders, err: err, at: now()}
		}
	}
	return func() tea.Msg {
		servers, err := api.Servers(ctx)
		return awServersMsg{gen: gen, servers: servers, err: err, at: now()}
	}
}

// handleAfterWin applies a reply of the after-the-win screens; replies of
// a screen since closed or reloaded are dropped.
func (m Model) handleAfterWin(msg awMsg) (tea.Model, tea.Cmd) {
	m.logMoney(msg) // whatever screen or dialog is open now (moneylog.go)
	a := m.after
	if a == nil || msg.awGen() != a.gen {
		return m, nil
	}
	api := m.deps.Account
	switch msg := msg.(type) {
	case awOrdersMsg:
		a.loading, a.err, a.loadedAt = false, msg.err, msg.at
		if msg.err == nil {
			a.orders = msg.orders
			m.noteOrders(msg.orders)
		}
		a.clamp()
	case awServersMsg:
		a.loading, a.err, a.loadedAt = false, msg.err, msg.at
		if msg.err == nil {
			a.servers = msg.servers
		}
		a.clamp()
	case awTickMsg:
		if a.loading {
			return m, m.afterWinTick()
		}
		return m, tea.Batch(a.load(m.ctx, api, m.ourOrders(), m.deps.Now), m.afterWinTick())
	default:
		if dm, ok := msg.(awDialogMsg); ok && (a.dialog == nil || dm.awDialog() != a.dialog.id) {
			// A reply for a dialog since closed: never shown in, nor
			// acted on by, the dialog open now. The list is read again:
			// the outcome is journaled and shows there.
			m.logf(slog.LevelInfo, "dropped %s: it belongs to a dialog since closed", lateReply(dm))
			if _, paid := msg.(awPaidMsg); paid {
				return m, a.load(m.ctx, api, m.ourOrders(), m.deps.Now)
			}
			return m, nil
		}
		if a.dialog != nil {
			return m, a.dialog.apply(m.ctx, api, a, msg, m.ourOrders(), m.deps.Now)
		}
	}
	return m, nil
}

// clamp keeps the selection within the list.
func (a *afterWin) clamp() {
	a.sel = min(max(a.sel, 0), max(a.rows()-1, 0))
}

func (a *afterWin) rows() int {
	if a.kind == awOrders {
		return len(a.orders)
	}
	return len(a.servers)
}

// updateAfterWin handles a key on the Orders or Servers screen.
func (m Model) updateAfterWin(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	a, k := m.after, m.keys
	api := m.deps.Account
	if a.dialog != nil {
		return m, a.dialog.key(m.ctx, api, a, msg, k)
	}
	switch {
	case key.Matches(msg, k.aw.Back):
		m.after = nil
		m.relayout()
	case key.Matches(msg, k.Quit):
		m.after = nil
		return m.quit(false)
	case key.Matches(msg, k.Up):
		a.sel = max(a.sel-1, 0)
	case key.Matches(msg, k.Down):
		a.sel = min(a.sel+1, max(a.rows()-1, 0))
	case key.Matches(msg, k.aw.Orders) && a.kind != awOrders:
		return m.openAfterWin(awOrders)
	case key.Matches(msg, k.aw.Servers) && a.kind != awServers:
		return m.openAfterWin(awServers)
	case api == nil:
	case key.Matches(msg, k.aw.Reload):
		a.note = ""
		return m, a.load(m.ctx, api, m.ourOrders(), m.deps.Now)
	case a.kind == awOrders && key.Matches(msg, k.aw.Pay):
		if a.sel < len(a.orders) && a.orders[a.sel].State().Payable() {
			return m, a.startPay(m.ctx, api, a.orders[a.sel])
		}
		a.note, a.noteBad = "only an unpaid order can be paid", true
	case a.kind == awServers && key.Matches(msg, k.aw.Renew):
		if a.sel < len(a.servers) && a.servers[a.sel].Err == "" {
			return m, a.startRenew(m.ctx, api, a.servers[a.sel])
		}
	}
	return m, nil
}
