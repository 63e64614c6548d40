package ovhsim

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a Sim. The zero value is a usable IE account with one
// valid credential, a valid preferred payment method and the minimum
// consumer-key rules ovhtui needs.
type Options struct {
	// Now is the simulator's clock (default time.Now). Tests inject a fake
	// clock; cart expiry, timelines and order dates follow it.
	Now func() time.Time
	// Subsidiary is the account's subsidiary (default "IE"); carts must be
	// created with it.
	Subsidiary string
	// AppKey, AppSecret and ConsumerKey are the one valid credential
	// (defaults "sim-app-key", "sim-app-secret", "sim-consumer-key").
	AppKey, AppSecret, ConsumerKey string
	// Account is the nichandle of that credential (default "ab12345-ovh").
	Account string
	// CredentialExpiration is when that credential expires (see
	// Credential.Expiration; zero: 29 days from the clock at each call).
	CredentialExpiration time.Time
	// Rules are the consumer key's access rules (nil: DefaultRules()).
	Rules []Rule
	// ExtraCredentials are further valid credentials, possibly of other
	// accounts (to test that an assigned cart is refused to another account).
	ExtraCredentials []Credential
	// AccessToken is an OAuth2 bearer token accepted as the default
	// credential ("Authorization: Bearer <token>"; default "sim-token").
	AccessToken string
	// PaymentMethod is the state of the account's preferred payment method.
	// The zero value, PaymentValid, means the account has a valid one.
	PaymentMethod PaymentMethodState
	// Coupons are the valid coupon codes, each with its reduction in percent
	// of the first invoice excluding tax. Any other code is refused.
	Coupons map[string]int64
	// TimestampWindow is how far X-Ovh-Timestamp may be from the
	// simulator's clock. Zero means 5 minutes when Now is nil (real clock)
	// and no check when a fake clock is injected (go-ovh computes its time
	// delta once, so a test that jumps its fake clock would otherwise see
	// every signed call refused). Negative disables the check.
	TimestampWindow time.Duration
	// AssignedCartsNeedAuth makes an assigned cart refuse unsigned calls
	// (401). Uncertain how OVH behaves; default false (the cart id is
	// enough, as for an unassigned cart).
	AssignedCartsNeedAuth bool
	// SignedRateLimit, when positive, is how many signed calls per minute
	// (sliding window, simulator clock) a consumer key may make; beyond it
	// the call is refused with 429 and a Retry-After. OVH's fair-use limit
	// is not documented (an OVH maintainer: about 60 per minute); 0 means
	// no limit.
	SignedRateLimit int
	// DeliveryDelay is how long a paid purchase order stays "delivering"
	// before it is "delivered" and its servers appear under
	// /dedicated/server (default 1 minute; OVH takes minutes to days).
	DeliveryDelay time.Duration
	// OrderLife is how long an unpaid purchase order stays payable before
	// it lapses (cancelled); default 24 hours. The demo shortens it, so
	// that its unpaid orders come and go.
	OrderLife time.Duration
	// KeepDelivered, when positive, is how many servers delivered from
	// orders the account keeps: the oldest go when more arrive (the demo,
	// whose story orders for hours). Seeded servers stay.
	KeepDelivered int
	// OrderURL builds an order's URL from its id and password (nil: OVH's
	// display-order.cgi link). --demo points it at the simulator itself, so
	// that no demo order ever shows a link to OVH.
	OrderURL func(id int64, password string) string
	// AZDatacenters adds DCs to plans of the catalog (planCode -> DCs),
	// e.g. DemoAZDatacenters: the availability-zone names of OVH's 2025-10
	// enum (az.go). Each must be in that enum.
	AZDatacenters map[string][]string
	// NoPadding serves only the catalog's own variants in the availability
	// feed instead of padding it to the real feed's size (~9,000 entries).
	NoPadding bool
	// MaxRequestLog bounds the request log (default 100,000; the oldest
	// half is dropped when full).
	MaxRequestLog int
	// Log receives one debug line per request (default: discard).
	Log *slog.Logger
}

// Credential is one valid application key + consumer key pair, owned by
// Account, with its access rules (nil: DefaultRules()).
type Credential struct {
	AppKey, AppSecret, ConsumerKey string
	Account                        string
	Rules                          []Rule
	// Expiration is when the consumer key expires, as the `expiration` of
	// GET /auth/currentCredential (auth.ApiCredential) says. Zero: 29 days
	// after the simulator's clock at each call (a 30-day key created a day
	// ago). NoExpiration makes it null (a key created with unlimited validity).
	Expiration   time.Time
	NoExpiration bool
}

// Rule is one consumer-key access rule: an HTTP method and a path relative
// to /1.0 where "*" matches any run of characters ("/order/cart/*" does not
// match "/order/cart").
type Rule struct {
	Method string `json:"method"`
	Path   string `json:"path"`
}

// DefaultRules are the minimum rules ovhtui needs (see ovh-api-notes.md).
func DefaultRules() []Rule {
	return []Rule{
		{"POST", "/order/cart"},
		{"GET", "/order/cart"},
		{"GET", "/order/cart/*"},
		{"POST", "/order/cart/*"},
		{"DELETE", "/order/cart/*"},
		{"GET", "/me"},
		{"GET", "/me/order"},
		{"GET", "/me/order/*"},
		{"POST", "/me/order/*"},
		// After the win: pay with a card (its paymentMeanId), servers and
		// their renewal.
		{"GET", "/me/payment/method"},
		{"GET", "/me/payment/method/*"},
		{"GET", "/dedicated/server"},
		{"GET", "/dedicated/server/*"},
		{"GET", "/service/*"},
		{"POST", "/service/*"},
	}
}

// PaymentMethodState is the state of the account's preferred payment method.
type PaymentMethodState int

// Payment method states. The zero value is PaymentValid.
const (
	// PaymentValid: a valid preferred payment method is registered.
	PaymentValid PaymentMethodState = iota
	// PaymentNone: no preferred payment method ("You do not have preferred
	// payment method" on an autopay checkout).
	PaymentNone
	// PaymentInvalid: the preferred payment method is not valid (expired
	// card): "Your preferred payment method is not valid".
	PaymentInvalid
)

// Request is one API call as the simulator saw it. Time is the simulator's
// clock, Wall the real clock at arrival (for latency measurements).
type Request struct {
	Seq        uint64
	Time       time.Time
	Wall       time.Time
	Method     string
	Path       string // relative to /1.0 (the /v1 alias is folded in)
	RawQuery   string
	Body       string
	Signed     bool // carried a valid signature (false until handled)
	Status     int  // 0 when observed by OnRequest, and when no answer was sent (dropped, client gone)
	BytesOut   int
	RemoteAddr string
	ConnID     uint64 // 0 unless the server installs ConnContext
	QueryID    string
	Fault      bool // answered (or altered) by an injected fault
}

// Sim is a simulated OVH API (https://eu.api.ovh.com/1.0). It is an
// http.Handler; all methods are safe for concurrent use.
type Sim struct {
	opts      Options
	now       func() time.Time
	log       *slog.Logger
	cat       *catalog
	rawCat    []byte
	creds     map[string]*Credential // by consumer key
	appSecret map[string]string      // app key -> secret
	mux       *http.ServeMux
	control   *http.ServeMux

	cbMu  sync.Mutex
	onReq []func(Request)
	onRsp []func(Request)

	mu         sync.Mutex
	avail      map[availKey]string
	stock      map[availKey]int
	entries    []*availEntry
	entryByFQN map[string]*availEntry
	padding    []*availEntry
	padJSON    []byte // pre-encoded padding entries, comma separated
	feedCache  []byte
	timeline   []timedStep
	faults     []*faultEntry
	faultSeq   int
	prices     map[string]priceOverride
	carts      map[string]*cart
	cartOrder  []string
	orders     []*order
	payment    PaymentMethodState
	// paymentStatus is the status of an invalid payment method ("":
	// EXPIRED; SetPaymentMethodStatus).
	paymentStatus string
	catBySub      map[string][]byte
	seqCart       int
	cartSalt      string // random per simulator: cart ids differ between runs, as OVH's do
	seqItem       int64
	seqConfig     int64
	seqOrder      int64
	seqDetail     int64
	seqQuery      uint64
	reqLog        []Request
	signedLog     map[string][]time.Time // consumer key -> recent signed calls
	connSeq       uint64
	conns         int
	openConns     int
	aw            accountState // servers, payment methods, renewals (servers.go)

	schema     *Schema
	declared   []declaredRoute
	violations []string
	bigChecked map[*Operation]bool
}

// orderURL is the URL of order id (Options.OrderURL).
func (s *Sim) orderURL(id int64, password string) string {
	if s.opts.OrderURL != nil {
		return s.opts.OrderURL(id, password)
	}
	return fmt.Sprintf("https://www.ovh.com/cgi-bin/order/display-order.cgi?orderId=%d&orderPassword=%s", id, password)
}

// New builds a simulator from an eco catalog (the JSON of
// GET /order/catalog/public/eco).
func New(catalogJSON []byte, opts Options) (*Sim, error) {
	catalogJSON, err := withDatacenters(catalogJSON, opts.AZDatacenters, OVHSchema().datacenterEnum())
	if err != nil {
		return nil, err
	}
	cat, err := parseCatalog(catalogJSON)
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
		if opts.TimestampWindow == 0 {
			opts.TimestampWindow = 5 * time.Minute
		}
	}
	if opts.Subsidiary == "" {
		opts.Subsidiary = "IE"
	}
	if opts.AppKey == "" {
		opts.AppKey = "sim-app-key"
	}
	if opts.AppSecret == "" {
		opts.AppSecret = "sim-app-secret"
	}
	if opts.ConsumerKey == "" {
		opts.ConsumerKey = "sim-consumer-key"
	}
	if opts.Account == "" {
		opts.Account = "ab12345-ovh"
	}
	if opts.Rules == nil {
		opts.Rules = DefaultRules()
	}
	if opts.AccessToken == "" {
		opts.AccessToken = "sim-token"
	}
	if opts.MaxRequestLog <= 0 {
		opts.MaxRequestLog = 100_000
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	s := &Sim{
		opts:       opts,
		cartSalt:   rand.Text(),
		now:        opts.Now,
		log:        opts.Log,
		cat:        cat,
		rawCat:     catalogJSON,
		creds:      map[string]*Credential{},
		appSecret:  map[string]string{},
		avail:      map[availKey]string{},
		stock:      map[availKey]int{},
		entryByFQN: map[string]*availEntry{},
		prices:     map[string]priceOverride{},
		carts:      map[string]*cart{},
		payment:    opts.PaymentMethod,
		catBySub:   map[string][]byte{},
		seqItem:    100_000_000,
		seqConfig:  50_000_000,
		seqOrder:   200_000_000,
		seqDetail:  900_000_000,
	}
	all := append([]Credential{{
		AppKey: opts.AppKey, AppSecret: opts.AppSecret, ConsumerKey: opts.ConsumerKey,
		Account: opts.Account, Rules: opts.Rules, Expiration: opts.CredentialExpiration,
	}}, opts.ExtraCredentials...)
	for i := range all {
		c := all[i]
		if c.Rules == nil {
			c.Rules = DefaultRules()
		}
		if c.Account == "" {
			c.Account = opts.Account
		}
		s.creds[c.ConsumerKey] = &c
		s.appSecret[c.AppKey] = c.AppSecret
	}
	s.aw = newAccountState(opts)
	s.schema = OVHSchema()
	s.bigChecked = map[*Operation]bool{}
	s.initAvailability()
	s.mux = s.routes()
	s.control = s.controlRoutes()
	return s, nil
}

// OnRequest registers f, called synchronously when a request arrives,
// before it is handled (Status is 0). Tests use it to observe, stall or
// kill at a precise step.
func (s *Sim) OnRequest(f func(Request)) {
	s.cbMu.Lock()
	defer s.cbMu.Unlock()
	s.onReq = append(s.onReq, f)
}

// OnResponse registers f, called synchronously after a request was
// answered (or dropped), with its final Status and BytesOut.
func (s *Sim) OnResponse(f func(Request)) {
	s.cbMu.Lock()
	defer s.cbMu.Unlock()
	s.onRsp = append(s.onRsp, f)
}

// Requests returns a copy of the request log, oldest first (requests still
// in flight have Status 0).
func (s *Sim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqLog...)
}

// ResetRequests empties the request log.
func (s *Sim) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqLog = nil
}

type connIDKey struct{}

// ConnContext is an http.Server ConnContext hook: it numbers connections so
// that Request.ConnID tells them apart, and counts them (Connections).
func (s *Sim) ConnContext(ctx context.Context, c net.Conn) context.Context {
	s.mu.Lock()
	s.connSeq++
	id := s.connSeq
	s.conns++
	s.mu.Unlock()
	return context.WithValue(ctx, connIDKey{}, id)
}

// ConnState is an http.Server ConnState hook keeping OpenConnections.
func (s *Sim) ConnState(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch st {
	case http.StateNew:
		s.openConns++
	case http.StateClosed, http.StateHijacked:
		s.openConns--
	}
}

// Connections is how many TCP connections the server accepted (needs
// ConnContext installed).
func (s *Sim) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// OpenConnections is how many connections are open now (needs ConnState).
func (s *Sim) OpenConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.openConns
}

// Install sets the ConnContext and ConnState hooks on srv.
func (s *Sim) Install(srv *http.Server) {
	srv.ConnContext = s.ConnContext
	srv.ConnState = s.ConnState
}

// Serve serves the simulator on ln until ctx is cancelled (then shuts the
// server down). It is what `ovhtui --demo` runs on a loopback port.
func (s *Sim) Serve(ctx context.Context, ln net.Listener) error { return s.ServeWith(ctx, ln, s) }

// ServeWith is Serve with h in front of the simulator (h hands it what it
// does not serve itself: the demo's pages for its order links).
func (s *Sim) ServeWith(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	s.Install(srv)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		shutCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutCtx)
		<-errc
		return nil
	case err := <-errc:
		return err
	}
}

// SetPaymentMethod changes the state of the account's preferred payment
// method.
func (s *Sim) SetPaymentMethod(p PaymentMethodState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.payment, s.paymentStatus = p, ""
}

// reply is a handler's answer, written by ServeHTTP.
type reply struct {
	status int
	body   []byte
	header http.Header
}

type replyHolder struct {
	rep    *reply
	signed bool
}

type holderKey struct{}

// apiPath strips the API prefix (/1.0 or its alias /v1) from p.
func apiPath(p string) (string, bool) {
	for _, pre := range []string{"/1.0", "/v1"} {
		if p == pre {
			return "/", true
		}
		if strings.HasPrefix(p, pre+"/") {
			return p[len(pre):], true
		}
	}
	return "", false
}

// ServeHTTP serves the API under /1.0/ (and /v1/) and the control API under
// /_sim/.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.control.ServeHTTP(w, r)
		return
	}
	wall := time.Now()
	rel, ok := apiPath(r.URL.Path)
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	s.mu.Lock()
	now := s.now()
	s.applyTimelineLocked(now)
	s.seqQuery++
	seq := s.seqQuery
	qid := fmt.Sprintf("EU.ext-sim.%08x.%d", uint32(now.Unix()), seq)
	connID, _ := r.Context().Value(connIDKey{}).(uint64)
	req := Request{
		Seq: seq, Time: now, Wall: wall, Method: r.Method, Path: rel, RawQuery: r.URL.RawQuery,
		Body: string(body), RemoteAddr: r.RemoteAddr, ConnID: connID, QueryID: qid,
	}
	if !ok {
		req.Path = r.URL.Path
	}
	s.appendRequestLocked(req)
	before := s.takeFaultLocked(r.Method, rel, r.URL.RawQuery, false)
	var after *Fault
	if before == nil || before.waitOnly() {
		after = s.takeFaultLocked(r.Method, rel, r.URL.RawQuery, true)
	}
	s.mu.Unlock()

	s.cbMu.Lock()
	cbs := slices.Clone(s.onReq)
	s.cbMu.Unlock()
	for _, f := range cbs {
		f(req)
	}

	w.Header().Set("X-Ovh-Queryid", qid)
	var rep *reply
	signed := false
	if before != nil {
		req.Fault = true
		rep = s.applyFault(w, r, before, nil)
		if rep == nil && before.waitOnly() && r.Context().Err() == nil {
			before = nil // a slow API: now handle the request
		}
	}
	if before == nil {
		if ok {
			holder := &replyHolder{}
			r2 := r.Clone(context.WithValue(r.Context(), holderKey{}, holder))
			r2.URL.Path = rel
			r2.URL.RawPath = ""
			dw := &discardWriter{h: http.Header{}}
			s.mux.ServeHTTP(dw, r2)
			rep, signed = holder.rep, holder.signed
			if rep == nil {
				if dw.status == http.StatusMethodNotAllowed {
					rep = errReply(&apiError{status: 405, class: "Client::MethodNotAllowed", message: "Method not allowed"})
				} else {
					rep = errReply(errInvalidURL())
				}
			}
		} else {
			rep = errReply(errInvalidURL())
		}
		if after != nil {
			req.Fault = true
			rep = s.applyFault(w, r, after, rep)
		}
	}
	n := 0
	if rep != nil {
		for k, v := range rep.header {
			w.Header()[k] = v
		}
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		}
		w.WriteHeader(rep.status)
		n, _ = w.Write(rep.body)
		req.Status = rep.status
	}
	req.Signed = signed
	req.BytesOut = n
	s.mu.Lock()
	s.finishRequestLocked(req)
	s.mu.Unlock()
	s.log.Debug("ovhsim request", "method", req.Method, "path", req.Path, "query", req.RawQuery,
		"status", req.Status, "bytes", n, "signed", signed, "fault", req.Fault)
	s.cbMu.Lock()
	cbs = slices.Clone(s.onRsp)
	s.cbMu.Unlock()
	for _, f := range cbs {
		f(req)
	}
}

func (s *Sim) appendRequestLocked(req Request) {
	if len(s.reqLog) >= s.opts.MaxRequestLog {
		s.reqLog = append([]Request(nil), s.reqLog[len(s.reqLog)/2:]...)
	}
	s.reqLog = append(s.reqLog, req)
}

func (s *Sim) finishRequestLocked(req Request) {
	for i := len(s.reqLog) - 1; i >= 0; i-- {
		if s.reqLog[i].Seq == req.Seq {
			s.reqLog[i] = req
			return
		}
		if s.reqLog[i].Seq < req.Seq {
			return
		}
	}
}

// discardWriter absorbs what ServeMux itself would write (404/405/redirects).
type discardWriter struct {
	h      http.Header
	status int
}

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(code int)        { d.status = code }

// jsonReply encodes v as a 200 reply (without HTML escaping: OVH writes
// "&" in URLs as is).
func jsonReply(v any) *reply {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return errReply(&apiError{status: 500, class: "Server::InternalServerError", message: "encode: " + err.Error()})
	}
	return &reply{status: http.StatusOK, body: bytes.TrimSuffix(buf.Bytes(), []byte("\n"))}
}

// route describes one API route.
type route struct {
	signed  bool // needs a valid signature (401 without)
	cart    bool // path has {cartId}: resolve the cart (404 when missing or expired)
	handler func(c *call) *reply
}

// call is one API call being handled, under s.mu.
type call struct {
	s    *Sim
	r    *http.Request
	body []byte
	now  time.Time
	who  *Credential // nil when unsigned
	cart *cart       // set for cart routes
}

// declaredRoute is a route the simulator registered, with the signature
// rule its code declares (the conformance test compares both with the schema).
type declaredRoute struct {
	Method, Path string
	Signed       bool
}

// maxViolations bounds the violation record.
const maxViolations = 200

// violation records a departure from the schema (by the simulator or by a
// client) for SchemaViolations, and logs it.
func (s *Sim) violation(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.log.Error("ovhsim: schema violation", "what", msg)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.violations) < maxViolations {
		s.violations = append(s.violations, msg)
	}
}

// SchemaViolations lists every departure from OVH's schema seen so far:
// requests a client sent that the schema would not accept (answered 400),
// routes the simulator serves that the schema lacks (answered 404/405 as
// OVH would), and answers of the simulator that do not validate against
// their response model. Tests assert it is empty.
func (s *Sim) SchemaViolations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// bigBody is the answer size above which the schema check of an answer is
// done once per operation: those are the catalog and the unfiltered feed,
// whose shape does not change between calls.
const bigBody = 256 << 10

// checkAnswer records how a 2xx answer to op differs from its model.
func (s *Sim) checkAnswer(op *Operation, rep *reply) {
	if rep == nil || rep.status < 200 || rep.status > 299 {
		return
	}
	if len(rep.body) > bigBody {
		s.mu.Lock()
		done := s.bigChecked[op]
		s.bigChecked[op] = true
		s.mu.Unlock()
		if done {
			return
		}
	}
	for i, v := range s.schema.CheckResponse(op, rep.body) {
		if i == 5 {
			break
		}
		s.violation("answer of %s %s does not match %s: %s", op.Method, op.Path, op.ResponseType, v)
	}
}

func (s *Sim) handle(pattern string, rt route) {
	method, path, _ := strings.Cut(pattern, " ")
	s.declared = append(s.declared, declaredRoute{Method: method, Path: path, Signed: rt.signed})
	s.mux.HandleFunc(pattern, func(_ http.ResponseWriter, r *http.Request) {
		holder := r.Context().Value(holderKey{}).(*replyHolder)
		body, _ := io.ReadAll(r.Body)
		// OVH's schema decides what exists and what must be signed.
		op, params, exists := s.schema.Match(r.Method, r.URL.Path)
		if op == nil {
			s.violation("ovhsim serves %s, which the schema lacks", pattern)
			if exists {
				holder.rep = errReply(&apiError{status: 405, class: "Client::MethodNotAllowed", message: "Method not allowed"})
			} else {
				holder.rep = errReply(errInvalidURL())
			}
			return
		}
		who, aerr := s.authenticate(r, body)
		if aerr != nil {
			holder.rep = errReply(aerr)
			return
		}
		holder.signed = who != nil
		if who != nil && s.opts.SignedRateLimit > 0 {
			if wait := s.rateLimit(who.ConsumerKey); wait > 0 {
				rep := errReply(&apiError{status: 429, class: "Client::TooManyRequests", message: "Too many requests"})
				rep.header = http.Header{"Retry-After": {strconv.Itoa(int((wait + time.Second - 1) / time.Second))}}
				holder.rep = rep
				return
			}
		}
		if op.Auth && who == nil {
			holder.rep = errReply(&apiError{status: 401, class: "Client::Unauthorized", message: "You must login first"})
			return
		}
		if err := s.schema.CheckRequest(op, params, r.URL.Query(), body); err != nil {
			s.violation("request %s %s refused by the schema of %s %s: %v", r.Method, r.URL.RequestURI(), op.Method, op.Path, err)
			holder.rep = errReply(badRequest("%s", err.Error()))
			return
		}
		s.mu.Lock()
		c := &call{s: s, r: r, body: body, now: s.now(), who: who}
		if rt.cart {
			cr, aerr := s.cartFor(c, r.PathValue("cartId"))
			if aerr != nil {
				s.mu.Unlock()
				holder.rep = errReply(aerr)
				return
			}
			c.cart = cr
		}
		holder.rep = rt.handler(c)
		s.mu.Unlock()
		s.checkAnswer(op, holder.rep)
	})
}

func (s *Sim) routes() *http.ServeMux {
	s.mux = http.NewServeMux()
	pub := func(h func(*call) *reply) route { return route{handler: h} }
	signed := func(h func(*call) *reply) route { return route{signed: true, handler: h} }
	pubCart := func(h func(*call) *reply) route { return route{cart: true, handler: h} }
	signedCart := func(h func(*call) *reply) route { return route{signed: true, cart: true, handler: h} }

	s.handle("GET /auth/time", pub(func(c *call) *reply { return jsonReply(c.now.Unix()) }))
	s.handle("GET /auth/currentCredential", signed(s.getCurrentCredential))
	s.handle("GET /dedicated/server/datacenter/availabilities", pub(s.getAvailabilities))
	s.handle("GET /order/catalog/public/eco", pub(s.getCatalog))

	s.handle("POST /order/cart", pub(s.postCart))
	s.handle("GET /order/cart", signed(s.listCarts))
	s.handle("GET /order/cart/{cartId}", pubCart(s.getCart))
	s.handle("DELETE /order/cart/{cartId}", signedCart(s.deleteCart))
	s.handle("POST /order/cart/{cartId}/assign", signedCart(s.assignCart))
	s.handle("GET /order/cart/{cartId}/eco", pubCart(s.getEcoOffers))
	s.handle("POST /order/cart/{cartId}/eco", pubCart(s.postEcoItem))
	s.handle("GET /order/cart/{cartId}/eco/options", pubCart(s.getEcoOptions))
	s.handle("POST /order/cart/{cartId}/eco/options", pubCart(s.postEcoOption))
	s.handle("GET /order/cart/{cartId}/item", pubCart(s.listItems))
	s.handle("GET /order/cart/{cartId}/item/{itemId}", pubCart(s.getItem))
	s.handle("DELETE /order/cart/{cartId}/item/{itemId}", pubCart(s.deleteItem))
	s.handle("GET /order/cart/{cartId}/item/{itemId}/requiredConfiguration", pubCart(s.getRequiredConfiguration))
	s.handle("GET /order/cart/{cartId}/item/{itemId}/configuration", pubCart(s.listConfigurations))
	s.handle("POST /order/cart/{cartId}/item/{itemId}/configuration", pubCart(s.postConfiguration))
	s.handle("GET /order/cart/{cartId}/item/{itemId}/configuration/{configId}", pubCart(s.getConfiguration))
	s.handle("DELETE /order/cart/{cartId}/item/{itemId}/configuration/{configId}", pubCart(s.deleteConfiguration))
	s.handle("GET /order/cart/{cartId}/coupon", pubCart(s.listCoupons))
	s.handle("POST /order/cart/{cartId}/coupon", pubCart(s.postCoupon))
	s.handle("DELETE /order/cart/{cartId}/coupon", pubCart(s.deleteCoupon))
	s.handle("GET /order/cart/{cartId}/summary", pubCart(s.getSummary))
	s.handle("GET /order/cart/{cartId}/checkout", signedCart(s.getCheckout))
	s.handle("POST /order/cart/{cartId}/checkout", signedCart(s.postCheckout))

	s.handle("GET /me", signed(s.getMe))
	s.handle("GET /me/order", signed(s.listOrders))
	s.handle("GET /me/order/{orderId}", signed(s.getOrder))
	s.handle("GET /me/order/{orderId}/status", signed(s.getOrderStatus))
	s.handle("GET /me/order/{orderId}/details", signed(s.listOrderDetails))
	s.handle("GET /me/order/{orderId}/details/{detailId}", signed(s.getOrderDetail))
	s.handle("GET /me/order/{orderId}/details/{detailId}/extension", signed(s.getOrderDetailExtension))
	s.accountRoutes() // payment, servers, renewal (servers.go)
	return s.mux
}

// rateLimit records a signed call of consumer key ck and returns 0 when it
// is within Options.SignedRateLimit, else how long until it would be.
func (s *Sim) rateLimit(ck string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.signedLog == nil {
		s.signedLog = map[string][]time.Time{}
	}
	log := s.signedLog[ck]
	for len(log) > 0 && !log[0].After(now.Add(-time.Minute)) {
		log = log[1:]
	}
	if len(log) >= s.opts.SignedRateLimit {
		s.signedLog[ck] = log
		return log[0].Add(time.Minute).Sub(now)
	}
	s.signedLog[ck] = append(log, now)
	return 0
}
