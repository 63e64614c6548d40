package prefs

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"testing"
)

// splitObjectRef is the encoding/json Decoder version of splitObject, the
// reference the hand scanner is compared with.
func splitObjectRef(data []byte) (rawObject, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("not an object")
	}
	var out rawObject
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := kt.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
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
		return nil, err
	}
	return out, nil
}

func sameFields(a, b rawObject) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || !bytes.Equal(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

func TestSplitObject(t *testing.T) {
	for _, in := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"a" : [1, {"b": "]}"}], "c\"d": "x\\", "e": null, "a": true}`,
		`{"k\u00e9": -1.5e3, "é": {"x": [[], {}]}, "t": false}`, "{\n\t\"a\"\r\n:\n\"b\"\n}\n",
	} {
		got, err := splitObject([]byte(in), "p")
		want, werr := splitObjectRef([]byte(in))
		if err != nil || werr != nil || !sameFields(got, want) {
			t.Errorf("%s:\n got %q %v\nwant %q %v", in, got, err, want, werr)
		}
	}
	// Invalid input (never passed by Parse) is an error, not a panic.
	for _, in := range []string{``, `{`, `{"a"`, `{"a":`, `{"a":1`, `{"a":1,}`, `{"a" 1}`, `{1:2}`, `{"a":1}x`, `{"a":"b}`, `{"a":[}`, `{"a":}`} {
		if _, err := splitObject([]byte(in), "p"); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
	for _, in := range []string{`[`, `[1,`, `[1 2]`, `[,]`, `[1]]`, `{}`} {
		if _, err := splitArray([]byte(in), "p"); err == nil {
			t.Errorf("array %q: no error", in)
		}
	}
	if got, err := splitArray([]byte(` [ 1 , "a]" , {"b":[2]} ] `), "p"); err != nil || len(got) != 3 || string(got[2]) != `{"b":[2]}` {
		t.Errorf("splitArray: %q %v", got, err)
	}
}

// FuzzSplitObject compares the hand scanner with encoding/json on every
// valid JSON object, and checks it never panics on anything else.
func FuzzSplitObject(f *testing.F) {
	for _, name := range examples {
		b, _ := os.ReadFile(name)
		f.Add(b)
	}
	f.Add([]byte(unknownKeysJSON))
	f.Add([]byte(`{"a\"b": "\\", "c": [1, "]"], "a\"b": {}}`))
	f.Add([]byte("{\"\xff\": 1, \"q\\u0074y\": {\"\\ud800\": \"\xfe\"}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := splitObject(data, "p")
		_, _ = splitArray(data, "p")
		if !json.Valid(data) {
			return
		}
		want, werr := splitObjectRef(data)
		if (err == nil) != (werr == nil) {
			t.Fatalf("error mismatch: %v vs %v", err, werr)
		}
		if err == nil && !sameFields(got, want) {
			t.Fatalf("got %q\nwant %q", got, want)
		}
		// Each key keeps its spelling, which decodes to the key (issue 21.4).
		for _, fd := range got {
			if k, ok := decodeString(fd.Lit); !ok || k != fd.Key || !bytes.Contains(data, fd.Lit) {
				t.Fatalf("key %q written as %q", fd.Key, fd.Lit)
			}
		}
	})
}
