// Package storetest is the conformance suite of the store: every engine runs
// Run against a fresh database and must pass all of it, so that the rest of
// Atrium can rely on one behaviour whatever the engine.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

// Run runs the whole conformance suite. open must return a new, empty store
// each time it is called, closed when its test ends; the parts of the suite
// run in parallel, each on stores of its own.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Meta", func(t *testing.T) { testMeta(t, open(t)) }},
		{"Instances", func(t *testing.T) { testInstances(t, open(t)) }},
		{"Organizations", func(t *testing.T) { testOrganizations(t, open(t)) }},
		{"Principals", func(t *testing.T) { testPrincipals(t, open(t)) }},
		{"Users", func(t *testing.T) { testUsers(t, open) }},
		{"Groups", func(t *testing.T) { testGroups(t, open) }},
		{"ExternalIDs", func(t *testing.T) { testExternalIDs(t, open) }},
		{"Memberships", func(t *testing.T) { testMemberships(t, open) }},
		{"Filters", func(t *testing.T) { testFilters(t, open(t)) }},
		{"SCIMTokens", func(t *testing.T) { testSCIMTokens(t, open(t)) }},
		{"NotFound", func(t *testing.T) { testNotFound(t, open(t)) }},
		{"Audit", func(t *testing.T) { testAudit(t, open(t)) }},
		{"Transactions", func(t *testing.T) { RunTransactionTests(t, open) }},
		{"Concurrency", func(t *testing.T) { RunConcurrencyTests(t, open) }},
		{"InstanceIsolation", func(t *testing.T) { testInstanceIsolation(t, open(t)) }},
		{"OrgTree", func(t *testing.T) { testOrgTree(t, open(t)) }},
		{"OrgPolicies", func(t *testing.T) { testOrgPolicies(t, open(t)) }},
		{"CreateAccountRequests", func(t *testing.T) { testCreateAccountRequests(t, open(t)) }},
		{"ClaimsSkipLocked", func(t *testing.T) { testClaimsSkipLocked(t, open(t)) }},
		{"Access", func(t *testing.T) { testAccess(t, open) }},
		{"AWSManagedPolicies", func(t *testing.T) { testAWSManagedPolicies(t, open(t)) }},
		{"Roles", func(t *testing.T) { testRoles(t, open(t)) }},
		{"Changes", func(t *testing.T) { testChanges(t, open) }},
		{"Lead", func(t *testing.T) { testLead(t, open(t)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each on a store of its own
			tc.run(t)
		})
	}
}

// t0 has nanoseconds and a zone other than UTC: the store keeps microseconds
// and gives times back in UTC.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.FixedZone("CET", 3600))

// stored is t as the store gives it back.
func stored(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.Truncate(time.Microsecond).UTC()
}

func mustWrite(t testing.TB, s store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	ctx := t.Context()
	if err := s.Write(ctx, func(tx store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("Write() = %v, want nil", err)
	}
}

func mustRead(t testing.TB, s store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	ctx := t.Context()
	if err := s.Read(ctx, func(tx store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("Read() = %v, want nil", err)
	}
}

// write runs fn in a write transaction and returns its error.
func write(t testing.TB, s store.Store, fn func(ctx context.Context, tx store.Tx) error) error {
	ctx := t.Context()
	return s.Write(ctx, func(tx store.Tx) error { return fn(ctx, tx) })
}

// read runs fn in a read transaction and returns its error.
func read(t testing.TB, s store.Store, fn func(ctx context.Context, tx store.Tx) error) error {
	ctx := t.Context()
	return s.Read(ctx, func(tx store.Tx) error { return fn(ctx, tx) })
}

// wantErr checks that err is target (nil for success).
func wantErr(t testing.TB, call string, err, target error) {
	t.Helper()
	switch {
	case target == nil && err != nil:
		t.Errorf("%s = %v, want nil", call, err)
	case target != nil && !errors.Is(err, target):
		t.Errorf("%s = %v, want %v", call, err, target)
	}
}

func instanceFixture(n int) *org.Instance {
	return &org.Instance{
		ID:              fmt.Sprintf("ssoins-%016x", 0x7000+n),
		IdentityStoreID: fmt.Sprintf("d-%010d", 9000000000+n),
		Name:            fmt.Sprintf("instance %d", n),
		OwnerAccountID:  fmt.Sprintf("%012d", 100000000000+n),
		Status:          org.InstanceActive,
		CreatedAt:       t0.Add(time.Duration(n) * time.Minute),
	}
}

func mustInstance(t testing.TB, s store.Store, n int) *org.Instance {
	t.Helper()
	in := instanceFixture(n)
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateInstance(ctx, in) })
	return in
}

func ptr[T any](v T) *T { return &v }

// userFixture is a user with every attribute set.
func userFixture(in *org.Instance, id, name string) *directory.User {
	return &directory.User{
		InstanceID:      in.ID,
		IdentityStoreID: in.IdentityStoreID,
		UserID:          id,
		UserName:        name,
		Name: &directory.Name{
			Formatted: "Ms. Ada M. Lovelace III", FamilyName: "Lovelace", GivenName: "Ada",
			MiddleName: "M.", HonorificPrefix: "Ms.", HonorificSuffix: "III",
		},
		DisplayName: "Ada Lovelace",
		NickName:    "ada",
		ProfileURL:  "https://example.com/ada",
		Emails: []directory.Email{
			{Value: name + "@Example.com", Type: "work", Primary: ptr(true)},
			{Value: "home-" + name + "@example.org", Type: "home", Primary: ptr(false)},
		},
		Addresses: []directory.Address{{
			StreetAddress: "1 Analytical Way", Locality: "London", Region: "LDN", PostalCode: "W1",
			Country: "GB", Formatted: "1 Analytical Way\nLondon W1", Type: "work", Primary: ptr(true),
		}},
		PhoneNumbers:      []directory.PhoneNumber{{Value: "+44 20 7946 0000", Type: "work", Primary: ptr(true)}},
		UserType:          "Employee",
		Title:             "Engineer",
		PreferredLanguage: "en-GB",
		Locale:            "en_GB",
		Timezone:          "Europe/London",
		Photos:            []directory.Photo{{Value: "https://example.com/ada.png", Type: "photo", Display: "Ada", Primary: ptr(true)}},
		Website:           "https://example.com",
		Birthdate:         "1815-12-10",
		Roles:             []directory.Role{{Value: "engineer", Type: "job", Primary: ptr(false)}},
		Extensions: directory.Extensions{
			directory.EnterpriseExtension: json.RawMessage(`{"costCenter":"42","department":"Ünits ✓","manager":{"value":"u-1"}}`),
		},
		ExternalIDs: []directory.ExternalID{{Issuer: "https://idp.example.com", ID: "ext-" + id}},
		Status:      directory.UserEnabled,
		Revision:    1,
		CreatedAt:   t0,
		CreatedBy:   "AIDAEXAMPLECREATOR",
		UpdatedAt:   t0.Add(1500 * time.Nanosecond),
		UpdatedBy:   "AIDAEXAMPLEUPDATER",
	}
}

// storedUser is u as the store gives it back.
func storedUser(u *directory.User) directory.User {
	c := *u
	c.CreatedAt, c.UpdatedAt = stored(u.CreatedAt), stored(u.UpdatedAt)
	return c
}

func groupFixture(in *org.Instance, id, name string) *directory.Group {
	return &directory.Group{
		InstanceID:      in.ID,
		IdentityStoreID: in.IdentityStoreID,
		GroupID:         id,
		DisplayName:     name,
		Description:     "The " + name + " group ✓",
		ExternalIDs:     []directory.ExternalID{{Issuer: "https://idp.example.com", ID: "ext-" + id}},
		Revision:        1,
		CreatedAt:       t0,
		CreatedBy:       "AIDAEXAMPLECREATOR",
		UpdatedAt:       t0.Add(time.Second),
		UpdatedBy:       "AIDAEXAMPLEUPDATER",
	}
}

func storedGroup(g *directory.Group) directory.Group {
	c := *g
	c.CreatedAt, c.UpdatedAt = stored(g.CreatedAt), stored(g.UpdatedAt)
	return c
}

func membershipFixture(in *org.Instance, id, groupID, userID string) *directory.Membership {
	return &directory.Membership{
		InstanceID:      in.ID,
		IdentityStoreID: in.IdentityStoreID,
		MembershipID:    id,
		GroupID:         groupID,
		UserID:          userID,
		CreatedAt:       t0,
		CreatedBy:       "AIDAEXAMPLECREATOR",
		UpdatedAt:       t0.Add(time.Millisecond),
		UpdatedBy:       "AIDAEXAMPLEUPDATER",
	}
}

func storedMembership(m *directory.Membership) directory.Membership {
	c := *m
	c.CreatedAt, c.UpdatedAt = stored(m.CreatedAt), stored(m.UpdatedAt)
	return c
}

func mustCreateUser(t testing.TB, s store.Store, u *directory.User) {
	t.Helper()
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateUser(ctx, u) })
}

func mustCreateGroup(t testing.TB, s store.Store, g *directory.Group) {
	t.Helper()
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateGroup(ctx, g) })
}

func mustCreateMembership(t testing.TB, s store.Store, m *directory.Membership) {
	t.Helper()
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.CreateMembership(ctx, m) })
}

// unsortedIDs are ids whose byte order differs from the linguistic order of
// most collations (case, punctuation), listed out of order. Listings are
// ordered by bytes.
var unsortedIDs = []string{"id-b", "id-B", "id-a", "id_a", "id-ab", "id-a-c", "ID-z", "id-0"}
