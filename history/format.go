package history

import (
	"context"
	"fmt"
	"time"
)

// FormatDuration writes d the way the radar shows it: "12 min", "5h",
// "3d" (rounded down; under a minute is "1 min").
func FormatDuration(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", max(1, int(d/time.Minute)))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

// LastInStock says when s was last in stock, as of now: "in stock now
// (1H-high in gra)", "3d ago, 12 min" (ended 3 days ago, lasted 12
// minutes), "never" (seen, never in stock) or "no data".
func LastInStock(s Stock, now time.Time) string {
	switch {
	case s.InStockNow():
		return fmt.Sprintf("in stock now (%s in %s)", s.Best, s.BestDC)
	case !s.LastOut.IsZero():
		return fmt.Sprintf("%s ago, %s", FormatDuration(now.Sub(s.LastOut)), FormatDuration(s.LastOut.Sub(s.LastIn)))
	case s.Seen:
		return "never"
	}
	return "no data"
}

// Summary is what `ovhtui history` prints for one fqn in one DC.
type Summary struct {
	Subsidiary, PlanCode, FQN, DC string
	Now                           string // the value now
	Stock                         Stock
	Stats                         Stats
}

// Summaries sums up every fqn and DC f selects, over f's range.
func (s *Store) Summaries(ctx context.Context, f Filter, now time.Time) ([]Summary, error) {
	rows, err := s.seriesOf(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(rows))
	for _, r := range rows {
		one := Filter{Subsidiary: r.sub, FQN: r.fqn, DC: r.dc, Since: f.Since, Until: f.Until}
		st, err := s.Stats(ctx, one, now)
		if err != nil {
			return nil, err
		}
		var stock Stock
		stock.add(r)
		out = append(out, Summary{Subsidiary: r.sub, PlanCode: r.plan, FQN: r.fqn, DC: r.dc, Now: r.value, Stock: stock, Stats: st})
	}
	return out, nil
}
