package filter

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// coreSchemaPrefix starts the URNs of the core schemas, whose attributes sit
// at the top level of a resource.
const coreSchemaPrefix = "urn:ietf:params:scim:schemas:core:"

// Match reports whether resource, a SCIM resource as encoding/json decodes
// it (objects map[string]any, arrays []any, numbers float64 or
// json.Number), matches e. A nil e matches every resource.
//
// Attribute names match in any case at every level. A path with a schema
// URN looks in the object the resource holds under that URN (extension
// attributes), or at the top level for a core schema URN; a path without
// one looks at the top level.
//
// caseExact reports whether an attribute's strings compare case-sensitively
// (RFC 7643 §2.2); nil means none does. It is asked about the attribute as
// compared: emails.value for emails co "x" (a complex attribute compared
// without a sub-attribute compares its "value"), and emails.type for the
// type eq "work" of emails[type eq "work"].
//
// The rules of RFC 7644 §3.4.2.2, and what it leaves open:
//   - a multi-valued attribute matches when any of its values does, so
//     emails.value ne "a" is true when some email is not "a";
//   - an absent attribute (missing, null, "" for pr, or []) makes ne true
//     and every other comparison false; eq null is true exactly when pr is
//     false, and ne null when it is true;
//   - strings compare in lexical order, ignoring case unless caseExact;
//     when both sides are RFC 3339 date-times they compare as instants
//     (eq, ne, gt, ge, lt, le);
//   - numbers compare numerically; a number literal against a string
//     attribute compares as written (12345 eq "12345"), numerically for
//     gt/ge/lt/le when the attribute is a number in string form;
//   - booleans compare with eq and ne, and so do the strings "true" and
//     "false" in any case (Entra ID sends "True");
//   - co, sw and ew apply to strings only.
func Match(e Expr, resource map[string]any, caseExact func(AttrPath) bool) bool {
	if e == nil {
		return true
	}
	return matcher{caseExact: caseExact}.eval(e, resource, nil)
}

type matcher struct {
	caseExact func(AttrPath) bool
}

// exact asks caseExact about p; inside a value filter p names a
// sub-attribute of outer.
func (m matcher) exact(p AttrPath, outer *AttrPath) bool {
	if m.caseExact == nil {
		return false
	}
	if outer != nil {
		p = AttrPath{URN: outer.URN, Attr: outer.Attr, Sub: p.Attr}
	}
	return m.caseExact(p)
}

func (m matcher) eval(e Expr, obj map[string]any, outer *AttrPath) bool {
	switch t := deref(e).(type) {
	case Compare:
		if t.Value.Kind == Null {
			return m.eval(Present{Path: t.Path}, obj, outer) == (t.Op == "ne")
		}
		raw := attribute(obj, t.Path.URN, t.Path.Attr)
		if s, ok := raw.(string); ok && t.Path.Sub == "" { // the common case, without allocating
			exact := m.exact(t.Path, outer)
			if t.Op == "ne" {
				return !compareString(s, "eq", t.Value, exact)
			}
			return compareString(s, t.Op, t.Value, exact)
		}
		leaves, implicit := leafValues(raw, t.Path.Sub)
		p := t.Path
		if implicit {
			p.Sub = "value"
		}
		return compareSet(leaves, t.Op, t.Value, m.exact(p, outer))
	case Present:
		raw := attribute(obj, t.Path.URN, t.Path.Attr)
		if t.Path.Sub == "" {
			return present(raw)
		}
		return anyElement(raw, func(el any) bool {
			o, ok := el.(map[string]any)
			return ok && present(lookup(o, t.Path.Sub))
		})
	case And:
		return m.eval(t.L, obj, outer) && m.eval(t.R, obj, outer)
	case Or:
		return m.eval(t.L, obj, outer) || m.eval(t.R, obj, outer)
	case Not:
		return !m.eval(t.X, obj, outer)
	case ValuePath:
		raw := attribute(obj, t.Path.URN, t.Path.Attr)
		return anyElement(raw, func(el any) bool {
			return m.eval(t.Filter, asElement(el), &t.Path)
		})
	case ValuePathCompare:
		attr := AttrPath{URN: t.Path.URN, Attr: t.Path.Attr}
		raw := attribute(obj, attr.URN, attr.Attr)
		var leaves []any
		anyElement(raw, func(el any) bool {
			o := asElement(el)
			if m.eval(t.Filter, o, &attr) {
				leaves = appendLeaves(leaves, lookup(o, t.Path.Sub))
			}
			return false
		})
		if t.Op == "pr" {
			return present(leaves)
		}
		return compareSet(leaves, t.Op, t.Value, m.exact(t.Path, nil))
	}
	return false
}

// attribute returns the value of urn:attr in obj, or nil.
func attribute(obj map[string]any, urn, attr string) any {
	if urn != "" {
		if v := lookup(obj, urn); v != nil {
			ext, _ := v.(map[string]any)
			obj = ext
		} else if len(urn) < len(coreSchemaPrefix) || !strings.EqualFold(urn[:len(coreSchemaPrefix)], coreSchemaPrefix) {
			return nil
		}
	}
	return lookup(obj, attr)
}

// lookup returns obj's member named name in any case, or nil.
func lookup(obj map[string]any, name string) any {
	if v, ok := obj[name]; ok {
		return v
	}
	for k, v := range obj {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// anyElement calls f on each value of a multi-valued attribute, or on v
// itself when it is single-valued, until f returns true.
func anyElement(v any, f func(any) bool) bool {
	switch t := v.(type) {
	case nil:
		return false
	case []any:
		for _, e := range t {
			if f(e) {
				return true
			}
		}
		return false
	case []map[string]any:
		for _, e := range t {
			if f(e) {
				return true
			}
		}
		return false
	case []string:
		for _, e := range t {
			if f(e) {
				return true
			}
		}
		return false
	}
	return f(v)
}

// asElement returns a value of a multi-valued attribute as an object; a
// simple value v becomes {"value": v}.
func asElement(v any) map[string]any {
	if o, ok := v.(map[string]any); ok {
		return o
	}
	return map[string]any{"value": v}
}

// leafValues returns the values compared for an attribute whose value is
// raw: its sub-attribute sub, or with sub empty the attribute itself, or the
// "value" sub-attribute of a complex attribute (implicit is then true).
func leafValues(raw any, sub string) (leaves []any, implicit bool) {
	anyElement(raw, func(el any) bool {
		o, isObj := el.(map[string]any)
		switch {
		case sub != "" && isObj:
			leaves = appendLeaves(leaves, lookup(o, sub))
		case sub != "":
		case isObj:
			implicit = true
			leaves = appendLeaves(leaves, lookup(o, "value"))
		default:
			leaves = appendLeaves(leaves, el)
		}
		return false
	})
	return leaves, implicit
}

// appendLeaves appends v, or the elements of v when it is an array, leaving
// out nulls.
func appendLeaves(dst []any, v any) []any {
	anyElement(v, func(el any) bool {
		if el != nil {
			dst = append(dst, el)
		}
		return false
	})
	return dst
}

// present reports whether v has a value: not null, "", [] or {}, nor made
// only of those.
func present(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case string:
		return t != ""
	case map[string]any:
		for _, e := range t {
			if present(e) {
				return true
			}
		}
		return false
	case []any, []map[string]any, []string:
		return anyElement(t, present)
	}
	return true
}

func compareSet(leaves []any, op string, lit Value, exact bool) bool {
	if lit.Kind == Null {
		return present(leaves) == (op == "ne")
	}
	if len(leaves) == 0 {
		return op == "ne"
	}
	for _, v := range leaves {
		if compareOne(v, op, lit, exact) {
			return true
		}
	}
	return false
}

func compareOne(v any, op string, lit Value, exact bool) bool {
	if op == "ne" {
		return !compareOne(v, "eq", lit, exact)
	}
	switch t := v.(type) {
	case string:
		return compareString(t, op, lit, exact)
	case bool:
		b, ok := literalBool(lit)
		return ok && op == "eq" && t == b
	}
	if n, ok := number(v); ok {
		return compareNumber(n, op, lit)
	}
	return false
}

func literalBool(lit Value) (b, ok bool) {
	switch {
	case lit.Kind == Bool:
		return lit.Bool, true
	case lit.Kind == String && strings.EqualFold(lit.Str, "true"):
		return true, true
	case lit.Kind == String && strings.EqualFold(lit.Str, "false"):
		return false, true
	}
	return false, false
}

func compareString(s, op string, lit Value, exact bool) bool {
	var t string
	switch lit.Kind {
	case String:
		t = lit.Str
	case Number:
		if op != "eq" && op != "co" && op != "sw" && op != "ew" && isJSONNumber(s) {
			n, _ := strconv.ParseFloat(s, 64)
			return compareNumber(n, op, lit)
		}
		t = lit.Str
		if t == "" {
			t = strconv.FormatFloat(lit.Num, 'g', -1, 64)
		}
	case Bool:
		return op == "eq" && strings.EqualFold(s, strconv.FormatBool(lit.Bool))
	default:
		return false
	}
	switch op {
	case "co", "sw", "ew":
		if !exact {
			s, t = strings.ToLower(s), strings.ToLower(t)
		}
		switch op {
		case "co":
			return strings.Contains(s, t)
		case "sw":
			return strings.HasPrefix(s, t)
		}
		return strings.HasSuffix(s, t)
	}
	if a, ok := parseTime(s); ok {
		if b, ok := parseTime(t); ok {
			return order(a.Compare(b), op)
		}
	}
	switch {
	case exact:
		return order(strings.Compare(s, t), op)
	case op == "eq":
		return strings.EqualFold(s, t)
	}
	return order(strings.Compare(strings.ToLower(s), strings.ToLower(t)), op)
}

func compareNumber(n float64, op string, lit Value) bool {
	var t float64
	switch {
	case lit.Kind == Number:
		t = lit.Num
	case lit.Kind == String && isJSONNumber(lit.Str):
		t, _ = strconv.ParseFloat(lit.Str, 64)
	default:
		return false
	}
	switch {
	case n < t:
		return order(-1, op)
	case n > t:
		return order(1, op)
	case n == t:
		return order(0, op)
	}
	return false
}

// order reports whether a comparison result c satisfies op.
func order(c int, op string) bool {
	switch op {
	case "eq":
		return c == 0
	case "gt":
		return c > 0
	case "ge":
		return c >= 0
	case "lt":
		return c < 0
	case "le":
		return c <= 0
	}
	return false
}

// number returns the value of a JSON number in any of the forms a decoded
// or built resource may hold it.
func number(v any) (float64, bool) {
	switch t := v.(type) {
	case float64:
		return t, true
	case json.Number:
		n, err := strconv.ParseFloat(string(t), 64)
		return n, err == nil
	case float32:
		return float64(t), true
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case int32:
		return float64(t), true
	case uint:
		return float64(t), true
	case uint64:
		return float64(t), true
	case uint32:
		return float64(t), true
	}
	return 0, false
}

// parseTime parses an RFC 3339 date-time (xsd:dateTime as SCIM uses it),
// with any number of fractional second digits up to nine.
func parseTime(s string) (time.Time, bool) {
	if len(s) < len("2006-01-02T15:04:05Z") || s[4] != '-' || s[7] != '-' || s[10] != 'T' && s[10] != 't' {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if u := strings.ToUpper(s); u != s {
			t, err = time.Parse(time.RFC3339Nano, u)
		}
	}
	return t, err == nil
}
