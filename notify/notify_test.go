package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/budget"
	"github.com/ovhtui/ovhtui/history"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/ovhapi"
)

const (
	entryKey = "25skleb01|25skleb01.ram-32g-ecc-2400.softraid-2x450nvme|fra|gra"
	fqn      = "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme"
)

var t0 = time.Date(2026, 11, 29, 8, 0, 0, 0, time.UTC)

func eur(cents int64) money.Amount { return money.Amount{Ucents: cents * 1_000_000, Currency: "EUR"} }

func base(dc string) order.Base { return order.Base{Time: t0, Entry: entryKey, DC: dc} }

// product is the entry's name as users know it (the Describer's Name).
const product = "KS-LE-B 32g/2x450nvme"

// everyEvent is one event of each kind the user is told about, preceded
// by the events that give them context, with the kind each must produce,
// its title, and what its text must say.
func everyEvent() (context []order.Event, cases []eventCase) {
	context = []order.Event{
		order.CartReady{Base: base("fra"), CartID: "c1", Price: eur(1998), PriceTax: eur(2398), Ceiling: eur(2500)},
		order.OrderAttempted{Base: base("fra"), CartID: "c1", Price: eur(1998), Autopay: false},
	}
	cases = []eventCase{
		{order.OrderPlaced{Base: base("fra"), OrderID: 200000001, Price: eur(1998),
			URL: "https://www.ovh.com/cgi-bin/order/display-order.cgi?orderId=200000001&orderPassword=s3cretpw"},
			KindOrderPlaced, "Order placed: " + product + " in fra",
			[]string{"Order 200000001: " + product + " in fra, 19.98 EUR excl. tax (24.10 EUR incl. tax); within your ceiling of 25.00 EUR excl. tax.",
				"UNPAID (autopay was off): pay before 2026-12-06 08:00 UTC with `ovhtui pay 200000001` (or O in ovhtui).", "display-order.cgi?orderId=200000001"}},
		{order.OrderFailed{Base: base("fra"), Definitive: false, Err: "POST /order/cart/{id}/checkout: timeout (query EU.ext-3.5f1a)"},
			KindOrderUnknown, "Order outcome unknown: " + product + " in fra",
			[]string{"The order of " + product + " in fra, at 19.98 EUR excl. tax (23.98 EUR incl. tax) got no clear answer (timeout).", "does not retry blind"}},
		{order.NeedsDecision{Base: base(""), Reason: "order attempt in fra had no confirmed outcome"},
			KindOrderUnknown, "Needs your decision: " + product,
			[]string{product + ": order attempt in fra had no confirmed outcome. Re-arm it"}},
		{order.OrderFailed{Base: base("fra"), Definitive: true, Err: "autopay refused: You do not have preferred payment method (OVH-Query-ID: EU.ext-4.6a2b7c) — entry stopped (qty 0)"},
			KindCheckoutRefused, "Order refused: " + product + " in fra",
			[]string{"OVH refused the order of " + product + " in fra, at 19.98 EUR excl. tax (23.98 EUR incl. tax): autopay refused: You do not have preferred payment method — entry stopped (qty 0). No order was created."}},
		{order.PriceOverCeiling{Base: base("gra"), Price: eur(3000), Ceiling: eur(2500), Retired: true},
			KindRetired, "Retired, over its ceiling: " + product,
			[]string{product + " is orderable in gra but costs 30.00 EUR excl. tax, over your ceiling of 25.00 EUR excl. tax: ovhtui stopped watching it", "bring it back in ovhtui (R) with a new ceiling"}},
		{order.WouldHaveOrdered{Base: base("fra"), Price: eur(1998)},
			KindDryRun, "Orderable (dry run): " + product + " in fra",
			[]string{product + " is orderable in fra at 19.98 EUR excl. tax (23.98 EUR incl. tax); within your ceiling of 25.00 EUR excl. tax. place_order is off"}},
		{order.CredentialsRefused{Base: order.Base{Time: t0}, Call: "POST /order/cart/{id}/assign", Status: 403, Err: "This credential is not valid (query EU.ext-1.77)"},
			KindCredentialsRefused, "OVH refused ovhtui's API keys",
			[]string{"OVH answered 403 (This credential is not valid) to POST /order/cart/{id}/assign.", "`ovhtui check`"}},
		{order.CredentialExpiring{Base: order.Base{Time: t0}, Expires: t0.Add(50 * time.Hour)},
			KindCredentialsExpiring, "OVH consumer key expires 2026-12-01 10:00 UTC",
			[]string{"50h0m0s", "OVH_CONSUMER_KEY"}},
		{order.CartsFailing{Base: base("gra"), Since: t0.Add(-11 * time.Minute), Err: "POST /order/cart: 500 Server::InternalServerError (X-OVH-Query-Id: EU.ext-2.1)"},
			KindCartsFailing, "No cart: " + product + " in gra",
			[]string{"No cart could be built for " + product + " in gra for 11m0s, so it cannot be ordered there: OVH answered 500."}},
		{order.StoppingWanted{Base: order.Base{Time: t0}, Entries: []string{entryKey}},
			KindStopping, "ovhtui stopped watching " + product,
			[]string{"ovhtui stopped while " + product + " still wanted: nobody watches it until it runs again."}},
		{order.Reminder{Base: order.Base{Time: t0}, Kind: order.RemindUnpaid, OrderID: 200000002, Due: t0.Add(90 * time.Minute), Lead: 2 * time.Hour},
			KindReminder, "Unpaid order 200000002 lapses 2026-11-29 09:30 UTC",
			[]string{"unpaid", "1h30m", "pay it", "`ovhtui pay 200000002`"}},
		{order.Reminder{Base: order.Base{Time: t0}, Kind: order.RemindRenewal, Server: "ns1.example", Due: t0.Add(6 * 24 * time.Hour), Lead: 7 * 24 * time.Hour},
			KindReminder, "Server ns1.example expires 2026-12-05 08:00 UTC",
			[]string{"6d0h", "manual", "renew it", "`ovhtui renew ns1.example`"}},
		{order.PaymentNotReady{Base: order.Base{Time: t0}, Status: "PAUSED", Method: "CREDIT_CARD ****4242",
			Problem: order.PaymentProblem(ovhapi.PaymentMethod{Status: "PAUSED", PaymentType: "CREDIT_CARD"}, true), Entries: []string{entryKey}},
			KindPaymentNotReady, "Autopay cannot pay: default payment method PAUSED",
			[]string{"PAUSED", "Entries with autopay: " + product + ".", "stay unpaid", "control panel"}},
		{order.AvailabilityChanged{Base: base("fra"), FQN: fqn, Old: "unavailable", New: "1H-high", Orderable: true},
			KindAvailable, "In stock: " + product + " in fra",
			[]string{product + " is orderable in fra (delivery 1H-high), at 19.98 EUR excl. tax (23.98 EUR incl. tax)."}},
		{order.PriceOverCeiling{Base: base("gra"), Price: eur(3000), Ceiling: eur(2500)},
			KindOverCeiling, "Over the ceiling: " + product + " in gra",
			[]string{product + " in gra costs 30.00 EUR excl. tax, over your ceiling of 25.00 EUR excl. tax."}},
		{order.APIError{Base: base("fra"), Call: "GET /dedicated/server/datacenter/availabilities", Err: "GET /dedicated/server/datacenter/availabilities: 503 (query EU.ext-9.9)"},
			KindAPIError, "OVH API error",
			[]string{"GET /dedicated/server/datacenter/availabilities failed: OVH answered 503."}},
		{order.PollPacing{Base: order.Base{Time: t0}, Plans: 3, Budget: budget.State{PerMin: 120, Effective: 60, ThrottledUntil: t0.Add(10 * time.Minute)},
			Text: "3 plans, budget 60/min (halved from 120/min after OVH answered 429, until 08:10): each polled every 3s"},
			KindThrottled, "OVH answered 429: polling slowed down",
			[]string{"every 3s"}},
	}
	return context, cases
}

type eventCase struct {
	ev    order.Event
	kind  Kind
	title string
	want  []string
}

// testDescriber names the test entry as the catalog would, and reads
// OVH's record of an order: it lapses in 7 days and costs 24.10 EUR with
// tax (not the cart's 23.98 EUR: OVH's record wins).
func testDescriber() *Describer {
	return &Describer{
		Name: func(entry string) string {
			if entry == entryKey {
				return product
			}
			return ""
		},
		Order: func(_ context.Context, id int64) (OrderFacts, error) {
			return OrderFacts{Expires: t0.Add(7 * 24 * time.Hour), Total: eur(2410)}, nil
		},
	}
}

// TestDescribeEveryEvent asserts the wording of each kind: its title, and
// sentences of its text.
func TestDescribeEveryEvent(t *testing.T) {
	d := testDescriber()
	ctxEvs, cases := everyEvent()
	for _, ev := range ctxEvs {
		if m, ok := d.Describe(context.Background(), ev); ok && m.Kind != KindCart {
			t.Errorf("%T gave a %s message", ev, m.Kind)
		}
	}
	for _, c := range cases {
		m, ok := d.Describe(context.Background(), c.ev)
		if !ok || m.Kind != c.kind {
			t.Errorf("%T: kind %q ok %v, want %q", c.ev, m.Kind, ok, c.kind)
			continue
		}
		if m.Title != c.title {
			t.Errorf("%s title %q, want %q", c.kind, m.Title, c.title)
		}
		for _, w := range c.want {
			if !strings.Contains(m.Text, w) {
				t.Errorf("%s message lacks %q:\n%s", c.kind, w, m.Text)
			}
		}
		all := m.Title + "\n" + m.Text
		if strings.Contains(all, "s3cretpw") || strings.Contains(strings.ToLower(all), "password") {
			t.Errorf("%s message shows the order password:\n%s", c.kind, all)
		}
		// Refusals in plain words: no query id, no error class.
		for _, jargon := range []string{"EU.ext", "query", "Query", "::"} {
			if strings.Contains(all, jargon) {
				t.Errorf("%s message holds %q:\n%s", c.kind, jargon, all)
			}
		}
		if len(m.Title) > 60 {
			t.Errorf("%s title is %d bytes long, want a short one: %q", c.kind, len(m.Title), m.Title)
		}
	}
	// Routine events the user is not told about.
	for _, ev := range []order.Event{order.PollOK{}, order.StatusChanged{}, order.PrefsSaved{},
		order.AvailabilityChanged{New: "unavailable"}, order.CartReady{Revalidate: true}} {
		if m, ok := d.Describe(context.Background(), ev); ok {
			t.Errorf("%T gave a message %+v", ev, m)
		}
	}
}

// TestDescribeCartAndRadarWording: a checkout that never left, and the
// routine kinds, speak the same words
// (excl. tax beside incl. tax, product names for fqns no entry watches).
func TestDescribeCartAndRadarWording(t *testing.T) {
	d := testDescriber()
	d.Product = func(plan, f string) string {
		if plan == "25skleb01" && f == fqn {
			return product
		}
		return ""
	}
	for _, c := range []struct {
		ev          order.Event
		title, text string
	}{
		{order.CartReady{Base: base("fra"), Price: eur(1998), PriceTax: eur(2398), Ceiling: eur(2500)},
			"Cart ready: " + product + " in fra", product + " in fra: 19.98 EUR excl. tax (23.98 EUR incl. tax); within your ceiling of 25.00 EUR excl. tax."},
		{history.RestockAlert{Transition: history.Transition{Time: t0, PlanCode: "25skleb01", FQN: fqn, DC: "rbx", From: "unavailable", To: "24H"}},
			"Back in stock: " + product + " in rbx", product + " is back in stock in rbx (delivery 24H). ovhtui does not watch it: add it in the catalog browser to buy it."},
		{history.PriceAlert{PriceChange: history.PriceChange{Time: t0, PlanCode: "25skleb01", FQN: fqn, Currency: "EUR",
			Old: history.Price{Monthly: 1899 * money.Cent, Setup: 0}, New: history.Price{Monthly: 2199 * money.Cent, Setup: 0}}},
			"Price changed: " + product, product + " now costs 21.99 EUR a month (was 18.99 EUR) and 0.00 EUR to set up (was 0.00 EUR), excl. tax."},
		{order.OrderFailed{Base: base("gra"), Definitive: true, NotSent: true, Err: "checkout not sent (POST /order/cart/{id}/checkout: not sent: dial tcp: connection refused); tried again in 30s"},
			"Order not sent: " + product + " in gra", "The order of " + product + " in gra never reached OVH: checkout not sent (dial tcp: connection refused); tried again in 30s. No order was created."},
	} {
		m, ok := d.Describe(context.Background(), c.ev)
		if !ok || m.Title != c.title || m.Text != c.text {
			t.Errorf("%T:\n got %q / %q\nwant %q / %q", c.ev, m.Title, m.Text, c.title, c.text)
		}
	}
}

// TestStopMessageNamesProducts: the stop message names each product once.
func TestStopMessageNamesProducts(t *testing.T) {
	d := &Describer{Name: func(k string) string {
		return map[string]string{"a": "KS-LE-1 32g/2x450nvme", "b": "KS-5 32g/2x2000sa", "c": "RISE-1 32g/2x512nvme", "d": "KS-5 32g/2x2000sa"}[k]
	}}
	m, _ := d.Describe(context.Background(), order.StoppingWanted{Base: order.Base{Time: t0}, Entries: []string{"a", "b"}})
	if m.Title != "ovhtui stopped watching KS-LE-1 32g/2x450nvme and KS-5 32g/2x2000sa" {
		t.Errorf("title %q", m.Title)
	}
	m, _ = d.Describe(context.Background(), order.StoppingWanted{Base: order.Base{Time: t0}, Entries: []string{"a", "b", "c", "d"}})
	want := "ovhtui stopped while KS-LE-1 32g/2x450nvme, KS-5 32g/2x2000sa and RISE-1 32g/2x512nvme still wanted: nobody watches them until it runs again."
	if m.Title != "ovhtui stopped watching 4 servers" || m.Text != want {
		t.Errorf("got %q / %q", m.Title, m.Text)
	}
}

// TestPlainError: OVH's errors keep their meaning and lose the call, the
// error class and the query id, whichever way it is written.
func TestPlainError(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"POST /order/cart/{id}/checkout: 400 Client::BadRequest: The requested item is not available (query EU.ext-3.6789); cart dropped, no checkout in gra for 30s",
			"The requested item is not available; cart dropped, no checkout in gra for 30s"},
		{"OVHcloud API error (status code 403): Client::Forbidden: \"This call has not been granted\" (X-OVH-Query-Id: EU.ext-1.2.3)",
			"OVHcloud API error (status code 403): Client::Forbidden: \"This call has not been granted\""},
		{"You do not have preferred payment method. OVH-Query-ID: EU.ext-4.6a2b7c", "You do not have preferred payment method"},
		{"POST /order/cart: 500 Server::InternalServerError", "OVH answered 500"},
		{"GET /me/order/{id}: 503", "OVH answered 503"},
		{"POST /order/cart/{id}/checkout: timeout", "timeout"},
		{"POST /order/cart/{id}/checkout: not sent: dial tcp: connection refused", "dial tcp: connection refused"},
		{"plain words already", "plain words already"},
	} {
		if got := PlainError(c.in); got != c.want {
			t.Errorf("PlainError(%q)\n = %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestOrderPlacedPaymentStates(t *testing.T) {
	placed := order.OrderPlaced{Base: base("fra"), OrderID: 7, Price: eur(1998)}
	d := testDescriber()
	d.Describe(context.Background(), order.OrderAttempted{Base: base("fra"), Autopay: true})
	if m, _ := d.Describe(context.Background(), placed); !strings.Contains(m.Text, "Paying with your preferred payment method") || strings.Contains(m.Text, "Unpaid") {
		t.Errorf("autopay order: %s", m.Text)
	}
	// Reconciled after a restart: autopay unknown; the lookup failed, so
	// the total with tax is the validated cart's when it cost the same.
	d = &Describer{Order: func(context.Context, int64) (OrderFacts, error) { return OrderFacts{}, errors.New("down") }}
	d.Describe(context.Background(), order.CartReady{Base: base("fra"), Price: eur(1998), PriceTax: eur(2398), Ceiling: eur(2500)})
	placed.Reconciled, placed.AfterRestart, placed.OverCeiling = true, true, true
	m, _ := d.Describe(context.Background(), placed)
	if !strings.Contains(m.Text, "If it is unpaid, pay with `ovhtui pay ") || !strings.Contains(m.Title, "ABOVE YOUR CEILING") || !strings.Contains(m.Text, "after a restart") ||
		!strings.Contains(m.Text, "19.98 EUR excl. tax (23.98 EUR incl. tax)") {
		t.Errorf("reconciled order: %s / %s", m.Title, m.Text)
	}
	// Another price than the cart's and no record: no total is made up.
	placed.Price = eur(2100)
	if m, _ := d.Describe(context.Background(), placed); !strings.Contains(m.Text, "21.00 EUR excl. tax;") || strings.Contains(m.Text, "incl. tax") {
		t.Errorf("order at another price: %s", m.Text)
	}
}

func TestParseSet(t *testing.T) {
	for _, c := range []struct {
		in, want string
		err      bool
	}{
		{"", DefaultSet().String(), false},
		{"default", DefaultSet().String(), false},
		{"order_placed, retired", "order_placed retired", false},
		{"-dry_run -stopping", "carts_failing checkout_refused credentials_expiring credentials_refused journal order_placed order_unknown payment_not_ready reminder retired", false},
		{"default available", "available carts_failing checkout_refused credentials_expiring credentials_refused dry_run journal order_placed order_unknown payment_not_ready reminder retired stopping", false},
		{"all -api_error -cart", "available carts_failing checkout_refused credentials_expiring credentials_refused dry_run journal new_plan order_placed order_unknown over_ceiling payment_not_ready price_change reminder restock retired stopping throttled", false},
		{"order_placed bogus", "", true},
	} {
		s, err := ParseSet(c.in)
		if (err != nil) != c.err {
			t.Errorf("ParseSet(%q) error %v", c.in, err)
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), "OVHTUI_NOTIFY_EVENTS") || !strings.Contains(err.Error(), "bogus") {
				t.Errorf("error %q does not name the variable and the word", err)
			}
			continue
		}
		if s.String() != c.want {
			t.Errorf("ParseSet(%q) = %q, want %q", c.in, s, c.want)
		}
	}
}

func TestRedactAndSecrets(t *testing.T) {
	for _, c := range []struct {
		url, shown string
		secrets    []string
	}{
		{"telegram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw@telegram?chats=@mychannel", "telegram://***@telegram/…", []string{"123456789", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "@mychannel"}},
		{"discord://tokenTOKENtoken@123456789012", "discord://***@123456789012", []string{"tokenTOKENtoken"}},
		{"ntfy://ntfy.sh/ovhtui-alerts-x7", "ntfy://ntfy.sh/…", []string{"ovhtui-alerts-x7"}},
		{"gotify://push.example.com/Aabcdefghijklmn?disabletls=yes", "gotify://push.example.com/…", []string{"Aabcdefghijklmn"}},
		{"generic+https://example.com/hooks/abc123def456?token=short", "generic+https://example.com/…", []string{"abc123def456", "short"}},
		{"smtp://user:pa55word@mail.example.com:587/?from=a@b.c&to=me@b.c", "smtp://***@mail.example.com:587/…", []string{"pa55word", "user"}},
	} {
		if got := Redact(c.url); got != c.shown {
			t.Errorf("Redact(%q) = %q, want %q", c.url, got, c.shown)
		}
		secrets := Secrets(c.url)
		for _, s := range c.secrets {
			found := false
			for _, x := range secrets {
				if x == s {
					found = true
				}
			}
			if !found {
				t.Errorf("Secrets(%q) = %q lacks %q", c.url, secrets, s)
			}
		}
		for _, x := range secrets {
			if x == "yes" || x == "hooks" {
				t.Errorf("Secrets(%q) holds the setting %q", c.url, x)
			}
		}
	}
}

// --- delivery with local receivers ------------------------------------------

// receiver is an httptest server recording what it gets.
type receiver struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []recorded
	// status answers every request (0: 200).
	status int
}

type recorded struct {
	Method, Path, Query, ContentType, Title string
	Body                                    string
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, recorded{req.Method, req.URL.Path, req.URL.RawQuery, req.Header.Get("Content-Type"), req.Header.Get("Title"), string(b)})
		st := r.status
		r.mu.Unlock()
		if st == 0 {
			st = 200
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(st)
		if st == 200 {
			io.WriteString(w, `{"id":1}`)
		}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) host() string { return strings.TrimPrefix(r.srv.URL, "http://") }

func (r *receiver) got() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

func open(t *testing.T, url string) Channel {
	t.Helper()
	ch, err := Open(url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return ch
}

// fastOptions keep retries and rate limits short: nothing waits on them.
// The send timeout is only a bound for a receiver that never answers (the
// tests' receivers answer): generous, so that a slow machine never turns
// an answer into a timeout and a retry.
func fastOptions(chans ...Channel) Options {
	return Options{Channels: chans, Events: mustSet("all"), Describer: testDescriber(),
		Attempts: 3, Backoff: time.Millisecond, MinInterval: time.Microsecond, SendTimeout: time.Minute}
}

// flushBound bounds Close in the tests whose receivers all answer: a guard
// against a hang, never reached when all goes well.
const flushBound = 2 * time.Minute

func mustSet(v string) Set {
	s, err := ParseSet(v)
	if err != nil {
		panic(err)
	}
	return s
}

// sendAll offers every event to a notifier and closes it (flushing).
func sendAll(t *testing.T, opts Options) {
	t.Helper()
	n := New(opts)
	ctxEvs, cases := everyEvent()
	for _, ev := range ctxEvs {
		n.Offer(ev)
	}
	for _, c := range cases {
		n.Offer(c.ev)
	}
	ctx, cancel := context.WithTimeout(context.Background(), flushBound)
	defer cancel()
	n.Close(ctx)
}

// TestServicesGetEveryEvent: the generic webhook (plain and JSON), ntfy
// and Gotify, pointed at local servers, get one request per message with
// the message's title and text.
func TestServicesGetEveryEvent(t *testing.T) {
	const gotifyToken = "Aabcdefghijklmn"
	recvs := map[string]*receiver{"generic": newReceiver(t), "generic-json": newReceiver(t), "ntfy": newReceiver(t), "gotify": newReceiver(t)}
	urls := map[string]string{
		"generic":      "generic+http://" + recvs["generic"].host() + "/hook",
		"generic-json": "generic+http://" + recvs["generic-json"].host() + "/hook?template=json",
		"ntfy":         "ntfy://" + recvs["ntfy"].host() + "/ovhtui-alerts?scheme=http",
		"gotify":       "gotify://" + recvs["gotify"].host() + "/" + gotifyToken + "?disabletls=yes",
	}
	var chans []Channel
	for _, name := range []string{"generic", "generic-json", "ntfy", "gotify"} {
		chans = append(chans, open(t, urls[name]))
	}
	sendAll(t, fastOptions(chans...))

	ctxEvs, cases := everyEvent()
	d := testDescriber()
	for _, ev := range ctxEvs {
		d.Describe(context.Background(), ev)
	}
	var want []Message
	for _, c := range cases {
		m, _ := d.Describe(context.Background(), c.ev)
		want = append(want, m)
	}
	want = append([]Message{{Title: "Cart ready: " + product + " in fra"}}, want...) // the context CartReady ("all")

	for name, r := range recvs {
		got := r.got()
		if len(got) != len(want) {
			t.Errorf("%s got %d requests, want %d: %+v", name, len(got), len(want), got)
			continue
		}
		for i, g := range got {
			var title, text string
			switch name {
			case "generic":
				if g.Path != "/hook" || g.ContentType != "text/plain" {
					t.Errorf("generic request %+v", g)
				}
				text = g.Body
			case "generic-json":
				var p struct{ Title, Message string }
				if err := json.Unmarshal([]byte(g.Body), &p); err != nil || g.ContentType != "application/json" {
					t.Errorf("generic JSON body %q (%s): %v", g.Body, g.ContentType, err)
				}
				title, text = p.Title, p.Message
			case "ntfy": // the text as body, the title in a header
				if g.Path != "/ovhtui-alerts" || !strings.HasPrefix(g.ContentType, "text/plain") {
					t.Errorf("ntfy request %+v", g)
				}
				title, text = g.Title, g.Body
			case "gotify":
				var p struct{ Title, Message string }
				if err := json.Unmarshal([]byte(g.Body), &p); err != nil {
					t.Errorf("gotify body %q: %v", g.Body, err)
				}
				if g.Path != "/message" || g.Query != "token="+gotifyToken {
					t.Errorf("gotify request %+v", g)
				}
				title, text = p.Title, p.Message
			}
			if want[i].Text != "" && text != want[i].Text {
				t.Errorf("%s message %d text %q, want %q", name, i, text, want[i].Text)
			}
			if name != "generic" && title != want[i].Title {
				t.Errorf("%s message %d title %q, want %q", name, i, title, want[i].Title)
			}
		}
	}
}

// logBuffer is a concurrency-safe slog sink.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestFailingReceiverRetriedThenDroppedWithOneLogLine: a receiver answering
// 500 gets each message Attempts times; the drops are logged once for the
// channel and cause, without the URL's secret.
func TestFailingReceiverRetriedThenDroppedWithOneLogLine(t *testing.T) {
	r := newReceiver(t)
	r.status = 500
	const token = "tok3nSECRETvalue"
	var logs logBuffer
	opts := fastOptions(open(t, "generic+http://"+r.host()+"/hooks/"+token))
	opts.Events = mustSet("order_placed checkout_refused")
	opts.Log = slog.New(slog.NewTextHandler(&logs, nil))
	sendAll(t, opts)
	if n := len(r.got()); n != 2*3 {
		t.Errorf("receiver got %d requests, want 2 messages × 3 attempts", n)
	}
	out := logs.String()
	if c := strings.Count(out, "message dropped after retries"); c != 1 {
		t.Errorf("%d drop lines, want 1:\n%s", c, out)
	}
	if !strings.Contains(out, "500") || strings.Contains(out, token) || !strings.Contains(out, "generic+http://"+r.host()+"/…") {
		t.Errorf("drop line lacks the cause or the redacted channel, or shows the token:\n%s", out)
	}
}

// blockingSender hangs until released; it records every call.
type blockingSender struct {
	started chan string
	release chan struct{}
}

func (b *blockingSender) Send(title, text string) error {
	b.started <- title
	<-b.release
	return nil
}

// TestHangingReceiverNeverBlocksOffer: while a send hangs, Offer returns at
// once for far more events than the queues hold, and Close gives up at its
// deadline, logging what it dropped.
func TestHangingReceiverNeverBlocksOffer(t *testing.T) {
	bs := &blockingSender{started: make(chan string, 100), release: make(chan struct{})}
	defer close(bs.release)
	var logs logBuffer
	opts := fastOptions(NewChannel("hang://x", bs))
	opts.Log = slog.New(slog.NewTextHandler(&logs, nil))
	opts.QueueSize = 8
	n := New(opts)
	n.Offer(order.CredentialsRefused{Call: "a", Status: 403})
	<-bs.started // the send hangs now
	for i := range 10_000 {
		n.Offer(order.OrderPlaced{Base: base("fra"), OrderID: int64(i)})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the deadline has passed
	n.Close(ctx)
	out := logs.String()
	if !strings.Contains(out, "queue full") || !strings.Contains(out, "not sent before exit") {
		t.Errorf("logs lack the drops:\n%s", out)
	}
}

// TestTimedOutSendHoldsOneGoroutine: after a send times out, the next
// attempts fail at once while it still hangs (no pile of goroutines), and
// the channel works again once it returns.
func TestTimedOutSendHoldsOneGoroutine(t *testing.T) {
	bs := &blockingSender{started: make(chan string, 100), release: make(chan struct{})}
	w := &worker{ch: NewChannel("hang://x", bs), opts: &Options{SendTimeout: time.Millisecond}}
	if err := w.send("a", ""); err == nil || !strings.Contains(err.Error(), "no answer within") {
		t.Fatalf("first send: %v", err)
	}
	<-bs.started
	for range 5 {
		if err := w.send("b", ""); !errors.Is(err, errHanging) {
			t.Fatalf("send while hanging: %v", err)
		}
	}
	close(bs.release)
	<-w.stuck
	w.opts.SendTimeout = time.Minute
	if err := w.send("c", ""); err != nil {
		t.Fatalf("send after the hang ended: %v", err)
	}
	if len(bs.started) != 1 { // "c" only: "b" never reached the sender
		t.Errorf("sender called %d more times, want 1", len(bs.started))
	}
}

// recordingSender records messages; its first call blocks until released.
type recordingSender struct {
	mu     sync.Mutex
	titles []string
	gate   chan struct{}
	first  chan struct{}
	once   sync.Once
}

func (r *recordingSender) Send(title, text string) error {
	r.once.Do(func() { close(r.first); <-r.gate })
	r.mu.Lock()
	defer r.mu.Unlock()
	r.titles = append(r.titles, title)
	return nil
}

// TestRepeatsCollapse: the same alert repeated while the channel holds it
// (rate limit) goes out once, saying ×N; other messages are not held.
func TestRepeatsCollapse(t *testing.T) {
	rs := &recordingSender{gate: make(chan struct{}), first: make(chan struct{})}
	opts := fastOptions(NewChannel("rec://x", rs))
	opts.RepeatQuiet = time.Hour
	n := New(opts)
	refused := order.CredentialsRefused{Call: "POST /order/cart/{id}/assign", Status: 403, Err: "not granted"}
	n.Offer(refused)
	<-rs.first // being sent: what follows queues behind it
	for range 5 {
		n.Offer(refused)
	}
	n.Offer(order.OrderPlaced{Base: base("fra"), OrderID: 42})
	close(rs.gate)
	ctx, cancel := context.WithTimeout(context.Background(), flushBound)
	defer cancel()
	n.Close(ctx) // at exit, held repeats go out at once
	want := []string{"OVH refused ovhtui's API keys", "Order placed: " + product + " in fra", "OVH refused ovhtui's API keys (×5)"}
	if strings.Join(rs.titles, "|") != strings.Join(want, "|") {
		t.Errorf("sent %q, want %q", rs.titles, want)
	}
}

func TestNotifyTestReportsEachChannel(t *testing.T) {
	ok := newReceiver(t)
	bad := newReceiver(t)
	bad.status = 500
	chans := []Channel{open(t, "generic+http://"+ok.host()+"/hook"), open(t, "generic+http://"+bad.host()+"/hook")}
	res := Test(chans, time.Minute, "hello") // both receivers answer: a bound, not a measure
	if len(res) != 2 || res[0].Err != nil || res[1].Err == nil || !strings.Contains(res[1].Err.Error(), "500") {
		t.Fatalf("results %+v", res)
	}
	if got := ok.got(); len(got) != 1 || got[0].Body != "hello" {
		t.Errorf("receiver got %+v", got)
	}
}

func TestOpenRejectsUnknownServiceWithoutSecret(t *testing.T) {
	_, err := Open("nosuchservice://s3cr3tTOKEN@host")
	if err == nil || strings.Contains(err.Error(), "s3cr3tTOKEN") || !strings.Contains(err.Error(), "nosuchservice://***@host") {
		t.Fatalf("Open error %v", err)
	}
}

// TestOpenSaysWhyAServiceCannotBeSetUp: a service URL shoutrrr refuses is
// said with the cause ("topic is required"), not a bare "failed to
// initialize service", and never with its secrets (issue 21.6).
func TestOpenSaysWhyAServiceCannotBeSetUp(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"ntfy://ntfy.sh/", "notify ntfy://ntfy.sh: ntfy: failed to initialize service: topic is required"},
		{"ntfy://ntfy.sh/topic?priority=99", `setting query parameter "priority" to "99": not a valid enum value`},
		{"telegram://s3cr3tTOKENabc@telegram?chats=x", "notify telegram://***@telegram/…: telegram: failed to initialize service: invalid telegram token: ***"},
		{"discord://s3cr3tTOKENabc@", "discord: failed to initialize service: setting config URL: webhook ID missing from config URL"},
	} {
		_, err := Open(tc.url)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cr3tTOKEN") {
			t.Errorf("Open(%s): %v\nwant %q", Redact(tc.url), err, tc.want)
		}
	}
	// A custom URL still works, and a valid one opens.
	for _, u := range []string{"generic+https://example.com/hook", "ntfy://ntfy.sh/topic", "telegram://1234:abc@telegram?chats=x"} {
		if _, err := Open(u); err != nil {
			t.Errorf("Open(%s): %v", Redact(u), err)
		}
	}
}
