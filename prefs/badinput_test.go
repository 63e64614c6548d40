package prefs

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDuplicateKeysRefused: a key written twice in one object is an error at
// every level, naming both lines, never "the last one wins" (issue 12.2).
func TestDuplicateKeysRefused(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"top level", "{\n\"subsidiary\": \"IE\",\n\"subsidiary\": \"FR\"\n}",
			`f.json:3:1: subsidiary: duplicate key: also at line 2, column 1; keep only the one you mean`},
		{"place_order", "{\"user_servers\": [{\n  \"place_order\": false,\n  \"qty\": 1,\n  \"place_order\": true\n}]}",
			`f.json:4:3: user_servers[0].place_order: duplicate key: also at line 2, column 3; keep only the one you mean`},
		{"qty in the second entry", "{\"user_servers\": [{}, {\"qty\": 1,\n \"qty\": 5}]}",
			`f.json:2:2: user_servers[1].qty: duplicate key: also at line 1, column 24; keep only the one you mean`},
		{"label", `{"user_servers": [{"labels": {"dedicated_os": "a", "dedicated_os": "b"}}]}`,
			`f.json:1:52: user_servers[0].labels.dedicated_os: duplicate key: also at line 1, column 31; keep only the one you mean`},
		{"dc_carts key", `{"user_servers": [{"dc_carts": {"fra": {}, "fra": {}}}]}`,
			`f.json:1:44: user_servers[0].dc_carts.fra: duplicate key: also at line 1, column 33; keep only the one you mean`},
		{"datacenter", `{"user_servers": [{"datacenters": [{"region": "europe"}, {"dedicated_datacenter": "fra", "dedicated_datacenter": "gra"}]}]}`,
			`f.json:1:90: user_servers[0].datacenters[1].dedicated_datacenter: duplicate key: also at line 1, column 59; keep only the one you mean`},
		{"unknown key, nested", `{"x": [1, {"y": {"z": 1, "z": 2}}]}`,
			`f.json:1:26: x[1].y.z: duplicate key: also at line 1, column 18; keep only the one you mean`},
		{"escaped spelling", `{"qty": 1, "q\u0074y": 2}`,
			`f.json:1:12: qty: duplicate key: also at line 1, column 2; keep only the one you mean`},
		{"summary", `{"user_servers": [{"dc_carts": {"fra": {"summary": {"text": "a", "text": "b"}}}}]}`,
			`f.json:1:66: user_servers[0].dc_carts.fra.summary.text: duplicate key: also at line 1, column 53; keep only the one you mean`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("f.json", []byte(tc.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse: %v, want a *ParseError", err)
			}
			if err.Error() != tc.want {
				t.Fatalf("error\n got %s\nwant %s", err, tc.want)
			}
		})
	}
	// Keys that only look alike are not duplicates.
	for _, in := range []string{`{"a": 1, "A": 2}`, `{"x": {"a": 1}, "y": {"a": 1}}`, `{"x": [{"a": 1}, {"a": 2}]}`} {
		if _, err := Parse("f.json", []byte(in)); err != nil && strings.Contains(err.Error(), "duplicate") {
			t.Errorf("%s: %v", in, err)
		}
	}
}

// hasDuplicateKeyRef reports whether valid JSON data has a key written twice
// in one object, with encoding/json's tokenizer: the reference the fuzz
// target checks duplicateKeys against.
func hasDuplicateKeyRef(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		object bool
		keys   map[string]bool
		inKey  bool // the next string token of an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		isKey := top != nil && top.object && top.inKey
		if top != nil && top.object {
			top.inKey = !top.inKey
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, &frame{object: true, keys: map[string]bool{}, inKey: true})
			case '[':
				stack = append(stack, &frame{})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					return false
				}
				// The closing delimiter ended a value: the parent wants a key next.
				if p := stack[len(stack)-1]; p.object {
					p.inKey = true
				}
				continue
			}
			if top != nil && top.object {
				top.inKey = true // the value just opened; after it, a key
			}
		case string:
			if isKey {
				if top.keys[v] {
					return true
				}
				top.keys[v] = true
			}
		}
	}
}

// FuzzPreferencesFile drives the Store with arbitrary bytes as
// preferences.json, given at start and as an external edit while running:
// never a panic, never a write to a file that failed to parse, and a
// duplicate key is always reported as such (issue 12).
func FuzzPreferencesFile(f *testing.F) {
	example, err := os.ReadFile("testdata/example1.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	f.Add([]byte(`{"subsidiary": "IE", "user_servers": [{"qty": 1, "place_order": false, "place_order": true}]}`))
	f.Add([]byte(`{"x": [{"y": {"z": 1}}, {"y": {"z": 1, "\u007a": 2}}]}`))
	f.Add([]byte(`{"user_servers": [{"qty": "1"}]}`))
	f.Add([]byte("{\"a\": 1,"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, perr := Parse("f.json", data)
		trimmed := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
		dup := json.Valid(trimmed) && len(bytes.TrimSpace(trimmed)) > 0 && bytes.TrimSpace(trimmed)[0] == '{' && hasDuplicateKeyRef(trimmed)
		_, problems := Check("f.json", data)
		reported := false
		for _, pe := range problems {
			reported = reported || strings.HasPrefix(pe.Msg, "duplicate key:")
		}
		if (perr == nil) != (len(problems) == 0) {
			t.Fatalf("Parse: %v; Check: %d problem(s)", perr, len(problems))
		}
		if dup != reported {
			t.Fatalf("duplicate key in the file: %v; reported: %v (%v)", dup, reported, perr)
		}

		// At start: Open never writes the file, whatever it holds.
		dir := t.TempDir()
		path := filepath.Join(dir, "preferences.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path, nil)
		if (err == nil) != (perr == nil) {
			t.Fatalf("Open: %v, Parse: %v", err, perr)
		}
		if err != nil {
			if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
				t.Fatalf("Open wrote a file that failed to parse")
			}
		} else {
			if err := s.Update("fuzz", func(f *File) error { f.Subsidiary += "X"; return nil }); err != nil {
				t.Fatalf("Update of a file that parsed: %v", err)
			}
			s.Close()
		}

		// While running: an external edit to data is never overwritten
		// when it does not parse.
		if err := os.WriteFile(path, example, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err = Open(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, rerr := s.Refresh()
		uerr := s.Update("fuzz", func(f *File) error { f.Subsidiary += "Y"; return nil })
		if perr != nil {
			if rerr == nil || uerr == nil {
				t.Fatalf("a file that fails to parse was accepted: Refresh %v, Update %v", rerr, uerr)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
				t.Fatalf("the Store wrote over a file that failed to parse")
			}
		} else if uerr != nil {
			t.Fatalf("Update after an edit that parses: %v", uerr)
		}
	})
}

// TestOversizedFileRefused: a preferences file over MaxFileSize is refused
// by Load and Open before it is read, and left as it is (issue 12.8).
func TestOversizedFileRefused(t *testing.T) {
	for _, size := range []int64{MaxFileSize + 1, 1 << 40} {
		path := filepath.Join(t.TempDir(), "preferences.json")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		// Sparse: no disk used. A valid start, so only the size is wrong.
		if _, err := f.WriteString(`{"subsidiary": "IE", "user_servers": []}`); err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if _, err := Load(path); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "over the 64 MB limit") {
			t.Errorf("Load of %d bytes: %v, want ErrTooLarge", size, err)
		}
		if _, err := Open(path, nil); !errors.Is(err, ErrTooLarge) {
			t.Errorf("Open of %d bytes: %v, want ErrTooLarge", size, err)
		}
		if _, err := os.Lstat(LockPath(path)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a lock file was created for a file refused for its size")
		}
		if info, err := os.Stat(path); err != nil || info.Size() != size {
			t.Errorf("file changed: %v %v", info, err)
		}
	}
}
