package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/prefs"
)

// hookToken is a secret in the webhook's path: it must reach no log.
const hookToken = "Zt0kenSECRET99"

// webhook is a local receiver of generic+http JSON messages.
type webhook struct {
	srv  *httptest.Server
	mu   sync.Mutex
	msgs []struct{ Title, Message string }
}

func newWebhook(t *testing.T) *webhook {
	w := &webhook{}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var m struct{ Title, Message string }
		b, _ := io.ReadAll(r.Body)
		if r.URL.Path != "/hook/"+hookToken || json.Unmarshal(b, &m) != nil {
			t.Errorf("webhook got %s %s %q", r.Method, r.URL.Path, b)
		}
		w.mu.Lock()
		w.msgs = append(w.msgs, m)
		w.mu.Unlock()
	}))
	t.Cleanup(w.srv.Close)
	return w
}

func (w *webhook) url() string {
	return "generic+" + w.srv.URL + "/hook/" + hookToken + "?template=json"
}

// simForHeadless serves a simulator where the kill-test entry is
// unavailable until the test says otherwise.
func simForHeadless(t testing.TB) (endpoint string, sim *ovhsim.Sim) {
	t.Helper()
	sim, err := ovhsim.New(ovhsim.DefaultCatalog(), ovhsim.Options{NoPadding: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, dc := range []string{"fra", "gra"} {
		sim.SetAvailability(killTestFQN, dc, "unavailable")
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return srv.URL + "/1.0", sim
}

func headlessEnv(t *testing.T, endpoint, notifyURL string) (*testEnv, string) {
	t.Helper()
	e := isolateEnv(t)
	e.setenv("OVH_ENDPOINT", endpoint)
	e.setenv("OVH_APPLICATION_KEY", "sim-app-key")
	e.setenv("OVH_APPLICATION_SECRET", "sim-app-secret")
	e.setenv("OVH_CONSUMER_KEY", "sim-consumer-key")
	e.setenv("OVHTUI_NOTIFY", notifyURL)
	// Under -race on a loaded machine the catalog that names the product
	// can take more than the default 5 s to download and parse, and the
	// flush at exit more than 5 s: both only bound a failure here.
	e.tweak = func(a *app) { a.notifyCatalogWait, a.notifyFlushTimeout = 2*time.Minute, 2*time.Minute }
	return e, writeFile(t, "preferences.json", killTestPrefs)
}

// TestHeadlessNotifiesOrderPlaced: ovhtui --headless with OVHTUI_NOTIFY
// delivers "order placed" with the order id to a local webhook, and no
// secret (consumer key, webhook token, order password) reaches the log
// or the message.
func TestHeadlessNotifiesOrderPlaced(t *testing.T) {
	t.Parallel()
	endpoint, sim := simForHeadless(t)
	sim.SetAvailability(killTestFQN, "fra", "1H-high")
	hook := newWebhook(t)
	e, p := headlessEnv(t, endpoint, hook.url())
	code, out, errOut := e.run("--headless", "--poll", "1s", "--prefs", p, "--env", filepath.Join(t.TempDir(), "none.env"))
	if code != exitOK {
		t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	f, err := prefs.Load(p)
	if err != nil || f.Servers[0].OrderID == 0 {
		t.Fatalf("no order recorded (%v); stdout:\n%s", err, out)
	}
	id := strconv.FormatInt(f.Servers[0].OrderID, 10)
	var placed []string
	all := out + errOut
	for _, m := range hook.msgs { // run returned after flushing the notifier
		all += m.Title + m.Message
		if strings.HasPrefix(m.Title, "Order placed") {
			placed = append(placed, m.Message)
			if m.Title != "Order placed: KS-LE-B 32g/2x450nvme in fra" { // the product as users know it
				t.Errorf("title %q", m.Title)
			}
		}
	}
	if len(placed) != 1 || !strings.Contains(placed[0], "Order "+id) || !strings.Contains(placed[0], "fra") || !strings.Contains(placed[0], "19.98 EUR excl. tax (") {
		t.Fatalf("order placed messages %q, want one naming order %s", placed, id)
	}
	// The total with tax is OVH's record of the order (GET /me/order/{id}).
	if !strings.Contains(placed[0], " EUR incl. tax)") {
		t.Errorf("order placed message %q lacks the total incl. tax", placed[0])
	}
	for _, secret := range []string{hookToken, "sim-app-secret", "sim-consumer-key", "orderPassword"} {
		if strings.Contains(all, secret) {
			t.Errorf("%q appears in the logs or a message:\n%s", secret, all)
		}
	}
	if !strings.Contains(out, "generic+http://"+strings.TrimPrefix(hook.srv.URL, "http://")+"/…") {
		t.Errorf("the log does not name the channel redacted:\n%s", out)
	}
}

// TestHangingReceiverDoesNotHoldTheCheckout: the webhook takes the first
// message (a cart ready, with OVHTUI_NOTIFY_EVENTS=all) and never answers;
// the server becomes available only then, and is ordered all the same.
// At exit the undelivered messages are dropped with one log line.
func TestHangingReceiverDoesNotHoldTheCheckout(t *testing.T) {
	t.Parallel()
	endpoint, sim := simForHeadless(t)
	hung := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		once.Do(func() { close(hung) })
		<-release
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	go func() {
		<-hung
		sim.SetAvailability(killTestFQN, "fra", "1H-high")
	}()
	e, p := headlessEnv(t, endpoint, "generic+"+srv.URL+"/hook")
	e.setenv("OVHTUI_NOTIFY_EVENTS", "all")
	// The receiver never answers: do not wait for it.
	e.tweak = func(a *app) { a.notifyFlushTimeout = 100 * time.Millisecond }

	code, out, errOut := e.run("--headless", "--poll", "1s", "--prefs", p, "--env", filepath.Join(t.TempDir(), "none.env"))
	if code != exitOK {
		t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	select {
	case <-hung:
	default:
		t.Fatal("the receiver never got a message")
	}
	f, err := prefs.Load(p)
	if err != nil || f.Servers[0].OrderID == 0 {
		t.Fatalf("no order while the receiver hung (%v); stdout:\n%s", err, out)
	}
	if n := strings.Count(out, "not sent before exit"); n != 1 {
		t.Errorf("%d lines about undelivered messages, want 1:\n%s", n, out)
	}
}

// TestNotifyTestCommand: --notify-test prints one result per channel and
// exits 1 when one failed; the URLs' secrets are not shown.
func TestNotifyTestCommand(t *testing.T) {
	t.Parallel()
	hook := newWebhook(t)
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }))
	t.Cleanup(bad.Close)
	e := isolateEnv(t)
	env := writeFile(t, ".env", "OVHTUI_NOTIFY="+hook.url()+" generic+"+bad.URL+"/x/"+hookToken+"\n")
	code, out, errOut := e.run("--notify-test", "--env", env)
	if code != exitProblems {
		t.Fatalf("exit %d, want 1; stdout %q stderr %q", code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ok ") || !strings.HasPrefix(lines[1], "FAIL ") || !strings.Contains(lines[1], "500") {
		t.Errorf("output %q", out)
	}
	if strings.Contains(out+errOut, hookToken) {
		t.Errorf("output shows the token: %q", out+errOut)
	}
	if len(hook.msgs) != 1 || !strings.Contains(hook.msgs[0].Message, "Test message from ovhtui") {
		t.Errorf("webhook got %+v", hook.msgs)
	}

	if code, _, errOut := e.run("--notify-test", "--env", filepath.Join(t.TempDir(), "none.env")); code != exitUsage || !strings.Contains(errOut, "OVHTUI_NOTIFY is not set") {
		t.Errorf("without OVHTUI_NOTIFY: exit %d, %q", code, errOut)
	}
}
