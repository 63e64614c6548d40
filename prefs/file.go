// Package prefs reads, validates and writes preferences.json, the file that
// says what ovhtui buys and records what it did.
//
// Data flow: Load parses the file into a File (typed fields plus every key
// this version does not know, in file order); Validate lists problems as
// "path: message"; a Store owns the file while ovhtui runs (exclusive lock,
// serialized atomic saves, merge of external edits) and is the only writer.
// Marshal writes the keys back in their original order, 2-space indented.
package prefs

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/ovhtui/ovhtui/money"
)

// DefaultMaxDeliveryHours is used when an entry has no max_delivery_hours.
const DefaultMaxDeliveryHours = 72

// File is the content of preferences.json.
type File struct {
	// Subsidiary is the OVH subsidiary orders are placed with (upper case, e.g. "IE").
	Subsidiary string
	// Servers are the entries of user_servers, in file order.
	Servers []Server

	raw rawObject
	// form is how the file was written (byte order mark, line ends),
	// kept by Marshal.
	form textForm
}

// textForm is what Marshal keeps of how the file was written beyond its
// keys and values: a UTF-8 byte order mark and CRLF line ends (some
// Windows editors write both). The indentation is not kept: Marshal writes
// 2 spaces.
type textForm struct {
	bom  bool
	crlf bool
}

// byteOrderMark is the UTF-8 byte order mark some editors start files with.
var byteOrderMark = []byte("\xef\xbb\xbf")

// formOf says how data is written: a byte order mark, and CRLF when its
// first line ends so.
func formOf(data []byte) textForm {
	form := textForm{bom: bytes.HasPrefix(data, byteOrderMark)}
	if i := bytes.IndexByte(data, '\n'); i > 0 && data[i-1] == '\r' {
		form.crlf = true
	}
	return form
}

// apply writes out, as Marshal makes it (LF, no byte order mark), in form.
func (form textForm) apply(out []byte) []byte {
	if form.crlf {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte("\r\n")) // JSON strings hold no raw newline
	}
	if form.bom {
		out = append(slices.Clip(byteOrderMark), out...)
	}
	return out
}

// Datacenter is one element of an entry's datacenters list.
type Datacenter struct {
	Region     string // region, e.g. "europe"
	Datacenter string // dedicated_datacenter, e.g. "fra"

	raw rawObject
}

// Server is one entry of user_servers: one server model to buy.
type Server struct {
	// ID is the entry's identity, written by ovhtui the first time it sees
	// the entry ("" until then; see Key and lifecycle.go).
	ID             string
	PlanCode       string
	FQN            string
	SkipValidate   bool
	PlaceOrder     bool
	Autopay        bool
	Coupons        []string
	FetchCatalog   *StringMap // nil when absent
	Datacenters    []Datacenter
	Labels         StringMap
	AddonPlanCodes []string
	Qty            int
	// CeilingPrice is the maximum first-invoice total excluding tax, in the
	// subsidiary's currency, for all Qty units.
	CeilingPrice float64
	DCCarts      DCCarts

	// MaxDeliveryHours bounds the delivery window accepted as orderable;
	// nil means DefaultMaxDeliveryHours.
	MaxDeliveryHours  *int
	WaiveRetractation bool

	OrderAttempted   bool
	OrderAttemptedAt time.Time
	OrderAttemptedIn string
	// OrderAttemptedQty is the qty the latch took away, restored when OVH
	// refuses the checkout for good.
	OrderAttemptedQty int
	// OrderAttemptedCart is the cart whose checkout was attempted.
	OrderAttemptedCart string

	OrderedAt  time.Time
	OrderedIn  string
	OrderID    int64
	OrderURL   string
	OrderError string

	// PausedQty is the qty of an entry the user paused (qty is 0 while
	// paused; resuming sets it back). 0 when not paused. See lifecycle.go.
	PausedQty int
	// RetiredQty is the qty an entry had when ovhtui retired it over its
	// ceiling (qty and ceiling_price 0), which bringing it back restores.
	RetiredQty int

	raw rawObject
}

// DCCart is what ovhtui keeps of the cart prepared for one DC of an entry.
type DCCart struct {
	DC         string    // the dc_carts key
	CartID     string    // cartId
	CartExpire time.Time // cartExpire
	ItemIDs    []int64   // itemIds: the eco item first, then its options
	Summary    *Summary  // last validated summary, nil when never validated

	raw    rawObject
	keyLit []byte // the dc_carts key as written (see rawField.Lit)
}

// Summary is the last validated price of a cart.
type Summary struct {
	// WithoutTaxUcents is the first-invoice total excluding tax, in 1e-8 of the currency.
	WithoutTaxUcents int64
	WithTaxUcents    int64
	Currency         string
	Text             string
	ValidatedAt      time.Time

	raw rawObject
}

// DCCarts is the dc_carts object, in file order.
type DCCarts []DCCart

// Get returns the cart kept for dc.
func (c DCCarts) Get(dc string) (DCCart, bool) {
	for _, x := range c {
		if x.DC == dc {
			return x, true
		}
	}
	return DCCart{}, false
}

// Set replaces or appends the cart of cart.DC, keeping unknown keys of the
// replaced one.
func (c *DCCarts) Set(cart DCCart) {
	for i := range *c {
		if (*c)[i].DC == cart.DC {
			if cart.raw == nil {
				cart.raw = (*c)[i].raw
			}
			if cart.keyLit == nil {
				cart.keyLit = (*c)[i].keyLit
			}
			(*c)[i] = cart
			return
		}
	}
	*c = append(*c, cart)
}

// Delete removes the cart of dc. It builds a new slice, so copies of c
// made before are left as they were.
func (c *DCCarts) Delete(dc string) {
	out := make(DCCarts, 0, len(*c))
	for _, x := range *c {
		if x.DC != dc {
			out = append(out, x)
		}
	}
	*c = out
}

// StringMap is a JSON object of strings that keeps its key order. A copy
// of a StringMap value shares its content: use Clone before changing a copy.
type StringMap struct {
	keys []string
	vals map[string]string
	// lits keeps the key and the value of each entry as written in the
	// file, written back while the value is unchanged (see rawField.Lit).
	lits map[string]literal
}

// literal is an entry of a StringMap as written: key and value, quotes
// included.
type literal struct{ key, val []byte }

// Get returns the value of key.
func (m StringMap) Get(key string) (string, bool) {
	v, ok := m.vals[key]
	return v, ok
}

// Set sets key, appending it when new.
func (m *StringMap) Set(key, val string) {
	if m.vals == nil {
		m.vals = map[string]string{}
	}
	old, ok := m.vals[key]
	if !ok {
		m.keys = append(m.keys, key)
	}
	if ok && old != val {
		if l, ok := m.lits[key]; ok {
			m.lits = maps.Clone(m.lits) // a copy may share it
			m.lits[key] = literal{key: l.key}
		}
	}
	m.vals[key] = val
}

// Equal reports whether m and o hold the same keys and values in the same
// order (however they were written).
func (m StringMap) Equal(o StringMap) bool {
	return slices.Equal(m.keys, o.keys) && maps.Equal(m.vals, o.vals)
}

// Keys returns the keys in order.
func (m StringMap) Keys() []string { return append([]string(nil), m.keys...) }

// Len is the number of keys.
func (m StringMap) Len() int { return len(m.keys) }

// MarshalJSON writes the object in key order.
func (m StringMap) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range m.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		l := m.lits[k]
		kb, vb := l.key, l.val
		if kb == nil {
			kb = quoteKey(k)
		}
		if vb == nil {
			vb = quoteKey(m.vals[k]) // a string value quotes like a key
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON reads an object of strings, keeping key order.
func (m *StringMap) UnmarshalJSON(b []byte) error {
	obj, err := splitObject(b, "")
	if err != nil {
		return err
	}
	*m = StringMap{vals: map[string]string{}, lits: map[string]literal{}}
	for _, f := range obj {
		var s string
		if err := json.Unmarshal(f.Value, &s); err != nil {
			return &typeError{Path: f.Key, Msg: "must be a string, got " + describe(f.Value)}
		}
		m.Set(f.Key, s)
		// b may be the decoder's buffer: own the literals.
		m.lits[f.Key] = literal{key: bytes.Clone(f.Lit), val: bytes.Clone(f.Value)}
	}
	return nil
}

// Key identifies an entry across reloads and edits: its ID, or until
// ovhtui has written one, FallbackID (see lifecycle.go).
func (s Server) Key() string {
	if s.ID != "" {
		return s.ID
	}
	return s.FallbackID()
}

// MaxDelivery returns the accepted delivery window in hours.
func (s Server) MaxDelivery() int {
	if s.MaxDeliveryHours == nil {
		return DefaultMaxDeliveryHours
	}
	return *s.MaxDeliveryHours
}

// CeilingUcents is the ceiling in 1e-8 of the currency, as OVH counts money.
func (s Server) CeilingUcents() int64 { return money.FromFloat(s.CeilingPrice) }

// DCNames returns the entry's DC codes in preference order.
func (s Server) DCNames() []string {
	out := make([]string, len(s.Datacenters))
	for i, d := range s.Datacenters {
		out[i] = d.Datacenter
	}
	return out
}

// Find returns the index of the entry with key, or -1.
func (f *File) Find(key string) int {
	for i := range f.Servers {
		if f.Servers[i].Key() == key {
			return i
		}
	}
	return -1
}

// Clone returns a deep copy of f, safe to hand to another goroutine. The raw
// JSON text kept for unknown keys is shared: it is never modified after
// Parse.
func (f *File) Clone() *File {
	if f == nil {
		return nil
	}
	c := &File{Subsidiary: f.Subsidiary, raw: slices.Clone(f.raw), form: f.form}
	if f.Servers != nil {
		c.Servers = make([]Server, len(f.Servers))
		for i := range f.Servers {
			c.Servers[i] = f.Servers[i].clone()
		}
	}
	return c
}

// clone returns a deep copy of s.
func (s Server) clone() Server {
	c := s // copies every value field
	c.Coupons = slices.Clone(s.Coupons)
	c.AddonPlanCodes = slices.Clone(s.AddonPlanCodes)
	c.Labels = s.Labels.clone()
	if s.FetchCatalog != nil {
		fc := s.FetchCatalog.clone()
		c.FetchCatalog = &fc
	}
	if s.MaxDeliveryHours != nil {
		h := *s.MaxDeliveryHours
		c.MaxDeliveryHours = &h
	}
	if s.Datacenters != nil {
		c.Datacenters = make([]Datacenter, len(s.Datacenters))
		for i, d := range s.Datacenters {
			d.raw = slices.Clone(d.raw)
			c.Datacenters[i] = d
		}
	}
	if s.DCCarts != nil {
		c.DCCarts = make(DCCarts, len(s.DCCarts))
		for i, x := range s.DCCarts {
			x.ItemIDs = slices.Clone(x.ItemIDs)
			x.raw = slices.Clone(x.raw)
			if x.Summary != nil {
				sum := *x.Summary
				sum.raw = slices.Clone(sum.raw)
				x.Summary = &sum
			}
			c.DCCarts[i] = x
		}
	}
	c.raw = slices.Clone(s.raw)
	return c
}

// Clone returns an independent copy of m.
func (m StringMap) Clone() StringMap { return m.clone() }

// clone returns a deep copy of m.
func (m StringMap) clone() StringMap {
	return StringMap{keys: slices.Clone(m.keys), vals: maps.Clone(m.vals), lits: maps.Clone(m.lits)}
}

// ParseError says why a file could not be read as preferences: invalid JSON
// (with line and column) or a value of the wrong type (with its field path).
type ParseError struct {
	File   string // the file name given to Parse
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based
	Path   string // field path of a type error, e.g. "user_servers[0].qty"
	Msg    string // the reason
	// More counts the other problems of the file (Parse returns the
	// first only; Check lists them all).
	More int
}

// Error formats the error as "file:line:column: reason" for invalid JSON
// and "file: field.path: reason" for a value of the wrong type.
func (e *ParseError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column)
	}
	msg := e.Msg
	if e.More > 0 {
		msg += fmt.Sprintf(" (and %d more problem(s): ovhtui --check lists them all)", e.More)
	}
	if e.Path != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Path, msg)
	}
	return fmt.Sprintf("%s: %s", loc, msg)
}

// LoadCheck reads path like Load and parses it like Check: err is a read
// error (the file could not be read at all), problems are every parse
// problem of its content.
func LoadCheck(path string) (f *File, problems []*ParseError, err error) {
	data, _, err := readFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read preferences: %w", err)
	}
	f, problems = Check(path, data)
	return f, problems, nil
}

// Load reads and parses the preferences file at path. A path that is not a
// regular file, or a file over MaxFileSize, is refused (see ErrNotRegular,
// ErrTooLarge).
func Load(path string) (*File, error) {
	data, _, err := readFile(path)
	if err != nil {
		return nil, fmt.Errorf("read preferences: %w", err)
	}
	return Parse(path, data)
}

// Parse parses the content of a preferences file; name is used in errors.
// It returns the first problem as a *ParseError (its More field counts the
// others; Check lists them all).
func Parse(name string, data []byte) (*File, error) {
	f, errs := Check(name, data)
	if len(errs) > 0 {
		first := *errs[0]
		first.More = len(errs) - 1
		return nil, &first
	}
	return f, nil
}

// Check parses data like Parse but does not stop at the first problem: it
// returns every one, in file order. Invalid JSON is a single problem and f
// is nil. Duplicate keys are all listed, and so are the values of the wrong
// type elsewhere in the file; f then holds every field that decoded (the
// others left at their zero value) so that Validate can still run on it,
// but such an f must never be saved or acted on: the file did not parse.
func Check(name string, data []byte) (f *File, errs []*ParseError) {
	// Some editors start UTF-8 files with a byte order mark; JSON has none.
	// Marshal writes it back (see textForm).
	form := formOf(data)
	data = bytes.TrimPrefix(data, byteOrderMark)
	if err := checkSyntax(name, data); err != nil {
		return nil, []*ParseError{err}
	}
	for _, d := range duplicateKeys(data) {
		errs = append(errs, duplicateError(name, data, d))
	}
	// The File keeps sub-slices of the text for unknown keys: own it.
	data = bytes.Clone(data)
	c := &collector{}
	f = parseFile(data, c)
	f.form = form
	for i, err := range c.errs {
		te, ok := err.(*typeError)
		if !ok {
			errs = append(errs, &ParseError{File: name, Msg: err.Error()})
			continue
		}
		pe := &ParseError{File: name, Path: te.Path, Msg: te.Msg}
		// locate reads the file from the start: a hostile file with
		// countless wrong values must not make that quadratic.
		if i < maxLocated {
			if off, ok := locate(data, te.Path); ok {
				pe.Line, pe.Column = lineCol(data, off)
			}
		}
		errs = append(errs, pe)
	}
	// In file order; the few without a position (see locate) last.
	pos := func(e *ParseError) [2]int {
		if e.Line == 0 {
			return [2]int{math.MaxInt, 0}
		}
		return [2]int{e.Line, e.Column}
	}
	slices.SortStableFunc(errs, func(a, b *ParseError) int {
		pa, pb := pos(a), pos(b)
		if pa[0] != pb[0] {
			return cmp.Compare(pa[0], pb[0])
		}
		return cmp.Compare(pa[1], pb[1])
	})
	return f, errs
}

// maxLocated is how many type errors Check gives a line and column.
const maxLocated = 100

// collector gathers the problems of one parse, so that Check can list them
// all; the parse goes on past each one, leaving that field at its zero
// value.
type collector struct{ errs []error }

// ok records err, if any, and reports whether there was none.
func (c *collector) ok(err error) bool {
	if err != nil {
		c.errs = append(c.errs, err)
		return false
	}
	return true
}

// checkSyntax reports invalid JSON with the line and column of the first
// offending byte, and a top level that is not a single object.
func checkSyntax(name string, data []byte) *ParseError {
	if json.Valid(data) {
		if i := skipSpace(data, 0); data[i] != '{' {
			line, col := lineCol(data, i)
			return &ParseError{File: name, Line: line, Column: col, Msg: "the top level must be an object, got " + describe(data[i:])}
		}
		return nil
	}
	// Invalid: decode to find where and why.
	dec := json.NewDecoder(bytes.NewReader(data))
	var v json.RawMessage // syntax only: no number range or UTF-8 checks
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			// Offset counts the offending byte: point at it.
			line, col := lineCol(data, int(se.Offset)-1)
			return &ParseError{File: name, Line: line, Column: col, Msg: se.Error()}
		case errors.Is(err, io.EOF):
			return &ParseError{File: name, Line: 1, Column: 1, Msg: "empty file: expected a JSON object"}
		default: // io.ErrUnexpectedEOF: the file ends inside a value
			line, col := lineCol(data, len(data))
			return &ParseError{File: name, Line: line, Column: col, Msg: "unexpected end of file (truncated JSON?)"}
		}
	}
	off := int(dec.InputOffset())
	for i := off; i < len(data); i++ {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			continue
		}
		line, col := lineCol(data, i)
		return &ParseError{File: name, Line: line, Column: col, Msg: "unexpected data after the top-level value"}
	}
	return &ParseError{File: name, Msg: "invalid JSON"} // json.Valid and the decoder disagree: not seen
}

// duplicateError reports a duplicate key at its second occurrence, naming
// the line of the first: ovhtui will not guess which one the user meant
// (a JSON decoder silently keeps the last one).
func duplicateError(name string, data []byte, d duplicateKey) *ParseError {
	// A JSON decoder keeps the last one silently; ovhtui will not guess.
	line, col := lineCol(data, d.Second)
	fl, fc := lineCol(data, d.First)
	return &ParseError{File: name, Line: line, Column: col, Path: d.Path,
		Msg: fmt.Sprintf("duplicate key: also at line %d, column %d; keep only the one you mean", fl, fc)}
}

// lineCol converts a byte offset to a 1-based line and column (in
// characters, as editors count).
func lineCol(data []byte, off int) (int, int) {
	off = max(0, min(off, len(data)))
	line, col := 1, 1
	for _, c := range data[:off] {
		switch {
		case c == '\n':
			line++
			col = 1
		case c&0xC0 != 0x80: // count characters, not UTF-8 continuation bytes
			col++
		}
	}
	return line, col
}

var fileKeys = []string{"subsidiary", "user_servers"}

// parseFile decodes a syntactically valid object. Every problem goes to c;
// a field in error is left at its zero value and the parse goes on.
func parseFile(data []byte, c *collector) *File {
	obj, err := splitObject(data, "")
	if !c.ok(err) {
		return &File{}
	}
	f := &File{raw: obj}
	if raw, ok := obj.get("subsidiary"); ok {
		c.ok(decodeField(raw, &f.Subsidiary, "subsidiary", "a string"))
	}
	if raw, ok := obj.get("user_servers"); ok && string(bytes.TrimSpace(raw)) != "null" {
		items, err := splitArray(raw, "user_servers")
		if c.ok(err) {
			for i, it := range items {
				f.Servers = append(f.Servers, parseServer(it, indexPath("user_servers", i), c))
			}
		}
	}
	return f
}

var serverKeys = []string{
	"id", "planCode", "fqn", "skip_validate", "place_order", "autopay", "coupons", "fetch_catalog",
	"datacenters", "labels", "addon_planCodes", "qty", "ceiling_price", "dc_carts",
	"max_delivery_hours", "waive_retractation",
	"order_attempted", "order_attempted_at", "order_attempted_in", "order_attempted_qty", "order_attempted_cart",
	"ordered_at", "ordered_in", "order_id", "order_url", "order_error",
	"paused_qty", "retired_qty",
}

func parseServer(data []byte, path string, c *collector) Server {
	obj, err := splitObject(data, path)
	if !c.ok(err) {
		return Server{}
	}
	s := Server{raw: obj}
	fields := []struct {
		key  string
		dst  any
		want string
	}{
		{"id", &s.ID, "a string"},
		{"planCode", &s.PlanCode, "a string"},
		{"fqn", &s.FQN, "a string"},
		{"skip_validate", &s.SkipValidate, "true or false"},
		{"place_order", &s.PlaceOrder, "true or false"},
		{"autopay", &s.Autopay, "true or false"},
		{"coupons", &s.Coupons, "an array of strings"},
		{"labels", &s.Labels, "an object of strings"},
		{"addon_planCodes", &s.AddonPlanCodes, "an array of strings"},
		{"qty", &s.Qty, "an integer"},
		{"ceiling_price", &s.CeilingPrice, "a number"},
		{"max_delivery_hours", &s.MaxDeliveryHours, "an integer"},
		{"waive_retractation", &s.WaiveRetractation, "true or false"},
		{"order_attempted", &s.OrderAttempted, "true or false"},
		{"order_attempted_at", &s.OrderAttemptedAt, "an RFC 3339 time"},
		{"order_attempted_in", &s.OrderAttemptedIn, "a string"},
		{"order_attempted_qty", &s.OrderAttemptedQty, "an integer"},
		{"order_attempted_cart", &s.OrderAttemptedCart, "a string"},
		{"ordered_at", &s.OrderedAt, "an RFC 3339 time"},
		{"ordered_in", &s.OrderedIn, "a string"},
		{"order_id", &s.OrderID, "an integer"},
		{"order_url", &s.OrderURL, "a string"},
		{"order_error", &s.OrderError, "a string"},
		{"paused_qty", &s.PausedQty, "an integer"},
		{"retired_qty", &s.RetiredQty, "an integer"},
	}
	for _, fd := range fields {
		raw, ok := obj.get(fd.key)
		if !ok || isNull(raw) {
			continue
		}
		c.ok(decodeField(raw, fd.dst, joinPath(path, fd.key), fd.want))
	}
	if raw, ok := obj.get("fetch_catalog"); ok && !isNull(raw) {
		s.FetchCatalog = &StringMap{}
		if !c.ok(decodeField(raw, s.FetchCatalog, joinPath(path, "fetch_catalog"), "an object of strings")) {
			s.FetchCatalog = nil
		}
	}
	if raw, ok := obj.get("datacenters"); ok && !isNull(raw) {
		items, err := splitArray(raw, joinPath(path, "datacenters"))
		if c.ok(err) {
			for i, it := range items {
				p := indexPath(joinPath(path, "datacenters"), i)
				dobj, err := splitObject(it, p)
				if !c.ok(err) {
					s.Datacenters = append(s.Datacenters, Datacenter{}) // keeps the indices of the others
					continue
				}
				d := Datacenter{raw: dobj}
				if r, ok := dobj.get("region"); ok && !isNull(r) {
					c.ok(decodeField(r, &d.Region, joinPath(p, "region"), "a string"))
				}
				if r, ok := dobj.get("dedicated_datacenter"); ok && !isNull(r) {
					c.ok(decodeField(r, &d.Datacenter, joinPath(p, "dedicated_datacenter"), "a string"))
				}
				s.Datacenters = append(s.Datacenters, d)
			}
		}
	}
	if raw, ok := obj.get("dc_carts"); ok && !isNull(raw) {
		p := joinPath(path, "dc_carts")
		cobj, err := splitObject(raw, p)
		if c.ok(err) {
			for _, cf := range cobj {
				cart := parseCart(cf.Key, cf.Value, joinPath(p, cf.Key), c)
				cart.keyLit = cf.Lit
				s.DCCarts = append(s.DCCarts, cart)
			}
		}
	}
	return s
}

var cartKeys = []string{"cartId", "cartExpire", "itemIds", "summary"}

func parseCart(dc string, data []byte, path string, c *collector) DCCart {
	obj, err := splitObject(data, path)
	if !c.ok(err) {
		return DCCart{DC: dc}
	}
	cart := DCCart{DC: dc, raw: obj}
	for _, fd := range []struct {
		key  string
		dst  any
		want string
	}{
		{"cartId", &cart.CartID, "a string"},
		{"cartExpire", &cart.CartExpire, "an RFC 3339 time"},
		{"itemIds", &cart.ItemIDs, "an array of integers"},
	} {
		if raw, ok := obj.get(fd.key); ok && !isNull(raw) {
			c.ok(decodeField(raw, fd.dst, joinPath(path, fd.key), fd.want))
		}
	}
	if raw, ok := obj.get("summary"); ok && !isNull(raw) {
		p := joinPath(path, "summary")
		sobj, err := splitObject(raw, p)
		if !c.ok(err) {
			return cart
		}
		sum := &Summary{raw: sobj}
		for _, fd := range []struct {
			key  string
			dst  any
			want string
		}{
			{"withoutTaxUcents", &sum.WithoutTaxUcents, "an integer"},
			{"withTaxUcents", &sum.WithTaxUcents, "an integer"},
			{"currencyCode", &sum.Currency, "a string"},
			{"text", &sum.Text, "a string"},
			{"validatedAt", &sum.ValidatedAt, "an RFC 3339 time"},
		} {
			if r, ok := sobj.get(fd.key); ok && !isNull(r) {
				c.ok(decodeField(r, fd.dst, joinPath(p, fd.key), fd.want))
			}
		}
		cart.Summary = sum
	}
	return cart
}

var summaryKeys = []string{"withoutTaxUcents", "withTaxUcents", "currencyCode", "text", "validatedAt"}

func isNull(raw []byte) bool { return string(bytes.TrimSpace(raw)) == "null" }

// Marshal encodes the file as 2-space indented JSON with a final newline,
// keeping unknown keys, the original key order, the spelling of keys and of
// unchanged values, and the byte order mark and CRLF line ends of a file
// that had them (see textForm).
func (f *File) Marshal() ([]byte, error) {
	w := newObjectWriter(f.raw, fileKeys)
	w.set("subsidiary", f.Subsidiary, true)
	items := make([]json.RawMessage, 0, len(f.Servers))
	for i := range f.Servers {
		b, err := f.Servers[i].marshal()
		if err != nil {
			return nil, fmt.Errorf("user_servers[%d]: %w", i, err)
		}
		items = append(items, b)
	}
	w.setRaw("user_servers", joinArray(items))
	compact, err := w.bytes()
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, compact, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return f.form.apply(out.Bytes()), nil
}

func (s *Server) marshal() ([]byte, error) {
	w := newObjectWriter(s.raw, serverKeys)
	isNew := s.raw == nil
	w.set("id", s.ID, s.ID != "")
	w.set("planCode", s.PlanCode, true)
	w.set("fqn", s.FQN, true)
	w.set("skip_validate", s.SkipValidate, true)
	w.set("place_order", s.PlaceOrder, true)
	w.set("autopay", s.Autopay, true)
	coupons := s.Coupons
	if coupons == nil {
		coupons = []string{}
	}
	w.set("coupons", coupons, true)
	if s.FetchCatalog != nil {
		w.set("fetch_catalog", *s.FetchCatalog, true)
	}
	dcs := make([]json.RawMessage, 0, len(s.Datacenters))
	for _, d := range s.Datacenters {
		dw := newObjectWriter(d.raw, []string{"region", "dedicated_datacenter"})
		dw.set("region", d.Region, true)
		dw.set("dedicated_datacenter", d.Datacenter, true)
		b, err := dw.bytes()
		if err != nil {
			return nil, err
		}
		dcs = append(dcs, b)
	}
	w.setRaw("datacenters", joinArray(dcs))
	w.set("labels", s.Labels, true)
	addons := s.AddonPlanCodes
	if addons == nil {
		addons = []string{}
	}
	w.set("addon_planCodes", addons, true)
	w.set("qty", s.Qty, true)
	w.set("ceiling_price", s.CeilingPrice, true)
	carts, err := s.DCCarts.marshal()
	if err != nil {
		return nil, err
	}
	w.setRaw("dc_carts", carts)
	if s.MaxDeliveryHours != nil {
		w.set("max_delivery_hours", *s.MaxDeliveryHours, true)
	}
	w.set("waive_retractation", s.WaiveRetractation, s.WaiveRetractation || isNew)
	w.set("order_attempted", s.OrderAttempted, s.OrderAttempted)
	setTime(w, "order_attempted_at", s.OrderAttemptedAt)
	w.set("order_attempted_in", s.OrderAttemptedIn, s.OrderAttemptedIn != "")
	w.set("order_attempted_qty", s.OrderAttemptedQty, s.OrderAttemptedQty != 0)
	w.set("order_attempted_cart", s.OrderAttemptedCart, s.OrderAttemptedCart != "")
	setTime(w, "ordered_at", s.OrderedAt)
	w.set("ordered_in", s.OrderedIn, s.OrderedIn != "")
	w.set("order_id", s.OrderID, s.OrderID != 0)
	w.set("order_url", s.OrderURL, s.OrderURL != "")
	w.set("order_error", s.OrderError, s.OrderError != "")
	w.set("paused_qty", s.PausedQty, s.PausedQty != 0)
	w.set("retired_qty", s.RetiredQty, s.RetiredQty != 0)
	return w.bytes()
}

// setTime writes a time key; a zero time is written as null when the key was
// already there and left out otherwise.
func setTime(w *objectWriter, key string, t time.Time) {
	if t.IsZero() {
		if w.orig.has(key) {
			w.setRaw(key, []byte("null"))
		}
		return
	}
	w.set(key, t.UTC(), true)
}

func (c DCCarts) marshal() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, x := range c {
		if i > 0 {
			buf.WriteByte(',')
		}
		w := newObjectWriter(x.raw, cartKeys)
		w.set("cartId", x.CartID, true)
		setTime(w, "cartExpire", x.CartExpire)
		ids := x.ItemIDs
		if ids == nil {
			ids = []int64{}
		}
		w.set("itemIds", ids, true)
		if x.Summary != nil {
			sw := newObjectWriter(x.Summary.raw, summaryKeys)
			sw.set("withoutTaxUcents", x.Summary.WithoutTaxUcents, true)
			sw.set("withTaxUcents", x.Summary.WithTaxUcents, true)
			sw.set("currencyCode", x.Summary.Currency, true)
			sw.set("text", x.Summary.Text, true)
			setTime(sw, "validatedAt", x.Summary.ValidatedAt)
			sb, err := sw.bytes()
			if err != nil {
				return nil, err
			}
			w.setRaw("summary", sb)
		} else if x.raw.has("summary") {
			w.setRaw("summary", []byte("null"))
		}
		b, err := w.bytes()
		if err != nil {
			return nil, fmt.Errorf("dc_carts.%s: %w", x.DC, err)
		}
		kb := x.keyLit
		if dc, ok := decodeString(kb); !ok || dc != x.DC {
			kb = quoteKey(x.DC)
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(b)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
