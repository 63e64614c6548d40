package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ovhtui/ovhtui/prefs"
)

// isolateEnv clears OVH_* variables for the test and restores them after.
func isolateEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "OVH_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Chdir(t.TempDir()) // no ./ovh.conf or ./.env from the repo
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // no catalog cache of the user's
	// Never the real OVH API: --check downloads the catalog from the
	// endpoint. A closed loopback port unless the test sets its own.
	t.Setenv("OVH_ENDPOINT", "http://127.0.0.1:9/1.0")
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCheckValidExample(t *testing.T) {
	isolateEnv(t)
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "prefs", "testdata", "example1.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, "preferences.json", string(src))
	code, out, errOut := runCLI(t, "--check", "--prefs", p)
	if code != exitOK {
		t.Fatalf("exit %d, want 0; stdout %q stderr %q", code, out, errOut)
	}
	if !strings.Contains(out, "ok (1 entries)") {
		t.Errorf("stdout %q does not say ok", out)
	}
}

func TestCheckProblemsExit1(t *testing.T) {
	isolateEnv(t)
	p := writeFile(t, "preferences.json", `{"subsidiary": "ie", "user_servers": [{"planCode": "", "fqn": "x", "qty": 1, "datacenters": [], "labels": {}}]}`)
	code, out, _ := runCLI(t, "--check", "--prefs", p)
	if code != exitProblems {
		t.Fatalf("exit %d, want 1; stdout %q", code, out)
	}
	for _, want := range []string{"subsidiary:", "user_servers[0].planCode:", "user_servers[0].datacenters:", "user_servers[0].labels.dedicated_os:"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}

func TestCheckMalformedJSONExit2AndUntouched(t *testing.T) {
	isolateEnv(t)
	content := "{\n  \"subsidiary\": \"IE\",\n  \"user_servers\": [\n    {\"planCode\": }\n  ]\n}\n"
	p := writeFile(t, "preferences.json", content)
	code, out, errOut := runCLI(t, "--check", "--prefs", p)
	if code != exitUsage {
		t.Fatalf("exit %d, want 2; stdout %q stderr %q", code, out, errOut)
	}
	if !strings.Contains(errOut, p+":4:") {
		t.Errorf("stderr %q does not give file:line:column", errOut)
	}
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != content {
		t.Errorf("malformed file changed:\n%s", got)
	}
}

func TestCheckMissingFileExit2(t *testing.T) {
	isolateEnv(t)
	code, _, errOut := runCLI(t, "--check", "--prefs", filepath.Join(t.TempDir(), "nope.json"))
	if code != exitUsage {
		t.Fatalf("exit %d, want 2 (%s)", code, errOut)
	}
}

func TestFlags(t *testing.T) {
	isolateEnv(t)
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"--help"}, exitOK},
		{[]string{"--version"}, exitOK},
		{[]string{"--poll", "500ms"}, exitUsage},
		{[]string{"--poll", "nonsense"}, exitUsage},
		{[]string{"--no-such-flag"}, exitUsage},
		{[]string{"extra"}, exitUsage},
		{[]string{"--log-format", "xml"}, exitUsage},
		{[]string{"--check", "--demo"}, exitUsage},
	} {
		if code, _, _ := runCLI(t, tc.args...); code != tc.code {
			t.Errorf("ovhtui %v: exit %d, want %d", tc.args, code, tc.code)
		}
	}
}

func TestEnvFileDoesNotOverrideAndWarnsOnMode(t *testing.T) {
	isolateEnv(t)
	p := writeFile(t, ".env", "OVH_ENDPOINT=ovh-ca\nOVH_APPLICATION_KEY=from-file\n")
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OVH_ENDPOINT", "ovh-eu")
	w, err := loadEnvFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w, "readable by group or others") {
		t.Errorf("no warning for mode 0644: %q", w)
	}
	if got := os.Getenv("OVH_ENDPOINT"); got != "ovh-eu" {
		t.Errorf("OVH_ENDPOINT = %q, the file overrode the environment", got)
	}
	if got := os.Getenv("OVH_APPLICATION_KEY"); got != "from-file" {
		t.Errorf("OVH_APPLICATION_KEY = %q, not loaded from the file", got)
	}
	if w, _ := loadEnvFile(filepath.Join(t.TempDir(), "missing.env")); w != "" {
		t.Errorf("missing file warned: %q", w)
	}
}

func TestSecretsRedacted(t *testing.T) {
	isolateEnv(t)
	t.Setenv("OVH_APPLICATION_SECRET", "s3cr3t-application-secret")
	t.Setenv("OVH_CONSUMER_KEY", "c0nsumer-key-value")
	collectSecrets()
	t.Cleanup(func() { os.Unsetenv("OVH_APPLICATION_SECRET"); os.Unsetenv("OVH_CONSUMER_KEY"); collectSecrets() })
	var buf bytes.Buffer
	log := newLogger(&buf, "text", 0)
	log.Error("call failed", "err", "sig with s3cr3t-application-secret and c0nsumer-key-value")
	if strings.Contains(buf.String(), "s3cr3t") || strings.Contains(buf.String(), "c0nsumer") {
		t.Errorf("secret leaked into the log: %s", buf.String())
	}
	if !strings.Contains(buf.String(), "[redacted]") {
		t.Errorf("no redaction marker: %s", buf.String())
	}
}

func TestMissingRights(t *testing.T) {
	full := []credentialRule{{"GET", "/*"}, {"POST", "/*"}, {"PUT", "/*"}, {"DELETE", "/*"}}
	if m := missingRights(full); len(m) != 0 {
		t.Errorf("full access lacks %v", m)
	}
	min := []credentialRule{
		{"POST", "/order/cart"}, {"GET", "/order/cart"}, {"GET", "/order/cart/*"}, {"POST", "/order/cart/*"},
		{"DELETE", "/order/cart/*"}, {"GET", "/me"}, {"GET", "/me/order"}, {"GET", "/me/order/*"},
	}
	m := missingRights(min)
	if len(m) == 0 || m[0].Path != "/me/order/*" || m[0].Method != "POST" {
		t.Errorf("minimum rules: missing %v, want the optional POST /me/order/* first", m)
	}
	for _, r := range m {
		if !r.optional {
			t.Errorf("minimum rules: missing the required %v", r)
		}
	}
	// /order/cart/* does not cover /order/cart.
	m = missingRights([]credentialRule{{"POST", "/order/cart/*"}})
	found := false
	for _, r := range m {
		if r.Method == "POST" && r.Path == "/order/cart" {
			found = true
		}
	}
	if !found {
		t.Errorf("POST /order/cart/* was taken to cover POST /order/cart")
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	return rootDir
}

func TestSecondInstanceExits1NamingThePID(t *testing.T) {
	isolateEnv(t)
	t.Setenv("OVH_ENDPOINT", "http://127.0.0.1:9/1.0") // never reached: the lock fails first
	t.Setenv("OVH_APPLICATION_KEY", "k")
	t.Setenv("OVH_APPLICATION_SECRET", "s")
	t.Setenv("OVH_CONSUMER_KEY", "c")
	src, err := os.ReadFile(filepath.Join(rootDir, "prefs", "testdata", "example1.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, "preferences.json", string(src))
	first, err := prefs.Open(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	code, _, errOut := runCLI(t, "--headless", "--prefs", p)
	if code != exitProblems {
		t.Fatalf("exit %d, want 1; stderr %q", code, errOut)
	}
	if !strings.Contains(errOut, fmt.Sprintf("PID %d", os.Getpid())) {
		t.Errorf("stderr %q does not name the PID holding the lock", errOut)
	}
}
