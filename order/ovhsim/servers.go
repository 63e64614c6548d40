package ovhsim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// What happens after a win: the account's dedicated servers, their service
// information, their renewal (renew.go) and paying orders with a
// registered payment means (payment.go).
//
// A purchase order paid (autopay at checkout or payWithRegisteredPaymentMean)
// is "delivering", then "delivered" Options.DeliveryDelay after its payment;
// its servers then appear under GET /dedicated/server, one per unit, with a
// service whose first period ends one month after delivery. Uncertain, and
// chosen by the simulator: servers delivered from an order renew manually
// (renew.automatic false, manualPayment true), so that renewing them is
// something the user has to do; seeded servers (AddServer) say their own.

// accountState is the simulator's after-the-win state, guarded by Sim.mu.
type accountState struct {
	deliveryDelay time.Duration
	servers       []*server
	seqService    int64
	seqServer     int64
	declined      bool // payments are refused (SetPaymentDeclined)
}

func newAccountState(opts Options) accountState {
	d := opts.DeliveryDelay
	if d <= 0 {
		d = time.Minute
	}
	return accountState{deliveryDelay: d, seqService: 120_000_000, seqServer: 3_012_000}
}

// server is one dedicated server of an account.
type server struct {
	name           string
	serverID       int64
	serviceID      int64
	account        string
	planCode       string
	addons         []string
	dc             string
	creation       time.Time
	expiration     time.Time // a date (midnight UTC)
	automatic      bool
	manualPayment  bool
	deleteAtExpiry bool
	orderID        int64 // the order that delivered it (0 for a seeded one)
	nearExpiry     bool  // NearExpiry moved its expiry: the story follows it, Options.KeepDelivered keeps it
}

// Server is a dedicated server as the simulator holds it (Servers, AddServer).
type Server struct {
	Name       string
	ServiceID  int64
	Account    string // default: the default credential's account
	PlanCode   string
	Addons     []string
	DC         string
	Creation   time.Time
	Expiration time.Time
	// AutomaticRenew is renew.automatic in serviceInfos; ManualPayment is
	// renew.manualPayment.
	AutomaticRenew bool
	ManualPayment  bool
	OrderID        int64
}

// AddServer gives the account a dedicated server (for tests and the demo).
// Name and ServiceID are assigned when empty; Creation defaults to now and
// Expiration to one month after Creation. It returns the server as stored.
func (s *Sim) AddServer(sv Server) Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if sv.Account == "" {
		sv.Account = s.opts.Account
	}
	if sv.Creation.IsZero() {
		sv.Creation = now
	}
	if sv.Expiration.IsZero() {
		sv.Expiration = addMonths(sv.Creation, 1)
	}
	srv := s.newServerLocked(sv.Account, sv.PlanCode, sv.Addons, sv.DC, sv.Creation, sv.OrderID)
	if sv.Name != "" {
		srv.name = sv.Name
	}
	if sv.ServiceID != 0 {
		srv.serviceID = sv.ServiceID
	}
	srv.expiration = dateOf(sv.Expiration)
	srv.automatic, srv.manualPayment = sv.AutomaticRenew, sv.ManualPayment
	return srv.export()
}

// Servers returns a snapshot of every dedicated server (delivering the
// orders whose delivery time has come).
func (s *Sim) Servers() []Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliverLocked(s.now())
	out := make([]Server, 0, len(s.aw.servers))
	for _, sv := range s.aw.servers {
		out = append(out, sv.export())
	}
	return out
}

// SetDeliveryDelay changes Options.DeliveryDelay.
func (s *Sim) SetDeliveryDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.aw.deliveryDelay = d
}

func (sv *server) export() Server {
	return Server{Name: sv.name, ServiceID: sv.serviceID, Account: sv.account, PlanCode: sv.planCode,
		Addons: slices.Clone(sv.addons), DC: sv.dc, Creation: sv.creation, Expiration: sv.expiration,
		AutomaticRenew: sv.automatic, ManualPayment: sv.manualPayment, OrderID: sv.orderID}
}

func (s *Sim) newServerLocked(account, planCode string, addons []string, dc string, created time.Time, orderID int64) *server {
	s.aw.seqService++
	s.aw.seqServer++
	n := s.aw.seqServer
	srv := &server{
		name:      fmt.Sprintf("ns%d.ip-51-75-%d.eu", n, n%250+1),
		serverID:  n,
		serviceID: s.aw.seqService,
		account:   account, planCode: planCode, addons: slices.Clone(addons), dc: dc,
		creation:      created,
		expiration:    dateOf(addMonths(created, 1)),
		manualPayment: true,
		orderID:       orderID,
	}
	s.aw.servers = append(s.aw.servers, srv)
	return srv
}

// deliverLocked creates the servers of the purchase orders delivered by now.
func (s *Sim) deliverLocked(now time.Time) {
	for _, o := range s.orders {
		if o.served || o.renew != nil || o.statusLocked(now, s.aw.deliveryDelay) != StatusDelivered {
			continue
		}
		o.served = true
		at := o.paidAt.Add(s.aw.deliveryDelay)
		for _, it := range o.Items {
			for range max(it.Quantity, 1) {
				s.newServerLocked(o.Account, it.PlanCode, it.Addons, it.DC, at, o.ID)
			}
		}
		s.trimDeliveredLocked(s.opts.KeepDelivered)
	}
}

// serverFor finds the caller's server named by the path's serviceName.
func (s *Sim) serverFor(c *call) (*server, *reply) {
	s.deliverLocked(c.now)
	name := c.r.PathValue("serviceName")
	for _, sv := range s.aw.servers {
		if sv.name == name && sv.account == c.who.Account {
			return sv, nil
		}
	}
	return nil, errReply(notFound("Service %s does not exist", name))
}

// listServers serves GET /dedicated/server: the account's server names.
// The iamTags filter is not modelled: a request using it is refused
// (stricter than OVH).
func (s *Sim) listServers(c *call) *reply {
	if c.r.URL.Query().Has("iamTags") {
		return errReply(badRequest("[iamTags] filtering by IAM tags is not modelled by the simulator"))
	}
	s.deliverLocked(c.now)
	names := []string{}
	for _, sv := range s.aw.servers {
		if sv.account == c.who.Account {
			names = append(names, sv.name)
		}
	}
	return jsonReply(names)
}

// datacenterEnum maps an eco DC code to the dedicated.DatacenterEnum value
// of a server there (OVH names buildings: Frankfurt's eco servers are in
// Limburg, London's in Erith). Uncertain for DCs with several buildings:
// one is picked.
var datacenterEnum = map[string]string{
	"bhs": "bhs8", "fra": "lim3", "gra": "gra3", "hil": "hil1", "lon": "eri1", "par": "p19",
	"rbx": "rbx8", "sbg": "sbg5", "sgp": "sgp1", "syd": "syd1", "vin": "vin1", "waw": "waw1",
	"ynm": "ynm1", "yyz": "yyz01",
}

// getServer serves GET /dedicated/server/{serviceName}
// (dedicated.server.DedicatedWithIAM).
func (s *Sim) getServer(c *call) *reply {
	sv, rep := s.serverFor(c)
	if rep != nil {
		return rep
	}
	city, az, region := sv.dc, "eu-west-"+sv.dc+"-a", "eu-west-"+sv.dc
	if parts := strings.Split(sv.dc, "-"); len(parts) == 4 {
		// A zone name (eu-west-par-a): its region is eu-west-par, its
		// city par (the simulator's reading of OVH's naming).
		city, az, region = parts[2], sv.dc, strings.Join(parts[:3], "-")
	}
	dc := datacenterEnum[city]
	if dc == "" {
		dc = "rbx8"
	}
	var rng any
	if p := s.lookupPlan(sv.planCode); p != nil && p.Product != "" {
		rng = p.Product
	}
	ip := fmt.Sprintf("51.75.%d.%d", sv.serverID%250+1, sv.serverID%200+10)
	return jsonReply(map[string]any{
		"availabilityZone": az,
		"bootId":           1,
		"bootScript":       nil,
		"commercialRange":  rng,
		"datacenter":       dc,
		"iam":              nil,
		"ip":               ip,
		"linkSpeed":        nil,
		"monitoring":       false,
		"name":             sv.name,
		"newUpgradeSystem": true,
		"noIntervention":   false,
		"os":               "none_64",
		"powerState":       "poweron",
		"professionalUse":  false,
		"rack":             "S" + strings.ToUpper(city) + "01",
		"region":           region,
		"rescueMail":       nil,
		"rescueSshKey":     nil,
		"reverse":          sv.name,
		"rootDevice":       nil,
		"serverId":         sv.serverID,
		"state":            "ok",
		"supportLevel":     "critical",
	})
}

// renewPeriods are the renewal periods offered for an eco server, in months
// (services.Service.possibleRenewPeriod; uncertain: the simulator's choice).
var renewPeriods = []int64{1, 3, 6, 12}

// serviceStatus is services.Service.status (service.StateEnum).
func (sv *server) serviceStatus(now time.Time) string {
	if !now.Before(sv.expiration.AddDate(0, 0, 1)) {
		return "expired"
	}
	return "ok"
}

// getServiceInfos serves GET /dedicated/server/{serviceName}/serviceInfos
// (services.Service).
func (s *Sim) getServiceInfos(c *call) *reply {
	sv, rep := s.serverFor(c)
	if rep != nil {
		return rep
	}
	renewalType := "automaticV2016"
	if !sv.automatic {
		renewalType = "manual"
	}
	return jsonReply(map[string]any{
		"canDeleteAtExpiration": true,
		"contactAdmin":          sv.account,
		"contactBilling":        sv.account,
		"contactTech":           sv.account,
		"creation":              sv.creation.UTC().Format(time.DateOnly),
		"domain":                sv.name,
		"engagedUpTo":           nil,
		"expiration":            sv.expiration.Format(time.DateOnly),
		"possibleRenewPeriod":   renewPeriods,
		"renew": map[string]any{
			"automatic":          sv.automatic,
			"deleteAtExpiration": sv.deleteAtExpiry,
			"forced":             false,
			"manualPayment":      sv.manualPayment,
			"period":             1,
		},
		"renewalType": renewalType,
		"serviceId":   sv.serviceID,
		"status":      sv.serviceStatus(c.now),
	})
}

// accountRoutes registers the after-the-win routes, all signed.
func (s *Sim) accountRoutes() {
	signed := func(h func(*call) *reply) route { return route{signed: true, handler: h} }
	s.handle("GET /me/order/{orderId}/availableRegisteredPaymentMean", signed(s.getPaymentMeans))
	s.handle("POST /me/order/{orderId}/payWithRegisteredPaymentMean", signed(s.payOrder))
	s.handle("GET /me/order/{orderId}/followUp", signed(s.getFollowUp))
	s.handle("GET /me/payment/method", signed(s.listPaymentMethods))
	s.handle("GET /me/payment/method/{paymentMethodId}", signed(s.getPaymentMethod))
	s.handle("GET /dedicated/server", signed(s.listServers))
	s.handle("GET /dedicated/server/{serviceName}", signed(s.getServer))
	s.handle("GET /dedicated/server/{serviceName}/serviceInfos", signed(s.getServiceInfos))
	s.handle("GET /service/{serviceId}/renew", signed(s.getRenew))
	s.handle("POST /service/{serviceId}/renew", signed(s.postRenew))
}

// dateOf is t's date at midnight UTC.
func dateOf(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// addMonths adds n months to t, clamping the day to the target month's
// last day (31 January + 1 month = 28 or 29 February), as billing does.
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}
