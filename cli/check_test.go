package cli

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ovhtui/ovhtui/order/ovhsim"
)

// simForCheck serves the simulator with the given consumer-key rules.
func simForCheck(t *testing.T, rules []ovhsim.Rule) string {
	t.Helper()
	sim, err := ovhsim.New(ovhsim.DefaultCatalog(), ovhsim.Options{Rules: rules, NoPadding: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return srv.URL + "/1.0"
}

func checkWithCredentials(t *testing.T, endpoint string) (int, string, string) {
	t.Helper()
	return checkExampleWithCredentials(t, endpoint, func(s string) string { return s })
}

// checkExampleWithCredentials runs --check with the simulator's credentials
// on prefs/testdata/example1.json as edit changes it.
func checkExampleWithCredentials(t *testing.T, endpoint string, edit func(string) string) (int, string, string) {
	t.Helper()
	e := isolateEnv(t)
	e.setenv("OVH_ENDPOINT", endpoint)
	e.setenv("OVH_APPLICATION_KEY", "sim-app-key")
	e.setenv("OVH_APPLICATION_SECRET", "sim-app-secret")
	e.setenv("OVH_CONSUMER_KEY", "sim-consumer-key")
	src, err := os.ReadFile(filepath.Join(rootDir, "prefs", "testdata", "example1.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, "preferences.json", edit(string(src)))
	return e.run("--check", "--prefs", p)
}

func TestCheckCredentialsAgainstSimulator(t *testing.T) {
	t.Parallel()
	code, out, errOut := checkWithCredentials(t, simForCheck(t, nil))
	if code != exitOK {
		t.Fatalf("exit %d, want 0; stdout %q stderr %q", code, out, errOut)
	}
	if !strings.Contains(out, "credentials ok") {
		t.Errorf("stdout %q does not confirm the credentials", out)
	}
	for _, secret := range []string{"sim-app-secret", "sim-consumer-key"} {
		if strings.Contains(out+errOut, secret) {
			t.Errorf("output shows the secret %q", secret)
		}
	}
}

func TestCheckListsMissingRights(t *testing.T) {
	t.Parallel()
	rules := []ovhsim.Rule{{Method: "GET", Path: "/*"}} // read-only key
	code, out, errOut := checkWithCredentials(t, simForCheck(t, rules))
	if code != exitProblems {
		t.Fatalf("exit %d, want 1; stdout %q stderr %q", code, out, errOut)
	}
	for _, want := range []string{"lacks POST /order/cart:", "lacks POST /order/cart/*:", "lacks DELETE /order/cart/*:"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "lacks GET") {
		t.Errorf("a GET right is reported missing although GET /* is granted:\n%s", out)
	}
}

func TestCheckWrongSecretIsAnErrorWithoutTheSecret(t *testing.T) {
	t.Parallel()
	endpoint := simForCheck(t, nil)
	e := isolateEnv(t)
	e.setenv("OVH_ENDPOINT", endpoint)
	e.setenv("OVH_APPLICATION_KEY", "sim-app-key")
	e.setenv("OVH_APPLICATION_SECRET", "wrong-secret-value")
	e.setenv("OVH_CONSUMER_KEY", "sim-consumer-key")
	p := writeFile(t, "preferences.json", `{"subsidiary": "IE", "user_servers": []}`)
	code, out, errOut := e.run("--check", "--prefs", p)
	if code != exitProblems {
		t.Fatalf("exit %d, want 1; stdout %q stderr %q", code, out, errOut)
	}
	if !strings.Contains(errOut, "Invalid signature") {
		t.Errorf("stderr %q does not say why", errOut)
	}
	if strings.Contains(out+errOut, "wrong-secret-value") || strings.Contains(out+errOut, "sim-consumer-key") {
		t.Errorf("a secret is shown: %q %q", out, errOut)
	}
}

// TestDemoReadsNoCredentials: whatever the environment and the working
// folder hold, --demo talks to the simulator with its own credentials only.
func TestDemoReadsNoCredentials(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	for k, v := range map[string]string{
		"OVH_ENDPOINT":           "ovh-eu",
		"OVH_APPLICATION_KEY":    "users-real-key",
		"OVH_APPLICATION_SECRET": "users-real-secret",
		"OVH_CONSUMER_KEY":       "users-real-consumer",
		"OVH_CLIENT_ID":          "users-client-id",
		"OVH_CLIENT_SECRET":      "users-client-secret",
	} {
		e.setenv(k, v)
	}
	if err := os.WriteFile(filepath.Join(e.vars["HOME"], ".ovh.conf"), []byte("[default]\nendpoint=ovh-eu\n[ovh-eu]\napplication_key=conf-key\nclient_id=conf-client\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := e.app()
	d, err := a.startDemo(ctx, options{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { os.RemoveAll(d.tmpDir) }()
	defer d.close()
	c := d.client
	if c.AppKey != demoAppKey || c.AppSecret != demoAppSecret || c.ConsumerKey != demoConsumerKey {
		t.Errorf("demo client uses key %q, not the simulator's", c.AppKey)
	}
	if c.ClientID != "" || c.ClientSecret != "" || c.AccessToken != "" {
		t.Errorf("demo client picked up OAuth2 credentials from the environment or ovh.conf")
	}
	if !strings.HasPrefix(c.Endpoint(), "http://127.0.0.1:") {
		t.Errorf("demo endpoint %q is not the loopback simulator", c.Endpoint())
	}
	for _, kv := range a.env.list() {
		if strings.HasPrefix(kv, "OVH_") {
			t.Errorf("demo left %s in the environment", strings.SplitN(kv, "=", 2)[0])
		}
	}
	var now float64
	if err := c.GetUnAuthWithContext(ctx, "/auth/time", &now); err != nil || now == 0 {
		t.Errorf("the simulator does not answer: %v", err)
	}
}
