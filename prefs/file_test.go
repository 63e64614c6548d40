package prefs

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var examples = []string{"testdata/example1.json", "testdata/example2.json"}

// indent is the saved form of a JSON document: 2-space indented, final newline.
func indent(t testing.TB, data []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := json.Indent(&out, bytes.TrimSpace(data), "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	return out.Bytes()
}

func mustParse(t testing.TB, data []byte) *File {
	t.Helper()
	f, err := Parse("test.json", data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mustMarshal(t testing.TB, f *File) []byte {
	t.Helper()
	b, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The spec's examples (as the spec text gives them, without indentation)
// save as their 2-space indented form, and that form saves back byte for
// byte.
func TestExamplesRoundTrip(t *testing.T) {
	for _, name := range examples {
		t.Run(filepath.Base(name), func(t *testing.T) {
			orig, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Load(name)
			if err != nil {
				t.Fatal(err)
			}
			want := indent(t, orig)
			if got := mustMarshal(t, f); !bytes.Equal(got, want) {
				t.Fatalf("saved form differs from the indented original:\n%s\nwant:\n%s", got, want)
			}
			if got := mustMarshal(t, mustParse(t, want)); !bytes.Equal(got, want) {
				t.Fatalf("the saved form does not save back byte for byte:\n%s", got)
			}
		})
	}
}

func TestExample1HasNoProblems(t *testing.T) {
	f, err := Load(examples[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, ep := range []string{"", "ovh-eu", "https://eu.api.ovh.com/1.0", "http://127.0.0.1:8080/1.0"} {
		if p := Validate(f, ep); len(p) != 0 {
			t.Errorf("endpoint %q: problems %v", ep, p)
		}
	}
	// example2 fetches its addons from the catalog: valid too.
	f2, err := Load(examples[1])
	if err != nil {
		t.Fatal(err)
	}
	if p := Validate(f2, "ovh-eu"); len(p) != 0 {
		t.Errorf("example2: problems %v", p)
	}
}

func TestExampleTypedFields(t *testing.T) {
	f, err := Load(examples[0])
	if err != nil {
		t.Fatal(err)
	}
	s := f.Servers[0]
	if f.Subsidiary != "IE" || s.PlanCode != "25skleb01" || s.Qty != 1 || s.CeilingUcents() != 20_00000000 ||
		len(s.AddonPlanCodes) != 3 || strings.Join(s.DCNames(), ",") != "fra,gra" || s.MaxDelivery() != DefaultMaxDeliveryHours {
		t.Fatalf("unexpected content: %+v", s)
	}
	if os, _ := s.Labels.Get("dedicated_os"); os != "none_64.en" {
		t.Fatalf("dedicated_os = %q", os)
	}
	if f.Find(s.Key()) != 0 || f.Find("nope") != -1 {
		t.Fatal("Find by Key")
	}
}

// A file with unknown keys at every level that can hold them.
const unknownKeysJSON = `{
  "x_top_first": 1,
  "subsidiary": "IE",
  "x_top": {"nested": [1, 2, {"a": "<b>&"}]},
  "user_servers": [
    {
      "x_entry_first": "a",
      "planCode": "25skleb01",
      "fqn": "25skleb01.ram-32g-ecc-2400.softraid-2x450nvme",
      "skip_validate": false,
      "place_order": false,
      "autopay": false,
      "coupons": [],
      "fetch_catalog": {
        "storage": "",
        "x_fetch": "kept",
        "memory": "",
        "bandwidth": ""
      },
      "datacenters": [
        {
          "x_dc": true,
          "region": "europe",
          "dedicated_datacenter": "fra"
        }
      ],
      "labels": {
        "dedicated_os": "none_64.en",
        "x_label": "kept"
      },
      "addon_planCodes": [],
      "qty": 1,
      "x_entry_mid": null,
      "ceiling_price": 20.0,
      "dc_carts": {
        "fra": {
          "cartId": "abc",
          "x_cart": 1.50,
          "cartExpire": "2026-11-24T09:00:00+01:00",
          "itemIds": [
            1,
            2
          ],
          "summary": {
            "withoutTaxUcents": 1999000000,
            "withTaxUcents": 2398800000,
            "currencyCode": "EUR",
            "text": "19.99 €",
            "x_summary": [],
            "validatedAt": "2026-11-23T09:00:00Z"
          }
        }
      },
      "x_entry_last": {}
    }
  ],
  "x_top_last": "end"
}
`

func TestUnknownKeysSurvive(t *testing.T) {
	in := indent(t, []byte(unknownKeysJSON))
	f := mustParse(t, in)
	if got := mustMarshal(t, f); !bytes.Equal(got, in) {
		t.Fatalf("round trip changed the file:\n%s", got)
	}

	// Change typed fields at every level; the unknown keys stay where they were.
	s := &f.Servers[0]
	s.Qty = 0
	s.PlaceOrder = true
	s.Coupons = []string{"MONDAY"}
	s.FetchCatalog.Set("memory", "ram-32g")
	s.Labels.Set("dedicated_os", "debian12_64")
	s.Datacenters[0].Region = "eu"
	s.OrderAttempted = true
	s.OrderAttemptedAt = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	c, _ := s.DCCarts.Get("fra")
	c.CartID = "def"
	c.Summary.Text = "20 €"
	s.DCCarts.Set(c)
	f.Subsidiary = "FR"
	out := mustMarshal(t, f)

	g := mustParse(t, out)
	var generic map[string]any
	if err := json.Unmarshal(out, &generic); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{
		`"x_top_first": 1`, `"x_top": {`, `"a": "<b>&"`, `"x_top_last": "end"`,
		`"x_entry_first": "a"`, `"x_entry_mid": null`, `"x_entry_last": {}`,
		`"x_fetch": "kept"`, `"x_dc": true`, `"x_label": "kept"`, `"x_cart": 1.50`, `"x_summary": []`,
	} {
		if !bytes.Contains(out, []byte(key)) {
			t.Errorf("lost %s:\n%s", key, out)
		}
	}
	// Known keys keep their place among the unknown ones.
	order := []string{`"x_top_first"`, `"subsidiary": "FR"`, `"x_top"`, `"user_servers"`, `"x_entry_first"`,
		`"planCode"`, `"place_order": true`, `"x_fetch"`, `"memory": "ram-32g"`, `"x_dc"`, `"region": "eu"`,
		`"x_label"`, `"qty": 0`, `"x_entry_mid"`, `"ceiling_price": 20.0`, `"cartId": "def"`, `"x_cart"`,
		`"cartExpire": "2026-11-24T09:00:00+01:00"`, `"text": "20 €"`, `"x_summary"`, `"validatedAt"`,
		`"x_entry_last"`, `"order_attempted": true`, `"order_attempted_at": "2026-11-23T10:00:00Z"`, `"x_top_last"`}
	last := -1
	for _, k := range order {
		i := bytes.Index(out, []byte(k))
		if i < 0 || i < last {
			t.Fatalf("%s missing or out of order:\n%s", k, out)
		}
		last = i
	}
	if g.Servers[0].Qty != 0 || !g.Servers[0].PlaceOrder || g.Subsidiary != "FR" {
		t.Fatal("typed changes lost")
	}
	// And the changed file is itself stable.
	if again := mustMarshal(t, g); !bytes.Equal(again, out) {
		t.Fatalf("second save differs:\n%s\n---\n%s", again, out)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // the whole error text
	}{
		{"bad character", "{\n  \"subsidiary\": x\n}", `f.json:2:17: invalid character 'x' looking for beginning of value`},
		{"missing comma", "{\n\"a\": 1\n\"b\": 2}", `f.json:3:1: invalid character '"' after object key:value pair`},
		{"trailing comma", "{\"a\": [1,]}", `f.json:1:10: invalid character ']' looking for beginning of value`},
		{"truncated", "{\n  \"a\": [1,\n", `f.json:3:1: unexpected end of file (truncated JSON?)`},
		{"empty", "", `f.json:1:1: empty file: expected a JSON object`},
		{"trailing data", "{}\n}", `f.json:2:1: unexpected data after the top-level value`},
		{"byte order mark", "\xef\xbb\xbf{\"subsidiary\": \"IE\", \"x\": é}", `f.json:1:27: invalid character 'Ã' looking for beginning of value`},
		{"column in characters", "{\"subsidiary\": \"IÉ\", \"x\": é}", `f.json:1:27: invalid character 'Ã' looking for beginning of value`},
		{"not an object", "[1]", `f.json:1:1: the top level must be an object, got an array`},
		{"qty type", `{"user_servers": [{"qty": "1"}]}`, `f.json:1:27: user_servers[0].qty: must be an integer, got a string "1"`},
		{"qty fraction", `{"user_servers": [{"qty": 1.5}]}`, `f.json:1:27: user_servers[0].qty: must be an integer, got the number 1.5`},
		{"subsidiary type", `{"subsidiary": 1}`, `f.json:1:16: subsidiary: must be a string, got the number 1`},
		{"servers type", `{"user_servers": {}}`, `f.json:1:18: user_servers: must be an array, got an object`},
		{"dc type", `{"user_servers": [{"datacenters": [{"dedicated_datacenter": 1}]}]}`,
			`f.json:1:61: user_servers[0].datacenters[0].dedicated_datacenter: must be a string, got the number 1`},
		{"dc not object", `{"user_servers": [{"datacenters": ["fra"]}]}`,
			`f.json:1:36: user_servers[0].datacenters[0]: must be an object, got a string "fra"`},
		{"label type", `{"user_servers": [{"labels": {"dedicated_os": 1}}]}`,
			`f.json:1:47: user_servers[0].labels.dedicated_os: must be a string, got the number 1`},
		{"cart time", `{"user_servers": [{"dc_carts": {"fra": {"cartExpire": "soon"}}}]}`,
			`f.json:1:55: user_servers[0].dc_carts.fra.cartExpire: must be an RFC 3339 time, got a string "soon"`},
		{"summary type", `{"user_servers": [{"dc_carts": {"fra": {"summary": {"withoutTaxUcents": 1.5}}}}]}`,
			`f.json:1:73: user_servers[0].dc_carts.fra.summary.withoutTaxUcents: must be an integer, got the number 1.5`},
		{"second entry, multi-line", "{\n  \"user_servers\": [\n    {},\n    {\n      \"place_order\": \"yes\"\n    }\n  ]\n}",
			`f.json:5:22: user_servers[1].place_order: must be true or false, got a string "yes"`},
		{"dotted key: no position", `{"user_servers": [{"labels": {"a.b": 1}}]}`,
			`f.json: user_servers[0].labels.a.b: must be a string, got the number 1`},
		{"ceiling type", `{"user_servers": [{"ceiling_price": "20"}]}`,
			`f.json:1:37: user_servers[0].ceiling_price: must be a number, got a string "20"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.json", []byte(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			if err.Error() != tt.want {
				t.Fatalf("error\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

// Times the user wrote in another zone are kept as written when unchanged.
func TestTimeKeptAsWritten(t *testing.T) {
	in := []byte(`{"subsidiary": "IE", "user_servers": [{"order_attempted": true, "order_attempted_at": "2026-11-23T10:00:00+01:00"}]}`)
	out := mustMarshal(t, mustParse(t, in))
	if !bytes.Contains(out, []byte(`"order_attempted_at": "2026-11-23T10:00:00+01:00"`)) {
		t.Fatalf("time rewritten:\n%s", out)
	}
}

func TestCloneIsDeep(t *testing.T) {
	f := mustParse(t, []byte(unknownKeysJSON))
	h := 5
	f.Servers[0].MaxDeliveryHours = &h
	before := mustMarshal(t, f)
	c := f.Clone()
	if !bytes.Equal(mustMarshal(t, c), before) {
		t.Fatal("clone differs")
	}
	s := &c.Servers[0]
	s.Coupons = append(s.Coupons, "X")
	s.Labels.Set("dedicated_os", "other")
	s.Labels.Set("new", "v")
	s.FetchCatalog.Set("storage", "x")
	s.Datacenters[0].Datacenter = "gra"
	*s.MaxDeliveryHours = 9
	s.DCCarts[0].ItemIDs[0] = 99
	s.DCCarts[0].Summary.WithTaxUcents = 1
	s.AddonPlanCodes = append(s.AddonPlanCodes, "a")
	c.Servers = append(c.Servers, Server{})
	if after := mustMarshal(t, f); !bytes.Equal(after, before) {
		t.Fatalf("changing the clone changed the original:\n%s", after)
	}
}

// A File built in code (no raw keys) marshals with every known key in the
// canonical order and parses back to the same.
func TestNewFileMarshal(t *testing.T) {
	f := &File{Subsidiary: "IE", Servers: []Server{{
		PlanCode: "24sk50", FQN: "24sk50.x", Qty: 1, CeilingPrice: 12.5,
		Datacenters: []Datacenter{{Region: "europe", Datacenter: "gra"}},
	}}}
	f.Servers[0].Labels.Set("dedicated_os", "none_64.en")
	out := mustMarshal(t, f)
	want := `{
  "subsidiary": "IE",
  "user_servers": [
    {
      "planCode": "24sk50",
      "fqn": "24sk50.x",
      "skip_validate": false,
      "place_order": false,
      "autopay": false,
      "coupons": [],
      "datacenters": [
        {
          "region": "europe",
          "dedicated_datacenter": "gra"
        }
      ],
      "labels": {
        "dedicated_os": "none_64.en"
      },
      "addon_planCodes": [],
      "qty": 1,
      "ceiling_price": 12.5,
      "dc_carts": {},
      "waive_retractation": false
    }
  ]
}
`
	if string(out) != want {
		t.Fatalf("got\n%s", out)
	}
	if again := mustMarshal(t, mustParse(t, out)); !bytes.Equal(again, out) {
		t.Fatalf("not stable:\n%s", again)
	}
}

// FuzzLoad: Parse never panics (it takes bytes: no file access, so it
// cannot write); what parses marshals to a fixed point; Validate never
// panics on it.
func FuzzLoad(f *testing.F) {
	for _, name := range examples {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(unknownKeysJSON))
	f.Add([]byte(`{"user_servers": [{"qty": -1, "max_delivery_hours": 0, "order_attempted": true}]}`))
	f.Add([]byte(`{"a":1,"a":2,"user_servers":null}`))
	f.Add([]byte("\xef\xbb\xbf{\"\xff\": 1,\r\n\"user_servers\": [{\"labels\": {\"\xfe\": \"\xff\"}, \"dc_carts\": {\"\xff\": {}}}]}"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(filepath.Join(dir, "preferences.json"), data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *ParseError", err)
			}
			return
		}
		_ = Validate(p, "ovh-eu")
		_ = p.Clone()
		out, err := p.Marshal()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		q, err := Parse("again", out)
		if err != nil {
			t.Fatalf("saved form does not parse: %v\n%s", err, out)
		}
		again, err := q.Marshal()
		if err != nil {
			t.Fatalf("marshal again: %v", err)
		}
		if !bytes.Equal(again, out) {
			t.Fatalf("not a fixed point:\n%s\n---\n%s", out, again)
		}
		if c, _ := p.Clone().Marshal(); !bytes.Equal(c, out) {
			t.Fatalf("clone marshals differently:\n%s", c)
		}
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) != 0 {
			t.Fatalf("Parse wrote into %s: %v %v", dir, entries, err)
		}
	})
}

func TestDCCartsAndStringMap(t *testing.T) {
	f := mustParse(t, indent(t, []byte(unknownKeysJSON)))
	s := &f.Servers[0]
	saved := s.DCCarts
	s.DCCarts.Set(DCCart{DC: "gra", CartID: "g"})
	s.DCCarts.Set(DCCart{DC: "fra", CartID: "f2"}) // keeps the unknown keys of the old fra cart
	if c, ok := s.DCCarts.Get("fra"); !ok || c.CartID != "f2" {
		t.Fatalf("Get fra: %+v %v", c, ok)
	}
	out := mustMarshal(t, f)
	if !bytes.Contains(out, []byte(`"x_cart": 1.50`)) || !bytes.Contains(out, []byte(`"gra": {`)) {
		t.Fatalf("Set lost data:\n%s", out)
	}
	s.DCCarts.Delete("fra")
	if _, ok := s.DCCarts.Get("fra"); ok || len(s.DCCarts) != 1 {
		t.Fatalf("Delete: %+v", s.DCCarts)
	}
	if saved[0].DC != "fra" || saved[0].CartID != "abc" {
		t.Fatalf("Delete changed an earlier copy: %+v", saved)
	}
	if _, ok := s.DCCarts.Get("nope"); ok {
		t.Fatal("Get of a missing DC")
	}

	m := s.Labels.Clone()
	m.Set("dedicated_os", "x")
	m.Set("new", "y")
	if v, _ := s.Labels.Get("dedicated_os"); v != "none_64.en" || s.Labels.Len() != 2 {
		t.Fatal("Clone shares content")
	}
	if strings.Join(m.Keys(), ",") != "dedicated_os,x_label,new" || m.Len() != 3 {
		t.Fatalf("keys %v", m.Keys())
	}
}

// TestByteOrderMarkAccepted: a file starting with a byte order mark parses,
// and is saved with it (issue 21.4).
func TestByteOrderMarkAccepted(t *testing.T) {
	orig, _ := os.ReadFile(examples[0])
	f := mustParse(t, append([]byte("\xef\xbb\xbf"), orig...))
	if got := mustMarshal(t, f); !bytes.Equal(got, append([]byte("\xef\xbb\xbf"), indent(t, orig)...)) {
		t.Fatalf("saved:\n%s", got)
	}
}
