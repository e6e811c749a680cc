package policy

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode"
)

// PolicyType is the kind of policy Validate checks, as Access Analyzer's
// ValidatePolicy names it; limits and allowed elements differ by type.
type PolicyType string

// Policy types.
const (
	IdentityPolicy       PolicyType = "IDENTITY_POLICY"
	ResourcePolicy       PolicyType = "RESOURCE_POLICY"
	ServiceControlPolicy PolicyType = "SERVICE_CONTROL_POLICY"
)

// FindingType is the severity of a finding.
type FindingType string

// Finding types, as Access Analyzer's ValidatePolicyFinding defines them.
const (
	FindingError           FindingType = "ERROR"            // part of the policy does not work
	FindingSecurityWarning FindingType = "SECURITY_WARNING" // the policy is overly permissive
	FindingWarning         FindingType = "WARNING"          // not a best practice
	FindingSuggestion      FindingType = "SUGGESTION"       // stylistic; no effect on access
)

// Finding is one result of Validate.
type Finding struct {
	Type      FindingType
	IssueCode string // Access Analyzer's code where it has one, e.g. MISSING_VERSION
	Message   string
	Locations []Path
}

// Size limits (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html,
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
const (
	maxIdentityPolicyChars = 6144  // managed policy, whitespace not counted
	maxSCPChars            = 5120  // whitespace counted
	maxResourcePolicyChars = 20480 // S3 bucket policy, the largest common one
)

// Validate checks a policy document the way IAM Access Analyzer's
// ValidatePolicy does
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html)
// and returns its findings in document order. An unknown type is checked as
// an identity policy. It never panics.
func Validate(data []byte, typ PolicyType) []Finding {
	switch typ {
	case IdentityPolicy, ResourcePolicy, ServiceControlPolicy:
	default:
		typ = IdentityPolicy
	}
	b := build(data)
	if len(b.findings) > 0 && b.findings[0].IssueCode == "JSON_SYNTAX_ERROR" {
		return b.findings
	}
	if len(b.findings) > 0 && b.findings[0].IssueCode == "DATA_TYPE_MISMATCH" && len(b.findings[0].Locations[0]) == 0 {
		return b.findings
	}
	v := &validator{b: b, typ: typ, doc: b.doc, vars: b.doc.Version == Version2012}
	v.size(data)
	if b.versionP == nil {
		v.add(FindingWarning, "MISSING_VERSION", nil, "Missing version: specify \"Version\": \"2012-10-17\"; without it policy variables are literal text.")
	}
	v.sids()
	for i := range b.doc.Statements {
		v.statement(i)
	}
	v.redundantStatements()
	return append(b.findings, v.findings...)
}

type validator struct {
	b        *builder
	typ      PolicyType
	doc      *Document
	vars     bool
	findings []Finding
}

func (v *validator) add(t FindingType, code string, p Path, msg string) {
	v.findings = append(v.findings, Finding{Type: t, IssueCode: code, Message: msg, Locations: []Path{p}})
}

func (v *validator) size(data []byte) {
	switch v.typ {
	case IdentityPolicy:
		n := 0
		for _, r := range string(data) {
			if !unicode.IsSpace(r) {
				n++
			}
		}
		if n > maxIdentityPolicyChars {
			v.add(FindingWarning, "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", nil, "Policy size exceeds identity policy quota: the policy has "+strconv.Itoa(n)+" characters without whitespace; a managed policy may have "+strconv.Itoa(maxIdentityPolicyChars)+".")
		}
	case ServiceControlPolicy:
		if n := len([]rune(string(data))); n > maxSCPChars {
			v.add(FindingError, "POLICY_SIZE_EXCEEDS_SCP_QUOTA", nil, "Policy size exceeds SCP quota: the policy has "+strconv.Itoa(n)+" characters, whitespace included; an SCP may have "+strconv.Itoa(maxSCPChars)+".")
		}
	case ResourcePolicy:
		if n := len([]rune(string(data))); n > maxResourcePolicyChars {
			v.add(FindingWarning, "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", nil, "Policy size exceeds resource policy quota: the policy has "+strconv.Itoa(n)+" characters; an S3 bucket policy may have "+strconv.Itoa(maxResourcePolicyChars)+".")
		}
	}
}

func (v *validator) sids() {
	seen := map[string]bool{}
	for i := range v.doc.Statements {
		loc := v.b.locs[i]
		if loc.sid == nil {
			continue
		}
		sid := v.doc.Statements[i].Sid
		if sid == "" {
			v.add(FindingSuggestion, "EMPTY_SID_VALUE", loc.sid, "Empty Sid value: remove the Sid element or give it a value.")
			continue
		}
		if v.typ != ResourcePolicy && !alnum(sid) {
			v.add(FindingError, "UNSUPPORTED_SID", loc.sid, "Unsupported Sid: a Sid in this policy type may hold only letters and digits (A-Z, a-z, 0-9).")
		}
		if seen[sid] {
			if v.typ == ResourcePolicy {
				v.add(FindingWarning, "UNIQUE_SIDS_RECOMMENDED", loc.sid, "Unique Sids recommended: Sid "+quote(sid)+" is used by an earlier statement.")
			} else {
				v.add(FindingError, "UNIQUE_SIDS_REQUIRED", loc.sid, "Unique Sids required: Sid "+quote(sid)+" is used by an earlier statement.")
			}
		}
		seen[sid] = true
	}
}

func (v *validator) statement(i int) {
	s := &v.doc.Statements[i]
	loc := &v.b.locs[i]

	// Principal, by policy type.
	switch {
	case s.Principal != nil && v.typ == IdentityPolicy:
		v.add(FindingError, "UNSUPPORTED_PRINCIPAL", loc.principal, "Unsupported principal: an identity policy may not have a Principal or NotPrincipal element.")
	case s.Principal != nil && v.typ == ServiceControlPolicy:
		v.add(FindingError, "SCP_SYNTAX_ERROR_PRINCIPAL", loc.principal, "SCP syntax error principal: a service control policy may not have a Principal or NotPrincipal element.")
	case s.Principal == nil && v.typ == ResourcePolicy:
		v.add(FindingError, "MISSING_PRINCIPAL", loc.path, "Missing principal: a resource policy statement must name a Principal or NotPrincipal.")
	}
	if s.Principal != nil && s.NotPrincipal && s.Effect == Allow {
		v.add(FindingSecurityWarning, "ALLOW_WITH_NOT_PRINCIPAL", loc.principal, "Allow with NotPrincipal: it allows every principal except those listed, including anonymous ones.")
	}
	if s.Principal != nil && v.vars {
		for j, e := range s.Principal.Entries {
			for _, val := range e.Values {
				if hasVariable(val) {
					v.add(FindingError, "VARIABLE_UNSUPPORTED_IN_ELEMENT", loc.principal.Key(s.Principal.Entries[j].Type), "Variable unsupported in element: policy variables may not be used in Principal.")
				}
			}
		}
	}
	if s.Resource == nil && loc.resource == nil && s.Principal != nil && v.typ != ResourcePolicy {
		v.add(FindingError, "MISSING_RESOURCE", loc.path, "Missing resource: the statement has no Resource or NotResource element.")
	}

	// Action.
	if loc.action != nil {
		if s.NotAction && s.Effect == Allow {
			v.add(FindingSecurityWarning, "ALLOW_WITH_NOT_ACTION", loc.action, "Allow with NotAction: it allows every action of every service except those listed; use Action with the actions to allow.")
		}
		if len(s.Action) == 0 && len(loc.actions) == 0 {
			v.add(FindingSuggestion, "EMPTY_ARRAY_ACTION", loc.action, "Empty array action: the statement lists no action, so it has no effect.")
		}
		for j, a := range s.Action {
			p := loc.actions[j]
			if hasVariable(a) {
				v.add(FindingError, "VARIABLE_UNSUPPORTED_IN_ELEMENT", p, "Variable unsupported in element: policy variables may not be used in "+actionElem(s)+".")
			}
			if svc, _, ok := strings.Cut(a, ":"); ok && strings.ContainsAny(svc, "*?") {
				v.add(FindingSuggestion, "WILDCARD_IN_SERVICE_NAME", p, "Wildcard in service name: the service prefix "+quote(svc)+" is matched literally, so this action matches nothing; name the service.")
			}
		}
		for _, j := range redundant(s.Action, coveredAction) {
			v.add(FindingSuggestion, "REDUNDANT_ACTION", loc.actions[j], "Redundant action: "+quote(s.Action[j])+" is already covered by another entry of the same list.")
		}
	}

	// Resource.
	if loc.resource != nil {
		if s.NotResource && s.Effect == Allow {
			v.add(FindingSecurityWarning, "ALLOW_WITH_NOT_RESOURCE", loc.resource, "Allow with NotResource: it allows the actions on every resource except those listed; use Resource with the resources to allow.")
		}
		if len(s.Resource) == 0 && len(loc.resources) == 0 {
			v.add(FindingSuggestion, "EMPTY_ARRAY_RESOURCE", loc.resource, "Empty array resource: the statement lists no resource, so it has no effect.")
		}
		for j, r := range s.Resource {
			p := loc.resources[j]
			v.variables(r, p)
			if r == "*" || !strings.HasPrefix(r, "arn:") {
				continue
			}
			fields := splitPatternFields(r, true)
			if len(fields) < arnFields && !strings.HasSuffix(r, "*") {
				v.add(FindingError, "MISSING_ARN_FIELD", p, "Missing ARN field: "+quote(r)+" has "+strconv.Itoa(len(fields))+" of the 6 fields arn:partition:service:region:account:resource.")
				continue
			}
			if len(fields) > 2 && strings.ContainsAny(fields[2], "*?") {
				v.add(FindingWarning, "WILDCARD_IN_SERVICE_NAME", p, "Wildcard in service name: the service field of an ARN takes no wildcard, so "+quote(r)+" matches no resource.")
			}
		}
		for _, j := range redundant(s.Resource, coveredResource) {
			v.add(FindingSuggestion, "REDUNDANT_RESOURCE", loc.resources[j], "Redundant resource: "+quote(s.Resource[j])+" is already covered by another entry of the same list.")
		}
	}

	v.passRole(s, loc)
	v.conditions(s, loc)
}

func actionElem(s *Statement) string {
	if s.NotAction {
		return "NotAction"
	}
	return "Action"
}

// passRole warns of iam:PassRole on every role
// (Access Analyzer PASS_ROLE_WITH_STAR_IN_RESOURCE and its variants).
func (v *validator) passRole(s *Statement, loc *stmtLoc) {
	if s.Effect != Allow || s.NotAction || loc.action == nil {
		return
	}
	exact, wild := false, false
	for _, a := range s.Action {
		if strings.EqualFold(a, "iam:PassRole") {
			exact = true
		} else if coveredAction("iam:PassRole", a) {
			wild = true
		}
	}
	if !exact && !wild {
		return
	}
	for _, c := range s.Condition {
		if strings.EqualFold(c.Key, "iam:PassedToService") {
			return
		}
	}
	if s.NotResource {
		v.add(FindingSecurityWarning, "PASS_ROLE_WITH_NOT_RESOURCE", loc.resource, "Pass role with NotResource: iam:PassRole with NotResource allows passing every role but those listed to any service.")
		return
	}
	star := false
	for _, r := range s.Resource {
		if strings.Contains(stripVariables(r), "*") {
			star = true
		}
	}
	if !star {
		return
	}
	if exact {
		v.add(FindingSecurityWarning, "PASS_ROLE_WITH_STAR_IN_RESOURCE", loc.resource, "Pass role with star in resource: using iam:PassRole with wildcards (*) in the resource can be overly permissive because it allows passing many roles to any service; name the roles, or add an iam:PassedToService condition.")
		return
	}
	v.add(FindingSecurityWarning, "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", loc.resource, "Pass role with star in action and resource: a wildcard action that includes iam:PassRole, with wildcards (*) in the resource, allows passing many roles to any service.")
}

func (v *validator) conditions(s *Statement, loc *stmtLoc) {
	for j, c := range s.Condition {
		cl := loc.conds[j]
		op, _ := parseOperator(c.Operator)
		base := c.Operator
		if i := strings.IndexByte(base, ':'); i >= 0 {
			base = base[i+1:]
		}
		if op.fam == famNull && op.ifExists {
			v.add(FindingError, "NULL_WITH_IF_EXISTS", cl.op, "Null with if exists: the Null operator tests presence and takes no IfExists suffix.")
		}
		if op.fam == famNull && op.qual != qualNone {
			v.add(FindingSuggestion, "NULL_WITH_QUALIFIER", cl.op, "Null with qualifier: ForAllValues and ForAnyValue do not apply to Null; use Null alone.")
		}
		for k := 0; k < j; k++ {
			o := s.Condition[k]
			if o.Operator == c.Operator && o.Key != c.Key && strings.EqualFold(o.Key, c.Key) {
				v.add(FindingError, "DUPLICATE_KEYS_WITH_DIFFERENT_CASE", cl.key, "Duplicate keys with different case: "+quote(o.Key)+" and "+quote(c.Key)+" are the same key, as key names are case-insensitive.")
			}
		}
		if op.fam == famBool && len(c.Values) > 1 {
			v.add(FindingError, "INVALID_CONDITION_MULTIPLE_BOOLEAN", cl.key, "Invalid condition multiple Boolean: a Bool condition takes a single value.")
		}
		if len(c.Values) == 0 {
			code, msg := "EMPTY_ARRAY_CONDITION", "the condition has no value, so it never matches."
			switch {
			case op.qual == qualForAll:
				code, msg = "EMPTY_ARRAY_CONDITION_FORALLVALUES", "with ForAllValues and no value, the condition matches only when the key is absent."
			case op.qual == qualForAny:
				code, msg = "EMPTY_ARRAY_CONDITION_FORANYVALUE", "with ForAnyValue and no value, the condition never matches."
			case op.ifExists:
				code, msg = "EMPTY_ARRAY_CONDITION_IFEXISTS", "with IfExists and no value, the condition matches only when the key is absent."
			}
			v.add(FindingSuggestion, code, cl.key, "Empty array condition: "+msg)
		}
		info, known := lookupKey(c.Key)
		if known && info.multi && op.qual == qualNone && op.fam != famNull {
			v.add(FindingError, "MISSING_QUALIFIER", cl.key, "Missing qualifier: "+quote(c.Key)+" is a multivalued key; use ForAllValues: or ForAnyValue: with "+base+".")
		}
		if known && !info.multi && op.qual == qualForAll && strings.HasPrefix(strings.ToLower(c.Key), "aws:") {
			v.add(FindingSecurityWarning, "FORALLVALUES_WITH_SINGLE_VALUED_KEY", cl.key, "ForAllValues with single valued key: "+quote(c.Key)+" is single-valued, and ForAllValues is true when the key is absent; remove ForAllValues:.")
		}
		if known && !info.typ.fits(op.fam) {
			v.add(FindingWarning, "TYPE_MISMATCH", cl.key, "Type mismatch: "+quote(c.Key)+" is of type "+info.typ.String()+" and does not suit the "+base+" operator.")
		}
		for k, val := range c.Values {
			v.value(op, base, val, cl.values[k])
		}
		if op.fam == famIP && strings.EqualFold(c.Key, "aws:SourceIp") && len(c.Values) > 0 {
			private := true
			for _, val := range c.Values {
				p, ok := parseCIDR(val.Text)
				if !ok || !isPrivate(p) {
					private = false
				}
			}
			if private {
				code := "PRIVATE_IP_ADDRESS"
				if op.neg {
					code = "PRIVATE_NOT_IP_ADDRESS"
				}
				v.add(FindingError, code, cl.key, "Private IP address: aws:SourceIp holds the public address of a request, so private ranges never match it; use aws:VpcSourceIp.")
			}
		}
	}
}

// value checks one condition value against its operator.
func (v *validator) value(op operator, base string, val Value, p Path) {
	text := val.Text
	if op.fam.allowsVariables() {
		v.variables(text, p)
	} else if v.vars && hasVariable(text) {
		v.add(FindingError, "INVALID_VARIABLE_FOR_OPERATOR", p, "Invalid variable for operator: policy variables may be used only with String and ARN operators, not "+base+".")
		return
	}
	switch op.fam {
	case famString, famStringIgnoreCase:
		if strings.ContainsAny(stripVariables(text), "*?") {
			v.add(FindingWarning, "WILDCARD_WITHOUT_LIKE_OPERATOR", p, "Wildcard without like operator: "+base+" treats * and ? as literal characters; use StringLike to match patterns.")
		}
	case famNumeric:
		if _, ok := parseNumber(text); !ok {
			v.add(FindingWarning, "TYPE_MISMATCH_NUMBER", p, "Type mismatch number: "+quote(text)+" is not a number, so "+base+" never matches it.")
		}
	case famDate:
		if _, ok := parseDate(text); !ok {
			v.add(FindingWarning, "INVALID_DATE_VALUE", p, "Invalid date value: "+quote(text)+" is neither an ISO 8601 date nor epoch seconds, so "+base+" never matches it.")
		}
	case famBool, famNull:
		if _, ok := parseBool(text); !ok {
			v.add(FindingWarning, "TYPE_MISMATCH_BOOLEAN", p, "Type mismatch Boolean: "+base+" takes \"true\" or \"false\", not "+quote(text)+".")
		}
	case famBinary:
		if _, ok := decodeBase64(text); !ok {
			v.add(FindingWarning, "TYPE_MISMATCH", p, "Type mismatch: BinaryEquals takes a base64-encoded value, not "+quote(text)+".")
		}
	case famIP:
		pfx, ok := parseCIDR(text)
		if !ok {
			v.add(FindingWarning, "TYPE_MISMATCH_IP_RANGE", p, "Type mismatch IP range: "+quote(text)+" is not an IPv4 or IPv6 address or CIDR range.")
			break
		}
		if raw, err := netip.ParsePrefix(text); err == nil && raw.Addr() != raw.Masked().Addr() {
			v.add(FindingSuggestion, "IMPROVE_IP_RANGE", p, "Improve IP range: the host bits of "+quote(text)+" are ignored; write "+quote(pfx.String())+".")
		}
	}
}

// variables checks the ${…} references of a string where variables are
// allowed.
func (v *validator) variables(s string, p Path) {
	if !strings.Contains(s, "${") {
		return
	}
	if !v.vars {
		v.add(FindingError, "VARIABLE_UNSUPPORTED_IN_VERSION", p, "Variable unsupported in version: policy variables need \"Version\": \"2012-10-17\"; here ${…} is literal text.")
		return
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) || s[i+1] != '{' {
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			v.add(FindingError, "MISSING_BRACE_IN_VARIABLE", p, "Missing brace in variable: "+quote(s[i:])+" has no closing }.")
			return
		}
		body := s[i+2 : i+end]
		switch {
		case strings.TrimSpace(body) == "":
			v.add(FindingError, "EMPTY_VARIABLE", p, "Empty variable: ${} names no key.")
		default:
			if _, _, ok := parseVariable(s[i:]); !ok {
				v.add(FindingError, "UNSUPPORTED_SPACE_IN_VARIABLE", p, "Unsupported space in variable: "+quote(s[i:i+end+1])+" is not ${key} or ${key, 'default'}.")
			}
		}
		i += end
	}
}

// redundantStatements flags a statement equal to an earlier one but for its
// Sid.
func (v *validator) redundantStatements() {
	seen := map[string]bool{}
	for i := range v.doc.Statements {
		s := v.doc.Statements[i]
		s.Sid = ""
		key := string(s.appendJSON(nil))
		if seen[key] {
			v.add(FindingSuggestion, "REDUNDANT_STATEMENT", v.b.locs[i].path, "Redundant statement: it repeats an earlier statement of the policy.")
		}
		seen[key] = true
	}
}

// redundant returns the indexes of list entries covered by another entry:
// a later duplicate, or a pattern covered by a wider one.
func redundant(list []string, covered func(a, b string) bool) []int {
	var out []int
	for i, a := range list {
		if strings.Contains(a, "${") {
			continue
		}
		for j, b := range list {
			if i == j || strings.Contains(b, "${") || !covered(a, b) {
				continue
			}
			// Equal entries: only the later one is redundant.
			if covered(b, a) && j > i {
				continue
			}
			out = append(out, i)
			break
		}
	}
	return out
}

// coveredAction reports whether every action a matches is matched by b.
func coveredAction(a, b string) bool {
	if b == "*" {
		return true
	}
	if a == "*" {
		return false
	}
	as, an, ok1 := strings.Cut(a, ":")
	bs, bn, ok2 := strings.Cut(b, ":")
	if !ok1 || !ok2 || !strings.EqualFold(as, bs) {
		return false
	}
	return globCovers(strings.ToLower(an), strings.ToLower(bn))
}

// coveredResource reports whether every resource a matches is matched by b.
func coveredResource(a, b string) bool {
	if b == "*" {
		return true
	}
	if a == "*" || !strings.HasPrefix(a, "arn:") || !strings.HasPrefix(b, "arn:") {
		return a == b
	}
	af, bf := splitPatternFields(a, false), splitPatternFields(b, false)
	if len(af) != arnFields || len(bf) != arnFields {
		return a == b
	}
	for i := range af {
		if i == 2 {
			if af[i] != bf[i] {
				return false
			}
			continue
		}
		if !globCovers(af[i], bf[i]) {
			return false
		}
	}
	return true
}

// globCovers reports whether pattern b matches every string pattern a
// matches: b's * may stand for anything in a, b's ? for one character of a
// that is not *, b's literals only for the same literals of a. Very long
// pairs are compared for equality only.
func globCovers(a, b string) bool {
	if len(a)*len(b) > 1<<20 {
		return a == b
	}
	// cur[j]: b[j:] covers a[i:], computed from the end of a backwards.
	next := make([]bool, len(b)+1)
	cur := make([]bool, len(b)+1)
	// i == len(a): only a run of stars covers the empty rest.
	next[len(b)] = true
	for j := len(b) - 1; j >= 0; j-- {
		next[j] = b[j] == '*' && next[j+1]
	}
	for i := len(a) - 1; i >= 0; i-- {
		cur[len(b)] = false
		for j := len(b) - 1; j >= 0; j-- {
			switch b[j] {
			case '*':
				cur[j] = cur[j+1] || next[j]
			case '?':
				cur[j] = a[i] != '*' && next[j+1]
			default:
				cur[j] = a[i] == b[j] && a[i] != '*' && a[i] != '?' && next[j+1]
			}
		}
		next, cur = cur, next
	}
	return next[0]
}

// hasVariable reports whether s holds a ${…} reference.
func hasVariable(s string) bool {
	i := strings.Index(s, "${")
	return i >= 0 && strings.IndexByte(s[i:], '}') > 0
}

// stripVariables removes ${…} references from s.
func stripVariables(s string) string {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return s
		}
		s = s[:i] + s[i+j+1:]
	}
}

var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("fc00::/7"),
}

func isPrivate(p netip.Prefix) bool {
	for _, r := range privateRanges {
		if r.Bits() <= p.Bits() && r.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func quote(s string) string { return string(appendJSONString(nil, s)) }
