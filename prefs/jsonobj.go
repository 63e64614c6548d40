package prefs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// rawField is one key of a JSON object as it was read, with its raw value.
type rawField struct {
	Key string
	// Lit is the key as written, quotes included: it is written back as
	// is, so that a key's escapes and bytes that are not UTF-8 (which Key,
	// decoded, holds as U+FFFD) survive a save.
	Lit   []byte
	Value json.RawMessage
}

// rawObject keeps the keys of a JSON object in file order, so that keys this
// version does not know survive a round trip and known keys keep their place.
type rawObject []rawField

// get returns the raw value of key, if present.
func (o rawObject) get(key string) (json.RawMessage, bool) {
	for _, f := range o {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

// has reports whether key was present.
func (o rawObject) has(key string) bool {
	_, ok := o.get(key)
	return ok
}

// splitObject reads a JSON object into its fields in order; the values
// are sub-slices of data. A value that is not an object is an error naming
// path. It scans by hand (Parse already checked the syntax) and stays safe
// on invalid input: it then returns an error, never panics.
func splitObject(data []byte, path string) (rawObject, error) {
	invalid := func() error { return &typeError{Path: path, Msg: "invalid JSON"} }
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, &typeError{Path: path, Msg: "must be an object, got " + describe(data)}
	}
	out := rawObject{} // present, even when empty
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return out, checkEnd(data, i+1, invalid)
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return nil, invalid()
		}
		end, ok := stringEnd(data, i)
		if !ok {
			return nil, invalid()
		}
		lit := data[i:end:end]
		key, ok := decodeString(lit)
		if !ok {
			return nil, invalid()
		}
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return nil, invalid()
		}
		i = skipSpace(data, i+1)
		vend, ok := valueEnd(data, i)
		if !ok {
			return nil, invalid()
		}
		raw := json.RawMessage(data[i:vend:vend])
		// A duplicated key: the last one wins here, as in encoding/json,
		// so that Check can type-check the rest of the file; Check has
		// listed the duplicate already (duplicateKeys), and Parse never
		// returns a File that had one.
		replaced := false
		for j := range out {
			if out[j].Key == key {
				out[j].Value = raw
				replaced = true
			}
		}
		if !replaced {
			out = append(out, rawField{Key: key, Lit: lit, Value: raw})
		}
		i = skipSpace(data, vend)
		if i >= len(data) {
			return nil, invalid()
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return out, checkEnd(data, i+1, invalid)
		default:
			return nil, invalid()
		}
	}
}

// splitArray reads a JSON array into its elements; the elements are
// sub-slices of data. A value that is not an array is an error naming path.
func splitArray(data []byte, path string) ([]json.RawMessage, error) {
	invalid := func() error { return &typeError{Path: path, Msg: "invalid JSON"} }
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return nil, &typeError{Path: path, Msg: "must be an array, got " + describe(data)}
	}
	out := []json.RawMessage{}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return out, checkEnd(data, i+1, invalid)
	}
	for {
		end, ok := valueEnd(data, i)
		if !ok {
			return nil, invalid()
		}
		out = append(out, json.RawMessage(data[i:end:end]))
		i = skipSpace(data, end)
		if i >= len(data) {
			return nil, invalid()
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return out, checkEnd(data, i+1, invalid)
		default:
			return nil, invalid()
		}
	}
}

// checkEnd returns invalid() unless only white space follows offset i.
func checkEnd(data []byte, i int, invalid func() error) error {
	if skipSpace(data, i) != len(data) {
		return invalid()
	}
	return nil
}

// skipSpace returns the offset of the first non-space byte at or after i.
func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// stringEnd returns the offset just after the string starting at data[i]
// (a '"').
func stringEnd(data []byte, i int) (int, bool) {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++ // skip the escaped byte; \uXXXX has no '"' or '\\' in it
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

// valueEnd returns the offset just after the value starting at data[i].
func valueEnd(data []byte, i int) (int, bool) {
	if i >= len(data) {
		return 0, false
	}
	switch data[i] {
	case '"':
		return stringEnd(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, ok := stringEnd(data, j)
				if !ok {
					return 0, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	case '}', ']', ',', ':':
		return 0, false
	default: // number, true, false, null
		j := i
		for j < len(data) {
			switch data[j] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return j, true
			}
			j++
		}
		return j, true
	}
}

// decodeString decodes a JSON string literal (with its quotes). Plain ASCII
// without escapes, the common case, is sliced without decoding.
func decodeString(lit []byte) (string, bool) {
	if len(lit) < 2 {
		return "", false
	}
	if plainString(lit[1 : len(lit)-1]) {
		return string(lit[1 : len(lit)-1]), true
	}
	var s string
	if err := json.Unmarshal(lit, &s); err != nil {
		return "", false
	}
	return s, true
}

// plainString reports whether b can stand between quotes in JSON as is and
// means itself: printable ASCII without '"' or '\\'.
func plainString(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// typeError is a value of the wrong JSON type at a field path.
type typeError struct {
	Path string
	Msg  string
}

// Error formats the error as "path: message".
func (e *typeError) Error() string { return e.Path + ": " + e.Msg }

// describe names the JSON type of a raw value for error messages.
func describe(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string " + truncate(string(raw), 40)
	case 't', 'f':
		return "a boolean " + string(raw)
	case 'n':
		return "null"
	default:
		return "the number " + truncate(string(raw), 40)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// joinPath appends a key to a field path ("user_servers[0]" + "qty").
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// indexPath appends an index to a field path.
func indexPath(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// decodeField decodes raw into v (a pointer), naming path and the expected
// type on a mismatch.
func decodeField(raw json.RawMessage, v any, path, want string) error {
	if decodeFast(raw, v) {
		return nil
	}
	switch p := v.(type) {
	case *[]string:
		return decodeArray(raw, p, path, want, "a string")
	case *[]int64:
		return decodeArray(raw, p, path, want, "an integer")
	}
	if err := json.Unmarshal(raw, v); err != nil {
		var te *typeError // from StringMap: names the key inside
		if errors.As(err, &te) && te.Path != "" {
			return &typeError{Path: joinPath(path, te.Path), Msg: te.Msg}
		}
		if msg, ok := numberMsg(raw, v); ok {
			return &typeError{Path: path, Msg: msg}
		}
		return &typeError{Path: path, Msg: "must be " + want + ", got " + describe(raw)}
	}
	return nil
}

// decodeArray decodes a JSON array into *dst element by element, so that an
// element of the wrong type is named by its index ("coupons[1]").
func decodeArray[T any](raw json.RawMessage, dst *[]T, path, want, elemWant string) error {
	if isNull(raw) {
		*dst = nil
		return nil
	}
	items, err := splitArray(raw, path)
	if err != nil {
		return &typeError{Path: path, Msg: "must be " + want + ", got " + describe(raw)}
	}
	out := make([]T, len(items))
	for i, it := range items {
		if err := decodeField(it, &out[i], indexPath(path, i), elemWant); err != nil {
			return err
		}
	}
	*dst = out
	return nil
}

// numberMsg says what is wrong with a JSON number that does not fit an
// integer or float64 target v, when it is more than "not an integer": too
// large or too small for the type, or an integer written with an exponent
// or a fraction (1e3, 2.0). ok is false when the default message holds.
func numberMsg(raw []byte, v any) (msg string, ok bool) {
	lit := string(bytes.TrimSpace(raw))
	if lit == "" || lit[0] != '-' && (lit[0] < '0' || lit[0] > '9') {
		return "", false
	}
	neg := lit[0] == '-'
	if _, isFloat := v.(*float64); isFloat {
		f, err := strconv.ParseFloat(lit, 64)
		if err == nil || !math.IsInf(f, 0) {
			return "", false
		}
		if neg {
			return "is too small: " + lit + " is beyond the largest number ovhtui holds (about 1.8e308)", true
		}
		return "is too large: " + lit + " is beyond the largest number ovhtui holds (about 1.8e308)", true
	}
	var lo, hi int64
	switch v.(type) {
	case *int, **int:
		lo, hi = math.MinInt, math.MaxInt
	case *int64:
		lo, hi = math.MinInt64, math.MaxInt64
	default:
		return "", false
	}
	outOfRange := func() string {
		if neg {
			return fmt.Sprintf("is too small: %s is under the smallest integer ovhtui holds, %d", lit, lo)
		}
		return fmt.Sprintf("is too large: %s is over the largest integer ovhtui holds, %d", lit, hi)
	}
	if !strings.ContainsAny(lit, ".eE") {
		if n, err := strconv.ParseInt(lit, 10, 64); err == nil && n >= lo && n <= hi {
			return "", false
		}
		return outOfRange(), true
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !math.IsInf(f, 0) || f != math.Trunc(f) {
		return "", false // a fraction: not an integer, as the default says
	}
	// float64(hi) rounds up to 2^63: equal is already out of range.
	if f < float64(lo) || f >= float64(hi) {
		return outOfRange(), true
	}
	return fmt.Sprintf("must be an integer written without exponent or fraction (like %d), got %s", int64(f), lit), true
}

// decodeFast decodes the common simple cases (plain strings, booleans,
// integers) without reflection and reports whether it did; anything else
// is left to encoding/json, which gives the same results.
func decodeFast(raw []byte, v any) bool {
	switch p := v.(type) {
	case *string:
		if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && plainString(raw[1:len(raw)-1]) {
			*p = string(raw[1 : len(raw)-1])
			return true
		}
	case *bool:
		switch string(raw) {
		case "true":
			*p = true
			return true
		case "false":
			*p = false
			return true
		}
	case *int:
		if n, ok := plainInt(raw); ok && int64(int(n)) == n {
			*p = int(n)
			return true
		}
	case *int64:
		if n, ok := plainInt(raw); ok {
			*p = n
			return true
		}
	}
	return false
}

// plainInt parses a JSON integer without exponent or fraction.
func plainInt(raw []byte) (int64, bool) {
	if len(raw) == 0 || len(raw) > 19 {
		return 0, false
	}
	for i, c := range raw {
		if (c < '0' || c > '9') && !(i == 0 && c == '-') {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return n, err == nil
}

// sameFast compares a raw value with v for the simple cases and reports
// (equal, decided); when not decided, set falls back to decoding.
func sameFast(raw []byte, v any) (equal, decided bool) {
	switch x := v.(type) {
	case string:
		if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && plainString(raw[1:len(raw)-1]) {
			return string(raw[1:len(raw)-1]) == x, true
		}
	case bool:
		switch string(raw) {
		case "true":
			return x, true
		case "false":
			return !x, true
		}
	case int:
		if n, ok := plainInt(raw); ok {
			return n == int64(x), true
		}
	case int64:
		if n, ok := plainInt(raw); ok {
			return n == x, true
		}
	case float64:
		// encoding/json decodes numbers with strconv.ParseFloat too.
		if len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9') {
			if f, err := strconv.ParseFloat(string(raw), 64); err == nil {
				return f == x, true
			}
		}
	}
	return false, false
}

// encodeFast encodes plain strings, booleans and integers without the
// encoder; ok is false for anything else.
func encodeFast(v any) ([]byte, bool) {
	switch x := v.(type) {
	case string:
		if plainString([]byte(x)) {
			return quotePlain(x), true
		}
	case bool:
		return strconv.AppendBool(nil, x), true
	case int:
		return strconv.AppendInt(nil, int64(x), 10), true
	case int64:
		return strconv.AppendInt(nil, x, 10), true
	}
	return nil, false
}

// quotePlain quotes a plain string (see plainString).
func quotePlain(s string) []byte {
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// objectWriter builds a JSON object, keeping the order of the original keys
// and then appending new known keys in canonical order.
type objectWriter struct {
	orig  rawObject
	known map[string]json.RawMessage // encoded values of known keys to write
	order []string                   // canonical order of known keys
	err   error
}

func newObjectWriter(orig rawObject, order []string) *objectWriter {
	return &objectWriter{orig: orig, known: map[string]json.RawMessage{}, order: order}
}

// set records the value of a known key. When the key was present in the
// original and its original text decodes to an equal value, the original
// text is kept (so 20.0 stays 20.0). When the key was absent, the value is
// written only if include is true.
func (w *objectWriter) set(key string, v any, include bool) {
	if w.err != nil {
		return
	}
	raw, present := w.orig.get(key)
	if !present && !include {
		return
	}
	if present {
		if equal, decided := sameFast(raw, v); decided {
			if equal {
				w.known[key] = raw
				return
			}
		} else if w.sameDecoded(raw, v) {
			w.known[key] = raw
			return
		}
	}
	if b, ok := encodeFast(v); ok {
		w.known[key] = b
		return
	}
	b, err := marshalNoEscape(v)
	if err != nil {
		w.err = fmt.Errorf("encode %s: %w", key, err)
		return
	}
	w.known[key] = b
}

// sameDecoded reports whether raw decodes to a value equal to v.
func (w *objectWriter) sameDecoded(raw json.RawMessage, v any) bool {
	same := reflect.New(reflect.TypeOf(v))
	return json.Unmarshal(raw, same.Interface()) == nil && sameValue(same.Elem().Interface(), v)
}

// sameValue reports whether a value decoded from the file equals v. Times
// are equal when they are the same instant, whatever their zone, so that
// "2026-01-02T03:04:05+01:00" is kept as the user wrote it.
func sameValue(decoded, v any) bool {
	if m, ok := v.(StringMap); ok {
		d, ok := decoded.(StringMap)
		return ok && d.Equal(m)
	}
	if t, ok := v.(time.Time); ok {
		d, ok := decoded.(time.Time)
		return ok && d.Equal(t)
	}
	return reflect.DeepEqual(decoded, v)
}

// setRaw records an already encoded value for a known key.
func (w *objectWriter) setRaw(key string, b []byte) { w.known[key] = b }

// bytes returns the compact JSON object.
func (w *objectWriter) bytes() ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	n := 0
	put := func(lit, v []byte) {
		if n > 0 {
			buf.WriteByte(',')
		}
		n++
		buf.Write(lit)
		buf.WriteByte(':')
		buf.Write(v)
	}
	written := map[string]bool{}
	for _, f := range w.orig {
		lit := f.Lit
		if lit == nil {
			lit = quoteKey(f.Key)
		}
		if v, ok := w.known[f.Key]; ok {
			put(lit, v)
			written[f.Key] = true
			continue
		}
		if w.isKnown(f.Key) {
			// A known key whose value was dropped on purpose.
			continue
		}
		put(lit, f.Value)
	}
	for _, k := range w.order {
		if v, ok := w.known[k]; ok && !written[k] {
			put(quoteKey(k), v)
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func (w *objectWriter) isKnown(key string) bool {
	for _, k := range w.order {
		if k == key {
			return true
		}
	}
	return false
}

// marshalNoEscape encodes v without HTML escaping and without a trailing newline.
func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// joinArray writes already encoded values as a JSON array, verbatim
// (json.Marshal of []json.RawMessage would HTML-escape "<", ">" and "&").
func joinArray(items []json.RawMessage) []byte {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(it)
	}
	buf.WriteByte(']')
	return buf.Bytes()
}

// pathStep is one step of a field path: an object key or an array index.
type pathStep struct {
	key   string
	index int // -1 for a key
}

// splitPath splits "user_servers[0].dc_carts.fra" into its steps. Keys
// that contain "." or "[" cannot be told apart: locate then fails.
func splitPath(path string) []pathStep {
	var out []pathStep
	for path != "" {
		switch path[0] {
		case '.':
			path = path[1:]
		case '[':
			end := strings.IndexByte(path, ']')
			i, err := strconv.Atoi(path[1:max(end, 1)])
			if end < 0 || err != nil {
				return nil
			}
			out = append(out, pathStep{index: i})
			path = path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			out = append(out, pathStep{key: path[:end], index: -1})
			path = path[end:]
		}
	}
	return out
}

// locate returns the byte offset of the value at a field path in a JSON
// document, to give type errors a line and column.
func locate(data []byte, path string) (int, bool) {
	steps := splitPath(path)
	if len(steps) == 0 {
		return 0, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	skip := func() bool { var v json.RawMessage; return dec.Decode(&v) == nil }
	for _, st := range steps {
		tok, err := dec.Token()
		if err != nil {
			return 0, false
		}
		d, _ := tok.(json.Delim)
		switch {
		case st.index >= 0 && d == '[':
			for range st.index {
				if !dec.More() || !skip() {
					return 0, false
				}
			}
			if !dec.More() {
				return 0, false
			}
		case st.index < 0 && d == '{':
			found := false
			for !found && dec.More() {
				k, err := dec.Token()
				if err != nil {
					return 0, false
				}
				if k == st.key {
					found = true
				} else if !skip() {
					return 0, false
				}
			}
			if !found {
				return 0, false
			}
		default:
			return 0, false
		}
	}
	// The decoder stopped before the separator (":" or ",") and the value.
	off := int(dec.InputOffset())
	for off < len(data) && strings.IndexByte(" \t\r\n:,", data[off]) >= 0 {
		off++
	}
	return off, off < len(data)
}

// quoteKey encodes an object key (or any string) as JSON, without HTML
// escaping.
func quoteKey(k string) []byte {
	if plainString([]byte(k)) {
		return quotePlain(k)
	}
	b, _ := marshalNoEscape(k)
	return b
}

// duplicateKey is a key written twice in one JSON object.
type duplicateKey struct {
	Path          string // field path of the key, e.g. "user_servers[0].qty"
	First, Second int    // byte offsets of the two keys
}

// duplicateKeys lists every key written twice in one object, at any depth
// (known keys, unknown keys, inside labels, dc_carts or anything else), in
// file order of the second occurrence. Keys are compared decoded, as JSON
// decoders do ("a" and "\u0061" are the same key). data must be valid JSON
// (json.Valid); on anything else it stops early, never panics.
func duplicateKeys(data []byte) []duplicateKey {
	var (
		out   []duplicateKey
		steps []pathStep // the path to the current value, built into a string only for a duplicate
	)
	path := func(key string) string {
		var b strings.Builder
		for _, st := range steps {
			if st.index >= 0 {
				fmt.Fprintf(&b, "[%d]", st.index)
				continue
			}
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(st.key)
		}
		return joinPath(b.String(), key)
	}
	var walk func(i int) int
	walk = func(i int) int {
		i = skipSpace(data, i)
		if i >= len(data) {
			return len(data)
		}
		switch data[i] {
		case '{':
			var seen map[string]int
			i = skipSpace(data, i+1)
			if i < len(data) && data[i] == '}' {
				return i + 1
			}
			for i < len(data) && data[i] == '"' {
				end, ok := stringEnd(data, i)
				if !ok {
					return len(data)
				}
				key, ok := decodeString(data[i:end])
				if !ok {
					return len(data)
				}
				if seen == nil {
					seen = map[string]int{}
				}
				if first, dup := seen[key]; dup {
					out = append(out, duplicateKey{Path: path(key), First: first, Second: i})
				} else {
					seen[key] = i
				}
				i = skipSpace(data, end)
				if i >= len(data) || data[i] != ':' {
					return len(data)
				}
				steps = append(steps, pathStep{key: key, index: -1})
				i = skipSpace(data, walk(i+1))
				steps = steps[:len(steps)-1]
				if i >= len(data) || data[i] != ',' {
					break
				}
				i = skipSpace(data, i+1)
			}
			return i + 1 // the '}'
		case '[':
			i = skipSpace(data, i+1)
			if i < len(data) && data[i] == ']' {
				return i + 1
			}
			for n := 0; i < len(data); n++ {
				steps = append(steps, pathStep{index: n})
				i = skipSpace(data, walk(i))
				steps = steps[:len(steps)-1]
				if i >= len(data) || data[i] != ',' {
					break
				}
				i++
			}
			return i + 1 // the ']'
		default:
			end, ok := valueEnd(data, i)
			if !ok {
				return len(data)
			}
			return end
		}
	}
	walk(0)
	return out
}
