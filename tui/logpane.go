package tui

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// logCapacity bounds the log pane's memory: older lines are dropped.
const logCapacity = 1000

// logLine is one line of the log pane.
type logLine struct {
	at    time.Time
	level slog.Level
	text  string
	// count is how many times the line came in a row (1 for once); at is
	// the first time, last the latest.
	count int
	last  time.Time
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

// newest returns a pointer to the newest line, or nil.
func (r *logRing) newest() *logLine {
	if len(r.lines) == 0 {
		return nil
	}
	return &r.lines[(r.start+len(r.lines)-1)%len(r.lines)]
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
	wrap   bool // long lines wrap instead of being cut
}

// add appends a line; the same line again right after (an error repeated
// every poll) is collapsed into the previous one, counted (×12).
func (p *logPane) add(l logLine) {
	if n := p.ring.newest(); n != nil && n.text == l.text && n.level == l.level {
		n.count++
		n.last = l.at
		return
	}
	l.count, l.last = 1, l.at
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
// cut to width, or wrapped over several rows when wrap is on.
func (p *logPane) view(st *Styles, width, height int, focused bool) string {
	if height <= 0 || width <= 0 {
		return ""
	}
	var b strings.Builder
	title := " log "
	if p.offset > 0 {
		title += "(scrolled back, G follows) "
	}
	if p.wrap {
		title += "(long lines wrapped, enter cuts them) "
	} else if focused {
		title += "(enter wraps long lines) "
	}
	tst := st.PaneTitle
	if focused {
		tst = st.PaneTitleFocused
		title = "▸" + title
	}
	b.WriteString(tst.Render(fit(title, width)))
	rows := height - 1
	end := p.ring.len() - p.offset
	// Newest last: collect rows from the end, then write them in order.
	var out []string
	for i := end - 1; i >= 0 && len(out) < rows; i-- {
		r := renderLogLine(st, p.ring.at(i), width, p.wrap)
		for j := len(r) - 1; j >= 0 && len(out) < rows; j-- {
			out = append(out, r[j])
		}
	}
	for i := len(out) - 1; i >= 0; i-- {
		b.WriteByte('\n')
		b.WriteString(out[i])
	}
	for written := len(out); written < rows; written++ {
		b.WriteByte('\n')
	}
	return b.String()
}

// logPrefixWidth is the width of "15:04:05 WARN ".
const logPrefixWidth = 14

// renderLogLine renders "15:04:05 WARN message (×12)": one row cut to
// width, or several when wrap is set (continuations indented).
func renderLogLine(styles *Styles, l logLine, width int, wrap bool) []string {
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
	text := l.text
	if l.count > 1 {
		text += fmt.Sprintf(" (×%d, last %s)", l.count, l.last.Format("15:04:05"))
	}
	rest := width - logPrefixWidth
	if rest < 1 {
		return []string{cut(ts+" "+lvl, width)}
	}
	head := st.LogTime.Render(ts) + " " + lst.Render(lvl) + " "
	if !wrap || ansi.StringWidth(text) <= rest {
		return []string{head + linkRows(text, rest, false)[0]}
	}
	parts := linkRows(text, rest, true) // URLs are links, never wrapped (links.go)
	out := make([]string, len(parts))
	for i, p := range parts {
		if i == 0 {
			out[i] = head + p
		} else {
			out[i] = strings.Repeat(" ", logPrefixWidth) + p
		}
	}
	return out
}
