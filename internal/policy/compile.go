package policy

import (
	"fmt"
	"net/netip"
	"strings"
)

// Policy is a compiled policy document, ready to evaluate. It is immutable
// and safe for concurrent use.
type Policy struct {
	name  string
	doc   *Document
	deny  []cstmt
	allow []cstmt
}

// cstmt is a compiled statement.
type cstmt struct {
	index       int
	sid         string
	effect      Effect
	notAction   bool
	actions     []actionPattern
	hasResource bool
	notResource bool
	resources   []arnPattern
	conds       []ccond
}

// actionPattern is a compiled Action entry. Actions compare
// case-insensitively, service prefix and name alike; * and ? work in the
// name; a wildcard in the service prefix is a literal character
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
type actionPattern struct {
	any     bool
	service string
	name    pattern
}

// ccond is one compiled condition: an operator, a key and its values.
type ccond struct {
	op   operator
	key  string // lowercased
	raw  string // as written
	vals []condValue
}

// condValue is a compiled condition value. ok is false when the value cannot
// be read by its operator; such a value matches nothing.
type condValue struct {
	ok   bool
	pat  pattern
	arn  *arnPattern
	num  float64
	at   instant
	pfx  netip.Prefix
	b    bool
	text string
	bin  []byte
}

// Compile compiles doc under a name that Evaluate reports in its matches
// (e.g. "identity[0]" or a managed policy's ARN). It refuses a document
// that Parse would refuse; Principal and NotPrincipal are kept in the
// document but not evaluated (Atrium evaluates identity-side policies).
func Compile(name string, doc *Document) (*Policy, error) {
	if doc == nil {
		return nil, fmt.Errorf("policy: compile %s: nil document: %w", name, ErrMalformed)
	}
	vars := doc.Version == Version2012
	p := &Policy{name: name, doc: doc}
	for i := range doc.Statements {
		s := &doc.Statements[i]
		sp := Path{{Key: "Statement"}, {Index: i, IsIndex: true}}
		if s.Effect != Allow && s.Effect != Deny {
			return nil, fmt.Errorf("policy: compile %s: %w", name, &ParseError{Path: sp.Key("Effect"), Code: "INVALID_EFFECT", Reason: fmt.Sprintf("Effect must be \"Allow\" or \"Deny\", not %q", s.Effect)})
		}
		cs := cstmt{index: i, sid: s.Sid, effect: s.Effect, notAction: s.NotAction, notResource: s.NotResource, hasResource: s.Resource != nil}
		for _, a := range s.Action {
			cs.actions = append(cs.actions, compileAction(a))
		}
		for _, r := range s.Resource {
			cs.resources = append(cs.resources, compileARN(r, vars))
		}
		for _, c := range s.Condition {
			cc, err := compileCondition(c, vars)
			if err != nil {
				return nil, fmt.Errorf("policy: compile %s: %w", name, &ParseError{Path: sp.Key("Condition").Key(c.Operator), Code: "INVALID_CONDITION_OPERATOR", Reason: err.Error()})
			}
			cs.conds = append(cs.conds, cc)
		}
		if s.Effect == Deny {
			p.deny = append(p.deny, cs)
		} else {
			p.allow = append(p.allow, cs)
		}
	}
	return p, nil
}

// MustCompile parses and compiles a document and panics on error. It is
// for tests and for policies built into the program.
func MustCompile(name, text string) *Policy {
	doc, err := ParseString(text)
	if err != nil {
		panic(err)
	}
	p, err := Compile(name, doc)
	if err != nil {
		panic(err)
	}
	return p
}

// Name returns the name the policy was compiled under.
func (p *Policy) Name() string { return p.name }

// Document returns the document the policy was compiled from.
func (p *Policy) Document() *Document { return p.doc }

func compileAction(a string) actionPattern {
	if a == "*" {
		return actionPattern{any: true}
	}
	svc, name, ok := strings.Cut(a, ":")
	if !ok {
		// Not an action; it matches only an identical request action.
		return actionPattern{service: "\x00", name: compilePattern(a, false, false)}
	}
	return actionPattern{service: svc, name: compilePattern(name, true, false)}
}

func (a *actionPattern) match(svc, name string) bool {
	return a.any || strings.EqualFold(svc, a.service) && a.name.match(name, true, nil)
}

func compileCondition(c Condition, vars bool) (ccond, error) {
	op, ok := parseOperator(c.Operator)
	if !ok {
		return ccond{}, fmt.Errorf("unknown condition operator %q", c.Operator)
	}
	cc := ccond{op: op, key: strings.ToLower(c.Key), raw: c.Key, vals: make([]condValue, len(c.Values))}
	vars = vars && op.fam.allowsVariables()
	for i, v := range c.Values {
		cc.vals[i] = compileValue(op.fam, v.Text, vars)
	}
	return cc, nil
}

func compileValue(f family, s string, vars bool) condValue {
	v := condValue{text: s}
	switch f {
	case famString, famStringIgnoreCase:
		v.pat, v.ok = compilePattern(s, false, vars), true
	case famStringLike:
		v.pat, v.ok = compilePattern(s, true, vars), true
	case famArn:
		a := compileARN(s, vars)
		v.arn, v.ok = &a, true
	case famNumeric:
		v.num, v.ok = parseNumber(s)
	case famDate:
		v.at, v.ok = parseDate(s)
	case famBool:
		v.b, v.ok = parseBool(s)
	case famBinary:
		v.bin, v.ok = decodeBase64(s)
	case famIP:
		v.pfx, v.ok = parseCIDR(s)
	case famNull:
		v.b, v.ok = parseBool(s)
	}
	return v
}
