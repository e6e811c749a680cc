package policy

import (
	"reflect"
	"testing"
)

func TestEvaluate(t *testing.T) {
	allowS3 := `{"Version":"2012-10-17","Statement":[{"Sid":"S3","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	allowAll := `{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"*","Resource":"*"}]}`
	allowGet := `{"Version":"2012-10-17","Statement":[{"Sid":"Get","Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`
	denyDelete := `{"Version":"2012-10-17","Statement":[{"Sid":"NoDelete","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]}`
	allowEC2 := `{"Version":"2012-10-17","Statement":[{"Sid":"EC2","Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`

	type sets struct {
		identity []string
		boundary string
		session  []string
		scps     [][]string
	}
	tests := []struct {
		name     string
		ref      string
		policies sets
		action   string
		want     Decision
		matched  []Match
		deniedBy string
	}{
		{"no policy is implicit deny", docEvalLogic, sets{}, "s3:GetObject", ImplicitDeny, nil, "identity"},
		{"identity allows", docEvalLogic, sets{identity: []string{allowS3}}, "s3:GetObject", Allowed,
			[]Match{{"identity[0]", 0, "S3", Allow}}, ""},
		{"identity does not allow", docEvalLogic, sets{identity: []string{allowS3}}, "ec2:RunInstances", ImplicitDeny, nil, "identity"},
		{"identity policies are a union", docEvalLogic, sets{identity: []string{allowS3, allowEC2}}, "ec2:RunInstances", Allowed,
			[]Match{{"identity[1]", 0, "EC2", Allow}}, ""},
		{"explicit deny wins over allow", docEvalLogic, sets{identity: []string{allowAll, denyDelete}}, "s3:DeleteObject", ExplicitDeny,
			[]Match{{"identity[1]", 0, "NoDelete", Deny}}, ""},
		{"deny in boundary wins", docBoundaries, sets{identity: []string{allowAll}, boundary: denyDelete}, "s3:DeleteObject", ExplicitDeny,
			[]Match{{"boundary", 0, "NoDelete", Deny}}, ""},
		{"boundary limits", docBoundaries, sets{identity: []string{allowAll}, boundary: allowS3}, "ec2:RunInstances", ImplicitDeny, nil, "boundary"},
		{"boundary never grants", docBoundaries, sets{identity: []string{allowEC2}, boundary: allowAll}, "s3:GetObject", ImplicitDeny, nil, "identity"},
		{"identity and boundary allow", docBoundaries, sets{identity: []string{allowS3}, boundary: allowAll}, "s3:GetObject", Allowed,
			[]Match{{"identity[0]", 0, "S3", Allow}, {"boundary", 0, "All", Allow}}, ""},
		{"session limits", docSession, sets{identity: []string{allowAll}, session: []string{allowGet}}, "s3:PutObject", ImplicitDeny, nil, "session"},
		{"session never grants", docSession, sets{identity: []string{allowEC2}, session: []string{allowAll}}, "s3:GetObject", ImplicitDeny, nil, "identity"},
		{"session policies are a union", docSession, sets{identity: []string{allowAll}, session: []string{allowGet, allowEC2}}, "ec2:RunInstances", Allowed,
			[]Match{{"identity[0]", 0, "All", Allow}, {"session[1]", 0, "EC2", Allow}}, ""},
		{"deny in session wins", docSession, sets{identity: []string{allowAll}, session: []string{denyDelete}}, "s3:DeleteObject", ExplicitDeny,
			[]Match{{"session[0]", 0, "NoDelete", Deny}}, ""},
		{"every SCP level must allow", docSCPEval, sets{identity: []string{allowAll}, scps: [][]string{{allowAll}, {allowS3}, {allowAll}}}, "ec2:RunInstances", ImplicitDeny, nil, "scps[1]"},
		{"SCP levels all allow", docSCPEval, sets{identity: []string{allowS3}, scps: [][]string{{allowAll}, {allowS3}}}, "s3:GetObject", Allowed,
			[]Match{{"scps[0][0]", 0, "All", Allow}, {"scps[1][0]", 0, "S3", Allow}, {"identity[0]", 0, "S3", Allow}}, ""},
		{"SCPs at one level are OR-ed", docSCPEval, sets{identity: []string{allowAll}, scps: [][]string{{allowS3, allowEC2}}}, "ec2:RunInstances", Allowed,
			[]Match{{"scps[0][1]", 0, "EC2", Allow}, {"identity[0]", 0, "All", Allow}}, ""},
		{"SCPs never grant", docSCPEval, sets{scps: [][]string{{allowAll}}}, "s3:GetObject", ImplicitDeny, nil, "identity"},
		{"deny in an SCP wins", docSCPEval, sets{identity: []string{allowAll}, scps: [][]string{{allowAll, denyDelete}}}, "s3:DeleteObject", ExplicitDeny,
			[]Match{{"scps[0][1]", 0, "NoDelete", Deny}}, ""},
		{"empty SCP level allows nothing", docSCPEval, sets{identity: []string{allowAll}, scps: [][]string{{allowAll}, {}}}, "s3:GetObject", ImplicitDeny, nil, "scps[1]"},
		{"all denies are reported", docEvalLogic, sets{identity: []string{denyDelete, denyDelete}}, "s3:DeleteBucket", ExplicitDeny,
			[]Match{{"identity[0]", 0, "NoDelete", Deny}, {"identity[1]", 0, "NoDelete", Deny}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := &Set{}
			for i, d := range tt.policies.identity {
				set.Identity = append(set.Identity, mustPolicy(t, "identity["+itoa(i)+"]", d))
			}
			if tt.policies.boundary != "" {
				set.Boundary = mustPolicy(t, "boundary", tt.policies.boundary)
			}
			for i, d := range tt.policies.session {
				set.Session = append(set.Session, mustPolicy(t, "session["+itoa(i)+"]", d))
			}
			for i, level := range tt.policies.scps {
				var ps []*Policy
				for j, d := range level {
					ps = append(ps, mustPolicy(t, "scps["+itoa(i)+"]["+itoa(j)+"]", d))
				}
				if ps == nil {
					ps = []*Policy{}
				}
				set.SCPs = append(set.SCPs, ps)
			}
			req := &Request{Action: tt.action, Resource: "arn:aws:s3:::bucket/key"}
			if got := set.Decide(req); got != tt.want {
				t.Errorf("Decide(%s) = %v, want %v (%s)", tt.action, got, tt.want, tt.ref)
			}
			res := set.Evaluate(req)
			if res.Decision != tt.want || !reflect.DeepEqual(res.Matched, tt.matched) || res.DeniedBy != tt.deniedBy {
				t.Errorf("Evaluate(%s) = %v %+v %q, want %v %+v %q (%s)", tt.action, res.Decision, res.Matched, res.DeniedBy, tt.want, tt.matched, tt.deniedBy, tt.ref)
			}
		})
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

func TestEvaluateMissingContextValues(t *testing.T) {
	p := mustPolicy(t, "p", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Bool":{"aws:SecureTransport":"true"}}},
		{"Effect":"Deny","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"ec2:Region":"x"}}}]}`)
	set := &Set{Identity: []*Policy{p}}
	tests := []struct {
		name    string
		ctx     kv
		want    Decision
		missing []string
	}{
		{"all absent", nil, ImplicitDeny, []string{"aws:SecureTransport", "aws:SourceIp", "aws:username"}},
		{"some present", kv{"aws:SourceIp": {"10.1.1.1"}, "aws:username": {"bob"}}, ImplicitDeny, []string{"aws:SecureTransport"}},
		{"all present", kv{"aws:SourceIp": {"10.1.1.1"}, "aws:username": {"bob"}, "aws:SecureTransport": {"true"}}, Allowed, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := set.Evaluate(&Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/bob/k", Context: tt.ctx.context()})
			if res.Decision != tt.want || !reflect.DeepEqual(res.Missing, tt.missing) {
				t.Errorf("Evaluate(%v) = %v missing %v, want %v missing %v (%s)", tt.ctx, res.Decision, res.Missing, tt.want, tt.missing, "https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html")
			}
		})
	}
}

func TestDecisionStrings(t *testing.T) {
	tests := []struct {
		name string
		d    Decision
		str  string
		eval string
	}{
		{"allow", Allowed, "allow", "allowed"},
		{"explicit", ExplicitDeny, "explicitDeny", "explicitDeny"},
		{"implicit", ImplicitDeny, "implicitDeny", "implicitDeny"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.d.String(); got != tt.str {
				t.Errorf("String() = %q, want %q", got, tt.str)
			}
			if got := tt.d.EvalDecision(); got != tt.eval {
				t.Errorf("EvalDecision() = %q, want %q (https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html)", got, tt.eval)
			}
		})
	}
}

func TestContext(t *testing.T) {
	c := NewContext().Set("aws:PrincipalTag/Team", "blue").Set("aws:TagKeys")
	if v, ok := c.Get("AWS:principaltag/team"); !ok || !reflect.DeepEqual(v, []string{"blue"}) {
		t.Errorf("Get(AWS:principaltag/team) = %v, %v, want [blue], true", v, ok)
	}
	if v, ok := c.Get("aws:tagkeys"); !ok || len(v) != 0 {
		t.Errorf("Get(aws:tagkeys) = %v, %v, want [], true", v, ok)
	}
	c.Delete("aws:TAGKEYS")
	if _, ok := c.Get("aws:TagKeys"); ok {
		t.Errorf("Get(aws:TagKeys) after Delete: present, want absent")
	}
	if got := c.Keys(); !reflect.DeepEqual(got, []string{"aws:PrincipalTag/Team"}) {
		t.Errorf("Keys() = %v, want [aws:PrincipalTag/Team]", got)
	}
	var nilCtx *Context
	if _, ok := nilCtx.Get("x"); ok {
		t.Errorf("(*Context)(nil).Get(x) present, want absent")
	}
}
