package order

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// RunHeadless logs every event on log, one line each (level, message,
// attributes), until events is closed or ctx is done. Debug events
// (polls, statuses) show only if log's handler enables debug.
func RunHeadless(ctx context.Context, events <-chan Event, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			// Drain what is already queued so no order event is lost.
			for {
				select {
				case ev, ok := <-events:
					if !ok {
						return
					}
					LogEvent(log, ev)
				default:
					return
				}
			}
		case ev, ok := <-events:
			if !ok {
				return
			}
			LogEvent(log, ev)
		}
	}
}

// LogEvent writes one event as one slog record.
func LogEvent(log *slog.Logger, ev Event) {
	log.LogAttrs(context.Background(), ev.Level(), ev.Message(), ev.Attrs()...)
}

// Summary returns one line per entry saying where it stands, for the final
// output of --headless.
func Summary(f *prefs.File) []string {
	out := make([]string, 0, len(f.Servers))
	for _, s := range f.Servers {
		name := s.FQN
		if name == "" {
			name = s.PlanCode
		}
		var st string
		switch {
		case s.OrderID != 0:
			st = fmt.Sprintf("ordered in %s: order %d %s", s.OrderedIn, s.OrderID, ovhapi.OrderLink(s.OrderURL))
		case s.OrderAttempted:
			st = "needs your decision: " + describeLatch(s) + " had no confirmed outcome"
		case s.Qty > 0:
			st = fmt.Sprintf("still wanted: qty %d in %v", s.Qty, s.DCNames())
		case s.Paused():
			st = fmt.Sprintf("paused (qty %d kept aside in paused_qty)", s.PausedQty)
		case s.OrderError != "":
			st = "stopped: " + s.OrderError
		case s.Retired():
			st = "stopped (qty 0, ceiling 0: retired or dry run done)"
		default:
			st = "stopped (qty 0)"
		}
		out = append(out, name+": "+st)
	}
	return out
}
