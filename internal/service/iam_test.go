package service_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/reqctx"
	"github.com/atriumhq/atrium/internal/service"
)

// callerCtx is a request context signed by the principal of an access key.
func callerCtx(t *testing.T, svc *service.Service, accessKeyID string) context.Context {
	t.Helper()
	key, err := svc.LookupAccessKey(t.Context(), accessKeyID)
	if err != nil {
		t.Fatal(err)
	}
	ctx := reqctx.WithCaller(t.Context(), key.Caller)
	return reqctx.WithRequest(ctx, &reqctx.Request{ID: "iam-test"})
}

// TestPolicyOperationsAudit checks that each policy operation, whether it
// succeeds or fails, leaves one audit event of its service.
func TestPolicyOperationsAudit(t *testing.T) {
	s := atriumtest.Start(t)
	svc := s.App.Service
	admin := callerCtx(t, svc, s.Credentials.AccessKeyID)
	denied := s.NewPrincipal(t, "denied", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)
	const allow = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	tests := []struct {
		name       string
		ctx        context.Context
		call       func(ctx context.Context) error
		wantKind   errs.Kind // Internal when the call succeeds
		wantSource string
		wantCode   string
	}{
		{"simulate", admin, func(ctx context.Context) error {
			_, err := svc.SimulateCustomPolicy(ctx, service.Simulation{Policies: []string{allow}, Actions: []string{"s3:GetObject"}})
			return err
		}, errs.Internal, "iam.amazonaws.com", ""},
		{"simulate a malformed policy", admin, func(ctx context.Context) error {
			_, err := svc.SimulateCustomPolicy(ctx, service.Simulation{Policies: []string{`{"Statement":[]}`}, Actions: []string{"s3:GetObject"}})
			return err
		}, errs.Invalid, "iam.amazonaws.com", "MalformedPolicyDocumentException"},
		{"simulate an unknown principal", admin, func(ctx context.Context) error {
			_, err := svc.SimulatePrincipalPolicy(ctx, service.Simulation{PolicySourceARN: "arn:aws:iam::" + s.App.Bootstrap.Organization.ManagementAccountID + ":user/ghost", Actions: []string{"s3:GetObject"}})
			return err
		}, errs.NotFound, "iam.amazonaws.com", "NoSuchEntityException"},
		{"context keys", admin, func(ctx context.Context) error {
			_, err := svc.GetContextKeysForCustomPolicy(ctx, []string{allow})
			return err
		}, errs.Internal, "iam.amazonaws.com", ""},
		{"validate", admin, func(ctx context.Context) error {
			_, _, err := svc.ValidatePolicy(ctx, service.PolicyValidation{Document: allow, Type: "IDENTITY_POLICY"})
			return err
		}, errs.Internal, "access-analyzer.amazonaws.com", ""},
		{"validate an unknown type", admin, func(ctx context.Context) error {
			_, _, err := svc.ValidatePolicy(ctx, service.PolicyValidation{Document: allow, Type: "OTHER"})
			return err
		}, errs.Invalid, "access-analyzer.amazonaws.com", "ValidationException"},
		{"caller identity despite a Deny", callerCtx(t, svc, denied.AccessKeyID), func(ctx context.Context) error {
			id, err := service.GetCallerIdentity(ctx, svc)
			if err == nil && id.ARN != "arn:aws:iam::"+s.App.Bootstrap.Organization.ManagementAccountID+":user/denied" {
				t.Errorf("GetCallerIdentity = %+v", id)
			}
			return err
		}, errs.Internal, "sts.amazonaws.com", ""},
		{"caller identity unsigned", reqctx.WithRequest(t.Context(), &reqctx.Request{ID: "iam-test"}), func(ctx context.Context) error {
			_, err := service.GetCallerIdentity(ctx, svc)
			return err
		}, errs.Unauthenticated, "sts.amazonaws.com", "UnrecognizedClientException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := allEvents(t, svc)
			err := tt.call(tt.ctx)
			if tt.wantKind == errs.Internal {
				if err != nil {
					t.Fatalf("%s = %v, want success", tt.name, err)
				}
			} else if errs.KindOf(err) != tt.wantKind {
				t.Fatalf("%s = %v, want kind %s", tt.name, err, tt.wantKind)
			}
			after := allEvents(t, svc)
			if len(after) != len(before)+1 {
				t.Fatalf("%s left %d audit events, want 1", tt.name, len(after)-len(before))
			}
			e := after[len(after)-1]
			if e.EventSource != tt.wantSource || e.ErrorCode != tt.wantCode || !e.ReadOnly || e.RequestID != "iam-test" {
				t.Errorf("%s audit event = %s %s error %q readOnly %v request %q, want %s error %q, read-only", tt.name, e.EventSource, e.EventName, e.ErrorCode, e.ReadOnly, e.RequestID, tt.wantSource, tt.wantCode)
			}
		})
	}
}

func TestGetContextKeysForCustomPolicy(t *testing.T) {
	s := atriumtest.Start(t)
	svc := s.App.Service
	ctx := callerCtx(t, svc, s.Credentials.AccessKeyID)
	tests := []struct {
		name     string
		policies []string
		want     []string
	}{
		{"none", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`}, nil},
		{"conditions and variables, once each", []string{
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::b/${aws:username}/*","arn:aws:s3:::b/${ aws:PrincipalTag/team , 'none'}"],
			  "Condition":{"StringLike":{"s3:prefix":"${aws:USERNAME}/*"},"Bool":{"aws:SecureTransport":"true"}}}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:securetransport":"false"}}}]}`,
		}, []string{"aws:PrincipalTag/team", "aws:SecureTransport", "aws:username", "s3:prefix"}},
		{"variables are literal text before 2012-10-17", []string{`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}}`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := svc.GetContextKeysForCustomPolicy(ctx, tt.policies)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("GetContextKeysForCustomPolicy = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSimulationContextTypes(t *testing.T) {
	s := atriumtest.Start(t)
	svc := s.App.Service
	ctx := callerCtx(t, svc, s.Credentials.AccessKeyID)
	const ipPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"},"NumericLessThan":{"s3:max-keys":"10"}}}]}`
	tests := []struct {
		name    string
		entries []service.ContextEntry
		want    string // decision, or "invalid"
	}{
		{"matching", []service.ContextEntry{{Name: "aws:SourceIp", Values: []string{"203.0.113.7"}, Type: "ip"}, {Name: "s3:max-keys", Values: []string{"5"}, Type: "numeric"}}, "allowed"},
		{"not matching", []service.ContextEntry{{Name: "aws:SourceIp", Values: []string{"198.51.100.1"}, Type: "ip"}, {Name: "s3:max-keys", Values: []string{"5"}, Type: "numeric"}}, "implicitDeny"},
		{"list type", []service.ContextEntry{{Name: "aws:SourceIp", Values: []string{"203.0.113.7", "198.51.100.1"}, Type: "ipList"}, {Name: "s3:max-keys", Values: []string{"5"}, Type: "numeric"}}, "allowed"},
		{"two values for a single type", []service.ContextEntry{{Name: "aws:SourceIp", Values: []string{"203.0.113.7", "198.51.100.1"}, Type: "ip"}}, "invalid"},
		{"not a number", []service.ContextEntry{{Name: "s3:max-keys", Values: []string{"ten"}, Type: "numeric"}}, "invalid"},
		{"not a date", []service.ContextEntry{{Name: "aws:CurrentTime", Values: []string{"yesterday"}, Type: "date"}}, "invalid"},
		{"not a boolean", []service.ContextEntry{{Name: "aws:SecureTransport", Values: []string{"yes"}, Type: "boolean"}}, "invalid"},
		{"not base64", []service.ContextEntry{{Name: "aws:Something", Values: []string{"***"}, Type: "binary"}}, "invalid"},
		{"unknown type", []service.ContextEntry{{Name: "aws:SourceIp", Values: []string{"203.0.113.7"}, Type: "cidr"}}, "invalid"},
		{"name too short", []service.ContextEntry{{Name: "a:b", Values: []string{"x"}}}, "invalid"},
		{"given twice", []service.ContextEntry{{Name: "aws:SourceIp", Values: []string{"203.0.113.7"}, Type: "ip"}, {Name: "AWS:SOURCEIP", Values: []string{"203.0.113.8"}, Type: "ip"}}, "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := svc.SimulateCustomPolicy(ctx, service.Simulation{Policies: []string{ipPolicy}, Actions: []string{"s3:GetObject"}, Context: tt.entries})
			if tt.want == "invalid" {
				if errs.KindOf(err) != errs.Invalid {
					t.Fatalf("SimulateCustomPolicy(%+v) = %v, want invalid input", tt.entries, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := out.Results[0].Decision; got != tt.want {
				t.Errorf("SimulateCustomPolicy(%+v) = %s, want %s", tt.entries, got, tt.want)
			}
		})
	}
}
