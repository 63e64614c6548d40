package tui

import (
	"fmt"
	"log/slog"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ovhtui/ovhtui/order"
)

// handleKey routes a key press to the screen that has the keyboard.
func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if msg.String() == "ctrl+c" {
		return m.quit(m.leaving != nil)
	}
	if m.leaving != nil {
		return m, nil
	}
	sc := m.screen()
	if sc != screenHelp && m.opensHelp(msg, sc) {
		m.helpOf = &sc
		m.relayout()
		return m, nil
	}
	if m.readOnlyRefused(msg, sc) {
		return m, nil
	}
	switch sc {
	case screenHelp:
		return m.updateHelp(msg)
	case screenOrders, screenServers:
		return m.updateAfterWin(msg)
	case screenHistory:
		return m.updateHistory(msg)
	case screenConfirm:
		return m.updateConfirm(msg)
	case screenCeiling:
		return m.updateCeiling(msg)
	case screenDCOrder:
		return m.updateDCOrder(msg)
	case screenBuy:
		return m.updateBuy(msg)
	case screenBrowserList, screenBrowserConfig:
		return m.updateBrowser(msg)
	case screenLog:
		return m.updateLog(msg)
	}
	return m.updateDashboard(msg)
}

func (m Model) updateDashboard(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	s := m.selected()
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit(false)
	case key.Matches(msg, k.Focus):
		m.logFocus = true
		m.relayout()
	case key.Matches(msg, k.Dismiss):
		if m.banner != nil || m.reminder != nil {
			m.banner, m.reminder = nil, nil
			m.setSize(m.layout.width, m.layout.height)
		}
	case key.Matches(msg, k.Silence):
		m.alerts.silenced = !m.alerts.silenced
		if m.alerts.silenced {
			m.logf(slog.LevelWarn, "bell and desktop alerts off (b turns them back on)")
		} else {
			m.logf(slog.LevelInfo, "bell and desktop alerts on")
		}
	case key.Matches(msg, k.Up):
		m.moveSel(-1)
	case key.Matches(msg, k.Down):
		m.moveSel(1)
	case key.Matches(msg, k.Browse):
		return m.openBrowser(nil)
	case key.Matches(msg, k.aw.Orders):
		return m.openAfterWin(awOrders)
	case key.Matches(msg, k.aw.Servers):
		return m.openAfterWin(awServers)
	case key.Matches(msg, k.Refresh):
		return m.refreshCatalog()
	case key.Matches(msg, k.History):
		return m.openEntryHistory()
	}
	if s == nil {
		return m, nil
	}
	name := m.serverName(s.PlanCode) + " " + shortFQN(s.PlanCode, s.FQN)
	switch {
	case key.Matches(msg, k.PlaceOrder):
		to := !s.PlaceOrder
		if to && s.Finished() {
			return m.askFinishedPlace(s, name)
		}
		if to && s.Autopay {
			m.confirm = &confirmDialog{kind: confirmPlaceOrder, key: s.Key(), name: name, fromPlace: s.PlaceOrder, fromPay: s.Autopay}
			m.relayout()
			return m, nil
		}
		return m, m.queueSave(saveReq{
			reason: fmt.Sprintf("place_order %s for %s%s", onOff(to), name, flagNote(s)),
			change: setFlags(s.Key(), s.PlaceOrder, s.Autopay, to, s.Autopay),
		})
	case key.Matches(msg, k.Autopay):
		to := !s.Autopay
		if to && s.PlaceOrder {
			m.confirm = &confirmDialog{kind: confirmAutopay, key: s.Key(), name: name, fromPlace: s.PlaceOrder, fromPay: s.Autopay}
			m.relayout()
			return m, nil
		}
		return m, m.queueSave(saveReq{
			reason: fmt.Sprintf("autopay %s for %s%s", onOff(to), name, flagNote(s)),
			change: setFlags(s.Key(), s.PlaceOrder, s.Autopay, s.PlaceOrder, to),
		})
	case s.Ordered() && (key.Matches(msg, k.QtyUp) || key.Matches(msg, k.Rearm)):
		m.logf(slog.LevelInfo, "%s is ordered (#%d): press B to buy another", name, s.OrderID)
	case key.Matches(msg, k.BuyAnother):
		if !s.Ordered() {
			what := "it is not ordered: raise qty with + to buy more"
			if s.NeedsDecision() {
				what = "its outcome is unknown: check your OVH orders, then press R to re-arm it"
			}
			m.logf(slog.LevelInfo, "%s: nothing to buy another of, %s", name, what)
			return m, nil
		}
		m.openBuy(s, name)
	case key.Matches(msg, k.Remove):
		return m.askRemove(s, name)
	case key.Matches(msg, k.Pause):
		return m.pauseOrResume(s, name)
	case s.Retired() && (key.Matches(msg, k.Rearm) || key.Matches(msg, k.Ceiling)):
		m.openBringBack(s)
	case (s.Paused() || s.Retired()) && key.Matches(msg, k.QtyUp):
		m.logf(slog.LevelInfo, "%s: %s", name, stageWords(s))
	case s.NeedsDecision() && (key.Matches(msg, k.QtyUp) || key.Matches(msg, k.QtyDown)):
		m.logf(slog.LevelInfo, "%s: an order was attempted and its outcome is unknown: check your OVH orders, then press R to re-arm it", name)
	case key.Matches(msg, k.QtyUp), key.Matches(msg, k.QtyDown):
		to := s.Qty + 1
		if key.Matches(msg, k.QtyDown) {
			to = s.Qty - 1
		}
		if to < 0 {
			return m, nil
		}
		return m, m.queueSave(saveReq{
			reason: fmt.Sprintf("qty of %s %d -> %d", name, s.Qty, to),
			change: setQty(s.Key(), s.Qty, to),
		})
	case key.Matches(msg, k.Ceiling):
		m.openCeiling(s)
	case key.Matches(msg, k.DCOrder):
		if len(s.Datacenters) < 2 {
			m.logf(slog.LevelInfo, "%s has %d DC: nothing to reorder (add DCs with C)", name, len(s.Datacenters))
			return m, nil
		}
		m.openDCOrder(s)
	case key.Matches(msg, k.EditAddons):
		return m.openBrowser(s)
	case key.Matches(msg, k.Rearm):
		if !m.needsDecision(s.Key()) {
			m.logf(slog.LevelInfo, "%s does not wait for a decision: nothing to re-arm (B buys another of an ordered entry)", name)
			return m, nil
		}
		m.confirm = &confirmDialog{kind: confirmRearm, key: s.Key(), name: name}
		m.relayout()
	}
	return m, nil
}

func onOff(v bool) string {
	if v {
		return "on"
	}
	return "off"
}

// needsDecision reports whether the entry is latched without an order.
func (m *Model) needsDecision(key string) bool {
	i := m.file.Find(key)
	if i < 0 {
		return false
	}
	s := &m.file.Servers[i]
	if s.OrderAttempted && s.OrderID == 0 {
		return true
	}
	v := m.live.view(key)
	return v != nil && v.Lifecycle == order.LifeNeedsDecision && s.OrderID == 0
}

func (m *Model) moveSel(d int) {
	if m.file == nil || len(m.file.Servers) == 0 {
		return
	}
	m.sel = min(max(m.sel+d, 0), len(m.file.Servers)-1)
	m.selKey = m.file.Servers[m.sel].Key()
	m.ensureVisible()
}

func (m Model) refreshCatalog() (tea.Model, tea.Cmd) {
	if m.deps.RefreshCatalog == nil {
		m.logf(slog.LevelWarn, "catalog refresh is not available")
		return m, nil
	}
	if m.catBusy {
		return m, nil
	}
	m.catBusy = true
	m.logf(slog.LevelInfo, "refreshing the catalog…")
	return m, refreshCatalogCmd(m.ctx, m.deps.RefreshCatalog, m.deps.Catalog)
}

func (m Model) updateConfirm(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	d := m.confirm
	switch msg.String() {
	case "y", "Y":
		m.confirm = nil
		m.relayout()
		switch d.kind {
		case confirmPlaceOrder:
			return m, m.queueSave(saveReq{
				reason: "place_order on with autopay on for " + d.name + " (confirmed)",
				change: setFlags(d.key, d.fromPlace, d.fromPay, true, d.fromPay),
			})
		case confirmAutopay:
			return m, m.queueSave(saveReq{
				reason: "autopay on with place_order on for " + d.name + " (confirmed)",
				change: setFlags(d.key, d.fromPlace, d.fromPay, d.fromPlace, true),
			})
		case confirmRearm:
			if m.deps.Rearm != nil {
				m.logf(slog.LevelWarn, "re-arming %s…", d.name)
				return m, rearmCmd(m.ctx, m.deps.Rearm, d.key, d.name)
			}
			return m, m.queueSave(saveReq{reason: "re-arm " + d.name + " (confirmed)", change: clearLatch(d.key)})
		case confirmRemove:
			return m.confirmedRemove(d)
		case confirmPause:
			return m, m.queueSave(saveReq{
				reason: fmt.Sprintf("%s paused (qty %d kept aside; z resumes it)", d.name, d.qty),
				change: pauseEntry(d.key, d.qty),
			})
		case confirmResume:
			return m, m.queueSave(saveReq{
				reason: fmt.Sprintf("%s resumed, qty %d (confirmed): orders and pays when in stock", d.name, d.qty),
				change: resumeEntry(d.key),
			})
		case confirmFinishedPlace:
			return m, m.queueSave(saveReq{
				reason: "place_order on for " + d.name + " (confirmed; buys nothing until bought again or brought back)",
				change: setFlags(d.key, d.fromPlace, d.fromPay, true, d.fromPay),
			})
		}
	case "n", "N", "esc", "q":
		m.confirm = nil
		m.logf(slog.LevelInfo, "cancelled: nothing changed for %s", d.name)
		m.relayout()
	}
	return m, nil
}

func (m Model) updateLog(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	h := m.logHeight() - 1
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit(false)
	case key.Matches(msg, k.Focus), msg.String() == "esc":
		m.logFocus = false
		m.relayout()
	case key.Matches(msg, k.Up):
		m.log.scroll(1, h)
	case key.Matches(msg, k.Down):
		m.log.scroll(-1, h)
	case key.Matches(msg, k.PageUp):
		m.log.scroll(h, h)
	case key.Matches(msg, k.PageDown):
		m.log.scroll(-h, h)
	case key.Matches(msg, k.Top):
		m.log.scroll(m.log.ring.len(), h)
	case key.Matches(msg, k.Bottom):
		m.log.offset = 0
	case key.Matches(msg, k.Detail):
		m.log.wrap = !m.log.wrap
	case key.Matches(msg, k.Dismiss):
		m.banner, m.reminder = nil, nil
		m.setSize(m.layout.width, m.layout.height)
	}
	return m, nil
}

// addEventLine adds an engine event to the log pane. Successful polls are
// shown in the header only.
func (m *Model) addEventLine(ev order.Event) {
	switch ev.(type) {
	case order.PollOK, order.EntryStatesChanged, order.StatusChanged, order.UnpaidOrders:
		return // the header and the dashboard say it
	case order.AvailabilitySeen, order.CatalogSeen, order.SweepDone:
		return // for the restock radar (history), not the log
	}
	text := ev.Message()
	if a, ok := ev.(order.AvailabilityChanged); ok {
		// The label names the server: the fqn would say it twice.
		text = fmt.Sprintf("%s: %s -> %s", a.DC, orDash(a.Old), a.New)
	}
	if b := eventBase(ev); b.Entry != "" {
		text = m.labelOf(b.Entry) + ": " + text
	}
	m.log.add(logLine{at: ev.At(), level: ev.Level(), text: text})
}

// eventBase returns the Base of the known event types.
func eventBase(ev order.Event) order.Base {
	switch e := ev.(type) {
	case order.AvailabilityChanged:
		return e.Base
	case order.StatusChanged:
		return e.Base
	case order.CartReady:
		return e.Base
	case order.CartRenewed:
		return e.Base
	case order.PriceOverCeiling:
		return e.Base
	case order.OrderAttempted:
		return e.Base
	case order.OrderPlaced:
		return e.Base
	case order.WouldHaveOrdered:
		return e.Base
	case order.OrderFailed:
		return e.Base
	case order.NeedsDecision:
		return e.Base
	case order.APIError:
		return e.Base
	case order.PrefsSaved:
		return e.Base
	case order.Info:
		return e.Base
	case order.PollOK:
		return e.Base
	}
	return order.Base{}
}
