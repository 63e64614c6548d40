package order

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/prefs"
)

func TestRunHeadlessOneLinePerEvent(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ch := make(chan Event, 4)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	ch <- OrderPlaced{Base: Base{Time: now, Entry: "k", DC: "fra"}, OrderID: 42, URL: "https://x", Price: money.Amount{Ucents: 19_98000000, Currency: "EUR"}}
	ch <- PollOK{Base: Base{Time: now}} // debug: filtered by the handler level
	ch <- OrderFailed{Base: Base{Time: now, DC: "gra"}, Err: "boom"}
	close(ch)
	RunHeadless(context.Background(), ch, log)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("lines %q", lines)
	}
	if !strings.Contains(lines[0], `"order_id":42`) || !strings.Contains(lines[0], `"level":"WARN"`) || !strings.Contains(lines[0], "ORDER PLACED in fra") {
		t.Errorf("line %s", lines[0])
	}
	if !strings.Contains(lines[1], `"level":"ERROR"`) || !strings.Contains(lines[1], "outcome unknown") {
		t.Errorf("line %s", lines[1])
	}
}

func TestSummary(t *testing.T) {
	f, err := prefs.Parse("x", prefsJSON(t,
		entry(func(m map[string]any) { m["order_id"] = 7; m["ordered_in"] = "fra"; m["qty"] = 0 }),
		entry(func(m map[string]any) { m["fqn"] = simPlan + ".b"; m["qty"] = 2 }),
		entry(func(m map[string]any) { m["fqn"] = simPlan + ".c"; m["qty"] = 0; m["order_error"] = "refused" }),
		entry(func(m map[string]any) { m["fqn"] = simPlan + ".d"; m["qty"] = 0; m["ceiling_price"] = 0 }),
		entry(func(m map[string]any) { m["fqn"] = simPlan + ".e"; m["qty"] = 0; m["paused_qty"] = 3 }),
	))
	if err != nil {
		t.Fatal(err)
	}
	got := Summary(f)
	want := []string{"ordered in fra: order 7", "still wanted: qty 2", "stopped: refused", "retired or dry run", "paused (qty 3 kept aside"}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("line %d %q lacks %q", i, got[i], w)
		}
	}
}
