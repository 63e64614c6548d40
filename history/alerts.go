package history

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/ovhtui/ovhtui/money"
)

// The radar's alerts are events in the engine's sense (order.Event), so
// that the notifier takes them like any other; they are opt-in kinds of
// OVHTUI_NOTIFY_EVENTS (restock, price_change, new_plan).

// RestockAlert says a model the user does not watch came back in stock.
type RestockAlert struct{ Transition }

// PriceAlert says the catalog price of an fqn changed.
type PriceAlert struct{ PriceChange }

// PlanAlert says a plan appeared in or disappeared from the catalog.
type PlanAlert struct{ PlanChange }

// At implements order.Event.
func (a RestockAlert) At() time.Time { return a.Time }

// At implements order.Event.
func (a PriceAlert) At() time.Time { return a.Time }

// At implements order.Event.
func (a PlanAlert) At() time.Time { return a.Time }

// Level implements order.Event.
func (RestockAlert) Level() slog.Level { return slog.LevelInfo }

// Level implements order.Event.
func (PriceAlert) Level() slog.Level { return slog.LevelInfo }

// Level implements order.Event.
func (PlanAlert) Level() slog.Level { return slog.LevelInfo }

// Message implements order.Event.
func (a RestockAlert) Message() string {
	return fmt.Sprintf("%s is back in stock in %s (%s), not watched", a.FQN, a.DC, a.To)
}

// Message implements order.Event.
func (a PriceAlert) Message() string {
	return fmt.Sprintf("price of %s changed: %s -> %s a month, setup %s -> %s (excl. tax)", a.FQN,
		money.Format(a.Old.Monthly, a.Currency), money.Format(a.New.Monthly, a.Currency),
		money.Format(a.Old.Setup, a.Currency), money.Format(a.New.Setup, a.Currency))
}

// Message implements order.Event.
func (a PlanAlert) Message() string {
	if a.Present {
		return fmt.Sprintf("new plan in the %s catalog: %s", a.Subsidiary, a.PlanCode)
	}
	return fmt.Sprintf("plan %s left the %s catalog", a.PlanCode, a.Subsidiary)
}

// Attrs implements order.Event.
func (a RestockAlert) Attrs() []slog.Attr {
	return []slog.Attr{slog.String("fqn", a.FQN), slog.String("dc", a.DC), slog.String("to", a.To)}
}

// Attrs implements order.Event.
func (a PriceAlert) Attrs() []slog.Attr {
	return []slog.Attr{slog.String("fqn", a.FQN), slog.Int64("old_monthly", a.Old.Monthly), slog.Int64("new_monthly", a.New.Monthly)}
}

// Attrs implements order.Event.
func (a PlanAlert) Attrs() []slog.Attr {
	return []slog.Attr{slog.String("plan", a.PlanCode), slog.Bool("present", a.Present)}
}
