package service_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/audit"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/reqctx"
	"github.com/atriumhq/atrium/internal/service"
)

// operatorMethods are reached only from the console of a node (bootstrap,
// the audit command) or before a caller is known (signature checks); every
// other method is an operation and must authorize its caller first.
var operatorMethods = map[string]bool{
	"Bootstrap": true, "LookupAccessKey": true, "RecordRejected": true, "VerifyAudit": true,
	"AuditEvents": true, "CreatePrincipal": true, "Region": true,
	"CreateSCIMToken": true, "ListSCIMTokens": true, "RevokeSCIMToken": true, "AuthenticateSCIM": true,
	"CheckAuthRate": true, "SeedAWSManagedPolicies": true, "ImportAWSManagedPolicies": true,
	"RolePolicies": true, "RolePoliciesIn": true, "EffectiveAccessOf": true,
}

// TestEveryOperationAuthorizes calls every operation of the service as a
// principal without policies: each must be denied before it looks at its
// input, and leave exactly one denial audit event.
func TestEveryOperationAuthorizes(t *testing.T) {
	s := atriumtest.Start(t)
	svc := s.App.Service
	creds := s.NewPrincipal(t, "nobody")
	key, err := svc.LookupAccessKey(t.Context(), creds.AccessKeyID)
	if err != nil {
		t.Fatal(err)
	}
	ctx := reqctx.WithCaller(t.Context(), key.Caller)
	ctx = reqctx.WithRequest(ctx, &reqctx.Request{ID: "authz-test"})

	v := reflect.ValueOf(svc)
	ctxType := reflect.TypeOf((*context.Context)(nil)).Elem()
	called := 0
	for i := range v.NumMethod() {
		m := v.Type().Method(i)
		if operatorMethods[m.Name] {
			continue
		}
		mt := m.Type
		if mt.NumIn() < 2 || mt.In(1) != ctxType {
			t.Errorf("%s does not take a context first; add it to operatorMethods only if it is not an operation", m.Name)
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			args := []reflect.Value{reflect.ValueOf(ctx)}
			for j := 2; j < mt.NumIn(); j++ {
				args = append(args, reflect.Zero(mt.In(j)))
			}
			before := allEvents(t, svc)
			out := v.Method(i).Call(args)
			err, _ := out[len(out)-1].Interface().(error)
			if errs.KindOf(err) != errs.Denied {
				t.Fatalf("%s as a principal without policies = %v, want denied", m.Name, err)
			}
			if !strings.Contains(errs.Public(err), "is not authorized to perform") {
				t.Errorf("%s denial message = %q", m.Name, errs.Public(err))
			}
			after := allEvents(t, svc)
			if len(after) != len(before)+1 {
				t.Fatalf("%s left %d audit events, want 1 denial", m.Name, len(after)-len(before))
			}
			if e := after[len(after)-1]; e.ErrorCode != "AccessDeniedException" || e.UserIdentity.UserName != "nobody" || e.EventName == "" {
				t.Errorf("%s audit event = %s %s by %s, want a named AccessDeniedException by nobody", m.Name, e.EventName, e.ErrorCode, e.UserIdentity.UserName)
			}
		})
		called++
	}
	if called < 21 {
		t.Errorf("only %d operations found; the service has at least 21", called)
	}
}

func allEvents(t *testing.T, svc *service.Service) []audit.Event {
	t.Helper()
	var out []audit.Event
	if err := svc.AuditEvents(context.Background(), service.AuditFilter{}, func(b json.RawMessage) error {
		var e audit.Event
		if err := json.Unmarshal(b, &e); err != nil {
			return err
		}
		out = append(out, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
