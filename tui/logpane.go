package tui

import (
	"log/slog"
	"strings"
	"time"
)

// logCapacity bounds the log pane's memory: older lines are dropped.
const logCapacity = 1000

// logLine is one line of the log pane.
type logLine struct {
	at    time.Time
	level slog.Level
	text  string
}

// logRing is a bounded ring buffer of log lines.
type logRing struct {
	lines []logLine
	start int // index of the oldest line once full
}

// add appends a line, dropping the oldest when full.
func (r *logRing) add(l logLine) {
	if len(r.lines) < logCapacity {
		r.lines = append(r.lines, l)
		return
	}
	r.lines[r.start] = l
	r.start = (r.start + 1) % logCapacity
}

// len is the number of lines held.
func (r *logRing) len() int { return len(r.lines) }

// at returns the i-th oldest line.
func (r *logRing) at(i int) logLine { return r.lines[(r.start+i)%len(r.lines)] }

// logPane shows the ring, scrolled back by offset lines from the newest
// (0 follows new lines).
type logPane struct {
	ring   logRing
	offset int
}

func (p *logPane) add(l logLine) {
	p.ring.add(l)
	if p.offset > 0 && p.offset < p.ring.len() {
		p.offset++ // keep the lines the user is reading in place
	}
}

// scroll moves the view by delta lines (positive: older), clamped for a
// pane of height lines.
func (p *logPane) scroll(delta, height int) {
	p.offset += delta
	maxOff := max(p.ring.len()-height, 0)
	p.offset = min(max(p.offset, 0), maxOff)
}

// view renders the pane: a title line then height-1 lines of log, each
// cut to width.
func (p *logPane) view(st *Styles, width, height int, focused bool) string {
	if height <= 0 || width <= 0 {
		return ""
	}
	var b strings.Builder
	title := " log "
	if p.offset > 0 {
		title += "(scrolled back, G follows) "
	}
	tst := st.PaneTitle
	if focused {
		tst = st.PaneTitleFocused
		title = "▸" + title
	}
	b.WriteString(tst.Render(fit(title, width)))
	rows := height - 1
	n := p.ring.len()
	end := n - p.offset
	begin := max(end-rows, 0)
	written := 0
	for i := begin; i < end; i++ {
		l := p.ring.at(i)
		b.WriteByte('\n')
		b.WriteString(renderLogLine(st, l, width))
		written++
	}
	for ; written < rows; written++ {
		b.WriteByte('\n')
	}
	return b.String()
}

// renderLogLine renders "15:04:05 WARN message" cut to width.
func renderLogLine(styles *Styles, l logLine, width int) string {
	st := &styles.ink
	ts := l.at.Format("15:04:05")
	lvl, lst := "INFO", st.LogInfo
	switch {
	case l.level >= slog.LevelError:
		lvl, lst = "ERR ", st.LogError
	case l.level >= slog.LevelWarn:
		lvl, lst = "WARN", st.LogWarn
	case l.level < slog.LevelInfo:
		lvl, lst = "DBG ", st.LogDebug
	}
	rest := width - len(ts) - len(lvl) - 2
	if rest < 0 {
		return cut(ts+" "+lvl, width)
	}
	return st.LogTime.Render(ts) + " " + lst.Render(lvl) + " " + cut(l.text, rest)
}
