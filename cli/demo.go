package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/ovh/go-ovh/ovh"

	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order/ovhsim"
	"github.com/ovhtui/ovhtui/prefs"
	"github.com/ovhtui/ovhtui/safefile"
)

// Demo credentials: the simulator's defaults. Nothing of the user's is read.
const (
	demoAppKey      = "sim-app-key"
	demoAppSecret   = "sim-app-secret"
	demoConsumerKey = "sim-consumer-key"
)

// demoPreferences is the preferences file --demo uses when --prefs is not
// given: a few real IE servers showing every path of the pipeline (an
// order paid with autopay, a dry run whose addons come from the catalog,
// orders left unpaid, one in a zone-named DC with a delivery limit, and a
// KS-A nobody gets: watched all along, never in stock). The story
// (demo_story.go) keeps them ordering, retires one over its ceiling and
// brings it back.
const demoPreferences = `{
  "subsidiary": "IE",
  "user_servers": [
    {
      "planCode": "25skleb01",
      "fqn": "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme",
      "skip_validate": false,
      "place_order": true,
      "autopay": true,
      "coupons": [],
      "datacenters": [
        { "region": "europe", "dedicated_datacenter": "fra" },
        { "region": "europe", "dedicated_datacenter": "gra" }
      ],
      "labels": { "dedicated_os": "none_64.en" },
      "addon_planCodes": ["softraid-2x450nvme-25skle", "bandwidth-300-25skle", "ram-32g-ecc-2400-25skle"],
      "qty": 1,
      "ceiling_price": 25.0,
      "dc_carts": {}
    },
    {
      "planCode": "24sk50",
      "fqn": "24sk50.ram-32g-ecc-2400.softraid-2x2000sa",
      "skip_validate": false,
      "place_order": false,
      "autopay": false,
      "coupons": [],
      "fetch_catalog": { "storage": "", "memory": "", "bandwidth": "" },
      "datacenters": [
        { "region": "europe", "dedicated_datacenter": "gra" },
        { "region": "europe", "dedicated_datacenter": "rbx" },
        { "region": "europe", "dedicated_datacenter": "fra" }
      ],
      "labels": { "dedicated_os": "none_64.en" },
      "addon_planCodes": [],
      "qty": 1,
      "ceiling_price": 60.0,
      "dc_carts": {}
    },
    {
      "planCode": "25skle01",
      "fqn": "25skle01.ram-16g-noecc-1333.softraid-2x480ssd",
      "skip_validate": false,
      "place_order": true,
      "autopay": false,
      "coupons": [],
      "datacenters": [
        { "region": "europe", "dedicated_datacenter": "eu-west-par-a" },
        { "region": "europe", "dedicated_datacenter": "rbx" },
        { "region": "europe", "dedicated_datacenter": "gra" },
        { "region": "canada", "dedicated_datacenter": "bhs" }
      ],
      "labels": { "dedicated_os": "none_64.en" },
      "addon_planCodes": ["ram-16g-noecc-1333-25skle01", "softraid-2x480ssd-25skle01", "bandwidth-300-unguaranteed-25skle"],
      "qty": 1,
      "ceiling_price": 30.0,
      "max_delivery_hours": 24,
      "dc_carts": {}
    },
    {
      "planCode": "24rise01",
      "fqn": "24rise01.ram-32g-ecc-3200.softraid-2x512nvme",
      "skip_validate": false,
      "place_order": true,
      "autopay": false,
      "coupons": [],
      "datacenters": [
        { "region": "europe", "dedicated_datacenter": "rbx" },
        { "region": "europe", "dedicated_datacenter": "sbg" }
      ],
      "labels": { "dedicated_os": "none_64.en" },
      "addon_planCodes": ["ram-32g-ecc-3200-24rise", "softraid-2x512nvme-24rise", "bandwidth-1000-unguaranteed-24rise", "vrack-bandwidth-1000-24rise"],
      "qty": 1,
      "ceiling_price": 120.0,
      "dc_carts": {}
    },
    {
      "planCode": "24ska01",
      "fqn": "` + demoNeverBackFQN + `",
      "skip_validate": false,
      "place_order": true,
      "autopay": false,
      "coupons": [],
      "datacenters": [
        { "region": "europe", "dedicated_datacenter": "gra" },
        { "region": "europe", "dedicated_datacenter": "waw" }
      ],
      "labels": { "dedicated_os": "none_64.en" },
      "addon_planCodes": ["bandwidth-100-24sk", "ram-64g-noecc-2133-24ska01", "softraid-1x480ssd-24ska01"],
      "qty": 1,
      "ceiling_price": 12.0,
      "dc_carts": {}
    }
  ]
}
`

// demoNeverBackFQN is the demo's KS-A: its stock never comes back (the
// simulator does not animate it), as happens to the servers everyone
// wants; so the demo always has something to watch.
const demoNeverBackFQN = "24ska01.ram-64g-noecc-2133.softraid-1x480ssd"

// The demo's simulator compresses time: an unpaid order lapses after
// demoOrderLife, and the account keeps its demoKeepServers latest servers
// delivered from orders, so that a demo watched for hours stays readable.
const (
	demoOrderLife   = 10 * time.Minute
	demoKeepServers = 6
)

// newDemoSim is the demo's simulator: the real IE catalog, a few plans also
// sold in Paris 3-AZ with zone-named DCs (eu-west-par-a; one demo entry
// wants one), order links to the simulator itself (orderURL), and its
// compressed time.
func newDemoSim(log *slog.Logger, orderURL func(id int64, password string) string) (*ovhsim.Sim, error) {
	return ovhsim.New(ovhsim.DefaultCatalog(), ovhsim.Options{Log: log, AZDatacenters: ovhsim.DemoAZDatacenters(),
		OrderURL: orderURL, OrderLife: demoOrderLife, KeepDelivered: demoKeepServers})
}

// demoFQNs are the fqns of f whose stock comes and goes in the demo: every
// entry's but the demo's KS-A.
func demoFQNs(f *prefs.File) []string {
	var fqns []string
	for _, s := range f.Servers {
		if s.FQN != "" && s.FQN != demoNeverBackFQN && !slices.Contains(fqns, s.FQN) {
			fqns = append(fqns, s.FQN)
		}
	}
	return fqns
}

// demoEnv is the simulator and the client wired to it.
type demoEnv struct {
	sim       *ovhsim.Sim
	fqns      []string // whose stock comes and goes (demoFQNs)
	client    *ovh.Client
	endpoint  string
	prefsPath string
	// copiedFrom is the --prefs file prefsPath is a copy of ("" if none).
	copiedFrom string
	cacheDir   string
	tmpDir     string
	cancel     context.CancelFunc
	done       chan struct{}
}

// startDemo serves the simulator on a loopback port, animates it, and
// builds a go-ovh client for it. No OVH_* variable, .env or ovh.conf value
// of the user's can reach the client: the environment is cleared and every
// credential is given explicitly.
func (a *app) startDemo(ctx context.Context, opts options, log *slog.Logger) (*demoEnv, error) {
	a.env.clearOVH()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	sim, err := newDemoSim(log.With("component", "ovhsim"), demoOrderURL(ln.Addr()))
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("start simulator: %w", err)
	}
	tmp, err := os.MkdirTemp("", "ovhtui-demo-")
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("demo folder: %w", err)
	}
	d := &demoEnv{
		sim:      sim,
		endpoint: "http://" + ln.Addr().String() + "/1.0",
		cacheDir: filepath.Join(tmp, "cache"),
		tmpDir:   tmp,
		done:     make(chan struct{}),
	}
	// The demo never writes a real preferences file: simulator carts and
	// orders must not land beside real ones. --prefs FILE is copied into
	// the demo's temp folder and the copy is used (its journal too).
	content := []byte(demoPreferences)
	d.prefsPath = filepath.Join(tmp, "preferences.json")
	if opts.prefsSet {
		// Without blocking: a FIFO as --prefs is refused at once.
		data, _, err := safefile.ReadFile(opts.prefsPath, prefs.MaxFileSize, rolePrefs)
		if err != nil {
			ln.Close()
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("read preferences: %w", err)
		}
		content = data
		d.prefsPath = filepath.Join(tmp, filepath.Base(opts.prefsPath))
		d.copiedFrom = opts.prefsPath
	}
	if err := prefs.SaveAtomic(d.prefsPath, content); err != nil {
		ln.Close()
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("write demo preferences: %w", err)
	}
	f, err := prefs.Load(d.prefsPath)
	if err != nil {
		ln.Close()
		os.RemoveAll(tmp)
		return nil, err
	}
	// The first line says it: nothing of what follows is real.
	log.Info("DEMO: ovhtui runs against its built-in OVH API simulator; no OVH account is used, nothing real is ordered or paid, and the demo's folder is removed at exit")
	if d.copiedFrom != "" {
		log.Info("demo: working on a copy of the preferences file; the original is never written", "original", opts.prefsPath, "copy", d.prefsPath)
	}
	d.fqns = demoFQNs(f)
	sctx, cancel := context.WithCancel(ctx)
	d.cancel = cancel
	go func() {
		defer close(d.done)
		go sim.RunDemo(sctx, d.fqns)
		if err := sim.ServeWith(sctx, ln, demoHandler(sim)); err != nil && sctx.Err() == nil {
			log.Error("simulator stopped", "err", err)
		}
	}()
	d.client, err = a.newSimClient(d.endpoint)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("client for the simulator: %w", err)
	}
	return d, nil
}

// demoOrderURL gives the demo's orders a link to the simulator, marked
// demo, never a link to OVH: a demo order exists nowhere else.
func demoOrderURL(addr net.Addr) func(id int64, password string) string {
	return func(id int64, password string) string {
		return fmt.Sprintf("http://%s%s%d?orderPassword=%s", addr, demoOrderPath, id, password)
	}
}

// demoOrderPath is where the demo's order links point (demoOrderURL).
const demoOrderPath = "/ovhtui-demo/order/"

// demoHandler serves the simulator, and for each demo order link a page
// that says it is the demo's: opened in a browser, a demo link never looks
// like an order at OVH.
func demoHandler(sim *ovhsim.Sim) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", sim)
	mux.HandleFunc("GET "+demoOrderPath+"{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		for _, o := range sim.Orders() {
			if o.ID == id {
				fmt.Fprintf(w, "ovhtui DEMO: order %d exists only in ovhtui's built-in simulator.\n"+
					"Nothing was bought at OVH and nothing can be paid here: pay it in ovhtui --demo (O, then p).\n\n"+
					"%s in %s, %s excl. tax (%s incl. tax), status %s.\n",
					o.ID, o.PlanCode, o.DC, money.Format(o.WithoutTaxUcents, "EUR"), money.Format(o.WithTaxUcents, "EUR"), o.Status)
				return
			}
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "ovhtui DEMO: no demo order %s (the demo's orders last as long as the demo).\n", r.PathValue("id"))
	})
	return mux
}

// close stops the simulator and removes the demo's folder (its
// preferences, journal and catalog cache).
func (d *demoEnv) close() {
	d.cancel()
	<-d.done
	os.RemoveAll(d.tmpDir)
}
