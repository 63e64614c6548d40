package prefs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// rawField is one key of a JSON object as it was read, with its raw value.
type rawField struct {
	Key   string
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

// splitObject reads a JSON object into its fields in order. A value that is
// not an object is an error naming path.
func splitObject(data []byte, path string) (rawObject, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, &typeError{Path: path, Msg: "invalid JSON: " + err.Error()}
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, &typeError{Path: path, Msg: "must be an object, got " + describe(data)}
	}
	var out rawObject
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, &typeError{Path: path, Msg: "invalid JSON: " + err.Error()}
		}
		key, _ := kt.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, &typeError{Path: joinPath(path, key), Msg: "invalid JSON: " + err.Error()}
		}
		// A duplicated key: the last one wins, as encoding/json does.
		replaced := false
		for i := range out {
			if out[i].Key == key {
				out[i].Value = raw
				replaced = true
			}
		}
		if !replaced {
			out = append(out, rawField{Key: key, Value: raw})
		}
	}
	if _, err := dec.Token(); err != nil && !errors.Is(err, io.EOF) {
		return nil, &typeError{Path: path, Msg: "invalid JSON: " + err.Error()}
	}
	return out, nil
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
	if err := json.Unmarshal(raw, v); err != nil {
		var te *typeError // from StringMap: names the key inside
		if errors.As(err, &te) && te.Path != "" {
			return &typeError{Path: joinPath(path, te.Path), Msg: te.Msg}
		}
		return &typeError{Path: path, Msg: "must be " + want + ", got " + describe(raw)}
	}
	return nil
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
		same := reflect.New(reflect.TypeOf(v))
		if json.Unmarshal(raw, same.Interface()) == nil && sameValue(same.Elem().Interface(), v) {
			w.known[key] = raw
			return
		}
	}
	b, err := marshalNoEscape(v)
	if err != nil {
		w.err = fmt.Errorf("encode %s: %w", key, err)
		return
	}
	w.known[key] = b
}

// sameValue reports whether a value decoded from the file equals v. Times
// are equal when they are the same instant, whatever their zone, so that
// "2026-01-02T03:04:05+01:00" is kept as the user wrote it.
func sameValue(decoded, v any) bool {
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
	put := func(k string, v []byte) {
		if n > 0 {
			buf.WriteByte(',')
		}
		n++
		kb, _ := marshalNoEscape(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(v)
	}
	written := map[string]bool{}
	for _, f := range w.orig {
		if v, ok := w.known[f.Key]; ok {
			put(f.Key, v)
			written[f.Key] = true
			continue
		}
		if w.isKnown(f.Key) {
			// A known key whose value was dropped on purpose.
			continue
		}
		put(f.Key, f.Value)
	}
	for _, k := range w.order {
		if v, ok := w.known[k]; ok && !written[k] {
			put(k, v)
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
