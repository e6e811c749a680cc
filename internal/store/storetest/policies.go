package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/store"
)

// testAWSManagedPolicies covers the global catalog of AWS managed policies.
func testAWSManagedPolicies(t *testing.T, s store.Store) {
	p := &access.AWSManagedPolicy{
		ARN: "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", Name: "ViewOnlyAccess", Path: "/job-function/",
		Description: "Sees ✓ everything", DefaultVersionID: "v1", Document: `{"Version":"2012-10-17","Statement":[]}`,
		Source: access.SourceBuiltIn, CreatedAt: t0, UpdatedAt: t0.Add(time.Second),
	}
	want := *p
	want.CreatedAt, want.UpdatedAt = stored(p.CreatedAt), stored(p.UpdatedAt)
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.GetAWSManagedPolicy(ctx, p.ARN)
		wantErr(t, "GetAWSManagedPolicy of an empty catalog", err, store.ErrNotFound)
		return nil
	})
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PutAWSManagedPolicy(ctx, p) })
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.GetAWSManagedPolicy(ctx, p.ARN)
		if err != nil || *got != want {
			t.Errorf("GetAWSManagedPolicy = %+v, %v, want %+v", got, err, want)
		}
		// ARNs are exact: another path or another case names nothing.
		for _, a := range []string{"arn:aws:iam::aws:policy/ViewOnlyAccess", "arn:aws:iam::aws:policy/job-function/viewonlyaccess"} {
			_, err := tx.GetAWSManagedPolicy(ctx, a)
			wantErr(t, fmt.Sprintf("GetAWSManagedPolicy(%s)", a), err, store.ErrNotFound)
		}
		return nil
	})

	// Replacing keeps one row per ARN.
	p2 := *p
	p2.DefaultVersionID, p2.Document, p2.Source, p2.UpdatedAt = "v2", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, access.SourceImported, t0.Add(time.Hour)
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PutAWSManagedPolicy(ctx, &p2) })
	want2 := p2
	want2.CreatedAt, want2.UpdatedAt = stored(p2.CreatedAt), stored(p2.UpdatedAt)
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.GetAWSManagedPolicy(ctx, p.ARN)
		if err != nil || *got != want2 {
			t.Errorf("GetAWSManagedPolicy after a replacement = %+v, %v, want %+v", got, err, want2)
		}
		return nil
	})

	// Listing pages by ARN, bytewise.
	for _, name := range []string{"ReadOnlyAccess", "AdministratorAccess", "aLowerCaseName", "Billing"} {
		q := &access.AWSManagedPolicy{ARN: access.AWSManagedPolicyARN("/", name), Name: name, Path: "/", DefaultVersionID: "v1",
			Document: `{"Version":"2012-10-17","Statement":[]}`, Source: access.SourceBuiltIn, CreatedAt: t0, UpdatedAt: t0}
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PutAWSManagedPolicy(ctx, q) })
	}
	wantOrder := []string{
		"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/Billing", "arn:aws:iam::aws:policy/ReadOnlyAccess",
		"arn:aws:iam::aws:policy/aLowerCaseName", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
	}
	var got []string
	page := store.Page{Limit: 2}
	for range 10 {
		var ps []access.AWSManagedPolicy
		mustRead(t, s, func(ctx context.Context, tx store.Tx) (err error) {
			ps, err = tx.ListAWSManagedPolicies(ctx, page)
			return err
		})
		for _, p := range ps {
			got = append(got, p.ARN)
		}
		if len(ps) < page.Limit {
			break
		}
		page.After = ps[len(ps)-1].ARN
	}
	if fmt.Sprint(got) != fmt.Sprint(wantOrder) {
		t.Errorf("ListAWSManagedPolicies in pages of 2 = %q, want %q", got, wantOrder)
	}

	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		all, err := tx.ListAWSManagedPolicies(ctx, store.Page{})
		if err != nil || len(all) != len(wantOrder) {
			t.Errorf("ListAWSManagedPolicies(no limit) = %d policies, %v, want %d", len(all), err, len(wantOrder))
		}
		return nil
	})
}

// testRoles covers the roles provisioning makes in accounts.
func testRoles(t *testing.T, s store.Store) {
	in, other := mustInstance(t, s, 1), mustInstance(t, s, 2)
	role := func(inst, acct, ps, name string) *access.Role {
		return &access.Role{InstanceID: inst, AccountID: acct, PermissionSetID: ps, Name: name, RoleID: "AROA" + name[len(name)-4:] + "ABCDEFGHIJKLM",
			Path: "/aws-reserved/sso.amazonaws.com/", CreatedAt: t0}
	}
	r := role(in.ID, "111111111111", "ps-1", "AWSReservedSSO_Admin_0123456789abcdef")
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PutRole(ctx, r) })
	want := *r
	want.CreatedAt = stored(r.CreatedAt)
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.GetRole(ctx, in.ID, "111111111111", r.Name)
		if err != nil || *got != want {
			t.Errorf("GetRole = %+v, %v, want %+v", got, err, want)
		}
		for _, q := range []struct{ inst, acct, name string }{{other.ID, "111111111111", r.Name}, {in.ID, "222222222222", r.Name}, {in.ID, "111111111111", "AWSReservedSSO_Other_0123456789abcdef"}} {
			_, err := tx.GetRole(ctx, q.inst, q.acct, q.name)
			wantErr(t, fmt.Sprintf("GetRole(%v)", q), err, store.ErrNotFound)
		}
		return nil
	})
	// One role per permission set and account, and one per name.
	for _, dup := range []*access.Role{role(in.ID, "111111111111", "ps-1", "AWSReservedSSO_Admin_ffffffffffffffff"), role(in.ID, "111111111111", "ps-2", r.Name)} {
		err := write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PutRole(ctx, dup) })
		wantErr(t, fmt.Sprintf("PutRole(%s, %s)", dup.PermissionSetID, dup.Name), err, store.ErrConflict)
	}
	for _, q := range []*access.Role{
		role(in.ID, "111111111111", "ps-2", "AWSReservedSSO_Zeta_0000000000000002"),
		role(in.ID, "111111111111", "ps-3", "AWSReservedSSO_Beta_0000000000000003"),
		role(in.ID, "222222222222", "ps-1", "AWSReservedSSO_Admin_0000000000000004"),
		role(other.ID, "111111111111", "ps-1", "AWSReservedSSO_Admin_0123456789abcdef"),
	} {
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PutRole(ctx, q) })
	}
	var names []string
	page := store.Page{Limit: 2}
	for range 5 {
		var rs []access.Role
		mustRead(t, s, func(ctx context.Context, tx store.Tx) (err error) {
			rs, err = tx.ListRoles(ctx, in.ID, "111111111111", page)
			return err
		})
		for _, r := range rs {
			names = append(names, r.Name)
		}
		if len(rs) < page.Limit {
			break
		}
		page.After = rs[len(rs)-1].Name
	}
	wantNames := []string{"AWSReservedSSO_Admin_0123456789abcdef", "AWSReservedSSO_Beta_0000000000000003", "AWSReservedSSO_Zeta_0000000000000002"}
	if fmt.Sprint(names) != fmt.Sprint(wantNames) {
		t.Errorf("ListRoles in pages of 2 = %q, want %q", names, wantNames)
	}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteRole(ctx, in.ID, "111111111111", "ps-1") })
	err := write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteRole(ctx, in.ID, "111111111111", "ps-1") })
	wantErr(t, "DeleteRole of a deleted role", err, store.ErrNotFound)
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.GetRole(ctx, in.ID, "111111111111", r.Name)
		wantErr(t, "GetRole of a deleted role", err, store.ErrNotFound)
		if _, err := tx.GetRole(ctx, other.ID, "111111111111", r.Name); err != nil {
			t.Errorf("another instance's role went with it: %v", err)
		}
		return nil
	})
}
