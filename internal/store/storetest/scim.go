package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/store"
)

// testFilters covers ListUsersWhere, CountUsersWhere, ListGroupsWhere,
// CountGroupsWhere, GroupMemberIDs and UserGroupIDs.
func testFilters(t *testing.T, s store.Store) {
	in := mustInstance(t, s, 1)
	other := mustInstance(t, s, 2)
	// Users id-0 … in unsortedIDs, named user0 …; the first three are in
	// group g-a, the first one also in g-b.
	for i, id := range unsortedIDs {
		mustCreateUser(t, s, userFixture(in, id, fmt.Sprintf("user%d", i)))
	}
	sorted := slices.Clone(unsortedIDs)
	slices.Sort(sorted)
	mustCreateGroup(t, s, groupFixture(in, "g-a", "Alpha"))
	mustCreateGroup(t, s, groupFixture(in, "g-B", "Beta"))
	mustCreateGroup(t, s, groupFixture(in, "g-c", "Gamma"))
	for i, id := range unsortedIDs[:3] {
		mustCreateMembership(t, s, membershipFixture(in, fmt.Sprintf("m-a%d", i), "g-a", id))
	}
	mustCreateMembership(t, s, membershipFixture(in, "m-b0", "g-B", unsortedIDs[0]))
	// Another instance with the same names, external ids and a group of
	// the same name holding its own users.
	mustCreateUser(t, s, userFixture(other, "o-1", "user0"))
	mustCreateGroup(t, s, groupFixture(other, "o-g", "Alpha"))
	mustCreateMembership(t, s, membershipFixture(other, "o-m", "o-g", "o-1"))
	ext := func(id string) *directory.ExternalID {
		return &directory.ExternalID{Issuer: "https://idp.example.com", ID: "ext-" + id}
	}
	inGroupA := slices.Clone(unsortedIDs[:3])
	slices.Sort(inGroupA)

	userTests := []struct {
		name      string
		f         store.UserFilter
		want      []string
		wantCount int
	}{
		{name: "all", f: store.UserFilter{}, want: sorted, wantCount: len(sorted)},
		{name: "by id", f: store.UserFilter{ID: unsortedIDs[2]}, want: unsortedIDs[2:3], wantCount: 1},
		{name: "by id of another instance", f: store.UserFilter{ID: "o-1"}, want: nil, wantCount: 0},
		{name: "by user name, other case", f: store.UserFilter{UserName: "USER4"}, want: unsortedIDs[4:5], wantCount: 1},
		{name: "by email", f: store.UserFilter{Email: "user5@example.COM"}, want: unsortedIDs[5:6], wantCount: 1},
		{name: "by external id", f: store.UserFilter{External: ext(unsortedIDs[6])}, want: unsortedIDs[6:7], wantCount: 1},
		{name: "by external id of another instance", f: store.UserFilter{External: ext("o-1")}, want: nil, wantCount: 0},
		{name: "by group", f: store.UserFilter{GroupID: "g-a"}, want: inGroupA, wantCount: 3},
		{name: "by group of another instance", f: store.UserFilter{GroupID: "o-g"}, want: nil, wantCount: 0},
		{name: "by group and name", f: store.UserFilter{GroupID: "g-B", UserName: "user0"}, want: unsortedIDs[:1], wantCount: 1},
		{name: "by group and another name", f: store.UserFilter{GroupID: "g-B", UserName: "user1"}, want: nil, wantCount: 0},
		{name: "first page", f: store.UserFilter{Limit: 3}, want: sorted[:3], wantCount: len(sorted)},
		{name: "after", f: store.UserFilter{After: sorted[2], Limit: 3}, want: sorted[3:6], wantCount: len(sorted)},
		{name: "offset", f: store.UserFilter{Offset: 5}, want: sorted[5:], wantCount: len(sorted)},
		{name: "offset and limit", f: store.UserFilter{Offset: 2, Limit: 2}, want: sorted[2:4], wantCount: len(sorted)},
		{name: "offset past the end", f: store.UserFilter{Offset: 100, Limit: 2}, want: nil, wantCount: len(sorted)},
		{name: "group, paged", f: store.UserFilter{GroupID: "g-a", After: inGroupA[0], Limit: 1}, want: inGroupA[1:2], wantCount: 3},
	}
	for _, tc := range userTests {
		t.Run("users/"+tc.name, func(t *testing.T) {
			mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
				us, err := tx.ListUsersWhere(ctx, in.ID, tc.f)
				if err != nil {
					t.Fatalf("ListUsersWhere(%+v) = %v, want nil", tc.f, err)
				}
				if got := userIDs(us); !slices.Equal(got, tc.want) {
					t.Errorf("ListUsersWhere(%+v) = %q, want %q", tc.f, got, tc.want)
				}
				for _, u := range us {
					want := storedUser(userFixture(in, u.UserID, fmt.Sprintf("user%d", slices.Index(unsortedIDs, u.UserID))))
					if d := diff(u, want); d != "" {
						t.Errorf("ListUsersWhere() user %s differs from what CreateUser stored:\n%s", u.UserID, d)
					}
				}
				// The count ignores paging.
				if n, err := tx.CountUsersWhere(ctx, in.ID, tc.f); n != tc.wantCount || err != nil {
					t.Errorf("CountUsersWhere(%+v) = %d, %v, want %d, nil", tc.f, n, err, tc.wantCount)
				}
				return nil
			})
		})
	}

	groupTests := []struct {
		name      string
		f         store.GroupFilter
		want      []string
		wantCount int
	}{
		{name: "all", f: store.GroupFilter{}, want: []string{"g-B", "g-a", "g-c"}, wantCount: 3},
		{name: "by id", f: store.GroupFilter{ID: "g-c"}, want: []string{"g-c"}, wantCount: 1},
		{name: "by id of another instance", f: store.GroupFilter{ID: "o-g"}, want: nil, wantCount: 0},
		{name: "by display name, other case", f: store.GroupFilter{DisplayName: "alpha"}, want: []string{"g-a"}, wantCount: 1},
		{name: "by external id", f: store.GroupFilter{External: ext("g-B")}, want: []string{"g-B"}, wantCount: 1},
		{name: "by external id of another instance", f: store.GroupFilter{External: ext("o-g")}, want: nil, wantCount: 0},
		{name: "by member", f: store.GroupFilter{MemberID: unsortedIDs[0]}, want: []string{"g-B", "g-a"}, wantCount: 2},
		{name: "by member of another instance", f: store.GroupFilter{MemberID: "o-1"}, want: nil, wantCount: 0},
		{name: "paged", f: store.GroupFilter{After: "g-B", Limit: 1}, want: []string{"g-a"}, wantCount: 3},
		{name: "offset", f: store.GroupFilter{Offset: 1, Limit: 5}, want: []string{"g-a", "g-c"}, wantCount: 3},
	}
	names := map[string]string{"g-a": "Alpha", "g-B": "Beta", "g-c": "Gamma"}
	for _, tc := range groupTests {
		t.Run("groups/"+tc.name, func(t *testing.T) {
			mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
				gs, err := tx.ListGroupsWhere(ctx, in.ID, tc.f)
				if err != nil {
					t.Fatalf("ListGroupsWhere(%+v) = %v, want nil", tc.f, err)
				}
				if got := groupIDs(gs); !slices.Equal(got, tc.want) {
					t.Errorf("ListGroupsWhere(%+v) = %q, want %q", tc.f, got, tc.want)
				}
				for _, g := range gs {
					if d := diff(g, storedGroup(groupFixture(in, g.GroupID, names[g.GroupID]))); d != "" {
						t.Errorf("ListGroupsWhere() group %s differs from what CreateGroup stored:\n%s", g.GroupID, d)
					}
				}
				if n, err := tx.CountGroupsWhere(ctx, in.ID, tc.f); n != tc.wantCount || err != nil {
					t.Errorf("CountGroupsWhere(%+v) = %d, %v, want %d, nil", tc.f, n, err, tc.wantCount)
				}
				return nil
			})
		})
	}

	idTests := []struct {
		name string
		fn   func(ctx context.Context, tx store.Tx) ([]string, error)
		want []string
	}{
		{name: "members of a group, by id", fn: func(ctx context.Context, tx store.Tx) ([]string, error) {
			return tx.GroupMemberIDs(ctx, in.ID, "g-a")
		}, want: inGroupA},
		{name: "members of another instance's group", fn: func(ctx context.Context, tx store.Tx) ([]string, error) {
			return tx.GroupMemberIDs(ctx, in.ID, "o-g")
		}, want: nil},
		{name: "groups of a user, by id", fn: func(ctx context.Context, tx store.Tx) ([]string, error) {
			return tx.UserGroupIDs(ctx, in.ID, unsortedIDs[0])
		}, want: []string{"g-B", "g-a"}},
		{name: "groups of another instance's user", fn: func(ctx context.Context, tx store.Tx) ([]string, error) {
			return tx.UserGroupIDs(ctx, in.ID, "o-1")
		}, want: nil},
	}
	for _, tc := range idTests {
		t.Run("ids/"+tc.name, func(t *testing.T) {
			mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
				got, err := tc.fn(ctx, tx)
				if err != nil || !slices.Equal(got, tc.want) {
					t.Errorf("%s = %q, %v, want %q, nil", tc.name, got, err, tc.want)
				}
				return nil
			})
		})
	}
}

func testSCIMTokens(t *testing.T, s store.Store) {
	in := mustInstance(t, s, 1)
	other := mustInstance(t, s, 2)
	hash := make([]byte, 32)
	for i := range hash {
		hash[i] = byte(i * 7)
	}
	// Listed by creation time, then id.
	tokens := []*store.SCIMToken{
		{ID: "tok-b", InstanceID: in.ID, Hash: hash, CreatedAt: t0, ExpiresAt: t0.Add(365 * 24 * time.Hour)},
		{ID: "tok-c", InstanceID: in.ID, Hash: []byte{0, 1, 0xff}, CreatedAt: t0},
		{ID: "tok-a", InstanceID: in.ID, Hash: []byte{2}, CreatedAt: t0.Add(time.Second)},
	}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, k := range []*store.SCIMToken{tokens[2], tokens[0], tokens[1]} {
			if err := tx.CreateSCIMToken(ctx, k); err != nil {
				return err
			}
		}
		return tx.CreateSCIMToken(ctx, &store.SCIMToken{ID: "tok-o", InstanceID: other.ID, Hash: []byte{3}, CreatedAt: t0})
	})
	storedToken := func(k *store.SCIMToken) store.SCIMToken {
		c := *k
		c.CreatedAt, c.ExpiresAt, c.RevokedAt = stored(k.CreatedAt), stored(k.ExpiresAt), stored(k.RevokedAt)
		return c
	}

	t.Run("Get", func(t *testing.T) {
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			for _, k := range tokens {
				got, err := tx.GetSCIMToken(ctx, k.ID)
				if err != nil {
					t.Fatalf("GetSCIMToken(%q) = %v, want nil", k.ID, err)
				}
				if d := diff(*got, storedToken(k)); d != "" {
					t.Errorf("GetSCIMToken(%q) differs from what CreateSCIMToken stored:\n%s", k.ID, d)
				}
			}
			_, err := tx.GetSCIMToken(ctx, "tok-missing")
			wantErr(t, "GetSCIMToken(missing)", err, store.ErrNotFound)
			return nil
		})
	})

	t.Run("List", func(t *testing.T) {
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			got, err := tx.ListSCIMTokens(ctx, in.ID)
			if err != nil {
				t.Fatalf("ListSCIMTokens() = %v, want nil", err)
			}
			var want []store.SCIMToken
			for _, k := range tokens {
				want = append(want, storedToken(k))
			}
			if d := diff(got, want); d != "" {
				t.Errorf("ListSCIMTokens(%q) differs:\n%s", in.ID, d)
			}
			return nil
		})
	})

	t.Run("Create", func(t *testing.T) {
		tests := []struct {
			name string
			k    *store.SCIMToken
			want error
		}{
			{name: "id taken", k: &store.SCIMToken{ID: "tok-a", InstanceID: in.ID, Hash: []byte{9}, CreatedAt: t0}, want: store.ErrConflict},
			{name: "missing instance", k: &store.SCIMToken{ID: "tok-x", InstanceID: "ssoins-ffffffffffffffff", Hash: []byte{9}, CreatedAt: t0}, want: store.ErrNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				err := write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateSCIMToken(ctx, tc.k) })
				wantErr(t, "CreateSCIMToken()", err, tc.want)
			})
		}
	})

	t.Run("Revoke", func(t *testing.T) {
		at := t0.Add(time.Hour + 7*time.Nanosecond)
		err := write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.RevokeSCIMToken(ctx, other.ID, "tok-a", at) })
		wantErr(t, "RevokeSCIMToken(another instance)", err, store.ErrNotFound)
		err = write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.RevokeSCIMToken(ctx, in.ID, "tok-missing", at) })
		wantErr(t, "RevokeSCIMToken(missing)", err, store.ErrNotFound)
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.RevokeSCIMToken(ctx, in.ID, "tok-a", at) })
		// A second revocation keeps the first time.
		_ = write(t, s, func(ctx context.Context, tx store.Tx) error {
			return tx.RevokeSCIMToken(ctx, in.ID, "tok-a", at.Add(time.Hour))
		})
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			got, err := tx.GetSCIMToken(ctx, "tok-a")
			if err != nil || !got.RevokedAt.Equal(stored(at)) {
				t.Errorf("GetSCIMToken(tok-a) after revocation = %v, %v, want revoked at %v", got, err, stored(at))
			}
			return nil
		})
	})
}
