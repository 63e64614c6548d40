// Package account is what ovhtui does after a win: it follows the account's
// orders, pays an unpaid one with a registered payment means, lists the
// account's dedicated servers with their service information, and renews
// them. The `orders`, `pay`, `servers` and `renew` subcommands and the
// tui's Orders and Servers screens call it; it knows nothing of either.
//
// Data flow: every call goes through a Caller (the engine's *ovhapi.OVHClient
// in production, signed, classified by package order's error taxonomy).
// What never changes about an order (date, amounts, what it bought) and
// about a server (DC, range) is cached by the Client; statuses and service
// information are read again on every refresh.
//
// Money: a payment and a renewal are never made without the amount the
// user confirmed (Pay and Renew refuse when OVH's amount differs), and each
// is journaled like a checkout, in the engine's journal (package journal,
// kinds payment and renewal): an intent before the request, an outcome
// after. When OVH's answer is unclear (a timeout, a 5xx, a lost
// connection), the outcome is looked up (the order's status, or the
// account's recent orders for a renewal), never retried blind; an intent
// left without outcome (ovhtui killed meanwhile) is looked up the same way
// before the same payment or renewal can be asked again.
package account

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ovhtui/ovhtui/gate"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/ovhapi"
)

// Caller runs one signed OVH call: body sent as JSON when not nil, a 2xx
// answer decoded into out when not nil, a failure returned as an
// *ovhapi.CallError. long asks for the longer timeout of calls that move
// money. *ovhapi.OVHClient implements it.
type Caller interface {
	Signed(ctx context.Context, method, path, name string, body, out any, long bool) error
}

// Options configure a Client.
type Options struct {
	// Journal records payments and renewals (required for Pay and Renew).
	Journal Journal
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Clock reads OVH's time for the money gate (default: the Caller's
	// ServerTime when it has one, else Now).
	Clock gate.Clock
	// Window is how long an unclear payment or renewal stays pending while
	// look-ups find nothing (default gate.DefaultWindow).
	Window time.Duration
}

// Client makes the after-the-win calls. It is safe for concurrent use.
type Client struct {
	api     Caller
	journal Journal
	now     func() time.Time

	mu      sync.Mutex
	orders  map[int64]orderFacts // what never changes about an order
	servers map[string]serverFacts
	// gate is the money gate every payment and renewal goes through
	// (nil without a journal).
	gate *gate.Gate
}

// New returns a Client calling api.
func New(api Caller, opts Options) *Client {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := &Client{api: api, journal: opts.Journal, now: opts.Now,
		orders: map[int64]orderFacts{}, servers: map[string]serverFacts{}}
	if opts.Journal != nil {
		clk := opts.Clock
		if clk == nil {
			if sc, ok := api.(gate.Clock); ok {
				clk = sc
			} else {
				clk = localClock{opts.Now}
			}
		}
		c.gate = gate.New(gate.Options{Journal: opts.Journal, Clock: clk, Now: opts.Now, Window: opts.Window})
	}
	return c
}

// localClock stands for OVH's clock when the Caller cannot read it.
type localClock struct{ now func() time.Time }

func (l localClock) ServerTime(context.Context) (time.Time, error) { return l.now(), nil }

// price mirrors OVH's order.Price.
type price struct {
	Value         float64 `json:"value"`
	PriceInUcents *int64  `json:"priceInUcents"`
	Text          string  `json:"text"`
	CurrencyCode  string  `json:"currencyCode"`
}

// amount returns the price as an Amount (money.FromOVH: priceInUcents can
// be null in OVH's schema).
func (p price) amount() money.Amount { return money.FromOVH(p.Value, p.PriceInUcents, p.CurrencyCode) }

// MissingRightError is a call the consumer key is not granted: the rule
// to add to it.
type MissingRightError struct {
	Rule string // e.g. "GET /dedicated/server/*"
	Err  error
}

// Error names the rule to add.
func (e *MissingRightError) Error() string {
	return fmt.Sprintf("the consumer key lacks the rule %s: create a key with it (see README, API rights)", e.Rule)
}

// Unwrap returns OVH's refusal.
func (e *MissingRightError) Unwrap() error { return e.Err }

// MissingRule returns the rule err says the consumer key lacks, or "".
func MissingRule(err error) string {
	var me *MissingRightError
	if errors.As(err, &me) {
		return me.Rule
	}
	return ""
}

// call runs one signed call; a 403 becomes a *MissingRightError naming rule.
func (c *Client) call(ctx context.Context, rule, method, path, name string, body, out any, long bool) error {
	err := c.api.Signed(ctx, method, path, name, body, out, long)
	var ce *ovhapi.CallError
	if errors.As(err, &ce) && ce.Status == http.StatusForbidden && !ce.Malformed &&
		(strings.Contains(ce.Message, "not been granted") || strings.Contains(ce.Message, "not granted")) {
		return &MissingRightError{Rule: rule, Err: err}
	}
	return err
}
