package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/ovh/go-ovh/ovh"

	"github.com/ovhtui/ovhtui/account"
	"github.com/ovhtui/ovhtui/journal"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/orderstate"
	"github.com/ovhtui/ovhtui/ovhapi"
)

func TestOrdersAndServersDemo(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	code, out, errOut := e.run("orders", "--demo", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var orders []account.Order
	if err := json.Unmarshal([]byte(out), &orders); err != nil {
		t.Fatalf("orders --json: %v\n%s", err, out)
	}
	if strings.Contains(out, "orderPassword") {
		t.Errorf("orders --json shows the order password:\n%s", out)
	}
	if len(orders) != 2 || orders[0].ID != 200000002 || !orders[0].Unpaid() || !orders[0].Ours || orders[0].What != "KS-LE-1 in gra" || orders[0].Items[0].PlanCode != "25skle01" ||
		orders[1].Status != "delivered" || orders[0].WithTax.Ucents != 2458000000 {
		t.Fatalf("orders = %+v", orders)
	}
	code, out, _ = e.run("orders", "--demo")
	if code != exitOK || !strings.Contains(out, "200000002") || !strings.Contains(out, "UNPAID") || strings.Contains(out, "notPaid") || !strings.Contains(out, "24.58 EUR") {
		t.Fatalf("orders: %d\n%s", code, out)
	}
	code, out, errOut = e.run("servers", "--json", "--demo")
	var servers []account.Server
	if code != exitOK || json.Unmarshal([]byte(out), &servers) != nil || len(servers) != 3 {
		t.Fatalf("servers --json: %d %s\n%s", code, errOut, out)
	}
	if !servers[0].Manual() || !servers[0].Expiration.Before(servers[1].Expiration) {
		t.Fatalf("servers not expiring soonest first, manual first: %+v", servers)
	}
	code, out, _ = e.run("servers", "--demo")
	if code != exitOK || !strings.Contains(out, "MANUAL") || !strings.Contains(out, servers[0].Name) {
		t.Fatalf("servers: %d\n%s", code, out)
	}
}

func TestPayDemoAsksFirst(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	e.stdin = "n\n"
	code, out, errOut := e.run("pay", "200000002", "--demo")
	if code != exitProblems || !strings.Contains(out, "24.58 EUR incl. tax") || !strings.Contains(errOut, "not confirmed") {
		t.Fatalf("pay, answered no: %d\n%s\n%s", code, out, errOut)
	}
	e.stdin = "y\n"
	code, out, errOut = e.run("pay", "--demo", "200000002")
	if code != exitOK || !strings.Contains(out, "paid: order 200000002 is now") {
		t.Fatalf("pay: %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = e.run("pay", "200000001", "--demo", "--yes")
	if code != exitProblems || !strings.Contains(errOut, "nothing to pay") {
		t.Fatalf("pay a paid order: %d %s", code, errOut)
	}
	if code, _, _ := e.run("pay", "--demo"); code != exitUsage {
		t.Fatalf("pay without an id: exit %d", code)
	}
	if code, _, _ := e.run("pay", "x1", "--demo"); code != exitUsage {
		t.Fatalf("pay x1: exit %d", code)
	}
}

func TestRenewDemo(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	code, _, errOut := e.run("renew", "120000001", "--demo")
	if code != exitUsage || !strings.Contains(errOut, "P1M (16.99 EUR excl. tax)") {
		t.Fatalf("renew without a period: %d %s", code, errOut)
	}
	code, out, errOut := e.run("renew", "120000001", "--period", "P3M", "--dry-run", "--demo")
	if code != exitOK || !strings.Contains(out, "62.69 EUR incl. tax") || !strings.Contains(out, "nothing was ordered") {
		t.Fatalf("dry run: %d\n%s\n%s", code, out, errOut)
	}
	e.stdin = "y\nn\n"
	code, out, errOut = e.run("renew", "120000001", "--period", "P1M", "--demo")
	if code != exitProblems || !strings.Contains(out, "renewal order 200000003 made") || !strings.Contains(errOut, "not paid: not confirmed") {
		t.Fatalf("renew, then no to the payment: %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = e.run("renew", "120000001", "--period", "P1M", "--yes", "--demo")
	if code != exitOK || !strings.Contains(out, "renewal order 200000003 made") || !strings.Contains(out, "paid: order 200000003") {
		t.Fatalf("renew: %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = e.run("renew", "1", "--period", "P1M", "--demo")
	if code != exitProblems || !strings.Contains(errOut, `no dedicated server has the service id or name "1"`) {
		t.Fatalf("renew an unknown service: %d %s", code, errOut)
	}
}

// TestAfterWinWithCredentials runs the subcommands as a user would, with
// credentials in the environment, against a simulator whose key lacks the
// server rights.
func TestCheckNamesTheAfterWinRights(t *testing.T) {
	t.Parallel()
	rules := []ovhsim.Rule{{Method: "GET", Path: "/order/*"}, {Method: "GET", Path: "/me"}} // far too few
	_, out, _ := checkWithCredentials(t, simForCheck(t, rules))
	for _, r := range []string{"GET /dedicated/server ", "GET /dedicated/server/* ", "GET /service/* ", "POST /service/* ", "POST /me/order/* "} {
		if !strings.Contains(out, "lacks "+r) {
			t.Errorf("--check does not name %s:\n%s", r, out)
		}
	}
}

func TestAfterWinWithCredentials(t *testing.T) {
	t.Parallel()
	e := isolateEnv(t)
	var rules []ovhsim.Rule
	for _, r := range ovhsim.DefaultRules() {
		if !strings.HasPrefix(r.Path, "/dedicated/server") {
			rules = append(rules, r)
		}
	}
	sim, err := ovhsim.New(ovhsim.DefaultCatalog(), ovhsim.Options{Rules: rules, NoPadding: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	endpoint := srv.URL + "/1.0"
	oc, err := ovh.NewClient(endpoint, "sim-app-key", "sim-app-secret", "sim-consumer-key")
	if err != nil {
		t.Fatal(err)
	}
	api := ovhapi.NewOVHClient(oc, ovhapi.ClientOptions{})
	t.Cleanup(api.CloseIdleConnections)
	sim.SetAvailability("25skleb01.ram-32g-ecc-2400.softraid-2x450nvme", "fra", ovhsim.Avail1HLow)
	id, err := demoCheckout(context.Background(), api, "25skleb01",
		[]string{"softraid-2x450nvme-25skle", "bandwidth-300-25skle", "ram-32g-ecc-2400-25skle"}, "fra", false)
	if err != nil {
		t.Fatal(err)
	}
	e.setenv("OVH_ENDPOINT", endpoint)
	e.setenv("OVH_APPLICATION_KEY", "sim-app-key")
	e.setenv("OVH_APPLICATION_SECRET", "sim-app-secret")
	e.setenv("OVH_CONSUMER_KEY", "sim-consumer-key")
	p := writeFile(t, "preferences.json", fmt.Sprintf(`{"subsidiary": "IE", "user_servers": [{"planCode": "25skleb01",
		"fqn": "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme", "datacenters": [{"region": "europe", "dedicated_datacenter": "fra"}],
		"qty": 0, "ceiling_price": 25, "order_id": %d}]}`, id))

	code, out, errOut := e.run("orders", "--json", "--prefs", p)
	var orders []account.Order
	if code != exitOK || json.Unmarshal([]byte(out), &orders) != nil || len(orders) != 1 || !orders[0].Ours || !orders[0].Unpaid() {
		t.Fatalf("orders: %d %s\n%s", code, errOut, out)
	}
	if _, err := os.Stat(journal.Beside(p)); err == nil {
		t.Fatal("listing orders created the journal")
	}
	if !strings.Contains(out, `"payment": "UNPAID"`) {
		t.Fatalf("orders --json does not say UNPAID:\n%s", out)
	}
	if code, out, _ = e.run("orders", "--prefs", p); code != exitOK || !paymentColumn(out, id, "UNPAID") {
		t.Fatalf("orders before paying:\n%s", out)
	}
	code, out, errOut = e.run("pay", fmt.Sprint(id), "--yes", "--prefs", p)
	if code != exitOK {
		t.Fatalf("pay: %d\n%s\n%s", code, out, errOut)
	}
	// The same one payment state as the dashboard row, the banner and the
	// quit summary (tui.TestPaymentStateAgreesEverywhere).
	if code, out, _ = e.run("orders", "--prefs", p); code != exitOK || !paymentColumn(out, id, "paid") {
		t.Fatalf("orders after paying:\n%s", out)
	}
	log, err := journal.Read(journal.Beside(p))
	if err != nil || len(log.Records) != 2 || log.Records[0].Kind != journal.KindPayment || log.Records[1].Result != journal.ResultDone {
		t.Fatalf("journal: %v\n%+v", err, log)
	}
	code, out, errOut = e.run("servers", "--prefs", p)
	if code != exitProblems || !strings.Contains(errOut, "lacks the rule GET /dedicated/server") {
		t.Fatalf("servers without the right: %d\n%s\n%s", code, out, errOut)
	}
	for _, secret := range []string{"sim-app-secret", "sim-consumer-key"} {
		if strings.Contains(out+errOut, secret) {
			t.Errorf("output shows the secret %q", secret)
		}
	}
}

// paymentColumn reports whether the orders table gives order id the
// payment word want (the column after STATUS, which says OVH's word or
// UNPAID).
func paymentColumn(table string, id int64, want string) bool {
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != fmt.Sprint(id) {
			continue
		}
		for i, w := range f {
			if w == want && i > 0 && (orderstate.FromStatus(f[i-1]) != orderstate.Unknown || f[i-1] == orderstate.StatusText(orderstate.StatusNotPaid)) {
				return true
			}
		}
	}
	return false
}
