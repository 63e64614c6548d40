package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/prefs"
)

// TestMain isolates the whole test process once: no OVH_* variable of the
// machine, and a working folder and HOME of its own (no ./ovh.conf, .env,
// ~/.ovh.conf or catalog cache of the user's reaches go-ovh or a default
// path). Each test then runs ovhtui with an environment of its own
// (testEnv), which is what lets the tests run in parallel.
func TestMain(m *testing.M) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "OVH_") || strings.HasPrefix(k, "OVHTUI_NOTIFY") {
			os.Unsetenv(k)
		}
	}
	// The go command (tests build the binary) keeps its caches and its
	// settings where HOME says: pin them before HOME changes.
	if home, err := os.UserHomeDir(); err == nil && os.Getenv("GOPATH") == "" {
		os.Setenv("GOPATH", filepath.Join(home, "go"))
	}
	if cache, err := os.UserCacheDir(); err == nil && os.Getenv("GOCACHE") == "" {
		os.Setenv("GOCACHE", filepath.Join(cache, "go-build"))
	}
	if conf, err := os.UserConfigDir(); err == nil && os.Getenv("GOENV") == "" {
		os.Setenv("GOENV", filepath.Join(conf, "go", "env"))
	}
	dir, err := os.MkdirTemp("", "ovhtui-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("HOME", dir)
	os.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	if err := os.Chdir(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// guardBound bounds every wait of these tests for something that happens
// when all goes well (a child's output, its exit, a catalog download): a
// guard against a hang, never a measure. Generous: CI's machine may be far
// slower than ours under -race, and the package's tests run in parallel.
const guardBound = 3 * time.Minute

// testEnv is the environment and stdin of the runs of one test.
type testEnv struct {
	t     *testing.T
	vars  map[string]string
	stdin string // what confirmations read
	// tweak, when set, changes the app of each run before it runs.
	tweak func(*app)
}

// isolateEnv is a fresh environment: a HOME and catalog cache of the
// test's own, and an OVH endpoint on a closed loopback port (never the
// real OVH API: --check downloads the catalog from the endpoint).
func isolateEnv(t *testing.T) *testEnv {
	t.Helper()
	home := t.TempDir()
	return &testEnv{t: t, vars: map[string]string{
		"HOME":           home,
		"XDG_CACHE_HOME": filepath.Join(home, "cache"),
		"OVH_ENDPOINT":   "http://127.0.0.1:9/1.0",
	}}
}

// setenv sets a variable of the environment.
func (e *testEnv) setenv(k, v string) { e.vars[k] = v }

// unsetenv removes a variable of the environment.
func (e *testEnv) unsetenv(k string) { delete(e.vars, k) }

// process is a run of ovhtui with args in this environment.
func (e *testEnv) process(args []string, stdout, stderr io.Writer) Process {
	env := make([]string, 0, len(e.vars))
	for k, v := range e.vars {
		env = append(env, k+"="+v)
	}
	return Process{Args: args, Environ: env, Stdin: strings.NewReader(e.stdin), Stdout: stdout, Stderr: stderr, Version: "test"}
}

// app is an app of this environment, for tests of its parts.
func (e *testEnv) app() *app { return newApp(e.process(nil, io.Discard, io.Discard)) }

// run runs ovhtui with args and returns its exit code, stdout and stderr.
func (e *testEnv) run(args ...string) (int, string, string) {
	e.t.Helper()
	var out, errb bytes.Buffer
	a := newApp(e.process(args, &out, &errb))
	// The simulators the tests serve answer: the bound of the catalog's
	// download is a guard, which a loaded machine must not reach.
	a.checkCatalogFetch = guardBound
	if e.tweak != nil {
		e.tweak(a)
	}
	code := a.run(context.Background(), args)
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
	t.Parallel()
	e := isolateEnv(t)
	src, err := os.ReadFile(filepath.Join(repoRoot(t), "prefs", "testdata", "example1.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := writeFile(t, "preferences.json", string(src))
	code, out, errOut := e.run("--check", "--prefs", p)
	if code != exitOK {
		t.Fatalf("exit %d, want 0; stdout %q stderr %q", code, out, errOut)
	}
	if !strings.Contains(out, "ok (1 entries)") {
		t.Errorf("stdout %q does not say ok", out)
	}
}

func TestCheckProblemsExit1(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	p := writeFile(t, "preferences.json", `{"subsidiary": "ie", "user_servers": [{"planCode": "", "fqn": "x", "qty": 1, "datacenters": [], "labels": {}}]}`)
	code, out, _ := e.run("--check", "--prefs", p)
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
	t.Parallel()
	e := isolateEnv(t)
	content := "{\n  \"subsidiary\": \"IE\",\n  \"user_servers\": [\n    {\"planCode\": }\n  ]\n}\n"
	p := writeFile(t, "preferences.json", content)
	code, out, errOut := e.run("--check", "--prefs", p)
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
	t.Parallel()
	e := isolateEnv(t)
	code, _, errOut := e.run("--check", "--prefs", filepath.Join(t.TempDir(), "nope.json"))
	if code != exitUsage {
		t.Fatalf("exit %d, want 2 (%s)", code, errOut)
	}
}

func TestFlags(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
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
		if code, _, _ := e.run(tc.args...); code != tc.code {
			t.Errorf("ovhtui %v: exit %d, want %d", tc.args, code, tc.code)
		}
	}
}

func TestEnvFileDoesNotOverrideAndWarnsOnMode(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	p := writeFile(t, ".env", "OVH_ENDPOINT=ovh-ca\nOVH_APPLICATION_KEY=from-file\n")
	if err := os.Chmod(p, 0o644); err != nil {
		t.Fatal(err)
	}
	e.setenv("OVH_ENDPOINT", "ovh-eu")
	a := e.app()
	w, err := loadEnvFile(a.env, p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w, "readable by group or others") {
		t.Errorf("no warning for mode 0644: %q", w)
	}
	if got := a.env.get("OVH_ENDPOINT"); got != "ovh-eu" {
		t.Errorf("OVH_ENDPOINT = %q, the file overrode the environment", got)
	}
	if got := a.env.get("OVH_APPLICATION_KEY"); got != "from-file" {
		t.Errorf("OVH_APPLICATION_KEY = %q, not loaded from the file", got)
	}
	if _, set := os.LookupEnv("OVH_APPLICATION_KEY"); set {
		t.Errorf("the file was loaded into the process environment")
	}
	if w, _ := loadEnvFile(a.env, filepath.Join(t.TempDir(), "missing.env")); w != "" {
		t.Errorf("missing file warned: %q", w)
	}
}

func TestSecretsRedacted(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	e.setenv("OVH_APPLICATION_SECRET", "s3cr3t-application-secret")
	e.setenv("OVH_CONSUMER_KEY", "c0nsumer-key-value")
	a := e.app()
	a.secrets.collect(a.env)
	var buf bytes.Buffer
	log := a.newLogger(&buf, "text", 0)
	log.Error("call failed", "err", "sig with s3cr3t-application-secret and c0nsumer-key-value")
	if strings.Contains(buf.String(), "s3cr3t") || strings.Contains(buf.String(), "c0nsumer") {
		t.Errorf("secret leaked into the log: %s", buf.String())
	}
	if !strings.Contains(buf.String(), "[redacted]") {
		t.Errorf("no redaction marker: %s", buf.String())
	}
}

func TestMissingRights(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	e := isolateEnv(t)
	e.setenv("OVH_ENDPOINT", "http://127.0.0.1:9/1.0") // never reached: the lock fails first
	e.setenv("OVH_APPLICATION_KEY", "k")
	e.setenv("OVH_APPLICATION_SECRET", "s")
	e.setenv("OVH_CONSUMER_KEY", "c")
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
	code, _, errOut := e.run("--headless", "--prefs", p)
	if code != exitProblems {
		t.Fatalf("exit %d, want 1; stderr %q", code, errOut)
	}
	if !strings.Contains(errOut, fmt.Sprintf("PID %d", os.Getpid())) {
		t.Errorf("stderr %q does not name the PID holding the lock", errOut)
	}
}
