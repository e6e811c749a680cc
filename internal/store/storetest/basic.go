package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/credentials"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

func testMeta(t *testing.T, s store.Store) {
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.GetMeta(ctx, "missing")
		wantErr(t, `GetMeta("missing")`, err, store.ErrNotFound)
		return nil
	})
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.SetMeta(ctx, "a", "1"); err != nil {
			return err
		}
		if err := tx.SetMeta(ctx, "b", ""); err != nil {
			return err
		}
		return tx.SetMeta(ctx, "a", "2 ✓") // an upsert
	})
	tests := []struct {
		name, key, want string
	}{
		{name: "upserted", key: "a", want: "2 ✓"},
		{name: "empty value", key: "b", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
				got, err := tx.GetMeta(ctx, tc.key)
				if err != nil || got != tc.want {
					t.Errorf("GetMeta(%q) = %q, %v, want %q, nil", tc.key, got, err, tc.want)
				}
				return nil
			})
		})
	}
}

func testInstances(t *testing.T, s store.Store) {
	var all []*org.Instance
	for _, n := range []int{3, 1, 2} {
		all = append(all, mustInstance(t, s, n))
	}
	slices.SortFunc(all, func(a, b *org.Instance) int { return strings.Compare(a.ID, b.ID) })

	t.Run("Get", func(t *testing.T) {
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			for _, in := range all {
				want := *in
				want.CreatedAt = stored(in.CreatedAt)
				got, err := tx.GetInstance(ctx, in.ID)
				if err != nil {
					t.Fatalf("GetInstance(%q) = %v, want nil", in.ID, err)
				}
				if d := diff(*got, want); d != "" {
					t.Errorf("GetInstance(%q) differs:\n%s", in.ID, d)
				}
				got, err = tx.GetInstanceByStore(ctx, in.IdentityStoreID)
				if err != nil {
					t.Fatalf("GetInstanceByStore(%q) = %v, want nil", in.IdentityStoreID, err)
				}
				if d := diff(*got, want); d != "" {
					t.Errorf("GetInstanceByStore(%q) differs:\n%s", in.IdentityStoreID, d)
				}
			}
			_, err := tx.GetInstance(ctx, "ssoins-0000000000000000")
			wantErr(t, "GetInstance(missing)", err, store.ErrNotFound)
			_, err = tx.GetInstanceByStore(ctx, "d-0000000000")
			wantErr(t, "GetInstanceByStore(missing)", err, store.ErrNotFound)
			return nil
		})
	})

	t.Run("Conflict", func(t *testing.T) {
		sameID := instanceFixture(9)
		sameID.ID = all[0].ID
		sameStore := instanceFixture(9)
		sameStore.IdentityStoreID = all[0].IdentityStoreID
		tests := []struct {
			name string
			in   *org.Instance
		}{
			{name: "same id", in: sameID},
			{name: "same identity store id", in: sameStore},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				err := write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateInstance(ctx, tc.in) })
				wantErr(t, "CreateInstance()", err, store.ErrConflict)
			})
		}
	})

	t.Run("List", func(t *testing.T) {
		ids := func(ins []*org.Instance) []string {
			var out []string
			for _, in := range ins {
				out = append(out, in.ID)
			}
			return out
		}
		tests := []struct {
			name string
			page store.Page
			want []string
		}{
			{name: "all", page: store.Page{}, want: ids(all)},
			{name: "first page", page: store.Page{Limit: 2}, want: ids(all[:2])},
			{name: "next page", page: store.Page{After: all[1].ID, Limit: 2}, want: ids(all[2:])},
			{name: "past the end", page: store.Page{After: all[2].ID, Limit: 2}, want: nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
					got, err := tx.ListInstances(ctx, tc.page)
					if err != nil {
						t.Fatalf("ListInstances(%+v) = %v, want nil", tc.page, err)
					}
					var gotIDs []string
					for _, in := range got {
						gotIDs = append(gotIDs, in.ID)
					}
					if !slices.Equal(gotIDs, tc.want) {
						t.Errorf("ListInstances(%+v) = %q, want %q", tc.page, gotIDs, tc.want)
					}
					return nil
				})
			})
		}
	})
}

func testOrganizations(t *testing.T, s store.Store) {
	in := mustInstance(t, s, 1)
	other := mustInstance(t, s, 2)
	o := &org.Organization{
		ID: "o-abcdef1234", InstanceID: in.ID, RootID: "r-ab12", ManagementAccountID: in.OwnerAccountID,
		ManagementEmail: "root@example.com", FeatureSet: "ALL", CreatedAt: t0,
	}
	a := &org.Account{
		ID: "210987654321", InstanceID: in.ID, Name: "production", Email: "prod@example.com",
		Status: "ACTIVE", ParentID: "ou-ab12-abcdefgh", JoinedAt: t0.Add(time.Hour), JoinMethod: "CREATED",
	}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.CreateOrganization(ctx, o); err != nil {
			return err
		}
		return tx.CreateAccount(ctx, a)
	})
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		got, err := tx.GetOrganization(ctx, in.ID)
		if err != nil {
			t.Fatalf("GetOrganization() = %v, want nil", err)
		}
		wantOrg := *o
		wantOrg.CreatedAt = stored(o.CreatedAt)
		if d := diff(*got, wantOrg); d != "" {
			t.Errorf("GetOrganization(%q) differs:\n%s", in.ID, d)
		}
		gotAcct, err := tx.GetAccount(ctx, in.ID, a.ID)
		if err != nil {
			t.Fatalf("GetAccount() = %v, want nil", err)
		}
		wantAcct := *a
		wantAcct.JoinedAt = stored(a.JoinedAt)
		if d := diff(*gotAcct, wantAcct); d != "" {
			t.Errorf("GetAccount(%q, %q) differs:\n%s", in.ID, a.ID, d)
		}
		return nil
	})

	dupOrg := *o
	dupOrg.InstanceID = other.ID
	dupAcct := *a
	dupAcct.InstanceID = other.ID
	orphanOrg := *o
	orphanOrg.ID, orphanOrg.InstanceID = "o-0000000000", "ssoins-0000000000000000"
	tests := []struct {
		name string
		fn   func(ctx context.Context, tx store.Tx) error
		want error
	}{
		{name: "second organization of an instance", fn: func(ctx context.Context, tx store.Tx) error {
			o2 := *o
			o2.ID = "o-zzzzzzzzzz"
			return tx.CreateOrganization(ctx, &o2)
		}, want: store.ErrConflict},
		{name: "organization id taken", fn: func(ctx context.Context, tx store.Tx) error { return tx.CreateOrganization(ctx, &dupOrg) }, want: store.ErrConflict},
		{name: "organization of a missing instance", fn: func(ctx context.Context, tx store.Tx) error { return tx.CreateOrganization(ctx, &orphanOrg) }, want: store.ErrNotFound},
		{name: "account id taken", fn: func(ctx context.Context, tx store.Tx) error { return tx.CreateAccount(ctx, &dupAcct) }, want: store.ErrConflict},
		{name: "organization of another instance", fn: func(ctx context.Context, tx store.Tx) error {
			_, err := tx.GetOrganization(ctx, other.ID)
			return err
		}, want: store.ErrNotFound},
		{name: "account in another instance", fn: func(ctx context.Context, tx store.Tx) error {
			_, err := tx.GetAccount(ctx, other.ID, a.ID)
			return err
		}, want: store.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, tc.name, write(t, s, tc.fn), tc.want)
		})
	}
}

func testPrincipals(t *testing.T, s store.Store) {
	in := mustInstance(t, s, 1)
	p := &credentials.Principal{
		ID: "AIDAEXAMPLE000000001", InstanceID: in.ID, AccountID: in.OwnerAccountID, Name: "admin",
		ARN:       "arn:aws:iam::" + in.OwnerAccountID + ":user/admin",
		Policies:  []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, `{"Version":"2012-10-17"}`},
		CreatedAt: t0,
	}
	secret := make([]byte, 256) // every byte value, NUL and invalid UTF-8 included
	for i := range secret {
		secret[i] = byte(255 - i)
	}
	k := &store.SealedAccessKey{ID: "AKIAEXAMPLE000000001", PrincipalID: p.ID, SealedSecret: secret, Status: credentials.KeyActive, CreatedAt: t0}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.CreatePrincipal(ctx, p); err != nil {
			return err
		}
		return tx.CreateAccessKey(ctx, k)
	})
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		gotP, err := tx.GetPrincipal(ctx, p.ID)
		if err != nil {
			t.Fatalf("GetPrincipal() = %v, want nil", err)
		}
		wantP := *p
		wantP.CreatedAt = stored(p.CreatedAt)
		if d := diff(*gotP, wantP); d != "" {
			t.Errorf("GetPrincipal(%q) differs:\n%s", p.ID, d)
		}
		if byARN, ok := tx.(interface {
			GetPrincipalByARN(context.Context, string) (*credentials.Principal, error)
		}); ok {
			got, err := byARN.GetPrincipalByARN(ctx, p.ARN)
			if err != nil || got.ID != p.ID {
				t.Errorf("GetPrincipalByARN(%q) = %v, %v; want %s", p.ARN, got, err, p.ID)
			}
			if _, err := byARN.GetPrincipalByARN(ctx, p.ARN+"x"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetPrincipalByARN(unknown) = %v, want ErrNotFound", err)
			}
		}
		gotK, err := tx.GetAccessKey(ctx, k.ID)
		if err != nil {
			t.Fatalf("GetAccessKey() = %v, want nil", err)
		}
		wantK := *k
		wantK.CreatedAt = stored(k.CreatedAt)
		if d := diff(*gotK, wantK); d != "" {
			t.Errorf("GetAccessKey(%q) differs:\n%s", k.ID, d)
		}
		return nil
	})

	tests := []struct {
		name string
		fn   func(ctx context.Context, tx store.Tx) error
		want error
	}{
		{name: "principal id taken", fn: func(ctx context.Context, tx store.Tx) error {
			p2 := *p
			p2.ARN += "2"
			return tx.CreatePrincipal(ctx, &p2)
		}, want: store.ErrConflict},
		{name: "principal arn taken", fn: func(ctx context.Context, tx store.Tx) error {
			p2 := *p
			p2.ID = "AIDAEXAMPLE000000002"
			return tx.CreatePrincipal(ctx, &p2)
		}, want: store.ErrConflict},
		{name: "access key id taken", fn: func(ctx context.Context, tx store.Tx) error { return tx.CreateAccessKey(ctx, k) }, want: store.ErrConflict},
		{name: "access key of a missing principal", fn: func(ctx context.Context, tx store.Tx) error {
			k2 := *k
			k2.ID, k2.PrincipalID = "AKIAEXAMPLE000000002", "AIDAMISSING"
			return tx.CreateAccessKey(ctx, &k2)
		}, want: store.ErrNotFound},
		{name: "missing principal", fn: func(ctx context.Context, tx store.Tx) error {
			_, err := tx.GetPrincipal(ctx, "AIDAMISSING")
			return err
		}, want: store.ErrNotFound},
		{name: "missing access key", fn: func(ctx context.Context, tx store.Tx) error {
			_, err := tx.GetAccessKey(ctx, "AKIAMISSING")
			return err
		}, want: store.ErrNotFound},
		{name: "empty policy list", fn: func(ctx context.Context, tx store.Tx) error {
			p3 := &credentials.Principal{ID: "AIDAEXAMPLE000000003", InstanceID: in.ID, AccountID: in.OwnerAccountID, Name: "nobody", ARN: p.ARN + "3", CreatedAt: t0}
			if err := tx.CreatePrincipal(ctx, p3); err != nil {
				return err
			}
			got, err := tx.GetPrincipal(ctx, p3.ID)
			if err != nil {
				return err
			}
			if len(got.Policies) != 0 {
				return fmt.Errorf("GetPrincipal().Policies = %q, want none", got.Policies)
			}
			return nil
		}, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, tc.name, write(t, s, tc.fn), tc.want)
		})
	}
}
