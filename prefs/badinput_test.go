package prefs

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
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
// never a panic, never a write to a file that failed to parse, a duplicate
// key is always reported as such (issue 12), and a file that parses keeps
// its bytes through a save (checkBytesKept, issue 21.4).
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
	f.Add([]byte("\xef\xbb\xbf{\"\xff\": {\"\xfe\": 1},\r\n \"user_servers\": [{\"labels\": {\"\xff\": \"\xfe\"}, \"dc_carts\": {\"\xff\": {\"x\xfe\": 1}}}]}"))
	f.Add([]byte(`{"user_servers": [{"qty": 99999999999999999999, "ceiling_price": 1e999}]}`))
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
		if perr == nil {
			checkBytesKept(t, data)
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

// saveOnce opens path, applies one change through the Store, closes it and
// returns the bytes on disk.
func saveOnce(t *testing.T, path string, change func(*File)) []byte {
	t.Helper()
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := s.Apply("test", func(f *File) error { change(f); return nil })
	if err != nil || !saved {
		t.Fatalf("Apply: saved %v, %v", saved, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestInvalidUTF8KeptAtAnyDepth: bytes that are not UTF-8, in a key or a
// value, known or unknown, at any depth, survive a save that changes
// something else: they were rewritten as U+FFFD when they were in a key
// (issue 21.4).
func TestInvalidUTF8KeptAtAnyDepth(t *testing.T) {
	const bad = "\xff\xfe"
	entry := func(extra string) string {
		return `{"subsidiary": "IE", "user_servers": [{"planCode": "a", "qty": 1` + extra + `}]}`
	}
	for name, in := range map[string]string{
		"top-level value":        `{"x": "` + bad + `", "subsidiary": "IE", "user_servers": [{"planCode": "a", "qty": 1}]}`,
		"top-level key":          `{"` + bad + `": 1, "subsidiary": "IE", "user_servers": [{"planCode": "a", "qty": 1}]}`,
		"entry key":              entry(`, "` + bad + `": "` + bad + `"`),
		"datacenter key":         entry(`, "datacenters": [{"region": "europe", "dedicated_datacenter": "fra", "` + bad + `": 1}]`),
		"cart key":               entry(`, "dc_carts": {"fra": {"cartId": "c", "` + bad + `": 1}}`),
		"dc_carts name":          entry(`, "dc_carts": {"` + bad + `": {"cartId": "c"}}`),
		"summary key and value":  entry(`, "dc_carts": {"fra": {"cartId": "c", "summary": {"text": "t", "` + bad + `": "` + bad + `"}}}`),
		"label key and value":    entry(`, "labels": {"` + bad + `": "` + bad + `", "dedicated_os": "none_64.en"}`),
		"fetch_catalog":          entry(`, "fetch_catalog": {"` + bad + `": "` + bad + `"}`),
		"known string":           entry(`, "fqn": "a` + bad + `"`),
		"nested unknown":         `{"x": {"` + bad + `": ["` + bad + `", {"` + bad + `": 1}]}, "subsidiary": "IE", "user_servers": [{"planCode": "a", "qty": 1}]}`,
		"escaped key spelling":   entry(`, "q\u0074y_note": "` + bad + `"`),
		"lone surrogate escapes": entry(`, "\ud800": "\udc00"`),
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "preferences.json")
			if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
				t.Fatal(err)
			}
			got := saveOnce(t, path, func(f *File) {
				f.Servers[0].Qty = 2
				f.Servers[0].PlaceOrder = true
				if f.Servers[0].Labels.Len() > 0 {
					f.Servers[0].Labels.Set("dedicated_os", "debian12_64")
				}
				f.Servers[0].DCCarts.Set(DCCart{DC: "gra", CartID: "new"})
			})
			if n, want := bytes.Count(got, []byte(bad)), strings.Count(in, bad); n != want {
				t.Errorf("%d of %d invalid sequences kept:\n%s", n, want, got)
			}
			if bytes.Contains(got, []byte("\uFFFD")) || bytes.Contains(got, []byte(`\ufffd`)) {
				t.Errorf("U+FFFD written:\n%s", got)
			}
			for _, lit := range []string{`"q\u0074y_note"`, `"\ud800": "\udc00"`} {
				if strings.Contains(in, lit) && !bytes.Contains(got, []byte(lit)) {
					t.Errorf("%s respelled:\n%s", lit, got)
				}
			}
			if f, err := Parse(path, got); err != nil || f.Servers[0].Qty != 2 {
				t.Fatalf("saved file: %v", err)
			}
		})
	}
}

// TestFileFormKept: a save keeps the byte order mark, CRLF line ends and
// the owner's permission bits; what it changes on purpose is the layout
// (2-space indent, final newline) and the permission of group and others
// (the file may hold an order URL with its password) (issue 21.4).
func TestFileFormKept(t *testing.T) {
	orig, err := os.ReadFile("testdata/example1.json")
	if err != nil {
		t.Fatal(err)
	}
	crlf := bytes.ReplaceAll(orig, []byte("\n"), []byte("\r\n"))
	for _, tc := range []struct {
		name     string
		data     []byte
		mode     os.FileMode
		bom      bool
		crlf     bool
		wantMode os.FileMode
	}{
		{"plain", orig, 0o600, false, false, 0o600},
		{"BOM", append([]byte("\xef\xbb\xbf"), orig...), 0o600, true, false, 0o600},
		{"CRLF", crlf, 0o600, false, true, 0o600},
		{"BOM and CRLF", append([]byte("\xef\xbb\xbf"), crlf...), 0o600, true, true, 0o600},
		{"read-only", orig, 0o444, false, false, 0o400},
		{"group readable", orig, 0o640, false, false, 0o600},
		{"world writable", orig, 0o666, false, false, 0o600},
		{"owner read only", orig, 0o400, false, false, 0o400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "preferences.json")
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			got := saveOnce(t, path, func(f *File) { f.Servers[0].Qty = 2 })
			if bom := bytes.HasPrefix(got, []byte("\xef\xbb\xbf")); bom != tc.bom {
				t.Errorf("BOM %v, want %v", bom, tc.bom)
			}
			lf, crlfs := bytes.Count(got, []byte("\n")), bytes.Count(got, []byte("\r\n"))
			if tc.crlf && crlfs != lf || !tc.crlf && crlfs != 0 {
				t.Errorf("%d CRLF of %d line ends, want CRLF %v", crlfs, lf, tc.crlf)
			}
			if info, err := os.Stat(path); err != nil || info.Mode().Perm() != tc.wantMode {
				t.Errorf("mode %v (%v), want %v", info.Mode(), err, tc.wantMode)
			}
			// A second save (the form now known from the saved file) keeps it.
			again := saveOnce(t, path, func(f *File) { f.Servers[0].Qty = 3 })
			if want := bytes.Replace(got, []byte(`"qty": 2`), []byte(`"qty": 3`), 1); !bytes.Equal(again, want) {
				t.Errorf("second save:\n%q\nwant\n%q", again, want)
			}
		})
	}
}

// TestUserTempLookalikeKept: a file of the user's that merely looks like
// a temp file of a save is never removed (it was, silently, at start), and
// ovhtui leaves no temp file of its own after its saves (issue 21.2).
func TestUserTempLookalikeKept(t *testing.T) {
	path, _ := writeExample(t)
	dir := filepath.Dir(path)
	mine := map[string][]byte{}
	for _, name := range []string{".preferences.json.tmp-mybackup", ".preferences.json.tmp-123456", ".preferences.json.ovhtui-save-1.tmp"} {
		mine[name] = []byte("my " + name)
		if err := os.WriteFile(filepath.Join(dir, name), mine[name], 0o600); err != nil {
			t.Fatal(err)
		}
	}
	saveOnce(t, path, func(f *File) { f.Servers[0].Qty = 2 })
	saveOnce(t, path, func(f *File) { f.Servers[0].Qty = 3 })
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		n := e.Name()
		if want, ok := mine[n]; ok {
			if got, _ := os.ReadFile(filepath.Join(dir, n)); !bytes.Equal(got, want) {
				t.Errorf("%s changed: %q", n, got)
			}
			delete(mine, n)
			continue
		}
		if n != "preferences.json" {
			t.Errorf("left behind: %s", n)
		}
	}
	for n := range mine {
		t.Errorf("%s removed", n)
	}
}

// TestNoLockFileLeft: the lock file is gone after Close, and never
// created for a file that does not parse (issue 21.7).
func TestNoLockFileLeft(t *testing.T) {
	path, _ := writeExample(t)
	s, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(LockPath(path)); err != nil {
		t.Fatalf("no lock file while open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(LockPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file left after Close: %v", err)
	}
	for _, bad := range []string{"{", `{"user_servers": [{"qty": "1"}]}`, `{"a": 1, "a": 2}`} {
		if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(path, nil); err == nil {
			t.Fatalf("%s opened", bad)
		}
		if _, err := os.Lstat(LockPath(path)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: lock file left after a parse error: %v", bad, err)
		}
	}
}

// TestNumberOutOfRangeSaid: an integer too large for its field is said to
// be too large, not "not an integer"; 1e999 is too large, not "not a
// number"; an integer written with an exponent is said as such; an array
// element of the wrong type is named by its index (issue 21.6).
func TestNumberOutOfRangeSaid(t *testing.T) {
	for _, tc := range []struct{ field, value, want string }{
		{"qty", "99999999999999999999", "user_servers[0].qty: is too large: 99999999999999999999 is over the largest integer ovhtui holds, 9223372036854775807"},
		{"qty", "-99999999999999999999", "user_servers[0].qty: is too small: -99999999999999999999 is under the smallest integer ovhtui holds, -9223372036854775808"},
		{"order_id", "99999999999999999999", "user_servers[0].order_id: is too large: 99999999999999999999 is over the largest integer ovhtui holds, 9223372036854775807"},
		{"qty", "1e3", "user_servers[0].qty: must be an integer written without exponent or fraction (like 1000), got 1e3"},
		{"qty", "2.0", "user_servers[0].qty: must be an integer written without exponent or fraction (like 2), got 2.0"},
		{"qty", "1.5", "user_servers[0].qty: must be an integer, got the number 1.5"},
		{"ceiling_price", "1e999", "user_servers[0].ceiling_price: is too large: 1e999 is beyond the largest number ovhtui holds (about 1.8e308)"},
		{"ceiling_price", "-1e999", "user_servers[0].ceiling_price: is too small: -1e999 is beyond the largest number ovhtui holds (about 1.8e308)"},
		{"coupons", `["A", 7]`, "user_servers[0].coupons[1]: must be a string, got the number 7"},
		{"addon_planCodes", `{}`, "user_servers[0].addon_planCodes: must be an array of strings, got an object"},
		{"max_delivery_hours", "1e999", "user_servers[0].max_delivery_hours: is too large: 1e999 is over the largest integer ovhtui holds, 9223372036854775807"},
		{"dc_carts", `{"fra": {"itemIds": [1, 99999999999999999999]}}`, "user_servers[0].dc_carts.fra.itemIds[1]: is too large: 99999999999999999999 is over the largest integer ovhtui holds, 9223372036854775807"},
	} {
		t.Run(tc.field+"="+tc.value, func(t *testing.T) {
			_, err := Parse("f.json", []byte(`{"user_servers": [{"`+tc.field+`": `+tc.value+`}]}`))
			if err == nil || !strings.HasSuffix(err.Error(), tc.want) {
				t.Fatalf("error\n got %v\nwant …%s", err, tc.want)
			}
		})
	}
}

// checkBytesKept checks, for data that parses, what a save keeps: no byte
// that is not UTF-8 is lost and no U+FFFD appears, the byte order mark and
// CRLF line ends stay, and saving the saved file changes nothing.
func checkBytesKept(t *testing.T, data []byte) {
	t.Helper()
	f, err := Parse("f.json", data)
	if err != nil {
		t.Fatal(err)
	}
	out, err := f.Marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if got, want := invalidUTF8(out), invalidUTF8(data); got != want {
		t.Fatalf("%d bytes that are not UTF-8 written, %d read:\n%q\n%q", got, want, data, out)
	}
	if got, want := bytes.Count(out, []byte("\uFFFD")), bytes.Count(data, []byte("\uFFFD")); got != want {
		t.Fatalf("%d U+FFFD written, %d read:\n%q\n%q", got, want, data, out)
	}
	if formOf(out) != formOf(data) {
		t.Fatalf("form %+v written, %+v read", formOf(out), formOf(data))
	}
	g, err := Parse("f.json", out)
	if err != nil {
		t.Fatalf("the saved file does not parse: %v\n%q", err, out)
	}
	again, err := g.Marshal()
	if err != nil || !bytes.Equal(again, out) {
		t.Fatalf("saving the saved file changes it (%v):\n%q\n%q", err, out, again)
	}
}

// invalidUTF8 counts the bytes of b that are not part of a UTF-8 sequence.
func invalidUTF8(b []byte) int {
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			n++
		}
		b = b[size:]
	}
	return n
}

// TestEmptyPathSaid: an empty path names no file; it was said as
// "read preferences:  is a folder" (issue 21.6).
func TestEmptyPathSaid(t *testing.T) {
	t.Chdir(t.TempDir())
	want := "read preferences: the path is empty: name the preferences file, for example ./preferences.json"
	_, err := Load("")
	_, _, cerr := LoadCheck("")
	_, oerr := Open("", nil)
	for _, err := range []error{err, cerr, oerr} {
		if !errors.Is(err, ErrEmptyPath) || err.Error() != want {
			t.Errorf("%v, want %q", err, want)
		}
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("files created: %v", entries)
	}
}
