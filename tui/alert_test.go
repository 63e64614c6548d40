package tui

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order"
)

func TestDesktopAlertSequences(t *testing.T) {
	got := desktopAlert("Order placed: x;y", "line1\nline2\x1b]evil\a", false)
	want := "\a\x1b]9;Order placed: x;y: line1 line2]evil\a\x1b]777;notify;Order placed: x,y;line1 line2]evil\a"
	if got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	tm := desktopAlert("t", "b", true)
	if !strings.HasPrefix(tm, "\a\x1bPtmux;\x1b\x1b]9;t: b\a\x1b\\") || !strings.HasSuffix(tm, "\x1bPtmux;\x1b\x1b]777;notify;t;b\a\x1b\\") {
		t.Errorf("tmux passthrough %q", tm)
	}
	if long := oscText(strings.Repeat("é", 500)); len([]rune(long)) != maxOSCText {
		t.Errorf("long text not bounded: %d runes", len([]rune(long)))
	}
}

// TestE2EOrderRaisesDesktopNotification: a teatest run sees the bell and
// both OSC notifications when an order is placed, and none once the
// silence key was pressed.
func TestE2EOrderRaisesDesktopNotification(t *testing.T) {
	t.Setenv("TMUX", "")
	tm, _, events := e2e(t, "../prefs/testdata/example1.json")
	waitScreen(t, tm, "KS-LE-B")
	entry := "24ska01|24ska01.ram-16g.softraid-2x2000sa|gra"
	events <- order.OrderPlaced{Base: order.Base{Time: time.Now(), Entry: entry, DC: "gra"}, OrderID: 4242,
		Price: money.Amount{Ucents: 1998_000000, Currency: "EUR"}, URL: "https://www.ovh.com/cgi-bin/order/display-order.cgi?orderId=4242"}
	var seen bytes.Buffer
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		seen.Write(b)
		return bytes.Contains(seen.Bytes(), []byte("\x1b]777;notify;Order placed:")) && bytes.Contains(seen.Bytes(), []byte("\x1b]9;Order placed:"))
	}, waitLong)
	if !bytes.Contains(seen.Bytes(), []byte("Order 4242")) || !bytes.Contains(seen.Bytes(), []byte("\a")) {
		t.Errorf("notification lacks the order id or the bell: %q", seen.String())
	}

	tm.Type("b")
	waitScreen(t, tm, "alerts off")
	events <- order.OrderFailed{Base: order.Base{Time: time.Now(), Entry: entry, DC: "gra"}, Definitive: true, Err: "refused"}
	seen.Reset()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		seen.Write(b)
		return bytes.Contains(seen.Bytes(), []byte("refused"))
	}, waitLong)
	if bytes.Contains(seen.Bytes(), []byte("\x1b]777;")) {
		t.Errorf("a desktop notification while silenced: %q", seen.String())
	}
}

func TestSilenceKeyTogglesAlerts(t *testing.T) {
	a := newTermAlerts(false)
	placed := order.OrderPlaced{Base: order.Base{Entry: "p|f|gra", DC: "gra"}, OrderID: 1}
	if a.forEvent(placed, nil) == nil {
		t.Fatal("no alert for an order")
	}
	if a.forEvent(order.PollOK{}, nil) != nil || a.forEvent(order.CartReady{}, nil) != nil {
		t.Error("an alert for a routine event")
	}
	a.silenced = true
	if a.forEvent(placed, nil) != nil {
		t.Error("an alert while silenced")
	}
}
