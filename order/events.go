package order

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/ovhapi"
)

// Event is something the engine tells its front end (the TUI or the
// headless log). Every event carries its time and a severity; the concrete
// types below carry the details. Events that must not be lost (orders) are
// never dropped; frequent ones may be coalesced.
type Event interface {
	// At is when the event happened.
	At() time.Time
	// Level is the severity to log it with.
	Level() slog.Level
	// Message is a one-line human description.
	Message() string
	// Attrs are the structured fields for slog.
	Attrs() []slog.Attr
}

// Base holds what every event has. Entry is the prefs.Server Key of the
// entry concerned ("" for engine-wide events); DC is the datacenter ("" when
// not about one).
type Base struct {
	Time  time.Time
	Entry string
	DC    string
}

// At implements Event.
func (b Base) At() time.Time { return b.Time }

func (b Base) attrs(extra ...slog.Attr) []slog.Attr {
	var out []slog.Attr
	if b.Entry != "" {
		out = append(out, slog.String("entry", b.Entry))
	}
	if b.DC != "" {
		out = append(out, slog.String("dc", b.DC))
	}
	return append(out, extra...)
}

// Status is what the engine is doing with one entry in one DC.
type Status string

// Statuses shown per entry and DC.
const (
	StatusWatching      Status = "watching"
	StatusBuildingCart  Status = "building cart"
	StatusReady         Status = "ready"
	StatusOrdering      Status = "ordering"
	StatusOrdered       Status = "ordered"
	StatusOverCeiling   Status = "over ceiling"
	StatusRetired       Status = "retired"
	StatusNeedsDecision Status = "needs your decision"
	StatusError         Status = "error"
	StatusIdle          Status = "idle" // qty 0 or nothing to do
)

// PollOK reports a successful availability poll.
type PollOK struct {
	Base
	Plan     string // the planCode polled
	Duration time.Duration
	Entries  int // availability entries received
}

// AvailabilityChanged reports a new availability value for an entry's fqn in a DC.
type AvailabilityChanged struct {
	Base
	FQN       string
	Old, New  string // OVH values, e.g. "unavailable", "1H-high"; Old is "" at first sight
	Orderable bool   // New is a delivery window within the entry's max_delivery_hours
}

// StatusChanged reports the status of an entry in a DC.
type StatusChanged struct {
	Base
	Status Status
	Detail string
}

// CartReady reports a cart built (or re-validated) and its validated price.
type CartReady struct {
	Base
	CartID     string
	Expire     time.Time
	Price      money.Amount // first invoice excluding tax, all units
	PriceTax   money.Amount // tax included
	Ceiling    money.Amount
	SkipCheck  bool // skip_validate: the ceiling is not enforced
	Revalidate bool // true when this is a background re-read of an existing cart
}

// CartRenewed reports a cart replaced before expiry or rebuilt after it died.
type CartRenewed struct {
	Base
	OldCartID, NewCartID string
	Reason               string
}

// PriceOverCeiling reports a validated price above the ceiling.
type PriceOverCeiling struct {
	Base
	Price, Ceiling money.Amount
	Retired        bool // the entry was retired (qty 0, ceiling 0)
}

// OrderAttempted reports that the latch was saved and the checkout is leaving.
type OrderAttempted struct {
	Base
	CartID  string
	Price   money.Amount
	Autopay bool
	DryRun  bool // place_order false: GET checkout only
}

// OrderPlaced reports an order OVH created.
type OrderPlaced struct {
	Base
	OrderID     int64
	URL         string // without the order password (ovhapi.OrderLink)
	Price       money.Amount
	OverCeiling bool // the checkout total itself is above the ceiling: flag loudly
	Reconciled  bool // found through /me/order (a look-up), not in the checkout's answer
	// AfterRestart: the look-up settled a checkout an earlier process
	// sent (not one this process sent and got an unclear answer to).
	AfterRestart bool
}

// FoundHow says how a reconciled order was found ("" when it was not).
func (e OrderPlaced) FoundHow() string {
	switch {
	case !e.Reconciled:
		return ""
	case e.AfterRestart:
		return "found after restart"
	}
	return "found in /me/order after an unclear answer"
}

// WouldHaveOrdered reports a dry-run checkout for an entry with place_order false.
type WouldHaveOrdered struct {
	Base
	Price money.Amount
}

// OrderFailed reports a checkout that did not create an order (Definitive)
// or whose outcome is unknown (not Definitive: the latch stays, nothing is
// retried blind).
type OrderFailed struct {
	Base
	Definitive bool
	// NotSent: the checkout never reached OVH (the journal could not be
	// written, or the request failed on the way); no order exists and OVH
	// refused nothing.
	NotSent bool
	Err     string
}

// NeedsDecision reports an entry latched without an order: the user must
// re-arm it or leave it.
type NeedsDecision struct {
	Base
	Reason string
}

// APIError reports a failed OVH call the engine will retry.
type APIError struct {
	Base
	Call       string // e.g. "GET /dedicated/server/datacenter/availabilities"
	Err        string // never holds secrets
	RetryAfter time.Duration
	// Class is OVH's error class (e.g. "Client::NotFound"), else
	// "http_NNN", "not_sent" or "transport" (ErrorClass); "" when unknown.
	Class string
}

// PrefsSaved reports a save of preferences.json.
type PrefsSaved struct {
	Base
	Reason string
}

// Info is a plain log line.
type Info struct {
	Base
	Text string
	Sev  slog.Level
}

// JournalTrouble reports that the journal was replaced, moved or deleted
// while ovhtui ran (re-opened, what this process knew written back, the
// money request in hand not sent), or cannot be used (nothing is bought).
type JournalTrouble struct {
	Base
	Text string
}

func (e JournalTrouble) Level() slog.Level  { return slog.LevelError }
func (e JournalTrouble) Message() string    { return e.Text }
func (e JournalTrouble) Attrs() []slog.Attr { return e.attrs() }

// Level implementations.
func (PollOK) Level() slog.Level              { return slog.LevelDebug }
func (AvailabilityChanged) Level() slog.Level { return slog.LevelInfo }
func (StatusChanged) Level() slog.Level       { return slog.LevelDebug }
func (CartReady) Level() slog.Level           { return slog.LevelInfo }
func (CartRenewed) Level() slog.Level         { return slog.LevelInfo }
func (PriceOverCeiling) Level() slog.Level    { return slog.LevelWarn }
func (OrderAttempted) Level() slog.Level      { return slog.LevelWarn }
func (e OrderPlaced) Level() slog.Level {
	if e.OverCeiling {
		return slog.LevelError
	}
	return slog.LevelWarn
}
func (WouldHaveOrdered) Level() slog.Level { return slog.LevelWarn }
func (OrderFailed) Level() slog.Level      { return slog.LevelError }
func (NeedsDecision) Level() slog.Level    { return slog.LevelWarn }
func (APIError) Level() slog.Level         { return slog.LevelError }
func (PrefsSaved) Level() slog.Level       { return slog.LevelInfo }
func (e Info) Level() slog.Level           { return e.Sev }

// Message implementations.
func (e PollOK) Message() string {
	return fmt.Sprintf("poll ok (%d entries, %s)", e.Entries, e.Duration)
}
func (e AvailabilityChanged) Message() string {
	return fmt.Sprintf("%s in %s: %s -> %s", e.FQN, e.DC, orDash(e.Old), e.New)
}
func (e StatusChanged) Message() string { return fmt.Sprintf("%s: %s %s", e.DC, e.Status, e.Detail) }
func (e CartReady) Message() string {
	return fmt.Sprintf("cart %s ready in %s: %s (ceiling %s), expires %s", e.CartID, e.DC, e.Price, money.FormatCeiling(e.Ceiling.Ucents, e.Ceiling.Currency), e.Expire.UTC().Format(time.RFC3339))
}
func (e CartRenewed) Message() string {
	return fmt.Sprintf("cart in %s renewed (%s): %s -> %s", e.DC, e.Reason, orDash(e.OldCartID), e.NewCartID)
}
func (e PriceOverCeiling) Message() string {
	s := fmt.Sprintf("price in %s is %s, over the ceiling %s", e.DC, e.Price, money.FormatCeiling(e.Ceiling.Ucents, e.Ceiling.Currency))
	if e.Retired {
		s += ": entry retired (qty 0, ceiling 0)"
	}
	return s
}
func (e OrderAttempted) Message() string {
	if e.DryRun {
		return fmt.Sprintf("dry-run checkout of cart %s in %s at %s", e.CartID, e.DC, e.Price)
	}
	return fmt.Sprintf("ordering in %s: checkout of cart %s at %s (autopay %v)", e.DC, e.CartID, e.Price, e.Autopay)
}
func (e OrderPlaced) Message() string {
	s := fmt.Sprintf("ORDER PLACED in %s: order %d at %s %s", e.DC, e.OrderID, e.Price, e.URL)
	if e.OverCeiling {
		s += " — TOTAL ABOVE YOUR CEILING, check it now"
	}
	if e.Reconciled {
		s += " (" + e.FoundHow() + ")"
	}
	return s
}
func (e WouldHaveOrdered) Message() string {
	return fmt.Sprintf("would have ordered in %s at %s (place_order is off): entry stopped", e.DC, e.Price)
}
func (e OrderFailed) Message() string {
	if e.NotSent {
		return fmt.Sprintf("order in %s not placed, nothing reached OVH: %s", e.DC, e.Err)
	}
	if e.Definitive {
		return fmt.Sprintf("order in %s refused by OVH: %s", e.DC, e.Err)
	}
	return fmt.Sprintf("order in %s: outcome unknown (%s); not retried, waiting for reconciliation or your decision", e.DC, e.Err)
}
func (e NeedsDecision) Message() string { return "needs your decision: " + e.Reason }
func (e APIError) Message() string {
	s := fmt.Sprintf("%s failed: %s", e.Call, e.Err)
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry in %s)", e.RetryAfter)
	}
	return s
}
func (e PrefsSaved) Message() string { return "preferences saved: " + e.Reason }
func (e Info) Message() string       { return e.Text }

// Attrs implementations.
func (e PollOK) Attrs() []slog.Attr {
	return e.attrs(slog.String("plan", e.Plan), slog.Duration("took", e.Duration), slog.Int("entries", e.Entries))
}
func (e AvailabilityChanged) Attrs() []slog.Attr {
	return e.attrs(slog.String("fqn", e.FQN), slog.String("old", e.Old), slog.String("new", e.New), slog.Bool("orderable", e.Orderable))
}
func (e StatusChanged) Attrs() []slog.Attr {
	return e.attrs(slog.String("status", string(e.Status)), slog.String("detail", e.Detail))
}
func (e CartReady) Attrs() []slog.Attr {
	return e.attrs(slog.String("cart", e.CartID), slog.Time("expire", e.Expire), slog.String("price", e.Price.String()), slog.String("ceiling", money.FormatCeiling(e.Ceiling.Ucents, e.Ceiling.Currency)))
}
func (e CartRenewed) Attrs() []slog.Attr {
	return e.attrs(slog.String("old_cart", e.OldCartID), slog.String("new_cart", e.NewCartID), slog.String("reason", e.Reason))
}
func (e PriceOverCeiling) Attrs() []slog.Attr {
	return e.attrs(slog.String("price", e.Price.String()), slog.String("ceiling", money.FormatCeiling(e.Ceiling.Ucents, e.Ceiling.Currency)), slog.Bool("retired", e.Retired))
}
func (e OrderAttempted) Attrs() []slog.Attr {
	return e.attrs(slog.String("cart", e.CartID), slog.String("price", e.Price.String()), slog.Bool("autopay", e.Autopay), slog.Bool("dry_run", e.DryRun))
}
func (e OrderPlaced) Attrs() []slog.Attr {
	return e.attrs(slog.Int64("order_id", e.OrderID), slog.String("url", e.URL), slog.String("price", e.Price.String()), slog.Bool("over_ceiling", e.OverCeiling), slog.Bool("reconciled", e.Reconciled))
}
func (e WouldHaveOrdered) Attrs() []slog.Attr { return e.attrs(slog.String("price", e.Price.String())) }
func (e OrderFailed) Attrs() []slog.Attr {
	return e.attrs(slog.Bool("definitive", e.Definitive), slog.String("error", e.Err))
}
func (e NeedsDecision) Attrs() []slog.Attr { return e.attrs(slog.String("reason", e.Reason)) }
func (e APIError) Attrs() []slog.Attr {
	return e.attrs(slog.String("call", e.Call), slog.String("error", e.Err), slog.Duration("retry_after", e.RetryAfter))
}
func (e PrefsSaved) Attrs() []slog.Attr { return e.attrs(slog.String("reason", e.Reason)) }
func (e Info) Attrs() []slog.Attr       { return e.attrs() }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// ErrorClass is the class of a failed OVH call for APIError.Class: OVH's
// error class when it gave one (e.g. "Client::NotFound"), else "http_NNN"
// for another refusal, "malformed" for an unreadable answer, "not_sent"
// when the request never left, "transport" for anything else.
func ErrorClass(err error) string {
	var ce *ovhapi.CallError
	switch {
	case err == nil:
		return ""
	case !errors.As(err, &ce):
		return "transport"
	case ce.NotSent:
		return "not_sent"
	case ce.Malformed:
		return "malformed"
	case ce.Class != "":
		return ce.Class
	case ce.Status != 0:
		return fmt.Sprintf("http_%d", ce.Status)
	}
	return "transport"
}
