package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/atriumhq/atrium/internal/policy"
)

const policyUsage = `usage: atrium policy <command>

commands:
  eval                   evaluate a request against policies read as JSON on stdin:
                         {"policies": {"identity": [DOC, …], "boundary": DOC,
                           "session": DOC, "scps": [LEVEL, …]},
                          "request": {"action": "s3:GetObject",
                           "resource": "arn:aws:s3:::bucket/key",
                           "context": {"aws:SourceIp": "10.1.2.3"}}}
                         and print {"decision": …, "matched": […]}
  validate [--policy-type IDENTITY_POLICY|RESOURCE_POLICY|SERVICE_CONTROL_POLICY]
                         check the policy document on stdin and print its findings
`

// maxPolicyInput bounds what the policy commands read from stdin.
const maxPolicyInput = 16 << 20

// runPolicy runs "atrium policy …"; args follow "policy".
func runPolicy(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, policyUsage)
		return 2
	}
	switch args[0] {
	case "eval":
		return runPolicyEval(args[1:], stdin, stdout, stderr)
	case "validate":
		return runPolicyValidate(args[1:], stdin, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, policyUsage)
		return 0
	}
	fmt.Fprintf(stderr, "atrium policy: unknown command %q\n%s", args[0], policyUsage)
	return 2
}

func readInput(stdin io.Reader) ([]byte, error) {
	if stdin == nil {
		return nil, errors.New("no input on stdin")
	}
	data, err := io.ReadAll(io.LimitReader(stdin, maxPolicyInput+1))
	if err != nil {
		return nil, fmt.Errorf("read stdin: %w", err)
	}
	if len(data) > maxPolicyInput {
		return nil, fmt.Errorf("input larger than %d bytes", maxPolicyInput)
	}
	return data, nil
}

// evalInput is the input of "atrium policy eval".
type evalInput struct {
	Policies struct {
		Identity []json.RawMessage `json:"identity"`
		Boundary json.RawMessage   `json:"boundary"`
		Session  json.RawMessage   `json:"session"`
		SCPs     []json.RawMessage `json:"scps"`
	} `json:"policies"`
	Request *struct {
		Action   string                     `json:"action"`
		Resource string                     `json:"resource"`
		Context  map[string]json.RawMessage `json:"context"`
	} `json:"request"`
}

type evalMatch struct {
	Policy    string `json:"policy"`
	Statement int    `json:"statement"`
	Sid       string `json:"sid"`
	Effect    string `json:"effect"`
}

type evalOutput struct {
	Decision string      `json:"decision"`
	Matched  []evalMatch `json:"matched"`
}

func runPolicyEval(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("atrium policy eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "atrium policy eval: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	set, req, err := readEval(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "atrium policy eval: %v\n", err)
		return 1
	}
	res := set.Evaluate(req)
	out := evalOutput{Decision: res.Decision.String(), Matched: []evalMatch{}}
	for _, m := range res.Matched {
		out.Matched = append(out.Matched, evalMatch{Policy: m.Policy, Statement: m.Statement, Sid: m.Sid, Effect: string(m.Effect)})
	}
	return writeJSON(stdout, stderr, "atrium policy eval", out)
}

func readEval(stdin io.Reader) (*policy.Set, *policy.Request, error) {
	data, err := readInput(stdin)
	if err != nil {
		return nil, nil, err
	}
	var in evalInput
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, nil, fmt.Errorf("input: %w", err)
	}
	if dec.More() {
		return nil, nil, errors.New("input: unexpected data after the JSON object")
	}
	if in.Request == nil {
		return nil, nil, errors.New(`input: missing "request"`)
	}
	if in.Request.Action == "" {
		return nil, nil, errors.New(`input: missing "request.action"`)
	}
	if in.Request.Resource == "" {
		return nil, nil, errors.New(`input: missing "request.resource" (use "*" for actions without resource-level permissions)`)
	}
	set := &policy.Set{}
	for i, raw := range in.Policies.Identity {
		p, err := compileDoc("identity["+strconv.Itoa(i)+"]", raw)
		if err != nil {
			return nil, nil, err
		}
		set.Identity = append(set.Identity, p)
	}
	if present(in.Policies.Boundary) {
		p, err := compileDoc("boundary", in.Policies.Boundary)
		if err != nil {
			return nil, nil, err
		}
		set.Boundary = p
	}
	if present(in.Policies.Session) {
		ps, err := compileList("session", in.Policies.Session, false)
		if err != nil {
			return nil, nil, err
		}
		set.Session = ps
	}
	for i, raw := range in.Policies.SCPs {
		ps, err := compileList("scps["+strconv.Itoa(i)+"]", raw, true)
		if err != nil {
			return nil, nil, err
		}
		set.SCPs = append(set.SCPs, ps)
	}
	c := policy.NewContext()
	for k, raw := range in.Request.Context {
		vals, err := contextValues(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("input: request.context[%q]: %w", k, err)
		}
		c.Set(k, vals...)
	}
	return set, &policy.Request{Action: in.Request.Action, Resource: in.Request.Resource, Context: c}, nil
}

func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(bytes.TrimSpace(raw)) != "null"
}

// compileList compiles one document or an array of documents. Entries of
// an array are named name[i]; a single document is named name, or name[0]
// when indexed is set.
func compileList(name string, raw json.RawMessage, indexed bool) ([]*policy.Policy, error) {
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
		var list []json.RawMessage
		if err := json.Unmarshal(t, &list); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		ps := []*policy.Policy{}
		for i, r := range list {
			p, err := compileDoc(name+"["+strconv.Itoa(i)+"]", r)
			if err != nil {
				return nil, err
			}
			ps = append(ps, p)
		}
		return ps, nil
	}
	if indexed {
		name += "[0]"
	}
	p, err := compileDoc(name, raw)
	if err != nil {
		return nil, err
	}
	return []*policy.Policy{p}, nil
}

// compileDoc compiles a policy given as a JSON object or as a JSON string
// holding one.
func compileDoc(name string, raw json.RawMessage) (*policy.Policy, error) {
	text := []byte(bytes.TrimSpace(raw))
	if len(text) > 0 && text[0] == '"' {
		var s string
		if err := json.Unmarshal(text, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		text = []byte(s)
	}
	doc, err := policy.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p, err := policy.Compile(name, doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

// contextValues reads a context value: a string, or an array of strings
// ([] is a present key with no value). Numbers and booleans are taken as
// their JSON text.
func contextValues(raw json.RawMessage) ([]string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	scalar := func(x any) (string, bool) {
		switch x := x.(type) {
		case string:
			return x, true
		case json.Number:
			return x.String(), true
		case bool:
			return strconv.FormatBool(x), true
		}
		return "", false
	}
	if list, ok := v.([]any); ok {
		out := make([]string, 0, len(list))
		for i, x := range list {
			s, ok := scalar(x)
			if !ok {
				return nil, fmt.Errorf("value [%d] is not a string", i)
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, ok := scalar(v)
	if !ok {
		return nil, errors.New("a context value is a string or an array of strings")
	}
	return []string{s}, nil
}

type validateFinding struct {
	FindingType string   `json:"findingType"`
	IssueCode   string   `json:"issueCode"`
	Message     string   `json:"message"`
	Locations   []string `json:"locations"`
}

type validateOutput struct {
	Findings []validateFinding `json:"findings"`
}

func runPolicyValidate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("atrium policy validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	typ := fs.String("policy-type", string(policy.IdentityPolicy), "IDENTITY_POLICY, RESOURCE_POLICY or SERVICE_CONTROL_POLICY")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "atrium policy validate: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	pt := policy.PolicyType(*typ)
	switch pt {
	case policy.IdentityPolicy, policy.ResourcePolicy, policy.ServiceControlPolicy:
	default:
		fmt.Fprintf(stderr, "atrium policy validate: --policy-type %q: want IDENTITY_POLICY, RESOURCE_POLICY or SERVICE_CONTROL_POLICY\n", *typ)
		return 2
	}
	data, err := readInput(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "atrium policy validate: %v\n", err)
		return 1
	}
	out := validateOutput{Findings: []validateFinding{}}
	errs := 0
	for _, f := range policy.Validate(data, pt) {
		vf := validateFinding{FindingType: string(f.Type), IssueCode: f.IssueCode, Message: f.Message, Locations: []string{}}
		for _, l := range f.Locations {
			vf.Locations = append(vf.Locations, l.String())
		}
		if f.Type == policy.FindingError {
			errs++
		}
		out.Findings = append(out.Findings, vf)
	}
	if rc := writeJSON(stdout, stderr, "atrium policy validate", out); rc != 0 {
		return rc
	}
	if errs > 0 {
		fmt.Fprintf(stderr, "atrium policy validate: %d error finding(s): the policy is not valid\n", errs)
		return 1
	}
	return 0
}

func writeJSON(stdout, stderr io.Writer, cmd string, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "%s: write output: %v\n", cmd, err)
		return 1
	}
	return 0
}
