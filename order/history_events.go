package order

import (
	"fmt"
	"log/slog"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/ovhapi"
)

// AvailabilitySeen carries one availability answer as OVH gave it, for
// listeners that keep history (package history). The engine decides on its
// own copy of the values, never on this event; it is emitted after the
// answer was decided on, so a listener costs a checkout nothing.
type AvailabilitySeen struct {
	Base
	Subsidiary string // of preferences.json
	PlanCode   string // the plan polled; "" for an unfiltered answer
	DCs        []string
	Items      []ovhapi.Availability // shared: do not modify
	Sweep      bool                  // the background sweep's answer, not a wanted poll
}

// CatalogSeen carries a catalog the engine read (the background sweep reads
// it once per refresh), for listeners that keep history of prices and plans.
type CatalogSeen struct {
	Base
	Catalog *catalog.Catalog // immutable
}

// Level implements Event.
func (AvailabilitySeen) Level() slog.Level { return slog.LevelDebug }

// Level implements Event.
func (CatalogSeen) Level() slog.Level { return slog.LevelDebug }

// Message implements Event.
func (e AvailabilitySeen) Message() string {
	what := "plan " + e.PlanCode
	if e.PlanCode == "" {
		what = "the whole feed"
	}
	return fmt.Sprintf("availability of %s seen (%d items)", what, len(e.Items))
}

// Message implements Event.
func (e CatalogSeen) Message() string {
	if e.Catalog == nil {
		return "catalog seen"
	}
	return fmt.Sprintf("catalog of %s seen (%d offers)", e.Catalog.Subsidiary, len(e.Catalog.Offers))
}

// Attrs implements Event.
func (e AvailabilitySeen) Attrs() []slog.Attr {
	return e.attrs(slog.String("plan", e.PlanCode), slog.Int("items", len(e.Items)), slog.Bool("sweep", e.Sweep))
}

// Attrs implements Event.
func (e CatalogSeen) Attrs() []slog.Attr { return e.attrs() }
