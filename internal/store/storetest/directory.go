package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/store"
)

func mustGetUser(t testing.TB, s store.Store, instanceID, id string) *directory.User {
	t.Helper()
	var u *directory.User
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		var err error
		u, err = tx.GetUser(ctx, instanceID, id)
		return err
	})
	return u
}

func mustGetGroup(t testing.TB, s store.Store, instanceID, id string) *directory.Group {
	t.Helper()
	var g *directory.Group
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		var err error
		g, err = tx.GetGroup(ctx, instanceID, id)
		return err
	})
	return g
}

func testUsers(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		in := mustInstance(t, s, 1)
		full := userFixture(in, "9a1b2c3d-0000-4000-8000-000000000001", "ada")
		minimal := &directory.User{InstanceID: in.ID, IdentityStoreID: in.IdentityStoreID, UserID: "9a1b2c3d-0000-4000-8000-000000000002", UserName: "min", Status: directory.UserDisabled}
		tests := []struct {
			name string
			u    *directory.User
		}{
			{name: "every attribute", u: full},
			{name: "only required attributes", u: minimal},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				mustCreateUser(t, s, tc.u)
				got := mustGetUser(t, s, in.ID, tc.u.UserID)
				if d := diff(*got, storedUser(tc.u)); d != "" {
					t.Errorf("GetUser(%q) differs from what CreateUser stored:\n%s", tc.u.UserID, d)
				}
			})
		}
	})

	t.Run("Update", func(t *testing.T) {
		s := open(t)
		in := mustInstance(t, s, 1)
		u := userFixture(in, "u-1", "ada")
		mustCreateUser(t, s, u)
		v := *u
		v.UserName = "Ada.Lovelace"
		v.Name = &directory.Name{GivenName: "Augusta"}
		v.Emails = []directory.Email{{Value: "augusta@example.com", Primary: ptr(true)}}
		v.Addresses, v.PhoneNumbers, v.Photos, v.Roles = nil, nil, nil, nil
		v.Extensions = directory.Extensions{directory.EnterpriseExtension: json.RawMessage(`{"costCenter":"7"}`)}
		v.ExternalIDs = []directory.ExternalID{{Issuer: "https://other.example.com", ID: "x-1"}, {Issuer: "https://idp.example.com", ID: "x-2"}}
		v.Status = directory.UserDisabled
		v.Revision = 2
		v.UpdatedAt = t0.Add(48 * time.Hour)
		v.UpdatedBy = "AIDAEXAMPLEOTHER"
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateUser(ctx, &v) })
		got := mustGetUser(t, s, in.ID, u.UserID)
		if d := diff(*got, storedUser(&v)); d != "" {
			t.Errorf("GetUser(%q) differs from what UpdateUser stored:\n%s", u.UserID, d)
		}
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			for _, q := range []store.UserQuery{{UserName: "ada.lovelace"}, {Email: "AUGUSTA@example.com"}} {
				if got := userIDs(mustListUsers(t, tx, in.ID, q)); !slices.Equal(got, []string{u.UserID}) {
					t.Errorf("ListUsers(%+v) after update = %q, want %q", q, got, u.UserID)
				}
			}
			for _, q := range []store.UserQuery{{UserName: "ada"}, {Email: "ada@example.com"}} {
				if got := userIDs(mustListUsers(t, tx, in.ID, q)); len(got) != 0 {
					t.Errorf("ListUsers(%+v) after update = %q, want none", q, got)
				}
			}
			return nil
		})
	})

	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		in := mustInstance(t, s, 1)
		u := userFixture(in, "u-1", "ada")
		keep := userFixture(in, "u-2", "bob")
		mustCreateUser(t, s, u)
		mustCreateUser(t, s, keep)
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteUser(ctx, in.ID, u.UserID) })
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.GetUser(ctx, in.ID, u.UserID)
			wantErr(t, "GetUser(deleted)", err, store.ErrNotFound)
			if n, err := tx.CountUsers(ctx, in.ID); n != 1 || err != nil {
				t.Errorf("CountUsers() = %d, %v, want 1, nil", n, err)
			}
			return nil
		})
		err := write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteUser(ctx, in.ID, u.UserID) })
		wantErr(t, "DeleteUser(deleted)", err, store.ErrNotFound)
		// The name is free again.
		mustCreateUser(t, s, userFixture(in, "u-3", "ADA"))
	})

	t.Run("List", func(t *testing.T) {
		s := open(t)
		in := mustInstance(t, s, 1)
		for i, id := range unsortedIDs {
			mustCreateUser(t, s, userFixture(in, id, fmt.Sprintf("user%d", i)))
		}
		sorted := slices.Clone(unsortedIDs)
		slices.Sort(sorted)
		tests := []struct {
			name string
			page store.Page
			want []string
		}{
			{name: "all, by id in byte order", page: store.Page{}, want: sorted},
			{name: "first page", page: store.Page{Limit: 3}, want: sorted[:3]},
			{name: "middle page", page: store.Page{After: sorted[2], Limit: 3}, want: sorted[3:6]},
			{name: "last page", page: store.Page{After: sorted[5], Limit: 3}, want: sorted[6:]},
			{name: "after a missing id", page: store.Page{After: sorted[2] + "0", Limit: 2}, want: sorted[3:5]},
			{name: "past the end", page: store.Page{After: sorted[len(sorted)-1]}, want: nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
					q := store.UserQuery{Page: tc.page}
					if got := userIDs(mustListUsers(t, tx, in.ID, q)); !slices.Equal(got, tc.want) {
						t.Errorf("ListUsers(%+v) = %q, want %q", q, got, tc.want)
					}
					return nil
				})
			})
		}
		t.Run("full rows", func(t *testing.T) {
			mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
				got := mustListUsers(t, tx, in.ID, store.UserQuery{Page: store.Page{Limit: 1}})
				want := storedUser(userFixture(in, sorted[0], fmt.Sprintf("user%d", slices.Index(unsortedIDs, sorted[0]))))
				if len(got) != 1 {
					t.Fatalf("ListUsers(Limit 1) = %d users, want 1", len(got))
				}
				if d := diff(got[0], want); d != "" {
					t.Errorf("ListUsers()[0] differs from what CreateUser stored:\n%s", d)
				}
				if n, err := tx.CountUsers(ctx, in.ID); n != len(unsortedIDs) || err != nil {
					t.Errorf("CountUsers() = %d, %v, want %d, nil", n, err, len(unsortedIDs))
				}
				return nil
			})
		})
	})

	t.Run("Filter", func(t *testing.T) {
		s := open(t)
		in := mustInstance(t, s, 1)
		ada := userFixture(in, "u-1", "Ada")
		bob := userFixture(in, "u-2", "bob")
		bob.Emails = []directory.Email{{Value: "other@example.com"}, {Value: "Bob@Example.com", Primary: ptr(true)}}
		noMail := userFixture(in, "u-3", "carol")
		noMail.Emails = nil
		for _, u := range []*directory.User{ada, bob, noMail} {
			mustCreateUser(t, s, u)
		}
		tests := []struct {
			name string
			q    store.UserQuery
			want []string
		}{
			{name: "user name, other case", q: store.UserQuery{UserName: "ADA"}, want: []string{"u-1"}},
			{name: "user name, exact", q: store.UserQuery{UserName: "bob"}, want: []string{"u-2"}},
			{name: "user name, no match", q: store.UserQuery{UserName: "ad"}, want: nil},
			{name: "primary email, other case", q: store.UserQuery{Email: "ada@EXAMPLE.COM"}, want: []string{"u-1"}},
			{name: "primary email not first", q: store.UserQuery{Email: "bob@example.com"}, want: []string{"u-2"}},
			{name: "secondary email", q: store.UserQuery{Email: "other@example.com"}, want: nil},
			{name: "user name and matching email", q: store.UserQuery{UserName: "ada", Email: "ada@example.com"}, want: []string{"u-1"}},
			{name: "user name and another user's email", q: store.UserQuery{UserName: "ada", Email: "bob@example.com"}, want: nil},
			{name: "user name after the match", q: store.UserQuery{UserName: "ada", Page: store.Page{After: "u-1"}}, want: nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
					if got := userIDs(mustListUsers(t, tx, in.ID, tc.q)); !slices.Equal(got, tc.want) {
						t.Errorf("ListUsers(%+v) = %q, want %q", tc.q, got, tc.want)
					}
					return nil
				})
			})
		}
	})

	t.Run("UniqueUserName", func(t *testing.T) {
		s := open(t)
		in := mustInstance(t, s, 1)
		other := mustInstance(t, s, 2)
		mustCreateUser(t, s, userFixture(in, "u-1", "Ada"))
		mustCreateUser(t, s, userFixture(in, "u-2", "bob"))
		renamed := userFixture(in, "u-2", "ADA")
		renamed.ExternalIDs = nil
		tests := []struct {
			name string
			fn   func(ctx context.Context, tx store.Tx) error
			want error
		}{
			{name: "same name", fn: func(ctx context.Context, tx store.Tx) error { return tx.CreateUser(ctx, userFixture(in, "u-3", "Ada")) }, want: store.ErrConflict},
			{name: "same name, other case", fn: func(ctx context.Context, tx store.Tx) error { return tx.CreateUser(ctx, userFixture(in, "u-3", "aDA")) }, want: store.ErrConflict},
			{name: "same id", fn: func(ctx context.Context, tx store.Tx) error { return tx.CreateUser(ctx, userFixture(in, "u-1", "zed")) }, want: store.ErrConflict},
			{name: "rename onto a taken name", fn: func(ctx context.Context, tx store.Tx) error { return tx.UpdateUser(ctx, renamed) }, want: store.ErrConflict},
			{name: "same name in another instance", fn: func(ctx context.Context, tx store.Tx) error {
				return tx.CreateUser(ctx, userFixture(other, "u-9", "ada"))
			}, want: nil},
			{name: "rename to own name in another case", fn: func(ctx context.Context, tx store.Tx) error {
				return tx.UpdateUser(ctx, userFixture(in, "u-1", "ADA"))
			}, want: nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				wantErr(t, tc.name, write(t, s, tc.fn), tc.want)
			})
		}
	})
}

func mustListUsers(t testing.TB, tx store.Tx, instanceID string, q store.UserQuery) []directory.User {
	t.Helper()
	us, err := tx.ListUsers(t.Context(), instanceID, q)
	if err != nil {
		t.Fatalf("ListUsers(%q, %+v) = %v, want nil", instanceID, q, err)
	}
	return us
}

func userIDs(us []directory.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.UserID)
	}
	return out
}

func mustListGroups(t testing.TB, tx store.Tx, instanceID string, q store.GroupQuery) []directory.Group {
	t.Helper()
	gs, err := tx.ListGroups(t.Context(), instanceID, q)
	if err != nil {
		t.Fatalf("ListGroups(%q, %+v) = %v, want nil", instanceID, q, err)
	}
	return gs
}

func groupIDs(gs []directory.Group) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.GroupID)
	}
	return out
}

func testGroups(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		in := mustInstance(t, s, 1)
		full := groupFixture(in, "g-1", "Engineers")
		minimal := &directory.Group{InstanceID: in.ID, IdentityStoreID: in.IdentityStoreID, GroupID: "g-2", DisplayName: "min"}
		tests := []struct {
			name string
			g    *directory.Group
		}{
			{name: "every attribute", g: full},
			{name: "only required attributes", g: minimal},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				mustCreateGroup(t, s, tc.g)
				got := mustGetGroup(t, s, in.ID, tc.g.GroupID)
				if d := diff(*got, storedGroup(tc.g)); d != "" {
					t.Errorf("GetGroup(%q) differs from what CreateGroup stored:\n%s", tc.g.GroupID, d)
				}
			})
		}
	})

	t.Run("Update", func(t *testing.T) {
		s := open(t)
		in := mustInstance(t, s, 1)
		g := groupFixture(in, "g-1", "Engineers")
		mustCreateGroup(t, s, g)
		v := *g
		v.DisplayName, v.Description = "Builders", ""
		v.ExternalIDs = []directory.ExternalID{{Issuer: "https://other.example.com", ID: "x-1"}}
		v.Revision, v.UpdatedAt, v.UpdatedBy = 7, t0.Add(time.Hour), "AIDAEXAMPLEOTHER"
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateGroup(ctx, &v) })
		got := mustGetGroup(t, s, in.ID, g.GroupID)
		if d := diff(*got, storedGroup(&v)); d != "" {
			t.Errorf("GetGroup(%q) differs from what UpdateGroup stored:\n%s", g.GroupID, d)
		}
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			if got := groupIDs(mustListGroups(t, tx, in.ID, store.GroupQuery{DisplayName: "engineers"})); len(got) != 0 {
				t.Errorf("ListGroups(old name) = %q, want none", got)
			}
			if got := groupIDs(mustListGroups(t, tx, in.ID, store.GroupQuery{DisplayName: "BUILDERS"})); !slices.Equal(got, []string{"g-1"}) {
				t.Errorf("ListGroups(new name) = %q, want [g-1]", got)
			}
			return nil
		})
	})

	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		in := mustInstance(t, s, 1)
		g := groupFixture(in, "g-1", "Engineers")
		mustCreateGroup(t, s, g)
		mustCreateGroup(t, s, groupFixture(in, "g-2", "Keep"))
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteGroup(ctx, in.ID, g.GroupID) })
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.GetGroup(ctx, in.ID, g.GroupID)
			wantErr(t, "GetGroup(deleted)", err, store.ErrNotFound)
			if got := groupIDs(mustListGroups(t, tx, in.ID, store.GroupQuery{})); !slices.Equal(got, []string{"g-2"}) {
				t.Errorf("ListGroups() = %q, want [g-2]", got)
			}
			return nil
		})
		err := write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteGroup(ctx, in.ID, g.GroupID) })
		wantErr(t, "DeleteGroup(deleted)", err, store.ErrNotFound)
		mustCreateGroup(t, s, groupFixture(in, "g-3", "ENGINEERS"))
	})

	t.Run("List", func(t *testing.T) {
		s := open(t)
		in := mustInstance(t, s, 1)
		for i, id := range unsortedIDs {
			mustCreateGroup(t, s, groupFixture(in, id, fmt.Sprintf("Group %d", i)))
		}
		sorted := slices.Clone(unsortedIDs)
		slices.Sort(sorted)
		tests := []struct {
			name string
			q    store.GroupQuery
			want []string
		}{
			{name: "all, by id in byte order", q: store.GroupQuery{}, want: sorted},
			{name: "first page", q: store.GroupQuery{Page: store.Page{Limit: 4}}, want: sorted[:4]},
			{name: "next page", q: store.GroupQuery{Page: store.Page{After: sorted[3], Limit: 4}}, want: sorted[4:]},
			{name: "display name, other case", q: store.GroupQuery{DisplayName: "group 3"}, want: []string{unsortedIDs[3]}},
			{name: "display name, no match", q: store.GroupQuery{DisplayName: "Group"}, want: nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
					if got := groupIDs(mustListGroups(t, tx, in.ID, tc.q)); !slices.Equal(got, tc.want) {
						t.Errorf("ListGroups(%+v) = %q, want %q", tc.q, got, tc.want)
					}
					return nil
				})
			})
		}
		t.Run("full rows", func(t *testing.T) {
			mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
				got := mustListGroups(t, tx, in.ID, store.GroupQuery{DisplayName: "GROUP 0"})
				want := storedGroup(groupFixture(in, unsortedIDs[0], "Group 0"))
				if len(got) != 1 {
					t.Fatalf("ListGroups(Group 0) = %d groups, want 1", len(got))
				}
				if d := diff(got[0], want); d != "" {
					t.Errorf("ListGroups()[0] differs from what CreateGroup stored:\n%s", d)
				}
				return nil
			})
		})
	})

	t.Run("UniqueDisplayName", func(t *testing.T) {
		s := open(t)
		in := mustInstance(t, s, 1)
		other := mustInstance(t, s, 2)
		mustCreateGroup(t, s, groupFixture(in, "g-1", "Engineers"))
		mustCreateGroup(t, s, groupFixture(in, "g-2", "Ops"))
		renamed := groupFixture(in, "g-2", "engineers")
		renamed.ExternalIDs = nil
		tests := []struct {
			name string
			fn   func(ctx context.Context, tx store.Tx) error
			want error
		}{
			{name: "same name, other case", fn: func(ctx context.Context, tx store.Tx) error {
				return tx.CreateGroup(ctx, groupFixture(in, "g-3", "ENGINEERS"))
			}, want: store.ErrConflict},
			{name: "same id", fn: func(ctx context.Context, tx store.Tx) error {
				return tx.CreateGroup(ctx, groupFixture(in, "g-1", "Other"))
			}, want: store.ErrConflict},
			{name: "rename onto a taken name", fn: func(ctx context.Context, tx store.Tx) error { return tx.UpdateGroup(ctx, renamed) }, want: store.ErrConflict},
			{name: "same name in another instance", fn: func(ctx context.Context, tx store.Tx) error {
				return tx.CreateGroup(ctx, groupFixture(other, "g-9", "engineers"))
			}, want: nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				wantErr(t, tc.name, write(t, s, tc.fn), tc.want)
			})
		}
	})
}

func findExternal(t testing.TB, s store.Store, instanceID, kind string, x directory.ExternalID) (string, error) {
	var id string
	err := read(t, s, func(ctx context.Context, tx store.Tx) error {
		var err error
		id, err = tx.FindByExternalID(ctx, instanceID, kind, x)
		return err
	})
	return id, err
}

func testExternalIDs(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Find", func(t *testing.T) {
		s := open(t)
		in := mustInstance(t, s, 1)
		other := mustInstance(t, s, 2)
		shared := directory.ExternalID{Issuer: "https://idp.example.com", ID: "00u1"}
		u := userFixture(in, "u-1", "ada")
		u.ExternalIDs = []directory.ExternalID{shared, {Issuer: "https://other.example.com", ID: "A-1"}}
		g := groupFixture(in, "g-1", "Engineers")
		g.ExternalIDs = []directory.ExternalID{shared} // the same id for a group is another entry
		u2 := userFixture(other, "u-2", "ada")
		u2.ExternalIDs = []directory.ExternalID{shared} // and in another instance too
		mustCreateUser(t, s, u)
		mustCreateGroup(t, s, g)
		mustCreateUser(t, s, u2)
		tests := []struct {
			name       string
			instanceID string
			kind       string
			x          directory.ExternalID
			want       string
			wantErr    error
		}{
			{name: "user", instanceID: in.ID, kind: "USER", x: shared, want: "u-1"},
			{name: "user, second id", instanceID: in.ID, kind: "USER", x: directory.ExternalID{Issuer: "https://other.example.com", ID: "A-1"}, want: "u-1"},
			{name: "group", instanceID: in.ID, kind: "GROUP", x: shared, want: "g-1"},
			{name: "other instance", instanceID: other.ID, kind: "USER", x: shared, want: "u-2"},
			{name: "no group there", instanceID: other.ID, kind: "GROUP", x: shared, wantErr: store.ErrNotFound},
			{name: "id is case-sensitive", instanceID: in.ID, kind: "USER", x: directory.ExternalID{Issuer: "https://other.example.com", ID: "a-1"}, wantErr: store.ErrNotFound},
			{name: "issuer must match", instanceID: in.ID, kind: "USER", x: directory.ExternalID{Issuer: "https://idp.example.org", ID: "00u1"}, wantErr: store.ErrNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := findExternal(t, s, tc.instanceID, tc.kind, tc.x)
				if tc.wantErr != nil {
					wantErr(t, fmt.Sprintf("FindByExternalID(%q, %+v)", tc.kind, tc.x), err, tc.wantErr)
					return
				}
				if err != nil || got != tc.want {
					t.Errorf("FindByExternalID(%q, %+v) = %q, %v, want %q, nil", tc.kind, tc.x, got, err, tc.want)
				}
			})
		}
	})

	t.Run("Unique", func(t *testing.T) {
		s := open(t)
		in := mustInstance(t, s, 1)
		x := directory.ExternalID{Issuer: "https://idp.example.com", ID: "00u1"}
		u := userFixture(in, "u-1", "ada")
		u.ExternalIDs = []directory.ExternalID{x}
		g := groupFixture(in, "g-1", "Engineers")
		g.ExternalIDs = []directory.ExternalID{x}
		mustCreateUser(t, s, u)
		mustCreateGroup(t, s, g)
		mustCreateUser(t, s, userFixture(in, "u-2", "bob"))
		mustCreateGroup(t, s, groupFixture(in, "g-2", "Ops"))
		tests := []struct {
			name string
			fn   func(ctx context.Context, tx store.Tx) error
		}{
			{name: "create user", fn: func(ctx context.Context, tx store.Tx) error {
				v := userFixture(in, "u-3", "carol")
				v.ExternalIDs = []directory.ExternalID{x}
				return tx.CreateUser(ctx, v)
			}},
			{name: "update user", fn: func(ctx context.Context, tx store.Tx) error {
				v := userFixture(in, "u-2", "bob")
				v.ExternalIDs = []directory.ExternalID{x}
				return tx.UpdateUser(ctx, v)
			}},
			{name: "create group", fn: func(ctx context.Context, tx store.Tx) error {
				v := groupFixture(in, "g-3", "Third")
				v.ExternalIDs = []directory.ExternalID{x}
				return tx.CreateGroup(ctx, v)
			}},
			{name: "update group", fn: func(ctx context.Context, tx store.Tx) error {
				v := groupFixture(in, "g-2", "Ops")
				v.ExternalIDs = []directory.ExternalID{x}
				return tx.UpdateGroup(ctx, v)
			}},
			{name: "twice on one user", fn: func(ctx context.Context, tx store.Tx) error {
				v := userFixture(in, "u-4", "dave")
				v.ExternalIDs = []directory.ExternalID{{Issuer: "i", ID: "1"}, {Issuer: "i", ID: "1"}}
				return tx.CreateUser(ctx, v)
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				wantErr(t, tc.name, write(t, s, tc.fn), store.ErrConflict)
			})
		}
		// The failed writes left nothing behind.
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			for _, id := range []string{"u-3", "u-4"} {
				_, err := tx.GetUser(ctx, in.ID, id)
				wantErr(t, fmt.Sprintf("GetUser(%q)", id), err, store.ErrNotFound)
			}
			_, err := tx.GetGroup(ctx, in.ID, "g-3")
			wantErr(t, `GetGroup("g-3")`, err, store.ErrNotFound)
			if got, err := tx.FindByExternalID(ctx, in.ID, "USER", directory.ExternalID{Issuer: "i", ID: "1"}); err == nil {
				t.Errorf("FindByExternalID(i/1) = %q, want ErrNotFound", got)
			}
			return nil
		})
		if got := mustGetUser(t, s, in.ID, "u-2"); len(got.ExternalIDs) != 1 || got.ExternalIDs[0].ID != "ext-u-2" {
			t.Errorf("GetUser(u-2).ExternalIDs = %+v after a failed update, want the original", got.ExternalIDs)
		}
	})

	t.Run("ReplacedAndRemoved", func(t *testing.T) {
		s := open(t)
		in := mustInstance(t, s, 1)
		u := userFixture(in, "u-1", "ada")
		g := groupFixture(in, "g-1", "Engineers")
		mustCreateUser(t, s, u)
		mustCreateGroup(t, s, g)
		oldU, oldG := u.ExternalIDs[0], g.ExternalIDs[0]
		newX := directory.ExternalID{Issuer: "https://new.example.com", ID: "n-1"}

		v := *u
		v.ExternalIDs = []directory.ExternalID{newX}
		h := *g
		h.ExternalIDs = []directory.ExternalID{newX}
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
			if err := tx.UpdateUser(ctx, &v); err != nil {
				return err
			}
			return tx.UpdateGroup(ctx, &h)
		})
		tests := []struct {
			name    string
			kind    string
			x       directory.ExternalID
			want    string
			wantErr error
		}{
			{name: "old user id gone", kind: "USER", x: oldU, wantErr: store.ErrNotFound},
			{name: "old group id gone", kind: "GROUP", x: oldG, wantErr: store.ErrNotFound},
			{name: "new user id", kind: "USER", x: newX, want: "u-1"},
			{name: "new group id", kind: "GROUP", x: newX, want: "g-1"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got, err := findExternal(t, s, in.ID, tc.kind, tc.x)
				if tc.wantErr != nil {
					wantErr(t, fmt.Sprintf("FindByExternalID(%q, %+v)", tc.kind, tc.x), err, tc.wantErr)
					return
				}
				if err != nil || got != tc.want {
					t.Errorf("FindByExternalID(%q, %+v) = %q, %v, want %q, nil", tc.kind, tc.x, got, err, tc.want)
				}
			})
		}

		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
			if err := tx.DeleteUser(ctx, in.ID, "u-1"); err != nil {
				return err
			}
			return tx.DeleteGroup(ctx, in.ID, "g-1")
		})
		for _, kind := range []string{"USER", "GROUP"} {
			_, err := findExternal(t, s, in.ID, kind, newX)
			wantErr(t, fmt.Sprintf("FindByExternalID(%q) after delete", kind), err, store.ErrNotFound)
		}
		// A new entry may take the freed external id.
		w := userFixture(in, "u-2", "bob")
		w.ExternalIDs = []directory.ExternalID{newX}
		mustCreateUser(t, s, w)
	})
}

func testMemberships(t *testing.T, open func(t *testing.T) store.Store) {
	setup := func(t *testing.T) (store.Store, *directory.User, *directory.Group) {
		s := open(t)
		in := mustInstance(t, s, 1)
		u := userFixture(in, "u-1", "ada")
		g := groupFixture(in, "g-1", "Engineers")
		mustCreateUser(t, s, u)
		mustCreateGroup(t, s, g)
		return s, u, g
	}

	t.Run("CreateGetFindDelete", func(t *testing.T) {
		s, u, g := setup(t)
		in := instanceFixture(1)
		m := membershipFixture(in, "m-1", g.GroupID, u.UserID)
		mustCreateMembership(t, s, m)
		want := storedMembership(m)
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			got, err := tx.GetMembership(ctx, in.ID, "m-1")
			if err != nil {
				t.Fatalf("GetMembership() = %v, want nil", err)
			}
			if d := diff(*got, want); d != "" {
				t.Errorf("GetMembership(m-1) differs from what CreateMembership stored:\n%s", d)
			}
			got, err = tx.FindMembership(ctx, in.ID, g.GroupID, u.UserID)
			if err != nil {
				t.Fatalf("FindMembership() = %v, want nil", err)
			}
			if d := diff(*got, want); d != "" {
				t.Errorf("FindMembership(g-1, u-1) differs from what CreateMembership stored:\n%s", d)
			}
			_, err = tx.FindMembership(ctx, in.ID, u.UserID, g.GroupID)
			wantErr(t, "FindMembership(swapped)", err, store.ErrNotFound)
			return nil
		})

		tests := []struct {
			name string
			m    *directory.Membership
			want error
		}{
			{name: "same pair", m: membershipFixture(in, "m-2", g.GroupID, u.UserID), want: store.ErrConflict},
			{name: "same id", m: membershipFixture(in, "m-1", "g-1", "u-1"), want: store.ErrConflict},
			{name: "missing user", m: membershipFixture(in, "m-3", g.GroupID, "u-missing"), want: store.ErrNotFound},
			{name: "missing group", m: membershipFixture(in, "m-4", "g-missing", u.UserID), want: store.ErrNotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				err := write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateMembership(ctx, tc.m) })
				wantErr(t, fmt.Sprintf("CreateMembership(%s)", tc.name), err, tc.want)
			})
		}

		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteMembership(ctx, in.ID, "m-1") })
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.GetMembership(ctx, in.ID, "m-1")
			wantErr(t, "GetMembership(deleted)", err, store.ErrNotFound)
			_, err = tx.FindMembership(ctx, in.ID, g.GroupID, u.UserID)
			wantErr(t, "FindMembership(deleted)", err, store.ErrNotFound)
			return nil
		})
		err := write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteMembership(ctx, in.ID, "m-1") })
		wantErr(t, "DeleteMembership(deleted)", err, store.ErrNotFound)
		// The pair may join again.
		mustCreateMembership(t, s, membershipFixture(in, "m-5", g.GroupID, u.UserID))
	})

	t.Run("List", func(t *testing.T) {
		s, u, g := setup(t)
		in := instanceFixture(1)
		u2 := userFixture(in, "u-2", "bob")
		g2 := groupFixture(in, "g-2", "Ops")
		mustCreateUser(t, s, u2)
		mustCreateGroup(t, s, g2)
		// Members of g-1: u-1, u-2. Groups of u-1: g-1, g-2.
		for id, pair := range map[string][2]string{"m-b": {"g-1", "u-1"}, "m-a": {"g-1", "u-2"}, "m-c": {"g-2", "u-1"}} {
			mustCreateMembership(t, s, membershipFixture(in, id, pair[0], pair[1]))
		}
		tests := []struct {
			name string
			list func(ctx context.Context, tx store.Tx) ([]directory.Membership, error)
			want []string
		}{
			{name: "of group", list: func(ctx context.Context, tx store.Tx) ([]directory.Membership, error) {
				return tx.ListMembershipsOfGroup(ctx, in.ID, g.GroupID, store.Page{})
			}, want: []string{"m-a", "m-b"}},
			{name: "of group, first page", list: func(ctx context.Context, tx store.Tx) ([]directory.Membership, error) {
				return tx.ListMembershipsOfGroup(ctx, in.ID, g.GroupID, store.Page{Limit: 1})
			}, want: []string{"m-a"}},
			{name: "of group, next page", list: func(ctx context.Context, tx store.Tx) ([]directory.Membership, error) {
				return tx.ListMembershipsOfGroup(ctx, in.ID, g.GroupID, store.Page{After: "m-a", Limit: 1})
			}, want: []string{"m-b"}},
			{name: "of group, past the end", list: func(ctx context.Context, tx store.Tx) ([]directory.Membership, error) {
				return tx.ListMembershipsOfGroup(ctx, in.ID, g.GroupID, store.Page{After: "m-b", Limit: 1})
			}, want: nil},
			{name: "of user", list: func(ctx context.Context, tx store.Tx) ([]directory.Membership, error) {
				return tx.ListMembershipsOfUser(ctx, in.ID, u.UserID, store.Page{})
			}, want: []string{"m-b", "m-c"}},
			{name: "of user, next page", list: func(ctx context.Context, tx store.Tx) ([]directory.Membership, error) {
				return tx.ListMembershipsOfUser(ctx, in.ID, u.UserID, store.Page{After: "m-b", Limit: 5})
			}, want: []string{"m-c"}},
			{name: "of a group with none", list: func(ctx context.Context, tx store.Tx) ([]directory.Membership, error) {
				return tx.ListMembershipsOfGroup(ctx, in.ID, "g-missing", store.Page{})
			}, want: nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
					ms, err := tc.list(ctx, tx)
					if err != nil {
						t.Fatalf("list = %v, want nil", err)
					}
					var got []string
					for _, m := range ms {
						got = append(got, m.MembershipID)
						want := storedMembership(membershipFixture(in, m.MembershipID, m.GroupID, m.UserID))
						if d := diff(m, want); d != "" {
							t.Errorf("listed membership %s differs from what CreateMembership stored:\n%s", m.MembershipID, d)
						}
					}
					if !slices.Equal(got, tc.want) {
						t.Errorf("list %s = %q, want %q", tc.name, got, tc.want)
					}
					return nil
				})
			})
		}
	})

	t.Run("Bulk", func(t *testing.T) {
		s, u, g := setup(t)
		in := instanceFixture(1)
		other := mustInstance(t, s, 2)
		mustCreateUser(t, s, userFixture(other, "u-other", "eve"))
		// More users than one statement of the bulk methods binds.
		const n = 620
		var ids []string
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
			for i := range n {
				u := userFixture(in, fmt.Sprintf("u-%04d", i), fmt.Sprintf("user%04d", i))
				u.ExternalIDs = nil
				if i%3 == 0 {
					u.Status = directory.UserDisabled
				}
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
				ids = append(ids, u.UserID)
			}
			return nil
		})
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			asked := append(slices.Clone(ids), u.UserID, "u-missing", "u-other", ids[0])
			got, err := tx.UserStatuses(ctx, in.ID, asked)
			if err != nil {
				t.Fatalf("UserStatuses() = %v", err)
			}
			want := map[string]directory.UserStatus{u.UserID: u.Status}
			for i, id := range ids {
				want[id] = directory.UserEnabled
				if i%3 == 0 {
					want[id] = directory.UserDisabled
				}
			}
			if d := diff(got, want); d != "" {
				t.Errorf("UserStatuses(%d ids) differs:\n%s", len(asked), d)
			}
			if got, err := tx.UserStatuses(ctx, in.ID, nil); len(got) != 0 || err != nil {
				t.Errorf("UserStatuses(none) = %v, %v, want none", got, err)
			}
			return nil
		})

		var ms []directory.Membership
		for i, id := range ids {
			ms = append(ms, *membershipFixture(in, fmt.Sprintf("m-%04d", i), g.GroupID, id))
		}
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateMemberships(ctx, ms) })
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			got, err := tx.GetMembership(ctx, in.ID, "m-0617")
			if err != nil {
				t.Fatalf("GetMembership(m-0617) = %v", err)
			}
			if d := diff(*got, storedMembership(&ms[617])); d != "" {
				t.Errorf("GetMembership(m-0617) differs from what CreateMemberships stored:\n%s", d)
			}
			members, err := tx.GroupMemberIDs(ctx, in.ID, g.GroupID)
			if err != nil || !slices.Equal(members, ids) {
				t.Errorf("GroupMemberIDs() = %d ids, %v, want the %d created", len(members), err, len(ids))
			}
			return nil
		})

		// All or none.
		for _, tc := range []struct {
			name string
			ms   []directory.Membership
			want error
		}{
			{name: "one exists", ms: []directory.Membership{*membershipFixture(in, "m-new", g.GroupID, u.UserID), ms[5]}, want: store.ErrConflict},
			{name: "one pair twice", ms: []directory.Membership{*membershipFixture(in, "m-x", g.GroupID, u.UserID), *membershipFixture(in, "m-y", g.GroupID, u.UserID)}, want: store.ErrConflict},
			{name: "missing user", ms: []directory.Membership{*membershipFixture(in, "m-new", g.GroupID, u.UserID), *membershipFixture(in, "m-z", g.GroupID, "u-missing")}, want: store.ErrNotFound},
			{name: "user of another instance", ms: []directory.Membership{*membershipFixture(in, "m-new", g.GroupID, u.UserID), *membershipFixture(in, "m-z", g.GroupID, "u-other")}, want: store.ErrNotFound},
			{name: "missing group", ms: []directory.Membership{*membershipFixture(in, "m-new", "g-missing", u.UserID)}, want: store.ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateMemberships(ctx, tc.ms) })
				wantErr(t, fmt.Sprintf("CreateMemberships(%s)", tc.name), err, tc.want)
				mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
					_, err := tx.FindMembership(ctx, in.ID, g.GroupID, u.UserID)
					wantErr(t, "FindMembership(u-1) after the failed CreateMemberships", err, store.ErrNotFound)
					return nil
				})
			})
		}
		// A failed bulk write leaves the transaction usable, its other
		// writes in place.
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
			if err := tx.CreateMembership(ctx, membershipFixture(in, "m-u1", g.GroupID, u.UserID)); err != nil {
				return err
			}
			err := tx.CreateMemberships(ctx, []directory.Membership{*membershipFixture(in, "m-w", g.GroupID, ids[1])})
			wantErr(t, "CreateMemberships(existing) in a transaction", err, store.ErrConflict)
			err = tx.DeleteGroupMembers(ctx, in.ID, g.GroupID, []string{ids[1], "u-missing"})
			wantErr(t, "DeleteGroupMembers(one not a member)", err, store.ErrNotFound)
			return nil
		})

		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			got, err := tx.GroupIDsOfUsers(ctx, in.ID, []string{u.UserID, ids[1], "u-missing", ids[619]})
			want := map[string][]string{u.UserID: {g.GroupID}, ids[1]: {g.GroupID}, ids[619]: {g.GroupID}}
			if d := diff(got, want); err != nil || d != "" {
				t.Errorf("GroupIDsOfUsers() = %v, differs:\n%s", err, d)
			}
			return nil
		})

		remove := append(slices.Clone(ids[:600]), ids[3]) // a repeat is one removal
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
			return tx.DeleteGroupMembers(ctx, in.ID, g.GroupID, remove)
		})
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			members, err := tx.GroupMemberIDs(ctx, in.ID, g.GroupID)
			want := append(slices.Clone(ids[600:]), u.UserID)
			slices.Sort(want)
			if err != nil || !slices.Equal(members, want) {
				t.Errorf("GroupMemberIDs() after DeleteGroupMembers = %q, %v, want %q", members, err, want)
			}
			if _, err := tx.GetMembership(ctx, in.ID, "m-0000"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetMembership(m-0000) = %v, want ErrNotFound", err)
			}
			return nil
		})
		err := write(t, s, func(ctx context.Context, tx store.Tx) error {
			return tx.DeleteGroupMembers(ctx, in.ID, g.GroupID, []string{ids[0]})
		})
		wantErr(t, "DeleteGroupMembers(removed)", err, store.ErrNotFound)
		err = write(t, s, func(ctx context.Context, tx store.Tx) error {
			return tx.DeleteGroupMembers(ctx, other.ID, g.GroupID, []string{ids[610]})
		})
		wantErr(t, "DeleteGroupMembers(another instance)", err, store.ErrNotFound)
	})

	t.Run("RemovedWithUserOrGroup", func(t *testing.T) {
		tests := []struct {
			name   string
			delete func(ctx context.Context, tx store.Tx, instanceID string) error
		}{
			{name: "user deleted", delete: func(ctx context.Context, tx store.Tx, instanceID string) error {
				return tx.DeleteUser(ctx, instanceID, "u-1")
			}},
			{name: "group deleted", delete: func(ctx context.Context, tx store.Tx, instanceID string) error {
				return tx.DeleteGroup(ctx, instanceID, "g-1")
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				s, u, g := setup(t)
				in := instanceFixture(1)
				mustCreateUser(t, s, userFixture(in, "u-2", "bob"))
				mustCreateGroup(t, s, groupFixture(in, "g-2", "Ops"))
				mustCreateMembership(t, s, membershipFixture(in, "m-1", g.GroupID, u.UserID))
				mustCreateMembership(t, s, membershipFixture(in, "m-2", "g-2", "u-2")) // unrelated, stays
				mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tc.delete(ctx, tx, in.ID) })
				mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
					_, err := tx.GetMembership(ctx, in.ID, "m-1")
					wantErr(t, "GetMembership(m-1)", err, store.ErrNotFound)
					for _, list := range []struct {
						name string
						fn   func() ([]directory.Membership, error)
					}{
						{"ListMembershipsOfGroup(g-1)", func() ([]directory.Membership, error) {
							return tx.ListMembershipsOfGroup(ctx, in.ID, "g-1", store.Page{})
						}},
						{"ListMembershipsOfUser(u-1)", func() ([]directory.Membership, error) {
							return tx.ListMembershipsOfUser(ctx, in.ID, "u-1", store.Page{})
						}},
					} {
						if ms, err := list.fn(); len(ms) != 0 || err != nil {
							t.Errorf("%s = %d memberships, %v, want none", list.name, len(ms), err)
						}
					}
					if _, err := tx.GetMembership(ctx, in.ID, "m-2"); err != nil {
						t.Errorf("GetMembership(m-2) = %v, want nil", err)
					}
					return nil
				})
			})
		}
	})
}
