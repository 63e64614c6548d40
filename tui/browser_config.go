package tui

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/order"
	"github.com/ovhtui/ovhtui/prefs"
)

// offerConfig configures one offer: one addon per mandatory family, the
// wanted DCs in preference order, and the ceiling.
type offerConfig struct {
	cat      *catalog.Catalog
	offer    *catalog.Offer
	families []*catalog.Family // mandatory ones
	choice   []int             // chosen addon per family

	dcs   []dcChoice
	field int // families, then DCs, then the ceiling

	qty            int
	changing       *prefs.Server // the entry C changes; nil when adding one
	ceiling        lineInput
	ceilingTouched bool

	avail        map[string]map[string]string
	availLoading bool
	availErr     string
	err          string
	// overAsked is the choice (fqn, addons, ceiling) whose price over the
	// ceiling the user was warned of on enter: a second enter saves it.
	overAsked string
}

type dcChoice struct {
	dc, region string
	want       bool
}

// newOfferConfig starts from the defaults, or from entry s when changing it.
func newOfferConfig(c *catalog.Catalog, o *catalog.Offer, s *prefs.Server) *offerConfig {
	cfg := &offerConfig{cat: c, offer: o, qty: 1, ceiling: lineInput{limit: 16}}
	for i := range o.Families {
		f := &o.Families[i]
		if !f.Mandatory || len(f.Addons) == 0 {
			continue
		}
		pick := 0
		for j, a := range f.Addons {
			if a.PlanCode == f.Default {
				pick = j
			}
		}
		if s != nil {
			for j, a := range f.Addons {
				if slices.Contains(s.AddonPlanCodes, a.PlanCode) {
					pick = j
				}
			}
		}
		cfg.families = append(cfg.families, f)
		cfg.choice = append(cfg.choice, pick)
	}
	if s != nil {
		for _, d := range s.Datacenters {
			cfg.dcs = append(cfg.dcs, dcChoice{dc: d.Datacenter, region: d.Region, want: true})
		}
		cfg.qty = s.Units() // what the ceiling covers (a paused entry: its paused qty)
		cfg.changing = s
	}
	for _, dc := range o.Datacenters {
		if !slices.ContainsFunc(cfg.dcs, func(d dcChoice) bool { return d.dc == dc }) {
			cfg.dcs = append(cfg.dcs, dcChoice{dc: dc, region: dcRegion(c, o, dc)})
		}
	}
	if s != nil {
		cfg.ceiling.set(money.CeilingDecimal(s.CeilingUcents()))
		cfg.ceilingTouched = true
	} else {
		cfg.ceiling.set(money.Decimal(cfg.firstInvoice() * int64(cfg.qty)))
	}
	return cfg
}

// dcRegion is the region configuration proposed for a DC of an offer
// (the user changes it with ←/→ on the DC's line). The catalog lists an
// offer's regions, not which DC is in which, and no list of DC codes is
// assumed (OVH adds zone names like eu-west-par-a). In order:
//   - an offer sold in one region: that one;
//   - the region every offer of the catalog sold in one region gives dc
//     (the catalog itself says where the DC is);
//   - a zone name (eu-west-par-a): the offer's region named like its
//     first word ("eu": europe, "ca": canada);
//   - else the region most of the offer's other DCs get from the catalog,
//     or the offer's first region. Uncertain (a DC sold only beside
//     others, like bhs, may get the wrong one): the line shows the region
//     and ←/→ changes it.
func dcRegion(cat *catalog.Catalog, o *catalog.Offer, dc string) string {
	if len(o.Regions) == 0 {
		return ""
	}
	if len(o.Regions) == 1 {
		return o.Regions[0]
	}
	learned := catalogRegion(cat, o)
	if r, ok := learned[dc]; ok {
		return r
	}
	if geo, _, zone := strings.Cut(dc, "-"); zone && len(geo) >= 2 {
		for _, r := range o.Regions {
			if strings.HasPrefix(r, geo) {
				return r
			}
		}
	}
	votes := map[string]int{}
	best := o.Regions[0]
	for _, other := range o.Datacenters {
		if r, ok := learned[other]; ok {
			votes[r]++
			if votes[r] > votes[best] {
				best = r
			}
		}
	}
	return best
}

// catalogRegion maps each DC that the catalog's single-region offers sell
// to that region, when it is one of o's and the catalog agrees with itself.
func catalogRegion(cat *catalog.Catalog, o *catalog.Offer) map[string]string {
	out := map[string]string{}
	if cat == nil {
		return out
	}
	mixed := map[string]bool{}
	for _, other := range cat.Offers {
		if len(other.Regions) != 1 || !slices.Contains(o.Regions, other.Regions[0]) {
			continue
		}
		for _, dc := range other.Datacenters {
			if r, ok := out[dc]; ok && r != other.Regions[0] {
				mixed[dc] = true
			}
			out[dc] = other.Regions[0]
		}
	}
	for dc := range mixed {
		delete(out, dc)
	}
	return out
}

// cycleRegion moves the region of DC choice d to the offer's next (or
// previous) region.
func (c *offerConfig) cycleRegion(d *dcChoice, step int) {
	rs := c.offer.Regions
	if len(rs) < 2 {
		return
	}
	i := slices.Index(rs, d.region)
	d.region = rs[((i+step)%len(rs)+len(rs))%len(rs)]
}

// addons are the chosen addon plan codes, in family order.
func (c *offerConfig) addons() []*catalog.Addon {
	out := make([]*catalog.Addon, len(c.families))
	for i, f := range c.families {
		out[i] = f.Addons[c.choice[i]]
	}
	return out
}

// variant returns the catalog variant of the chosen addons, or nil.
func (c *offerConfig) variant() *catalog.Variant {
	var codes []string
	for _, a := range c.addons() {
		codes = append(codes, a.PlanCode)
	}
	for _, v := range c.offer.Variants {
		if len(v.Addons) != len(codes) {
			continue
		}
		all := true
		for _, a := range v.Addons {
			if !slices.Contains(codes, a) {
				all = false
				break
			}
		}
		if all {
			return v
		}
	}
	return nil
}

// fqn is the chosen variant's fqn (planCode.memory.storage).
func (c *offerConfig) fqn() string {
	if v := c.variant(); v != nil {
		return v.FQN
	}
	var mem, sto string
	for i, f := range c.families {
		a := f.Addons[c.choice[i]]
		switch f.Name {
		case "memory":
			mem = cmpOr(a.Product, a.PlanCode)
		case "storage":
			sto = cmpOr(a.Product, a.PlanCode)
		}
	}
	return catalog.FQN(c.offer.PlanCode, mem, sto)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// price is the price of one unit with the chosen addons.
func (c *offerConfig) price() catalog.Price {
	if v := c.variant(); v != nil {
		return v.Price
	}
	p := c.offer.Price
	for _, a := range c.addons() {
		p = p.Add(a.Price)
	}
	return p
}

func (c *offerConfig) firstInvoice() int64 { return c.price().FirstInvoice() }

// overCeiling reports whether the catalog's first invoice of the choice,
// for all units, is more than the typed ceiling accepts (prefs.Server.Accepts,
// with the skip_validate of the entry being changed), and that total.
func (c *offerConfig) overCeiling() (total int64, over bool) {
	ceil, err := money.Parse(c.ceiling.String())
	if err != nil || ceil == 0 {
		return 0, false // entry() says what is wrong
	}
	total = c.firstInvoice() * int64(c.qty)
	s := prefs.Server{CeilingPrice: money.ToFloat(ceil)}
	if c.changing != nil {
		s.SkipValidate = c.changing.SkipValidate
	}
	return total, !s.Accepts(total)
}

// overWords says the choice costs more than the ceiling.
func (c *offerConfig) overWords(total int64) string {
	return fmt.Sprintf("catalog first invoice %s %s (%d unit(s), excl. tax) is over the ceiling %s: never ordered at that price",
		money.Decimal(total), c.cat.Currency, c.qty, c.ceiling.String())
}

// os is the dedicated_os label: the offer's single (or first) allowed value.
func (c *offerConfig) os() string {
	for _, l := range c.offer.Configs {
		if l.Name == "dedicated_os" && len(l.Values) > 0 {
			return l.Values[0]
		}
	}
	return "none_64.en"
}

func (c *offerConfig) nFields() int      { return len(c.families) + len(c.dcs) + 1 }
func (c *offerConfig) ceilingField() int { return len(c.families) + len(c.dcs) }

// entry is what will be written to preferences.json.
func (c *offerConfig) entry() (newEntry, error) {
	n := newEntry{PlanCode: c.offer.PlanCode, FQN: c.fqn(), OS: c.os(), Qty: c.qty}
	for _, a := range c.addons() {
		n.Addons = append(n.Addons, a.PlanCode)
	}
	for _, d := range c.dcs {
		if d.want {
			n.Datacenters = append(n.Datacenters, prefs.Datacenter{Region: d.region, Datacenter: d.dc})
		}
	}
	if len(n.Datacenters) == 0 {
		return n, fmt.Errorf("choose at least one DC (space on a DC line)")
	}
	ceil, err := money.Parse(c.ceiling.String())
	if err != nil {
		return n, fmt.Errorf("ceiling: %w", err)
	}
	if ceil == 0 {
		return n, fmt.Errorf("ceiling: 0 would never order; set the most you accept to pay")
	}
	n.Ceiling = ceil
	return n, nil
}

func (m Model) updateConfig(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	b := m.browser
	c := b.config
	k := m.keys
	nf := len(c.families)
	switch {
	case msg.String() == "esc":
		b.config = nil
		b.availGen++
		if b.editOnly {
			m.browser = nil
			m.ensureVisible()
		}
		return m, nil
	case key.Matches(msg, k.ListUp):
		c.field = max(c.field-1, 0)
		return m, nil
	case key.Matches(msg, k.ListDown):
		c.field = min(c.field+1, c.nFields()-1)
		return m, nil
	case key.Matches(msg, k.Add):
		return m.saveConfig()
	}
	switch {
	case c.field < nf: // a family
		f := c.families[c.field]
		switch {
		case key.Matches(msg, k.Prev):
			c.choice[c.field] = (c.choice[c.field] + len(f.Addons) - 1) % len(f.Addons)
		case key.Matches(msg, k.Next), msg.String() == "space":
			c.choice[c.field] = (c.choice[c.field] + 1) % len(f.Addons)
		default:
			return m, nil
		}
		if !c.ceilingTouched {
			c.ceiling.set(money.Decimal(c.firstInvoice() * int64(c.qty)))
		}
		c.err = ""
	case c.field < c.ceilingField(): // a DC
		i := c.field - nf
		switch {
		case key.Matches(msg, k.Toggle), msg.String() == "x":
			c.dcs[i].want = !c.dcs[i].want
		case key.Matches(msg, k.Next):
			c.cycleRegion(&c.dcs[i], 1)
		case key.Matches(msg, k.Prev):
			c.cycleRegion(&c.dcs[i], -1)
		case key.Matches(msg, k.MoveUp):
			if i > 0 {
				c.dcs[i], c.dcs[i-1] = c.dcs[i-1], c.dcs[i]
				c.field--
			}
		case key.Matches(msg, k.MoveDn):
			if i < len(c.dcs)-1 {
				c.dcs[i], c.dcs[i+1] = c.dcs[i+1], c.dcs[i]
				c.field++
			}
		}
		c.err = ""
	default: // the ceiling
		if c.ceiling.update(msg) {
			c.ceilingTouched = true
			c.err = ""
		}
	}
	return m, nil
}

// saveConfig queues the new entry (or the change of the edited one).
func (m Model) saveConfig() (tea.Model, tea.Cmd) {
	b := m.browser
	c := b.config
	n, err := c.entry()
	if err != nil {
		c.err = err.Error()
		return m, nil
	}
	if total, over := c.overCeiling(); over {
		choice := n.FQN + "|" + strings.Join(n.Addons, ",") + "|" + c.ceiling.String()
		if c.overAsked != choice {
			c.overAsked = choice
			c.err = "not saved: enter again saves anyway, or raise the ceiling; " + c.overWords(total)
			return m, nil
		}
	}
	label := shortName(c.offer.Name) + " " + shortFQN(n.PlanCode, n.FQN)
	dcs := make([]string, len(n.Datacenters))
	for i, d := range n.Datacenters {
		dcs[i] = d.Datacenter
	}
	if b.editKey == "" {
		n.ID = prefs.NewID(n.PlanCode)
	}
	req := saveReq{
		reason:    fmt.Sprintf("new entry %s in %s, ceiling %s, place_order off", label, strings.Join(dcs, ">"), money.CeilingDecimal(n.Ceiling)),
		change:    addEntry(n),
		selectKey: n.serverKey(),
	}
	if b.editKey != "" {
		req.reason = fmt.Sprintf("entry %s changed: addons %s, DCs %s, ceiling %s", label, strings.Join(n.Addons, ","), strings.Join(dcs, ">"), money.CeilingDecimal(n.Ceiling))
		req.change = changeEntry(b.editKey, n)
	}
	m.browser = nil
	m.logf(slog.LevelInfo, "saving %s…", label)
	m.ensureVisible()
	return m, m.queueSave(req)
}

// view renders the configuration, scrolled so the focused field shows.
func (c *offerConfig) view(st *Styles, width, height int) string {
	o := c.offer
	cur := c.cat.Currency
	title := fmt.Sprintf(" ADD %s (%s) · %s · %s ", shortName(o.Name), o.PlanCode, cpuText(o), orAll(o.Range))
	if e := c.changing; e != nil {
		title = fmt.Sprintf(" CHANGE the entry %s %s (qty %d, place_order %s) · %s ", shortName(o.Name), shortFQN(e.PlanCode, e.FQN), e.Qty, onOff(e.PlaceOrder), cpuText(o))
	}
	lines := []string{st.PaneTitleFocused.Render(fit(title, width))}
	focusLine := 0
	mark := func(i int) string {
		if i == c.field {
			focusLine = len(lines)
			return st.Selected.Render("▸ ")
		}
		return "  "
	}
	for i, f := range c.families {
		a := f.Addons[c.choice[i]]
		choice := fmt.Sprintf("◂ %s ▸", addonLabel(a))
		if len(f.Addons) == 1 {
			choice = "  " + addonLabel(a)
		}
		if i == c.field {
			choice = st.Cursor.Render(choice)
		}
		extra := ""
		if a.Price.Monthly > 0 {
			extra = st.Dim.Render(" +" + money.Decimal(a.Price.Monthly) + "/month")
		}
		lines = append(lines, cut(mark(i)+fit(f.Name, 10)+" "+choice+extra, width))
	}
	p := c.price()
	first := p.FirstInvoice()
	lines = append(lines,
		cut("  fqn       "+c.fqn(), width),
		cut(fmt.Sprintf("  monthly %s · setup %s · first invoice %s %s excl. tax (%s incl. %d%% tax) per unit",
			money.Decimal(p.Monthly), money.Decimal(p.Setup), money.Decimal(first), cur, money.Decimal(p.FirstInvoiceWithTax()), c.cat.TaxRate), width),
		cut(fmt.Sprintf("  %d unit(s): first invoice %s %s (catalog, excl. tax) · ceiling %s for all",
			c.qty, money.Decimal(first*int64(c.qty)), cur, c.ceiling.String()), width),
	)
	availNote := ""
	switch {
	case c.availLoading:
		availNote = " (availability loading…)"
	case c.availErr != "":
		availNote = " (availability: " + c.availErr + ")"
	}
	lines = append(lines, st.Dim.Render(cut("  DCs: space wants it · K/J moves it · the first wanted DC in stock wins"+availNote, width)))
	fqn := c.fqn()
	rank := 0
	regW := 6 // the regions are written in full ("united_states"), never cut into the next column
	var names []string
	for _, d := range c.dcs {
		regW = max(regW, ansi.StringWidth(d.region))
		names = append(names, d.dc)
	}
	dcW := dcWidth(names, 4) // DCs in full (eu-west-par-a): the list has the room
	for i, d := range c.dcs {
		box := "[ ]"
		num := "  "
		if d.want {
			rank++
			box, num = "[x]", fmt.Sprintf("%d.", rank)
		}
		v := ""
		if c.avail != nil {
			v = c.avail[fqn][d.dc]
			if v == "" {
				v = "unknown"
			}
		}
		cl := order.ClassifyAvailability(v, prefs.DefaultMaxDeliveryHours)
		av := fit(availText(v, cl), 8)
		line := mark(len(c.families)+i) + box + " " + fit(num, 3) + fit(d.dc, dcW) + " " + fit(d.region, regW) + " " + availInk(&st.ink, cl).Render(av)
		lines = append(lines, cut(line, width))
	}
	if total, over := c.overCeiling(); over && c.err == "" {
		for _, l := range wrapText("⚠ "+c.overWords(total), max(width-2, 1)) {
			lines = append(lines, st.Danger.Render(cut("  "+l, width)))
		}
	}
	ceilHint := fmt.Sprintf(" %s for all %d unit(s), excl. tax; place_order starts off", cur, c.qty)
	if c.changing != nil {
		ceilHint = fmt.Sprintf(" %s for all %d unit(s), excl. tax (now %s)", cur, c.qty, money.CeilingDecimal(c.changing.CeilingUcents()))
	}
	lines = append(lines, cut(mark(c.ceilingField())+"ceiling   "+c.ceiling.view(st.Input, 12, c.field == c.ceilingField())+st.Dim.Render(ceilHint), width))
	if c.err != "" {
		for _, l := range wrapText(c.err, max(width-2, 1)) {
			lines = append(lines, st.Danger.Render(cut("  "+l, width)))
		}
	}
	if c.changing != nil {
		lines = append(lines, st.Dim.Render(cut("  enter saves the change to this entry (qty, place_order and autopay are kept) · esc goes back", width)))
	} else {
		lines = append(lines, st.Dim.Render(cut("  enter adds it to preferences.json as a new entry, qty 1, place_order off · esc goes back", width)))
	}
	// Scroll so the focused line is visible, keeping the title.
	if len(lines) > height && height > 2 {
		body := lines[1:]
		top := max(min(focusLine-1-(height-1)/2, len(body)-(height-1)), 0)
		lines = append([]string{lines[0]}, body[top:top+height-1]...)
	}
	return padLines(lines, height)
}

func addonLabel(a *catalog.Addon) string {
	return cmpOr(a.Product, a.PlanCode)
}
