package policy

import (
	"slices"
	"strconv"
	"strings"
)

// Decision is the outcome of evaluating a request.
type Decision uint8

// Decisions. The zero value is ImplicitDeny.
const (
	ImplicitDeny Decision = iota
	ExplicitDeny
	Allowed
)

// String returns "allow", "explicitDeny" or "implicitDeny".
func (d Decision) String() string {
	switch d {
	case Allowed:
		return "allow"
	case ExplicitDeny:
		return "explicitDeny"
	}
	return "implicitDeny"
}

// EvalDecision returns the decision as IAM's policy simulator spells it:
// "allowed", "explicitDeny" or "implicitDeny".
func (d Decision) EvalDecision() string {
	if d == Allowed {
		return "allowed"
	}
	return d.String()
}

// Request is what a principal asks to do. Context may be nil: then every
// condition key is absent.
type Request struct {
	Action   string // e.g. "s3:GetObject"; compared case-insensitively
	Resource string // an ARN, or "*" for actions without resource-level permissions
	Context  *Context
}

// Set is the policies that apply to one principal, by type. A nil Boundary
// and an empty Session mean that limit does not apply.
//
// Evaluation follows
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html:
// an applicable Deny statement in any policy wins (explicitDeny); then every
// SCP level, from the root to the account, must have a policy that allows;
// then an identity policy must allow; then the boundary, if any, must allow;
// then the session policies, if any, must allow. Failing one of these is
// an implicitDeny. SCPs, boundaries and session policies never grant.
type Set struct {
	Identity []*Policy   // identity policies: inline and managed alike
	Boundary *Policy     // permissions boundary
	Session  []*Policy   // session policies (inline and managed together)
	SCPs     [][]*Policy // SCP levels from the root to the account; each level OR-ed
}

// prepared is a request split once for matching.
type prepared struct {
	svc, name string
	hasSvc    bool
	res       string
	arn       arnSplit
	isARN     bool
	ctx       *Context
}

func prepare(r *Request) prepared {
	p := prepared{res: r.Resource, ctx: r.Context}
	p.svc, p.name, p.hasSvc = strings.Cut(r.Action, ":")
	if strings.HasPrefix(r.Resource, "arn:") {
		p.isARN = true
		p.arn = splitARN(r.Resource)
	}
	return p
}

// applies reports whether the statement's Action and Resource match the
// request, without looking at conditions.
func (s *cstmt) applies(r *prepared) bool {
	return s.actionMatches(r) && s.resourceMatches(r)
}

func (s *cstmt) actionMatches(r *prepared) bool {
	m := false
	for i := range s.actions {
		a := &s.actions[i]
		if a.any || r.hasSvc && a.match(r.svc, r.name) {
			m = true
			break
		}
	}
	return m != s.notAction
}

func (s *cstmt) resourceMatches(r *prepared) bool {
	if !s.hasResource {
		return true
	}
	m := false
	for i := range s.resources {
		p := &s.resources[i]
		switch {
		case p.any:
			m = true
		case p.isARN:
			m = r.isARN && p.matchSplit(r.res, &r.arn, r.ctx)
		default:
			m = p.whole.match(r.res, false, r.ctx)
		}
		if m {
			break
		}
	}
	return m != s.notResource
}

// unresolvedResource reports whether a Resource entry has a variable
// without a value.
func (s *cstmt) unresolvedResource(ctx *Context) bool {
	for i := range s.resources {
		if s.resources[i].whole.unresolved(ctx) {
			return true
		}
	}
	return false
}

// conditions reports whether every condition holds.
func (s *cstmt) conditions(ctx *Context) bool {
	for i := range s.conds {
		if !s.conds[i].eval(ctx) {
			return false
		}
	}
	return true
}

func (s *cstmt) matches(r *prepared) bool {
	return s.applies(r) && s.conditions(r.ctx)
}

func (p *Policy) denies(r *prepared) bool {
	for i := range p.deny {
		if p.deny[i].matches(r) {
			return true
		}
	}
	return false
}

func (p *Policy) allows(r *prepared) bool {
	for i := range p.allow {
		if p.allow[i].matches(r) {
			return true
		}
	}
	return false
}

func anyAllows(ps []*Policy, r *prepared) bool {
	for _, p := range ps {
		if p != nil && p.allows(r) {
			return true
		}
	}
	return false
}

func anyDenies(ps []*Policy, r *prepared) bool {
	for _, p := range ps {
		if p != nil && p.denies(r) {
			return true
		}
	}
	return false
}

// Decide evaluates req and returns the decision only. It does not
// allocate.
func (s *Set) Decide(req *Request) Decision {
	r := prepare(req)
	if anyDenies(s.Identity, &r) || s.Boundary != nil && s.Boundary.denies(&r) || anyDenies(s.Session, &r) {
		return ExplicitDeny
	}
	for _, level := range s.SCPs {
		if anyDenies(level, &r) {
			return ExplicitDeny
		}
	}
	for _, level := range s.SCPs {
		if !anyAllows(level, &r) {
			return ImplicitDeny
		}
	}
	if !anyAllows(s.Identity, &r) {
		return ImplicitDeny
	}
	if s.Boundary != nil && !s.Boundary.allows(&r) {
		return ImplicitDeny
	}
	if len(s.Session) > 0 && !anyAllows(s.Session, &r) {
		return ImplicitDeny
	}
	return Allowed
}

// Match is a statement that took part in a decision.
type Match struct {
	Policy    string // the policy's name, e.g. "identity[0]" or an ARN
	Statement int    // index of the statement in the document
	Sid       string
	Effect    Effect
}

// Result is a decision with its explanation.
type Result struct {
	Decision Decision
	// Matched holds the statements that decided: for explicitDeny every
	// matching Deny statement, for allow every matching Allow statement of
	// every policy type, for implicitDeny nothing.
	Matched []Match
	// DeniedBy names, for implicitDeny, the policy type that had no
	// matching Allow: "scps[i]" (level i), "identity", "boundary" or
	// "session".
	DeniedBy string
	// Missing lists the condition keys (and variables) referenced by
	// statements whose Action and Resource matched the request but that the
	// context lacks: IAM's MissingContextValues. Sorted, as first written.
	Missing []string
}

// Evaluate evaluates req and explains the decision. It gives the same
// decision as Decide.
func (s *Set) Evaluate(req *Request) Result {
	r := prepare(req)
	var e explainer
	e.r = &r
	for _, p := range s.Identity {
		e.policy(p, Deny)
	}
	e.policy(s.Boundary, Deny)
	for _, p := range s.Session {
		e.policy(p, Deny)
	}
	for _, level := range s.SCPs {
		for _, p := range level {
			e.policy(p, Deny)
		}
	}
	res := Result{Decision: Allowed}
	if len(e.matched) > 0 {
		res.Decision = ExplicitDeny
		res.Matched = e.matched
	}
	denies := len(e.matched)
	group := func(ps []*Policy, name string) {
		n := len(e.matched)
		for _, p := range ps {
			e.policy(p, Allow)
		}
		if len(e.matched) == n && res.Decision == Allowed {
			res.Decision, res.DeniedBy = ImplicitDeny, name
		}
	}
	for i, level := range s.SCPs {
		group(level, "scps["+strconv.Itoa(i)+"]")
	}
	group(s.Identity, "identity")
	if s.Boundary != nil {
		group([]*Policy{s.Boundary}, "boundary")
	}
	if len(s.Session) > 0 {
		group(s.Session, "session")
	}
	switch res.Decision {
	case Allowed:
		res.Matched = e.matched
	case ExplicitDeny:
		res.Matched = e.matched[:denies:denies]
	default:
		res.Matched = nil
	}
	res.Missing = e.missingKeys()
	return res
}

type explainer struct {
	r       *prepared
	matched []Match
	missing map[string]string
}

func (e *explainer) policy(p *Policy, eff Effect) {
	if p == nil {
		return
	}
	stmts := p.allow
	if eff == Deny {
		stmts = p.deny
	}
	for i := range stmts {
		s := &stmts[i]
		if !s.actionMatches(e.r) {
			continue
		}
		applies := s.resourceMatches(e.r)
		if applies || s.unresolvedResource(e.r.ctx) {
			e.noteMissing(s)
		}
		if applies && s.conditions(e.r.ctx) {
			e.matched = append(e.matched, Match{Policy: p.name, Statement: s.index, Sid: s.sid, Effect: s.effect})
		}
	}
}

func (e *explainer) noteMissing(s *cstmt) {
	note := func(lower, raw string) {
		if _, ok := e.r.ctx.lookup(lower); ok {
			return
		}
		if e.missing == nil {
			e.missing = make(map[string]string)
		}
		if _, ok := e.missing[lower]; !ok {
			e.missing[lower] = raw
		}
	}
	vars := func(p *pattern) {
		for i := range p.toks {
			if t := &p.toks[i]; t.kind == tokVar && !t.hasDef {
				note(t.key, t.name)
			}
		}
	}
	for i := range s.resources {
		a := &s.resources[i]
		vars(&a.whole)
		for j := 0; j < a.n; j++ {
			vars(&a.fields[j])
		}
	}
	for i := range s.conds {
		c := &s.conds[i]
		note(c.key, c.raw)
		for j := range c.vals {
			vars(&c.vals[j].pat)
			if c.vals[j].arn != nil {
				for k := 0; k < c.vals[j].arn.n; k++ {
					vars(&c.vals[j].arn.fields[k])
				}
			}
		}
	}
}

func (e *explainer) missingKeys() []string {
	if len(e.missing) == 0 {
		return nil
	}
	out := make([]string, 0, len(e.missing))
	for _, raw := range e.missing {
		out = append(out, raw)
	}
	slices.Sort(out)
	return out
}
