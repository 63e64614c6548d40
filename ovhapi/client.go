package ovhapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ovh/go-ovh/ovh"

	"github.com/ovhtui/ovhtui/money"
)

// OVH API strings, named once.
const (
	// DurationMonthly is the one-month duration of an eco plan (ISO 8601).
	DurationMonthly = "P1M"
	// PricingModeDefault is the pricing mode of a plan bought at its list price.
	PricingModeDefault = "default"
	// LabelDatacenter is the configuration label naming the DC of an item.
	LabelDatacenter = "dedicated_datacenter"
	// LabelRegion is the configuration label naming the region of an item.
	LabelRegion = "region"
)

// Availability is one item of the availability feed.
type Availability struct {
	FQN         string           `json:"fqn"`
	PlanCode    string           `json:"planCode"`
	Server      string           `json:"server"`
	Memory      string           `json:"memory"`
	Storage     string           `json:"storage"`
	Datacenters []DCAvailability `json:"datacenters"`
}

// DCAvailability is the availability of one DC.
type DCAvailability struct {
	Datacenter   string `json:"datacenter"`
	Availability string `json:"availability"`
}

// Cart is an OVH cart.
type Cart struct {
	CartID   string    `json:"cartId"`
	Expire   time.Time `json:"expire"`
	Items    []int64   `json:"items"`
	ReadOnly bool      `json:"readOnly"`
}

// EcoItemRequest is the body of POST /order/cart/{id}/eco.
type EcoItemRequest struct {
	PlanCode    string `json:"planCode"`
	Duration    string `json:"duration"`
	PricingMode string `json:"pricingMode"`
	Quantity    int    `json:"quantity"`
}

// EcoOptionRequest is the body of POST /order/cart/{id}/eco/options.
type EcoOptionRequest struct {
	ItemID      int64  `json:"itemId"`
	PlanCode    string `json:"planCode"`
	Duration    string `json:"duration"`
	PricingMode string `json:"pricingMode"`
	Quantity    int    `json:"quantity"`
}

// CartItem is an item of a cart.
type CartItem struct {
	ItemID         int64        `json:"itemId"`
	CartID         string       `json:"cartId"`
	Settings       ItemSettings `json:"settings"`
	Duration       string       `json:"duration"`
	ParentItemID   *int64       `json:"parentItemId"`
	Configurations []int64      `json:"configurations"`
	Options        []int64      `json:"options"`
}

// ItemSettings are the plan settings of an item.
type ItemSettings struct {
	PlanCode    string `json:"planCode"`
	PricingMode string `json:"pricingMode"`
	Quantity    int    `json:"quantity"`
}

// ItemConfiguration is a configuration label of an item.
type ItemConfiguration struct {
	ID    int64  `json:"id"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// CheckoutRequest is the body of POST /order/cart/{id}/checkout.
type CheckoutRequest struct {
	AutoPayWithPreferredPaymentMethod bool `json:"autoPayWithPreferredPaymentMethod"`
	WaiveRetractationPeriod           bool `json:"waiveRetractationPeriod"`
}

// CartOrder is what summary and checkout return.
type CartOrder struct {
	OrderID *int64      `json:"orderId"`
	URL     string      `json:"url"`
	Prices  OrderPrices `json:"prices"`
}

// OrderPrices are the totals of a cart order.
type OrderPrices struct {
	WithoutTax OVHPrice `json:"withoutTax"`
	WithTax    OVHPrice `json:"withTax"`
	Tax        OVHPrice `json:"tax"`
}

// OVHPrice is an amount as OVH writes it; PriceInUcents is the one to compute with.
type OVHPrice struct {
	Value         float64 `json:"value"` // display only, never computed with
	PriceInUcents int64   `json:"priceInUcents"`
	Text          string  `json:"text"`
	CurrencyCode  string  `json:"currencyCode"`
}

// Money returns the amount as Money.
func (p OVHPrice) Money() money.Amount {
	return money.Amount{Ucents: p.PriceInUcents, Currency: p.CurrencyCode}
}

// MyOrder is an order of the account (GET /me/order/{id}).
type MyOrder struct {
	OrderID         int64     `json:"orderId"`
	Date            time.Time `json:"date"`
	URL             string    `json:"url"`
	PriceWithoutTax OVHPrice  `json:"priceWithoutTax"`
	PriceWithTax    OVHPrice  `json:"priceWithTax"`
	// ExpirationDate is when an unpaid order lapses (billing.Order, may be null).
	ExpirationDate *time.Time `json:"expirationDate"`
}

// OrderItem is one detail of an order as its extension (billing.ItemDetail)
// tells it: a plan or an option, each its own detail. Nothing links an
// option to its plan; configurations are on the plan's detail.
type OrderItem struct {
	PlanCode       string
	Quantity       int               // 0 when OVH does not say
	Configurations map[string]string // e.g. dedicated_datacenter -> "fra"
}

// CallError is a failed OVH call: a refusal with OVH's status, class and
// message, or a transport failure (Status 0). It never holds secrets.
//
// Every failure is of one of three kinds (Classify):
//   - not sent (NotSent): the request never left (DNS, refused connection,
//     the server time or the OAuth2 token unavailable): safe to retry;
//   - definitive: OVH answered a 4xx (but 408): nothing was done;
//   - ambiguous: OVH may have executed it (a timeout or a lost connection
//     after the request was written, a 408 or 5xx, an unreadable 2xx):
//     never retried blind.
type CallError struct {
	Call       string // e.g. "POST /order/cart/{id}/checkout"
	Status     int    // HTTP status; 0 when no response arrived
	Class      string // OVH error class, e.g. "Client::BadRequest"
	Message    string // OVH message
	ErrorCode  string // OVH errorCode, e.g. "INVALID_SIGNATURE", when given
	QueryID    string // X-Ovh-Queryid, for OVH support
	RetryAfter time.Duration
	Malformed  bool  // a 2xx whose body could not be read
	NotSent    bool  // failed before the request was written
	Err        error // the transport or decoding error, if any
}

// Error says which call failed and OVH's status, class, message and query id.
func (e *CallError) Error() string {
	var b strings.Builder
	b.WriteString(e.Call)
	if e.NotSent {
		b.WriteString(": not sent")
	}
	switch {
	case e.Status != 0 && !e.Malformed:
		fmt.Fprintf(&b, ": %d", e.Status)
		if e.Class != "" {
			b.WriteString(" " + e.Class)
		}
		if e.Message != "" {
			fmt.Fprintf(&b, ": %s", e.Message)
		}
	case e.Malformed:
		fmt.Fprintf(&b, ": malformed response (status %d)", e.Status)
		if e.Err != nil {
			b.WriteString(": " + e.Err.Error())
		}
	case e.Err != nil:
		b.WriteString(": " + e.Err.Error())
	}
	if e.QueryID != "" {
		b.WriteString(" (query " + e.QueryID + ")")
	}
	return b.String()
}

// Unwrap returns the transport or decoding error.
func (e *CallError) Unwrap() error { return e.Err }

// Outcome is the kind of a failed call (see CallError).
type Outcome int

// Outcomes of a failed call.
const (
	// OutcomeOK: no error.
	OutcomeOK Outcome = iota
	// OutcomeNotSent: the request never left; safe to retry.
	OutcomeNotSent
	// OutcomeDefinitive: OVH refused it (4xx but 408); nothing was done.
	OutcomeDefinitive
	// OutcomeAmbiguous: OVH may have executed it; never retry blind.
	OutcomeAmbiguous
)

// String names the outcome.
func (k Outcome) String() string {
	switch k {
	case OutcomeOK:
		return "ok"
	case OutcomeNotSent:
		return "not sent"
	case OutcomeDefinitive:
		return "definitive"
	}
	return "ambiguous"
}

// Classify returns the kind of err. Any error that is not a *CallError is
// ambiguous (stricter).
func Classify(err error) Outcome {
	if err == nil {
		return OutcomeOK
	}
	var ce *CallError
	switch {
	case !errors.As(err, &ce):
		return OutcomeAmbiguous
	case ce.NotSent:
		return OutcomeNotSent
	case !ce.Malformed && ce.Status >= 400 && ce.Status < 500 && ce.Status != http.StatusRequestTimeout:
		return OutcomeDefinitive
	}
	return OutcomeAmbiguous
}

// IsNotSent reports a call that failed before its request was written.
func IsNotSent(err error) bool { return Classify(err) == OutcomeNotSent }

// IsDefinitive reports an OVH refusal that settles the outcome: any 4xx but 408.
func IsDefinitive(err error) bool { return Classify(err) == OutcomeDefinitive }

// IsAmbiguous reports a call whose effect is unknown: 408, 5xx, a timeout
// or a lost connection after the request was written, or an unreadable
// 2xx body. Any error that is not a *CallError counts as ambiguous too.
func IsAmbiguous(err error) bool { return Classify(err) == OutcomeAmbiguous }

// IsNotFound reports a 404.
func IsNotFound(err error) bool { return statusOf(err) == http.StatusNotFound }

// IsRateLimited reports a 429.
func IsRateLimited(err error) bool { return statusOf(err) == http.StatusTooManyRequests }

// RetryAfterOf returns the Retry-After OVH asked for, or 0.
func RetryAfterOf(err error) time.Duration {
	var ce *CallError
	if errors.As(err, &ce) {
		return ce.RetryAfter
	}
	return 0
}

func statusOf(err error) int {
	var ce *CallError
	if errors.As(err, &ce) && !ce.Malformed {
		return ce.Status
	}
	return 0
}

// MessageOf returns OVH's message of a refusal, or the error text.
func MessageOf(err error) string {
	var ce *CallError
	if errors.As(err, &ce) && ce.Message != "" {
		return ce.Message
	}
	return err.Error()
}

// ClientOptions tunes OVHClient.
type ClientOptions struct {
	// CallTimeout bounds every call but the checkout (default 10 s).
	CallTimeout time.Duration
	// CheckoutTimeout bounds POST checkout (default 30 s).
	CheckoutTimeout time.Duration
	// MaxBodyBytes bounds a response body (default 64 MiB).
	MaxBodyBytes int64
	// TokenURL overrides the OAuth2 token URL of the endpoint (tests).
	TokenURL string
	// OnRefused, when set, is called when a signed call is answered 401 or
	// 403: OVH refused the credentials or their rights (see
	// Engine.CredentialsRefused). It must not block.
	OnRefused func(call string, status int, message string)
}

// Health checks of the connections to OVH: an HTTP/2 connection idle for
// h2PingAfter is pinged and closed when no answer comes within
// h2PingTimeout; an HTTP/1.1 (or HTTP/2) TCP connection gets keep-alive
// probes after tcpKeepAliveIdle, every tcpKeepAliveInterval, and is closed
// after tcpKeepAliveCount unanswered ones. A dead connection is found
// within about 30 s, before the checkout needs it.
const (
	h2PingAfter          = 15 * time.Second
	h2PingTimeout        = 5 * time.Second
	tcpKeepAliveIdle     = 15 * time.Second
	tcpKeepAliveInterval = 5 * time.Second
	tcpKeepAliveCount    = 3
)

// OVHClient implements API over a go-ovh client.
//
// go-ovh's (*Client).NewRequest writes c.Client.Timeout on every call, a data
// race when one client serves several goroutines. OVHClient therefore never
// calls the caller's client concurrently: each call runs on a shallow copy of
// it whose *http.Client is private to the call but shares one keep-alive
// *http.Transport, so connections are reused and no call waits on a new TLS
// handshake. The server time delta used for signatures is computed on the
// original under a mutex, before the first signed call; copies made after
// that inherit it. An answer refusing the signature or its timestamp drops
// the delta (the clock may have stepped): it is read again and the refused
// call, which OVH did not execute, is sent once more.
//
// With OAuth2 (a client id and secret), the access token is fetched by
// Run ahead of its expiry, with a timeout; a checkout never fetches one.
type OVHClient struct {
	opts      ClientOptions
	transport *http.Transport

	mu        sync.Mutex // guards base, deltaDone
	tmpl      ovh.Client // the client as given, before any time delta
	base      *ovh.Client
	deltaDone bool

	oauth *oauthToken // nil without OAuth2
}

// NewOVHClient wraps c. c must not be used elsewhere while the OVHClient is.
func NewOVHClient(c *ovh.Client, opts ClientOptions) *OVHClient {
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 10 * time.Second
	}
	if opts.CheckoutTimeout <= 0 {
		opts.CheckoutTimeout = 30 * time.Second
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 64 << 20
	}
	var tr *http.Transport
	if c.Client != nil {
		if t, ok := c.Client.Transport.(*http.Transport); ok {
			tr = t.Clone()
		}
	}
	if tr == nil {
		tr = http.DefaultTransport.(*http.Transport).Clone()
	}
	tr.MaxIdleConnsPerHost = 8
	tr.MaxIdleConns = 16
	tr.IdleConnTimeout = 5 * time.Minute
	tr.ForceAttemptHTTP2 = true
	tr.HTTP2 = &http.HTTP2Config{SendPingTimeout: h2PingAfter, PingTimeout: h2PingTimeout}
	dialer := &net.Dialer{Timeout: opts.CallTimeout, KeepAliveConfig: net.KeepAliveConfig{
		Enable: true, Idle: tcpKeepAliveIdle, Interval: tcpKeepAliveInterval, Count: tcpKeepAliveCount,
	}}
	tr.DialContext = dialer.DialContext
	c.Timeout = opts.CallTimeout
	c.Client = &http.Client{Transport: tr, Timeout: opts.CallTimeout}
	o := &OVHClient{opts: opts, transport: tr, tmpl: *c}
	if c.ClientID != "" {
		o.oauth = newOAuthToken(c, opts, tr)
	}
	base := o.tmpl
	o.base = &base
	return o
}

// Transport is the shared keep-alive transport (for tests and benchmarks).
func (o *OVHClient) Transport() *http.Transport { return o.transport }

// CloseIdleConnections closes idle keep-alive connections.
func (o *OVHClient) CloseIdleConnections() { o.transport.CloseIdleConnections() }

// Run keeps the client ready until ctx ends: with OAuth2 it fetches the
// access token ahead of its expiry. The engine runs it.
func (o *OVHClient) Run(ctx context.Context) {
	if o.oauth != nil {
		o.oauth.run(ctx)
	}
}

// dropDelta forgets the server time delta: the next signed call reads
// /auth/time again.
func (o *OVHClient) dropDelta() {
	o.mu.Lock()
	defer o.mu.Unlock()
	base := o.tmpl
	o.base = &base
	o.deltaDone = false
}

// client returns a private shallow copy of the go-ovh client. For a signed
// call the server time delta is computed first on the original, and with
// OAuth2 the current access token is set (fetched first, unless checkout).
func (o *OVHClient) client(ctx context.Context, signed, checkout bool, timeout time.Duration) (*ovh.Client, error) {
	var token string
	if signed && o.oauth != nil {
		t, err := o.oauth.get(ctx, !checkout)
		if err != nil {
			return nil, err
		}
		token = t
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if signed && !o.deltaDone && o.base.AppKey != "" {
		// go-ovh's TimeDelta has no context: bound it with the call timeout
		// set on the original.
		if _, err := o.base.TimeDelta(); err != nil {
			return nil, fmt.Errorf("server time for the signature: %w", err)
		}
		o.deltaDone = true
	}
	cp := *o.base // a shallow copy per call: see the type comment
	cp.Timeout = timeout
	cp.Client = &http.Client{Transport: o.transport, Timeout: timeout}
	if o.oauth != nil {
		// go-ovh would fetch the token itself, in the request path: give it
		// the token fetched ahead instead.
		cp.ClientID, cp.ClientSecret, cp.AccessToken = "", "", token
	}
	return &cp, nil
}

// call runs one request and decodes a 2xx body into out (nil: discard). A
// signed call refused for its signature or timestamp is sent once more
// with a fresh time delta (OVH did not execute it).
func (o *OVHClient) call(ctx context.Context, method, path, name string, body any, signed bool, timeout time.Duration, out any) error {
	err := o.callOnce(ctx, method, path, name, body, signed, timeout, out)
	if signed && isClockRefusal(err) && ctx.Err() == nil {
		o.dropDelta()
		err = o.callOnce(ctx, method, path, name, body, signed, timeout, out)
	}
	return err
}

// isClockRefusal reports OVH refusing a signature or its timestamp, which
// a stepped clock causes.
func isClockRefusal(err error) bool {
	var ce *CallError
	if !errors.As(err, &ce) || ce.NotSent || ce.Malformed || (ce.Status != 400 && ce.Status != 401 && ce.Status != 403) {
		return false
	}
	msg := strings.ToLower(ce.Message)
	return ce.ErrorCode == "INVALID_SIGNATURE" || strings.Contains(msg, "invalid signature") || strings.Contains(msg, "timestamp")
}

func (o *OVHClient) callOnce(ctx context.Context, method, path, name string, body any, signed bool, timeout time.Duration, out any) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	checkout := method == http.MethodPost && strings.HasSuffix(path, "/checkout")
	cl, err := o.client(ctx, signed, checkout, timeout)
	if err != nil {
		return &CallError{Call: name, NotSent: true, Err: err}
	}
	req, err := cl.NewRequest(method, path, body, signed)
	if err != nil {
		return &CallError{Call: name, NotSent: true, Err: err}
	}
	// The request counts as sent once its first header byte may have been
	// written: from then on OVH may have executed it.
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{
		WroteHeaderField: func(string, []string) { wrote.Store(true) },
		WroteHeaders:     func() { wrote.Store(true) },
		WroteRequest:     func(httptrace.WroteRequestInfo) { wrote.Store(true) },
	}
	req = req.WithContext(httptrace.WithClientTrace(ctx, trace))
	resp, err := cl.Do(req)
	if err != nil {
		return &CallError{Call: name, NotSent: !wrote.Load(), Err: cleanTransportErr(err)}
	}
	defer resp.Body.Close()
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, o.opts.MaxBodyBytes))
	ce := &CallError{Call: name, Status: resp.StatusCode, QueryID: resp.Header.Get("X-Ovh-Queryid")}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ce.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		var apiErr struct {
			Class     string `json:"class"`
			Message   string `json:"message"`
			ErrorCode string `json:"errorCode"`
		}
		if json.Unmarshal(data, &apiErr) == nil {
			ce.Class, ce.Message, ce.ErrorCode = apiErr.Class, apiErr.Message, apiErr.ErrorCode
		}
		if ce.Message == "" {
			ce.Message = http.StatusText(resp.StatusCode)
		}
		if signed && o.opts.OnRefused != nil && (ce.Status == http.StatusUnauthorized || ce.Status == http.StatusForbidden) {
			o.opts.OnRefused(name, ce.Status, ce.Message)
		}
		return ce
	}
	if rerr != nil {
		ce.Malformed, ce.Err = true, cleanTransportErr(rerr)
		return ce
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		ce.Malformed, ce.Err = true, err
		return ce
	}
	return nil
}

// cleanTransportErr drops the *url.Error wrapper, whose text repeats the
// URL (which holds no secret, but is noise).
func cleanTransportErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("timeout: %w", err)
	}
	return err
}

// parseRetryAfter reads seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func cartPath(cartID string, rest ...string) string {
	p := "/order/cart/" + url.PathEscape(cartID)
	for _, r := range rest {
		p += "/" + r
	}
	return p
}

// Availability implements API.
func (o *OVHClient) Availability(ctx context.Context, planCode string, dcs []string) ([]Availability, error) {
	q := url.Values{}
	if planCode != "" { // "": the whole feed (the history sweep)
		q.Set("planCode", planCode)
	}
	if len(dcs) > 0 {
		q.Set("datacenters", strings.Join(dcs, ","))
	}
	var out []Availability
	err := o.call(ctx, http.MethodGet, "/dedicated/server/datacenter/availabilities?"+q.Encode(),
		"GET /dedicated/server/datacenter/availabilities", nil, false, o.opts.CallTimeout, &out)
	if IsNotFound(err) {
		return nil, nil // "No availabilities found"
	}
	return out, err
}

// CreateCart implements API.
func (o *OVHClient) CreateCart(ctx context.Context, subsidiary string, expire time.Time) (Cart, error) {
	body := map[string]any{"ovhSubsidiary": subsidiary}
	if !expire.IsZero() {
		body["expire"] = expire.UTC().Format(time.RFC3339)
	}
	var out Cart
	err := o.call(ctx, http.MethodPost, "/order/cart", "POST /order/cart", body, false, o.opts.CallTimeout, &out)
	return out, err
}

// GetCart implements API.
func (o *OVHClient) GetCart(ctx context.Context, cartID string) (Cart, error) {
	var out Cart
	err := o.call(ctx, http.MethodGet, cartPath(cartID), "GET /order/cart/{id}", nil, false, o.opts.CallTimeout, &out)
	return out, err
}

// DeleteCart implements API.
func (o *OVHClient) DeleteCart(ctx context.Context, cartID string) error {
	return o.call(ctx, http.MethodDelete, cartPath(cartID), "DELETE /order/cart/{id}", nil, true, o.opts.CallTimeout, nil)
}

// AssignCart implements API.
func (o *OVHClient) AssignCart(ctx context.Context, cartID string) error {
	return o.call(ctx, http.MethodPost, cartPath(cartID, "assign"), "POST /order/cart/{id}/assign", nil, true, o.opts.CallTimeout, nil)
}

// AddEcoItem implements API.
func (o *OVHClient) AddEcoItem(ctx context.Context, cartID string, req EcoItemRequest) (CartItem, error) {
	var out CartItem
	err := o.call(ctx, http.MethodPost, cartPath(cartID, "eco"), "POST /order/cart/{id}/eco", req, false, o.opts.CallTimeout, &out)
	return out, err
}

// AddEcoOption implements API.
func (o *OVHClient) AddEcoOption(ctx context.Context, cartID string, req EcoOptionRequest) (CartItem, error) {
	var out CartItem
	err := o.call(ctx, http.MethodPost, cartPath(cartID, "eco", "options"), "POST /order/cart/{id}/eco/options", req, false, o.opts.CallTimeout, &out)
	return out, err
}

// GetItem implements API.
func (o *OVHClient) GetItem(ctx context.Context, cartID string, itemID int64) (CartItem, error) {
	var out CartItem
	err := o.call(ctx, http.MethodGet, cartPath(cartID, "item", strconv.FormatInt(itemID, 10)), "GET /order/cart/{id}/item/{itemId}", nil, false, o.opts.CallTimeout, &out)
	return out, err
}

// AddConfiguration implements API.
func (o *OVHClient) AddConfiguration(ctx context.Context, cartID string, itemID int64, label, value string) (ItemConfiguration, error) {
	var out ItemConfiguration
	body := map[string]string{"label": label, "value": value}
	err := o.call(ctx, http.MethodPost, cartPath(cartID, "item", strconv.FormatInt(itemID, 10), "configuration"),
		"POST /order/cart/{id}/item/{itemId}/configuration", body, false, o.opts.CallTimeout, &out)
	return out, err
}

// AddCoupon implements API.
func (o *OVHClient) AddCoupon(ctx context.Context, cartID, coupon string) error {
	return o.call(ctx, http.MethodPost, cartPath(cartID, "coupon"), "POST /order/cart/{id}/coupon",
		map[string]string{"coupon": coupon}, false, o.opts.CallTimeout, nil)
}

// Summary implements API.
func (o *OVHClient) Summary(ctx context.Context, cartID string) (CartOrder, error) {
	var out CartOrder
	err := o.call(ctx, http.MethodGet, cartPath(cartID, "summary"), "GET /order/cart/{id}/summary", nil, false, o.opts.CallTimeout, &out)
	return out, err
}

// CheckoutPreview implements API.
func (o *OVHClient) CheckoutPreview(ctx context.Context, cartID string) (CartOrder, error) {
	var out CartOrder
	err := o.call(ctx, http.MethodGet, cartPath(cartID, "checkout"), "GET /order/cart/{id}/checkout", nil, true, o.opts.CallTimeout, &out)
	return out, err
}

// Checkout implements API.
func (o *OVHClient) Checkout(ctx context.Context, cartID string, req CheckoutRequest) (CartOrder, error) {
	var out CartOrder
	err := o.call(ctx, http.MethodPost, cartPath(cartID, "checkout"), "POST /order/cart/{id}/checkout", req, true, o.opts.CheckoutTimeout, &out)
	return out, err
}

// MyOrders implements API.
func (o *OVHClient) MyOrders(ctx context.Context, from, to time.Time) ([]int64, error) {
	q := url.Values{}
	q.Set("date.from", from.UTC().Format(time.RFC3339))
	q.Set("date.to", to.UTC().Format(time.RFC3339))
	var out []int64
	err := o.call(ctx, http.MethodGet, "/me/order?"+q.Encode(), "GET /me/order", nil, true, o.opts.CallTimeout, &out)
	return out, err
}

// MyOrder implements API.
func (o *OVHClient) MyOrder(ctx context.Context, orderID int64) (MyOrder, error) {
	var out MyOrder
	err := o.call(ctx, http.MethodGet, "/me/order/"+strconv.FormatInt(orderID, 10), "GET /me/order/{id}", nil, true, o.opts.CallTimeout, &out)
	return out, err
}

// MyOrderItems implements API: one OrderItem per detail, in OVH's order.
func (o *OVHClient) MyOrderItems(ctx context.Context, orderID int64) ([]OrderItem, error) {
	base := "/me/order/" + strconv.FormatInt(orderID, 10) + "/details"
	var ids []int64
	if err := o.call(ctx, http.MethodGet, base, "GET /me/order/{id}/details", nil, true, o.opts.CallTimeout, &ids); err != nil {
		return nil, err
	}
	out := make([]OrderItem, 0, len(ids))
	for _, id := range ids {
		var ext orderDetailExtension
		p := base + "/" + strconv.FormatInt(id, 10) + "/extension"
		if err := o.call(ctx, http.MethodGet, p, "GET /me/order/{id}/details/{detailId}/extension", nil, true, o.opts.CallTimeout, &ext); err != nil {
			return nil, err
		}
		it := OrderItem{PlanCode: ext.Order.Plan.Code, Configurations: map[string]string{}}
		if ext.Order.Plan.Quantity != nil {
			it.Quantity = int(*ext.Order.Plan.Quantity)
		}
		for _, c := range ext.Order.Configurations {
			it.Configurations[c.Label] = c.Value
		}
		out = append(out, it)
	}
	return out, nil
}

// orderDetailExtension mirrors billing.ItemDetail, the answer of
// GET /me/order/{id}/details/{detailId}/extension (only what is used).
type orderDetailExtension struct {
	Order struct {
		Plan struct {
			Code     string `json:"code"`
			Quantity *int64 `json:"quantity"`
		} `json:"plan"`
		Configurations []struct {
			Label string `json:"label"`
			Value string `json:"value"`
		} `json:"configurations"`
	} `json:"order"`
}

// ServerTime implements API.
func (o *OVHClient) ServerTime(ctx context.Context) (time.Time, error) {
	var secs int64
	if err := o.call(ctx, http.MethodGet, "/auth/time", "GET /auth/time", nil, false, o.opts.CallTimeout, &secs); err != nil {
		return time.Time{}, err
	}
	return time.Unix(secs, 0).UTC(), nil
}

// ItemConfigurations lists the configuration labels of an item
// (GET .../item/{itemId}/configuration, then each id; unsigned).
func (o *OVHClient) ItemConfigurations(ctx context.Context, cartID string, itemID int64) ([]ItemConfiguration, error) {
	base := cartPath(cartID, "item", strconv.FormatInt(itemID, 10), "configuration")
	var ids []int64
	if err := o.call(ctx, http.MethodGet, base, "GET /order/cart/{id}/item/{itemId}/configuration", nil, false, o.opts.CallTimeout, &ids); err != nil {
		return nil, err
	}
	out := make([]ItemConfiguration, 0, len(ids))
	for _, id := range ids {
		var c ItemConfiguration
		if err := o.call(ctx, http.MethodGet, base+"/"+strconv.FormatInt(id, 10), "GET /order/cart/{id}/item/{itemId}/configuration/{configId}", nil, false, o.opts.CallTimeout, &c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// Coupons lists the coupons of a cart (GET /order/cart/{id}/coupon, unsigned).
func (o *OVHClient) Coupons(ctx context.Context, cartID string) ([]string, error) {
	var out []string
	err := o.call(ctx, http.MethodGet, cartPath(cartID, "coupon"), "GET /order/cart/{id}/coupon", nil, false, o.opts.CallTimeout, &out)
	return out, err
}
