package ovhsim

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// OVH's OpenAPI export of 2025-10 (testdata/openapi-2025-10/, a copy of
// ../shared/spec/openapi-2025-10/) for /me/** and /dedicated/server/**.
// ParseOpenAPI reads it into the same Operation and model form as the
// 2024-07 schema; Overlay lays it over the snapshot, so that for every path
// the export has, the export alone decides (methods, signature,
// parameters, answers), and the snapshot stays the law elsewhere (carts,
// the catalog, /auth, /service).
//
// How OpenAPI 3 reads here:
//   - an operation with a non-empty "security" must be signed; without it,
//     it is public (noAuthentication true in the snapshot's terms);
//   - "integer" is long, "number" double, a string of format date-time a
//     datetime, of format date a date; "$ref" and a one-element "allOf"
//     name a model; an array is "<items>[]"; an object with
//     additionalProperties is any object;
//   - "nullable": true is canBeNull. The export lists no "required" for
//     answer models: OVH's API writes every field of a model (null when it
//     has no value), so an answer missing a field that cannot be null is
//     still reported (the stricter reading);
//   - a request body that is an inline object is a set of body parameters
//     (required as its "required" says); a body that is a "$ref" is a whole
//     model, as the snapshot's nameless body parameter;
//   - a 200 without content is void.

// oaSchema is the part of an OpenAPI 3 schema object the simulator reads.
type oaSchema struct {
	Ref                  string              `json:"$ref"`
	Type                 string              `json:"type"`
	Format               string              `json:"format"`
	Nullable             bool                `json:"nullable"`
	Enum                 []string            `json:"enum"`
	Items                *oaSchema           `json:"items"`
	AllOf                []*oaSchema         `json:"allOf"`
	Properties           map[string]oaSchema `json:"properties"`
	Required             []string            `json:"required"`
	AdditionalProperties json.RawMessage     `json:"additionalProperties"`
}

type oaParam struct {
	In       string   `json:"in"`
	Name     string   `json:"name"`
	Required bool     `json:"required"`
	Schema   oaSchema `json:"schema"`
}

type oaMedia struct {
	Schema *oaSchema `json:"schema"`
}

type oaOperation struct {
	Security    []map[string][]string `json:"security"`
	Parameters  []oaParam             `json:"parameters"`
	RequestBody *struct {
		Required bool               `json:"required"`
		Content  map[string]oaMedia `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Content map[string]oaMedia `json:"content"`
	} `json:"responses"`
}

// ParseOpenAPI reads an OpenAPI 3 document of OVH's export (the format of
// openapi-2025-10/*.json). Its operations have Source SourceExport.
func ParseOpenAPI(data []byte) (*Schema, error) {
	var raw struct {
		OpenAPI    string                            `json:"openapi"`
		Paths      map[string]map[string]oaOperation `json:"paths"`
		Components struct {
			Schemas map[string]oaSchema `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	if !strings.HasPrefix(raw.OpenAPI, "3.") {
		return nil, fmt.Errorf("openapi: version %q, want 3.x", raw.OpenAPI)
	}
	sc := &Schema{models: modelSet{}}
	for name, m := range raw.Components.Schemas {
		sm := schemaModel{enum: m.Enum}
		if m.Enum == nil {
			sm.props = map[string]schemaProp{}
			for pn, p := range m.Properties {
				sm.props[pn] = schemaProp{typ: oaType(&p), null: p.Nullable}
			}
		}
		sc.models[name] = sm
	}
	for _, path := range sortedKeys(raw.Paths) {
		for _, method := range sortedKeys(raw.Paths[path]) {
			o := raw.Paths[path][method]
			op := &Operation{Method: strings.ToUpper(method), Path: path, Auth: len(o.Security) > 0,
				ResponseType: "void", Source: SourceExport,
				segs: strings.Split(strings.Trim(path, "/"), "/"), models: sc.models}
			for _, p := range o.Parameters {
				op.Params = append(op.Params, Param{Name: p.Name, In: p.In, Type: oaType(&p.Schema), Required: p.Required})
			}
			if rb := o.RequestBody; rb != nil {
				if body := rb.Content["application/json"].Schema; body != nil {
					if body.Ref != "" || len(body.AllOf) == 1 {
						op.Params = append(op.Params, Param{In: "body", Type: oaType(body), Required: rb.Required})
					} else {
						names := make([]string, 0, len(body.Properties))
						for n := range body.Properties {
							names = append(names, n)
						}
						sort.Strings(names)
						for _, n := range names {
							p := body.Properties[n]
							req := false
							for _, r := range body.Required {
								req = req || r == n
							}
							op.Params = append(op.Params, Param{Name: n, In: "body", Type: oaType(&p), Required: req})
						}
					}
				}
			}
			if ok, found := o.Responses["200"]; found {
				if media, has := ok.Content["application/json"]; has && media.Schema != nil {
					op.ResponseType = oaType(media.Schema)
				}
			}
			sc.ops = append(sc.ops, op)
		}
	}
	return sc, nil
}

// oaType is the snapshot's type name for an OpenAPI schema.
func oaType(s *oaSchema) string {
	switch {
	case s == nil:
		return "string"
	case s.Ref != "":
		return strings.TrimPrefix(s.Ref, "#/components/schemas/")
	case len(s.AllOf) == 1:
		return oaType(s.AllOf[0])
	}
	switch s.Type {
	case "integer":
		return "long"
	case "number":
		return "double"
	case "boolean":
		return "boolean"
	case "array":
		return oaType(s.Items) + "[]"
	case "object":
		return anyObject
	case "string":
		switch s.Format {
		case "date-time":
			return "datetime"
		case "date":
			return "date"
		}
	}
	return "string"
}

// anyObject is the type of an OpenAPI object without a model (a map):
// any JSON object passes.
const anyObject = "object"

// Overlay returns the snapshot sc with newer laid over it: every path
// newer has (whatever the method) is served by newer's operations only;
// the other paths keep sc's.
func (sc *Schema) Overlay(newer ...*Schema) *Schema {
	out := &Schema{models: sc.models}
	covered := map[string]bool{}
	for _, n := range newer {
		for _, op := range n.ops {
			covered[strings.Join(patternSegs(op.segs), "/")] = true
		}
	}
	for _, op := range sc.ops {
		if !covered[strings.Join(patternSegs(op.segs), "/")] {
			out.ops = append(out.ops, op)
		}
	}
	for _, n := range newer {
		out.ops = append(out.ops, n.ops...)
	}
	return out
}

// patternSegs writes every parameter segment alike ("{}"): both documents
// name the same parameter differently at times ({detailId}, {orderDetailId}).
func patternSegs(segs []string) []string {
	out := make([]string, len(segs))
	for i, s := range segs {
		if isParamSeg(s) {
			s = "{}"
		}
		out[i] = s
	}
	return out
}
