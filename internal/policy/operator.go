package policy

import "strings"

// family is the comparison family of a condition operator.
type family uint8

const (
	famString family = iota + 1
	famStringIgnoreCase
	famStringLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famArn
	famNull
)

// cmp is the comparison of a numeric or date operator.
type cmp uint8

const (
	cmpEq cmp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

// qualifier is a set operator prefix.
type qualifier uint8

const (
	qualNone qualifier = iota
	qualForAll
	qualForAny
)

// operator is a parsed condition operator such as
// ForAnyValue:StringNotLikeIfExists.
type operator struct {
	fam      family
	cmp      cmp
	neg      bool // StringNotEquals, NotIpAddress, …: values combine as NOR
	ifExists bool
	qual     qualifier
}

type baseOp struct {
	fam family
	cmp cmp
	neg bool
}

// baseOps lists every operator of
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
var baseOps = map[string]baseOp{
	"StringEquals":              {famString, cmpEq, false},
	"StringNotEquals":           {famString, cmpEq, true},
	"StringEqualsIgnoreCase":    {famStringIgnoreCase, cmpEq, false},
	"StringNotEqualsIgnoreCase": {famStringIgnoreCase, cmpEq, true},
	"StringLike":                {famStringLike, cmpEq, false},
	"StringNotLike":             {famStringLike, cmpEq, true},
	"NumericEquals":             {famNumeric, cmpEq, false},
	"NumericNotEquals":          {famNumeric, cmpEq, true},
	"NumericLessThan":           {famNumeric, cmpLt, false},
	"NumericLessThanEquals":     {famNumeric, cmpLe, false},
	"NumericGreaterThan":        {famNumeric, cmpGt, false},
	"NumericGreaterThanEquals":  {famNumeric, cmpGe, false},
	"DateEquals":                {famDate, cmpEq, false},
	"DateNotEquals":             {famDate, cmpEq, true},
	"DateLessThan":              {famDate, cmpLt, false},
	"DateLessThanEquals":        {famDate, cmpLe, false},
	"DateGreaterThan":           {famDate, cmpGt, false},
	"DateGreaterThanEquals":     {famDate, cmpGe, false},
	"Bool":                      {famBool, cmpEq, false},
	"BinaryEquals":              {famBinary, cmpEq, false},
	"IpAddress":                 {famIP, cmpEq, false},
	"NotIpAddress":              {famIP, cmpEq, true},
	"ArnEquals":                 {famArn, cmpEq, false},
	"ArnLike":                   {famArn, cmpEq, false},
	"ArnNotEquals":              {famArn, cmpEq, true},
	"ArnNotLike":                {famArn, cmpEq, true},
	"Null":                      {famNull, cmpEq, false},
}

// parseOperator parses an operator name. Names are case-sensitive, as
// AWS spells them.
func parseOperator(s string) (operator, bool) {
	var op operator
	switch {
	case strings.HasPrefix(s, "ForAllValues:"):
		op.qual = qualForAll
		s = s[len("ForAllValues:"):]
	case strings.HasPrefix(s, "ForAnyValue:"):
		op.qual = qualForAny
		s = s[len("ForAnyValue:"):]
	}
	if base, ok := strings.CutSuffix(s, "IfExists"); ok {
		if _, known := baseOps[base]; known {
			op.ifExists = true
			s = base
		}
	}
	b, ok := baseOps[s]
	if !ok {
		return operator{}, false
	}
	op.fam, op.cmp, op.neg = b.fam, b.cmp, b.neg
	return op, true
}

// allowsVariables reports whether values of the family may hold policy
// variables (String and ARN operators only; see
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
func (f family) allowsVariables() bool {
	switch f {
	case famString, famStringIgnoreCase, famStringLike, famArn:
		return true
	}
	return false
}
