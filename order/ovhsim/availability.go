package ovhsim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Availability values of GET /dedicated/server/datacenter/availabilities.
const (
	AvailUnavailable = "unavailable"
	AvailUnknown     = "unknown"
	AvailComingSoon  = "comingSoon"
	Avail1HHigh      = "1H-high"
	Avail1HLow       = "1H-low"
	Avail24H         = "24H"
	Avail72H         = "72H"
	Avail120H        = "120H"
	Avail240H        = "240H"
	Avail480H        = "480H"
	Avail720H        = "720H"
	Avail1440H       = "1440H"
	Avail2160H       = "2160H"
)

// orderableValues are the delivery windows for which checkout accepts an
// fqn in a DC. Any other value (unavailable, unknown, comingSoon, or a
// value the simulator does not know) makes checkout refuse.
var orderableValues = map[string]bool{
	Avail1HHigh: true, Avail1HLow: true, Avail24H: true, Avail72H: true, Avail120H: true,
	Avail240H: true, Avail480H: true, Avail720H: true, Avail1440H: true, Avail2160H: true,
}

// IsOrderable reports whether an availability value is a delivery window
// the simulator's checkout accepts.
func IsOrderable(value string) bool { return orderableValues[value] }

// realFeedSize is about how many entries the real unfiltered feed holds.
const realFeedSize = 9000

type availKey struct{ fqn, dc string }

// availEntry is one entry of the feed; padding entries carry their own
// static values, catalog entries read s.avail.
type availEntry struct {
	fqn, planCode, server, memory, storage, systemStorage string
	dcs                                                   []string
	static                                                []string // padding only: one value per dc
}

type availDCJSON struct {
	Datacenter   string `json:"datacenter"`
	Availability string `json:"availability"`
}

type availJSON struct {
	FQN           string        `json:"fqn"`
	PlanCode      string        `json:"planCode"`
	Server        string        `json:"server"`
	Memory        string        `json:"memory"`
	Storage       string        `json:"storage"`
	SystemStorage string        `json:"systemStorage,omitempty"`
	Datacenters   []availDCJSON `json:"datacenters"`
}

func (s *Sim) initAvailability() {
	for _, v := range s.cat.variants() {
		if _, dup := s.entryByFQN[v.fqn()]; dup {
			continue
		}
		e := &availEntry{fqn: v.fqn(), planCode: v.planCode, server: v.server, memory: v.memory,
			storage: v.storage, systemStorage: v.systemStorage, dcs: slices.Clone(v.dcs)}
		s.entries = append(s.entries, e)
		s.entryByFQN[e.fqn] = e
	}
	if !s.opts.NoPadding {
		s.padding, s.padJSON = paddingFor(realFeedSize - len(s.entries))
	}
}

var (
	padMu    sync.Mutex
	padCache = map[int]paddingData{}
)

type paddingData struct {
	entries []*availEntry
	json    []byte
}

// paddingFor builds n deterministic synthetic entries for plans the
// catalog does not sell (the real feed lists every dedicated range and
// region), with their pre-encoded JSON. Cached per n: it does not depend on
// the catalog beyond the count, and planCodes start with "sim" so they
// never collide with a real one.
func paddingFor(n int) ([]*availEntry, []byte) {
	if n <= 0 {
		return nil, nil
	}
	padMu.Lock()
	defer padMu.Unlock()
	if p, ok := padCache[n]; ok {
		return p.entries, p.json
	}
	// DC codes of the schema's dedicated.AvailabilityDatacenterEnum only.
	dcPool := []string{"bhs", "fra", "gra", "hil", "lon", "rbx", "sbg", "sgp", "syd", "vin", "waw", "ynm"}
	values := []string{AvailUnavailable, AvailUnavailable, AvailUnavailable, AvailUnavailable, AvailUnavailable,
		AvailUnavailable, Avail72H, Avail240H, Avail1440H, AvailComingSoon, AvailUnknown, Avail1HLow, Avail24H}
	mems := []string{"ram-16g-ecc-2133", "ram-32g-ecc-2400", "ram-64g-ecc-2666", "ram-128g-ecc-2933", "ram-256g-ecc-3200", "ram-512g-ecc-3200"}
	stors := []string{"softraid-2x480ssd", "softraid-2x960nvme", "softraid-2x2000sa", "softraid-4x4000sa", "softraid-3x1920nvme", "hybridsoftraid-2x6000sa-1x512nvme", "softraid-4x12000sas"}
	rng := uint64(0x9e3779b97f4a7c15)
	next := func() uint64 {
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		return rng
	}
	var entries []*availEntry
	var buf bytes.Buffer
	for i := 0; len(entries) < n; i++ {
		plan := fmt.Sprintf("sim%02dpad%03d", 17+i%9, i/9)
		for _, m := range mems {
			for _, st := range stors {
				if len(entries) >= n || next()%3 == 0 {
					continue
				}
				k := 3 + int(next()%10)
				start := int(next() % uint64(len(dcPool)))
				e := &availEntry{planCode: plan, server: plan, memory: m, storage: st}
				e.fqn = plan + "." + m + "." + st
				for j := 0; j < k; j++ {
					e.dcs = append(e.dcs, dcPool[(start+j)%len(dcPool)])
					e.static = append(e.static, values[next()%uint64(len(values))])
				}
				entries = append(entries, e)
			}
		}
	}
	for i, e := range entries {
		if i > 0 {
			buf.WriteByte(',')
		}
		b, _ := json.Marshal(e.toJSON(nil))
		buf.Write(b)
	}
	padCache[n] = paddingData{entries, buf.Bytes()}
	return entries, buf.Bytes()
}

// toJSON renders the entry; dcFilter (nil: all) keeps only the DCs it
// accepts. lookup gives a catalog entry's current value.
func (e *availEntry) toJSON(lookup func(fqn, dc string) string, dcFilter ...func(string) bool) availJSON {
	out := availJSON{FQN: e.fqn, PlanCode: e.planCode, Server: e.server, Memory: e.memory,
		Storage: e.storage, SystemStorage: e.systemStorage, Datacenters: []availDCJSON{}}
	for i, dc := range e.dcs {
		if len(dcFilter) > 0 && dcFilter[0] != nil && !dcFilter[0](dc) {
			continue
		}
		v := AvailUnavailable
		if e.static != nil {
			v = e.static[i]
		} else if lookup != nil {
			v = lookup(e.fqn, dc)
		}
		out.Datacenters = append(out.Datacenters, availDCJSON{Datacenter: dc, Availability: v})
	}
	return out
}

// availabilityLocked is the value of fqn in dc, stock taken into account.
func (s *Sim) availabilityLocked(fqn, dc string) string {
	k := availKey{fqn, dc}
	v, ok := s.avail[k]
	if !ok {
		return AvailUnavailable
	}
	if n, ok := s.stock[k]; ok && n <= 0 && orderableValues[v] {
		return AvailUnavailable
	}
	return v
}

// SetAvailability sets the availability of fqn (planCode.memory.storage) in
// dc. An fqn or DC the catalog does not list is added to the feed (the
// synthetic padding entries, planCodes "sim..", are static: setting one
// adds a second entry).
func (s *Sim) SetAvailability(fqn, dc, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setAvailabilityLocked(fqn, dc, value)
}

func (s *Sim) setAvailabilityLocked(fqn, dc, value string) {
	e := s.entryByFQN[fqn]
	if e == nil {
		parts := strings.SplitN(fqn, ".", 3)
		for len(parts) < 3 {
			parts = append(parts, "")
		}
		e = &availEntry{fqn: fqn, planCode: parts[0], server: parts[0], memory: parts[1], storage: parts[2]}
		s.entries = append(s.entries, e)
		s.entryByFQN[fqn] = e
	}
	if !slices.Contains(e.dcs, dc) {
		e.dcs = append(e.dcs, dc)
	}
	s.avail[availKey{fqn, dc}] = value
	s.feedCache = nil
}

// Availability returns the current availability of fqn in dc as the feed
// shows it ("unavailable" by default).
func (s *Sim) Availability(fqn, dc string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyTimelineLocked(s.now())
	return s.availabilityLocked(fqn, dc)
}

// SetStock limits how many orders of fqn in dc checkout accepts: each
// successful checkout takes its quantity off; at 0 the feed shows
// "unavailable" and checkout refuses. A negative n removes the limit
// (the default: stock is not modelled).
func (s *Sim) SetStock(fqn, dc string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 0 {
		delete(s.stock, availKey{fqn, dc})
	} else {
		s.stock[availKey{fqn, dc}] = n
	}
	s.feedCache = nil
}

// Step is one scripted availability change: At is the offset from the
// moment SetTimeline is called.
type Step struct {
	At    time.Duration `json:"at"`
	FQN   string        `json:"fqn"`
	DC    string        `json:"datacenter"`
	Value string        `json:"availability"`
}

type timedStep struct {
	at time.Time
	Step
}

// SetTimeline replaces the scripted timeline. Steps are applied lazily, at
// each request or Availability call, once the simulator's clock reaches
// them (no goroutine needed; with a real clock RunTimeline applies them on
// time even without requests).
func (s *Sim) SetTimeline(steps []Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.timeline = s.timeline[:0]
	for _, st := range steps {
		s.timeline = append(s.timeline, timedStep{at: now.Add(st.At), Step: st})
	}
	slices.SortStableFunc(s.timeline, func(a, b timedStep) int { return a.at.Compare(b.at) })
	s.applyTimelineLocked(now)
}

// ApplyTimeline applies the timeline steps that are due now.
func (s *Sim) ApplyTimeline() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyTimelineLocked(s.now())
}

// RunTimeline applies due timeline steps every tick until ctx ends.
func (s *Sim) RunTimeline(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.ApplyTimeline()
		}
	}
}

func (s *Sim) applyTimelineLocked(now time.Time) {
	n := 0
	for n < len(s.timeline) && !s.timeline[n].at.After(now) {
		st := s.timeline[n]
		s.setAvailabilityLocked(st.FQN, st.DC, st.Value)
		n++
	}
	if n > 0 {
		s.timeline = s.timeline[n:]
	}
}

// getAvailabilities serves GET /dedicated/server/datacenter/availabilities.
//
// Filters: planCode, server, memory, storage (exact match, one value each:
// whether OVH accepts a comma list there is unknown, so the simulator does
// not — stricter), datacenters (comma list) and excludeDatacenters (bool).
// As OVH documents it, excludeDatacenters=true returns every DC except the
// listed ones; otherwise an entry's datacenters are cut down to the listed
// ones. Entries left with no DC are dropped. gpu and systemStorage are
// accepted and ignored. Nothing left: 404 "No availabilities found".
func (s *Sim) getAvailabilities(c *call) *reply {
	q := c.r.URL.Query()
	for k := range q {
		switch k {
		case "planCode", "server", "memory", "storage", "datacenters", "excludeDatacenters", "gpu", "systemStorage":
		default:
			return errReply(badRequest("Invalid parameter: %s", k))
		}
	}
	exclude := false
	if v := q.Get("excludeDatacenters"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errReply(badRequest("[excludeDatacenters] Given data (%s) is not valid for type boolean", v))
		}
		exclude = b
	}
	planCode, server, memory, storage := q.Get("planCode"), q.Get("server"), q.Get("memory"), q.Get("storage")
	var dcs []string
	if v := q.Get("datacenters"); v != "" {
		for _, d := range strings.Split(v, ",") {
			if d = strings.TrimSpace(d); d != "" {
				dcs = append(dcs, d)
			}
		}
	}
	unfiltered := planCode == "" && server == "" && memory == "" && storage == "" && len(dcs) == 0
	if unfiltered {
		if s.feedCache == nil {
			s.feedCache = s.encodeFeedLocked()
		}
		return &reply{status: 200, body: s.feedCache}
	}
	var dcFilter func(string) bool
	if len(dcs) > 0 {
		dcFilter = func(dc string) bool { return slices.Contains(dcs, dc) != exclude }
	}
	lookup := s.availabilityLocked
	var out []availJSON
	match := func(e *availEntry) {
		if planCode != "" && e.planCode != planCode || server != "" && e.server != server ||
			memory != "" && e.memory != memory || storage != "" && e.storage != storage {
			return
		}
		j := e.toJSON(lookup, dcFilter)
		if len(j.Datacenters) == 0 {
			return
		}
		out = append(out, j)
	}
	for _, e := range s.entries {
		match(e)
	}
	for _, e := range s.padding {
		match(e)
	}
	if len(out) == 0 {
		return errReply(notFound("No availabilities found"))
	}
	return jsonReply(out)
}

// encodeFeedLocked encodes the unfiltered feed: the catalog entries, then
// the pre-encoded padding.
func (s *Sim) encodeFeedLocked() []byte {
	var buf bytes.Buffer
	buf.Grow(len(s.padJSON) + len(s.entries)*400 + 2)
	buf.WriteByte('[')
	for i, e := range s.entries {
		if i > 0 {
			buf.WriteByte(',')
		}
		b, _ := json.Marshal(e.toJSON(s.availabilityLocked))
		buf.Write(b)
	}
	if len(s.padJSON) > 0 {
		if len(s.entries) > 0 {
			buf.WriteByte(',')
		}
		buf.Write(s.padJSON)
	}
	buf.WriteByte(']')
	return buf.Bytes()
}
