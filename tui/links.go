package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/ovhtui/ovhtui/ovhapi"
)

// Links (order URLs) are OSC 8 hyperlinks and are never wrapped: a URL cut
// over two rows is two broken links to a terminal. A URL that does not fit
// shows cut with "…" while its link stays whole, so a click (or the
// terminal's "open link") opens all of it; the Orders screen and `ovhtui
// orders` show it in full.

// isLink reports a word that is a URL.
func isLink(w string) bool {
	return strings.HasPrefix(w, "https://") || strings.HasPrefix(w, "http://")
}

// hyperlink is url as an OSC 8 hyperlink showing url cut to width cells;
// never with an order password (ovhapi.OrderLink).
func hyperlink(url string, width int) string {
	url = ovhapi.OrderLink(url)
	return ansi.SetHyperlink(url) + cut(url, width) + ansi.ResetHyperlink()
}

// linkify makes each URL word of plain text an OSC 8 hyperlink.
func linkify(text string) string {
	if !strings.Contains(text, "://") {
		return text
	}
	words := strings.Split(text, " ")
	for i, w := range words {
		if isLink(w) {
			words[i] = hyperlink(w, ansi.StringWidth(w))
		}
	}
	return strings.Join(words, " ")
}

// linkRows lays plain text out in rows of at most width cells, each URL an
// OSC 8 hyperlink. Without wrap: one row, cut with "…". With wrap: rows
// break at spaces; a URL longer than a row gets a row of its own, cut (its
// link whole), never wrapped; another word longer than a row is cut into
// pieces.
func linkRows(text string, width int, wrap bool) []string {
	if width <= 0 {
		return []string{""}
	}
	if !wrap {
		return []string{cut(linkify(text), width)}
	}
	var rows []string
	var row strings.Builder
	rowW := 0
	flush := func() {
		rows = append(rows, row.String())
		row.Reset()
		rowW = 0
	}
	for _, w := range strings.Split(text, " ") {
		ww := ansi.StringWidth(w)
		sep := 0
		if rowW > 0 {
			sep = 1
		}
		if rowW+sep+ww <= width {
			if sep == 1 {
				row.WriteByte(' ')
			}
			row.WriteString(linkify(w))
			rowW += sep + ww
			continue
		}
		if rowW > 0 {
			flush()
		}
		switch {
		case ww <= width:
			row.WriteString(linkify(w))
			rowW = ww
		case isLink(w):
			rows = append(rows, hyperlink(w, width))
		default:
			pieces := strings.Split(ansi.Hardwrap(w, width, true), "\n")
			rows = append(rows, pieces[:len(pieces)-1]...)
			last := pieces[len(pieces)-1]
			row.WriteString(last)
			rowW = ansi.StringWidth(last)
		}
	}
	if rowW > 0 || len(rows) == 0 {
		flush()
	}
	return rows
}
