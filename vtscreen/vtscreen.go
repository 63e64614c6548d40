// Package vtscreen is a minimal terminal emulator for tests: it draws a
// terminal program's output on a grid of cells, so that tests read the
// screen a user sees instead of the raw byte stream.
package vtscreen

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

// Screen is the screen a terminal shows for a program's output: the
// renderer writes only the cells that changed (cursor moves over blanks,
// erases, repeats), so a text may never appear whole in the raw stream.
// Tests read what Screen draws instead. It knows what the
// bubbletea renderer sends to an xterm: printing with autowrap, C0
// controls, cursor moves, erases, inserts and deletes, scrolling and the
// scroll region, the alternate screen and saved cursors. Styles are
// ignored.
type Screen struct {
	cells       [][]string // rows of cells; "" is a blank (or the right half of a wide rune)
	rows, cols  int
	x, y        int
	wrap        bool // the last column was written: the next rune wraps
	top, bottom int  // scroll region, inclusive
	savedX      int
	savedY      int
	last        string // last rune printed (REP)
	parser      *ansi.Parser
	seen        map[string]bool // every row shown at the end of a write or of a synchronized update, squeezed
}

// New is a blank screen of rows by cols cells.
func New(rows, cols int) *Screen {
	s := &Screen{rows: rows, cols: cols, bottom: rows - 1, seen: map[string]bool{}}
	s.cells = make([][]string, rows)
	for i := range s.cells {
		s.cells[i] = make([]string, cols)
	}
	s.parser = ansi.NewParser()
	s.parser.SetHandler(ansi.Handler{
		Print:     s.print,
		Execute:   s.execute,
		HandleCsi: s.csi,
		HandleEsc: s.esc,
	})
	return s
}

// Write feeds output to the screen, then notes the rows it shows. Not safe
// for concurrent use: callers hold their own lock.
func (s *Screen) Write(p []byte) (int, error) {
	s.parser.Parse(p)
	s.snapshot()
	return len(p), nil
}

// snapshot notes every row shown now.
func (s *Screen) snapshot() {
	for _, r := range s.cells {
		if row := Squeeze(strings.Join(r, "")); row != "" {
			s.seen[row] = true
		}
	}
}

// Shows reports whether the screen showed text on one row, spaces aside
// (the layout pads), at the end of a write or of a synchronized update.
func (s *Screen) Shows(text string) bool {
	want := Squeeze(text)
	s.snapshot()
	for row := range s.seen {
		if strings.Contains(row, want) {
			return true
		}
	}
	return false
}

// Match returns the submatches of re in a row the screen showed, spaces
// removed, at the end of a write or of a synchronized update; nil if none.
func (s *Screen) Match(re *regexp.Regexp) []string {
	s.snapshot()
	for row := range s.seen {
		if m := re.FindStringSubmatch(row); m != nil {
			return m
		}
	}
	return nil
}

// Squeeze is s without escape sequences and without spaces.
func Squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, ansi.Strip(s))
}

// Text is the screen now, one line per row.
func (s *Screen) Text() string {
	var b strings.Builder
	for _, r := range s.cells {
		for x := 0; x < len(r); x++ {
			c := r[x]
			if c == "" {
				c = " "
			}
			b.WriteString(c)
			if ansi.WcWidth.StringWidth(c) == 2 {
				x++ // its right half
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func (s *Screen) print(r rune) {
	w := ansi.WcWidth.StringWidth(string(r))
	if w == 0 {
		// A combining mark: joins the cell before.
		if x := s.x - 1; x >= 0 && !s.wrap {
			s.cells[s.y][x] += string(r)
		} else if s.wrap {
			s.cells[s.y][s.cols-1] += string(r)
		}
		return
	}
	if s.wrap {
		s.x, s.wrap = 0, false
		s.lineFeed()
	}
	if s.x+w > s.cols {
		s.x = 0
		s.lineFeed()
	}
	s.cells[s.y][s.x] = string(r)
	for i := 1; i < w; i++ {
		s.cells[s.y][s.x+i] = ""
	}
	s.last = string(r)
	s.x += w
	if s.x >= s.cols {
		s.x, s.wrap = s.cols-1, true
	}
}

func (s *Screen) execute(b byte) {
	switch b {
	case '\r':
		s.x, s.wrap = 0, false
	case '\n', '\v', '\f':
		s.wrap = false
		s.lineFeed()
	case '\b':
		if s.x > 0 {
			s.x--
		}
		s.wrap = false
	case '\t':
		s.x = min((s.x/8+1)*8, s.cols-1)
	}
}

// lineFeed moves down a row, scrolling the region at its bottom.
func (s *Screen) lineFeed() {
	switch {
	case s.y == s.bottom:
		s.scrollUp(1)
	case s.y < s.rows-1:
		s.y++
	}
}

func (s *Screen) blankRow() []string { return make([]string, s.cols) }

// scrollUp moves the region's rows up n, blank rows entering at its bottom.
func (s *Screen) scrollUp(n int) {
	for range min(n, s.bottom-s.top+1) {
		copy(s.cells[s.top:s.bottom], s.cells[s.top+1:s.bottom+1])
		s.cells[s.bottom] = s.blankRow()
	}
}

// scrollDown moves the region's rows down n, blank rows entering at its top.
func (s *Screen) scrollDown(n int) {
	for range min(n, s.bottom-s.top+1) {
		copy(s.cells[s.top+1:s.bottom+1], s.cells[s.top:s.bottom])
		s.cells[s.top] = s.blankRow()
	}
}

func (s *Screen) clearCells(y, from, to int) {
	for x := max(from, 0); x < min(to, s.cols); x++ {
		s.cells[y][x] = ""
	}
}

func (s *Screen) clearAll() {
	for y := range s.cells {
		s.cells[y] = s.blankRow()
	}
}

func (s *Screen) moveTo(x, y int) {
	s.x, s.y, s.wrap = min(max(x, 0), s.cols-1), min(max(y, 0), s.rows-1), false
}

func (s *Screen) csi(cmd ansi.Cmd, params ansi.Params) {
	p := func(i, def int) int {
		n, _, _ := params.Param(i, def)
		if n == 0 && def > 0 {
			return def
		}
		return n
	}
	if cmd.Prefix() == '?' {
		s.privateMode(cmd.Final(), params)
		return
	}
	if cmd.Prefix() != 0 || cmd.Intermediate() != 0 {
		return
	}
	switch cmd.Final() {
	case 'A':
		s.moveTo(s.x, s.y-p(0, 1))
	case 'B', 'e':
		s.moveTo(s.x, s.y+p(0, 1))
	case 'C', 'a':
		s.moveTo(s.x+p(0, 1), s.y)
	case 'D':
		s.moveTo(s.x-p(0, 1), s.y)
	case 'E':
		s.moveTo(0, s.y+p(0, 1))
	case 'F':
		s.moveTo(0, s.y-p(0, 1))
	case 'G', '`':
		s.moveTo(p(0, 1)-1, s.y)
	case 'd':
		s.moveTo(s.x, p(0, 1)-1)
	case 'H', 'f':
		s.moveTo(p(1, 1)-1, p(0, 1)-1)
	case 'I':
		for range p(0, 1) {
			s.execute('\t')
		}
	case 'Z':
		for range p(0, 1) {
			s.x = max((s.x-1)/8*8, 0)
		}
	case 'J':
		switch p(0, 0) {
		case 0:
			s.clearCells(s.y, s.x, s.cols)
			for y := s.y + 1; y < s.rows; y++ {
				s.cells[y] = s.blankRow()
			}
		case 1:
			s.clearCells(s.y, 0, s.x+1)
			for y := 0; y < s.y; y++ {
				s.cells[y] = s.blankRow()
			}
		case 2, 3:
			s.clearAll()
		}
		s.wrap = false
	case 'K':
		switch p(0, 0) {
		case 0:
			s.clearCells(s.y, s.x, s.cols)
		case 1:
			s.clearCells(s.y, 0, s.x+1)
		case 2:
			s.cells[s.y] = s.blankRow()
		}
		s.wrap = false
	case 'X':
		s.clearCells(s.y, s.x, s.x+p(0, 1))
		s.wrap = false
	case '@':
		n := min(p(0, 1), s.cols-s.x)
		row := s.cells[s.y]
		copy(row[s.x+n:], row[s.x:s.cols-n])
		s.clearCells(s.y, s.x, s.x+n)
		s.wrap = false
	case 'P':
		n := min(p(0, 1), s.cols-s.x)
		row := s.cells[s.y]
		copy(row[s.x:], row[s.x+n:])
		s.clearCells(s.y, s.cols-n, s.cols)
		s.wrap = false
	case 'L', 'M':
		if s.y < s.top || s.y > s.bottom {
			return
		}
		top := s.top
		s.top = s.y
		if cmd.Final() == 'L' {
			s.scrollDown(p(0, 1))
		} else {
			s.scrollUp(p(0, 1))
		}
		s.top = top
		s.x, s.wrap = 0, false
	case 'S':
		s.scrollUp(p(0, 1))
	case 'T':
		s.scrollDown(p(0, 1))
	case 'b':
		if s.last != "" {
			for range p(0, 1) {
				for _, r := range s.last {
					s.print(r)
				}
			}
		}
	case 'r':
		top, bottom := p(0, 1)-1, p(1, s.rows)-1
		if top < bottom && bottom < s.rows {
			s.top, s.bottom = top, bottom
			s.moveTo(0, 0)
		}
	case 's':
		s.savedX, s.savedY = s.x, s.y
	case 'u':
		s.moveTo(s.savedX, s.savedY)
	}
}

// privateMode handles DEC private modes: the alternate screen starts (and
// leaves) blank; the end of a synchronized update is a whole frame.
func (s *Screen) privateMode(final byte, params ansi.Params) {
	if final != 'h' && final != 'l' {
		return
	}
	params.ForEach(0, func(_, mode int, _ bool) {
		switch mode {
		case 47, 1047, 1049:
			s.clearAll()
			s.top, s.bottom = 0, s.rows-1
			if mode == 1049 {
				s.moveTo(0, 0)
			}
		case 2026:
			if final == 'l' {
				s.snapshot()
			}
		}
	})
}

func (s *Screen) esc(cmd ansi.Cmd) {
	if cmd.Intermediate() != 0 {
		return
	}
	switch cmd.Final() {
	case '7':
		s.savedX, s.savedY = s.x, s.y
	case '8':
		s.moveTo(s.savedX, s.savedY)
	case 'D':
		s.lineFeed()
	case 'E':
		s.x = 0
		s.lineFeed()
	case 'M':
		if s.y == s.top {
			s.scrollDown(1)
		} else if s.y > 0 {
			s.y--
		}
	case 'c':
		s.clearAll()
		s.top, s.bottom = 0, s.rows-1
		s.moveTo(0, 0)
	}
}
