package tui

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ovhtui/ovhtui/history"
)

// The history view shows the restock radar's memory of one entry (its fqn
// in every DC, the DCs it wants marked) or one offer of the catalog browser
// (every configuration of the plan): a 30-day timeline per DC, the
// hour-of-day × weekday heatmap of restocks in OVH's time and in the
// user's, the number of restocks, the median and longest time in stock and
// the last five restocks. H opens it on the dashboard, ctrl+r in the
// browser's list; esc goes back. Its figures are read by a command (never
// in Update or View), again whenever the history changes.

// historyDays is the span of the timeline.
const historyDays = 30

// historyTimeout bounds one read of the history view's figures.
const historyTimeout = 10 * time.Second

// historyView is the history screen.
type historyView struct {
	title  string
	filter history.Filter  // subsidiary and fqn (an entry) or planCode (an offer)
	wanted map[string]bool // the DCs an entry wants (nil for an offer)
	// local shows the heatmap in the user's time instead of OVH's when
	// only one fits (t toggles it).
	local bool

	gen     int  // of the read in flight: a stale reply is dropped
	loading bool // a read is in flight
	dirty   bool // the history changed since the last read
	readAt  time.Time
	err     string
	data    *historyData
}

// historyData is what one read returned.
type historyData struct {
	at    time.Time // the read's now: the timeline ends there
	stats history.Stats
	lines []history.DCLine
	zones [2]*time.Location // OVH's, the user's: the heatmaps' order in stats
}

// historyMsg carries the history view's figures.
type historyMsg struct {
	gen  int
	data *historyData
	err  error
}

// openHistory opens the history view of what f selects.
func (m Model) openHistory(title string, f history.Filter, wanted []string) (tea.Model, tea.Cmd) {
	if m.deps.History == nil {
		m.logf(slog.LevelWarn, "no restock history: ovhtui runs with --history off")
		return m, nil
	}
	if f.Subsidiary == "" {
		f.Subsidiary = m.subsidiary()
	}
	h := &historyView{title: title, filter: f, gen: m.historyGen + 1}
	m.historyGen++
	if len(wanted) > 0 {
		h.wanted = map[string]bool{}
		for _, dc := range wanted {
			h.wanted[dc] = true
		}
	}
	m.history = h
	return m, m.historyRead()
}

// openEntryHistory opens the history of the selected entry: its fqn in
// every DC it was seen in, its own DCs marked.
func (m Model) openEntryHistory() (tea.Model, tea.Cmd) {
	s := m.selected()
	if s == nil {
		return m, nil
	}
	return m.openHistory(m.serverName(s.PlanCode)+" "+shortFQN(s.PlanCode, s.FQN),
		history.Filter{FQN: s.FQN}, s.DCNames())
}

// openOfferHistory opens the history of the offer under the browser's
// cursor: every configuration of the plan.
func (m Model) openOfferHistory() (tea.Model, tea.Cmd) {
	b := m.browser
	if b == nil || len(b.shown) == 0 {
		return m, nil
	}
	r := &b.rows[b.shown[b.cursor]]
	return m.openHistory(r.name+" ("+r.offer.PlanCode+", every configuration)", history.Filter{PlanCode: r.offer.PlanCode}, nil)
}

// subsidiary is the subsidiary of preferences.json, else the one given.
func (m *Model) subsidiary() string {
	if m.file != nil && m.file.Subsidiary != "" {
		return m.file.Subsidiary
	}
	return m.deps.Subsidiary
}

// historyRead starts a read of the history view's figures.
func (m *Model) historyRead() tea.Cmd {
	h, r := m.history, m.deps.History
	if h == nil || r == nil {
		return nil
	}
	h.loading, h.dirty, h.readAt = true, false, m.now
	gen, f, now, local, ctx := h.gen, h.filter, m.now, m.location(), m.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, historyTimeout)
		defer cancel()
		d := &historyData{at: now, zones: [2]*time.Location{history.OVHTime, local}}
		var err error
		d.stats, err = r.Stats(ctx, f, now, d.zones[0], d.zones[1])
		if err == nil {
			tf := f
			tf.Since = now.Add(-historyDays * 24 * time.Hour)
			d.lines, err = r.Timeline(ctx, tf, now)
		}
		if err != nil {
			return historyMsg{gen: gen, err: err}
		}
		return historyMsg{gen: gen, data: d}
	}
}

// location is the user's time zone.
func (m *Model) location() *time.Location {
	if m.deps.Location != nil {
		return m.deps.Location
	}
	return time.Local
}

// setHistory installs a read's figures.
func (m *Model) setHistory(msg historyMsg) {
	h := m.history
	if h == nil || msg.gen != h.gen {
		return // the view was closed or reopened meanwhile
	}
	h.loading = false
	if msg.err != nil {
		h.err = msg.err.Error()
		return
	}
	h.err, h.data = "", msg.data
}

// historyDue reads the view's figures again when the history changed and
// the last read is at least radarMinGap old (the tick comes back for it),
// and every radarRefresh in any case (the timeline ends now).
func (m *Model) historyDue() tea.Cmd {
	h := m.history
	if h == nil || h.loading {
		return nil
	}
	age := m.now.Sub(h.readAt)
	if age < radarMinGap || (!h.dirty && age < radarRefresh) {
		return nil
	}
	return m.historyRead()
}

func (m Model) updateHistory(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Back):
		m.history = nil
		m.ensureVisible()
	case key.Matches(msg, k.HistoryZone):
		m.history.local = !m.history.local
	case key.Matches(msg, k.Quit):
		return m.quit(false)
	}
	return m, nil
}

// Heatmap and timeline signs: they read without colour (NO_COLOR).
const (
	heatNone   = "·"
	signNow    = "█" // in stock, 1H
	signLater  = "▓" // in stock, a longer delivery
	signComing = "░" // comingSoon
	signOut    = "_" // seen out of stock
	signNoData = " " // nothing seen
)

// heatSigns shade a cell by its share of the busiest hour.
var heatSigns = []string{"░", "▒", "▓", "█"}

// view renders the history view in width x height.
func (h *historyView) view(st *Styles, width, height int) string {
	lines := []string{st.PaneTitleFocused.Render(fit(" history · "+h.title+" ", width))}
	switch {
	case h.data == nil && h.err != "":
		lines = append(lines, "", st.StatusBad.Render(cut("  history: "+h.err, width)))
		return padLines(lines, height)
	case h.data == nil:
		lines = append(lines, "", st.Dim.Render(cut("  reading the history…", width)))
		return padLines(lines, height)
	case !h.data.stats.Seen:
		lines = append(lines, "", cut("  Nothing recorded yet. ovhtui records every change of availability it sees:", width),
			cut("  the wanted polls, and the sweep of every ECO model every 5 minutes.", width))
		return padLines(lines, height)
	}
	lines = append(lines, h.summaryView(st, width))
	// The heatmap block takes 9 lines (title, hours, 7 days); the timeline
	// what is left: a title, one line per DC, the axis. A blank line
	// before each when there is room. On a short terminal the DCs come
	// first and the heatmap is cut.
	room := height - len(lines) - 2
	dcRows := room - 9
	if dcRows < len(h.data.lines) {
		dcRows = min(len(h.data.lines), room)
	}
	dcRows = max(dcRows, 1)
	gap := len(h.data.lines) <= dcRows-2
	if gap {
		dcRows -= 2
		lines = append(lines, "")
	}
	lines = append(lines, h.timelineView(st, width, dcRows)...)
	if gap {
		lines = append(lines, "")
	}
	lines = append(lines, h.heatBlock(st, width)...)
	if h.err != "" {
		lines = append(lines, st.StatusBad.Render(cut("  history: "+h.err, width)))
	}
	return padLines(lines, height)
}

// summaryView is the line of figures: restocks, median and longest time in
// stock, since when.
func (h *historyView) summaryView(st *Styles, width int) string {
	s := h.data.stats
	since := "no change recorded"
	if !s.First.IsZero() {
		since = "since " + s.First.In(h.data.zones[1]).Format("2 Jan 2006")
	}
	restocks := fmt.Sprintf("%d restocks", s.Restocks)
	if s.Restocks == 1 {
		restocks = "1 restock"
	}
	text := fmt.Sprintf(" %s: %s · median in stock %s · longest %s", since, restocks,
		durText(s.MedianInStock), durText(s.LongestInStock))
	return st.Name.Render(cut(text, width))
}

func durText(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return history.FormatDuration(d)
}

// timelineView is the 30-day timeline: one line per DC (at most rows),
// cells of equal time, oldest left.
func (h *historyView) timelineView(st *Styles, width, rows int) []string {
	d := h.data
	labelW := 3
	for _, l := range d.lines {
		labelW = max(labelW, min(ansi.StringWidth(l.DC), 10))
	}
	labelW++ // the mark of a wanted DC
	cells := max(width-labelW-3, 1)
	from := d.at.Add(-historyDays * 24 * time.Hour)
	step := d.at.Sub(from) / time.Duration(cells)
	legend := fmt.Sprintf(" %d days per DC (a cell ≈ %s): %s 1H  %s later  %s coming  %s out", historyDays,
		history.FormatDuration(step), signNow, signLater, signComing, signOut)
	if h.wanted != nil {
		legend += "  * wanted"
	}
	out := []string{st.DialogTitle.Render(cut(legend, width))}
	shown := d.lines
	more := 0
	if len(shown) > rows {
		more = len(shown) - rows + 1
		shown = shown[:max(rows-1, 0)]
	}
	for _, l := range shown {
		mark := " "
		if h.wanted[l.DC] {
			mark = "*"
		}
		var b strings.Builder
		b.WriteString(" ")
		b.WriteString(fit(shortDC(l.DC, labelW-1), labelW-1))
		b.WriteString(mark)
		b.WriteString(" ")
		paintRuns(&b, l.Buckets(from, d.at, cells), func(v string) (string, ink) { return timelineSign(st, v) })
		out = append(out, b.String())
	}
	if len(d.lines) == 0 {
		out = append(out, st.Dim.Render(cut("  nothing seen in the last 30 days", width)))
	}
	if more > 0 {
		out = append(out, st.Dim.Render(cut(fmt.Sprintf("  +%d more DCs", more), width)))
	}
	axis := fit(" "+strings.Repeat(" ", labelW+1)+from.In(h.data.zones[1]).Format("2 Jan"), width-4) + "now"
	out = append(out, st.Dim.Render(cut(axis, width)))
	return out
}

// timelineSign is the sign and ink of a timeline cell holding value v.
func timelineSign(st *Styles, v string) (string, ink) {
	switch {
	case v == "":
		return signNoData, st.ink.Plain
	case v == "1H-high" || v == "1H-low":
		return signNow, st.ink.AvailNow
	case history.InStock(v):
		return signLater, st.ink.AvailSoon
	case v == "comingSoon":
		return signComing, st.ink.AvailLater
	}
	return signOut, st.ink.AvailNone
}

// paintRuns writes one sign per value, painting runs of the same value at
// once.
func paintRuns(b *strings.Builder, vals []string, sign func(string) (string, ink)) {
	for i := 0; i < len(vals); {
		j := i
		for j < len(vals) && vals[j] == vals[i] {
			j++
		}
		s, k := sign(vals[i])
		b.WriteString(k.Render(strings.Repeat(s, j-i)))
		i = j
	}
}

// heatW is the width of one heatmap: the weekday, a space, 24 hours.
const heatW = 4 + 24

// heatBlock is the heatmaps (both when they fit, else the one chosen) and,
// beside them, the last five restocks.
func (h *historyView) heatBlock(st *Styles, width int) []string {
	d := h.data
	same := sameZone(d.zones[0], d.zones[1], d.at)
	var maps []int // indexes into stats.Heatmaps
	switch {
	case same:
		maps = []int{0}
	case width >= 2*heatW+3+40:
		maps = []int{0, 1}
	case h.local:
		maps = []int{1}
	default:
		maps = []int{0}
	}
	var cols [][]string
	for _, i := range maps {
		cols = append(cols, h.heatmapView(st, i, same, len(maps) == 1))
	}
	used := len(maps) * (heatW + 3)
	cols = append(cols, h.lastView(st, width-used))
	out := make([]string, 9)
	for r := range out {
		var b strings.Builder
		for c, col := range cols {
			cell := ""
			if r < len(col) {
				cell = col[r]
			}
			if c < len(cols)-1 {
				cell = padTo(cell, heatW+3)
			}
			b.WriteString(cell)
		}
		out[r] = b.String()
	}
	return out
}

// padTo pads styled s with spaces to width cells (cutting it when longer).
func padTo(s string, width int) string {
	w := ansi.StringWidth(s)
	if w > width {
		return ansi.Truncate(s, width, "…")
	}
	return s + strings.Repeat(" ", width-w)
}

// sameZone reports whether a and b give the same offsets around at (the
// user is in OVH's time zone): one heatmap then says it all.
func sameZone(a, b *time.Location, at time.Time) bool {
	for _, t := range []time.Time{at, at.AddDate(0, -6, 0)} {
		_, oa := t.In(a).Zone()
		_, ob := t.In(b).Zone()
		if oa != ob {
			return false
		}
	}
	return true
}

// heatmapView is heatmap i: a title, the hours, one line per weekday from
// Monday.
func (h *historyView) heatmapView(st *Styles, i int, same, toggles bool) []string {
	d := h.data
	hm := d.stats.Heatmaps[i]
	zone, _ := d.at.In(hm.Location).Zone()
	title := " OVH time (" + zone + ")"
	switch {
	case same:
		title = " your time = OVH's (" + zone + ")"
	case i == 1:
		title = " your time (" + zone + ")"
	}
	if !same && toggles {
		title += " · t"
	}
	out := []string{st.DialogTitle.Render(fit(title, heatW)), st.Dim.Render(" h  0     6     12    18    ")}
	for k := range 7 {
		wd := time.Weekday((k + 1) % 7) // Monday first
		var b strings.Builder
		b.WriteString(" " + wd.String()[:2] + " ")
		for hr := range 24 {
			c := hm.Count[wd][hr]
			switch {
			case c == 0:
				b.WriteString(st.ink.Dim.Render(heatNone))
			default:
				lvl := min((c*len(heatSigns)+hm.Max-1)/hm.Max, len(heatSigns)) - 1
				b.WriteString(st.ink.Heat.Render(heatSigns[lvl]))
			}
		}
		out = append(out, b.String())
	}
	return out
}

// lastView is the last five restocks, newest first, in the user's time,
// in width.
func (h *historyView) lastView(st *Styles, width int) []string {
	d := h.data
	zone, _ := d.at.In(d.zones[1]).Zone()
	out := []string{st.DialogTitle.Render(cut(" last five restocks", width)),
		st.Dim.Render(cut(" (your time, "+zone+")", width))}
	if len(d.stats.LastRestocks) == 0 {
		return append(out, st.Dim.Render(cut(" none yet", width)))
	}
	offer := h.filter.FQN == ""
	for _, iv := range d.stats.LastRestocks {
		when := iv.Start.In(d.zones[1]).Format("Mon 2 Jan 15:04")
		lasted := history.FormatDuration(iv.Duration())
		if iv.Ongoing {
			lasted = "in stock now"
		}
		line := fmt.Sprintf(" %s %s %s %s", when, shortDC(iv.DC, 6), iv.Grade, lasted)
		if offer && width >= 50 {
			line += " " + shortFQN(h.filter.PlanCode, iv.FQN)
		}
		out = append(out, cut(line, width))
	}
	return out
}
