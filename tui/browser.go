package tui

import (
	"cmp"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ovhtui/ovhtui/catalog"
	"github.com/ovhtui/ovhtui/history"
	"github.com/ovhtui/ovhtui/money"
	"github.com/ovhtui/ovhtui/prefs"
)

// browser is the catalog browser: a filtered list of the subsidiary's
// offers, then the configuration of the chosen one (offerConfig).
type browser struct {
	cat  *catalog.Catalog
	file *prefs.File

	filter   lineInput
	ranges   []string // "" first: all
	dcs      []string // "" first: all
	rangeIdx int
	dcIdx    int
	sortBy   sortOrder

	rows   []offerRow // every offer, built once per catalog
	shown  []int      // rows passing the filters, sorted
	cursor int
	top    int
	height int
	width  int

	// stock is the restock radar's figures by planCode (nil: no radar);
	// now dates them (radar.go). inStockOnly hides offers not in stock.
	stock       map[string]history.Stock
	now         time.Time
	inStockOnly bool

	config   *offerConfig
	availGen int
	// editKey is the Key of the entry whose addons are changed ("" adds a
	// new entry); editOnly closes the browser when its config closes.
	editKey  string
	editOnly bool
}

type sortOrder int

const (
	sortPriceUp sortOrder = iota
	sortPriceDown
	sortName
	sortInStock  // in stock now first, then the latest back (restock radar)
	sortRestocks // most restocks in 30 days first (restock radar)
	sortOrders
)

func (s sortOrder) String() string {
	switch s {
	case sortPriceDown:
		return "price ↓"
	case sortName:
		return "name"
	case sortInStock:
		return "in stock"
	case sortRestocks:
		return "restocks"
	}
	return "price ↑"
}

// offerRow is an offer as listed, with its texts computed once.
type offerRow struct {
	offer   *catalog.Offer
	name    string
	cpu     string
	memory  string
	storage string
	monthly int64 // cheapest variant's monthly price
	search  string
}

func newBrowser(c *catalog.Catalog, f *prefs.File, w, h int) *browser {
	b := &browser{file: f, filter: lineInput{limit: 40}}
	b.setCatalog(c)
	b.setSize(w, h)
	return b
}

func (b *browser) setSize(w, h int) { b.width, b.height = w, h; b.clampCursor() }

func (b *browser) setFile(f *prefs.File) { b.file = f }

// setCatalog (re)builds the rows for a catalog.
func (b *browser) setCatalog(c *catalog.Catalog) {
	if c == nil || c == b.cat {
		return
	}
	b.cat = c
	b.rows = b.rows[:0]
	ranges, dcs := map[string]bool{}, map[string]bool{}
	for _, o := range c.Offers {
		r := offerRow{
			offer:   o,
			name:    shortName(o.Name),
			cpu:     cpuText(o),
			memory:  familyText(o, "memory"),
			storage: familyText(o, "storage"),
			monthly: cheapestMonthly(o),
		}
		if r.name == "" {
			r.name = o.PlanCode
		}
		r.search = strings.ToLower(strings.Join([]string{r.name, o.Name, o.PlanCode, r.cpu, r.memory, r.storage, o.Range}, " "))
		b.rows = append(b.rows, r)
		if o.Range != "" {
			ranges[o.Range] = true
		}
		for _, dc := range o.Datacenters {
			dcs[dc] = true
		}
	}
	tellApart(b.rows)
	b.ranges = append([]string{""}, sortedKeys(ranges)...)
	b.dcs = append([]string{""}, sortedKeys(dcs)...)
	b.rangeIdx = min(b.rangeIdx, len(b.ranges)-1)
	b.dcIdx = min(b.dcIdx, len(b.dcs)-1)
	b.apply()
}

// tellApart adds to the names shared by several offers what tells them
// apart: their DCs when those differ ("KS-A syd"), else their planCode.
func tellApart(rows []offerRow) {
	byName := map[string][]int{}
	for i, r := range rows {
		byName[r.name] = append(byName[r.name], i)
	}
	for _, idx := range byName {
		if len(idx) < 2 {
			continue
		}
		dcSets := map[string]bool{}
		for _, i := range idx {
			dcSets[strings.Join(rows[i].offer.Datacenters, ",")] = true
		}
		for _, i := range idx {
			tag, full := rows[i].offer.PlanCode, ""
			if dcs := rows[i].offer.Datacenters; len(dcSets) == len(idx) && len(dcs) > 0 {
				tag, full = shortDC(dcs[0], maxDCColWidth), dcs[0] // "KS-A syd", "KS-A bhs+5", "KS-1 par-a+6"
				if len(dcs) > 1 {
					tag += "+" + strconv.Itoa(len(dcs)-1)
				}
			}
			rows[i].name += " " + tag
			rows[i].search += " " + strings.ToLower(tag) + " " + strings.ToLower(full)
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// apply recomputes the shown rows from the filters and the sort.
func (b *browser) apply() {
	q := strings.Fields(strings.ToLower(b.filter.String()))
	rng, dc := b.ranges[b.rangeIdx], b.dcs[b.dcIdx]
	b.shown = b.shown[:0]
	for i, r := range b.rows {
		if rng != "" && r.offer.Range != rng {
			continue
		}
		if dc != "" && !slices.Contains(r.offer.Datacenters, dc) {
			continue
		}
		if b.inStockOnly && !b.stock[r.offer.PlanCode].InStockNow() {
			continue
		}
		ok := true
		for _, w := range q {
			if !strings.Contains(r.search, w) {
				ok = false
				break
			}
		}
		if ok {
			b.shown = append(b.shown, i)
		}
	}
	slices.SortStableFunc(b.shown, func(x, y int) int {
		rx, ry := &b.rows[x], &b.rows[y]
		switch b.sortBy {
		case sortPriceDown:
			return cmp.Or(cmp.Compare(ry.monthly, rx.monthly), cmp.Compare(rx.offer.PlanCode, ry.offer.PlanCode))
		case sortName:
			return cmp.Or(cmp.Compare(rx.name, ry.name), cmp.Compare(rx.offer.PlanCode, ry.offer.PlanCode))
		case sortInStock:
			sx, sy := b.stock[rx.offer.PlanCode], b.stock[ry.offer.PlanCode]
			return cmp.Or(-cmpBool(sx.InStockNow(), sy.InStockNow()), -sx.LastOut.Compare(sy.LastOut),
				cmp.Compare(rx.monthly, ry.monthly), cmp.Compare(rx.offer.PlanCode, ry.offer.PlanCode))
		case sortRestocks:
			sx, sy := b.stock[rx.offer.PlanCode], b.stock[ry.offer.PlanCode]
			return cmp.Or(cmp.Compare(sy.Restocks, sx.Restocks), cmp.Compare(rx.monthly, ry.monthly), cmp.Compare(rx.offer.PlanCode, ry.offer.PlanCode))
		}
		return cmp.Or(cmp.Compare(rx.monthly, ry.monthly), cmp.Compare(rx.offer.PlanCode, ry.offer.PlanCode))
	})
	b.clampCursor()
}

// listRows is how many offers fit under the list's title lines.
func (b *browser) listRows() int { return max(b.height-3, 1) }

func (b *browser) clampCursor() {
	b.cursor = min(max(b.cursor, 0), max(len(b.shown)-1, 0))
	rows := b.listRows()
	if b.cursor < b.top {
		b.top = b.cursor
	}
	if b.cursor >= b.top+rows {
		b.top = b.cursor - rows + 1
	}
	b.top = max(min(b.top, len(b.shown)-rows), 0)
}

// openBrowser opens the catalog browser; with an entry, it goes straight to
// that entry's offer to change its addons, DCs and ceiling.
func (m Model) openBrowser(s *prefs.Server) (tea.Model, tea.Cmd) {
	m.browser = newBrowser(m.cat, m.file, m.layout.width, m.bodyHeight())
	m.browser.stock, m.browser.now = m.radar.offers, m.now // the restock radar (radar.go)
	if m.deps.History != nil && m.browser.stock == nil {
		m.browser.stock = map[string]history.Stock{} // the column shows while the first figures load
	}
	m.browser.apply()
	if s == nil {
		return m, nil
	}
	o := findOffer(m.cat, s.PlanCode)
	if o == nil {
		m.browser = nil
		if m.cat == nil {
			m.logf(slog.LevelWarn, "the catalog is not loaded yet: press r to load it")
		} else {
			m.logf(slog.LevelWarn, "%s is not in the %s catalog", s.PlanCode, m.cat.Subsidiary)
		}
		return m, nil
	}
	if s.OrderAttempted {
		m.browser = nil
		m.logf(slog.LevelWarn, "not now: %v", errEntryBusy)
		return m, nil
	}
	m.browser.editKey, m.browser.editOnly = s.Key(), true
	return m, m.openConfig(o, s)
}

// openConfig starts configuring an offer and asks for its availability.
func (m *Model) openConfig(o *catalog.Offer, s *prefs.Server) tea.Cmd {
	b := m.browser
	b.config = newOfferConfig(m.cat, o, s)
	b.availGen++
	if m.deps.Availability == nil {
		b.config.availErr = "availability not available"
		return nil
	}
	b.config.availLoading = true
	return availabilityCmd(m.ctx, m.deps.Availability, b.availGen, o.PlanCode)
}

func (b *browser) setAvailability(msg availMsg) {
	if b.config == nil || msg.gen != b.availGen {
		return // stale reply
	}
	b.config.availLoading = false
	if msg.err != nil {
		b.config.availErr = msg.err.Error()
		return
	}
	b.config.avail = msg.data
}

func (m Model) updateBrowser(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	b := m.browser
	if b.config != nil {
		return m.updateConfig(msg)
	}
	k := m.keys
	switch {
	case msg.String() == "esc":
		m.browser = nil
		m.ensureVisible()
		return m, nil
	case b.cat == nil:
		if msg.String() == "r" {
			return m.refreshCatalog()
		}
		return m, nil
	case key.Matches(msg, k.ListUp):
		b.cursor--
		b.clampCursor()
	case key.Matches(msg, k.ListDown):
		b.cursor++
		b.clampCursor()
	case msg.String() == "pgup":
		b.cursor -= b.listRows()
		b.clampCursor()
	case msg.String() == "pgdown":
		b.cursor += b.listRows()
		b.clampCursor()
	case key.Matches(msg, k.RangeFilter):
		b.rangeIdx = (b.rangeIdx + 1) % len(b.ranges)
		b.apply()
	case key.Matches(msg, k.DCFilter):
		b.dcIdx = (b.dcIdx + 1) % len(b.dcs)
		b.apply()
	case key.Matches(msg, k.Sort):
		n := sortInStock // the radar's orders only with the radar
		if b.stock != nil {
			n = sortOrders
		}
		b.sortBy = (b.sortBy + 1) % n
		b.apply()
	case key.Matches(msg, k.OfferHistory):
		return m.openOfferHistory()
	case key.Matches(msg, k.StockFilter) && b.stock != nil:
		b.inStockOnly = !b.inStockOnly
		b.cursor, b.top = 0, 0
		b.apply()
	case key.Matches(msg, k.Choose):
		if len(b.shown) == 0 {
			return m, nil
		}
		return m, m.openConfig(b.rows[b.shown[b.cursor]].offer, nil)
	default:
		if b.filter.update(msg) {
			b.cursor, b.top = 0, 0
			b.apply()
		}
	}
	return m, nil
}

// view renders the browser in width x height.
func (b *browser) view(st *Styles, width, height int) string {
	if b.cat == nil {
		lines := []string{
			st.PaneTitleFocused.Render(fit(" catalog browser ", width)),
			"",
			cut("  The catalog is not loaded yet. Press r to load it, esc to go back.", width),
		}
		return padLines(lines, height)
	}
	if b.config != nil {
		return b.config.view(st, width, height)
	}
	rng, dc := orAll(b.ranges[b.rangeIdx]), orAll(b.dcs[b.dcIdx])
	title := fmt.Sprintf(" catalog %s · %d/%d offers · range %s · DC %s · sort %s ", b.cat.Subsidiary, len(b.shown), len(b.rows), rng, dc, b.sortBy)
	if b.inStockOnly {
		title += "· in stock only "
	}
	lines := []string{
		st.PaneTitleFocused.Render(fit(title, width)),
		"filter: " + b.filter.view(st.Input, max(min(width-8, 40), 1), true),
	}
	c := browserCols(width, b.stock != nil)
	header := "  " + fit("name", c.name) + " " + fit("cpu", c.cpu) + " " + fit("memory", c.memory) + " " + fit("storage", c.storage) + " " + fitRight(b.cat.Currency+"/mo", c.price)
	if c.stock > 0 {
		title := "in stock / last"
		if c.stock >= 22 {
			title = "in stock now / last"
		}
		header += " " + fit(title, c.stock)
	}
	if c.plan > 0 {
		header += " " + fit("planCode", c.plan)
	}
	lines = append(lines, st.ColumnTitle.Render(fit(header, width)))
	end := min(b.top+b.listRows(), len(b.shown))
	for i := b.top; i < end; i++ {
		r := &b.rows[b.shown[i]]
		line := fit(r.name, c.name) + " " + fit(r.cpu, c.cpu) + " " + fit(r.memory, c.memory) + " " +
			fit(r.storage, c.storage) + " " + fitRight(money.Decimal(r.monthly), c.price)
		if c.stock > 0 {
			stock, known := b.stock[r.offer.PlanCode]
			text, now := stockText(stock, known, b.now)
			cell := fit(text, c.stock)
			if now && i != b.cursor {
				cell = st.StatusOK.Render(cell) // in stock now
			}
			line += " " + cell
		}
		if c.plan > 0 {
			line += " " + fit(r.offer.PlanCode, c.plan)
		}
		if i == b.cursor {
			lines = append(lines, st.Selected.Render("▸ ")+st.Cursor.Render(line))
		} else {
			lines = append(lines, "  "+line)
		}
	}
	if len(b.shown) == 0 {
		lines = append(lines, st.Dim.Render(cut("  no offer matches: change the filter (ctrl+u clears it)", width)))
	}
	return padLines(lines, height)
}

type browserColumns struct{ name, cpu, memory, storage, price, stock, plan int }

// browserCols lays the list out in w; radar adds the stock column.
func browserCols(w int, radar bool) browserColumns {
	c := browserColumns{price: 8}
	rest := w - 2 - c.price - 4
	if radar {
		c.stock = 15
		if w >= 110 {
			c.stock = 22
		}
		rest -= c.stock + 1
	}
	if w >= 110 {
		c.plan = 16
		rest -= c.plan + 1
	}
	c.name = max(rest*18/100, 12)
	c.cpu = rest*48/100 - c.name
	c.memory = rest * 20 / 100
	c.storage = rest - c.name - c.cpu - c.memory
	return c
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func orAll(s string) string {
	if s == "" {
		return "all"
	}
	return s
}

// padLines joins lines and pads them to exactly height lines.
func padLines(lines []string, height int) string {
	if len(lines) > height {
		lines = lines[:height]
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// cpuText is "Xeon-E 2386G 6c/12t 3.5GHz", from what the catalog says.
func cpuText(o *catalog.Offer) string {
	model := strings.TrimSpace(o.CPU.Model)
	if model == "" {
		if _, after, ok := strings.Cut(o.Name, " | "); ok {
			model = after
		}
	}
	var parts []string
	if model != "" {
		parts = append(parts, model)
	}
	if o.CPU.Cores > 0 {
		ct := fmt.Sprintf("%dc", o.CPU.Cores)
		if o.CPU.Threads > 0 {
			ct += fmt.Sprintf("/%dt", o.CPU.Threads)
		}
		parts = append(parts, ct)
	}
	if o.CPU.Frequency > 0 {
		parts = append(parts, fmt.Sprintf("%.1fGHz", o.CPU.Frequency))
	}
	return strings.Join(parts, " ")
}

// familyText lists the options of a family briefly ("32g,64g").
func familyText(o *catalog.Offer, family string) string {
	for _, f := range o.Families {
		if f.Name != family {
			continue
		}
		var parts []string
		for _, a := range f.Addons {
			parts = append(parts, addonShort(a))
		}
		slices.SortStableFunc(parts, func(x, y string) int { return cmp.Compare(leadingInt(x), leadingInt(y)) })
		return strings.Join(parts, ",")
	}
	return ""
}

// addonShort is the distinctive part of an addon ("32g", "2x450nvme").
func addonShort(a *catalog.Addon) string {
	p := a.Product
	if p == "" {
		p = a.PlanCode
	}
	return shortFQN("x", "x."+p)
}

// leadingInt is the number a text starts with ("128g" -> 128), 0 if none.
func leadingInt(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// cheapestMonthly is the monthly price of the offer's cheapest variant (or
// of the plan with its default addons).
func cheapestMonthly(o *catalog.Offer) int64 {
	best := int64(-1)
	for _, v := range o.Variants {
		if best < 0 || v.Price.Monthly < best {
			best = v.Price.Monthly
		}
	}
	if best >= 0 {
		return best
	}
	total := o.Price.Monthly
	for _, f := range o.Families {
		if !f.Mandatory {
			continue
		}
		for _, a := range f.Addons {
			if a.PlanCode == f.Default || (f.Default == "" && a == f.Addons[0]) {
				total += a.Price.Monthly
				break
			}
		}
	}
	return total
}
