package vtscreen

import (
	"regexp"
	"strings"
	"testing"
)

// A renderer that changes "ORDER PENDING" into "ORDER PLACED #42" sends
// only the changed cells: the text never appears whole in the stream.
func TestShowsWhatOnlyChangedCellsDraw(t *testing.T) {
	s := New(3, 20)
	stream := "\x1b[?1049h\x1b[H" + "ORDER PENDING" + "\x1b[1;8H" + "LACED #42" + "\x1b[K"
	s.Write([]byte(stream))
	if strings.Contains(stream, "PLACED") {
		t.Fatal("the stream holds the text whole: not the case under test")
	}
	if !s.Shows("ORDER PLACED #42") {
		t.Errorf("screen:\n%s", s.Text())
	}
	if m := s.Match(regexp.MustCompile(`PLACED#(\d+)`)); m == nil || m[1] != "42" {
		t.Errorf("match %v", m)
	}
	if got := strings.SplitN(s.Text(), "\n", 2)[0]; got != "ORDER PLACED #42    " {
		t.Errorf("row %q", got)
	}
}

func TestMovesErasesRepeatsAndScrolls(t *testing.T) {
	s := New(3, 10)
	// CUF over blanks, CUB and ECH, autowrap at the bottom row (a scroll),
	// CUP, a wide rune, REP.
	s.Write([]byte("a\x1b[2Cz\r\n12345\x1b[1D\x1b[2X\r\n0123456789xy\x1b[3;5Hé界\x1b[3;9Hq\x1b[b"))
	want := "1234      \n0123456789\nxy  é界 qq\n"
	if got := s.Text(); got != want {
		t.Errorf("screen:\n%q\nwant\n%q", got, want)
	}
}
