package notify

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// swallowing is a send that, like shoutrrr's Telegram service, ignores
// what its request through http.DefaultClient came to.
func swallowing(url string) func() error {
	return func() error {
		resp, err := http.DefaultClient.Post(url, "application/json", strings.NewReader(`{}`))
		if err == nil {
			resp.Body.Close()
		}
		return nil
	}
}

// TestOnlyAcknowledgedIsOK: a send whose exchange failed (nothing listens,
// or the service answered 500) is a failure even when the service's Send
// said nil; a 2xx is ok.
func TestOnlyAcknowledgedIsOK(t *testing.T) {
	w := defaultClientWatch()
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true}`)) }))
	defer ok.Close()
	refused := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"ok":false}`, http.StatusInternalServerError)
	}))
	defer refused.Close()
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL
	gone.Close()

	if err := w.watched(swallowing(ok.URL)); err != nil {
		t.Errorf("acknowledged: %v", err)
	}
	if err := w.watched(swallowing(refused.URL)); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("answered 500: %v", err)
	}
	if err := w.watched(swallowing(goneURL)); err == nil || !strings.Contains(err.Error(), "not acknowledged") {
		t.Errorf("nothing listening: %v", err)
	}
	// Outside a watched send, the watch records nothing.
	resp, err := http.DefaultClient.Get(goneURL)
	if err == nil {
		resp.Body.Close()
	}
	if err := w.watched(func() error { return nil }); err != nil {
		t.Errorf("a send without exchanges inherited an old failure: %v", err)
	}
}
