package ovhsim

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// schemaJSON is a verbatim copy of ../shared/spec/ovh-api-schema.json, OVH's
// published API schema (a test checks the copy against the spec when the
// spec is beside the repository).
//
//go:embed testdata/ovh-api-schema.json
var schemaJSON []byte

// exportJSON are verbatim copies of ../shared/spec/openapi-2025-10/*.json,
// OVH's OpenAPI export of 2025-10 (a test checks each copy against the
// spec), by file name.
var exportJSON = map[string][]byte{"me.json": exportMe, "dedicated-server.json": exportDedicated}

//go:embed testdata/openapi-2025-10/me.json
var exportMe []byte

//go:embed testdata/openapi-2025-10/dedicated-server.json
var exportDedicated []byte

// Schema is OVH's published API schema as the simulator enforces it: every
// request is checked against it (path, method, query parameters, body
// fields and types; 400 when it would not be accepted) and every answer
// is checked against its response model (recorded as a violation).
type Schema struct {
	ops    []*Operation
	models modelSet // the models of the 2024-07 schema (CheckValue)
}

// modelSet is the models of one schema document: an operation's types
// resolve in the document it comes from (both documents name models
// alike, e.g. billing.Order, with different fields).
type modelSet map[string]schemaModel

// Operation is one method on one path of the schema.
type Operation struct {
	Method string
	Path   string // as the schema writes it, e.g. /order/cart/{cartId}
	// Auth reports that the call must be signed (noAuthentication false).
	Auth         bool
	ResponseType string
	Params       []Param
	// Source names the schema document the operation comes from
	// (SourceSnapshot or SourceExport).
	Source string
	segs   []string
	models modelSet
}

// The schema documents an Operation can come from.
const (
	// SourceSnapshot is ovh-api-schema.json, OVH's published schema of 2024-07.
	SourceSnapshot = "2024-07"
	// SourceExport is openapi-2025-10/, OVH's OpenAPI export of 2025-10
	// for /me/** and /dedicated/server/**: where it speaks, it wins.
	SourceExport = "2025-10"
)

// Param is one parameter of an operation. Name is empty for a body that
// is a whole model.
type Param struct {
	Name     string
	In       string // path, query or body
	Type     string
	Required bool
}

type schemaModel struct {
	props map[string]schemaProp
	enum  []string
}

type schemaProp struct {
	typ  string
	null bool
}

// newerThanSnapshot lists the fields the simulator serves although the
// schema snapshot (2024-07) lacks them. Each needs a source showing the
// live API returning it.
var newerThanSnapshot = map[string]map[string]schemaProp{
	// ovh-api-notes.md ("Known newer than the snapshot: allowedValues in
	// requiredConfiguration answers"); the notes also tell clients to read
	// the region's allowed values from it.
	"order.cart.ConfigurationRequirements": {"allowedValues": {typ: "string[]", null: true}},
	// The real IE catalog captured from the live API
	// (../shared/fixtures/eco-catalog-IE.json, served verbatim by
	// GET /order/catalog/public/eco) has these promotion fields (ovh-api-notes.md:
	// "the live catalog has more promotion fields").
	"order.catalog.public.Promotion": {
		"context":         {typ: "string", null: true},
		"globalQuantity":  {typ: "long", null: true},
		"minimumDuration": {typ: "long", null: true},
	},
	// The same live capture omits these fields, which the snapshot says
	// cannot be null: OVH leaves them out for some products.
	"order.catalog.public.ProductBlobTechnicalNetwork": {
		"max":     {typ: "double", null: true},
		"maxUnit": {typ: "string", null: true},
		"unit":    {typ: "string", null: true},
	},
	"order.catalog.public.ProductBlobTechnicalDisk": {"maximumCapacity": {typ: "double", null: true}},
}

var loadSchema = sync.OnceValues(func() (*Schema, error) {
	snap, err := ParseSchema(schemaJSON)
	if err != nil {
		return nil, err
	}
	var newer []*Schema
	for _, name := range sortedKeys(exportJSON) {
		n, err := ParseOpenAPI(exportJSON[name])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		newer = append(newer, n)
	}
	return snap.Overlay(newer...), nil
})

// OVHSchema returns the embedded schema: the 2024-07 snapshot with the
// 2025-10 export laid over it for /me/** and /dedicated/server/** (Overlay).
func OVHSchema() *Schema {
	sc, err := loadSchema()
	if err != nil {
		panic("ovhsim: embedded schema: " + err.Error())
	}
	return sc
}

// ParseSchema reads a schema document in the format of ovh-api-schema.json.
func ParseSchema(data []byte) (*Schema, error) {
	var raw struct {
		APIs []struct {
			Path       string `json:"path"`
			Operations []struct {
				Method           string `json:"method"`
				NoAuthentication bool   `json:"noAuthentication"`
				Parameters       []struct {
					Name      *string `json:"name"`
					ParamType string  `json:"paramType"`
					FullType  *string `json:"fullType"`
					Required  bool    `json:"required"`
				} `json:"parameters"`
				ResponseType string `json:"responseType"`
			} `json:"operations"`
		} `json:"apis"`
		Models map[string]struct {
			Properties map[string]struct {
				FullType  string `json:"fullType"`
				CanBeNull bool   `json:"canBeNull"`
			} `json:"properties"`
			Enum []string `json:"enum"`
		} `json:"models"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	sc := &Schema{models: modelSet{}}
	for _, a := range raw.APIs {
		for _, o := range a.Operations {
			op := &Operation{Method: o.Method, Path: a.Path, Auth: !o.NoAuthentication, ResponseType: o.ResponseType,
				Source: SourceSnapshot, segs: strings.Split(strings.Trim(a.Path, "/"), "/"), models: sc.models}
			for _, p := range o.Parameters {
				pp := Param{In: p.ParamType, Required: p.Required, Type: "string"}
				if p.Name != nil {
					pp.Name = *p.Name
				}
				if p.FullType != nil {
					pp.Type = *p.FullType
				}
				op.Params = append(op.Params, pp)
			}
			sc.ops = append(sc.ops, op)
		}
	}
	for name, m := range raw.Models {
		sm := schemaModel{enum: m.Enum}
		if m.Properties != nil {
			sm.props = map[string]schemaProp{}
			for pn, p := range m.Properties {
				sm.props[pn] = schemaProp{typ: p.FullType, null: p.CanBeNull}
			}
		}
		for pn, p := range newerThanSnapshot[name] {
			sm.props[pn] = p
		}
		sc.models[name] = sm
	}
	return sc, nil
}

// Operations lists every operation of the schema.
func (sc *Schema) Operations() []*Operation { return slices.Clone(sc.ops) }

// Lookup returns the operation with method on a path written as the schema
// writes it (e.g. "/order/cart/{cartId}"), or nil. Parameter names are
// ignored: "/order/cart/{id}" finds it too.
func (sc *Schema) Lookup(method, pattern string) *Operation {
	segs := strings.Split(strings.Trim(pattern, "/"), "/")
	for _, op := range sc.ops {
		if op.Method != method || len(op.segs) != len(segs) {
			continue
		}
		same := true
		for i, s := range segs {
			if isParamSeg(s) != isParamSeg(op.segs[i]) || !isParamSeg(s) && s != op.segs[i] {
				same = false
				break
			}
		}
		if same {
			return op
		}
	}
	return nil
}

func isParamSeg(s string) bool { return strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") }

// Match finds the operation serving a concrete request path (relative to
// /1.0). Literal segments win over parameters. pathExists reports whether
// the path exists under another method when op is nil.
func (sc *Schema) Match(method, path string) (op *Operation, params map[string]string, pathExists bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	best := -1
	for _, cand := range sc.ops {
		if len(cand.segs) != len(segs) {
			continue
		}
		score, ok := 0, true
		for i, s := range cand.segs {
			switch {
			case isParamSeg(s):
				if segs[i] == "" {
					ok = false
				}
			case s == segs[i]:
				score += 1 << (len(segs) - i) // earlier literal segments weigh more
			default:
				ok = false
			}
			if !ok {
				break
			}
		}
		if !ok {
			continue
		}
		pathExists = true
		if cand.Method != method {
			continue
		}
		if score > best {
			best, op = score, cand
		}
	}
	if op == nil {
		return nil, nil, pathExists
	}
	params = map[string]string{}
	for i, s := range op.segs {
		if isParamSeg(s) {
			v, err := url.PathUnescape(segs[i])
			if err != nil {
				v = segs[i]
			}
			params[strings.Trim(s, "{}")] = v
		}
	}
	return op, params, true
}

// CheckRequest reports why OVH would not accept a request to op: a path
// parameter, query parameter or body field it does not declare, a
// missing required one, or a value of the wrong type.
func (sc *Schema) CheckRequest(op *Operation, pathParams map[string]string, query url.Values, body []byte) error {
	for _, p := range op.Params {
		if p.In == "path" {
			if err := op.models.checkText(p.Type, pathParams[p.Name]); err != nil {
				return fmt.Errorf("[%s] Given data (%s) is not valid for type %s", p.Name, pathParams[p.Name], p.Type)
			}
		}
	}
	declared := map[string]Param{}
	var bodyParams []Param
	for _, p := range op.Params {
		switch p.In {
		case "query":
			declared[p.Name] = p
		case "body":
			bodyParams = append(bodyParams, p)
		}
	}
	for _, k := range sortedQueryKeys(query) {
		p, ok := declared[k]
		if !ok {
			return fmt.Errorf("Invalid parameter %s: not in the schema of %s %s", k, op.Method, op.Path)
		}
		// Uncertain how OVH reads a repeated parameter: refused (stricter).
		if len(query[k]) != 1 {
			return fmt.Errorf("[%s] given %d times", k, len(query[k]))
		}
		if err := op.models.checkText(p.Type, query[k][0]); err != nil {
			return fmt.Errorf("[%s] Given data (%s) is not valid for type %s", k, query[k][0], p.Type)
		}
	}
	for _, p := range declared {
		if p.Required && !query.Has(p.Name) {
			return fmt.Errorf("[%s] Property is mandatory", p.Name)
		}
	}
	body = bytes.TrimSpace(body)
	if len(bodyParams) == 0 {
		if len(body) > 0 && !bytes.Equal(body, []byte("null")) && !bytes.Equal(body, []byte("{}")) {
			return fmt.Errorf("%s %s takes no body", op.Method, op.Path)
		}
		return nil
	}
	var v any
	if len(body) == 0 {
		v = map[string]any{}
	} else {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("body is not JSON: %v", err)
		}
	}
	if len(bodyParams) == 1 && bodyParams[0].Name == "" {
		if errs := op.models.check(bodyParams[0].Type, v, "", false); len(errs) > 0 {
			return fmt.Errorf("%s", errs[0])
		}
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("body must be a JSON object")
	}
	byName := map[string]Param{}
	for _, p := range bodyParams {
		byName[p.Name] = p
	}
	for _, k := range sortedKeys(obj) {
		p, ok := byName[k]
		if !ok {
			return fmt.Errorf("Invalid parameter %s: not in the schema of %s %s", k, op.Method, op.Path)
		}
		if obj[k] == nil {
			if p.Required {
				return fmt.Errorf("[%s] Property is mandatory", k)
			}
			continue
		}
		if errs := op.models.check(p.Type, obj[k], k, false); len(errs) > 0 {
			return fmt.Errorf("%s", errs[0])
		}
	}
	for _, p := range bodyParams {
		if _, ok := obj[p.Name]; p.Required && !ok {
			return fmt.Errorf("[%s] Property is mandatory", p.Name)
		}
	}
	return nil
}

// CheckResponse lists how a 2xx body differs from op's response type: a
// field the model lacks, a missing field that cannot be null, a wrong
// type or an enum value the schema does not list.
func (sc *Schema) CheckResponse(op *Operation, body []byte) []string {
	body = bytes.TrimSpace(body)
	if op.ResponseType == "void" {
		if len(body) == 0 || bytes.Equal(body, []byte("null")) {
			return nil
		}
		return []string{"void response has a body"}
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return []string{"response is not JSON: " + err.Error()}
	}
	return op.models.check(op.ResponseType, v, "", true)
}

// CheckValue lists how the JSON value v (decoded with UseNumber) differs
// from the schema type typ. strict also demands every field that cannot
// be null (for answers).
func (sc *Schema) CheckValue(typ string, v any, strict bool) []string {
	return sc.models.check(typ, v, "", strict)
}

// resolveType strips an alias ("coreTypes.ServiceId:long" is a long).
func resolveType(t string) string {
	if i := strings.LastIndex(t, ":"); i >= 0 {
		return t[i+1:]
	}
	return t
}

var (
	reDuration = regexp.MustCompile(`^P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$`)
	reLong     = regexp.MustCompile(`^-?\d+$`)
)

// parseDatetime accepts what OVH writes and reads: RFC 3339 with a time zone.
func parseDatetime(s string) error {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err
}

// checkText checks a path or query value (always text) against typ.
func (ms modelSet) checkText(typ, s string) error {
	t := resolveType(typ)
	switch t {
	case "long":
		if !reLong.MatchString(s) {
			return fmt.Errorf("not a long")
		}
	case "double":
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return err
		}
	case "boolean":
		if s != "true" && s != "false" {
			return fmt.Errorf("not a boolean")
		}
	case "datetime":
		return parseDatetime(s)
	case "date":
		_, err := time.Parse(time.DateOnly, s)
		return err
	case "duration":
		if !reDuration.MatchString(s) || s == "P" {
			return fmt.Errorf("not an ISO 8601 duration")
		}
	default:
		if m, ok := ms[t]; ok && m.enum != nil && !slices.Contains(m.enum, s) {
			return fmt.Errorf("not one of %v", m.enum)
		}
	}
	return nil
}

func (ms modelSet) check(typ string, v any, at string, strict bool) []string {
	t := resolveType(typ)
	fail := func(format string, args ...any) []string {
		where := at
		if where == "" {
			where = "(root)"
		}
		return []string{where + ": " + fmt.Sprintf(format, args...)}
	}
	if v == nil {
		return fail("null where %s is expected", typ)
	}
	if elem, ok := strings.CutSuffix(t, "[]"); ok {
		arr, ok := v.([]any)
		if !ok {
			return fail("%T where %s is expected", v, typ)
		}
		var out []string
		for i, x := range arr {
			out = append(out, ms.check(elem, x, fmt.Sprintf("%s[%d]", at, i), strict)...)
		}
		return out
	}
	switch t {
	case "string", "text", "password", "uuid", "ipv4", "ipv6", "ip", "ipBlock", "phoneNumber", "internationalPhoneNumber":
		if _, ok := v.(string); !ok {
			return fail("%T where %s is expected", v, typ)
		}
		return nil
	case "long", "double":
		n, ok := v.(json.Number)
		if !ok {
			return fail("%T where %s is expected", v, typ)
		}
		if t == "long" && !reLong.MatchString(string(n)) {
			return fail("%s is not a long", n)
		}
		return nil
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fail("%T where boolean is expected", v)
		}
		return nil
	case "datetime", "date", "duration":
		s, ok := v.(string)
		if !ok {
			return fail("%T where %s is expected", v, typ)
		}
		if err := ms.checkText(t, s); err != nil {
			return fail("%q is not a valid %s", s, t)
		}
		return nil
	case anyObject:
		if _, ok := v.(map[string]any); !ok {
			return fail("%T where an object is expected", v)
		}
		return nil
	case "map[string]string":
		m, ok := v.(map[string]any)
		if !ok {
			return fail("%T where an object is expected", v)
		}
		for k, x := range m {
			if _, ok := x.(string); !ok {
				return fail("%s: %T where string is expected", k, x)
			}
		}
		return nil
	}
	if inner, ok := strings.CutPrefix(t, "complexType.SafeKeyValue<"); ok {
		inner = strings.TrimSuffix(inner, ">")
		m, ok := v.(map[string]any)
		if !ok {
			return fail("%T where a key/value object is expected", v)
		}
		var out []string
		for _, k := range sortedKeys(m) {
			switch k {
			case "key":
				out = append(out, ms.check("string", m[k], at+".key", strict)...)
			case "value":
				out = append(out, ms.check(inner, m[k], at+".value", strict)...)
			default:
				out = append(out, fail("field %q is not in %s", k, typ)...)
			}
		}
		return out
	}
	m, ok := ms[t]
	if !ok {
		return fail("type %s is not in the schema", typ)
	}
	if m.enum != nil {
		s, ok := v.(string)
		if !ok {
			return fail("%T where enum %s is expected", v, t)
		}
		if !slices.Contains(m.enum, s) {
			return fail("%q is not a value of %s", s, t)
		}
		return nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return fail("%T where %s is expected", v, t)
	}
	var out []string
	for _, k := range sortedKeys(obj) {
		p, ok := m.props[k]
		sub := strings.TrimPrefix(at+"."+k, ".")
		if !ok {
			out = append(out, sub+": field not in "+t)
			continue
		}
		if obj[k] == nil {
			if !p.null {
				out = append(out, sub+": null but "+t+"."+k+" cannot be null")
			}
			continue
		}
		out = append(out, ms.check(p.typ, obj[k], sub, strict)...)
	}
	if strict {
		for _, k := range sortedKeys(m.props) {
			if _, ok := obj[k]; !ok && !m.props[k].null {
				out = append(out, strings.TrimPrefix(at+"."+k, ".")+": missing ("+t+"."+k+" cannot be null)")
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedQueryKeys(q url.Values) []string {
	out := make([]string, 0, len(q))
	for k := range q {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
