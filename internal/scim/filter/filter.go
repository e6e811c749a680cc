// Package filter parses and evaluates SCIM 2.0 filters (RFC 7644 §3.4.2.2)
// and PATCH paths (RFC 7644 §3.5.2). It does no I/O.
//
// The grammar is the RFC's ABNF with the leniencies real provisioning
// clients need:
//
//   - any amount of whitespace (space, tab, CR, LF) between tokens, and none
//     next to parentheses, brackets and quoted values;
//   - an unquoted word where a value is expected is a string
//     (name.familyName eq O'Malley, meta.created gt 2015-10-10T14:38:21.8617979-07:00),
//     unless it is true, false, null or a JSON number;
//   - operators, and, or, not, true, false and null in any case;
//   - attribute names starting with "$" ($ref);
//   - a value path followed by a sub-attribute and a comparison,
//     emails[type eq "work"].value eq "x" (Entra ID sends these), parsed
//     into a [ValuePathCompare].
//
// Attribute names keep their spelling in the parsed form and compare
// case-insensitively everywhere.
package filter

import (
	"fmt"
	"strings"
)

// Limits on the input of [Parse] and [ParsePath].
const (
	// MaxLength is the longest filter or path accepted, in bytes.
	MaxLength = 4096
	// MaxDepth is the deepest nesting of parentheses, "not" and value
	// paths accepted.
	MaxDepth = 64
)

// SCIM error types (RFC 7644 §3.12) carried by [Error].
const (
	InvalidFilter = "invalidFilter"
	InvalidPath   = "invalidPath"
)

// AttrPath names an attribute: an optional schema URN, the attribute, and
// an optional sub-attribute, as written. Names compare case-insensitively:
// use [AttrPath.Is] or [AttrPath.Equal], or [AttrPath.Lower] for a map key.
type AttrPath struct {
	URN, Attr, Sub string
}

// Is reports whether p names urn:attr.sub, ignoring case. A path written
// without a URN matches any urn; an empty urn matches only such paths.
func (p AttrPath) Is(urn, attr, sub string) bool {
	if p.URN != "" && !strings.EqualFold(p.URN, urn) {
		return false
	}
	return strings.EqualFold(p.Attr, attr) && strings.EqualFold(p.Sub, sub)
}

// Equal reports whether p and q are the same path, ignoring case.
func (p AttrPath) Equal(q AttrPath) bool {
	return strings.EqualFold(p.URN, q.URN) && strings.EqualFold(p.Attr, q.Attr) && strings.EqualFold(p.Sub, q.Sub)
}

// Lower returns p with every name in lower case.
func (p AttrPath) Lower() AttrPath {
	return AttrPath{URN: strings.ToLower(p.URN), Attr: strings.ToLower(p.Attr), Sub: strings.ToLower(p.Sub)}
}

// String returns p in filter syntax: urn:attr.sub.
func (p AttrPath) String() string {
	var b strings.Builder
	p.write(&b)
	return b.String()
}

func (p AttrPath) write(b *strings.Builder) {
	if p.URN != "" {
		b.WriteString(p.URN)
		b.WriteByte(':')
	}
	b.WriteString(p.Attr)
	if p.Sub != "" {
		b.WriteByte('.')
		b.WriteString(p.Sub)
	}
}

// Expr is a parsed filter: one of [Compare], [Present], [And], [Or], [Not],
// [ValuePath] and [ValuePathCompare]. String returns its canonical form,
// which [Parse] reads back to an equal Expr.
//
// Inside the Filter of a ValuePath or ValuePathCompare, paths name
// sub-attributes of each value (type eq "work" has Path{Attr: "type"}).
type Expr interface {
	expr()
	String() string
}

// Compare is attrPath op value, with Op one of eq ne co sw ew gt ge lt le
// in lower case.
type Compare struct {
	Path  AttrPath
	Op    string
	Value Value
}

// Present is attrPath pr.
type Present struct {
	Path AttrPath
}

// And is L and R.
type And struct {
	L, R Expr
}

// Or is L or R.
type Or struct {
	L, R Expr
}

// Not is not (X).
type Not struct {
	X Expr
}

// ValuePath is attr[filter]: true when some value of the multi-valued
// attribute Path (Sub empty) matches Filter, whose paths name its
// sub-attributes.
type ValuePath struct {
	Path   AttrPath
	Filter Expr
}

// ValuePathCompare is attr[filter].sub op value, or attr[filter].sub pr
// (Op "pr", Value zero): true when the sub-attribute Path.Sub of the values
// of Path.Attr that match Filter compares true, with the rules of [Compare]
// applied to those sub-attribute values only. The RFC grammar has no such
// filter; Entra ID sends emails[type eq "work"].value eq "x".
type ValuePathCompare struct {
	Path   AttrPath // the multi-valued attribute and the compared sub-attribute
	Filter Expr     // selects the values, over their sub-attributes
	Op     string   // eq ne co sw ew gt ge lt le, or pr
	Value  Value
}

func (Compare) expr()          {}
func (Present) expr()          {}
func (And) expr()              {}
func (Or) expr()               {}
func (Not) expr()              {}
func (ValuePath) expr()        {}
func (ValuePathCompare) expr() {}

// ValueKind is the type of a literal.
type ValueKind int

// The kinds of literal.
const (
	String ValueKind = iota
	Number
	Bool
	Null
)

func (k ValueKind) String() string {
	switch k {
	case String:
		return "string"
	case Number:
		return "number"
	case Bool:
		return "boolean"
	case Null:
		return "null"
	}
	return fmt.Sprintf("ValueKind(%d)", int(k))
}

// Value is a literal. For a Number, Str holds the number as written (a
// number compared with a string attribute compares as that text) and Num
// its value.
type Value struct {
	Kind ValueKind
	Str  string
	Num  float64
	Bool bool
}

// Path is a PATCH path: an attribute path (Filter nil, Sub empty), or a
// value path attr[filter] optionally followed by .sub (Attr.Sub empty).
type Path struct {
	Attr   AttrPath
	Filter Expr
	Sub    string
}

// Error is a syntax error in a filter (ScimType "invalidFilter") or a
// PATCH path (ScimType "invalidPath"). Detail is safe to show to the
// client; Offset is the byte offset in the input where the problem was
// found.
type Error struct {
	ScimType string
	Detail   string
	Offset   int
}

func (e *Error) Error() string {
	what := "filter"
	if e.ScimType == InvalidPath {
		what = "path"
	}
	return fmt.Sprintf("invalid %s: %s at offset %d", what, e.Detail, e.Offset)
}

// Paths returns the attribute paths e refers to, in order of appearance;
// a path inside a value filter is qualified with its attribute
// (emails[type eq "work"] gives emails and emails.type).
func Paths(e Expr) []AttrPath {
	var out []AttrPath
	var walk func(e Expr, outer *AttrPath)
	qualify := func(p AttrPath, outer *AttrPath) AttrPath {
		if outer == nil {
			return p
		}
		return AttrPath{URN: outer.URN, Attr: outer.Attr, Sub: p.Attr}
	}
	walk = func(e Expr, outer *AttrPath) {
		switch t := deref(e).(type) {
		case Compare:
			out = append(out, qualify(t.Path, outer))
		case Present:
			out = append(out, qualify(t.Path, outer))
		case And:
			walk(t.L, outer)
			walk(t.R, outer)
		case Or:
			walk(t.L, outer)
			walk(t.R, outer)
		case Not:
			walk(t.X, outer)
		case ValuePath:
			out = append(out, t.Path)
			walk(t.Filter, &t.Path)
		case ValuePathCompare:
			attr := AttrPath{URN: t.Path.URN, Attr: t.Path.Attr}
			out = append(out, attr)
			walk(t.Filter, &attr)
			out = append(out, t.Path)
		}
	}
	walk(e, nil)
	return out
}
