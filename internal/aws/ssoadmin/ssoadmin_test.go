package ssoadmin_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/smithy-go"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/service"
	"github.com/atriumhq/atrium/internal/store"
)

// wantCode fails unless err is an AWS API error with code.
func wantCode(t *testing.T, err error, code string) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	return ae
}

func mustCreatePermissionSet(t *testing.T, s *atriumtest.Server, name string) string {
	t.Helper()
	out, err := s.SSOAdmin().CreatePermissionSet(t.Context(), &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(s.InstanceARN), Name: aws.String(name)})
	if err != nil {
		t.Fatalf("CreatePermissionSet(%s): %v", name, err)
	}
	return aws.ToString(out.PermissionSet.PermissionSetArn)
}

var psARNRe = regexp.MustCompile(`^arn:aws:sso:::permissionSet/ssoins-[0-9a-f]{16}/ps-[0-9a-f]{16}$`)

func TestPermissionSets(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		ctx := t.Context()
		c := s.SSOAdmin()
		inst := aws.String(s.InstanceARN)

		out, err := c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: inst, Name: aws.String("Admin"),
			Description: aws.String("Full access"), RelayState: aws.String("https://console.aws.amazon.com/ec2/"),
			Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}}})
		if err != nil {
			t.Fatalf("CreatePermissionSet: %v", err)
		}
		ps := out.PermissionSet
		psARN := aws.ToString(ps.PermissionSetArn)
		if !psARNRe.MatchString(psARN) || !strings.Contains(psARN, strings.TrimPrefix(s.InstanceARN, "arn:aws:sso:::instance/")+"/") {
			t.Errorf("PermissionSetArn = %s, want arn:aws:sso:::permissionSet/<instance>/ps-<16 hex>", psARN)
		}
		if aws.ToString(ps.SessionDuration) != "PT1H" || aws.ToString(ps.Name) != "Admin" || ps.CreatedDate == nil {
			t.Errorf("CreatePermissionSet = %+v, want Admin with the default session duration PT1H", ps)
		}

		// Names are unique per instance.
		_, err = c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: inst, Name: aws.String("Admin")})
		wantCode(t, err, "ConflictException")

		for _, tc := range []struct {
			name, duration, code string
		}{
			{"hours", "PT8H", ""},
			{"minutes", "PT90M", ""},
			{"hours and minutes", "PT1H30M", ""},
			{"maximum", "PT12H", ""},
			{"days and hours", "P0DT2H", ""},
			{"below the minimum", "PT30M", "ValidationException"},
			{"above the maximum", "PT12H1M", "ValidationException"},
			{"a day", "P1D", "ValidationException"},
			{"months", "P1M", "ValidationException"},
			{"not a duration", "8 hours", "ValidationException"},
		} {
			t.Run("duration "+tc.name, func(t *testing.T) {
				name := "d" + strings.ReplaceAll(tc.name, " ", "")
				out, err := c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: inst, Name: aws.String(name), SessionDuration: aws.String(tc.duration)})
				if tc.code != "" {
					wantCode(t, err, tc.code)
					return
				}
				if err != nil {
					t.Fatalf("CreatePermissionSet(SessionDuration %s): %v", tc.duration, err)
				}
				if got := aws.ToString(out.PermissionSet.SessionDuration); got != tc.duration {
					t.Errorf("SessionDuration = %s, want %s", got, tc.duration)
				}
			})
		}
		for _, tc := range []struct {
			name string
			in   ssoadmin.CreatePermissionSetInput
		}{
			{"name too long", ssoadmin.CreatePermissionSetInput{Name: aws.String(strings.Repeat("a", 33))}},
			{"name with a space", ssoadmin.CreatePermissionSetInput{Name: aws.String("a b")}},
			{"empty name", ssoadmin.CreatePermissionSetInput{Name: aws.String("")}},
			{"description too long", ssoadmin.CreatePermissionSetInput{Name: aws.String("x"), Description: aws.String(strings.Repeat("d", 701))}},
			{"relay state too long", ssoadmin.CreatePermissionSetInput{Name: aws.String("x"), RelayState: aws.String(strings.Repeat("r", 241))}},
			{"reserved tag key", ssoadmin.CreatePermissionSetInput{Name: aws.String("x"), Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := tc.in
				in.InstanceArn = inst
				_, err := c.CreatePermissionSet(ctx, &in)
				wantCode(t, err, "ValidationException")
			})
		}
		_, err = c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String("arn:aws:sso:::instance/ssoins-0000000000000000"), Name: aws.String("x")})
		wantCode(t, err, "ResourceNotFoundException")

		d, err := c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(psARN)})
		if err != nil {
			t.Fatalf("DescribePermissionSet: %v", err)
		}
		if aws.ToString(d.PermissionSet.Description) != "Full access" || aws.ToString(d.PermissionSet.RelayState) != "https://console.aws.amazon.com/ec2/" {
			t.Errorf("DescribePermissionSet = %+v", d.PermissionSet)
		}
		missing := psARN[:len(psARN)-16] + "0000000000000000"
		_, err = c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(missing)})
		wantCode(t, err, "ResourceNotFoundException")
		_, err = c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String("arn:aws:sso:::permissionSet/nope")})
		wantCode(t, err, "ValidationException")

		_, err = c.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(psARN),
			Description: aws.String("Changed"), SessionDuration: aws.String("PT4H")})
		if err != nil {
			t.Fatalf("UpdatePermissionSet: %v", err)
		}
		d, _ = c.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(psARN)})
		if aws.ToString(d.PermissionSet.Description) != "Changed" || aws.ToString(d.PermissionSet.SessionDuration) != "PT4H" ||
			aws.ToString(d.PermissionSet.RelayState) != "https://console.aws.amazon.com/ec2/" {
			t.Errorf("after UpdatePermissionSet = %+v, want the new description and duration, the relay state kept", d.PermissionSet)
		}
		_, err = c.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(psARN), SessionDuration: aws.String("PT13H")})
		wantCode(t, err, "ValidationException")
		_, err = c.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(missing), Description: aws.String("x")})
		wantCode(t, err, "ResourceNotFoundException")

		// Listing pages through every permission set exactly once.
		var all []string
		p := ssoadmin.NewListPermissionSetsPaginator(c, &ssoadmin.ListPermissionSetsInput{InstanceArn: inst, MaxResults: aws.Int32(2)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListPermissionSets: %v", err)
			}
			if len(page.PermissionSets) > 2 {
				t.Errorf("ListPermissionSets page of %d, want at most 2", len(page.PermissionSets))
			}
			all = append(all, page.PermissionSets...)
		}
		if len(all) != 6 || !slices.Contains(all, psARN) {
			t.Errorf("ListPermissionSets = %d sets %q, want 6 with %s", len(all), all, psARN)
		}
		_, err = c.ListPermissionSets(ctx, &ssoadmin.ListPermissionSetsInput{InstanceArn: inst, MaxResults: aws.Int32(101)})
		wantCode(t, err, "ValidationException")

		_, err = c.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(psARN)})
		if err != nil {
			t.Fatalf("DeletePermissionSet: %v", err)
		}
		_, err = c.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(psARN)})
		wantCode(t, err, "ResourceNotFoundException")
		// The name is free again.
		mustCreatePermissionSet(t, s, "Admin")
	})
}

func TestInlinePolicy(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		ctx := t.Context()
		c := s.SSOAdmin()
		inst := aws.String(s.InstanceARN)
		ps := aws.String(mustCreatePermissionSet(t, s, "Dev"))

		g, err := c.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps})
		if err != nil || aws.ToString(g.InlinePolicy) != "" {
			t.Fatalf("GetInlinePolicyForPermissionSet of a new set = %v, %v, want none", g, err)
		}
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`
		if _, err := c.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, InlinePolicy: aws.String(doc)}); err != nil {
			t.Fatalf("PutInlinePolicyToPermissionSet: %v", err)
		}
		g, err = c.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps})
		if err != nil || aws.ToString(g.InlinePolicy) != doc {
			t.Fatalf("GetInlinePolicyForPermissionSet = %v, %v, want %s", aws.ToString(g.InlinePolicy), err, doc)
		}
		for _, tc := range []struct{ name, doc, mention string }{
			{"malformed JSON", `{"Version":"2012-10-17","Statement":[`, "JSON"},
			{"bad effect", `{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}`, "Effect"},
			{"too long", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Sid":"` + strings.Repeat("a", 10240) + `"}]}`, "10240"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := c.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, InlinePolicy: aws.String(tc.doc)})
				ae := wantCode(t, err, "ValidationException")
				if !strings.Contains(strings.ToLower(ae.ErrorMessage()), strings.ToLower(tc.mention)) {
					t.Errorf("message %q does not name the problem (%s)", ae.ErrorMessage(), tc.mention)
				}
			})
		}
		if _, err := c.DeleteInlinePolicyFromPermissionSet(ctx, &ssoadmin.DeleteInlinePolicyFromPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps}); err != nil {
			t.Fatalf("DeleteInlinePolicyFromPermissionSet: %v", err)
		}
		g, err = c.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps})
		if err != nil || aws.ToString(g.InlinePolicy) != "" {
			t.Fatalf("GetInlinePolicyForPermissionSet after delete = %v, %v, want none", aws.ToString(g.InlinePolicy), err)
		}
		missing := aws.String(aws.ToString(ps)[:len(aws.ToString(ps))-16] + "0000000000000000")
		_, err = c.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: missing, InlinePolicy: aws.String(doc)})
		wantCode(t, err, "ResourceNotFoundException")
	})
}

func TestManagedPolicies(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		ctx := t.Context()
		c := s.SSOAdmin()
		inst := aws.String(s.InstanceARN)
		ps := aws.String(mustCreatePermissionSet(t, s, "Ops"))

		attach := func(a string) error {
			_, err := c.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, ManagedPolicyArn: aws.String(a)})
			return err
		}
		ref := func(name, path string) error {
			r := &types.CustomerManagedPolicyReference{Name: aws.String(name)}
			if path != "" {
				r.Path = aws.String(path)
			}
			_, err := c.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, CustomerManagedPolicyReference: r})
			return err
		}
		if err := attach("arn:aws:iam::aws:policy/ReadOnlyAccess"); err != nil {
			t.Fatalf("AttachManagedPolicyToPermissionSet: %v", err)
		}
		if err := attach("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"); err != nil {
			t.Fatalf("AttachManagedPolicyToPermissionSet with a path: %v", err)
		}
		wantCode(t, attach("arn:aws:iam::aws:policy/ReadOnlyAccess"), "ConflictException")
		wantCode(t, attach("arn:aws:iam::123456789012:policy/Mine"), "ValidationException")
		wantCode(t, attach("ReadOnlyAccess"), "ValidationException")
		// A policy the catalog does not hold is refused as AWS refuses one
		// that does not exist; so is a known name at the wrong path.
		for _, a := range []string{"arn:aws:iam::aws:policy/DoesNotExist", "arn:aws:iam::aws:policy/ViewOnlyAccess"} {
			if ae := wantCode(t, attach(a), "ResourceNotFoundException"); ae.ErrorMessage() != "Policy does not exist with ARN: "+a {
				t.Errorf("attaching %s: message %q", a, ae.ErrorMessage())
			}
		}

		l, err := c.ListManagedPoliciesInPermissionSet(ctx, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps})
		if err != nil {
			t.Fatalf("ListManagedPoliciesInPermissionSet: %v", err)
		}
		var names []string
		for _, p := range l.AttachedManagedPolicies {
			names = append(names, aws.ToString(p.Name)+"="+aws.ToString(p.Arn))
		}
		want := []string{"ReadOnlyAccess=arn:aws:iam::aws:policy/ReadOnlyAccess", "ViewOnlyAccess=arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"}
		if !slices.Equal(names, want) {
			t.Errorf("ListManagedPoliciesInPermissionSet = %q, want %q", names, want)
		}

		if err := ref("MyPolicy", ""); err != nil {
			t.Fatalf("AttachCustomerManagedPolicyReferenceToPermissionSet: %v", err)
		}
		if err := ref("MyPolicy", "/team/"); err != nil {
			t.Fatalf("AttachCustomerManagedPolicyReferenceToPermissionSet with another path: %v", err)
		}
		wantCode(t, ref("MyPolicy", "/"), "ConflictException") // "/" is the default path
		wantCode(t, ref("My Policy", ""), "ValidationException")
		wantCode(t, ref("MyPolicy", "team"), "ValidationException")
		r, err := c.ListCustomerManagedPolicyReferencesInPermissionSet(ctx, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, MaxResults: aws.Int32(1)})
		if err != nil {
			t.Fatalf("ListCustomerManagedPolicyReferencesInPermissionSet: %v", err)
		}
		if len(r.CustomerManagedPolicyReferences) != 1 || aws.ToString(r.CustomerManagedPolicyReferences[0].Path) != "/" || r.NextToken == nil {
			t.Errorf("first page = %+v, next %v, want MyPolicy at / and a next page", r.CustomerManagedPolicyReferences, r.NextToken)
		}
		r, err = c.ListCustomerManagedPolicyReferencesInPermissionSet(ctx, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, NextToken: r.NextToken})
		if err != nil || len(r.CustomerManagedPolicyReferences) != 1 || aws.ToString(r.CustomerManagedPolicyReferences[0].Path) != "/team/" || r.NextToken != nil {
			t.Errorf("second page = %+v, %v, want MyPolicy at /team/ and no more", r, err)
		}

		// 20 policies at most, both kinds together.
		var extra []service.ImportedPolicy
		for _, name := range []string{"P0", "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P10", "P11", "P12", "P13", "P14", "P15", "OneTooMany"} {
			extra = append(extra, service.ImportedPolicy{Name: name, Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`})
		}
		if _, err := s.App.Service.ImportAWSManagedPolicies(ctx, extra); err != nil {
			t.Fatalf("ImportAWSManagedPolicies: %v", err)
		}
		for i := 0; i < 16; i++ {
			if err := attach(fmt.Sprintf("arn:aws:iam::aws:policy/P%d", i)); err != nil {
				t.Fatalf("attaching policy %d: %v", i+5, err)
			}
		}
		wantCode(t, attach("arn:aws:iam::aws:policy/OneTooMany"), "ServiceQuotaExceededException")
		wantCode(t, ref("OneTooMany", ""), "ServiceQuotaExceededException")

		_, err = c.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
		if err != nil {
			t.Fatalf("DetachManagedPolicyFromPermissionSet: %v", err)
		}
		_, err = c.DetachManagedPolicyFromPermissionSet(ctx, &ssoadmin.DetachManagedPolicyFromPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
		wantCode(t, err, "ResourceNotFoundException")
		_, err = c.DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx, &ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps,
			CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("MyPolicy")}})
		if err != nil {
			t.Fatalf("DetachCustomerManagedPolicyReferenceFromPermissionSet: %v", err)
		}
		_, err = c.DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx, &ssoadmin.DetachCustomerManagedPolicyReferenceFromPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps,
			CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("MyPolicy")}})
		wantCode(t, err, "ResourceNotFoundException")
		if err := ref("Another", ""); err != nil {
			t.Errorf("attaching after a detach made room: %v", err)
		}
	})
}

func TestPermissionsBoundary(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		ctx := t.Context()
		c := s.SSOAdmin()
		inst := aws.String(s.InstanceARN)
		ps := aws.String(mustCreatePermissionSet(t, s, "Bounded"))
		get := func() (*types.PermissionsBoundary, error) {
			out, err := c.GetPermissionsBoundaryForPermissionSet(ctx, &ssoadmin.GetPermissionsBoundaryForPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps})
			if err != nil {
				return nil, err
			}
			return out.PermissionsBoundary, nil
		}
		put := func(b *types.PermissionsBoundary) error {
			_, err := c.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps, PermissionsBoundary: b})
			return err
		}
		_, err := get()
		wantCode(t, err, "ResourceNotFoundException")
		if err := put(&types.PermissionsBoundary{ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")}); err != nil {
			t.Fatalf("PutPermissionsBoundaryToPermissionSet: %v", err)
		}
		b, err := get()
		if err != nil || aws.ToString(b.ManagedPolicyArn) != "arn:aws:iam::aws:policy/PowerUserAccess" || b.CustomerManagedPolicyReference != nil {
			t.Fatalf("GetPermissionsBoundaryForPermissionSet = %+v, %v", b, err)
		}
		if err := put(&types.PermissionsBoundary{CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("Boundary")}}); err != nil {
			t.Fatalf("PutPermissionsBoundaryToPermissionSet (customer managed): %v", err)
		}
		b, err = get()
		if err != nil || b.ManagedPolicyArn != nil || aws.ToString(b.CustomerManagedPolicyReference.Name) != "Boundary" || aws.ToString(b.CustomerManagedPolicyReference.Path) != "/" {
			t.Fatalf("GetPermissionsBoundaryForPermissionSet = %+v, %v, want the reference Boundary at /", b, err)
		}
		wantCode(t, put(&types.PermissionsBoundary{ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/NoSuchPolicy")}), "ResourceNotFoundException")
		wantCode(t, put(&types.PermissionsBoundary{ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/X"),
			CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("Y")}}), "ValidationException")
		wantCode(t, put(&types.PermissionsBoundary{}), "ValidationException")
		if _, err := c.DeletePermissionsBoundaryFromPermissionSet(ctx, &ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps}); err != nil {
			t.Fatalf("DeletePermissionsBoundaryFromPermissionSet: %v", err)
		}
		_, err = c.DeletePermissionsBoundaryFromPermissionSet(ctx, &ssoadmin.DeletePermissionsBoundaryFromPermissionSetInput{InstanceArn: inst, PermissionSetArn: ps})
		wantCode(t, err, "ResourceNotFoundException")
		_, err = get()
		wantCode(t, err, "ResourceNotFoundException")
	})
}

func TestTagsAndInstance(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		ctx := t.Context()
		c := s.SSOAdmin()
		inst := aws.String(s.InstanceARN)
		ps := mustCreatePermissionSet(t, s, "Tagged")

		for _, res := range []string{ps, s.InstanceARN} {
			_, err := c.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: inst, ResourceArn: aws.String(res),
				Tags: []types.Tag{{Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("a"), Value: aws.String("1")}}})
			if err != nil {
				t.Fatalf("TagResource(%s): %v", res, err)
			}
			_, err = c.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: inst, ResourceArn: aws.String(res), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("one")}}})
			if err != nil {
				t.Fatalf("TagResource(%s) replacing a value: %v", res, err)
			}
			l, err := c.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{InstanceArn: inst, ResourceArn: aws.String(res)})
			if err != nil {
				t.Fatalf("ListTagsForResource(%s): %v", res, err)
			}
			var got []string
			for _, tg := range l.Tags {
				got = append(got, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
			}
			if want := []string{"a=one", "b=2"}; !slices.Equal(got, want) {
				t.Errorf("ListTagsForResource(%s) = %q, want %q", res, got, want)
			}
			if _, err := c.UntagResource(ctx, &ssoadmin.UntagResourceInput{InstanceArn: inst, ResourceArn: aws.String(res), TagKeys: []string{"a", "absent"}}); err != nil {
				t.Fatalf("UntagResource(%s): %v", res, err)
			}
			l, _ = c.ListTagsForResource(ctx, &ssoadmin.ListTagsForResourceInput{InstanceArn: inst, ResourceArn: aws.String(res)})
			if len(l.Tags) != 1 || aws.ToString(l.Tags[0].Key) != "b" {
				t.Errorf("ListTagsForResource(%s) after untag = %+v, want b", res, l.Tags)
			}
		}
		many := make([]types.Tag, 50)
		for i := range many {
			many[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")}
		}
		_, err := c.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: inst, ResourceArn: aws.String(ps), Tags: many})
		wantCode(t, err, "ServiceQuotaExceededException") // with "b", 51
		_, err = c.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: inst, ResourceArn: aws.String(ps[:len(ps)-16] + "0000000000000000"), Tags: many[:1]})
		wantCode(t, err, "ResourceNotFoundException")
		_, err = c.TagResource(ctx, &ssoadmin.TagResourceInput{InstanceArn: inst, ResourceArn: aws.String("arn:aws:s3:::bucket"), Tags: many[:1]})
		wantCode(t, err, "ValidationException")
		_, err = c.UntagResource(ctx, &ssoadmin.UntagResourceInput{InstanceArn: inst, ResourceArn: aws.String(ps), TagKeys: []string{}})
		wantCode(t, err, "ValidationException")

		if _, err := c.UpdateInstance(ctx, &ssoadmin.UpdateInstanceInput{InstanceArn: inst, Name: aws.String("Renamed")}); err != nil {
			t.Fatalf("UpdateInstance: %v", err)
		}
		d, err := c.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: inst})
		if err != nil || aws.ToString(d.Name) != "Renamed" {
			t.Errorf("DescribeInstance after UpdateInstance = %v, %v, want Renamed", d, err)
		}
		_, err = c.UpdateInstance(ctx, &ssoadmin.UpdateInstanceInput{InstanceArn: inst, Name: aws.String("not allowed!")})
		wantCode(t, err, "ValidationException")
		_, err = c.UpdateInstance(ctx, &ssoadmin.UpdateInstanceInput{InstanceArn: aws.String("arn:aws:sso:::instance/ssoins-0000000000000000"), Name: aws.String("x")})
		wantCode(t, err, "ResourceNotFoundException")
	})
}

// TestDenied checks one operation of each family through the SDK as a
// principal without policies; the coverage test in service checks them all.
func TestDenied(t *testing.T) {
	s := atriumtest.Start(t)
	c := ssoadmin.NewFromConfig(s.AWSConfigFor(s.NewPrincipal(t, "nobody")))
	ctx := t.Context()
	_, err := c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(s.InstanceARN), Name: aws.String("x")})
	wantCode(t, err, "AccessDeniedException")
	_, err = c.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(s.InstanceARN), TargetId: aws.String("111122223333"),
		TargetType: types.TargetTypeAwsAccount, PermissionSetArn: aws.String("arn:aws:sso:::permissionSet/ssoins-0000000000000000/ps-0000000000000000"),
		PrincipalType: types.PrincipalTypeUser, PrincipalId: aws.String("906722b2be-2e5b9e5f-1f4e-4a2e-9b8c-0123456789ab")})
	wantCode(t, err, "AccessDeniedException")
}

// Helpers for the asynchronous operations.

func mustUser(t *testing.T, s *atriumtest.Server, name string) string {
	t.Helper()
	out, err := s.IdentityStore().CreateUser(t.Context(), &identitystore.CreateUserInput{
		IdentityStoreId: aws.String(s.StoreID), UserName: aws.String(name), DisplayName: aws.String("User " + name),
		Name: &istypes.Name{GivenName: aws.String("Given"), FamilyName: aws.String(name)},
	})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return aws.ToString(out.UserId)
}

func mustGroup(t *testing.T, s *atriumtest.Server, name string) string {
	t.Helper()
	out, err := s.IdentityStore().CreateGroup(t.Context(), &identitystore.CreateGroupInput{IdentityStoreId: aws.String(s.StoreID), DisplayName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateGroup(%s): %v", name, err)
	}
	return aws.ToString(out.GroupId)
}

// poll calls get until the status it returns is no longer IN_PROGRESS, and
// returns the last one. The test's deadline bounds it.
func poll[T any](t *testing.T, get func(ctx context.Context) (T, types.StatusValues, error)) T {
	t.Helper()
	for {
		v, st, err := get(t.Context())
		if err != nil {
			t.Fatalf("polling: %v", err)
		}
		if st != types.StatusValuesInProgress {
			return v
		}
		select {
		case <-t.Context().Done():
			t.Fatalf("polling: %v", t.Context().Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

type assignment struct {
	target, targetType, ps, principalType, principal string
}

func (a assignment) create(ctx context.Context, s *atriumtest.Server) (*types.AccountAssignmentOperationStatus, error) {
	out, err := s.SSOAdmin().CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: aws.String(s.InstanceARN),
		TargetId: aws.String(a.target), TargetType: types.TargetType(a.targetType), PermissionSetArn: aws.String(a.ps),
		PrincipalType: types.PrincipalType(a.principalType), PrincipalId: aws.String(a.principal)})
	if err != nil {
		return nil, err
	}
	return out.AccountAssignmentCreationStatus, nil
}

func (a assignment) delete(ctx context.Context, s *atriumtest.Server) (*types.AccountAssignmentOperationStatus, error) {
	out, err := s.SSOAdmin().DeleteAccountAssignment(ctx, &ssoadmin.DeleteAccountAssignmentInput{InstanceArn: aws.String(s.InstanceARN),
		TargetId: aws.String(a.target), TargetType: types.TargetType(a.targetType), PermissionSetArn: aws.String(a.ps),
		PrincipalType: types.PrincipalType(a.principalType), PrincipalId: aws.String(a.principal)})
	if err != nil {
		return nil, err
	}
	return out.AccountAssignmentDeletionStatus, nil
}

// createDone creates an assignment and waits for the outcome.
func createDone(t *testing.T, s *atriumtest.Server, a assignment) *types.AccountAssignmentOperationStatus {
	t.Helper()
	st, err := a.create(t.Context(), s)
	if err != nil {
		t.Fatalf("CreateAccountAssignment(%+v): %v", a, err)
	}
	return poll(t, func(ctx context.Context) (*types.AccountAssignmentOperationStatus, types.StatusValues, error) {
		out, err := s.SSOAdmin().DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{
			InstanceArn: aws.String(s.InstanceARN), AccountAssignmentCreationRequestId: st.RequestId})
		if err != nil {
			return nil, "", err
		}
		return out.AccountAssignmentCreationStatus, out.AccountAssignmentCreationStatus.Status, nil
	})
}

func deleteDone(t *testing.T, s *atriumtest.Server, a assignment) *types.AccountAssignmentOperationStatus {
	t.Helper()
	st, err := a.delete(t.Context(), s)
	if err != nil {
		t.Fatalf("DeleteAccountAssignment(%+v): %v", a, err)
	}
	return poll(t, func(ctx context.Context) (*types.AccountAssignmentOperationStatus, types.StatusValues, error) {
		out, err := s.SSOAdmin().DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{
			InstanceArn: aws.String(s.InstanceARN), AccountAssignmentDeletionRequestId: st.RequestId})
		if err != nil {
			return nil, "", err
		}
		return out.AccountAssignmentDeletionStatus, out.AccountAssignmentDeletionStatus.Status, nil
	})
}

func provisionDone(t *testing.T, s *atriumtest.Server, ps, targetType, target string) *types.PermissionSetProvisioningStatus {
	t.Helper()
	in := &ssoadmin.ProvisionPermissionSetInput{InstanceArn: aws.String(s.InstanceARN), PermissionSetArn: aws.String(ps), TargetType: types.ProvisionTargetType(targetType)}
	if target != "" {
		in.TargetId = aws.String(target)
	}
	out, err := s.SSOAdmin().ProvisionPermissionSet(t.Context(), in)
	if err != nil {
		t.Fatalf("ProvisionPermissionSet(%s, %s %s): %v", ps, targetType, target, err)
	}
	if out.PermissionSetProvisioningStatus.Status != types.StatusValuesInProgress && out.PermissionSetProvisioningStatus.Status != types.StatusValuesSucceeded {
		t.Errorf("ProvisionPermissionSet status = %s", out.PermissionSetProvisioningStatus.Status)
	}
	return poll(t, func(ctx context.Context) (*types.PermissionSetProvisioningStatus, types.StatusValues, error) {
		d, err := s.SSOAdmin().DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{
			InstanceArn: aws.String(s.InstanceARN), ProvisionPermissionSetRequestId: out.PermissionSetProvisioningStatus.RequestId})
		if err != nil {
			return nil, "", err
		}
		return d.PermissionSetProvisioningStatus, d.PermissionSetProvisioningStatus.Status, nil
	})
}

func TestAccountAssignments(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		ctx := t.Context()
		c := s.SSOAdmin()
		inst := aws.String(s.InstanceARN)
		acct := s.App.Bootstrap.Organization.ManagementAccountID
		ps := mustCreatePermissionSet(t, s, "Reader")
		user := mustUser(t, s, "alice")
		group := mustGroup(t, s, "admins")

		a := assignment{target: acct, targetType: "AWS_ACCOUNT", ps: ps, principalType: "USER", principal: user}
		st, err := a.create(ctx, s)
		if err != nil {
			t.Fatalf("CreateAccountAssignment: %v", err)
		}
		if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`).MatchString(aws.ToString(st.RequestId)) {
			t.Errorf("RequestId = %s, want a lowercase UUID", aws.ToString(st.RequestId))
		}
		if st.Status != types.StatusValuesInProgress || aws.ToString(st.TargetId) != acct || st.TargetType != types.TargetTypeAwsAccount ||
			aws.ToString(st.PermissionSetArn) != ps || st.PrincipalType != types.PrincipalTypeUser || aws.ToString(st.PrincipalId) != user || st.CreatedDate == nil {
			t.Errorf("CreateAccountAssignment = %+v, want IN_PROGRESS echoing the request", st)
		}
		done := poll(t, func(ctx context.Context) (*types.AccountAssignmentOperationStatus, types.StatusValues, error) {
			out, err := c.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: inst, AccountAssignmentCreationRequestId: st.RequestId})
			if err != nil {
				return nil, "", err
			}
			return out.AccountAssignmentCreationStatus, out.AccountAssignmentCreationStatus.Status, nil
		})
		if done.Status != types.StatusValuesSucceeded || aws.ToString(done.RequestId) != aws.ToString(st.RequestId) {
			t.Fatalf("assignment creation ended %s (%s), want SUCCEEDED", done.Status, aws.ToString(done.FailureReason))
		}
		g := assignment{target: acct, targetType: "AWS_ACCOUNT", ps: ps, principalType: "GROUP", principal: group}
		if st := createDone(t, s, g); st.Status != types.StatusValuesSucceeded {
			t.Fatalf("group assignment ended %s (%s)", st.Status, aws.ToString(st.FailureReason))
		}
		// A repeated creation succeeds and changes nothing.
		if st := createDone(t, s, g); st.Status != types.StatusValuesSucceeded {
			t.Fatalf("repeated assignment ended %s (%s)", st.Status, aws.ToString(st.FailureReason))
		}

		l, err := c.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: inst, AccountId: aws.String(acct), PermissionSetArn: aws.String(ps)})
		if err != nil {
			t.Fatalf("ListAccountAssignments: %v", err)
		}
		var got []string
		for _, x := range l.AccountAssignments {
			if aws.ToString(x.AccountId) != acct || aws.ToString(x.PermissionSetArn) != ps {
				t.Errorf("ListAccountAssignments item %+v, want account %s and %s", x, acct, ps)
			}
			got = append(got, string(x.PrincipalType)+":"+aws.ToString(x.PrincipalId))
		}
		if want := []string{"GROUP:" + group, "USER:" + user}; !slices.Equal(got, want) {
			t.Errorf("ListAccountAssignments = %q, want %q", got, want)
		}
		p1, err := c.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: inst, AccountId: aws.String(acct), PermissionSetArn: aws.String(ps), MaxResults: aws.Int32(1)})
		if err != nil || len(p1.AccountAssignments) != 1 || p1.NextToken == nil {
			t.Fatalf("ListAccountAssignments page 1 = %+v, %v", p1, err)
		}
		p2, err := c.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: inst, AccountId: aws.String(acct), PermissionSetArn: aws.String(ps), NextToken: p1.NextToken})
		if err != nil || len(p2.AccountAssignments) != 1 || p2.NextToken != nil || aws.ToString(p2.AccountAssignments[0].PrincipalId) != user {
			t.Fatalf("ListAccountAssignments page 2 = %+v, %v", p2, err)
		}

		fp, err := c.ListAccountAssignmentsForPrincipal(ctx, &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: inst, PrincipalId: aws.String(user), PrincipalType: types.PrincipalTypeUser})
		if err != nil || len(fp.AccountAssignments) != 1 || aws.ToString(fp.AccountAssignments[0].AccountId) != acct || aws.ToString(fp.AccountAssignments[0].PermissionSetArn) != ps {
			t.Fatalf("ListAccountAssignmentsForPrincipal = %+v, %v", fp, err)
		}
		fp, err = c.ListAccountAssignmentsForPrincipal(ctx, &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: inst, PrincipalId: aws.String(user), PrincipalType: types.PrincipalTypeUser,
			Filter: &types.ListAccountAssignmentsFilter{AccountId: aws.String("999988887777")}})
		if err != nil || len(fp.AccountAssignments) != 0 {
			t.Fatalf("ListAccountAssignmentsForPrincipal of another account = %+v, %v, want none", fp, err)
		}
		_, err = c.ListAccountAssignmentsForPrincipal(ctx, &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: inst, PrincipalId: aws.String(user), PrincipalType: "ROBOT"})
		wantCode(t, err, "ValidationException")

		// Failures are reported asynchronously, with a reason.
		missingPS := ps[:len(ps)-16] + "0000000000000000"
		for _, tc := range []struct {
			name    string
			a       assignment
			mention string
		}{
			{"missing user", assignment{acct, "AWS_ACCOUNT", ps, "USER", "906722b2be-2e5b9e5f-1f4e-4a2e-9b8c-0123456789ab"}, "does not exist"},
			{"missing group", assignment{acct, "AWS_ACCOUNT", ps, "GROUP", "906722b2be-2e5b9e5f-1f4e-4a2e-9b8c-0123456789ac"}, "group"},
			{"missing account", assignment{"999988887777", "AWS_ACCOUNT", ps, "USER", user}, "999988887777"},
			{"missing permission set", assignment{acct, "AWS_ACCOUNT", missingPS, "USER", user}, "ps-0000000000000000"},
			{"missing OU", assignment{"ou-abcd-12345678", "ORGANIZATIONAL_UNIT", ps, "USER", user}, "ou-abcd-12345678"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				st := createDone(t, s, tc.a)
				if st.Status != types.StatusValuesFailed || !strings.Contains(aws.ToString(st.FailureReason), tc.mention) {
					t.Errorf("assignment ended %s (%q), want FAILED naming %s", st.Status, aws.ToString(st.FailureReason), tc.mention)
				}
			})
		}
		for _, tc := range []struct {
			name string
			a    assignment
		}{
			{"bad account id", assignment{"12345", "AWS_ACCOUNT", ps, "USER", user}},
			{"bad target type", assignment{acct, "REGION", ps, "USER", user}},
			{"bad principal type", assignment{acct, "AWS_ACCOUNT", ps, "ROBOT", user}},
			{"bad principal id", assignment{acct, "AWS_ACCOUNT", ps, "USER", "alice"}},
			{"bad permission set", assignment{acct, "AWS_ACCOUNT", "ps-1", "USER", user}},
			{"bad OU id", assignment{"123456789012", "ORGANIZATIONAL_UNIT", ps, "USER", user}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := tc.a.create(ctx, s)
				wantCode(t, err, "ValidationException")
			})
		}

		// The status listings, filtered.
		var succeeded, failed int
		lp := ssoadmin.NewListAccountAssignmentCreationStatusPaginator(c, &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: inst, MaxResults: aws.Int32(2)})
		for lp.HasMorePages() {
			page, err := lp.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListAccountAssignmentCreationStatus: %v", err)
			}
			for _, m := range page.AccountAssignmentsCreationStatus {
				switch m.Status {
				case types.StatusValuesSucceeded:
					succeeded++
				case types.StatusValuesFailed:
					failed++
				}
				if m.CreatedDate == nil || m.RequestId == nil {
					t.Errorf("status metadata %+v lacks a date or id", m)
				}
			}
		}
		if succeeded != 3 || failed != 5 {
			t.Errorf("ListAccountAssignmentCreationStatus: %d succeeded, %d failed, want 3 and 5", succeeded, failed)
		}
		fl, err := c.ListAccountAssignmentCreationStatus(ctx, &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: inst, Filter: &types.OperationStatusFilter{Status: types.StatusValuesFailed}})
		if err != nil || len(fl.AccountAssignmentsCreationStatus) != 5 {
			t.Errorf("ListAccountAssignmentCreationStatus(FAILED) = %d, %v, want 5", len(fl.AccountAssignmentsCreationStatus), err)
		}
		_, err = c.ListAccountAssignmentCreationStatus(ctx, &ssoadmin.ListAccountAssignmentCreationStatusInput{InstanceArn: inst, Filter: &types.OperationStatusFilter{Status: "DONE"}})
		wantCode(t, err, "ValidationException")
		_, err = c.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: inst, AccountAssignmentCreationRequestId: aws.String("00000000-0000-4000-8000-000000000000")})
		wantCode(t, err, "ResourceNotFoundException")
		_, err = c.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: inst, AccountAssignmentCreationRequestId: aws.String("nope")})
		wantCode(t, err, "ValidationException")
		// A creation id is not a deletion id.
		_, err = c.DescribeAccountAssignmentDeletionStatus(ctx, &ssoadmin.DescribeAccountAssignmentDeletionStatusInput{InstanceArn: inst, AccountAssignmentDeletionRequestId: st.RequestId})
		wantCode(t, err, "ResourceNotFoundException")

		// An assigned permission set cannot be deleted.
		_, err = c.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps)})
		wantCode(t, err, "ConflictException")

		if st := deleteDone(t, s, a); st.Status != types.StatusValuesSucceeded {
			t.Fatalf("assignment deletion ended %s (%s)", st.Status, aws.ToString(st.FailureReason))
		}
		if st := deleteDone(t, s, a); st.Status != types.StatusValuesFailed || aws.ToString(st.FailureReason) == "" {
			t.Errorf("deleting a deleted assignment ended %s (%q), want FAILED with a reason", st.Status, aws.ToString(st.FailureReason))
		}
		dl, err := c.ListAccountAssignmentDeletionStatus(ctx, &ssoadmin.ListAccountAssignmentDeletionStatusInput{InstanceArn: inst, Filter: &types.OperationStatusFilter{Status: types.StatusValuesSucceeded}})
		if err != nil || len(dl.AccountAssignmentsDeletionStatus) != 1 {
			t.Errorf("ListAccountAssignmentDeletionStatus(SUCCEEDED) = %+v, %v, want 1", dl, err)
		}
		_, err = c.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps)})
		wantCode(t, err, "ConflictException") // the group's assignment remains
		if st := deleteDone(t, s, g); st.Status != types.StatusValuesSucceeded {
			t.Fatalf("group assignment deletion ended %s (%s)", st.Status, aws.ToString(st.FailureReason))
		}
		// With its last assignment gone the permission set is no longer
		// provisioned to the account, and may go.
		pa, err := c.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: inst, AccountId: aws.String(acct)})
		if err != nil || len(pa.PermissionSets) != 0 {
			t.Errorf("ListPermissionSetsProvisionedToAccount after the last deletion = %+v, %v, want none", pa.PermissionSets, err)
		}
		if _, err := c.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps)}); err != nil {
			t.Errorf("DeletePermissionSet without assignments: %v", err)
		}
	})
}

// provisioned lists the accounts of a permission set with a status.
func provisioned(t *testing.T, s *atriumtest.Server, ps string, status types.ProvisioningStatus) []string {
	t.Helper()
	out, err := s.SSOAdmin().ListAccountsForProvisionedPermissionSet(t.Context(), &ssoadmin.ListAccountsForProvisionedPermissionSetInput{
		InstanceArn: aws.String(s.InstanceARN), PermissionSetArn: aws.String(ps), ProvisioningStatus: status})
	if err != nil {
		t.Fatalf("ListAccountsForProvisionedPermissionSet(%s): %v", status, err)
	}
	return out.AccountIds
}

func provisionedTo(t *testing.T, s *atriumtest.Server, account string, status types.ProvisioningStatus) []string {
	t.Helper()
	out, err := s.SSOAdmin().ListPermissionSetsProvisionedToAccount(t.Context(), &ssoadmin.ListPermissionSetsProvisionedToAccountInput{
		InstanceArn: aws.String(s.InstanceARN), AccountId: aws.String(account), ProvisioningStatus: status})
	if err != nil {
		t.Fatalf("ListPermissionSetsProvisionedToAccount(%s): %v", status, err)
	}
	return out.PermissionSets
}

func mustPutCustomerPolicy(t *testing.T, s *atriumtest.Server, account, path, name string) {
	t.Helper()
	err := s.App.Store.Write(t.Context(), func(tx store.Tx) error {
		return tx.PutCustomerManagedPolicy(t.Context(), &access.CustomerManagedPolicy{InstanceID: s.App.Bootstrap.Instance.ID, AccountID: account, Path: path, Name: name,
			Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`})
	})
	if err != nil {
		t.Fatalf("PutCustomerManagedPolicy: %v", err)
	}
}

func TestProvisioning(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		ctx := t.Context()
		c := s.SSOAdmin()
		inst := aws.String(s.InstanceARN)
		acct := s.App.Bootstrap.Organization.ManagementAccountID
		ps := mustCreatePermissionSet(t, s, "Prov")
		user := mustUser(t, s, "bob")
		const (
			latest   = types.ProvisioningStatusLatestPermissionSetProvisioned
			outdated = types.ProvisioningStatusLatestPermissionSetNotProvisioned
		)
		if got := provisioned(t, s, ps, ""); len(got) != 0 {
			t.Fatalf("a new permission set is provisioned to %q", got)
		}
		if st := createDone(t, s, assignment{acct, "AWS_ACCOUNT", ps, "USER", user}); st.Status != types.StatusValuesSucceeded {
			t.Fatalf("assignment ended %s (%s)", st.Status, aws.ToString(st.FailureReason))
		}
		check := func(step string, wantLatest bool) {
			t.Helper()
			l, o := provisioned(t, s, ps, latest), provisioned(t, s, ps, outdated)
			all := provisioned(t, s, ps, "")
			pl, po := provisionedTo(t, s, acct, latest), provisionedTo(t, s, acct, outdated)
			if !slices.Equal(all, []string{acct}) {
				t.Errorf("%s: ListAccountsForProvisionedPermissionSet = %q, want %s", step, all, acct)
			}
			if wantLatest && (!slices.Equal(l, []string{acct}) || len(o) != 0 || !slices.Equal(pl, []string{ps}) || len(po) != 0) {
				t.Errorf("%s: latest %q / %q, outdated %q / %q; want the account provisioned with the latest", step, l, pl, o, po)
			}
			if !wantLatest && (len(l) != 0 || !slices.Equal(o, []string{acct}) || len(pl) != 0 || !slices.Equal(po, []string{ps})) {
				t.Errorf("%s: latest %q / %q, outdated %q / %q; want the account with an outdated permission set", step, l, pl, o, po)
			}
		}
		check("after the assignment", true)

		// Every change that provisioning carries makes the account outdated
		// until the permission set is provisioned again.
		changes := []struct {
			name string
			do   func() error
		}{
			{"inline policy", func() error {
				_, err := c.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps),
					InlinePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`)})
				return err
			}},
			{"managed policy", func() error {
				_, err := c.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps), ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
				return err
			}},
			{"session duration", func() error {
				_, err := c.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps), SessionDuration: aws.String("PT2H")})
				return err
			}},
			{"relay state", func() error {
				_, err := c.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps), RelayState: aws.String("https://example.com/")})
				return err
			}},
			{"boundary", func() error {
				_, err := c.PutPermissionsBoundaryToPermissionSet(ctx, &ssoadmin.PutPermissionsBoundaryToPermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps),
					PermissionsBoundary: &types.PermissionsBoundary{ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")}})
				return err
			}},
		}
		for i, ch := range changes {
			if err := ch.do(); err != nil {
				t.Fatalf("%s: %v", ch.name, err)
			}
			check("after a change of "+ch.name, false)
			target, id := "ALL_PROVISIONED_ACCOUNTS", ""
			if i%2 == 1 {
				target, id = "AWS_ACCOUNT", acct
			}
			if st := provisionDone(t, s, ps, target, id); st.Status != types.StatusValuesSucceeded {
				t.Fatalf("provisioning ended %s (%s)", st.Status, aws.ToString(st.FailureReason))
			}
			check("after provisioning "+ch.name, true)
		}
		// A description is not provisioned.
		if _, err := c.UpdatePermissionSet(ctx, &ssoadmin.UpdatePermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps), Description: aws.String("d")}); err != nil {
			t.Fatal(err)
		}
		check("after a change of description", true)

		// A customer managed policy missing from the account fails the
		// provisioning, with a reason, until the account has it.
		_, err := c.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps),
			CustomerManagedPolicyReference: &types.CustomerManagedPolicyReference{Name: aws.String("TeamPolicy"), Path: aws.String("/team/")}})
		if err != nil {
			t.Fatal(err)
		}
		st := provisionDone(t, s, ps, "AWS_ACCOUNT", acct)
		if st.Status != types.StatusValuesFailed || !strings.Contains(aws.ToString(st.FailureReason), "TeamPolicy") || aws.ToString(st.AccountId) != acct {
			t.Errorf("provisioning without the customer managed policy ended %s (%q), want FAILED naming TeamPolicy", st.Status, aws.ToString(st.FailureReason))
		}
		check("after a failed provisioning", false)
		mustPutCustomerPolicy(t, s, acct, "/other/", "TeamPolicy") // the wrong path
		if st := provisionDone(t, s, ps, "ALL_PROVISIONED_ACCOUNTS", ""); st.Status != types.StatusValuesFailed {
			t.Errorf("provisioning with the policy at another path ended %s, want FAILED", st.Status)
		}
		mustPutCustomerPolicy(t, s, acct, "/team/", "TeamPolicy")
		if st := provisionDone(t, s, ps, "ALL_PROVISIONED_ACCOUNTS", ""); st.Status != types.StatusValuesSucceeded {
			t.Errorf("provisioning with the policy ended %s (%s), want SUCCEEDED", st.Status, aws.ToString(st.FailureReason))
		}
		check("after provisioning with the policy", true)

		// Provisioning to an account that is not in the organization fails.
		if st := provisionDone(t, s, ps, "AWS_ACCOUNT", "999988887777"); st.Status != types.StatusValuesFailed {
			t.Errorf("provisioning to an unknown account ended %s, want FAILED", st.Status)
		}
		for _, in := range []*ssoadmin.ProvisionPermissionSetInput{
			{InstanceArn: inst, PermissionSetArn: aws.String(ps), TargetType: "AWS_ACCOUNT"},
			{InstanceArn: inst, PermissionSetArn: aws.String(ps), TargetType: "AWS_ACCOUNT", TargetId: aws.String("1")},
			{InstanceArn: inst, PermissionSetArn: aws.String(ps), TargetType: "EVERYWHERE"},
		} {
			_, err := c.ProvisionPermissionSet(ctx, in)
			wantCode(t, err, "ValidationException")
		}
		_, err = c.ProvisionPermissionSet(ctx, &ssoadmin.ProvisionPermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps[:len(ps)-16] + "0000000000000000"), TargetType: "ALL_PROVISIONED_ACCOUNTS"})
		wantCode(t, err, "ResourceNotFoundException")
		_, err = c.ListAccountsForProvisionedPermissionSet(ctx, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps), ProvisioningStatus: "SOMETIMES"})
		wantCode(t, err, "ValidationException")
		_, err = c.ListPermissionSetsProvisionedToAccount(ctx, &ssoadmin.ListPermissionSetsProvisionedToAccountInput{InstanceArn: inst, AccountId: aws.String("nope")})
		wantCode(t, err, "ValidationException")

		lp, err := c.ListPermissionSetProvisioningStatus(ctx, &ssoadmin.ListPermissionSetProvisioningStatusInput{InstanceArn: inst, Filter: &types.OperationStatusFilter{Status: types.StatusValuesFailed}})
		if err != nil || len(lp.PermissionSetsProvisioningStatus) != 3 {
			t.Errorf("ListPermissionSetProvisioningStatus(FAILED) = %d, %v, want 3", len(lp.PermissionSetsProvisioningStatus), err)
		}
		lp, err = c.ListPermissionSetProvisioningStatus(ctx, &ssoadmin.ListPermissionSetProvisioningStatusInput{InstanceArn: inst})
		if err != nil || len(lp.PermissionSetsProvisioningStatus) != len(changes)+4 {
			t.Errorf("ListPermissionSetProvisioningStatus = %d, %v, want %d", len(lp.PermissionSetsProvisioningStatus), err, len(changes)+4)
		}
		_, err = c.DescribePermissionSetProvisioningStatus(ctx, &ssoadmin.DescribePermissionSetProvisioningStatusInput{InstanceArn: inst, ProvisionPermissionSetRequestId: aws.String("00000000-0000-4000-8000-000000000000")})
		wantCode(t, err, "ResourceNotFoundException")

		// A permission set provisioned to an account cannot be deleted.
		_, err = c.DeletePermissionSet(ctx, &ssoadmin.DeletePermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps)})
		wantCode(t, err, "ConflictException")
	})
}

// TestOrganizationalUnitAssignments covers the Atrium extension: an
// assignment to an OU applies to every account under it, at any depth,
// including accounts moved there later, and not to those moved out.
func TestOrganizationalUnitAssignments(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		ctx := t.Context()
		c := s.SSOAdmin()
		inst := aws.String(s.InstanceARN)
		instanceID := s.App.Bootstrap.Instance.ID
		root := s.App.Bootstrap.Organization.RootID
		mgmt := s.App.Bootstrap.Organization.ManagementAccountID
		suffix := strings.TrimPrefix(root, "r-")
		top, nested := "ou-"+suffix+"-toptop01", "ou-"+suffix+"-nested01"
		// Accounts: a directly under top, b under nested (under top), o
		// under the root.
		a, b, o := "111100000001", "111100000002", "111100000003"
		orgWrite(t, s, func(ctx context.Context, tx store.Tx) error {
			for _, u := range []*org.OrganizationalUnit{
				{ID: top, InstanceID: instanceID, ParentID: root, Name: "Top", CreatedAt: time.Now()},
				{ID: nested, InstanceID: instanceID, ParentID: top, Name: "Nested", CreatedAt: time.Now()},
			} {
				if err := tx.CreateOrganizationalUnit(ctx, u); err != nil {
					return err
				}
			}
			for id, parent := range map[string]string{a: top, b: nested, o: root} {
				if err := tx.CreateAccount(ctx, &org.Account{ID: id, InstanceID: instanceID, Name: "acct " + id, Email: id + "@example.com",
					Status: org.AccountActive, ParentID: parent, JoinedAt: time.Now(), JoinMethod: org.JoinedCreated}); err != nil {
					return err
				}
			}
			return nil
		})
		ps := mustCreatePermissionSet(t, s, "OUAccess")
		group := mustGroup(t, s, "platform")
		ou := assignment{top, "ORGANIZATIONAL_UNIT", ps, "GROUP", group}
		st := createDone(t, s, ou)
		if st.Status != types.StatusValuesSucceeded || st.TargetType != "ORGANIZATIONAL_UNIT" || aws.ToString(st.TargetId) != top {
			t.Fatalf("OU assignment ended %s (%s), target %s %s", st.Status, aws.ToString(st.FailureReason), st.TargetType, aws.ToString(st.TargetId))
		}
		assigned := func(account string) bool {
			t.Helper()
			l, err := c.ListAccountAssignments(ctx, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: inst, AccountId: aws.String(account), PermissionSetArn: aws.String(ps)})
			if err != nil {
				t.Fatalf("ListAccountAssignments(%s): %v", account, err)
			}
			for _, x := range l.AccountAssignments {
				if aws.ToString(x.PrincipalId) == group && aws.ToString(x.AccountId) == account && x.PrincipalType == types.PrincipalTypeGroup {
					return true
				}
			}
			return false
		}
		forPrincipal := func() []string {
			t.Helper()
			l, err := c.ListAccountAssignmentsForPrincipal(ctx, &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: inst, PrincipalId: aws.String(group), PrincipalType: types.PrincipalTypeGroup})
			if err != nil {
				t.Fatalf("ListAccountAssignmentsForPrincipal: %v", err)
			}
			var out []string
			for _, x := range l.AccountAssignments {
				out = append(out, aws.ToString(x.AccountId))
			}
			return out
		}
		for acct, want := range map[string]bool{a: true, b: true, o: false, mgmt: false} {
			if got := assigned(acct); got != want {
				t.Errorf("account %s shows the OU assignment: %v, want %v", acct, got, want)
			}
		}
		if got := forPrincipal(); !slices.Equal(got, []string{a, b}) {
			t.Errorf("ListAccountAssignmentsForPrincipal = %q, want %q", got, []string{a, b})
		}
		if got := provisioned(t, s, ps, ""); !slices.Equal(got, []string{a, b}) {
			t.Errorf("ListAccountsForProvisionedPermissionSet = %q, want %q", got, []string{a, b})
		}
		if got := provisionedTo(t, s, b, types.ProvisioningStatusLatestPermissionSetProvisioned); !slices.Equal(got, []string{ps}) {
			t.Errorf("ListPermissionSetsProvisionedToAccount(%s) = %q, want %s", b, got, ps)
		}

		// Moving accounts: o into the nested OU gains the assignment, a out
		// to the root loses it.
		orgWrite(t, s, func(ctx context.Context, tx store.Tx) error {
			for id, parent := range map[string]string{o: nested, a: root} {
				acct, err := tx.GetAccount(ctx, instanceID, id)
				if err != nil {
					return err
				}
				acct.ParentID = parent
				if err := tx.UpdateAccount(ctx, acct); err != nil {
					return err
				}
			}
			return nil
		})
		for acct, want := range map[string]bool{a: false, b: true, o: true} {
			if got := assigned(acct); got != want {
				t.Errorf("after the moves, account %s shows the OU assignment: %v, want %v", acct, got, want)
			}
		}
		if got := forPrincipal(); !slices.Equal(got, []string{b, o}) {
			t.Errorf("after the moves, ListAccountAssignmentsForPrincipal = %q, want %q", got, []string{b, o})
		}
		l, err := c.ListAccountAssignmentsForPrincipal(ctx, &ssoadmin.ListAccountAssignmentsForPrincipalInput{InstanceArn: inst, PrincipalId: aws.String(group),
			PrincipalType: types.PrincipalTypeGroup, Filter: &types.ListAccountAssignmentsFilter{AccountId: aws.String(o)}})
		if err != nil || len(l.AccountAssignments) != 1 || aws.ToString(l.AccountAssignments[0].AccountId) != o {
			t.Errorf("ListAccountAssignmentsForPrincipal filtered to %s = %+v, %v", o, l, err)
		}

		// A direct assignment as well is listed once.
		if st := createDone(t, s, assignment{b, "AWS_ACCOUNT", ps, "GROUP", group}); st.Status != types.StatusValuesSucceeded {
			t.Fatalf("direct assignment ended %s (%s)", st.Status, aws.ToString(st.FailureReason))
		}
		if got := forPrincipal(); !slices.Equal(got, []string{b, o}) {
			t.Errorf("with a direct assignment too, ListAccountAssignmentsForPrincipal = %q, want %q", got, []string{b, o})
		}

		// A change outdates the accounts under the OU; provisioning all
		// brings them up to date.
		if _, err := c.PutInlinePolicyToPermissionSet(ctx, &ssoadmin.PutInlinePolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: aws.String(ps),
			InlinePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)}); err != nil {
			t.Fatal(err)
		}
		if got := provisioned(t, s, ps, types.ProvisioningStatusLatestPermissionSetNotProvisioned); !slices.Equal(got, []string{b, o}) {
			t.Errorf("outdated accounts = %q, want %q", got, []string{b, o})
		}
		if st := provisionDone(t, s, ps, "ALL_PROVISIONED_ACCOUNTS", ""); st.Status != types.StatusValuesSucceeded {
			t.Fatalf("provisioning ended %s (%s)", st.Status, aws.ToString(st.FailureReason))
		}
		if got := provisioned(t, s, ps, types.ProvisioningStatusLatestPermissionSetProvisioned); !slices.Equal(got, []string{b, o}) {
			t.Errorf("provisioned accounts = %q, want %q", got, []string{b, o})
		}

		// Deleting the OU assignment leaves the direct one.
		if st := deleteDone(t, s, ou); st.Status != types.StatusValuesSucceeded {
			t.Fatalf("OU assignment deletion ended %s (%s)", st.Status, aws.ToString(st.FailureReason))
		}
		if got := forPrincipal(); !slices.Equal(got, []string{b}) {
			t.Errorf("after deleting the OU assignment, ListAccountAssignmentsForPrincipal = %q, want %q", got, []string{b})
		}
		if got := provisioned(t, s, ps, ""); !slices.Equal(got, []string{b}) {
			t.Errorf("after deleting the OU assignment, provisioned to %q, want %q", got, []string{b})
		}

		// An assignment to the root applies to every account.
		if st := createDone(t, s, assignment{root, "ORGANIZATIONAL_UNIT", ps, "GROUP", group}); st.Status != types.StatusValuesSucceeded {
			t.Fatalf("root assignment ended %s (%s)", st.Status, aws.ToString(st.FailureReason))
		}
		if got, want := forPrincipal(), []string{a, b, o, mgmt}; len(got) != len(want) {
			t.Errorf("after a root assignment, ListAccountAssignmentsForPrincipal = %q, want the %d accounts", got, len(want))
		}
	})
}

func orgWrite(t *testing.T, s *atriumtest.Server, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	if err := s.App.Store.Write(t.Context(), func(tx store.Tx) error { return fn(t.Context(), tx) }); err != nil {
		t.Fatalf("writing the organization: %v", err)
	}
}

// TestPermissionSetQuota: an instance holds at most 2,000 permission sets.
// Eight creations at once with four places left: four succeed, four get
// ServiceQuotaExceededException and leave nothing behind.
func TestPermissionSetQuota(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		ctx := t.Context()
		const limit, left = 2000, 4
		err := s.App.Store.Write(ctx, func(tx store.Tx) error {
			for i := range limit - left {
				if err := tx.CreatePermissionSet(ctx, &access.PermissionSet{InstanceID: s.App.Bootstrap.Instance.ID, ID: fmt.Sprintf("ps-%016x", i),
					Name: fmt.Sprintf("Filler%04d", i), SessionDuration: "PT1H", Version: 1, CreatedAt: time.Now(), UpdatedAt: time.Now()}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		c := s.SSOAdmin()
		errc := make(chan error, 2*left)
		for i := range 2 * left {
			go func() {
				_, err := c.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: aws.String(s.InstanceARN), Name: aws.String(fmt.Sprintf("Late%d", i))})
				errc <- err
			}()
		}
		ok := 0
		for range 2 * left {
			if err := <-errc; err == nil {
				ok++
			} else {
				wantCode(t, err, "ServiceQuotaExceededException")
			}
		}
		if ok != left {
			t.Errorf("%d creations succeeded with %d places left, want %d", ok, left, left)
		}
		n := 0
		for p := ssoadmin.NewListPermissionSetsPaginator(c, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(s.InstanceARN)}); p.HasMorePages(); {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n += len(out.PermissionSets)
		}
		if n != limit {
			t.Errorf("ListPermissionSets lists %d, want %d", n, limit)
		}
	})
}
