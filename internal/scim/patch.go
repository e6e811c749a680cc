package scim

import (
	"encoding/json"
	"strings"

	"github.com/atriumhq/atrium/internal/scim/filter"
)

// patchOp is one operation of a PATCH request (RFC 7644 §3.5.2).
type patchOp struct {
	Op    string          `json:"op"`
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}

// patchRequest is the body of a PATCH request.
type patchRequest struct {
	Schemas    []string  `json:"schemas"`
	Operations []patchOp `json:"Operations"`
}

func decodeValue(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var v any
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, scimErr(400, "invalidSyntax", "The value of an operation is not valid JSON.")
	}
	return v, nil
}

// caseExact says which attributes compare case-sensitively (RFC 7643).
func caseExact(p filter.AttrPath) bool {
	a := strings.ToLower(p.Attr)
	return a == "id" || a == "externalid" || a == "meta" || (a == "members" || a == "groups") && strings.EqualFold(p.Sub, "value")
}

// applyPatch applies ops to resource, in order. id is the resource's id: a
// no-path value may repeat it (Okta does) but not change it.
func applyPatch(resource object, id string, ops []patchOp) error {
	if len(ops) == 0 {
		return scimErr(400, "invalidValue", "A PATCH request needs at least one operation.")
	}
	for i, op := range ops {
		v, err := decodeValue(op.Value)
		if err != nil {
			return err
		}
		kind := strings.ToLower(strings.TrimSpace(op.Op))
		switch kind {
		case "add", "replace", "remove":
		default:
			return scimErr(400, "invalidSyntax", "Operation %d: op must be add, replace or remove, not %q.", i, op.Op)
		}
		if strings.TrimSpace(op.Path) == "" {
			if err := applyNoPath(resource, id, kind, v); err != nil {
				return err
			}
			continue
		}
		p, err := filter.ParsePath(op.Path)
		if err != nil {
			return scimErr(400, "invalidPath", "Operation %d: %v", i, err)
		}
		if kind != "remove" && v == nil {
			return scimErr(400, "invalidValue", "Operation %d: %s needs a value.", i, kind)
		}
		if err := applyPath(resource, id, kind, p, v); err != nil {
			return err
		}
	}
	return nil
}

var readOnly = map[string]bool{"id": true, "meta": true, "schemas": true, "groups": true}

// applyNoPath handles add/replace whose value is an object of attributes;
// keys may be dotted ("name.givenName") or carry a schema URN
// ("urn:…:enterprise:2.0:User:employeeNumber"), as Entra ID sends them.
func applyNoPath(resource object, id, kind string, v any) error {
	if kind == "remove" {
		return scimErr(400, "noTarget", "A remove operation needs a path.")
	}
	o, ok := obj(v)
	if !ok {
		return scimErr(400, "invalidValue", "An operation without a path needs an object value.")
	}
	for k, val := range o {
		lk := strings.ToLower(k)
		if lk == "id" {
			if s, _ := val.(string); s != id {
				return scimErr(400, "mutability", "The id of a resource cannot be changed.")
			}
			continue
		}
		if readOnly[lk] {
			continue
		}
		if strings.EqualFold(k, EnterpriseSchema) {
			eo, ok := obj(val)
			if !ok {
				return invalidValue("The enterprise extension must be an object.")
			}
			for ek, ev := range eo {
				if err := applyPath(resource, id, kind, filter.Path{Attr: filter.AttrPath{URN: EnterpriseSchema, Attr: ek}}, ev); err != nil {
					return err
				}
			}
			continue
		}
		p, err := filter.ParsePath(k)
		if err != nil {
			return scimErr(400, "invalidPath", "The attribute %q is not a valid path.", k)
		}
		if err := applyPath(resource, id, kind, p, val); err != nil {
			return err
		}
	}
	return nil
}

// container returns the object that holds the attribute of p: the resource,
// or for an extension URN the extension's object (created when create).
func container(resource object, p filter.Path, create bool) (object, error) {
	urn := p.Attr.URN
	if urn == "" || strings.EqualFold(urn, UserSchema) || strings.EqualFold(urn, GroupSchema) {
		return resource, nil
	}
	if !strings.EqualFold(urn, EnterpriseSchema) {
		return nil, scimErr(400, "invalidPath", "The schema %s is not supported.", urn)
	}
	k := keyOf(resource, EnterpriseSchema)
	if c, ok := obj(resource[k]); ok {
		return c, nil
	}
	if !create {
		return nil, nil
	}
	c := object{}
	resource[k] = c
	return c, nil
}

func applyPath(resource object, id, kind string, p filter.Path, v any) error {
	attr := strings.ToLower(p.Attr.Attr)
	if p.Attr.URN == "" && (attr == "id" || attr == "meta" || attr == "schemas") {
		return scimErr(400, "mutability", "The attribute %s cannot be changed.", p.Attr.Attr)
	}
	if p.Attr.URN == "" && attr == "groups" {
		return scimErr(400, "mutability", "The groups of a user are changed through the groups' members.")
	}
	c, err := container(resource, p, kind != "remove")
	if err != nil || c == nil {
		return err
	}
	key := keyOf(c, p.Attr.Attr)
	sub := p.Attr.Sub
	if p.Filter != nil {
		return applyFiltered(c, key, kind, p, v)
	}
	if sub != "" { // name.givenName, or emails.value on every element
		cur := c[key]
		if arr, ok := cur.([]any); ok {
			for _, e := range arr {
				if m, ok := obj(e); ok {
					setSub(m, sub, kind, v)
				}
			}
			return nil
		}
		m, ok := obj(cur)
		if !ok {
			if kind == "remove" {
				return nil
			}
			m = object{}
			c[key] = m
		}
		setSub(m, sub, kind, v)
		return nil
	}
	switch kind {
	case "remove":
		if v != nil { // Entra's legacy form: remove only the listed values
			if arr, ok := c[key].([]any); ok {
				drop := map[string]bool{}
				for _, e := range list(v) {
					drop[elemValue(e)] = true
				}
				var keep []any
				for _, e := range arr {
					if !drop[elemValue(e)] {
						keep = append(keep, e)
					}
				}
				c[key] = keep
				return nil
			}
		}
		delete(c, key)
	case "replace":
		c[key] = v
	case "add":
		cur, exists := c[key]
		arr, isArr := cur.([]any)
		switch {
		case !exists || cur == nil:
			c[key] = v
		case isArr:
			seen := map[string]bool{}
			for _, e := range arr {
				seen[elemValue(e)] = true
			}
			for _, e := range list(v) {
				if ev := elemValue(e); ev == "" || !seen[ev] {
					arr = append(arr, e)
					seen[ev] = true
				}
			}
			c[key] = arr
		default:
			if m, ok := obj(cur); ok {
				if nv, ok := obj(v); ok {
					for k2, v2 := range nv {
						m[keyOf(m, k2)] = v2
					}
					return nil
				}
			}
			c[key] = v
		}
	}
	return nil
}

func setSub(m object, sub, kind string, v any) {
	k := keyOf(m, sub)
	if kind == "remove" {
		delete(m, k)
		return
	}
	m[k] = v
}

// elemValue is the "value" of a multi-valued element, or the element itself
// when it is a bare string.
func elemValue(e any) string {
	switch t := e.(type) {
	case string:
		return t
	case map[string]any:
		s, _ := str(t, "value")
		return s
	}
	return ""
}

// applyFiltered handles paths like emails[type eq "work"].value and
// members[value eq "…"].
func applyFiltered(c object, key, kind string, p filter.Path, v any) error {
	arr, _ := c[key].([]any)
	matched := false
	var keep []any
	for _, e := range arr {
		m, ok := obj(e)
		if !ok {
			if s, isStr := e.(string); isStr {
				m = object{"value": s}
			} else {
				keep = append(keep, e)
				continue
			}
		}
		// The filter's paths are relative to the element: judge them as
		// sub-attributes of the multi-valued attribute.
		exact := func(ap filter.AttrPath) bool { return caseExact(filter.AttrPath{Attr: p.Attr.Attr, Sub: ap.Attr}) }
		if !filter.Match(p.Filter, m, exact) {
			keep = append(keep, e)
			continue
		}
		matched = true
		switch {
		case kind == "remove" && p.Sub == "":
			continue // drop the element
		case kind == "remove":
			delete(m, keyOf(m, p.Sub))
		case p.Sub != "":
			m[keyOf(m, p.Sub)] = v
		default:
			nv, ok := obj(v)
			if !ok {
				return invalidValue("The value for %s must be an object.", p.Attr.Attr)
			}
			if kind == "replace" {
				for k := range m {
					delete(m, k)
				}
			}
			for k2, v2 := range nv {
				m[keyOf(m, k2)] = v2
			}
		}
		keep = append(keep, m)
	}
	if !matched && kind != "remove" {
		// Entra relies on add/replace creating the element its filter names.
		m := object{}
		for _, eq := range equalities(p.Filter) {
			m[eq.attr] = eq.value
		}
		if len(m) == 0 {
			return scimErr(400, "noTarget", "No value of %s matches the filter.", p.Attr.Attr)
		}
		if p.Sub != "" {
			m[p.Sub] = v
		} else if nv, ok := obj(v); ok {
			for k2, v2 := range nv {
				m[k2] = v2
			}
		}
		keep = append(keep, m)
	}
	c[key] = keep
	return nil
}

type equality struct {
	attr  string
	value any
}

// equalities returns the attr eq "value" terms of an and-only filter.
func equalities(e filter.Expr) []equality {
	switch t := e.(type) {
	case filter.Compare:
		if t.Op == "eq" && t.Path.Sub == "" {
			return []equality{{t.Path.Attr, litValue(t.Value)}}
		}
	case filter.And:
		return append(equalities(t.L), equalities(t.R)...)
	}
	return nil
}

func litValue(v filter.Value) any {
	switch v.Kind {
	case filter.String:
		return v.Str
	case filter.Number:
		return v.Num
	case filter.Bool:
		return v.Bool
	}
	return nil
}
