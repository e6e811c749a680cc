package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

// orgFixture makes an instance with an organization (root r-ab12) and
// returns both.
func orgFixture(t *testing.T, s store.Store, n int) (*org.Instance, *org.Organization) {
	t.Helper()
	in := mustInstance(t, s, n)
	o := &org.Organization{ID: fmt.Sprintf("o-abcdef%04d", n), InstanceID: in.ID, RootID: "r-ab12", ManagementAccountID: in.OwnerAccountID,
		ManagementEmail: fmt.Sprintf("root%d@example.com", n), FeatureSet: "ALL", CreatedAt: t0}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateOrganization(ctx, o) })
	return in, o
}

func accountFixture(in *org.Instance, id, parent string) *org.Account {
	return &org.Account{ID: id, InstanceID: in.ID, Name: "acct " + id, Email: id + "@Example.com", Status: org.AccountActive,
		ParentID: parent, JoinedAt: t0, JoinMethod: org.JoinedCreated}
}

func accountIDs(as []org.Account) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

// testOrgTree covers accounts and organizational units: listings by parent,
// the subtree and ancestor queries, updates, deletes.
func testOrgTree(t *testing.T, s store.Store) {
	in, o := orgFixture(t, s, 1)
	other, _ := orgFixture(t, s, 2)
	// r-ab12 ─ ou-ab12-aaaaaaaa ─ ou-ab12-bbbbbbbb ─ ou-ab12-cccccccc
	//        └ ou-ab12-dddddddd
	ous := []*org.OrganizationalUnit{
		{ID: "ou-ab12-aaaaaaaa", ParentID: o.RootID, Name: "Prod"},
		{ID: "ou-ab12-bbbbbbbb", ParentID: "ou-ab12-aaaaaaaa", Name: "Web"},
		{ID: "ou-ab12-cccccccc", ParentID: "ou-ab12-bbbbbbbb", Name: "Edge ✓"},
		{ID: "ou-ab12-dddddddd", ParentID: o.RootID, Name: "Dev"},
	}
	accts := []*org.Account{
		accountFixture(in, "100000000001", o.RootID),
		accountFixture(in, "100000000002", "ou-ab12-aaaaaaaa"),
		accountFixture(in, "100000000003", "ou-ab12-bbbbbbbb"),
		accountFixture(in, "100000000004", "ou-ab12-cccccccc"),
		accountFixture(in, "100000000005", "ou-ab12-dddddddd"),
		accountFixture(in, "100000000006", "ou-ab12-cccccccc"),
	}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.LockOrganization(ctx, in.ID); err != nil {
			return err
		}
		for _, u := range ous {
			u.InstanceID, u.CreatedAt = in.ID, t0
			if err := tx.CreateOrganizationalUnit(ctx, u); err != nil {
				return err
			}
		}
		for _, a := range accts {
			if err := tx.CreateAccount(ctx, a); err != nil {
				return err
			}
		}
		// The other instance has an account of the same parent id.
		return tx.CreateAccount(ctx, accountFixture(other, "200000000001", "ou-ab12-aaaaaaaa"))
	})

	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.GetOrganizationalUnit(ctx, in.ID, "ou-ab12-cccccccc")
		if err != nil {
			t.Fatalf("GetOrganizationalUnit() = %v", err)
		}
		want := *ous[2]
		want.CreatedAt = stored(t0)
		if d := diff(*got, want); d != "" {
			t.Errorf("GetOrganizationalUnit() differs:\n%s", d)
		}
		under := []struct {
			name      string
			parent    string
			recursive bool
			want      []string
		}{
			{"root, direct", o.RootID, false, []string{"100000000001"}},
			{"root, all", o.RootID, true, []string{"100000000001", "100000000002", "100000000003", "100000000004", "100000000005", "100000000006"}},
			{"OU, direct", "ou-ab12-aaaaaaaa", false, []string{"100000000002"}},
			{"OU, all", "ou-ab12-aaaaaaaa", true, []string{"100000000002", "100000000003", "100000000004", "100000000006"}},
			{"leaf OU", "ou-ab12-cccccccc", true, []string{"100000000004", "100000000006"}},
			{"missing OU", "ou-ab12-zzzzzzzz", true, []string{}},
		}
		for _, tc := range under {
			got, err := tx.ListAccountsUnder(ctx, in.ID, tc.parent, tc.recursive)
			if err != nil {
				t.Fatalf("ListAccountsUnder(%s) = %v", tc.name, err)
			}
			if ids := accountIDs(got); !slices.Equal(ids, tc.want) {
				t.Errorf("ListAccountsUnder(%s, %s, %v) = %v, want %v", tc.name, tc.parent, tc.recursive, ids, tc.want)
			}
		}
		paths := []struct {
			account string
			want    []string
		}{
			{"100000000001", []string{o.RootID}},
			{"100000000004", []string{o.RootID, "ou-ab12-aaaaaaaa", "ou-ab12-bbbbbbbb", "ou-ab12-cccccccc"}},
			{"100000000005", []string{o.RootID, "ou-ab12-dddddddd"}},
		}
		for _, tc := range paths {
			got, err := tx.AccountParentPath(ctx, in.ID, tc.account)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("AccountParentPath(%s) = %v, %v, want %v", tc.account, got, err, tc.want)
			}
		}
		if got, err := tx.OrganizationalUnitParentPath(ctx, in.ID, "ou-ab12-cccccccc"); err != nil || !slices.Equal(got, []string{o.RootID, "ou-ab12-aaaaaaaa", "ou-ab12-bbbbbbbb"}) {
			t.Errorf("OrganizationalUnitParentPath() = %v, %v", got, err)
		}
		_, err = tx.AccountParentPath(ctx, other.ID, "100000000004")
		wantErr(t, "AccountParentPath(other instance)", err, store.ErrNotFound)
		_, err = tx.GetOrganizationalUnit(ctx, other.ID, "ou-ab12-aaaaaaaa")
		wantErr(t, "GetOrganizationalUnit(other instance)", err, store.ErrNotFound)

		// Listings page by id.
		page1, err := tx.ListOrganizationalUnits(ctx, in.ID, o.RootID, store.Page{Limit: 1})
		if err != nil || len(page1) != 1 || page1[0].ID != "ou-ab12-aaaaaaaa" {
			t.Errorf("ListOrganizationalUnits(limit 1) = %v, %v", page1, err)
		}
		page2, err := tx.ListOrganizationalUnits(ctx, in.ID, o.RootID, store.Page{After: "ou-ab12-aaaaaaaa", Limit: 5})
		if err != nil || len(page2) != 1 || page2[0].ID != "ou-ab12-dddddddd" {
			t.Errorf("ListOrganizationalUnits(after) = %v, %v", page2, err)
		}
		all, err := tx.ListAccounts(ctx, in.ID, store.AccountQuery{Page: store.Page{After: "100000000002", Limit: 3}})
		if ids := accountIDs(all); err != nil || !slices.Equal(ids, []string{"100000000003", "100000000004", "100000000005"}) {
			t.Errorf("ListAccounts(after, limit 3) = %v, %v", ids, err)
		}
		byParent, err := tx.ListAccounts(ctx, in.ID, store.AccountQuery{ParentID: "ou-ab12-cccccccc"})
		if ids := accountIDs(byParent); err != nil || !slices.Equal(ids, []string{"100000000004", "100000000006"}) {
			t.Errorf("ListAccounts(parent) = %v, %v", ids, err)
		}
		if n, err := tx.CountAccounts(ctx, in.ID); n != 6 || err != nil {
			t.Errorf("CountAccounts() = %d, %v, want 6", n, err)
		}
		found, err := tx.FindAccountByEmail(ctx, in.ID, "100000000003@EXAMPLE.COM")
		if err != nil || found.ID != "100000000003" {
			t.Errorf("FindAccountByEmail(other case) = %v, %v", found, err)
		}
		_, err = tx.FindAccountByEmail(ctx, other.ID, "100000000003@example.com")
		wantErr(t, "FindAccountByEmail(other instance)", err, store.ErrNotFound)
		return nil
	})

	errCases := []struct {
		name string
		fn   func(ctx context.Context, tx store.Tx) error
		want error
	}{
		{"OU name taken under its parent", func(ctx context.Context, tx store.Tx) error {
			return tx.CreateOrganizationalUnit(ctx, &org.OrganizationalUnit{ID: "ou-ab12-eeeeeeee", InstanceID: in.ID, ParentID: o.RootID, Name: "Prod", CreatedAt: t0})
		}, store.ErrConflict},
		{"OU name taken by rename", func(ctx context.Context, tx store.Tx) error {
			u := *ous[3]
			u.Name = "Prod"
			return tx.UpdateOrganizationalUnit(ctx, &u)
		}, store.ErrConflict},
		{"email taken, other case", func(ctx context.Context, tx store.Tx) error {
			a := accountFixture(in, "100000000009", o.RootID)
			a.Email = "100000000001@EXAMPLE.com"
			return tx.CreateAccount(ctx, a)
		}, store.ErrConflict},
		{"update missing account", func(ctx context.Context, tx store.Tx) error {
			return tx.UpdateAccount(ctx, accountFixture(in, "100000000099", o.RootID))
		}, store.ErrNotFound},
		{"update account of another instance", func(ctx context.Context, tx store.Tx) error {
			return tx.UpdateAccount(ctx, accountFixture(other, "100000000001", o.RootID))
		}, store.ErrNotFound},
		{"delete missing OU", func(ctx context.Context, tx store.Tx) error {
			return tx.DeleteOrganizationalUnit(ctx, in.ID, "ou-ab12-zzzzzzzz")
		}, store.ErrNotFound},
		{"delete account of another instance", func(ctx context.Context, tx store.Tx) error {
			return tx.DeleteAccount(ctx, other.ID, "100000000001")
		}, store.ErrNotFound},
		{"lock organization of an instance without one", func(ctx context.Context, tx store.Tx) error {
			return tx.LockOrganization(ctx, "ssoins-0000000000000000")
		}, store.ErrNotFound},
		{"same OU name under another parent", func(ctx context.Context, tx store.Tx) error {
			return tx.CreateOrganizationalUnit(ctx, &org.OrganizationalUnit{ID: "ou-ab12-ffffffff", InstanceID: in.ID, ParentID: "ou-ab12-dddddddd", Name: "Prod", CreatedAt: t0})
		}, nil},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, tc.name, write(t, s, tc.fn), tc.want)
		})
	}

	// Move, rename, close, delete.
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		a := *accts[3]
		a.ParentID, a.Status, a.Name = o.RootID, org.AccountPendingClosure, "renamed"
		if err := tx.UpdateAccount(ctx, &a); err != nil {
			return err
		}
		u := *ous[2]
		u.Name, u.ParentID = "Edge 2", "ou-ab12-dddddddd"
		if err := tx.UpdateOrganizationalUnit(ctx, &u); err != nil {
			return err
		}
		if err := tx.SetOrgTags(ctx, in.ID, "100000000001", []org.Tag{{Key: "k", Value: "v"}}); err != nil {
			return err
		}
		if err := tx.DeleteAccount(ctx, in.ID, "100000000001"); err != nil {
			return err
		}
		return tx.DeleteOrganizationalUnit(ctx, in.ID, "ou-ab12-ffffffff")
	})
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		a, err := tx.GetAccount(ctx, in.ID, "100000000004")
		if err != nil || a.ParentID != o.RootID || a.Status != org.AccountPendingClosure || a.Name != "renamed" {
			t.Errorf("GetAccount(after UpdateAccount) = %+v, %v", a, err)
		}
		if p, err := tx.AccountParentPath(ctx, in.ID, "100000000006"); err != nil || !slices.Equal(p, []string{o.RootID, "ou-ab12-dddddddd", "ou-ab12-cccccccc"}) {
			t.Errorf("AccountParentPath(after moving its OU) = %v, %v", p, err)
		}
		_, err = tx.GetAccount(ctx, in.ID, "100000000001")
		wantErr(t, "GetAccount(deleted)", err, store.ErrNotFound)
		if tags, err := tx.ListOrgTags(ctx, in.ID, "100000000001", store.Page{}); err != nil || len(tags) != 0 {
			t.Errorf("ListOrgTags(deleted account) = %v, %v, want none", tags, err)
		}
		if _, err := tx.GetAccount(ctx, other.ID, "200000000001"); err != nil {
			t.Errorf("GetAccount(other instance's) = %v", err)
		}
		return nil
	})
}

// testOrgPolicies covers policy types, policies (with the shared
// AWS-managed FullAWSAccess), attachments and tags.
func testOrgPolicies(t *testing.T, s store.Store) {
	in, o := orgFixture(t, s, 1)
	other, _ := orgFixture(t, s, 2)
	scp := org.ServiceControlPolicy
	p1 := &org.Policy{ID: "p-bbbbbbbb", InstanceID: in.ID, Type: scp, Name: "DenyS3", Description: "no s3 ✓", Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`}
	p2 := &org.Policy{ID: "p-aaaaaaaa", InstanceID: in.ID, Type: scp, Name: "DenyEC2", Content: `{}`}
	tagPolicy := &org.Policy{ID: "p-cccccccc", InstanceID: in.ID, Type: "TAG_POLICY", Name: "DenyS3", Content: `{}`}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, p := range []*org.Policy{p1, p2, tagPolicy} {
			if err := tx.CreateOrgPolicy(ctx, p); err != nil {
				return err
			}
		}
		if err := tx.SetPolicyType(ctx, in.ID, scp, org.PolicyTypeEnabled); err != nil {
			return err
		}
		for _, a := range []struct{ policy, target, typ string }{
			{org.FullAWSAccessID, o.RootID, org.TypeRoot},
			{org.FullAWSAccessID, "100000000001", org.TypeAccount},
			{p1.ID, "ou-ab12-aaaaaaaa", org.TypeOrganizationalUnit},
			{p1.ID, o.RootID, org.TypeRoot},
			{tagPolicy.ID, o.RootID, org.TypeRoot},
		} {
			if err := tx.AttachOrgPolicy(ctx, in.ID, a.policy, org.PolicyTarget{TargetID: a.target, Type: a.typ}); err != nil {
				return err
			}
		}
		return tx.SetOrgTags(ctx, in.ID, p1.ID, []org.Tag{{Key: "b", Value: "1"}, {Key: "a", Value: "2"}})
	})
	policyIDs := func(ps []org.Policy) []string {
		out := []string{}
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.GetOrgPolicy(ctx, in.ID, p1.ID)
		if err != nil {
			t.Fatalf("GetOrgPolicy() = %v", err)
		}
		if d := diff(*got, *p1); d != "" {
			t.Errorf("GetOrgPolicy() differs:\n%s", d)
		}
		full, err := tx.GetOrgPolicy(ctx, other.ID, org.FullAWSAccessID)
		if err != nil || !full.AWSManaged || full.Name != "FullAWSAccess" || full.InstanceID != "" || full.Type != scp {
			t.Errorf("GetOrgPolicy(FullAWSAccess) = %+v, %v, want the AWS-managed policy in every instance", full, err)
		}
		_, err = tx.GetOrgPolicy(ctx, other.ID, p1.ID)
		wantErr(t, "GetOrgPolicy(other instance)", err, store.ErrNotFound)
		list, err := tx.ListOrgPolicies(ctx, in.ID, scp, store.Page{})
		if ids := policyIDs(list); err != nil || !slices.Equal(ids, []string{org.FullAWSAccessID, p2.ID, p1.ID}) {
			t.Errorf("ListOrgPolicies() = %v, %v", ids, err)
		}
		list, err = tx.ListOrgPolicies(ctx, in.ID, scp, store.Page{After: org.FullAWSAccessID, Limit: 1})
		if ids := policyIDs(list); err != nil || !slices.Equal(ids, []string{p2.ID}) {
			t.Errorf("ListOrgPolicies(after, limit 1) = %v, %v", ids, err)
		}
		list, err = tx.ListOrgPolicies(ctx, other.ID, scp, store.Page{})
		if ids := policyIDs(list); err != nil || !slices.Equal(ids, []string{org.FullAWSAccessID}) {
			t.Errorf("ListOrgPolicies(other instance) = %v, %v", ids, err)
		}
		forRoot, err := tx.ListOrgPoliciesForTarget(ctx, in.ID, o.RootID, scp, store.Page{})
		if ids := policyIDs(forRoot); err != nil || !slices.Equal(ids, []string{org.FullAWSAccessID, p1.ID}) {
			t.Errorf("ListOrgPoliciesForTarget(root) = %v, %v", ids, err)
		}
		targets, err := tx.ListOrgPolicyTargets(ctx, in.ID, p1.ID, store.Page{})
		want := []org.PolicyTarget{{TargetID: "ou-ab12-aaaaaaaa", Type: org.TypeOrganizationalUnit}, {TargetID: o.RootID, Type: org.TypeRoot}}
		if err != nil || !slices.Equal(targets, want) {
			t.Errorf("ListOrgPolicyTargets() = %v, %v, want %v", targets, err, want)
		}
		if targets, err := tx.ListOrgPolicyTargets(ctx, other.ID, org.FullAWSAccessID, store.Page{}); err != nil || len(targets) != 0 {
			t.Errorf("ListOrgPolicyTargets(other instance) = %v, %v, want none", targets, err)
		}
		types, err := tx.ListPolicyTypes(ctx, in.ID)
		if err != nil || !slices.Equal(types, []org.PolicyTypeSummary{{Type: scp, Status: org.PolicyTypeEnabled}}) {
			t.Errorf("ListPolicyTypes() = %v, %v", types, err)
		}
		tags, err := tx.ListOrgTags(ctx, in.ID, p1.ID, store.Page{})
		if err != nil || !slices.Equal(tags, []org.Tag{{Key: "a", Value: "2"}, {Key: "b", Value: "1"}}) {
			t.Errorf("ListOrgTags() = %v, %v", tags, err)
		}
		return nil
	})

	errCases := []struct {
		name string
		fn   func(ctx context.Context, tx store.Tx) error
		want error
	}{
		{"name taken", func(ctx context.Context, tx store.Tx) error {
			p := *p2
			p.ID = "p-dddddddd"
			return tx.CreateOrgPolicy(ctx, &p)
		}, store.ErrConflict},
		{"name of an AWS-managed policy", func(ctx context.Context, tx store.Tx) error {
			p := *p2
			p.ID, p.Name = "p-dddddddd", "FullAWSAccess"
			return tx.CreateOrgPolicy(ctx, &p)
		}, store.ErrConflict},
		{"renamed to a taken name", func(ctx context.Context, tx store.Tx) error {
			p := *p2
			p.Name = p1.Name
			return tx.UpdateOrgPolicy(ctx, &p)
		}, store.ErrConflict},
		{"attached twice", func(ctx context.Context, tx store.Tx) error {
			return tx.AttachOrgPolicy(ctx, in.ID, p1.ID, org.PolicyTarget{TargetID: o.RootID, Type: org.TypeRoot})
		}, store.ErrConflict},
		{"detach what is not attached", func(ctx context.Context, tx store.Tx) error {
			return tx.DetachOrgPolicy(ctx, in.ID, p2.ID, o.RootID)
		}, store.ErrNotFound},
		{"update the AWS-managed policy", func(ctx context.Context, tx store.Tx) error {
			return tx.UpdateOrgPolicy(ctx, &org.Policy{ID: org.FullAWSAccessID, InstanceID: in.ID, Type: scp, Name: "x", Content: "{}"})
		}, store.ErrNotFound},
		{"delete the AWS-managed policy", func(ctx context.Context, tx store.Tx) error {
			return tx.DeleteOrgPolicy(ctx, "", org.FullAWSAccessID)
		}, store.ErrNotFound},
		{"delete another instance's policy", func(ctx context.Context, tx store.Tx) error {
			return tx.DeleteOrgPolicy(ctx, other.ID, p1.ID)
		}, store.ErrNotFound},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, tc.name, write(t, s, tc.fn), tc.want)
		})
	}

	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		p := *p2
		p.Name, p.Description, p.Content = "Renamed", "d", `{"x":1}`
		if err := tx.UpdateOrgPolicy(ctx, &p); err != nil {
			return err
		}
		if err := tx.DeleteOrgTags(ctx, in.ID, p1.ID, []string{"a", "missing"}); err != nil {
			return err
		}
		if err := tx.SetOrgTags(ctx, in.ID, p1.ID, []org.Tag{{Key: "b", Value: "changed"}}); err != nil {
			return err
		}
		if err := tx.DetachOrgPolicy(ctx, in.ID, p1.ID, "ou-ab12-aaaaaaaa"); err != nil {
			return err
		}
		if err := tx.DetachOrgPoliciesOfType(ctx, in.ID, scp); err != nil {
			return err
		}
		if err := tx.SetPolicyType(ctx, in.ID, scp, ""); err != nil {
			return err
		}
		return tx.DeleteOrgPolicy(ctx, in.ID, p2.ID)
	})
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		if tags, err := tx.ListOrgTags(ctx, in.ID, p1.ID, store.Page{}); err != nil || !slices.Equal(tags, []org.Tag{{Key: "b", Value: "changed"}}) {
			t.Errorf("ListOrgTags(after delete and set) = %v, %v", tags, err)
		}
		if ps, err := tx.ListOrgPoliciesForTarget(ctx, in.ID, o.RootID, scp, store.Page{}); err != nil || len(ps) != 0 {
			t.Errorf("ListOrgPoliciesForTarget(after DetachOrgPoliciesOfType) = %v, %v, want none", policyIDs(ps), err)
		}
		if ps, err := tx.ListOrgPoliciesForTarget(ctx, in.ID, o.RootID, "TAG_POLICY", store.Page{}); err != nil || len(ps) != 1 {
			t.Errorf("ListOrgPoliciesForTarget(tag policies) = %v, %v, want the tag policy still attached", policyIDs(ps), err)
		}
		if types, err := tx.ListPolicyTypes(ctx, in.ID); err != nil || len(types) != 0 {
			t.Errorf("ListPolicyTypes(after removal) = %v, %v", types, err)
		}
		_, err := tx.GetOrgPolicy(ctx, in.ID, p2.ID)
		wantErr(t, "GetOrgPolicy(deleted)", err, store.ErrNotFound)
		if _, err := tx.GetOrgPolicy(ctx, in.ID, org.FullAWSAccessID); err != nil {
			t.Errorf("GetOrgPolicy(FullAWSAccess) after detaching = %v", err)
		}
		return nil
	})
}

// testCreateAccountRequests covers CreateAccount requests and the claims of
// the background worker.
func testCreateAccountRequests(t *testing.T, s store.Store) {
	in, _ := orgFixture(t, s, 1)
	other, _ := orgFixture(t, s, 2)
	req := func(in *org.Instance, id string, at time.Duration) *org.CreateAccountStatus {
		return &org.CreateAccountStatus{ID: id, InstanceID: in.ID, AccountName: "acct " + id, Email: id + "@example.com",
			RoleName: org.DefaultRoleName, IAMUserAccessToBilling: "ALLOW", Tags: []org.Tag{{Key: "team", Value: "ops"}},
			State: org.CreateInProgress, RequestedAt: t0.Add(at)}
	}
	r1 := req(in, "car-bbbbbbbb", 0)
	r2 := req(other, "car-aaaaaaaa", time.Second)
	r3 := req(in, "car-cccccccc", 2*time.Second)
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, r := range []*org.CreateAccountStatus{r1, r2, r3} {
			if err := tx.CreateAccountRequest(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	wantErr(t, "CreateAccountRequest(id taken)", write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateAccountRequest(ctx, r1) }), store.ErrConflict)

	storedReq := func(r *org.CreateAccountStatus) org.CreateAccountStatus {
		c := *r
		c.RequestedAt, c.CompletedAt = stored(r.RequestedAt), stored(r.CompletedAt)
		return c
	}
	// Claims come oldest first, across instances; completing one moves on.
	for _, want := range []*org.CreateAccountStatus{r1, r2, r3} {
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
			got, err := tx.ClaimCreateAccountRequest(ctx)
			if err != nil {
				t.Fatalf("ClaimCreateAccountRequest() = %v, want %s", err, want.ID)
			}
			if d := diff(*got, storedReq(want)); d != "" {
				t.Errorf("ClaimCreateAccountRequest() differs:\n%s", d)
			}
			want.State, want.CompletedAt = org.CreateSucceeded, t0.Add(time.Minute)
			want.AccountID = "300000000001"
			if want == r3 {
				want.State, want.AccountID, want.FailureReason = org.CreateFailed, "", org.FailureEmailAlreadyExists
			}
			return tx.CompleteCreateAccountRequest(ctx, want)
		})
	}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ClaimCreateAccountRequest(ctx)
		wantErr(t, "ClaimCreateAccountRequest(none left)", err, store.ErrNotFound)
		return nil
	})
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.GetCreateAccountStatus(ctx, in.ID, r3.ID)
		if err != nil {
			t.Fatalf("GetCreateAccountStatus() = %v", err)
		}
		if d := diff(*got, storedReq(r3)); d != "" {
			t.Errorf("GetCreateAccountStatus() differs:\n%s", d)
		}
		_, err = tx.GetCreateAccountStatus(ctx, other.ID, r3.ID)
		wantErr(t, "GetCreateAccountStatus(other instance)", err, store.ErrNotFound)
		lists := []struct {
			name   string
			states []string
			page   store.Page
			want   []string
		}{
			{"all", nil, store.Page{}, []string{r1.ID, r3.ID}},
			{"succeeded", []string{org.CreateSucceeded}, store.Page{}, []string{r1.ID}},
			{"failed or in progress", []string{org.CreateFailed, org.CreateInProgress}, store.Page{}, []string{r3.ID}},
			{"in progress", []string{org.CreateInProgress}, store.Page{}, []string{}},
			{"after", nil, store.Page{After: r1.ID, Limit: 1}, []string{r3.ID}},
		}
		for _, tc := range lists {
			got, err := tx.ListCreateAccountStatuses(ctx, in.ID, tc.states, tc.page)
			ids := []string{}
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			if err != nil || !slices.Equal(ids, tc.want) {
				t.Errorf("ListCreateAccountStatuses(%s) = %v, %v, want %v", tc.name, ids, err, tc.want)
			}
		}
		return nil
	})
	wantErr(t, "CompleteCreateAccountRequest(missing)", write(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.CompleteCreateAccountRequest(ctx, req(in, "car-zzzzzzzz", 0))
	}), store.ErrNotFound)

	// Accounts pending closure are claimed the same way.
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		a := accountFixture(in, "300000000009", "r-ab12")
		a.Status = org.AccountPendingClosure
		return tx.CreateAccount(ctx, a)
	})
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		a, err := tx.ClaimClosingAccount(ctx)
		if err != nil || a.ID != "300000000009" {
			t.Fatalf("ClaimClosingAccount() = %v, %v", a, err)
		}
		a.Status = org.AccountSuspended
		return tx.UpdateAccount(ctx, a)
	})
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.ClaimClosingAccount(ctx)
		wantErr(t, "ClaimClosingAccount(none left)", err, store.ErrNotFound)
		return nil
	})
}

// testClaimsSkipLocked checks that two transactions claiming at once get
// different requests, where the engine runs writers at once.
func testClaimsSkipLocked(t *testing.T, s store.Store) {
	if s.Engine() == "sqlite" {
		t.Skip("SQLite runs one writer at a time: claims cannot overlap")
	}
	in, _ := orgFixture(t, s, 1)
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for i, id := range []string{"car-aaaaaaaa", "car-bbbbbbbb"} {
			r := &org.CreateAccountStatus{ID: id, InstanceID: in.ID, AccountName: id, Email: id + "@example.com", State: org.CreateInProgress, RequestedAt: t0.Add(time.Duration(i) * time.Second)}
			if err := tx.CreateAccountRequest(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	claimed := make(chan string)
	release := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- s.Write(t.Context(), func(tx store.Tx) error {
			r, err := tx.ClaimCreateAccountRequest(t.Context())
			if err != nil {
				close(claimed)
				return err
			}
			claimed <- r.ID
			<-release // hold the lock while the other transaction claims
			return nil
		})
	}()
	first, ok := <-claimed
	if !ok {
		t.Fatalf("first claim failed: %v", <-errc)
	}
	var second string
	err := s.Write(t.Context(), func(tx store.Tx) error {
		r, err := tx.ClaimCreateAccountRequest(t.Context())
		if err != nil {
			return err
		}
		second = r.ID
		return nil
	})
	close(release)
	if err := <-errc; err != nil {
		t.Fatalf("first claim: %v", err)
	}
	if err != nil || first != "car-aaaaaaaa" || second != "car-bbbbbbbb" {
		t.Errorf("claims at once = %s and %s (%v), want car-aaaaaaaa and car-bbbbbbbb", first, second, err)
	}
}
