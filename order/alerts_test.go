package order

import (
	"context"
	"errors"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/ovh/go-ovh/ovh"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/ovhapi"
	"github.com/ovhtui/ovhtui/prefs"
)

// bareEngine is an engine that is never Run: tests call its watches
// directly, then drain closes and collects its events.
func bareEngine(t *testing.T, cfg Config) *Engine {
	t.Helper()
	if cfg.Store == nil {
		path := t.TempDir() + "/preferences.json"
		if err := os.WriteFile(path, prefsJSON(t, entry()), 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := prefs.Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		cfg.Store = st
	}
	return New(cfg)
}

// drain closes the engine's queue and returns every event it held.
func drain(e *Engine) []Event {
	e.events.close()
	var out []Event
	for ev := range e.Events() {
		out = append(out, ev)
	}
	return out
}

func only[T Event](evs []Event) []T {
	var out []T
	for _, ev := range evs {
		if x, ok := ev.(T); ok {
			out = append(out, x)
		}
	}
	return out
}

func TestCredentialExpiryFromSimulator(t *testing.T) {
	clock := newFakeClock()
	for _, tc := range []struct {
		name string
		opts ovhsim.Options
		warn bool
	}{
		{"expires in 2 days", ovhsim.Options{Now: clock.Now, CredentialExpiration: clock.Now().Add(48 * time.Hour)}, true},
		{"expires in 71 hours", ovhsim.Options{Now: clock.Now, CredentialExpiration: clock.Now().Add(71 * time.Hour)}, true},
		{"expires in 4 days", ovhsim.Options{Now: clock.Now, CredentialExpiration: clock.Now().Add(96 * time.Hour)}, false},
		{"default (29 days)", ovhsim.Options{Now: clock.Now}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newSim(t, tc.opts)
			api := env.client(t)
			e := bareEngine(t, Config{API: api, Now: clock.Now, CredentialExpiry: api.CredentialExpiry})
			e.checkCredentialExpiry(context.Background())
			got := only[CredentialExpiring](drain(e))
			if tc.warn != (len(got) == 1) {
				t.Fatalf("CredentialExpiring events %v, want warning %v", got, tc.warn)
			}
			if tc.warn && !got[0].Expires.Equal(tc.opts.CredentialExpiration) {
				t.Errorf("expires %s, want %s", got[0].Expires, tc.opts.CredentialExpiration)
			}
			if len(env.requests("GET", "/auth/currentCredential")) != 1 {
				t.Errorf("want one GET /auth/currentCredential")
			}
		})
	}
}

func TestCredentialWithoutExpirationIsFine(t *testing.T) {
	env := newSim(t, ovhsim.Options{ExtraCredentials: []ovhsim.Credential{{AppKey: "k2", AppSecret: "s2", ConsumerKey: "ck2", NoExpiration: true}}})
	cl, err := ovh.NewClient(env.srv.URL+"/1.0", "k2", "s2", "ck2")
	if err != nil {
		t.Fatal(err)
	}
	api := ovhapi.NewOVHClient(cl, ovhapi.ClientOptions{})
	c, err := api.CurrentCredential(context.Background())
	if err != nil || c.Expiration != nil {
		t.Fatalf("credential %+v, %v: want a null expiration", c, err)
	}
	e := bareEngine(t, Config{API: api, CredentialExpiry: api.CredentialExpiry})
	e.checkCredentialExpiry(context.Background())
	if got := drain(e); len(got) != 0 {
		t.Fatalf("events %v, want none", got)
	}
}

// TestRefusedSignedCallReported: a consumer key OVH does not know gets 403
// on a signed call; the hook reports it, and the engine says it once.
func TestRefusedSignedCallReported(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	cl, err := ovh.NewClient(env.srv.URL+"/1.0", "sim-app-key", "sim-app-secret", "not-a-valid-consumer-key")
	if err != nil {
		t.Fatal(err)
	}
	clock := newFakeClock()
	var e *Engine
	api := ovhapi.NewOVHClient(cl, ovhapi.ClientOptions{OnRefused: func(call string, status int, msg string) { e.CredentialsRefused(call, status, msg) }})
	e = bareEngine(t, Config{API: api, Now: clock.Now})
	for range 3 {
		if err := api.AssignCart(context.Background(), "whatever"); !isStatus(err, http.StatusForbidden) {
			t.Fatalf("assign: %v, want 403", err)
		}
	}
	// An unsigned call refused is not about credentials.
	if _, err := api.GetCart(context.Background(), "nope"); err == nil {
		t.Fatal("GetCart of an unknown cart succeeded")
	}
	clock.Advance(refusedRepeat)
	_ = api.AssignCart(context.Background(), "whatever")
	got := only[CredentialsRefused](drain(e))
	if len(got) != 2 {
		t.Fatalf("CredentialsRefused events %v, want 2 (once, then again after an hour)", got)
	}
	if got[0].Status != 403 || got[0].Call != "POST /order/cart/{id}/assign" || got[0].Err == "" {
		t.Errorf("event %+v", got[0])
	}
}

func TestCartsFailingAfterTenMinutes(t *testing.T) {
	clock := newFakeClock()
	e := bareEngine(t, Config{Now: clock.Now}) // never Run: no API needed
	k := CartKey{Entry: "p|f|fra", DC: "fra"}
	boom := errors.New("POST /order/cart: 500")
	e.noteCartFailure(k, boom)
	clock.Advance(9 * time.Minute)
	e.noteCartFailure(k, boom) // 9 min: quiet
	clock.Advance(time.Minute)
	e.noteCartFailure(k, boom) // 10 min: said
	clock.Advance(time.Minute)
	e.noteCartFailure(k, boom) // said once only
	e.noteCartOK(k)
	clock.Advance(time.Minute)
	e.noteCartFailure(k, boom) // a new run starts
	clock.Advance(5 * time.Minute)
	e.noteCartFailure(k, boom)
	got := only[CartsFailing](drain(e))
	if len(got) != 1 {
		t.Fatalf("CartsFailing events %v, want 1", got)
	}
	if got[0].Time.Sub(got[0].Since) != CartsFailingAfter || got[0].DC != "fra" || got[0].Err != boom.Error() {
		t.Errorf("event %+v (%s)", got[0], got[0].Message())
	}
}

func TestStoppingWithEntriesStillWanted(t *testing.T) {
	env := newSim(t, ovhsim.Options{})
	h := startEngine(t, env, "", prefsJSON(t, entry(), entry(func(m map[string]any) { m["qty"] = 0; m["fqn"] = simFQN + "x" })))
	h.waitPolls(1)
	h.stop()
	got := only[StoppingWanted](h.evs)
	if len(got) != 1 || len(got[0].Entries) != 1 || got[0].Entries[0] != h.file().Servers[0].Key() {
		t.Fatalf("StoppingWanted events %+v, want one naming the wanted entry", got)
	}
}

// isStatus reports an OVH answer with the given HTTP status.
func isStatus(err error, status int) bool {
	var ce *ovhapi.CallError
	return errors.As(err, &ce) && !ce.Malformed && ce.Status == status
}
