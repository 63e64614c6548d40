package cli

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/ovhtui/ovhtui/order/ovhsim"
)

// TestCheckNamesThePaymentMethodStatus: with autopay on and a default
// payment method that is not VALID, --check exits 1 and names its status.
func TestCheckNamesThePaymentMethodStatus(t *testing.T) {
	t.Parallel()
	for _, status := range []string{"PAUSED", "none", "VALID"} {
		t.Run(status, func(t *testing.T) {
			t.Parallel()
			sim, err := ovhsim.New(ovhsim.DefaultCatalog(), ovhsim.Options{NoPadding: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := sim.SetPaymentMethodStatus(status); err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(sim)
			t.Cleanup(srv.Close)
			code, out, errOut := checkAutopay(t, srv.URL+"/1.0")
			want, wantCode := "autopay: the default payment method (CREDIT_CARD ************4242) is PAUSED, not VALID", exitProblems
			switch status {
			case "none":
				want = "autopay: the account has no default payment method"
			case "VALID":
				want, wantCode = "autopay ok", exitOK
			}
			if code != wantCode || !strings.Contains(out, want) {
				t.Fatalf("exit %d, want 1 naming %q; stdout %q stderr %q", code, want, out, errOut)
			}
		})
	}
}

// checkAutopay runs --check on example1.json with place_order and autopay on.
func checkAutopay(t *testing.T, endpoint string) (int, string, string) {
	t.Helper()
	on := strings.NewReplacer(`"place_order": false`, `"place_order": true`, `"autopay": false`, `"autopay": true`)
	return checkExampleWithCredentials(t, endpoint, on.Replace)
}

// TestEnvDevNullIsNoFile: --env /dev/null means "no environment file".
func TestEnvDevNullIsNoFile(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	code, _, errOut := e.run("--notify-test", "--env", os.DevNull)
	if strings.Contains(errOut, "not a regular file") || !strings.Contains(errOut, "OVHTUI_NOTIFY is not set") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	p := writeFile(t, "preferences.json", `{"subsidiary": "IE", "user_servers": []}`)
	if code, out, errOut := e.run("--check", "--env", os.DevNull, "--prefs", p); code != exitOK {
		t.Fatalf("--check --env /dev/null: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, err := loadEnvFile(e.app().env, filepath.Join(t.TempDir(), "missing")); err != nil {
		t.Errorf("a missing file: %v", err)
	}
}

func TestBudgetFlag(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	for _, arg := range []string{"--budget=fast", "--budget=3/min", "--budget=-2"} {
		if code, _, errOut := e.run(arg, "--version"); code != exitUsage || !strings.Contains(errOut, "budget") {
			t.Errorf("%s: exit %d, stderr %q", arg, code, errOut)
		}
	}
	var o options
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	addEngineFlags(fs, &o)
	if o.budget != 120 {
		t.Errorf("default budget %d/min, want 120", o.budget)
	}
	if err := fs.Parse([]string{"--budget", "60/min"}); err != nil || o.budget != 60 {
		t.Errorf("--budget 60/min: %d %v", o.budget, err)
	}
}
