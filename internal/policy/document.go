package policy

import (
	"errors"
	"fmt"
	"strings"
)

// Versions of the policy language.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Effect is the Effect element of a statement.
type Effect string

// The two effects. They are case-sensitive.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Document is a parsed policy document. Lists keep the order of the text.
// A one-element list and a bare string are the same thing and are not told
// apart.
type Document struct {
	Version    string // "" when absent
	ID         string // "" when absent
	Statements []Statement
}

// Statement is one statement of a document.
type Statement struct {
	Sid          string // "" when absent
	Effect       Effect
	Principal    *Principal // nil when absent
	NotPrincipal bool       // Principal holds the NotPrincipal element
	Action       []string
	NotAction    bool     // Action holds the NotAction element
	Resource     []string // nil when absent (trust policies only)
	NotResource  bool     // Resource holds the NotResource element
	Condition    []Condition
}

// Principal is the Principal or NotPrincipal element.
type Principal struct {
	Any     bool // the bare "*" form
	Entries []PrincipalEntry
}

// PrincipalEntry is one member of a Principal object, e.g. "AWS": [...].
type PrincipalEntry struct {
	Type   string
	Values []string
}

// Condition is one key under one operator of a Condition block, in the
// order of the text (operators first, then keys).
type Condition struct {
	Operator string // as written, e.g. "ForAnyValue:StringLike"
	Key      string // as written, e.g. "aws:TagKeys"
	Values   []Value
}

// ValueType is the JSON type a condition value was written with.
type ValueType uint8

// Condition value types.
const (
	StringValue ValueType = iota
	BoolValue
	NumberValue
)

// Value is one condition value. Booleans and numbers keep their JSON text
// ("true", "12.5") and type, so that serialization gives them back.
type Value struct {
	Text string
	Type ValueType
}

// ErrMalformed is wrapped by every error Parse returns.
var ErrMalformed = errors.New("malformed policy document")

// ParseError is a malformed document: where and why.
type ParseError struct {
	Path   Path
	Code   string // Access Analyzer issue code, e.g. INVALID_EFFECT
	Reason string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("policy: %s: %s", e.Path, e.Reason)
}

// Unwrap returns ErrMalformed.
func (e *ParseError) Unwrap() error { return ErrMalformed }

// Parse parses a policy document. It accepts every form of the grammar
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html)
// and refuses a malformed document with a *ParseError naming the JSON path
// and the reason. It never panics.
func Parse(data []byte) (*Document, error) {
	b := build(data)
	for _, f := range b.findings {
		if f.Type == FindingError {
			return nil, &ParseError{Path: f.Locations[0], Code: f.IssueCode, Reason: f.Message}
		}
	}
	return b.doc, nil
}

// ParseString is Parse for a string.
func ParseString(s string) (*Document, error) { return Parse([]byte(s)) }

// builder turns a decoded JSON tree into a Document, recording every
// structural problem as a finding and carrying on, so that Validate can
// report them all.
type builder struct {
	doc      *Document
	locs     []stmtLoc
	findings []Finding
	versionP Path // nil when Version is absent
	sids     []Path
}

// stmtLoc remembers where the parts of a statement are in the text.
type stmtLoc struct {
	path      Path
	sid       Path // nil when absent
	effect    Path
	principal Path
	action    Path
	actions   []Path
	resource  Path
	resources []Path
	condition Path
	conds     []condLoc
}

type condLoc struct {
	op     Path
	key    Path
	values []Path
}

func (b *builder) add(t FindingType, code string, p Path, format string, args ...any) {
	b.findings = append(b.findings, Finding{Type: t, IssueCode: code, Message: fmt.Sprintf(format, args...), Locations: []Path{p}})
}

func (b *builder) errorf(code string, p Path, format string, args ...any) {
	b.add(FindingError, code, p, format, args...)
}

func build(data []byte) *builder {
	b := &builder{doc: &Document{}}
	root, jerr := decodeJSON(data)
	if jerr != nil {
		b.errorf("JSON_SYNTAX_ERROR", jerr.path, "invalid JSON at offset %d: %s", jerr.offset, jerr.reason)
		return b
	}
	if root.kind != kindObject {
		b.errorf("DATA_TYPE_MISMATCH", nil, "a policy document must be a JSON object, not %s", root.kind)
		return b
	}
	var stmt *node
	var stmtPath Path
	for _, m := range root.members {
		p := Path{{Key: m.key}}
		switch m.key {
		case "Version":
			b.versionP = p
			if m.val.kind != kindString {
				b.errorf("DATA_TYPE_MISMATCH", p, "Version must be a string, not %s", m.val.kind)
				continue
			}
			if m.val.text != Version2012 && m.val.text != Version2008 {
				b.errorf("INVALID_VERSION", p, "Version must be %q or %q, not %q", Version2012, Version2008, m.val.text)
				continue
			}
			b.doc.Version = m.val.text
		case "Id":
			if m.val.kind != kindString {
				b.errorf("DATA_TYPE_MISMATCH", p, "Id must be a string, not %s", m.val.kind)
				continue
			}
			b.doc.ID = m.val.text
		case "Statement":
			stmt, stmtPath = m.val, p
		default:
			b.errorf("INVALID_POLICY_ELEMENT", p, "unknown policy element %q", m.key)
		}
	}
	switch {
	case stmt == nil:
		b.errorf("MISSING_STATEMENT", nil, "the policy has no Statement element")
	case stmt.kind == kindObject:
		b.statement(stmt, stmtPath)
	case stmt.kind == kindArray:
		if len(stmt.elems) == 0 {
			b.errorf("MISSING_STATEMENT", stmtPath, "Statement must hold at least one statement")
		}
		for i, e := range stmt.elems {
			p := stmtPath.Index(i)
			if e.kind != kindObject {
				b.errorf("DATA_TYPE_MISMATCH", p, "a statement must be an object, not %s", e.kind)
				continue
			}
			b.statement(e, p)
		}
	default:
		b.errorf("DATA_TYPE_MISMATCH", stmtPath, "Statement must be an object or an array, not %s", stmt.kind)
	}
	return b
}

func (b *builder) statement(n *node, path Path) {
	var s Statement
	loc := stmtLoc{path: path}
	var hasEffect bool
	var action, notAction, resource, notResource, principal, notPrincipal *node
	for _, m := range n.members {
		p := path.Key(m.key)
		switch m.key {
		case "Sid":
			loc.sid = p
			if m.val.kind != kindString {
				b.errorf("DATA_TYPE_MISMATCH", p, "Sid must be a string, not %s", m.val.kind)
				continue
			}
			s.Sid = m.val.text
		case "Effect":
			loc.effect = p
			hasEffect = true
			if m.val.kind != kindString {
				b.errorf("DATA_TYPE_MISMATCH", p, "Effect must be a string, not %s", m.val.kind)
				continue
			}
			if e := Effect(m.val.text); e != Allow && e != Deny {
				b.errorf("INVALID_EFFECT", p, "Effect must be \"Allow\" or \"Deny\" (case-sensitive), not %q", m.val.text)
				continue
			}
			s.Effect = Effect(m.val.text)
		case "Action":
			action, loc.action = m.val, p
		case "NotAction":
			notAction, loc.action = m.val, p
		case "Resource":
			resource, loc.resource = m.val, p
		case "NotResource":
			notResource, loc.resource = m.val, p
		case "Principal":
			principal, loc.principal = m.val, p
		case "NotPrincipal":
			notPrincipal, loc.principal = m.val, p
		case "Condition":
			loc.condition = p
			s.Condition, loc.conds = b.condition(m.val, p)
		default:
			b.errorf("INVALID_POLICY_ELEMENT", p, "unknown statement element %q", m.key)
		}
	}
	if !hasEffect {
		b.errorf("MISSING_EFFECT", path, "the statement has no Effect element")
	}
	switch {
	case action != nil && notAction != nil:
		b.errorf("UNSUPPORTED_ELEMENT_COMBINATION", path, "a statement may have Action or NotAction, not both")
	case action == nil && notAction == nil:
		b.errorf("MISSING_ACTION", path, "the statement has no Action or NotAction element")
	default:
		if notAction != nil {
			action, s.NotAction = notAction, true
		}
		s.Action, loc.actions = b.actions(action, loc.action)
	}
	switch {
	case principal != nil && notPrincipal != nil:
		b.errorf("UNSUPPORTED_ELEMENT_COMBINATION", path, "a statement may have Principal or NotPrincipal, not both")
	case principal != nil:
		s.Principal = b.principal(principal, loc.principal)
	case notPrincipal != nil:
		s.Principal, s.NotPrincipal = b.principal(notPrincipal, loc.principal), true
	}
	switch {
	case resource != nil && notResource != nil:
		b.errorf("UNSUPPORTED_ELEMENT_COMBINATION", path, "a statement may have Resource or NotResource, not both")
	case resource == nil && notResource == nil:
		// A role trust policy names no resource; anything else must.
		if principal == nil && notPrincipal == nil {
			b.errorf("MISSING_RESOURCE", path, "the statement has no Resource or NotResource element")
		}
	default:
		if notResource != nil {
			resource, s.NotResource = notResource, true
		}
		s.Resource, loc.resources = b.resources(resource, loc.resource)
	}
	b.doc.Statements = append(b.doc.Statements, s)
	b.locs = append(b.locs, loc)
}

// stringList reads a string or an array of strings. An empty array gives a
// non-nil empty slice.
func (b *builder) stringList(n *node, path Path, what string) ([]string, []Path) {
	switch n.kind {
	case kindString:
		return []string{n.text}, []Path{path}
	case kindArray:
		out := make([]string, 0, len(n.elems))
		paths := make([]Path, 0, len(n.elems))
		for i, e := range n.elems {
			p := path.Index(i)
			if e.kind != kindString {
				b.errorf("DATA_TYPE_MISMATCH", p, "%s must be a string, not %s", what, e.kind)
				continue
			}
			out = append(out, e.text)
			paths = append(paths, p)
		}
		return out, paths
	}
	b.errorf("DATA_TYPE_MISMATCH", path, "%s must be a string or an array of strings, not %s", what, n.kind)
	return []string{}, nil
}

func (b *builder) actions(n *node, path Path) ([]string, []Path) {
	list, paths := b.stringList(n, path, "an action")
	for i, a := range list {
		if reason := checkAction(a); reason != "" {
			b.errorf("INVALID_ACTION", paths[i], "invalid action %q: %s", a, reason)
		}
	}
	return list, paths
}

// checkAction returns why a is not of the form "*" or "service:name".
func checkAction(a string) string {
	if a == "*" {
		return ""
	}
	svc, name, ok := strings.Cut(a, ":")
	switch {
	case !ok:
		return `an action is "*" or "service:action"`
	case svc == "":
		return "the service prefix is empty"
	case name == "":
		return "the action name is empty"
	}
	for i := 0; i < len(svc); i++ {
		c := svc[i]
		if !(c == '-' || c == '*' || c == '?' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return fmt.Sprintf("the service prefix may not contain %q", c)
		}
	}
	return ""
}

func (b *builder) resources(n *node, path Path) ([]string, []Path) {
	list, paths := b.stringList(n, path, "a resource")
	for i, r := range list {
		if r != "*" && !strings.HasPrefix(r, "arn:") {
			b.errorf("INVALID_ARN_PREFIX", paths[i], "resource %q is neither \"*\" nor an ARN starting with \"arn:\"", r)
		}
	}
	return list, paths
}

func (b *builder) principal(n *node, path Path) *Principal {
	switch n.kind {
	case kindString:
		if n.text != "*" {
			b.errorf("INVALID_PRINCIPAL_FORMAT", path, "a principal is \"*\" or an object such as {\"AWS\": \"…\"}, not %q", n.text)
		}
		return &Principal{Any: true}
	case kindObject:
		p := &Principal{}
		for _, m := range n.members {
			mp := path.Key(m.key)
			switch m.key {
			case "AWS", "Service", "Federated", "CanonicalUser":
			default:
				b.errorf("INVALID_PRINCIPAL_KEY", mp, "unknown principal type %q (AWS, Service, Federated or CanonicalUser)", m.key)
			}
			vals, _ := b.stringList(m.val, mp, "a principal")
			p.Entries = append(p.Entries, PrincipalEntry{Type: m.key, Values: vals})
		}
		return p
	}
	b.errorf("DATA_TYPE_MISMATCH", path, "a principal must be a string or an object, not %s", n.kind)
	return &Principal{}
}

func (b *builder) condition(n *node, path Path) ([]Condition, []condLoc) {
	if n.kind != kindObject {
		b.errorf("DATA_TYPE_MISMATCH", path, "Condition must be an object, not %s", n.kind)
		return nil, nil
	}
	var conds []Condition
	var locs []condLoc
	for _, om := range n.members {
		op := path.Key(om.key)
		if _, ok := parseOperator(om.key); !ok {
			b.errorf("INVALID_CONDITION_OPERATOR", op, "unknown condition operator %q", om.key)
			continue
		}
		if om.val.kind != kindObject {
			b.errorf("DATA_TYPE_MISMATCH", op, "a condition operator must map keys to values, not %s", om.val.kind)
			continue
		}
		for _, km := range om.val.members {
			kp := op.Key(km.key)
			if km.key == "" {
				b.errorf("INVALID_CONDITION_KEY_FORMAT", kp, "a condition key may not be empty")
				continue
			}
			c := Condition{Operator: om.key, Key: km.key}
			loc := condLoc{op: op, key: kp}
			switch km.val.kind {
			case kindArray:
				c.Values = make([]Value, 0, len(km.val.elems))
				for i, e := range km.val.elems {
					vp := kp.Index(i)
					v, ok := scalar(e)
					if !ok {
						b.errorf("DATA_TYPE_MISMATCH", vp, "a condition value must be a string, number or boolean, not %s", e.kind)
						continue
					}
					c.Values = append(c.Values, v)
					loc.values = append(loc.values, vp)
				}
			default:
				v, ok := scalar(km.val)
				if !ok {
					b.errorf("DATA_TYPE_MISMATCH", kp, "a condition value must be a string, number, boolean or an array of them, not %s", km.val.kind)
					continue
				}
				c.Values = []Value{v}
				loc.values = []Path{kp}
			}
			conds = append(conds, c)
			locs = append(locs, loc)
		}
	}
	return conds, locs
}

func scalar(n *node) (Value, bool) {
	switch n.kind {
	case kindString:
		return Value{Text: n.text, Type: StringValue}, true
	case kindBool:
		return Value{Text: n.text, Type: BoolValue}, true
	case kindNumber:
		return Value{Text: n.text, Type: NumberValue}, true
	}
	return Value{}, false
}
