package cli

import (
	"bufio"
	"bytes"
	"errors"
	"maps"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/prefs"
	"github.com/ovhtui/ovhtui/safefile"
	"github.com/ovhtui/ovhtui/shutdown"
)

// TestFlagBounds: --poll is bounded on both sides, --help prints its text
// once on stdout with every exit code, a bad flag or argument is one line
// and a hint to the command's help, never the whole usage.
func TestFlagBounds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args       []string
		code       int
		stdoutHas  string
		stderrHas  string
		stderrNone bool
	}{
		// A valid --poll goes on to the preferences, which are missing.
		{args: []string{"--poll", "1h"}, code: exitUsage, stderrHas: "nope.json"},
		{args: []string{"headless", "--poll", "1s"}, code: exitUsage, stderrHas: "nope.json"},
		{args: []string{"--poll", "61m"}, code: exitUsage, stderrHas: "above the maximum of 1h"},
		{args: []string{"run", "--poll", "100h"}, code: exitUsage, stderrHas: "above the maximum of 1h"},
		{args: []string{"--poll", "2562047h"}, code: exitUsage, stderrHas: "above the maximum of 1h"},
		{args: []string{"--poll", "999ms"}, code: exitUsage, stderrHas: "below the minimum of 1s"},
		{args: []string{"--no-such-flag"}, code: exitUsage, stderrHas: "see `ovhtui --help`"},
		{args: []string{"renew", "--no-such-flag"}, code: exitUsage, stderrHas: "see `ovhtui renew --help`"},
		{args: []string{"renew"}, code: exitUsage, stderrHas: "ovhtui renew: give one SERVER"},
		{args: []string{"pay", "1", "2"}, code: exitUsage, stderrHas: "see `ovhtui pay --help`"},
		{args: []string{"--help"}, code: exitOK, stdoutHas: "Exit codes:", stderrNone: true},
		{args: []string{"-h"}, code: exitOK, stdoutHas: "Exit codes:", stderrNone: true},
		{args: []string{"renew", "--help"}, code: exitOK, stdoutHas: "--period", stderrNone: true},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			e := isolateEnv(t)
			fakeCredentials(e)
			args := tc.args
			if tc.args[0] != "renew" && tc.args[0] != "pay" && !slices.Contains(tc.args, "--help") && !slices.Contains(tc.args, "-h") {
				args = append(slices.Clone(args), "--prefs", filepath.Join(t.TempDir(), "nope.json"))
			}
			code, out, errOut := e.run(args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			if !strings.Contains(out, tc.stdoutHas) || !strings.Contains(errOut, tc.stderrHas) {
				t.Errorf("stdout %q, stderr %q; want %q, %q", out, errOut, tc.stdoutHas, tc.stderrHas)
			}
			if tc.stderrNone && errOut != "" {
				t.Errorf("stderr not empty: %q", errOut)
			}
			if tc.code == exitUsage && strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
				t.Errorf("a usage error takes more than two lines:\n%s", errOut)
			}
			if n := strings.Count(out, "USAGE"); tc.stdoutHas != "" && n != 1 {
				t.Errorf("usage printed %d times", n)
			}
		})
	}
	// --help names every exit code.
	_, out, _ := isolateEnv(t).run("--help")
	for _, code := range []string{"0  ok", "1  problems found", "2  unusable input"} {
		if !strings.Contains(out, code) {
			t.Errorf("--help lacks exit code %q", code)
		}
	}
}

// fakeCredentials points the OVH client at a closed loopback port: the
// tests using it must end before any API call.
func fakeCredentials(e *testEnv) {
	e.setenv("OVH_ENDPOINT", "http://127.0.0.1:9/1.0")
	e.setenv("OVH_APPLICATION_KEY", "k")
	e.setenv("OVH_APPLICATION_SECRET", "s")
	e.setenv("OVH_CONSUMER_KEY", "c")
}

// TestHeadlessNoValidEntryExits1: headless with nothing it could ever order
// exits 1 at start, listing the problems --check lists (issue 12.3).
func TestHeadlessNoValidEntryExits1(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, content string }{
		{"every entry invalid", `{"subsidiary": "IE", "user_servers": [
			{"planCode": "", "fqn": "x", "qty": 1, "ceiling_price": 9, "datacenters": [], "labels": {}},
			{"planCode": "24sk50", "fqn": "24sk50.a.b", "qty": 1, "ceiling_price": 9, "datacenters": [{"region": "europe", "dedicated_datacenter": "FRA"}], "labels": {"dedicated_os": "none_64.en"}, "addon_planCodes": ["a"]}]}`},
		{"file-level problem", `{"subsidiary": "XX", "user_servers": [
			{"planCode": "24sk50", "fqn": "24sk50.a.b", "qty": 1, "ceiling_price": 9, "datacenters": [{"region": "europe", "dedicated_datacenter": "fra"}], "labels": {"dedicated_os": "none_64.en"}, "addon_planCodes": ["a"]}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := isolateEnv(t)
			fakeCredentials(e)
			p := writeFile(t, "preferences.json", tc.content)
			code, _, errOut := e.run("--headless", "--prefs", p)
			if code != exitProblems {
				t.Fatalf("exit %d, want 1; stderr %q", code, errOut)
			}
			_, checkOut, _ := e.run("--check", "--prefs", p)
			for _, line := range strings.Split(strings.TrimSpace(checkOut), "\n") {
				if strings.HasPrefix(line, p+": ") && !strings.Contains(errOut, line) {
					t.Errorf("headless does not list the --check problem %q:\n%s", line, errOut)
				}
			}
			if !strings.Contains(errOut, "no entry of "+p+" can be ordered") {
				t.Errorf("stderr does not say why it exits: %q", errOut)
			}
		})
	}
}

// TestLogFileWriteErrorsReportedOnce: a log file that cannot be written is
// said once, then counted (issue 12.8).
func TestLogFileWriteErrorsReportedOnce(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	for _, tc := range []struct {
		path        string
		wantReports int
		wantLost    string
	}{
		{"/dev/full", 1, "3 log line(s) could not be written to /dev/full"},
		{filepath.Join(t.TempDir(), "ok.log"), 0, ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			var reports []string
			report := func(msg string) { reports = append(reports, msg) }
			lf, err := openLogFile(tc.path, report)
			if tc.path == "/dev/full" {
				// openLogFile refuses a device (issue 21.1): the writer
				// is given the full disk it simulates directly.
				if !errors.Is(err, safefile.ErrNotRegular) {
					t.Fatalf("openLogFile(/dev/full): %v, want it refused", err)
				}
				f, ferr := os.OpenFile(tc.path, os.O_WRONLY, 0)
				if ferr != nil {
					t.Skip(ferr)
				}
				lf, err = &logFileWriter{f: f, report: report}, nil
			}
			if err != nil {
				t.Fatal(err)
			}
			for range 3 {
				if n, err := lf.Write([]byte("line\n")); n != 5 || err != nil {
					t.Fatalf("Write: %d %v; the logger must never see an error", n, err)
				}
			}
			lost := lf.Close()
			if len(reports) != tc.wantReports || lost != tc.wantLost {
				t.Fatalf("reports %q, lost %q; want %d report(s), %q", reports, lost, tc.wantReports, tc.wantLost)
			}
			if tc.wantReports > 0 && (!strings.Contains(reports[0], "no space left on device") || strings.Count(reports[0], "/dev/full") != 1) {
				t.Errorf("report %q does not give the cause once", reports[0])
			}
		})
	}
}

// TestShutdownSignalsAreGraceful: SIGINT, SIGTERM and SIGHUP all stop
// headless ovhtui after saving, with exit 0 and the lock released
// (issue 12.9: SIGHUP used to kill it at once with 129).
func TestShutdownSignalsAreGraceful(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := ovhtuiBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			catalogJSON, err := os.ReadFile(filepath.Join(rootDir, "testdata", "eco-catalog-IE.json"))
			if err != nil {
				t.Fatal(err)
			}
			sim, err := ovhsim.New(catalogJSON, ovhsim.Options{NoPadding: true})
			if err != nil {
				t.Fatal(err)
			}
			sim.SetAvailability(killTestFQN, "fra", "unavailable")
			sim.SetAvailability(killTestFQN, "gra", "unavailable")
			polled := make(chan struct{})
			var once sync.Once
			sim.OnResponse(func(r ovhsim.Request) {
				if strings.Contains(r.Path, "/availabilities") {
					once.Do(func() { close(polled) })
				}
			})
			srv := httptest.NewServer(sim)
			defer srv.Close()
			dir := t.TempDir()
			prefsPath := filepath.Join(dir, "preferences.json")
			if err := os.WriteFile(prefsPath, []byte(killTestPrefs), 0o600); err != nil {
				t.Fatal(err)
			}
			c := startChild(t, bin, srv.URL+"/1.0", dir)
			select {
			case <-polled: // running: the signal handlers are set
			case err := <-c.done:
				t.Fatalf("ovhtui exited (%v) before polling:\n%s", err, c.output())
			case <-time.After(guardBound):
				c.cmd.Process.Kill()
				t.Fatalf("no poll reached the simulator:\n%s", c.output())
			}
			if err := c.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if err := c.wait(t); err != nil {
				t.Fatalf("exit after %v: %v, want 0; output:\n%s", sig, err, c.output())
			}
			if !strings.Contains(c.output(), "final: ") {
				t.Errorf("no final summary after %v:\n%s", sig, c.output())
			}
			if _, err := os.Lstat(filepath.Join(dir, ".ovhtui-preferences.json.lock")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("lock file after exit: %v, want it removed (issue 21.7)", err)
			}
		})
	}
}

// TestEnvFileErrors: each .env problem says what and where, never a value
// (issue 12.6).
func TestEnvFileErrors(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-value-never-shown"
	for _, tc := range []struct {
		name    string
		make    func(t *testing.T, path string)
		wantErr string // "" = loads fine
		wantKey string // a variable the file sets, checked when it loads
	}{
		{name: "folder", make: func(t *testing.T, p string) { mkdir(t, p) }, wantErr: "is a folder, not a file"},
		{name: "fifo", make: func(t *testing.T, p string) {
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
		}, wantErr: "is not a regular file"},
		{name: "byte order mark", make: writeEnv("\xef\xbb\xbfOVH_APPLICATION_KEY=from-bom\n"), wantKey: "OVH_APPLICATION_KEY=from-bom"},
		{name: "CRLF line ends", make: writeEnv("OVH_ENDPOINT=ovh-eu\r\nOVH_APPLICATION_KEY=crlf\r\n"), wantKey: "OVH_APPLICATION_KEY=crlf"},
		{name: "bad character in a name", make: writeEnv("OVH_ENDPOINT=ovh-eu\n# comment\nOVH-APPLICATION_KEY=" + secret + "\n"),
			wantErr: ".env:3: the variable name has a character other than"},
		{name: "no equals sign", make: writeEnv("OVH_ENDPOINT=ovh-eu\n\nOVH_APPLICATION_SECRET " + secret + "\nOVH_CONSUMER_KEY=x\n"),
			wantErr: `.env:3: no "=" on this line`},
		{name: "unterminated quote", make: writeEnv("OVH_ENDPOINT=ovh-eu\nOVH_APPLICATION_SECRET=\"" + secret + "\nOVH_CONSUMER_KEY=x\n"),
			wantErr: ".env:2: a quoted value opened on this line is never closed"},
		{name: "multi-line value then a bad line", make: writeEnv("A=\"one\ntwo\"\nB=ok\nC-D=" + secret + "\n"),
			wantErr: ".env:4: the variable name has a character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := isolateEnv(t).app().env
			p := filepath.Join(t.TempDir(), ".env")
			tc.make(t, p)
			_, err := loadEnvFile(env, p)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("loadEnvFile: %v", err)
				}
				k, v, _ := strings.Cut(tc.wantKey, "=")
				if got := env.get(k); got != v {
					t.Fatalf("%s = %q, want %q", k, got, v)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "invalid syntax") {
				t.Errorf("error %q shows a value or says only invalid syntax", err)
			}
		})
	}
	// --check says it and exits 2.
	e := isolateEnv(t)
	env := filepath.Join(t.TempDir(), ".env")
	writeEnv("OVH-X=1\n")(t, env)
	prefsPath := writeFile(t, "preferences.json", `{"subsidiary": "IE", "user_servers": []}`)
	if code, _, errOut := e.run("--check", "--prefs", prefsPath, "--env", env); code != exitUsage || !strings.Contains(errOut, ".env:1:") {
		t.Errorf("--check with a bad .env: exit %d, stderr %q", code, errOut)
	}
}

func writeEnv(content string) func(t *testing.T, path string) {
	return func(t *testing.T, path string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func mkdir(t *testing.T, path string) {
	t.Helper()
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
}

// TestCheckListsEveryProblem: --check goes past type errors and duplicate
// keys and lists every problem, with the validation problems of what did
// decode (issue 12.7). Exit 2: the file is unusable as it is.
func TestCheckListsEveryProblem(t *testing.T) {
	t.Parallel()
	entry := `{"planCode": "24sk50", "fqn": "24sk50.a.b", "qty": 1, "ceiling_price": 9, "datacenters": [{"region": "europe", "dedicated_datacenter": "fra"}], "labels": {"dedicated_os": "none_64.en"}, "addon_planCodes": ["a"]}`
	for _, tc := range []struct {
		name       string
		content    string
		wantStderr []string
		wantStdout []string
		notStdout  []string
	}{
		{
			name: "two type errors and a validation problem",
			content: "{\"subsidiary\": \"ie\", \"user_servers\": [\n" +
				`{"planCode": "24sk50", "qty": "1"},` + "\n" +
				`{"planCode": "24sk50", "place_order": "yes"}` + "\n]}",
			wantStderr: []string{":2:31: user_servers[0].qty: must be an integer", ":3:39: user_servers[1].place_order: must be true or false", "2 problem(s) make the file unusable"},
			wantStdout: []string{"subsidiary: must be upper case", "user_servers[1].fqn: empty"},
		},
		{
			name: "duplicates and a type error",
			content: "{\"subsidiary\": \"IE\",\n\"subsidiary\": \"IE\", \"user_servers\": [\n" +
				`{"qty": 1, "qty": 2, "ceiling_price": "20"}` + "\n]}",
			wantStderr: []string{":2:1: subsidiary: duplicate key: also at line 1", ":3:12: user_servers[0].qty: duplicate key: also at line 3, column 2", ":3:39: user_servers[0].ceiling_price: must be a number", "3 problem(s)"},
		},
		{
			name:       "a datacenter that is not an object keeps the others' indices",
			content:    `{"subsidiary": "IE", "user_servers": [{"planCode": "24sk50", "fqn": "24sk50.a.b", "qty": 1, "datacenters": ["fra", {"region": "europe", "dedicated_datacenter": "GRA"}], "labels": {"dedicated_os": "x"}, "addon_planCodes": ["a"]}]}`,
			wantStderr: []string{"user_servers[0].datacenters[0]: must be an object"},
			wantStdout: []string{"user_servers[0].datacenters[1].dedicated_datacenter: must be a lower case code"},
			notStdout:  []string{"datacenters[0]"},
		},
		{
			name:       "a field in error is not reported again as missing",
			content:    `{"subsidiary": "IE", "user_servers": [{"planCode": 5, "fqn": "24sk50.a.b", "qty": 1, "datacenters": [{"region": "europe", "dedicated_datacenter": "fra"}], "labels": [], "addon_planCodes": ["a"]}, ` + entry + `]}`,
			wantStderr: []string{"user_servers[0].planCode: must be a string", "user_servers[0].labels: must be an object of strings"},
			notStdout:  []string{"planCode: empty", "labels.dedicated_os", "user_servers[1]"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := isolateEnv(t)
			p := writeFile(t, "preferences.json", tc.content)
			code, out, errOut := e.run("--check", "--prefs", p)
			if code != exitUsage {
				t.Fatalf("exit %d, want 2; stdout %q stderr %q", code, out, errOut)
			}
			for _, w := range tc.wantStderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			for _, w := range tc.wantStdout {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.notStdout {
				if strings.Contains(out, w) {
					t.Errorf("stdout has %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, ": ok (") {
				t.Errorf("says ok:\n%s", out)
			}
		})
	}
}

// TestCheckAgainstCatalog: --check checks entries against the eco catalog,
// downloaded (unsigned, no credentials) or cached (issue 12.10).
func TestCheckAgainstCatalog(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	sim, err := ovhsim.New(ovhsim.DefaultCatalog(), ovhsim.Options{NoPadding: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	defer srv.Close()
	e.setenv("OVH_ENDPOINT", srv.URL+"/1.0")
	p := writeFile(t, "preferences.json", `{"subsidiary": "IE", "user_servers": [{
		"planCode": "24sk50", "fqn": "24sk50.ram-32g-ecc-2400.softraid-2x2000sa", "qty": 1, "ceiling_price": 0,
		"datacenters": [{"region": "europe", "dedicated_datacenter": "xyz"}], "labels": {"dedicated_os": "none_64.en"},
		"addon_planCodes": ["bandwidth-300-24sk", "ram-32g-ecc-2400-24sk50", "ram-64g-ecc-2400-24sk50", "softraid-2x2000sa-25skle"]}]}`)
	want := []string{
		`user_servers[0].ceiling_price: 0 with qty 1: no price is accepted`,
		`user_servers[0].datacenters[0].dedicated_datacenter: "xyz" is not a datacenter of 24sk50`,
		`user_servers[0].addon_planCodes[2]: "ram-64g-ecc-2400-24sk50" is a second memory addon (also addon_planCodes[1])`,
		`user_servers[0].addon_planCodes[3]: "softraid-2x2000sa-25skle" is an addon of another plan, not of 24sk50`,
		"checked against the IE eco catalog",
	}
	check := func(when string) {
		t.Helper()
		code, out, errOut := e.run("--check", "--prefs", p)
		if code != exitProblems {
			t.Fatalf("%s: exit %d, want 1; stdout %q stderr %q", when, code, out, errOut)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: stdout lacks %q:\n%s", when, w, out)
			}
		}
	}
	check("downloaded")
	catalogCalls := func() int {
		n := 0
		for _, r := range sim.Requests() {
			if strings.HasPrefix(r.Path, "/order/catalog/public/eco") {
				n++
			}
		}
		return n
	}
	if n := catalogCalls(); n != 1 {
		t.Fatalf("%d catalog downloads, want 1", n)
	}
	check("cached")
	if n := catalogCalls(); n != 1 {
		t.Errorf("%d catalog downloads after the second --check, want the cache used", n)
	}
}

// TestUnusablePreferencesExit2: what cannot be read as preferences stops
// ovhtui (headless, --check) at once with exit 2 and a clear message, and
// the file keeps every byte (issue 12.2 and 12.8).
func TestUnusablePreferencesExit2(t *testing.T) {
	t.Parallel()
	dup := "{\"subsidiary\": \"IE\", \"user_servers\": [{\n  \"place_order\": false,\n  \"qty\": 1,\n  \"place_order\": true\n}]}\n"
	for _, tc := range []struct {
		name string
		path func(t *testing.T) string
		want string
	}{
		{"duplicate key", func(t *testing.T) string { return writeFile(t, "preferences.json", dup) },
			":4:3: user_servers[0].place_order: duplicate key: also at line 2, column 3"},
		{"/dev/zero", func(t *testing.T) string { return "/dev/zero" }, "/dev/zero is a character device, not a regular file"},
		{"fifo", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "preferences.json")
			if err := syscall.Mkfifo(p, 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}, "is a FIFO (named pipe), not a regular file"},
		{"folder", func(t *testing.T) string { return t.TempDir() }, "is a folder, not a regular file"},
	} {
		for _, mode := range []string{"--headless", "--check"} {
			t.Run(tc.name+" "+mode, func(t *testing.T) {
				t.Parallel()
				e := isolateEnv(t)
				fakeCredentials(e)
				p := tc.path(t)
				var before []byte
				if tc.name == "duplicate key" {
					before, _ = os.ReadFile(p)
				}
				code, _, errOut := e.run(mode, "--prefs", p)
				if code != exitUsage || !strings.Contains(errOut, tc.want) {
					t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errOut, tc.want)
				}
				if before != nil {
					if after, _ := os.ReadFile(p); !bytes.Equal(after, before) {
						t.Errorf("the file changed")
					}
				}
			})
		}
	}
}

// TestHelpOnStdoutOnly: every command's --help and -h print the usage once,
// on stdout, and nothing on stderr (each subcommand printed it on both,
// issue 21.6); a bad flag gets one line and a hint on stderr, never the
// usage (issue 18).
func TestHelpOnStdoutOnly(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	for _, cmd := range [][]string{nil, {"run"}, {"headless"}, {"check"}, {"notify-test"}, {"orders"}, {"pay"}, {"servers"}, {"renew"}} {
		for _, h := range []string{"--help", "-h"} {
			args := append(append([]string(nil), cmd...), h)
			code, out, errOut := e.run(args...)
			if code != exitOK {
				t.Errorf("%v: exit %d", args, code)
			}
			if n := strings.Count(out, "USAGE"); n != 1 || errOut != "" {
				t.Errorf("%v: usage %d time(s) on stdout, stderr %q", args, n, errOut)
			}
		}
		code, out, errOut := e.run(append(append([]string(nil), cmd...), "--no-such-flag")...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, "unknown flag: --no-such-flag") ||
			strings.Contains(errOut, "USAGE") || strings.Count(errOut, "\n") != 2 {
			t.Errorf("%v --no-such-flag: exit %d, stdout %q, stderr %q", cmd, code, out, errOut)
		}
	}
}

// TestLogFileMustBeARegularFileOfItsOwn: a FIFO as --log-file is refused at
// once (it hung start-up, deaf to SIGTERM: a blocking open would hang this
// test), and so is a folder or a device; a path that is the preferences,
// their lock or journal, or the .env, is refused before anything is written
// to it; the .env cannot be the preferences either (issue 21.1, 21.3).
func TestLogFileMustBeARegularFileOfItsOwn(t *testing.T) {
	// Not parallel: the paths are relative to a working folder of its own.
	dir := t.TempDir()
	t.Chdir(dir)
	e := isolateEnv(t)
	fakeCredentials(e)
	prefsPath := filepath.Join(dir, "preferences.json")
	envPath := filepath.Join(dir, ".env")
	for p, content := range map[string]string{prefsPath: killTestPrefs, envPath: "OVHTUI_X=1\n", journal.Beside(prefsPath): ""} {
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	fifo := filepath.Join(dir, "log.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(prefsPath, link); err != nil {
		t.Fatal(err)
	}
	snapshot := func() map[string]string {
		out := map[string]string{}
		for _, p := range []string{prefsPath, envPath, journal.Beside(prefsPath)} {
			b, _ := os.ReadFile(p)
			out[p] = string(b)
		}
		return out
	}
	before := snapshot()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--log-file", fifo}, "log file " + fifo + " is a FIFO (named pipe), not a regular file"},
		{[]string{"--demo", "--prefs", fifo}, "preferences file " + fifo + " is a FIFO (named pipe), not a regular file"},
		{[]string{"--log-file", dir}, "is a folder, not a regular file"},
		{[]string{"--log-file", os.DevNull}, "is a character device, not a regular file"},
		{[]string{"--log-file", "preferences.json"}, "log file preferences.json is ovhtui's preferences file"},
		{[]string{"--log-file", link}, "is ovhtui's preferences file"},
		{[]string{"--log-file", journal.Beside(prefsPath)}, "is ovhtui's journal"},
		{[]string{"--log-file", prefs.LockPath(prefsPath)}, "is ovhtui's lock file"},
		{[]string{"--log-file", ".env"}, "log file .env is ovhtui's environment file (--env)"},
		{[]string{"--log-file", "preferences.json", "--demo"}, "is ovhtui's preferences file"},
		{[]string{"--env", "preferences.json"}, "environment file (--env) preferences.json is ovhtui's preferences file"},
	} {
		args := append([]string{"--headless", "--prefs", "preferences.json"}, tc.args...)
		if !slices.Contains(tc.args, "--env") {
			args = append(args, "--env", ".env")
		}
		code, stdout, stderr := e.run(args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit 2 and %q", tc.args, code, stderr, stdout, tc.want)
		}
	}
	if got := snapshot(); !maps.Equal(got, before) {
		t.Errorf("a file changed:\n%v\nwas\n%v", got, before)
	}
	if _, err := os.Lstat(prefs.LockPath(prefsPath)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file: %v", err)
	}
}

// TestEmptyPrefsPathSaid: --prefs "" names no file; it was said as
// "read preferences:  is a folder" (issue 21.6).
func TestEmptyPrefsPathSaid(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	fakeCredentials(e)
	for _, args := range [][]string{{"--headless", "--prefs", ""}, {"--check", "--prefs", ""}} {
		code, _, stderr := e.run(args...)
		if code != exitUsage || !strings.Contains(stderr, "the path is empty") || strings.Contains(stderr, "folder") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}

// TestSignalBeforeTheEngineKept: a shutdown signal caught by the handler
// installed at package initialization (shutdown/atstart), before the engine
// even started, stops it at once, gracefully (a SIGTERM within ~5 ms of
// start killed ovhtui, issue 21.7). Without the handler the signal would
// kill this test.
func TestSignalBeforeTheEngineKept(t *testing.T) {
	// Not parallel: it signals the whole test process, and works in a
	// working folder of its own.
	t.Chdir(t.TempDir())
	e := isolateEnv(t)
	fakeCredentials(e)
	if err := os.WriteFile("preferences.json", []byte(killTestPrefs), 0o600); err != nil {
		t.Fatal(err)
	}
	shutdown.Catch()
	t.Cleanup(shutdown.Reset)
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-shutdown.Caught() // caught, not fatal
	code, stdout, stderr := e.run("--headless", "--prefs", "preferences.json", "--env", "none.env")
	if code != exitOK || !strings.Contains(stdout, "final: ") {
		t.Fatalf("exit %d; stdout %q; stderr %q", code, stdout, stderr)
	}
	if _, err := os.Lstat(".ovhtui-preferences.json.lock"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file: %v", err)
	}
}

// TestSignalHandlerInstalledAtInit: the binary installs its shutdown
// handler during package initialization, before the packages that take
// most of the start-up time (crypto, net/http, Charm's, shoutrrr's) and
// long before main: the window in which a SIGTERM kills ovhtui outright is
// the Go runtime's start alone (issue 21.7).
func TestSignalHandlerInstalledAtInit(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	cmd := exec.Command(ovhtuiBinary(t), "--version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var order []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[0] == "init" {
			order = append(order, f[1])
		}
	}
	at := slices.Index(order, "github.com/ovhtui/ovhtui/shutdown/atstart")
	if at < 0 {
		t.Fatalf("shutdown/atstart not initialized:\n%s", out)
	}
	for _, later := range []string{"net/http", "crypto/tls", "charm.land/lipgloss/v2", "github.com/nicholas-fedor/shoutrrr/pkg/router", "github.com/ovhtui/ovhtui/cli"} {
		if i := slices.Index(order, later); i >= 0 && i < at {
			t.Errorf("%s is initialized before the shutdown handler is installed", later)
		}
	}
}

// TestHeadlessPipeClosedKeepsLogging: `ovhtui --headless --log-file L |
// head -1` died of SIGPIPE with nothing in L or on stderr. Now the log goes
// on to L, stderr says once why stdout stopped, and a signal still ends it
// with exit 0 (issue 21.7).
func TestHeadlessPipeClosedKeepsLogging(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := ovhtuiBinary(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "ovhtui.log")
	cmd := exec.Command(bin, "--headless", "--demo", "--poll", "1s", "--log-file", logPath)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedWriter
	stderr.w = &bytes.Buffer{}
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	// head -1: one line, then the pipe is closed.
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("no first line: %v", err)
	}
	stdout.Close()
	if !strings.Contains(line, "DEMO: ovhtui runs against its built-in OVH API simulator") {
		t.Errorf("the first line of --demo --headless does not say it is a demo: %q", line)
	}
	go func() { done <- cmd.Wait() }()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit: %v (SIGPIPE?); stderr:\n%s", err, stderr.String())
		}
	case <-time.After(guardBound):
		cmd.Process.Kill()
		t.Fatalf("no exit after SIGTERM; stderr:\n%s", stderr.String())
	}
	logged, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(logged, []byte(strings.TrimSpace(line))) || !bytes.Contains(logged, []byte("final: ")) {
		t.Errorf("the log file lacks the lines after stdout closed:\n%s", logged)
	}
	if n := strings.Count(stderr.String(), "stdout can no longer be written"); n != 1 ||
		!strings.Contains(stderr.String(), "the log lines go on to the log file "+logPath) {
		t.Errorf("said %d times on stderr:\n%s", n, stderr.String())
	}
}

// TestCredentialWithBadCharacterNamed: a credential holding a line break,
// a space or a control character is said naming the variable and the
// .env line (or the environment), never the value; go-ovh said "invalid
// header field value for X-Ovh-Consumer" at every call (issue 21.6).
func TestCredentialWithBadCharacterNamed(t *testing.T) {
	const secret = "s3cr3tvaluenevershown"
	for _, tc := range []struct {
		name, env, setVar, want string
	}{
		{"line break in .env", "OVH_ENDPOINT=ovh-eu\nOVH_APPLICATION_KEY=appkey\n# the key\nOVH_APPLICATION_SECRET=" + secret + "\nOVH_CONSUMER_KEY=\"" + secret + "\\n\"\n", "",
			"OVH_CONSUMER_KEY (set in .env line 5) holds a line break at character 22 of 22"},
		{"space in .env", "OVH_APPLICATION_KEY=app key\nOVH_APPLICATION_SECRET=" + secret + "\nOVH_CONSUMER_KEY=" + secret + "\n", "",
			"OVH_APPLICATION_KEY (set in .env line 1) holds a space at character 4 of 7"},
		{"control character in the environment", "OVH_APPLICATION_KEY=appkey\nOVH_APPLICATION_SECRET=" + secret + "\n", "OVH_CONSUMER_KEY=" + secret + "\x01",
			"OVH_CONSUMER_KEY (set in the environment or an ovh.conf file) holds a control character at character 22"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Not parallel: the .env is named relative to a working
			// folder of its own.
			t.Chdir(t.TempDir())
			e := isolateEnv(t)
			if k, v, ok := strings.Cut(tc.setVar, "="); ok {
				e.setenv(k, v)
			}
			if err := os.WriteFile(".env", []byte(tc.env), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile("preferences.json", []byte(killTestPrefs), 0o600); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := e.run("--headless", "--env", ".env")
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tc.want)
			}
			if strings.Contains(stdout+stderr, secret) || strings.Contains(stderr, "X-Ovh") {
				t.Errorf("a value or the header is shown: %q", stderr)
			}
		})
	}
}

// TestOVHConfFIFORefused: go-ovh reads ./ovh.conf with a blocking open; a
// FIFO there is refused at once instead of hanging start-up (issue 21.1).
func TestOVHConfFIFORefused(t *testing.T) {
	// Not parallel: ./ovh.conf is in the working folder every go-ovh
	// client of the process reads.
	t.Chdir(t.TempDir())
	e := isolateEnv(t)
	fakeCredentials(e)
	if err := syscall.Mkfifo("ovh.conf", 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("preferences.json", []byte(killTestPrefs), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := e.run("--headless", "--env", "none.env")
	if code != exitUsage || !strings.Contains(stderr, "OVH configuration file ./ovh.conf is a FIFO (named pipe), not a regular file") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}
