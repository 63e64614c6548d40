package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/order"
)

// fmtCountdown formats the time left until an expiry: "12d3h", "5h07m",
// "4m09s", "expired".
func fmtCountdown(d time.Duration) string {
	if d <= 0 {
		return "expired"
	}
	d = d.Truncate(time.Second)
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd%dh", d/(24*time.Hour), (d%(24*time.Hour))/time.Hour)
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", d/time.Hour, (d%time.Hour)/time.Minute)
	default:
		return fmt.Sprintf("%dm%02ds", d/time.Minute, (d%time.Minute)/time.Second)
	}
}

// fmtAge formats how long ago something happened: "3s", "2m", "5h", "3d".
func fmtAge(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", d/time.Second)
	case d < time.Hour:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", d/time.Hour)
	default:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
}

// availText is the short word of an availability value of class c (from
// order.ClassifyAvailability, the classification the engine orders by):
// delivery windows as OVH writes them, "out" for unavailable.
func availText(v string, c order.AvailClass) string {
	switch c {
	case order.AvailNoData:
		return "…"
	case order.AvailOut:
		return "out"
	case order.AvailComing:
		return "coming"
	case order.AvailUnknown:
		if v == "unknown" {
			return v
		}
		return v + "?" // a value this version does not know
	}
	return v
}

// availCell is the availability column of a DC: OVH's word while the
// engine counts it current; once it does not (order.DCView.AvailOld: the
// server is no longer polled there, or its polls fail), how long ago it
// was read ("5m ago"), dimmed. An old value never shows as if current.
func availCell(st *inks, d *order.DCView, now time.Time) (string, ink) {
	switch {
	case d == nil:
		return availText("", order.AvailNoData), st.Dim
	case d.AvailOld && d.AvailAt.IsZero():
		return "old", st.AvailOld
	case d.AvailOld:
		return fmtAge(now.Sub(d.AvailAt)) + " ago", st.AvailOld
	}
	return availText(d.Avail, d.Class), availInk(st, d.Class)
}

// availInk is the ink of an availability class.
func availInk(st *inks, c order.AvailClass) ink {
	switch c {
	case order.AvailOrderable:
		return st.AvailNow
	case order.AvailTooSlow:
		return st.AvailSoon
	case order.AvailComing:
		return st.AvailLater
	case order.AvailOut:
		return st.AvailNone
	case order.AvailUnknown:
		return st.AvailUnknown
	}
	return st.Dim
}

// shortFQN shortens an fqn for display ("32g/2x450nvme"): catalog.ShortFQN,
// the one home of product names.
func shortFQN(planCode, fqn string) string { return catalog.ShortFQN(planCode, fqn) }

// shortDC shortens a datacenter name to at most width cells without
// cutting a word: the words of a zone name (eu-west-par-a) are kept as
// the run of consecutive words that fits with the most letters, the later
// run on a tie (the city and zone: "par-a" in 5 cells, "west-par-a" in
// 10). A short code (gra, rbx) is kept whole. Every DC shown in a narrow
// column goes through it; nothing assumes a list of codes.
func shortDC(dc string, width int) string {
	if ansi.StringWidth(dc) <= width {
		return dc
	}
	words := strings.Split(dc, "-")
	best, bestLetters := "", -1
	for i := range words {
		for j := i + 1; j <= len(words); j++ {
			run := strings.Join(words[i:j], "-")
			if ansi.StringWidth(run) > width {
				break
			}
			if n := len(run) - (j - i - 1); n >= bestLetters {
				best, bestLetters = run, n
			}
		}
	}
	if best == "" || bestLetters <= 0 {
		return fit(dc, width) // not one word fits: the only cut left
	}
	return best
}

// dcWidth is the width of a column showing every DC of dcs in full.
func dcWidth(dcs []string, least int) int {
	w := least
	for _, dc := range dcs {
		w = max(w, ansi.StringWidth(dc))
	}
	return w
}

// fit cuts s to width cells (with an ellipsis) and pads it with spaces to
// exactly width cells. s must be plain text.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	w := ansi.StringWidth(s)
	if w > width {
		s = ansi.Truncate(s, width, "…")
		w = ansi.StringWidth(s)
	}
	if w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// fitRight is fit with the text aligned right.
func fitRight(s string, width int) string {
	if width <= 0 {
		return ""
	}
	w := ansi.StringWidth(s)
	if w > width {
		return ansi.Truncate(s, width, "…")
	}
	return strings.Repeat(" ", width-w) + s
}

// cut truncates styled or plain s to width cells without padding.
func cut(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= width {
		return s
	}
	return ansi.Truncate(s, width, "…")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// fmtTime formats a time of the file in UTC, "-" when zero.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

func itoa(i int) string { return strconv.Itoa(i) }
