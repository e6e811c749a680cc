package service

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atriumhq/atrium/internal/credentials"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/policy"
	"github.com/atriumhq/atrium/internal/reqctx"
	"github.com/atriumhq/atrium/internal/store"
)

// This file holds the operations on policies themselves, as IAM's policy
// simulator, STS and IAM Access Analyzer offer them: they evaluate and
// check policy documents with the policy engine and change nothing.

// Event sources of the policy operations.
const (
	SourceIAM            = "iam.amazonaws.com"
	SourceSTS            = "sts.amazonaws.com"
	SourceAccessAnalyzer = "access-analyzer.amazonaws.com"
)

func iamOp(name string, readOnly bool) op {
	return op{source: SourceIAM, name: name, action: "iam:" + name, readOnly: readOnly}
}

func stsOp(name string, readOnly bool) op {
	return op{source: SourceSTS, name: name, action: "sts:" + name, readOnly: readOnly}
}

func accessAnalyzerOp(name string, readOnly bool) op {
	return op{source: SourceAccessAnalyzer, name: name, action: "access-analyzer:" + name, readOnly: readOnly}
}

// CallerIdentity is who the caller of a request is, as STS reports it.
type CallerIdentity struct {
	UserID  string
	Account string
	ARN     string
}

// GetCallerIdentity is sts:GetCallerIdentity. As in AWS, every
// authenticated caller may call it, whatever its policies say (even an
// explicit Deny), so it authorizes nothing; it is still audited. It is a
// function rather than a method because it is the one operation that does
// not authorize.
func GetCallerIdentity(ctx context.Context, s *Service) (*CallerIdentity, error) {
	o := stsOp("GetCallerIdentity", true)
	c := &call{op: o, caller: reqctx.CallerFrom(ctx)}
	if c.caller == nil {
		return nil, s.finish(ctx, c, errs.E(errs.Unauthenticated, o.String(), "The request is not signed."))
	}
	c.instanceID, c.accountID = c.caller.InstanceID, c.caller.AccountID
	out := &CallerIdentity{UserID: c.caller.PrincipalID, Account: c.caller.AccountID, ARN: c.caller.ARN}
	if c.caller.SessionID != "" {
		out.UserID += ":" + c.caller.SessionID
	}
	if err := s.finish(ctx, c, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// Policy source types of a matched statement, as the IAM policy simulator
// reports them.
const (
	PolicySourceInput    = "IAM Policy"                // PolicyInputList
	PolicySourceBoundary = "PermissionsBoundaryPolicy" // PermissionsBoundaryPolicyInputList
	PolicySourceUser     = "user"                      // the simulated principal's own policies
)

// Context key types of the policy simulator.
var contextKeyTypes = []string{"string", "stringList", "numeric", "numericList", "boolean", "booleanList", "ip", "ipList", "binary", "binaryList", "date", "dateList"}

// ContextEntry is a condition key and its values for a simulation.
type ContextEntry struct {
	Name   string
	Values []string
	Type   string // one of contextKeyTypes; "" is "string"
}

// Simulation is the input of SimulateCustomPolicy and
// SimulatePrincipalPolicy.
type Simulation struct {
	PolicySourceARN  string   // SimulatePrincipalPolicy: whose policies to simulate
	Policies         []string // PolicyInputList: identity policies
	BoundaryPolicies []string // PermissionsBoundaryPolicyInputList: at most one
	Actions          []string
	Resources        []string // none: "*"
	// ResourcePolicy and ResourceHandlingOption are refused: the policy
	// engine evaluates identity-side policies only.
	ResourcePolicy         string
	ResourceOwner          string
	CallerARN              string
	Context                []ContextEntry
	ResourceHandlingOption string
	MaxItems               *int // 1..1000; nil: 100
	Marker                 string
}

// SimulationResult is one page of evaluation results.
type SimulationResult struct {
	Results     []EvaluationResult
	IsTruncated bool
	Marker      string
	// ResourcesGiven says that the caller named resources, so that each
	// result is also a resource-specific one.
	ResourcesGiven bool
}

// EvaluationResult is the decision for one action on one resource.
type EvaluationResult struct {
	Action   string
	Resource string
	Decision string // "allowed", "explicitDeny" or "implicitDeny"
	Matched  []MatchedStatement
	Missing  []string // condition keys the policies use that the context lacks
	// Boundary is whether the permissions boundary alone allows the
	// request; nil when no boundary applies.
	Boundary *bool
}

// MatchedStatement is a statement that decided a result.
type MatchedStatement struct {
	SourcePolicyID   string // e.g. "PolicyInputList.1"
	SourcePolicyType string // PolicySourceInput, PolicySourceBoundary or PolicySourceUser
	Document         string // the text of the policy
	Statement        int    // index of the statement in the document
}

const (
	maxPolicyChars     = 131072
	defaultSimMaxItems = 100
	maxSimMaxItems     = 1000
)

// policyChars is the pattern of IAM's policyDocumentType.
var policyChars = regexp.MustCompile(`^[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+$`)

// iamEntityARN matches the ARN of an IAM user, role or group.
var iamEntityARN = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):(user|role|group)/(?:[\x{0021}-\x{007E}]*/)?([\w+=,.@-]{1,128})$`)

func invalidInput(o op, format string, args ...any) *errs.Error {
	return errs.Errorf(errs.Invalid, o.String(), format, args...).WithCode("InvalidInputException")
}

// source is a policy document taking part in a simulation.
type source struct {
	id, typ, text string
}

// SimulateCustomPolicy is iam:SimulateCustomPolicy: it evaluates each
// action on each resource against the given identity policies and
// permissions boundary.
func (s *Service) SimulateCustomPolicy(ctx context.Context, in Simulation) (*SimulationResult, error) {
	o := iamOp("SimulateCustomPolicy", true)
	c, err := s.begin(ctx, o, "*")
	if err != nil {
		return nil, err
	}
	if len(in.Policies) == 0 {
		return nil, s.fail(ctx, c, invalidInput(o, "1 validation error detected: Value null at 'policyInputList' failed to satisfy constraint: Member must not be null"))
	}
	if err := checkSimulation(o, &in); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	out, err := simulate(o, in, nil)
	return out, s.finish(ctx, c, err)
}

// SimulatePrincipalPolicy is iam:SimulatePrincipalPolicy: SimulateCustomPolicy
// for the identity policies of the principal PolicySourceARN names, together
// with any given ones.
func (s *Service) SimulatePrincipalPolicy(ctx context.Context, in Simulation) (*SimulationResult, error) {
	o := iamOp("SimulatePrincipalPolicy", true)
	c, err := s.begin(ctx, o, resourceOrStar(in.PolicySourceARN))
	if err != nil {
		return nil, err
	}
	if err := checkSimulation(o, &in); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	p, err := s.policySource(ctx, c, o, in.PolicySourceARN)
	if err != nil {
		return nil, s.fail(ctx, c, err)
	}
	out, err := simulate(o, in, principalSources(p))
	return out, s.finish(ctx, c, err)
}

// GetContextKeysForCustomPolicy is iam:GetContextKeysForCustomPolicy: the
// condition keys and policy variables that the policies use.
func (s *Service) GetContextKeysForCustomPolicy(ctx context.Context, policies []string) ([]string, error) {
	o := iamOp("GetContextKeysForCustomPolicy", true)
	c, err := s.begin(ctx, o, "*")
	if err != nil {
		return nil, err
	}
	if len(policies) == 0 {
		return nil, s.fail(ctx, c, invalidInput(o, "1 validation error detected: Value null at 'policyInputList' failed to satisfy constraint: Member must not be null"))
	}
	if err := checkPolicies(o, "policyInputList", policies); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	keys, err := contextKeysOf(o, inputSources(policies, "PolicyInputList", PolicySourceInput))
	return keys, s.finish(ctx, c, err)
}

// GetContextKeysForPrincipalPolicy is iam:GetContextKeysForPrincipalPolicy:
// the condition keys and policy variables that the policies of the principal
// policySourceARN names, and the given ones, use.
func (s *Service) GetContextKeysForPrincipalPolicy(ctx context.Context, policySourceARN string, policies []string) ([]string, error) {
	o := iamOp("GetContextKeysForPrincipalPolicy", true)
	c, err := s.begin(ctx, o, resourceOrStar(policySourceARN))
	if err != nil {
		return nil, err
	}
	if err := checkPolicies(o, "policyInputList", policies); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	p, err := s.policySource(ctx, c, o, policySourceARN)
	if err != nil {
		return nil, s.fail(ctx, c, err)
	}
	srcs := append(principalSources(p), inputSources(policies, "PolicyInputList", PolicySourceInput)...)
	keys, err := contextKeysOf(o, srcs)
	return keys, s.finish(ctx, c, err)
}

func resourceOrStar(arn string) string {
	if arn == "" {
		return "*"
	}
	return arn
}

func inputSources(texts []string, list, typ string) []source {
	out := make([]source, len(texts))
	for i, t := range texts {
		out[i] = source{id: list + "." + strconv.Itoa(i+1), typ: typ, text: t}
	}
	return out
}

// principalSources are a principal's own policies. They have no names, so
// they are numbered as the input lists are.
func principalSources(p *credentials.Principal) []source {
	return inputSources(p.Policies, "Policies", PolicySourceUser)
}

// principalByARN is the capability of a transaction to find a principal by
// its ARN. Stores that lack it can simulate only the caller itself.
type principalByARN interface {
	GetPrincipalByARN(ctx context.Context, arn string) (*credentials.Principal, error)
}

// policySource returns the principal that arn names, in the caller's
// instance.
func (s *Service) policySource(ctx context.Context, c *call, o op, arn string) (*credentials.Principal, error) {
	if arn == "" {
		return nil, invalidInput(o, "1 validation error detected: Value null at 'policySourceArn' failed to satisfy constraint: Member must not be null")
	}
	m := iamEntityARN.FindStringSubmatch(arn)
	if m == nil || len(arn) > 2048 {
		return nil, invalidInput(o, "Invalid ARN %q: the policy source must be the ARN of an IAM user, role or group.", truncateText(arn, 256))
	}
	account, kind, name := m[1], m[2], m[3]
	notFound := errs.Errorf(errs.NotFound, o.String(), "The %s with name %s cannot be found.", kind, name).WithCode("NoSuchEntityException")
	if kind != "user" || account != c.accountID {
		return nil, notFound
	}
	if c.principal != nil && c.principal.ARN == arn {
		return c.principal, nil
	}
	var p *credentials.Principal
	err := s.store.Read(ctx, func(tx store.Tx) error {
		finder, ok := tx.(principalByARN)
		if !ok {
			return store.ErrNotFound
		}
		var err error
		p, err = finder.GetPrincipalByARN(ctx, arn)
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound
	case err != nil:
		return nil, mapStoreErr(o, err)
	case p.InstanceID != c.instanceID:
		return nil, notFound
	}
	return p, nil
}

func truncateText(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// checkPolicies checks the documents of a policy list against the model's
// constraints.
func checkPolicies(o op, field string, docs []string) error {
	for i, d := range docs {
		if len(d) < 1 || len(d) > maxPolicyChars {
			return invalidInput(o, "1 validation error detected: Value at '%s.%d.member' failed to satisfy constraint: Member must have length between 1 and %d", field, i+1, maxPolicyChars)
		}
		if !policyChars.MatchString(d) {
			return invalidInput(o, "1 validation error detected: Value at '%s.%d.member' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+", field, i+1)
		}
	}
	return nil
}

// checkSimulation checks a simulation's input against the model's
// constraints and what Atrium can simulate.
func checkSimulation(o op, in *Simulation) error {
	if err := checkPolicies(o, "policyInputList", in.Policies); err != nil {
		return err
	}
	if err := checkPolicies(o, "permissionsBoundaryPolicyInputList", in.BoundaryPolicies); err != nil {
		return err
	}
	if len(in.BoundaryPolicies) > 1 {
		return invalidInput(o, "Only one permissions boundary policy may be simulated; %d were given.", len(in.BoundaryPolicies))
	}
	if len(in.Actions) == 0 {
		return invalidInput(o, "1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null")
	}
	for i, a := range in.Actions {
		if len(a) < 3 || len(a) > 128 {
			return invalidInput(o, "1 validation error detected: Value at 'actionNames.%d.member' failed to satisfy constraint: Member must have length between 3 and 128", i+1)
		}
		if svc, name, ok := strings.Cut(a, ":"); !ok || svc == "" || name == "" {
			return invalidInput(o, "Action %q is not of the form service:action.", a)
		}
	}
	for i, r := range in.Resources {
		if len(r) < 1 || len(r) > 2048 {
			return invalidInput(o, "1 validation error detected: Value at 'resourceArns.%d.member' failed to satisfy constraint: Member must have length between 1 and 2048", i+1)
		}
	}
	for field, v := range map[string]string{"resourceOwner": in.ResourceOwner, "callerArn": in.CallerARN} {
		if len(v) > 2048 {
			return invalidInput(o, "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to 2048", field)
		}
	}
	if in.ResourcePolicy != "" {
		return invalidInput(o, "ResourcePolicy is not supported: Atrium simulates identity-based policies and permissions boundaries only.")
	}
	if in.ResourceHandlingOption != "" {
		return invalidInput(o, "ResourceHandlingOption is not supported: Atrium simulates each action on each resource given.")
	}
	if in.MaxItems != nil && (*in.MaxItems < 1 || *in.MaxItems > maxSimMaxItems) {
		return invalidInput(o, "1 validation error detected: Value '%d' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and %d", *in.MaxItems, maxSimMaxItems)
	}
	if len(in.Marker) > 320 {
		return invalidInput(o, "1 validation error detected: Value at 'marker' failed to satisfy constraint: Member must have length less than or equal to 320")
	}
	seen := map[string]bool{}
	for i, e := range in.Context {
		if err := checkContextEntry(o, i+1, e); err != nil {
			return err
		}
		k := strings.ToLower(e.Name)
		if seen[k] {
			return invalidInput(o, "Context key %s is given more than once.", e.Name)
		}
		seen[k] = true
	}
	return nil
}

func checkContextEntry(o op, n int, e ContextEntry) error {
	if len(e.Name) < 5 || len(e.Name) > 256 {
		return invalidInput(o, "1 validation error detected: Value at 'contextEntries.%d.member.contextKeyName' failed to satisfy constraint: Member must have length between 5 and 256", n)
	}
	typ := e.Type
	if typ == "" {
		typ = "string"
	}
	if !slices.Contains(contextKeyTypes, typ) {
		return invalidInput(o, "1 validation error detected: Value '%s' at 'contextEntries.%d.member.contextKeyType' failed to satisfy constraint: Member must satisfy enum value set: [%s]", truncateText(e.Type, 64), n, strings.Join(contextKeyTypes, ", "))
	}
	base, list := strings.CutSuffix(typ, "List")
	if !list && len(e.Values) > 1 {
		return invalidInput(o, "Context key %s of type %s takes one value; %d were given.", e.Name, typ, len(e.Values))
	}
	for _, v := range e.Values {
		if !validContextValue(base, v) {
			return invalidInput(o, "Context key %s of type %s has the invalid value %q.", e.Name, typ, truncateText(v, 256))
		}
	}
	return nil
}

// validContextValue reports whether v is a value of a (non-list) context
// key type.
func validContextValue(typ, v string) bool {
	switch typ {
	case "numeric":
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	case "boolean":
		return strings.EqualFold(v, "true") || strings.EqualFold(v, "false")
	case "ip":
		if _, err := netip.ParseAddr(v); err == nil {
			return true
		}
		_, err := netip.ParsePrefix(v)
		return err == nil
	case "binary":
		_, err := base64.StdEncoding.DecodeString(v)
		return err == nil
	case "date":
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return true
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02"} {
			if _, err := time.Parse(layout, v); err == nil {
				return true
			}
		}
		return false
	}
	return true
}

// compileSources parses and compiles each source, naming each compiled
// policy by its index in srcs. A malformed document is a
// MalformedPolicyDocument error that says where and why.
func compileSources(o op, srcs []source) ([]*policy.Policy, error) {
	out := make([]*policy.Policy, len(srcs))
	for i, src := range srcs {
		doc, err := policy.ParseString(src.text)
		if err == nil {
			out[i], err = policy.Compile(strconv.Itoa(i), doc)
		}
		if err != nil {
			return nil, malformed(o, src, err)
		}
	}
	return out, nil
}

// malformed is the MalformedPolicyDocument error of a source that the
// engine refused, with the engine's reason and where it found it.
func malformed(o op, src source, err error) error {
	msg := src.id + ": " + err.Error()
	var pe *policy.ParseError
	if errors.As(err, &pe) {
		msg = fmt.Sprintf("%s: %s: %s", src.id, pe.Path, pe.Reason)
	}
	return errs.E(errs.Invalid, o.String(), "The policy document is malformed: "+msg).WithCode("MalformedPolicyDocumentException")
}

// simulate evaluates the page of action × resource pairs that in (already
// checked) asks for, against own (the principal's policies) and in's
// policies.
func simulate(o op, in Simulation, own []source) (*SimulationResult, error) {
	identity := append(own, inputSources(in.Policies, "PolicyInputList", PolicySourceInput)...)
	srcs := append(identity, inputSources(in.BoundaryPolicies, "PermissionsBoundaryPolicyInputList", PolicySourceBoundary)...)
	compiled, err := compileSources(o, srcs)
	if err != nil {
		return nil, err
	}
	set := &policy.Set{Identity: compiled[:len(identity)]}
	var boundary *policy.Set
	if len(compiled) > len(identity) {
		set.Boundary = compiled[len(identity)]
		boundary = &policy.Set{Identity: []*policy.Policy{set.Boundary}}
	}
	ctx := policy.NewContext()
	for _, e := range in.Context {
		ctx.Set(e.Name, slices.Clone(e.Values)...)
	}
	resources := in.Resources
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	total := len(in.Actions) * len(resources)
	offset, ok := decodeOffset(in.Marker)
	if !ok || offset > total {
		return nil, invalidInput(o, "The Marker is not valid.")
	}
	n := defaultSimMaxItems
	if in.MaxItems != nil {
		n = *in.MaxItems
	}
	end := min(total, offset+n)
	out := &SimulationResult{ResourcesGiven: len(in.Resources) > 0, Results: make([]EvaluationResult, 0, end-offset)}
	for i := offset; i < end; i++ {
		req := &policy.Request{Action: in.Actions[i/len(resources)], Resource: resources[i%len(resources)], Context: ctx}
		res := set.Evaluate(req)
		r := EvaluationResult{Action: req.Action, Resource: req.Resource, Decision: res.Decision.EvalDecision(), Missing: res.Missing}
		for _, m := range res.Matched {
			k, _ := strconv.Atoi(m.Policy)
			r.Matched = append(r.Matched, MatchedStatement{SourcePolicyID: srcs[k].id, SourcePolicyType: srcs[k].typ, Document: srcs[k].text, Statement: m.Statement})
		}
		if boundary != nil {
			allowed := boundary.Decide(req) == policy.Allowed
			r.Boundary = &allowed
		}
		out.Results = append(out.Results, r)
	}
	if end < total {
		out.IsTruncated, out.Marker = true, encodeOffset(end)
	}
	return out, nil
}

// contextKeysOf returns the condition keys and policy variables the
// sources use, each once (compared case-insensitively, spelled as first
// written), sorted.
func contextKeysOf(o op, srcs []source) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(k string) {
		if lk := strings.ToLower(k); k != "" && !seen[lk] {
			seen[lk] = true
			out = append(out, k)
		}
	}
	for _, src := range srcs {
		doc, err := policy.ParseString(src.text)
		if err != nil {
			return nil, malformed(o, src, err)
		}
		vars := doc.Version == policy.Version2012
		for _, st := range doc.Statements {
			if vars {
				for _, r := range st.Resource {
					variables(r, add)
				}
			}
			for _, c := range st.Condition {
				add(c.Key)
				if vars {
					for _, v := range c.Values {
						variables(v.Text, add)
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out, nil
}

// variables calls add with the key of each ${key} or ${key, 'default'} in s.
func variables(s string, add func(string)) {
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return
		}
		key, _, _ := strings.Cut(s[i+2:i+j], ",")
		if key = strings.TrimSpace(key); key != "" && !strings.ContainsAny(key, " '") {
			add(key)
		}
		s = s[i+j+1:]
	}
}

const offsetPrefix = "v1."

func encodeOffset(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(offsetPrefix + strconv.Itoa(n)))
}

// decodeOffset reads a token of encodeOffset; "" is offset 0.
func decodeOffset(token string) (int, bool) {
	if token == "" {
		return 0, true
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return 0, false
	}
	rest, ok := strings.CutPrefix(string(b), offsetPrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 || strconv.Itoa(n) != rest {
		return 0, false
	}
	return n, true
}

// Policy types of Access Analyzer's ValidatePolicy.
var validatePolicyTypes = []string{"IDENTITY_POLICY", "RESOURCE_POLICY", "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"}

var validatePolicyLocales = []string{"DE", "EN", "ES", "FR", "IT", "JA", "KO", "PT_BR", "ZH_CN", "ZH_TW"}

var validatePolicyResourceTypes = []string{"AWS::S3::Bucket", "AWS::S3::AccessPoint", "AWS::S3::MultiRegionAccessPoint", "AWS::S3ObjectLambda::AccessPoint", "AWS::IAM::AssumeRolePolicyDocument", "AWS::DynamoDB::Table"}

// PolicyValidation is the input of ValidatePolicy.
type PolicyValidation struct {
	Document     string
	Type         string // one of validatePolicyTypes
	Locale       string // accepted; findings are in English
	ResourceType string // for RESOURCE_POLICY only
	MaxResults   *int   // 1..1000; nil: 100
	NextToken    string
}

const (
	defaultFindings = 100
	maxFindings     = 1000
)

func validationError(o op, format string, args ...any) *errs.Error {
	return errs.Errorf(errs.Invalid, o.String(), format, args...).With("reason", "fieldValidationFailed")
}

// ValidatePolicy is access-analyzer:ValidatePolicy: it checks a policy
// document with the policy engine's validator and returns one page of its
// findings, in document order, and the token of the next page.
func (s *Service) ValidatePolicy(ctx context.Context, in PolicyValidation) ([]policy.Finding, string, error) {
	o := accessAnalyzerOp("ValidatePolicy", true)
	c, err := s.begin(ctx, o, "*")
	if err != nil {
		return nil, "", err
	}
	findings, next, err := validatePolicy(o, in)
	return findings, next, s.finish(ctx, c, err)
}

func validatePolicy(o op, in PolicyValidation) ([]policy.Finding, string, error) {
	switch {
	case in.Document == "":
		return nil, "", validationError(o, "1 validation error detected: Value null at 'policyDocument' failed to satisfy constraint: Member must not be null")
	case in.Type == "":
		return nil, "", validationError(o, "1 validation error detected: Value null at 'policyType' failed to satisfy constraint: Member must not be null")
	case !slices.Contains(validatePolicyTypes, in.Type):
		return nil, "", validationError(o, "1 validation error detected: Value '%s' at 'policyType' failed to satisfy constraint: Member must satisfy enum value set: [%s]", truncateText(in.Type, 64), strings.Join(validatePolicyTypes, ", "))
	case in.Locale != "" && !slices.Contains(validatePolicyLocales, in.Locale):
		return nil, "", validationError(o, "1 validation error detected: Value '%s' at 'locale' failed to satisfy constraint: Member must satisfy enum value set: [%s]", truncateText(in.Locale, 64), strings.Join(validatePolicyLocales, ", "))
	case in.ResourceType != "" && !slices.Contains(validatePolicyResourceTypes, in.ResourceType):
		return nil, "", validationError(o, "1 validation error detected: Value '%s' at 'validatePolicyResourceType' failed to satisfy constraint: Member must satisfy enum value set: [%s]", truncateText(in.ResourceType, 64), strings.Join(validatePolicyResourceTypes, ", "))
	case in.ResourceType != "" && in.Type != "RESOURCE_POLICY":
		return nil, "", validationError(o, "validatePolicyResourceType applies to the RESOURCE_POLICY policy type only.")
	case in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > maxFindings):
		return nil, "", validationError(o, "1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and %d", *in.MaxResults, maxFindings)
	}
	typ := policy.PolicyType(in.Type)
	if in.Type == "RESOURCE_CONTROL_POLICY" {
		// A resource control policy is a resource-side policy: it names
		// its principals, as a resource policy does.
		typ = policy.ResourcePolicy
	}
	all := policy.Validate([]byte(in.Document), typ)
	offset, ok := decodeOffset(in.NextToken)
	if !ok || offset > len(all) {
		return nil, "", validationError(o, "The nextToken is not valid.")
	}
	n := defaultFindings
	if in.MaxResults != nil {
		n = *in.MaxResults
	}
	end := min(len(all), offset+n)
	next := ""
	if end < len(all) {
		next = encodeOffset(end)
	}
	return all[offset:end], next, nil
}
