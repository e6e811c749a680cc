package organizations_test

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/atriumhq/atrium/internal/atriumtest"
)

// engines runs fn against a server on SQLite and, when configured, on
// PostgreSQL.
func engines(t *testing.T, fn func(t *testing.T, s *atriumtest.Server, c *organizations.Client)) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) { fn(t, s, organizations.NewFromConfig(s.AWSConfig())) })
}

// statuses are the HTTP statuses of the organizations exceptions.
var statuses = map[string]int{
	"InvalidInputException": 400, "MalformedPolicyDocumentException": 400, "AccessDeniedException": 403,
	"AccountNotFoundException": 404, "ParentNotFoundException": 404, "SourceParentNotFoundException": 404,
	"DestinationParentNotFoundException": 404, "OrganizationalUnitNotFoundException": 404, "ChildNotFoundException": 404,
	"TargetNotFoundException": 404, "PolicyNotFoundException": 404, "RootNotFoundException": 404,
	"CreateAccountStatusNotFoundException": 404, "PolicyNotAttachedException": 404,
	"DuplicateOrganizationalUnitException": 409, "DuplicateAccountException": 409, "DuplicatePolicyException": 409,
	"DuplicatePolicyAttachmentException": 409, "OrganizationalUnitNotEmptyException": 409, "PolicyInUseException": 409,
	"PolicyTypeAlreadyEnabledException": 409, "PolicyTypeNotEnabledException": 409, "AccountAlreadyClosedException": 409,
	"MasterCannotLeaveOrganizationException": 409, "ConstraintViolationException": 409,
}

// wantCode fails unless err is the API error code with its HTTP status, and
// (for the exceptions that have one) the reason.
func wantCode(t *testing.T, call string, err error, code string, reason ...string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s = %v, want API error %s", call, err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("%s = %s (%s), want %s", call, ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if ae.ErrorMessage() == "" {
		t.Errorf("%s: %s has no message", call, code)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != statuses[code] {
		t.Errorf("%s: %s has HTTP status %d, want %d", call, code, re.HTTPStatusCode(), statuses[code])
	}
	if len(reason) == 0 {
		return
	}
	var got string
	var ii *types.InvalidInputException
	var cv *types.ConstraintViolationException
	switch {
	case errors.As(err, &ii):
		got = string(ii.Reason)
	case errors.As(err, &cv):
		got = string(cv.Reason)
	}
	if got != reason[0] {
		t.Errorf("%s: %s reason = %q, want %q", call, code, got, reason[0])
	}
}

// await polls a CreateAccount request until it leaves IN_PROGRESS; the
// deadline only stops a test whose worker never runs.
func await(t *testing.T, c *organizations.Client, id string) *types.CreateAccountStatus {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		out, err := c.DescribeCreateAccountStatus(t.Context(), &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String(id)})
		if err != nil {
			t.Fatalf("DescribeCreateAccountStatus(%s): %v", id, err)
		}
		if out.CreateAccountStatus.State != types.CreateAccountStateInProgress {
			return out.CreateAccountStatus
		}
	}
	t.Fatalf("CreateAccount request %s never completed", id)
	return nil
}

func mustCreateAccount(t *testing.T, c *organizations.Client, name, email string) string {
	t.Helper()
	out, err := c.CreateAccount(t.Context(), &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(email)})
	if err != nil {
		t.Fatalf("CreateAccount(%s): %v", name, err)
	}
	st := await(t, c, aws.ToString(out.CreateAccountStatus.Id))
	if st.State != types.CreateAccountStateSucceeded {
		t.Fatalf("CreateAccount(%s) = %s %s, want SUCCEEDED", name, st.State, st.FailureReason)
	}
	return aws.ToString(st.AccountId)
}

func mustCreateOU(t *testing.T, c *organizations.Client, parent, name string) *types.OrganizationalUnit {
	t.Helper()
	out, err := c.CreateOrganizationalUnit(t.Context(), &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateOrganizationalUnit(%s): %v", name, err)
	}
	return out.OrganizationalUnit
}

func rootOf(t *testing.T, c *organizations.Client) types.Root {
	t.Helper()
	out, err := c.ListRoots(t.Context(), &organizations.ListRootsInput{})
	if err != nil || len(out.Roots) != 1 {
		t.Fatalf("ListRoots = %v, %v, want one root", out, err)
	}
	return out.Roots[0]
}

var (
	orgIDRe     = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	rootIDRe    = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)
	accountIDRe = regexp.MustCompile(`^\d{12}$`)
	requestIDRe = regexp.MustCompile(`^car-[a-z0-9]{8,32}$`)
	policyIDRe  = regexp.MustCompile(`^p-[0-9a-z]{8}$`)
)

func TestDescribeOrganizationAndRoots(t *testing.T) {
	engines(t, func(t *testing.T, s *atriumtest.Server, c *organizations.Client) {
		out, err := c.DescribeOrganization(t.Context(), &organizations.DescribeOrganizationInput{})
		if err != nil {
			t.Fatal(err)
		}
		o := out.Organization
		id, mgmt := aws.ToString(o.Id), aws.ToString(o.MasterAccountId)
		if !orgIDRe.MatchString(id) || !accountIDRe.MatchString(mgmt) || o.FeatureSet != types.OrganizationFeatureSetAll {
			t.Errorf("DescribeOrganization = %+v", o)
		}
		if want := "arn:aws:organizations::" + mgmt + ":organization/" + id; aws.ToString(o.Arn) != want {
			t.Errorf("Organization.Arn = %s, want %s", aws.ToString(o.Arn), want)
		}
		if want := "arn:aws:organizations::" + mgmt + ":account/" + id + "/" + mgmt; aws.ToString(o.MasterAccountArn) != want {
			t.Errorf("MasterAccountArn = %s, want %s", aws.ToString(o.MasterAccountArn), want)
		}
		root := rootOf(t, c)
		rid := aws.ToString(root.Id)
		if !rootIDRe.MatchString(rid) || aws.ToString(root.Name) != "Root" || len(root.PolicyTypes) != 0 ||
			aws.ToString(root.Arn) != "arn:aws:organizations::"+mgmt+":root/"+id+"/"+rid {
			t.Errorf("ListRoots = %+v", root)
		}
		mgmtAcct, err := c.DescribeAccount(t.Context(), &organizations.DescribeAccountInput{AccountId: aws.String(mgmt)})
		if err != nil {
			t.Fatal(err)
		}
		a := mgmtAcct.Account
		if a.Status != types.AccountStatusActive || a.State != types.AccountStateActive || aws.ToString(a.Email) != aws.ToString(o.MasterAccountEmail) ||
			!slices.Equal(a.Paths, []string{id + "/" + rid + "/" + mgmt + "/"}) || a.JoinedTimestamp == nil {
			t.Errorf("DescribeAccount(management) = %+v", a)
		}

		_, err = c.ListRoots(t.Context(), &organizations.ListRootsInput{MaxResults: aws.Int32(21)})
		wantCode(t, "ListRoots(MaxResults 21)", err, "InvalidInputException", "MAX_VALUE_EXCEEDED")
		_, err = c.ListRoots(t.Context(), &organizations.ListRootsInput{MaxResults: aws.Int32(0)})
		wantCode(t, "ListRoots(MaxResults 0)", err, "InvalidInputException", "MIN_VALUE_EXCEEDED")
		_, err = c.ListRoots(t.Context(), &organizations.ListRootsInput{NextToken: aws.String("not a token")})
		wantCode(t, "ListRoots(bad token)", err, "InvalidInputException", "INVALID_NEXT_TOKEN")
	})
}

func TestCreateAccount(t *testing.T) {
	engines(t, func(t *testing.T, s *atriumtest.Server, c *organizations.Client) {
		ctx := t.Context()
		org, _ := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		root := rootOf(t, c)
		out, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{
			AccountName: aws.String("Production"), Email: aws.String("prod@example.com"),
			IamUserAccessToBilling: types.IAMUserAccessToBillingDeny, RoleName: aws.String("Admin"),
			Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ops")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		first := out.CreateAccountStatus
		if !requestIDRe.MatchString(aws.ToString(first.Id)) || first.State != types.CreateAccountStateInProgress ||
			aws.ToString(first.AccountName) != "Production" || first.RequestedTimestamp == nil || first.AccountId != nil {
			t.Errorf("CreateAccount = %+v, want IN_PROGRESS car-…", first)
		}
		st := await(t, c, aws.ToString(first.Id))
		acctID := aws.ToString(st.AccountId)
		if st.State != types.CreateAccountStateSucceeded || !accountIDRe.MatchString(acctID) || st.CompletedTimestamp == nil || st.FailureReason != "" {
			t.Fatalf("CreateAccount completed as %+v, want SUCCEEDED with an account id", st)
		}
		acct, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(acctID)})
		if err != nil {
			t.Fatal(err)
		}
		a := acct.Account
		orgID, mgmt := aws.ToString(org.Organization.Id), aws.ToString(org.Organization.MasterAccountId)
		if aws.ToString(a.Name) != "Production" || aws.ToString(a.Email) != "prod@example.com" || a.Status != types.AccountStatusActive ||
			a.JoinedMethod != types.AccountJoinedMethodCreated || aws.ToString(a.Arn) != "arn:aws:organizations::"+mgmt+":account/"+orgID+"/"+acctID ||
			!slices.Equal(a.Paths, []string{orgID + "/" + aws.ToString(root.Id) + "/" + acctID + "/"}) {
			t.Errorf("DescribeAccount(new) = %+v", a)
		}
		tags, err := c.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(acctID)})
		if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
			t.Errorf("ListTagsForResource(new account) = %v, %v, want the request's tags", tags, err)
		}

		// The same email, in another case: the request fails later.
		dup, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("Again"), Email: aws.String("PROD@example.com")})
		if err != nil {
			t.Fatal(err)
		}
		failed := await(t, c, aws.ToString(dup.CreateAccountStatus.Id))
		if failed.State != types.CreateAccountStateFailed || failed.FailureReason != types.CreateAccountFailureReasonEmailAlreadyExists || failed.AccountId != nil {
			t.Errorf("CreateAccount(duplicate email) = %+v, want FAILED EMAIL_ALREADY_EXISTS", failed)
		}

		lists := []struct {
			name   string
			states []types.CreateAccountState
			want   []string
		}{
			{"all", nil, []string{aws.ToString(first.Id), aws.ToString(dup.CreateAccountStatus.Id)}},
			{"succeeded", []types.CreateAccountState{types.CreateAccountStateSucceeded}, []string{aws.ToString(first.Id)}},
			{"failed", []types.CreateAccountState{types.CreateAccountStateFailed}, []string{aws.ToString(dup.CreateAccountStatus.Id)}},
			{"in progress", []types.CreateAccountState{types.CreateAccountStateInProgress}, nil},
		}
		for _, tc := range lists {
			out, err := c.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{States: tc.states})
			if err != nil {
				t.Fatalf("ListCreateAccountStatus(%s): %v", tc.name, err)
			}
			var ids []string
			for _, st := range out.CreateAccountStatuses {
				ids = append(ids, aws.ToString(st.Id))
			}
			slices.Sort(ids)
			slices.Sort(tc.want)
			if !slices.Equal(ids, tc.want) {
				t.Errorf("ListCreateAccountStatus(%s) = %v, want %v", tc.name, ids, tc.want)
			}
		}

		accts, err := c.ListAccounts(ctx, &organizations.ListAccountsInput{})
		if err != nil || len(accts.Accounts) != 2 {
			t.Errorf("ListAccounts = %v, %v, want the management account and the new one", accts, err)
		}

		errCases := []struct {
			name, code, reason string
			call               func() error
		}{
			{"bad email", "InvalidInputException", "INVALID_PATTERN", func() error {
				_, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("x"), Email: aws.String("not-an-email")})
				return err
			}},
			{"long name", "InvalidInputException", "MAX_LENGTH_EXCEEDED", func() error {
				_, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(strings.Repeat("n", 51)), Email: aws.String("x@example.com")})
				return err
			}},
			{"bad billing", "InvalidInputException", "INVALID_ENUM", func() error {
				_, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("x"), Email: aws.String("x@example.com"), IamUserAccessToBilling: "MAYBE"})
				return err
			}},
			{"bad role", "InvalidInputException", "INVALID_ROLE_NAME", func() error {
				_, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("x"), Email: aws.String("x@example.com"), RoleName: aws.String("no spaces")})
				return err
			}},
			{"missing request", "CreateAccountStatusNotFoundException", "", func() error {
				_, err := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String("car-00000000")})
				return err
			}},
			{"bad request id", "InvalidInputException", "INVALID_PATTERN", func() error {
				_, err := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String("car-UPPER")})
				return err
			}},
			{"bad state", "InvalidInputException", "INVALID_LIST_MEMBER", func() error {
				_, err := c.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{States: []types.CreateAccountState{"DONE"}})
				return err
			}},
			{"missing account", "AccountNotFoundException", "", func() error {
				_, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("000000000000")})
				return err
			}},
			{"bad account id", "InvalidInputException", "INVALID_PATTERN", func() error {
				_, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("12345")})
				return err
			}},
			{"empty account id", "InvalidInputException", "INPUT_REQUIRED", func() error {
				_, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String("")})
				return err
			}},
		}
		for _, tc := range errCases {
			wantCode(t, tc.name, tc.call(), tc.code, tc.reason)
		}
	})
}

func TestOrganizationalUnits(t *testing.T) {
	engines(t, func(t *testing.T, s *atriumtest.Server, c *organizations.Client) {
		ctx := t.Context()
		g, _ := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		orgID, mgmt := aws.ToString(g.Organization.Id), aws.ToString(g.Organization.MasterAccountId)
		root := aws.ToString(rootOf(t, c).Id)
		prod := mustCreateOU(t, c, root, "Prod")
		pid := aws.ToString(prod.Id)
		if !regexp.MustCompile(`^ou-`+strings.TrimPrefix(root, "r-")+`-[a-z0-9]{8}$`).MatchString(pid) ||
			aws.ToString(prod.Arn) != "arn:aws:organizations::"+mgmt+":ou/"+orgID+"/"+pid || aws.ToString(prod.Path) != orgID+"/"+root+"/"+pid+"/" {
			t.Errorf("CreateOrganizationalUnit = %+v", prod)
		}
		web := mustCreateOU(t, c, pid, "Web")
		wid := aws.ToString(web.Id)
		if aws.ToString(web.Path) != orgID+"/"+root+"/"+pid+"/"+wid+"/" {
			t.Errorf("nested OU path = %s", aws.ToString(web.Path))
		}
		mustCreateOU(t, c, root, "Dev")
		// The same name under another parent is fine.
		mustCreateOU(t, c, wid, "Prod")

		d, err := c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: web.Id})
		if err != nil || aws.ToString(d.OrganizationalUnit.Name) != "Web" {
			t.Errorf("DescribeOrganizationalUnit = %+v, %v", d, err)
		}
		u, err := c.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: web.Id, Name: aws.String("Frontend")})
		if err != nil || aws.ToString(u.OrganizationalUnit.Name) != "Frontend" || aws.ToString(u.OrganizationalUnit.Id) != wid {
			t.Errorf("UpdateOrganizationalUnit = %+v, %v", u, err)
		}

		// Listing and paging the root's OUs.
		p1, err := c.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(root), MaxResults: aws.Int32(1)})
		if err != nil || len(p1.OrganizationalUnits) != 1 || p1.NextToken == nil {
			t.Fatalf("ListOrganizationalUnitsForParent(page 1) = %+v, %v", p1, err)
		}
		p2, err := c.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(root), MaxResults: aws.Int32(1), NextToken: p1.NextToken})
		if err != nil || len(p2.OrganizationalUnits) != 1 || p2.NextToken != nil {
			t.Fatalf("ListOrganizationalUnitsForParent(page 2) = %+v, %v", p2, err)
		}
		names := []string{aws.ToString(p1.OrganizationalUnits[0].Name), aws.ToString(p2.OrganizationalUnits[0].Name)}
		slices.Sort(names)
		if !slices.Equal(names, []string{"Dev", "Prod"}) {
			t.Errorf("OUs of the root = %v, want Dev and Prod", names)
		}
		var paged []string
		pager := organizations.NewListChildrenPaginator(c, &organizations.ListChildrenInput{ParentId: aws.String(root), ChildType: types.ChildTypeOrganizationalUnit}, func(o *organizations.ListChildrenPaginatorOptions) { o.Limit = 1 })
		for pager.HasMorePages() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range page.Children {
				if ch.Type != types.ChildTypeOrganizationalUnit {
					t.Errorf("child %s has type %s", aws.ToString(ch.Id), ch.Type)
				}
				paged = append(paged, aws.ToString(ch.Id))
			}
		}
		if len(paged) != 2 || !slices.Contains(paged, pid) {
			t.Errorf("ListChildren(OUs, pages of 1) = %v", paged)
		}

		// Accounts: create one, move it down, list by parent.
		acct := mustCreateAccount(t, c, "Web prod", "web@example.com")
		if _, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(acct), SourceParentId: aws.String(root), DestinationParentId: web.Id}); err != nil {
			t.Fatal(err)
		}
		moved, _ := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(acct)})
		if want := []string{orgID + "/" + root + "/" + pid + "/" + wid + "/" + acct + "/"}; !slices.Equal(moved.Account.Paths, want) {
			t.Errorf("Paths after MoveAccount = %v, want %v", moved.Account.Paths, want)
		}
		under, err := c.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: web.Id})
		if err != nil || len(under.Accounts) != 1 || aws.ToString(under.Accounts[0].Id) != acct {
			t.Errorf("ListAccountsForParent(web) = %+v, %v", under, err)
		}
		atRoot, err := c.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: aws.String(root), ChildType: types.ChildTypeAccount})
		if err != nil || len(atRoot.Children) != 1 || aws.ToString(atRoot.Children[0].Id) != mgmt {
			t.Errorf("ListChildren(root, accounts) = %+v, %v, want the management account only", atRoot, err)
		}
		parents, err := c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(acct)})
		if err != nil || len(parents.Parents) != 1 || aws.ToString(parents.Parents[0].Id) != wid || parents.Parents[0].Type != types.ParentTypeOrganizationalUnit {
			t.Errorf("ListParents(account) = %+v, %v", parents, err)
		}
		parents, err = c.ListParents(ctx, &organizations.ListParentsInput{ChildId: prod.Id})
		if err != nil || len(parents.Parents) != 1 || aws.ToString(parents.Parents[0].Id) != root || parents.Parents[0].Type != types.ParentTypeRoot {
			t.Errorf("ListParents(OU) = %+v, %v", parents, err)
		}

		// Nesting is limited to five levels.
		parent := wid // level 2
		for _, name := range []string{"L3", "L4", "L5"} {
			parent = aws.ToString(mustCreateOU(t, c, parent, name).Id)
		}
		_, err = c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String("L6")})
		wantCode(t, "CreateOrganizationalUnit(level 6)", err, "ConstraintViolationException", "OU_DEPTH_LIMIT_EXCEEDED")

		missingOU := "ou-" + strings.TrimPrefix(root, "r-") + "-zzzzzzzz"
		errCases := []struct {
			name, code, reason string
			call               func() error
		}{
			{"duplicate name", "DuplicateOrganizationalUnitException", "", func() error {
				_, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String("Prod")})
				return err
			}},
			{"rename to a taken name", "DuplicateOrganizationalUnitException", "", func() error {
				_, err := c.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: prod.Id, Name: aws.String("Dev")})
				return err
			}},
			{"missing parent", "ParentNotFoundException", "", func() error {
				_, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(missingOU), Name: aws.String("x")})
				return err
			}},
			{"other root", "ParentNotFoundException", "", func() error {
				_, err := c.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String("r-zzzz")})
				return err
			}},
			{"bad parent id", "InvalidInputException", "INVALID_PATTERN", func() error {
				_, err := c.ListOrganizationalUnitsForParent(ctx, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String("ou-bad")})
				return err
			}},
			{"long name", "InvalidInputException", "MAX_LENGTH_EXCEEDED", func() error {
				_, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(root), Name: aws.String(strings.Repeat("n", 129))})
				return err
			}},
			{"describe missing", "OrganizationalUnitNotFoundException", "", func() error {
				_, err := c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(missingOU)})
				return err
			}},
			{"delete missing", "OrganizationalUnitNotFoundException", "", func() error {
				_, err := c.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(missingOU)})
				return err
			}},
			{"delete with an account", "OrganizationalUnitNotEmptyException", "", func() error {
				_, err := c.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: web.Id})
				return err
			}},
			{"delete with an OU", "OrganizationalUnitNotEmptyException", "", func() error {
				_, err := c.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: prod.Id})
				return err
			}},
			{"bad child type", "InvalidInputException", "INVALID_ENUM", func() error {
				_, err := c.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: aws.String(root), ChildType: "POLICY"})
				return err
			}},
			{"missing child", "ChildNotFoundException", "", func() error {
				_, err := c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String("000000000000")})
				return err
			}},
			{"move a missing account", "AccountNotFoundException", "", func() error {
				_, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String("000000000000"), SourceParentId: aws.String(root), DestinationParentId: prod.Id})
				return err
			}},
			{"move from a missing parent", "SourceParentNotFoundException", "", func() error {
				_, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(acct), SourceParentId: aws.String(missingOU), DestinationParentId: prod.Id})
				return err
			}},
			{"move from a parent it is not in", "SourceParentNotFoundException", "", func() error {
				_, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(acct), SourceParentId: aws.String(root), DestinationParentId: prod.Id})
				return err
			}},
			{"move to a missing parent", "DestinationParentNotFoundException", "", func() error {
				_, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(acct), SourceParentId: web.Id, DestinationParentId: aws.String(missingOU)})
				return err
			}},
			{"move where it is", "DuplicateAccountException", "", func() error {
				_, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(acct), SourceParentId: web.Id, DestinationParentId: web.Id})
				return err
			}},
		}
		for _, tc := range errCases {
			wantCode(t, tc.name, tc.call(), tc.code, tc.reason)
		}

		// Emptied, an OU can go.
		if _, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(acct), SourceParentId: web.Id, DestinationParentId: aws.String(root)}); err != nil {
			t.Fatal(err)
		}
		dev := aws.ToString(p1.OrganizationalUnits[0].Id)
		if aws.ToString(p1.OrganizationalUnits[0].Name) != "Dev" {
			dev = aws.ToString(p2.OrganizationalUnits[0].Id)
		}
		if _, err := c.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(dev)}); err != nil {
			t.Fatalf("DeleteOrganizationalUnit(empty) = %v", err)
		}
		_, err = c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(dev)})
		wantCode(t, "DescribeOrganizationalUnit(deleted)", err, "OrganizationalUnitNotFoundException")
	})
}

func TestCloseAndRemoveAccount(t *testing.T) {
	engines(t, func(t *testing.T, s *atriumtest.Server, c *organizations.Client) {
		ctx := t.Context()
		g, _ := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		mgmt := g.Organization.MasterAccountId
		closing := mustCreateAccount(t, c, "Old", "old@example.com")
		leaving := mustCreateAccount(t, c, "Leaving", "leaving@example.com")

		if _, err := c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(closing)}); err != nil {
			t.Fatal(err)
		}
		var state types.AccountState
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			out, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(closing)})
			if err != nil {
				t.Fatal(err)
			}
			if state = out.Account.State; state != types.AccountStatePendingClosure {
				if out.Account.Status != types.AccountStatusSuspended {
					t.Errorf("closed account status = %s", out.Account.Status)
				}
				break
			}
		}
		if state != types.AccountStateSuspended {
			t.Errorf("closed account state = %s, want PENDING_CLOSURE then SUSPENDED", state)
		}

		if _, err := c.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(leaving)}); err != nil {
			t.Fatal(err)
		}
		errCases := []struct {
			name, code, reason string
			call               func() error
		}{
			{"close again", "AccountAlreadyClosedException", "", func() error {
				_, err := c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(closing)})
				return err
			}},
			{"close the management account", "ConstraintViolationException", "CANNOT_CLOSE_MANAGEMENT_ACCOUNT", func() error {
				_, err := c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: mgmt})
				return err
			}},
			{"close a missing account", "AccountNotFoundException", "", func() error {
				_, err := c.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String("000000000000")})
				return err
			}},
			{"removed account", "AccountNotFoundException", "", func() error {
				_, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(leaving)})
				return err
			}},
			{"remove again", "AccountNotFoundException", "", func() error {
				_, err := c.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(leaving)})
				return err
			}},
			{"remove the management account", "MasterCannotLeaveOrganizationException", "", func() error {
				_, err := c.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: mgmt})
				return err
			}},
		}
		for _, tc := range errCases {
			wantCode(t, tc.name, tc.call(), tc.code, tc.reason)
		}
	})
}

func TestTags(t *testing.T) {
	engines(t, func(t *testing.T, s *atriumtest.Server, c *organizations.Client) {
		ctx := t.Context()
		root := aws.ToString(rootOf(t, c).Id)
		ou := aws.ToString(mustCreateOU(t, c, root, "Tagged").Id)
		g, _ := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		pol, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("p"), Description: aws.String(""), Type: types.PolicyTypeServiceControlPolicy,
			Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`)})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{root, ou, aws.ToString(g.Organization.MasterAccountId), aws.ToString(pol.Policy.PolicySummary.Id)} {
			_, err := c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(id), Tags: []types.Tag{
				{Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("c"), Value: aws.String("")},
			}})
			if err != nil {
				t.Fatalf("TagResource(%s): %v", id, err)
			}
			if _, err := c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(id), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("one")}}}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: aws.String(id), TagKeys: []string{"b", "never"}}); err != nil {
				t.Fatal(err)
			}
			out, err := c.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tag := range out.Tags {
				got = append(got, aws.ToString(tag.Key)+"="+aws.ToString(tag.Value))
			}
			if !slices.Equal(got, []string{"a=one", "c="}) {
				t.Errorf("ListTagsForResource(%s) = %v, want [a=one c=]", id, got)
			}
		}
		many := make([]types.Tag, 51)
		for i := range many {
			many[i] = types.Tag{Key: aws.String(strings.Repeat("k", i+1)), Value: aws.String("v")}
		}
		errCases := []struct {
			name, code, reason string
			call               func() error
		}{
			{"missing OU", "TargetNotFoundException", "", func() error {
				_, err := c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String("ou-" + strings.TrimPrefix(root, "r-") + "-zzzzzzzz"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
				return err
			}},
			{"missing account", "TargetNotFoundException", "", func() error {
				_, err := c.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String("000000000000")})
				return err
			}},
			{"missing policy", "TargetNotFoundException", "", func() error {
				_, err := c.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: aws.String("p-zzzzzzzz"), TagKeys: []string{"a"}})
				return err
			}},
			{"bad resource id", "InvalidInputException", "INVALID_PATTERN", func() error {
				_, err := c.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String("x-1")})
				return err
			}},
			{"bad key", "InvalidInputException", "INVALID_PATTERN", func() error {
				_, err := c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(ou), Tags: []types.Tag{{Key: aws.String("a*b"), Value: aws.String("v")}}})
				return err
			}},
			{"reserved key", "InvalidInputException", "INVALID_SYSTEM_TAGS_PARAMETER", func() error {
				_, err := c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(ou), Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}})
				return err
			}},
			{"duplicate key", "InvalidInputException", "DUPLICATE_TAG_KEY", func() error {
				_, err := c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(ou), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("k"), Value: aws.String("2")}}})
				return err
			}},
			{"too many tags", "ConstraintViolationException", "MAX_TAG_LIMIT_EXCEEDED", func() error {
				_, err := c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(ou), Tags: many})
				return err
			}},
			{"too many with the existing ones", "ConstraintViolationException", "MAX_TAG_LIMIT_EXCEEDED", func() error {
				_, err := c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(ou), Tags: many[2:]})
				return err
			}},
		}
		for _, tc := range errCases {
			wantCode(t, tc.name, tc.call(), tc.code, tc.reason)
		}
		// A refused call changes nothing.
		out, _ := c.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(ou)})
		if len(out.Tags) != 2 {
			t.Errorf("tags after refused calls = %v, want the 2 of before", out.Tags)
		}
	})
}

const denyS3 = `{"Version":"2012-10-17","Statement":[{"Sid":"DenyS3","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`

func TestServiceControlPolicies(t *testing.T) {
	engines(t, func(t *testing.T, s *atriumtest.Server, c *organizations.Client) {
		ctx := t.Context()
		g, _ := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		orgID, mgmt := aws.ToString(g.Organization.Id), aws.ToString(g.Organization.MasterAccountId)
		root := aws.ToString(rootOf(t, c).Id)
		before := aws.ToString(mustCreateOU(t, c, root, "Before").Id)
		scp := types.PolicyTypeServiceControlPolicy
		attached := func(target string) []string {
			t.Helper()
			out, err := c.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: scp})
			if err != nil {
				t.Fatalf("ListPoliciesForTarget(%s): %v", target, err)
			}
			var ids []string
			for _, p := range out.Policies {
				ids = append(ids, aws.ToString(p.Id))
			}
			slices.Sort(ids)
			return ids
		}

		// FullAWSAccess exists before SCPs are enabled, attached to nothing.
		list, err := c.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: scp})
		if err != nil || len(list.Policies) != 1 {
			t.Fatalf("ListPolicies = %+v, %v, want FullAWSAccess", list, err)
		}
		full := list.Policies[0]
		if aws.ToString(full.Id) != "p-FullAWSAccess" || !full.AwsManaged || aws.ToString(full.Name) != "FullAWSAccess" ||
			aws.ToString(full.Arn) != "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess" {
			t.Errorf("FullAWSAccess = %+v", full)
		}
		_, err = c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: full.Id, TargetId: aws.String(before)})
		wantCode(t, "AttachPolicy(SCPs disabled)", err, "PolicyTypeNotEnabledException")

		en, err := c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: scp})
		if err != nil {
			t.Fatal(err)
		}
		if len(en.Root.PolicyTypes) != 1 || en.Root.PolicyTypes[0].Type != scp || en.Root.PolicyTypes[0].Status != types.PolicyTypeStatusEnabled {
			t.Errorf("EnablePolicyType root = %+v", en.Root)
		}
		if r := rootOf(t, c); len(r.PolicyTypes) != 1 {
			t.Errorf("ListRoots after enabling: policy types %+v", r.PolicyTypes)
		}
		// Enabling attached FullAWSAccess everywhere; new OUs and accounts get it too.
		after := aws.ToString(mustCreateOU(t, c, before, "After").Id)
		acct := mustCreateAccount(t, c, "Member", "member@example.com")
		for _, target := range []string{root, before, after, mgmt, acct} {
			if got := attached(target); !slices.Equal(got, []string{"p-FullAWSAccess"}) {
				t.Errorf("policies of %s = %v, want FullAWSAccess", target, got)
			}
		}

		created, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("DenyS3"), Description: aws.String("No S3"),
			Type: scp, Content: aws.String(denyS3), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
		if err != nil {
			t.Fatal(err)
		}
		ps := created.Policy.PolicySummary
		pid := aws.ToString(ps.Id)
		if !policyIDRe.MatchString(pid) || ps.AwsManaged || aws.ToString(ps.Arn) != "arn:aws:organizations::"+mgmt+":policy/"+orgID+"/service_control_policy/"+pid ||
			aws.ToString(created.Policy.Content) != denyS3 || aws.ToString(ps.Description) != "No S3" {
			t.Errorf("CreatePolicy = %+v", created.Policy)
		}
		d, err := c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String(pid)})
		if err != nil || aws.ToString(d.Policy.Content) != denyS3 || aws.ToString(d.Policy.PolicySummary.Name) != "DenyS3" {
			t.Errorf("DescribePolicy = %+v, %v", d, err)
		}
		for _, target := range []string{before, acct} {
			if _, err := c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(pid), TargetId: aws.String(target)}); err != nil {
				t.Fatalf("AttachPolicy(%s): %v", target, err)
			}
		}
		if want := slices.Sorted(slices.Values([]string{"p-FullAWSAccess", pid})); !slices.Equal(attached(before), want) {
			t.Errorf("policies of the OU = %v, want %v", attached(before), want)
		}
		targets, err := c.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String(pid)})
		if err != nil || len(targets.Targets) != 2 {
			t.Fatalf("ListTargetsForPolicy = %+v, %v", targets, err)
		}
		for _, tg := range targets.Targets {
			switch aws.ToString(tg.TargetId) {
			case before:
				if tg.Type != types.TargetTypeOrganizationalUnit || aws.ToString(tg.Name) != "Before" || aws.ToString(tg.Arn) != "arn:aws:organizations::"+mgmt+":ou/"+orgID+"/"+before {
					t.Errorf("OU target = %+v", tg)
				}
			case acct:
				if tg.Type != types.TargetTypeAccount || aws.ToString(tg.Name) != "Member" {
					t.Errorf("account target = %+v", tg)
				}
			default:
				t.Errorf("unexpected target %+v", tg)
			}
		}
		fullTargets, err := c.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: full.Id, MaxResults: aws.Int32(2)})
		if err != nil || len(fullTargets.Targets) != 2 || fullTargets.NextToken == nil {
			t.Errorf("ListTargetsForPolicy(FullAWSAccess, 2) = %+v, %v, want a first page of 2", fullTargets, err)
		}

		// With DenyS3 there, FullAWSAccess may leave the OU; DenyS3, the last, may not.
		if _, err := c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: full.Id, TargetId: aws.String(before)}); err != nil {
			t.Fatalf("DetachPolicy(FullAWSAccess): %v", err)
		}
		upd, err := c.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(pid), Name: aws.String("DenyS3Renamed")})
		if err != nil || aws.ToString(upd.Policy.PolicySummary.Name) != "DenyS3Renamed" || aws.ToString(upd.Policy.PolicySummary.Description) != "No S3" || aws.ToString(upd.Policy.Content) != denyS3 {
			t.Errorf("UpdatePolicy(name) = %+v, %v", upd, err)
		}
		other, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("Unused"), Description: aws.String(""), Type: scp, Content: aws.String(denyS3)})
		if err != nil {
			t.Fatal(err)
		}
		big := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Sid":"` + strings.Repeat("A", 5100) + `"}]}`
		errCases := []struct {
			name, code, reason string
			call               func() error
		}{
			{"enable twice", "PolicyTypeAlreadyEnabledException", "", func() error {
				_, err := c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: scp})
				return err
			}},
			{"enable on another root", "RootNotFoundException", "", func() error {
				_, err := c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String("r-zzzz"), PolicyType: scp})
				return err
			}},
			{"enable an unknown type", "InvalidInputException", "INVALID_ENUM_POLICY_TYPE", func() error {
				_, err := c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(root), PolicyType: "NO_POLICY"})
				return err
			}},
			{"detach the last SCP", "ConstraintViolationException", "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", func() error {
				_, err := c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String(pid), TargetId: aws.String(before)})
				return err
			}},
			{"detach what is not attached", "PolicyNotAttachedException", "", func() error {
				_, err := c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: other.Policy.PolicySummary.Id, TargetId: aws.String(before)})
				return err
			}},
			{"attach twice", "DuplicatePolicyAttachmentException", "", func() error {
				_, err := c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(pid), TargetId: aws.String(acct)})
				return err
			}},
			{"attach to a missing target", "TargetNotFoundException", "", func() error {
				_, err := c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(pid), TargetId: aws.String("000000000000")})
				return err
			}},
			{"attach a missing policy", "PolicyNotFoundException", "", func() error {
				_, err := c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String("p-zzzzzzzz"), TargetId: aws.String(acct)})
				return err
			}},
			{"attach to a bad target", "InvalidInputException", "INVALID_PATTERN", func() error {
				_, err := c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String(pid), TargetId: aws.String("p-zzzzzzzz")})
				return err
			}},
			{"delete an attached policy", "PolicyInUseException", "", func() error {
				_, err := c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(pid)})
				return err
			}},
			{"delete FullAWSAccess", "InvalidInputException", "IMMUTABLE_POLICY", func() error {
				_, err := c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: full.Id})
				return err
			}},
			{"update FullAWSAccess", "InvalidInputException", "IMMUTABLE_POLICY", func() error {
				_, err := c.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: full.Id, Name: aws.String("Mine")})
				return err
			}},
			{"duplicate name", "DuplicatePolicyException", "", func() error {
				_, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("Unused"), Description: aws.String(""), Type: scp, Content: aws.String(denyS3)})
				return err
			}},
			{"the AWS-managed name", "DuplicatePolicyException", "", func() error {
				_, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("FullAWSAccess"), Description: aws.String(""), Type: scp, Content: aws.String(denyS3)})
				return err
			}},
			{"rename to a taken name", "DuplicatePolicyException", "", func() error {
				_, err := c.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: other.Policy.PolicySummary.Id, Name: aws.String("DenyS3Renamed")})
				return err
			}},
			{"not JSON", "MalformedPolicyDocumentException", "", func() error {
				_, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("bad"), Description: aws.String(""), Type: scp, Content: aws.String(`{"Version":`)})
				return err
			}},
			{"a principal in an SCP", "MalformedPolicyDocumentException", "", func() error {
				_, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("bad"), Description: aws.String(""), Type: scp,
					Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`)})
				return err
			}},
			{"update to a malformed document", "MalformedPolicyDocumentException", "", func() error {
				_, err := c.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: aws.String(pid), Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}`)})
				return err
			}},
			{"too large", "ConstraintViolationException", "POLICY_CONTENT_LIMIT_EXCEEDED", func() error {
				_, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("big"), Description: aws.String(""), Type: scp, Content: aws.String(big)})
				return err
			}},
			{"long description", "InvalidInputException", "MAX_LENGTH_EXCEEDED", func() error {
				_, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("long"), Description: aws.String(strings.Repeat("d", 513)), Type: scp, Content: aws.String(denyS3)})
				return err
			}},
			{"describe a missing policy", "PolicyNotFoundException", "", func() error {
				_, err := c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-zzzzzzzz")})
				return err
			}},
			{"targets of a missing policy", "PolicyNotFoundException", "", func() error {
				_, err := c.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: aws.String("p-zzzzzzzz")})
				return err
			}},
			{"policies of a missing target", "TargetNotFoundException", "", func() error {
				_, err := c.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String("000000000000"), Filter: scp})
				return err
			}},
			{"list an unknown type", "InvalidInputException", "INVALID_ENUM_POLICY_TYPE", func() error {
				_, err := c.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: "NOPE"})
				return err
			}},
		}
		for _, tc := range errCases {
			wantCode(t, tc.name, tc.call(), tc.code, tc.reason)
		}
		// Five SCPs per target at most.
		for i := range 4 {
			p, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("n" + string(rune('a'+i))), Description: aws.String(""), Type: scp, Content: aws.String(denyS3)})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p.Policy.PolicySummary.Id, TargetId: aws.String(root)})
			if i < 4 && err != nil {
				t.Fatalf("AttachPolicy(%d): %v", i+2, err)
			}
		}
		_, err = c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: other.Policy.PolicySummary.Id, TargetId: aws.String(root)})
		wantCode(t, "AttachPolicy(6th)", err, "ConstraintViolationException", "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")

		if _, err := c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: other.Policy.PolicySummary.Id}); err != nil {
			t.Fatalf("DeletePolicy(detached) = %v", err)
		}
		_, err = c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: other.Policy.PolicySummary.Id})
		wantCode(t, "DescribePolicy(deleted)", err, "PolicyNotFoundException")

		// Disabling detaches every SCP.
		dis, err := c.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: aws.String(root), PolicyType: scp})
		if err != nil || len(dis.Root.PolicyTypes) != 0 {
			t.Fatalf("DisablePolicyType = %+v, %v", dis, err)
		}
		for _, target := range []string{root, before, acct} {
			if got := attached(target); len(got) != 0 {
				t.Errorf("policies of %s after disabling = %v, want none", target, got)
			}
		}
		_, err = c.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: aws.String(root), PolicyType: scp})
		wantCode(t, "DisablePolicyType(twice)", err, "PolicyTypeNotEnabledException")
		if _, err := c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String(pid)}); err != nil {
			t.Errorf("DeletePolicy(after disabling) = %v", err)
		}
	})
}

// TestAuthorization: a principal may do what its policies allow on the
// resources they name, and nothing else.
func TestAuthorization(t *testing.T) {
	engines(t, func(t *testing.T, s *atriumtest.Server, admin *organizations.Client) {
		ctx := t.Context()
		root := aws.ToString(rootOf(t, admin).Id)
		allowed := aws.ToString(mustCreateOU(t, admin, root, "Allowed").Id)
		other := aws.ToString(mustCreateOU(t, admin, root, "Other").Id)
		creds := s.NewPrincipal(t, "ou-reader", `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"organizations:DescribeOrganization","Resource":"*"},
			{"Effect":"Allow","Action":"organizations:DescribeOrganizationalUnit","Resource":"arn:aws:organizations::*:ou/*/`+allowed+`"}]}`)
		c := organizations.NewFromConfig(s.AWSConfigFor(creds))
		if _, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
			t.Errorf("DescribeOrganization(allowed) = %v", err)
		}
		if _, err := c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(allowed)}); err != nil {
			t.Errorf("DescribeOrganizationalUnit(allowed OU) = %v", err)
		}
		_, err := c.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(other)})
		wantCode(t, "DescribeOrganizationalUnit(other OU)", err, "AccessDeniedException")
		_, err = c.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("x"), Email: aws.String("x@example.com")})
		wantCode(t, "CreateAccount(not allowed)", err, "AccessDeniedException")
		st, err := admin.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{})
		if err != nil || len(st.CreateAccountStatuses) != 0 {
			t.Errorf("requests after a denied CreateAccount = %+v, %v, want none", st, err)
		}
	})
}
