package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ovhtui/ovhtui/history"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

// This file shows the restock radar (package history): stock now and last
// in stock in the catalog browser's list, and "last in stock 3d ago for 12
// min" on the dashboard while an entry waits. The figures are read by a
// command every radarRefresh, never in Update or View.

// RadarReader is what the UI reads of the restock radar (*history.Store).
type RadarReader interface {
	// Offers is the stock of every plan of a subsidiary, by planCode.
	Offers(ctx context.Context, sub string, now time.Time) (map[string]history.Stock, error)
	// StockOf is the stock of what f selects.
	StockOf(ctx context.Context, f history.Filter, now time.Time) (history.Stock, error)
	// Stats is the restock statistics of what f selects, with one heatmap
	// per location (the history view).
	Stats(ctx context.Context, f history.Filter, now time.Time, locs ...*time.Location) (history.Stats, error)
	// Timeline is the values per DC of what f selects (the history view).
	Timeline(ctx context.Context, f history.Filter, now time.Time) ([]history.DCLine, error)
	// Changed returns a channel closed once the history changed (nil: the
	// reader does not say, and figures are read every radarRefresh only).
	Changed() <-chan struct{}
}

// radarRefresh is how often the radar's figures are read again when the
// reader does not say that the history changed.
const radarRefresh = 30 * time.Second

// radarMinGap is the least time between two reads of the history view's
// figures when the history keeps changing (every poll may flip something):
// they are one fqn's or one plan's, a few ms.
const radarMinGap = 2 * time.Second

// offersMinGap is the same for the browser's and the dashboard's figures:
// every offer's stock, tens of ms on a year of history.
const offersMinGap = 10 * time.Second

// radarChangedMsg says the history changed.
type radarChangedMsg struct{}

// waitRadarChanged waits until the history changes (nil when the reader
// does not say).
func waitRadarChanged(ctx context.Context, r RadarReader) tea.Cmd {
	if r == nil {
		return nil
	}
	ch := r.Changed()
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case <-ch:
			return radarChangedMsg{}
		case <-ctx.Done():
			return nil
		}
	}
}

// radarChanged marks every figure of the radar stale and waits for the
// next change; the reads happen now or at the tick (offersMinGap and
// radarMinGap apart).
func (m *Model) radarChanged() tea.Cmd {
	m.radar.dirty = true
	if m.history != nil {
		m.history.dirty = true
	}
	return tea.Batch(waitRadarChanged(m.ctx, m.deps.History), m.radarCmd(), m.historyDue())
}

// radarKey is an fqn in a DC.
type radarKey struct{ fqn, dc string }

// radarMsg carries the radar's figures.
type radarMsg struct {
	at      time.Time
	offers  map[string]history.Stock
	entries map[radarKey]history.Stock
	err     error
}

// radarState is what the UI last read of the radar.
type radarState struct {
	at      time.Time
	loading bool
	dirty   bool // the history changed since the figures were read
	offers  map[string]history.Stock
	entries map[radarKey]history.Stock
}

// radarCmd reads the radar's figures when they are due (nil otherwise).
func (m *Model) radarCmd() tea.Cmd {
	r := m.deps.History
	if r == nil || m.radar.loading {
		return nil
	}
	if age := m.now.Sub(m.radar.at); !m.radar.at.IsZero() && age < radarRefresh && (!m.radar.dirty || age < offersMinGap) {
		return nil
	}
	m.radar.loading, m.radar.dirty = true, false
	sub, now := m.deps.Subsidiary, m.now
	var keys []radarKey
	if m.file != nil {
		if m.file.Subsidiary != "" {
			sub = m.file.Subsidiary
		}
		for _, s := range m.file.Servers {
			for _, dc := range s.DCNames() {
				keys = append(keys, radarKey{s.FQN, dc})
			}
		}
	}
	ctx := m.ctx
	return func() tea.Msg {
		out := radarMsg{at: now, entries: map[radarKey]history.Stock{}}
		out.offers, out.err = r.Offers(ctx, sub, now)
		if out.err != nil {
			return out
		}
		for _, k := range keys {
			st, err := r.StockOf(ctx, history.Filter{Subsidiary: sub, FQN: k.fqn, DC: k.dc}, now)
			if err != nil {
				out.err = err
				break
			}
			out.entries[k] = st
		}
		return out
	}
}

// setRadar installs the figures read.
func (m *Model) setRadar(msg radarMsg) {
	m.radar.loading = false
	m.radar.at = msg.at
	if msg.err != nil {
		return // said once by the recorder; the columns keep what they had
	}
	m.radar.offers, m.radar.entries = msg.offers, msg.entries
	if m.browser != nil {
		m.browser.stock = msg.offers
		m.browser.apply()
	}
}

// lastInStockNote adds "last in stock 3d ago for 12 min" to the status of
// a DC of an entry that waits, when the radar knows it and it fits width.
func (m *Model) lastInStockNote(s *prefs.Server, v *order.EntryView, d *order.DCView, dc, status string, width int) string {
	if m.radar.entries == nil || v == nil || d == nil || v.Lifecycle != order.LifeWatching || d.Class == order.AvailOrderable {
		return status
	}
	st, ok := m.radar.entries[radarKey{s.FQN, dc}]
	if !ok || st.InStockNow() {
		return status
	}
	var notes []string
	switch {
	case !st.LastOut.IsZero():
		ago, lasted := history.FormatDuration(m.now.Sub(st.LastOut)), history.FormatDuration(st.LastOut.Sub(st.LastIn))
		notes = []string{"last in stock " + ago + " ago for " + lasted, "in stock " + ago + " ago, " + lasted, "in stock " + ago + " ago", "last " + ago + " ago"}
	case st.Seen:
		notes = []string{"never seen in stock", "never in stock"}
	}
	for _, n := range notes {
		switch {
		case status == "" && len(n) <= width:
			return n
		case len(status)+3+len(n) <= width:
			return status + " · " + n
		}
	}
	return status
}

// stockText is the browser's stock column for an offer: the best class
// and DC in stock now, else when it was last in stock and for how long.
func stockText(st history.Stock, known bool, now time.Time) (string, bool) {
	switch {
	case !known || !st.Seen:
		return "—", false
	case st.InStockNow():
		return st.Best + " " + st.BestDC, true
	case !st.LastOut.IsZero():
		return history.FormatDuration(now.Sub(st.LastOut)) + " ago, " + history.FormatDuration(st.LastOut.Sub(st.LastIn)), false
	}
	return "never", false
}
