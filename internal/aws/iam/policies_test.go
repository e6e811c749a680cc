package iam_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"
	"github.com/aws/smithy-go"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/audit"
	"github.com/atriumhq/atrium/internal/service"
)

// wantCode fails unless err is an API error with code and HTTP status.
func wantCode(t *testing.T, err error, code string, status int) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Errorf("%s: HTTP status %d, want %d", code, re.HTTPStatusCode(), status)
	}
	return ae
}

const readS3 = `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`

var policyIDRe = regexp.MustCompile(`^ANPA[A-Z2-7]{17}$`)

func TestPolicies(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		ctx := t.Context()
		c := newClient(s)
		acct := s.App.Bootstrap.Organization.ManagementAccountID

		out, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("ReadS3"), Path: aws.String("/team/"), PolicyDocument: aws.String(readS3),
			Description: aws.String("Reads S3"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}}})
		if err != nil {
			t.Fatalf("CreatePolicy: %v", err)
		}
		p := out.Policy
		arn := "arn:aws:iam::" + acct + ":policy/team/ReadS3"
		if aws.ToString(p.Arn) != arn || aws.ToString(p.PolicyName) != "ReadS3" || aws.ToString(p.Path) != "/team/" || !policyIDRe.MatchString(aws.ToString(p.PolicyId)) ||
			aws.ToString(p.DefaultVersionId) != "v1" || aws.ToInt32(p.AttachmentCount) != 0 || !p.IsAttachable || p.CreateDate == nil ||
			time.Since(*p.CreateDate) > time.Minute || len(p.Tags) != 1 {
			t.Errorf("CreatePolicy = %+v", p)
		}

		// Errors, as IAM answers them.
		_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("reads3"), PolicyDocument: aws.String(readS3)})
		var exists *types.EntityAlreadyExistsException
		if wantCode(t, err, "EntityAlreadyExists", 409); !errors.As(err, &exists) {
			t.Errorf("a duplicate name: %T, want *types.EntityAlreadyExistsException", err)
		}
		_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Bad"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Perhaps","Action":"*","Resource":"*"}]}`)})
		var malformed *types.MalformedPolicyDocumentException
		if wantCode(t, err, "MalformedPolicyDocument", 400); !errors.As(err, &malformed) {
			t.Errorf("a malformed document: %T", err)
		}
		_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Bad"), PolicyDocument: aws.String(`{"Version":`)})
		wantCode(t, err, "MalformedPolicyDocument", 400)
		_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Bad Name"), PolicyDocument: aws.String(readS3)})
		wantCode(t, err, "ValidationError", 400)
		_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Bad"), Path: aws.String("team"), PolicyDocument: aws.String(readS3)})
		wantCode(t, err, "ValidationError", 400)
		big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[` + strings.Repeat(`"s3:GetObject",`, 500) + `"s3:GetObject"],"Resource":"*"}]}`
		_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Big"), PolicyDocument: aws.String(big)})
		var limit *types.LimitExceededException
		if wantCode(t, err, "LimitExceeded", 409); !errors.As(err, &limit) {
			t.Errorf("a document over the size quota: %T", err)
		}

		// GetPolicy, of the account's own policy and of AWS managed ones.
		g, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		if err != nil || aws.ToString(g.Policy.PolicyId) != aws.ToString(p.PolicyId) || aws.ToString(g.Policy.Description) != "Reads S3" {
			t.Errorf("GetPolicy = %+v, %v", g, err)
		}
		g, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")})
		if err != nil || aws.ToString(g.Policy.PolicyName) != "ViewOnlyAccess" || aws.ToString(g.Policy.Path) != "/job-function/" ||
			!policyIDRe.MatchString(aws.ToString(g.Policy.PolicyId)) || aws.ToString(g.Policy.DefaultVersionId) != "v1" {
			t.Errorf("GetPolicy(ViewOnlyAccess) = %+v, %v", g, err)
		}
		for _, a := range []string{"arn:aws:iam::aws:policy/NoSuchPolicy", "arn:aws:iam::" + acct + ":policy/ReadS3", "arn:aws:iam::123456789012:policy/team/ReadS3"} {
			_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(a)})
			var nse *types.NoSuchEntityException
			if ae := wantCode(t, err, "NoSuchEntity", 404); !errors.As(err, &nse) || ae.ErrorMessage() != "Policy "+a+" was not found." {
				t.Errorf("GetPolicy(%s): %T %q", a, err, ae.ErrorMessage())
			}
		}
		_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:role/NotAPolicy")})
		var invalid *types.InvalidInputException
		if wantCode(t, err, "InvalidInput", 400); !errors.As(err, &invalid) {
			t.Errorf("GetPolicy of a role ARN: %T", err)
		}

		// GetPolicyVersion returns the document URL-encoded.
		v, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
		if err != nil {
			t.Fatalf("GetPolicyVersion: %v", err)
		}
		doc, err := url.QueryUnescape(aws.ToString(v.PolicyVersion.Document))
		if err != nil || doc != readS3 || !v.PolicyVersion.IsDefaultVersion || aws.ToString(v.PolicyVersion.VersionId) != "v1" {
			t.Errorf("GetPolicyVersion = %+v (document %q, %v)", v.PolicyVersion, doc, err)
		}
		if strings.ContainsAny(aws.ToString(v.PolicyVersion.Document), `{" `) {
			t.Errorf("GetPolicyVersion document %q is not URL-encoded", aws.ToString(v.PolicyVersion.Document))
		}
		v, err = c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess"), VersionId: aws.String("v1")})
		if err != nil {
			t.Fatalf("GetPolicyVersion(AdministratorAccess): %v", err)
		}
		if doc, _ := url.QueryUnescape(aws.ToString(v.PolicyVersion.Document)); doc != `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*"],"Resource":"*"}]}` {
			t.Errorf("AdministratorAccess document = %s", doc)
		}
		_, err = c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v2")})
		wantCode(t, err, "NoSuchEntity", 404)
		_, err = c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("2")})
		wantCode(t, err, "ValidationError", 400)
		vs, err := c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: aws.String(arn)})
		if err != nil || len(vs.Versions) != 1 || aws.ToString(vs.Versions[0].VersionId) != "v1" || !vs.Versions[0].IsDefaultVersion || vs.Versions[0].Document != nil || vs.IsTruncated {
			t.Errorf("ListPolicyVersions = %+v, %v", vs, err)
		}

		// ListPolicies.
		for _, name := range []string{"Alpha", "beta"} {
			if _, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(readS3)}); err != nil {
				t.Fatalf("CreatePolicy(%s): %v", name, err)
			}
		}
		local := listPolicyARNs(t, c, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
		wantLocal := []string{"arn:aws:iam::" + acct + ":policy/Alpha", "arn:aws:iam::" + acct + ":policy/beta", arn}
		if !slices.Equal(local, wantLocal) {
			t.Errorf("ListPolicies(Local) = %q, want %q", local, wantLocal)
		}
		awsOnes := listPolicyARNs(t, c, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws})
		if len(awsOnes) != len(access.BuiltInAWSManagedPolicies()) || !slices.Contains(awsOnes, "arn:aws:iam::aws:policy/AdministratorAccess") {
			t.Errorf("ListPolicies(AWS) = %q", awsOnes)
		}
		all := listPolicyARNs(t, c, &iam.ListPoliciesInput{})
		if !slices.Equal(all, append(slices.Clone(wantLocal), awsOnes...)) {
			t.Errorf("ListPolicies() = %q, want the account's then AWS's", all)
		}
		// Pages of 2, through the SDK's paginator, give the same.
		var paged []string
		pages := 0
		for pg := iam.NewListPoliciesPaginator(c, &iam.ListPoliciesInput{MaxItems: aws.Int32(2)}); pg.HasMorePages(); pages++ {
			out, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListPolicies page %d: %v", pages, err)
			}
			if len(out.Policies) > 2 || out.IsTruncated != (out.Marker != nil) {
				t.Errorf("page %d: %d policies, truncated %v, marker %v", pages, len(out.Policies), out.IsTruncated, out.Marker)
			}
			for _, p := range out.Policies {
				paged = append(paged, aws.ToString(p.Arn))
			}
		}
		if !slices.Equal(paged, all) || pages != (len(all)+1)/2 {
			t.Errorf("ListPolicies in %d pages of 2 = %q, want %q", pages, paged, all)
		}
		jobs := listPolicyARNs(t, c, &iam.ListPoliciesInput{PathPrefix: aws.String("/job-function/")})
		if len(jobs) != 7 {
			t.Errorf("ListPolicies(PathPrefix /job-function/) = %q, want the 7 job-function policies", jobs)
		}
		if got := listPolicyARNs(t, c, &iam.ListPoliciesInput{PathPrefix: aws.String("/team/"), Scope: types.PolicyScopeTypeAll}); !slices.Equal(got, []string{arn}) {
			t.Errorf("ListPolicies(PathPrefix /team/) = %q", got)
		}
		if got := listPolicyARNs(t, c, &iam.ListPoliciesInput{OnlyAttached: true}); len(got) != 0 {
			t.Errorf("ListPolicies(OnlyAttached) with nothing provisioned = %q", got)
		}
		for _, in := range []*iam.ListPoliciesInput{
			{Scope: "Everything"}, {MaxItems: aws.Int32(1001)}, {MaxItems: aws.Int32(0)}, {PathPrefix: aws.String("team")}, {PolicyUsageFilter: "Sometimes"},
		} {
			_, err := c.ListPolicies(ctx, in)
			wantCode(t, err, "ValidationError", 400)
		}
		_, err = c.ListPolicies(ctx, &iam.ListPoliciesInput{Marker: aws.String("not a marker")})
		wantCode(t, err, "InvalidInput", 400)

		// DeletePolicy.
		if _, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)}); err != nil {
			t.Fatalf("DeletePolicy: %v", err)
		}
		_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
		wantCode(t, err, "NoSuchEntity", 404)
		_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
		wantCode(t, err, "NoSuchEntity", 404)
		_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
		wantCode(t, err, "InvalidInput", 400)

		// Each call is audited as IAM's.
		events := map[string]int{}
		if err := s.App.Service.AuditEvents(ctx, service.AuditFilter{}, func(b json.RawMessage) error {
			var e audit.Event
			if err := json.Unmarshal(b, &e); err != nil {
				return err
			}
			if e.EventSource == "iam.amazonaws.com" {
				events[e.EventName+"/"+e.ErrorCode]++
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"CreatePolicy/", "CreatePolicy/EntityAlreadyExistsException", "CreatePolicy/MalformedPolicyDocumentException",
			"GetPolicy/", "GetPolicy/NoSuchEntityException", "GetPolicyVersion/", "ListPolicies/", "DeletePolicy/", "DeletePolicy/NoSuchEntityException"} {
			if events[k] == 0 {
				t.Errorf("no audit event %s among %v", k, events)
			}
		}

		// A principal without iam permissions is refused, on the policy's ARN.
		nobody := newClient(s, s.NewPrincipal(t, "nobody"))
		_, err = nobody.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
		if ae := wantCode(t, err, "AccessDenied", 403); !strings.Contains(ae.ErrorMessage(), "iam:GetPolicy on resource: arn:aws:iam::aws:policy/AdministratorAccess") {
			t.Errorf("denial message %q", ae.ErrorMessage())
		}
		reader := newClient(s, s.NewPrincipal(t, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetPolicy","Resource":"arn:aws:iam::aws:policy/*"}]}`))
		if _, err := reader.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
			t.Errorf("GetPolicy allowed on AWS managed policies: %v", err)
		}
		_, err = reader.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("Mine"), PolicyDocument: aws.String(readS3)})
		wantCode(t, err, "AccessDenied", 403)
	})
}

func listPolicyARNs(t *testing.T, c *iam.Client, in *iam.ListPoliciesInput) []string {
	t.Helper()
	out, err := c.ListPolicies(t.Context(), in)
	if err != nil {
		t.Fatalf("ListPolicies(%+v): %v", in, err)
	}
	if out.IsTruncated {
		t.Fatalf("ListPolicies(%+v) is truncated", in)
	}
	arns := []string{}
	for _, p := range out.Policies {
		if p.Description != nil || p.Tags != nil {
			t.Errorf("ListPolicies returned the description or tags of %s", aws.ToString(p.Arn))
		}
		arns = append(arns, aws.ToString(p.Arn))
	}
	return arns
}

// TestCustomerManagedPolicyProvisioning provisions a permission set that
// references a customer managed policy to the management account: it fails
// with a reason until the policy is created with iam CreatePolicy, then
// succeeds; the policy is then attached and cannot be deleted.
func TestCustomerManagedPolicyProvisioning(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		ctx := t.Context()
		c := newClient(s)
		sso := ssoadmin.NewFromConfig(s.AWSConfig())
		inst := aws.String(s.InstanceARN)
		acct := s.App.Bootstrap.Organization.ManagementAccountID

		ps, err := sso.CreatePermissionSet(ctx, &ssoadmin.CreatePermissionSetInput{InstanceArn: inst, Name: aws.String("DataReader")})
		if err != nil {
			t.Fatal(err)
		}
		psARN := ps.PermissionSet.PermissionSetArn
		if _, err := sso.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, &ssoadmin.AttachCustomerManagedPolicyReferenceToPermissionSetInput{InstanceArn: inst,
			PermissionSetArn: psARN, CustomerManagedPolicyReference: &ssotypes.CustomerManagedPolicyReference{Name: aws.String("DataRead"), Path: aws.String("/data/")}}); err != nil {
			t.Fatal(err)
		}
		if _, err := sso.AttachManagedPolicyToPermissionSet(ctx, &ssoadmin.AttachManagedPolicyToPermissionSetInput{InstanceArn: inst, PermissionSetArn: psARN,
			ManagedPolicyArn: aws.String("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")}); err != nil {
			t.Fatal(err)
		}
		user, err := identitystore.NewFromConfig(s.AWSConfig()).CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: aws.String(s.StoreID),
			UserName: aws.String("dana"), DisplayName: aws.String("Dana"), Name: &istypes.Name{GivenName: aws.String("Dana"), FamilyName: aws.String("Scully")}})
		if err != nil {
			t.Fatal(err)
		}
		assign := func() *ssotypes.AccountAssignmentOperationStatus {
			out, err := sso.CreateAccountAssignment(ctx, &ssoadmin.CreateAccountAssignmentInput{InstanceArn: inst, TargetId: aws.String(acct),
				TargetType: ssotypes.TargetTypeAwsAccount, PermissionSetArn: psARN, PrincipalType: ssotypes.PrincipalTypeUser, PrincipalId: user.UserId})
			if err != nil {
				t.Fatalf("CreateAccountAssignment: %v", err)
			}
			for {
				st, err := sso.DescribeAccountAssignmentCreationStatus(ctx, &ssoadmin.DescribeAccountAssignmentCreationStatusInput{InstanceArn: inst,
					AccountAssignmentCreationRequestId: out.AccountAssignmentCreationStatus.RequestId})
				if err != nil {
					t.Fatalf("DescribeAccountAssignmentCreationStatus: %v", err)
				}
				if st.AccountAssignmentCreationStatus.Status != ssotypes.StatusValuesInProgress {
					return st.AccountAssignmentCreationStatus
				}
				select {
				case <-ctx.Done():
					t.Fatal(ctx.Err())
				case <-time.After(5 * time.Millisecond):
				}
			}
		}
		policyARN := "arn:aws:iam::" + acct + ":policy/data/DataRead"
		st := assign()
		if st.Status != ssotypes.StatusValuesFailed || !strings.Contains(aws.ToString(st.FailureReason), policyARN) {
			t.Fatalf("assignment before the policy exists = %s (%s), want FAILED naming %s", st.Status, aws.ToString(st.FailureReason), policyARN)
		}

		if _, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("DataRead"), Path: aws.String("/data/"), PolicyDocument: aws.String(readS3)}); err != nil {
			t.Fatalf("CreatePolicy: %v", err)
		}
		if st := assign(); st.Status != ssotypes.StatusValuesSucceeded {
			t.Fatalf("assignment once the policy exists = %s (%s), want SUCCEEDED", st.Status, aws.ToString(st.FailureReason))
		}

		// The policy is attached now: its count says so, and it cannot go.
		g, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(policyARN)})
		if err != nil || aws.ToInt32(g.Policy.AttachmentCount) != 1 {
			t.Errorf("GetPolicy of the attached policy = %+v, %v; want AttachmentCount 1", g, err)
		}
		_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(policyARN)})
		var conflict *types.DeleteConflictException
		if wantCode(t, err, "DeleteConflict", 409); !errors.As(err, &conflict) {
			t.Errorf("DeletePolicy of an attached policy: %T", err)
		}
		attached := listPolicyARNs(t, c, &iam.ListPoliciesInput{OnlyAttached: true})
		if want := []string{policyARN, "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"}; !slices.Equal(attached, want) {
			t.Errorf("ListPolicies(OnlyAttached) = %q, want %q", attached, want)
		}
		if got := listPolicyARNs(t, c, &iam.ListPoliciesInput{OnlyAttached: true, Scope: types.PolicyScopeTypeAws}); !slices.Equal(got, []string{"arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"}) {
			t.Errorf("ListPolicies(OnlyAttached, AWS) = %q", got)
		}
	})
}
