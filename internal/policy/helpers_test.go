package policy

import (
	"strings"
	"testing"
)

// AWS pages the test cases come from.
const (
	iamDoc           = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
	docGrammar       = iamDoc + "reference_policies_grammar.html"
	docVersion       = iamDoc + "reference_policies_elements_version.html"
	docStatement     = iamDoc + "reference_policies_elements_statement.html"
	docEffect        = iamDoc + "reference_policies_elements_effect.html"
	docAction        = iamDoc + "reference_policies_elements_action.html"
	docNotAction     = iamDoc + "reference_policies_elements_notaction.html"
	docResource      = iamDoc + "reference_policies_elements_resource.html"
	docNotResource   = iamDoc + "reference_policies_elements_notresource.html"
	docPrincipal     = iamDoc + "reference_policies_elements_principal.html"
	docCondition     = iamDoc + "reference_policies_elements_condition.html"
	docOperators     = iamDoc + "reference_policies_elements_condition_operators.html"
	docMultiKeys     = iamDoc + "reference_policies_condition-logic-multiple-context-keys-or-values.html"
	docSingleMulti   = iamDoc + "reference_policies_condition-single-vs-multi-valued-context-keys.html"
	docMultiExamples = iamDoc + "reference_policies_condition_examples-multi-valued-context-keys.html"
	docConditionKeys = iamDoc + "reference_policies_condition-keys.html"
	docVariables     = iamDoc + "reference_policies_variables.html"
	docEvalLogic     = iamDoc + "reference_policies_evaluation-logic_policy-eval-denyallow.html"
	docBoundaries    = iamDoc + "access_policies_boundaries.html"
	docSession       = iamDoc + "access_policies.html#policies_session"
	docSCPEval       = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html"
	docSCPLimits     = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html"
	docChecks        = iamDoc + "access-analyzer-reference-policy-checks.html"
	docFinding       = "https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicyFinding.html"
	docQuotas        = iamDoc + "reference_iam-quotas.html"
)

// kv is a request context in test tables: a key with no entry is absent,
// a key with an empty slice is present with no value.
type kv map[string][]string

func (m kv) context() *Context {
	c := NewContext()
	for k, v := range m {
		c.Set(k, v...)
	}
	return c
}

// mustPolicy parses and compiles a document.
func mustPolicy(t testing.TB, name, text string) *Policy {
	t.Helper()
	doc, err := ParseString(text)
	if err != nil {
		t.Fatalf("Parse(%s) error = %v", text, err)
	}
	p, err := Compile(name, doc)
	if err != nil {
		t.Fatalf("Compile(%s) error = %v", text, err)
	}
	return p
}

// stmtPolicy wraps one statement body in a document of the given version
// ("" for none).
func stmtPolicy(version, stmt string) string {
	var b strings.Builder
	b.WriteString("{")
	if version != "" {
		b.WriteString(`"Version":"` + version + `",`)
	}
	b.WriteString(`"Statement":[` + stmt + `]}`)
	return b.String()
}

// allows reports whether a single identity policy allows the request.
func allows(t testing.TB, doc, action, resource string, ctx kv) bool {
	t.Helper()
	set := &Set{Identity: []*Policy{mustPolicy(t, "p", doc)}}
	return set.Decide(&Request{Action: action, Resource: resource, Context: ctx.context()}) == Allowed
}
