package policy

import "strings"

// eval evaluates one condition against the request context, as
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
// and the operators page describe:
//
//   - An absent key makes the condition false, except for negated
//     operators (true), …IfExists operators (true), ForAllValues (true)
//     and ForAnyValue (false). Null tests presence.
//   - Several policy values are OR-ed; for negated operators they are
//     NOR-ed (the request value must differ from all of them).
//   - ForAllValues: every request value satisfies the operator;
//     ForAnyValue: at least one does. An empty request set counts as
//     absent.
//   - An empty list of policy values is satisfied by no request value,
//     for negated operators too, so ForAllValues and IfExists with [] hold
//     only when the key is absent and ForAnyValue with [] never holds.
//   - Without a set qualifier a key with several request values (which
//     AWS leaves undefined) holds for a positive operator when some request
//     value matches some policy value, and for a negated operator when none
//     does.
//   - A policy value whose variable has no value, or that its operator
//     cannot read, matches no request value; so it makes positive operators
//     false and negated ones true.
func (c *ccond) eval(ctx *Context) bool {
	vals, present := ctx.lookup(c.key)
	if c.op.fam == famNull {
		// Null "true": the key is absent; "false": it is present.
		for i := range c.vals {
			if v := &c.vals[i]; v.ok && v.b != present {
				return true
			}
		}
		return false
	}
	if !present {
		if c.op.ifExists {
			return true
		}
		switch c.op.qual {
		case qualForAll:
			return true
		case qualForAny:
			return false
		}
		return c.op.neg
	}
	switch c.op.qual {
	case qualForAll:
		for _, r := range vals {
			if !c.satisfies(r, ctx) {
				return false
			}
		}
		return true
	case qualForAny:
		for _, r := range vals {
			if c.satisfies(r, ctx) {
				return true
			}
		}
		return false
	}
	if len(c.vals) == 0 {
		return false
	}
	for _, r := range vals {
		if c.anyMatch(r, ctx) {
			return !c.op.neg
		}
	}
	return c.op.neg
}

// satisfies reports whether one request value satisfies the operator
// against the policy values: matches one of them, or for a negated
// operator, none of them.
func (c *ccond) satisfies(r string, ctx *Context) bool {
	if len(c.vals) == 0 {
		return false
	}
	return c.anyMatch(r, ctx) != c.op.neg
}

// anyMatch reports whether r matches some policy value under the positive
// form of the operator.
func (c *ccond) anyMatch(r string, ctx *Context) bool {
	vals := c.vals
	switch c.op.fam {
	case famString, famStringLike:
		for i := range vals {
			if vals[i].pat.match(r, false, ctx) {
				return true
			}
		}
	case famStringIgnoreCase:
		for i := range vals {
			if vals[i].pat.match(r, true, ctx) {
				return true
			}
		}
	case famArn:
		if !strings.HasPrefix(r, "arn:") {
			for i := range vals {
				if vals[i].arn.match(r, ctx) {
					return true
				}
			}
			return false
		}
		a := splitARN(r)
		for i := range vals {
			v := &vals[i]
			if v.arn.any || v.arn.isARN && v.arn.matchSplit(r, &a, ctx) || !v.arn.isARN && v.arn.whole.match(r, false, ctx) {
				return true
			}
		}
	case famNumeric:
		x, ok := parseNumber(r)
		if !ok {
			return false
		}
		for i := range vals {
			if v := &vals[i]; v.ok && compareOK(c.op.cmp, cmpFloat(x, v.num)) {
				return true
			}
		}
	case famDate:
		x, ok := parseDate(r)
		if !ok {
			return false
		}
		for i := range vals {
			if v := &vals[i]; v.ok && compareOK(c.op.cmp, x.compare(v.at)) {
				return true
			}
		}
	case famBool:
		x, ok := parseBool(r)
		if !ok {
			return false
		}
		for i := range vals {
			if v := &vals[i]; v.ok && v.b == x {
				return true
			}
		}
	case famBinary:
		for i := range vals {
			if v := &vals[i]; v.ok && r == v.text {
				return true
			}
		}
		x, ok := decodeBase64(r)
		if !ok {
			return false
		}
		for i := range vals {
			if v := &vals[i]; v.ok && string(x) == string(v.bin) {
				return true
			}
		}
	case famIP:
		x, ok := parseIP(r)
		if !ok {
			return false
		}
		for i := range vals {
			if v := &vals[i]; v.ok && v.pfx.Contains(x) {
				return true
			}
		}
	}
	return false
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareOK(c cmp, r int) bool {
	switch c {
	case cmpLt:
		return r < 0
	case cmpLe:
		return r <= 0
	case cmpGt:
		return r > 0
	case cmpGe:
		return r >= 0
	}
	return r == 0
}
