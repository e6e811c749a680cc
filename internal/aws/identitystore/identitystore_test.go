package identitystore_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/smithy-go"

	"github.com/atriumhq/atrium/internal/atriumtest"
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

func mustCreateUser(t *testing.T, c *identitystore.Client, store, name string) string {
	t.Helper()
	out, err := c.CreateUser(t.Context(), &identitystore.CreateUserInput{
		IdentityStoreId: aws.String(store), UserName: aws.String(name), DisplayName: aws.String("User " + name),
		Name: &types.Name{GivenName: aws.String("Given"), FamilyName: aws.String(name)},
	})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return aws.ToString(out.UserId)
}

func mustCreateGroup(t *testing.T, c *identitystore.Client, store, name string) string {
	t.Helper()
	out, err := c.CreateGroup(t.Context(), &identitystore.CreateGroupInput{IdentityStoreId: aws.String(store), DisplayName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateGroup(%s): %v", name, err)
	}
	return aws.ToString(out.GroupId)
}

func TestInstances(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		c := s.SSOAdmin()
		out, err := c.ListInstances(t.Context(), &ssoadmin.ListInstancesInput{})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Instances) != 1 {
			t.Fatalf("ListInstances = %d instances, want 1", len(out.Instances))
		}
		in := out.Instances[0]
		if aws.ToString(in.InstanceArn) != s.InstanceARN || aws.ToString(in.IdentityStoreId) != s.StoreID || in.Status != "ACTIVE" {
			t.Errorf("ListInstances = %+v, want %s %s ACTIVE", in, s.InstanceARN, s.StoreID)
		}
		if !strings.HasPrefix(s.StoreID, "d-") || len(s.StoreID) != 12 {
			t.Errorf("identity store id %q, want d-<10 hex>", s.StoreID)
		}
		d, err := c.DescribeInstance(t.Context(), &ssoadmin.DescribeInstanceInput{InstanceArn: in.InstanceArn})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(d.IdentityStoreId) != s.StoreID || d.CreatedDate == nil || len(aws.ToString(d.OwnerAccountId)) != 12 {
			t.Errorf("DescribeInstance = %+v", d)
		}
		_, err = c.DescribeInstance(t.Context(), &ssoadmin.DescribeInstanceInput{InstanceArn: aws.String("arn:aws:sso:::instance/ssoins-0000000000000000")})
		wantCode(t, err, "ResourceNotFoundException")
		_, err = c.DescribeInstance(t.Context(), &ssoadmin.DescribeInstanceInput{InstanceArn: aws.String("not-an-arn")})
		wantCode(t, err, "ValidationException")
	})
}

func TestUsers(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		ctx := t.Context()
		c := s.IdentityStore()
		store := aws.String(s.StoreID)
		created, err := c.CreateUser(ctx, &identitystore.CreateUserInput{
			IdentityStoreId: store, UserName: aws.String("alice"), DisplayName: aws.String("Alice Liddell"),
			Name:     &types.Name{GivenName: aws.String("Alice"), FamilyName: aws.String("Liddell"), MiddleName: aws.String("P"), Formatted: aws.String("Alice P Liddell")},
			NickName: aws.String("Al"), Title: aws.String("Explorer"), UserType: aws.String("Employee"), Locale: aws.String("en-GB"),
			PreferredLanguage: aws.String("en"), Timezone: aws.String("Europe/London"), ProfileUrl: aws.String("https://example.com/alice"),
			Emails:       []types.Email{{Value: aws.String("alice@example.com"), Type: aws.String("work"), Primary: true}},
			Addresses:    []types.Address{{StreetAddress: aws.String("1 Rabbit Hole"), Locality: aws.String("Oxford"), Country: aws.String("GB"), Primary: true}},
			PhoneNumbers: []types.PhoneNumber{{Value: aws.String("+44 1865 000000"), Type: aws.String("work")}},
			Website:      aws.String("https://alice.example.com"), Birthdate: aws.String("1852-05-04"),
			Photos:     []types.Photo{{Value: aws.String("https://example.com/alice.png"), Type: aws.String("photo")}},
			Roles:      []types.Role{{Value: aws.String("explorer")}},
			Extensions: map[string]document.Interface{"aws:identitystore:enterprise": document.NewLazyDocument(map[string]any{"employeeNumber": "42", "costCenter": "cc-1"})},
		})
		if err != nil {
			t.Fatalf("CreateUser: %v", err)
		}
		id := aws.ToString(created.UserId)
		if !strings.HasPrefix(id, strings.TrimPrefix(s.StoreID, "d-")+"-") {
			t.Errorf("UserId = %s, want the store's 10 hex digits as prefix", id)
		}
		if aws.ToString(created.UserArn) != "arn:aws:identitystore:::user/"+id {
			t.Errorf("UserArn = %s", aws.ToString(created.UserArn))
		}

		d, err := c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: store, UserId: aws.String(id), Extensions: []string{"aws:identitystore:enterprise"}})
		if err != nil {
			t.Fatalf("DescribeUser: %v", err)
		}
		for _, f := range []struct{ name, got, want string }{
			{"UserName", aws.ToString(d.UserName), "alice"},
			{"DisplayName", aws.ToString(d.DisplayName), "Alice Liddell"},
			{"Name.GivenName", aws.ToString(d.Name.GivenName), "Alice"},
			{"Name.MiddleName", aws.ToString(d.Name.MiddleName), "P"},
			{"NickName", aws.ToString(d.NickName), "Al"},
			{"Title", aws.ToString(d.Title), "Explorer"},
			{"Locale", aws.ToString(d.Locale), "en-GB"},
			{"Timezone", aws.ToString(d.Timezone), "Europe/London"},
			{"Email", aws.ToString(d.Emails[0].Value), "alice@example.com"},
			{"Address", aws.ToString(d.Addresses[0].Locality), "Oxford"},
			{"Phone", aws.ToString(d.PhoneNumbers[0].Value), "+44 1865 000000"},
			{"Website", aws.ToString(d.Website), "https://alice.example.com"},
			{"Birthdate", aws.ToString(d.Birthdate), "1852-05-04"},
			{"Photo", aws.ToString(d.Photos[0].Value), "https://example.com/alice.png"},
			{"Role", aws.ToString(d.Roles[0].Value), "explorer"},
			{"UserStatus", string(d.UserStatus), "ENABLED"},
			{"IdentityStoreId", aws.ToString(d.IdentityStoreId), s.StoreID},
		} {
			if f.got != f.want {
				t.Errorf("DescribeUser %s = %q, want %q", f.name, f.got, f.want)
			}
		}
		if !d.Emails[0].Primary || d.CreatedAt == nil || d.UpdatedAt == nil || aws.ToString(d.CreatedBy) == "" {
			t.Errorf("DescribeUser: primary %v, CreatedAt %v, UpdatedAt %v, CreatedBy %q", d.Emails[0].Primary, d.CreatedAt, d.UpdatedAt, aws.ToString(d.CreatedBy))
		}
		var enterprise map[string]any
		if doc, ok := d.Extensions["aws:identitystore:enterprise"]; !ok {
			t.Errorf("DescribeUser Extensions = %v, want the enterprise extension", d.Extensions)
		} else if err := doc.UnmarshalSmithyDocument(&enterprise); err != nil || enterprise["costCenter"] != "cc-1" {
			t.Errorf("enterprise extension = %v (%v), want costCenter cc-1", enterprise, err)
		}
		plain, err := c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: store, UserId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		if len(plain.Extensions) != 0 {
			t.Errorf("DescribeUser without Extensions returned %v", plain.Extensions)
		}

		// UpdateUser: attribute paths, then removal of a required attribute.
		up, err := c.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: store, UserId: aws.String(id), Operations: []types.AttributeOperation{
			{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("Alice L.")},
			{AttributePath: aws.String("name.givenName"), AttributeValue: document.NewLazyDocument("Alicia")},
			{AttributePath: aws.String("nickName")},
			{AttributePath: aws.String("emails"), AttributeValue: document.NewLazyDocument([]any{map[string]any{"value": "alicia@example.com", "type": "home", "primary": true}})},
			{AttributePath: aws.String("aws:identitystore:enterprise.department"), AttributeValue: document.NewLazyDocument("Wonderland")},
		}})
		if err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		d, err = c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: store, UserId: aws.String(id), Extensions: []string{"aws:identitystore:enterprise"}})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(d.DisplayName) != "Alice L." || aws.ToString(d.Name.GivenName) != "Alicia" || d.NickName != nil || aws.ToString(d.Emails[0].Value) != "alicia@example.com" {
			t.Errorf("after UpdateUser: DisplayName %q GivenName %q NickName %v Email %q", aws.ToString(d.DisplayName), aws.ToString(d.Name.GivenName), d.NickName, aws.ToString(d.Emails[0].Value))
		}
		enterprise = nil
		if err := d.Extensions["aws:identitystore:enterprise"].UnmarshalSmithyDocument(&enterprise); err != nil || enterprise["department"] != "Wonderland" || enterprise["costCenter"] != "cc-1" {
			t.Errorf("enterprise after update = %v (%v)", enterprise, err)
		}
		if aws.ToString(up.Revision) == aws.ToString(created.Revision) {
			t.Errorf("Revision did not change: %s", aws.ToString(up.Revision))
		}
		_, err = c.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: store, UserId: aws.String(id), Revision: created.Revision,
			Operations: []types.AttributeOperation{{AttributePath: aws.String("title"), AttributeValue: document.NewLazyDocument("x")}}})
		var ce *types.ConflictException
		if wantCode(t, err, "ConflictException"); !errors.As(err, &ce) || ce.Reason != types.ConflictExceptionReasonConcurrentModification {
			t.Errorf("UpdateUser with a stale revision = %v, want reason CONCURRENT_MODIFICATION", err)
		}
		_, err = c.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: store, UserId: aws.String(id),
			Operations: []types.AttributeOperation{{AttributePath: aws.String("displayName")}}})
		wantCode(t, err, "ValidationException")
		_, err = c.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: store, UserId: aws.String(id),
			Operations: []types.AttributeOperation{{AttributePath: aws.String("no.such.path.here"), AttributeValue: document.NewLazyDocument("x")}}})
		wantCode(t, err, "ValidationException")

		// GetUserId by user name (any case) and by email.
		for _, alt := range []types.AlternateIdentifier{
			&types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument("ALICE")}},
			&types.AlternateIdentifierMemberUniqueAttribute{Value: types.UniqueAttribute{AttributePath: aws.String("emails.value"), AttributeValue: document.NewLazyDocument("alicia@example.com")}},
		} {
			got, err := c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: store, AlternateIdentifier: alt})
			if err != nil || aws.ToString(got.UserId) != id {
				t.Errorf("GetUserId(%+v) = %v, %v; want %s", alt, got, err, id)
			}
		}
		_, err = c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: store, AlternateIdentifier: &types.AlternateIdentifierMemberUniqueAttribute{
			Value: types.UniqueAttribute{AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument("nobody")}}})
		wantCode(t, err, "ResourceNotFoundException")
		_, err = c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: store, AlternateIdentifier: &types.AlternateIdentifierMemberUniqueAttribute{
			Value: types.UniqueAttribute{AttributePath: aws.String("title"), AttributeValue: document.NewLazyDocument("x")}}})
		wantCode(t, err, "ValidationException")
		_, err = c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: store, AlternateIdentifier: &types.AlternateIdentifierMemberExternalId{
			Value: types.ExternalId{Issuer: aws.String("https://idp.example.com"), Id: aws.String("u-1")}}})
		wantCode(t, err, "ResourceNotFoundException")

		// DeleteUser, then it is gone.
		if _, err := c.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: store, UserId: aws.String(id)}); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		_, err = c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: store, UserId: aws.String(id)})
		var nf *types.ResourceNotFoundException
		if wantCode(t, err, "ResourceNotFoundException"); !errors.As(err, &nf) || nf.ResourceType != types.ResourceTypeUser || aws.ToString(nf.ResourceId) != id {
			t.Errorf("DescribeUser after delete = %v, want ResourceType USER and ResourceId %s", err, id)
		}
		_, err = c.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: store, UserId: aws.String(id)})
		wantCode(t, err, "ResourceNotFoundException")
	})
}

func TestCreateUserErrors(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		c := s.IdentityStore()
		mustCreateUser(t, c, s.StoreID, "taken")
		name := &types.Name{GivenName: aws.String("G"), FamilyName: aws.String("F")}
		long := strings.Repeat("x", 129)
		tests := []struct {
			name   string
			in     identitystore.CreateUserInput
			code   string
			reason types.ConflictExceptionReason
			msg    string // in the message: what another user holds
		}{
			{"duplicate user name", identitystore.CreateUserInput{UserName: aws.String("taken"), DisplayName: aws.String("d"), Name: name}, "ConflictException", types.ConflictExceptionReasonUniquenessConstraintViolation, "Duplicate UserName."},
			{"duplicate user name in another case", identitystore.CreateUserInput{UserName: aws.String("TAKEN"), DisplayName: aws.String("d"), Name: name}, "ConflictException", types.ConflictExceptionReasonUniquenessConstraintViolation, "UserName"},
			{"no display name", identitystore.CreateUserInput{UserName: aws.String("a1"), Name: name}, "ValidationException", "", ""},
			{"no name", identitystore.CreateUserInput{UserName: aws.String("a2"), DisplayName: aws.String("d")}, "ValidationException", "", ""},
			{"no family name", identitystore.CreateUserInput{UserName: aws.String("a3"), DisplayName: aws.String("d"), Name: &types.Name{GivenName: aws.String("G")}}, "ValidationException", "", ""},
			{"no user name", identitystore.CreateUserInput{DisplayName: aws.String("d"), Name: name}, "ValidationException", "", ""},
			{"user name too long", identitystore.CreateUserInput{UserName: aws.String(long), DisplayName: aws.String("d"), Name: name}, "ValidationException", "", ""},
			{"user name with a space", identitystore.CreateUserInput{UserName: aws.String("a b"), DisplayName: aws.String("d"), Name: name}, "ValidationException", "", ""},
			{"reserved user name", identitystore.CreateUserInput{UserName: aws.String("Administrator"), DisplayName: aws.String("d"), Name: name}, "ValidationException", "", ""},
			{"two emails", identitystore.CreateUserInput{UserName: aws.String("a4"), DisplayName: aws.String("d"), Name: name,
				Emails: []types.Email{{Value: aws.String("a@x")}, {Value: aws.String("b@x")}}}, "ValidationException", "", ""},
			{"display name too long", identitystore.CreateUserInput{UserName: aws.String("a5"), DisplayName: aws.String(strings.Repeat("d", 1025)), Name: name}, "ValidationException", "", ""},
			{"unknown extension", identitystore.CreateUserInput{UserName: aws.String("a6"), DisplayName: aws.String("d"), Name: name,
				Extensions: map[string]document.Interface{"aws:identitystore:other": document.NewLazyDocument(map[string]any{})}}, "ValidationException", "", ""},
			{"malformed store id", identitystore.CreateUserInput{IdentityStoreId: aws.String("store-1"), UserName: aws.String("a7"), DisplayName: aws.String("d"), Name: name}, "ValidationException", "", ""},
			{"another store", identitystore.CreateUserInput{IdentityStoreId: aws.String("d-0000000000"), UserName: aws.String("a8"), DisplayName: aws.String("d"), Name: name}, "ResourceNotFoundException", "", ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := tt.in
				if in.IdentityStoreId == nil {
					in.IdentityStoreId = aws.String(s.StoreID)
				}
				_, err := c.CreateUser(t.Context(), &in)
				wantCode(t, err, tt.code)
				var ce *types.ConflictException
				if tt.reason != "" && (!errors.As(err, &ce) || ce.Reason != tt.reason) {
					t.Errorf("CreateUser(%s) = %v, want reason %s", tt.name, err, tt.reason)
				}
				if ce != nil && !strings.Contains(aws.ToString(ce.Message), tt.msg) {
					t.Errorf("CreateUser(%s) message = %q, want it to say %q", tt.name, aws.ToString(ce.Message), tt.msg)
				}
				var nf *types.ResourceNotFoundException
				if tt.code == "ResourceNotFoundException" && (!errors.As(err, &nf) || nf.ResourceType != types.ResourceTypeIdentityStore) {
					t.Errorf("CreateUser(%s) = %v, want ResourceType IDENTITY_STORE", tt.name, err)
				}
			})
		}
		// Nothing of the refused calls was written.
		out, err := c.ListUsers(t.Context(), &identitystore.ListUsersInput{IdentityStoreId: aws.String(s.StoreID)})
		if err != nil || len(out.Users) != 1 {
			t.Errorf("ListUsers after refused creates = %d users (%v), want 1", len(out.Users), err)
		}
	})
}

func TestListUsersPaging(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		ctx := t.Context()
		c := s.IdentityStore()
		want := map[string]bool{}
		for i := range 7 {
			want[mustCreateUser(t, c, s.StoreID, fmt.Sprintf("pager%d", i))] = true
		}
		var got []string
		pages := 0
		p := identitystore.NewListUsersPaginator(c, &identitystore.ListUsersInput{IdentityStoreId: aws.String(s.StoreID), MaxResults: aws.Int32(3)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("ListUsers page %d: %v", pages, err)
			}
			if len(out.Users) > 3 {
				t.Errorf("page %d has %d users, want at most 3", pages, len(out.Users))
			}
			for _, u := range out.Users {
				got = append(got, aws.ToString(u.UserId))
			}
			pages++
		}
		if pages != 3 || len(got) != 7 {
			t.Errorf("ListUsers: %d pages, %d users; want 3 pages, 7 users", pages, len(got))
		}
		seen := map[string]bool{}
		for _, id := range got {
			if !want[id] || seen[id] {
				t.Errorf("ListUsers returned %s unexpectedly or twice", id)
			}
			seen[id] = true
		}
		f, err := c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(s.StoreID),
			Filters: []types.Filter{{AttributePath: aws.String("UserName"), AttributeValue: aws.String("PAGER3")}}})
		if err != nil || len(f.Users) != 1 || aws.ToString(f.Users[0].UserName) != "pager3" {
			t.Errorf("ListUsers filtered by UserName = %+v, %v; want pager3", f, err)
		}
		_, err = c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(s.StoreID), NextToken: aws.String("garbage!!")})
		wantCode(t, err, "ValidationException")
		_, err = c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(s.StoreID), MaxResults: aws.Int32(101)})
		wantCode(t, err, "ValidationException")
		_, err = c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(s.StoreID),
			Filters: []types.Filter{{AttributePath: aws.String("Title"), AttributeValue: aws.String("x")}}})
		wantCode(t, err, "ValidationException")
	})
}

func TestGroupsAndMemberships(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		ctx := t.Context()
		c := s.IdentityStore()
		store := aws.String(s.StoreID)
		alice := mustCreateUser(t, c, s.StoreID, "alice")
		bob := mustCreateUser(t, c, s.StoreID, "bob")
		eng, err := c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: store, DisplayName: aws.String("Engineers"), Description: aws.String("Builders")})
		if err != nil {
			t.Fatalf("CreateGroup: %v", err)
		}
		engID := aws.ToString(eng.GroupId)
		ops := mustCreateGroup(t, c, s.StoreID, "Operators")
		_, err = c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: store, DisplayName: aws.String("engineers")})
		wantCode(t, err, "ConflictException")
		_, err = c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: store})
		wantCode(t, err, "ValidationException")

		g, err := c.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: store, GroupId: aws.String(engID)})
		if err != nil || aws.ToString(g.DisplayName) != "Engineers" || aws.ToString(g.Description) != "Builders" || g.CreatedAt == nil {
			t.Fatalf("DescribeGroup = %+v, %v", g, err)
		}
		if _, err := c.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: store, GroupId: aws.String(engID), Operations: []types.AttributeOperation{
			{AttributePath: aws.String("description"), AttributeValue: document.NewLazyDocument("Makers")},
		}}); err != nil {
			t.Fatalf("UpdateGroup: %v", err)
		}
		_, err = c.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: store, GroupId: aws.String(engID), Operations: []types.AttributeOperation{
			{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("Operators")},
		}})
		wantCode(t, err, "ConflictException")
		gid, err := c.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: store, AlternateIdentifier: &types.AlternateIdentifierMemberUniqueAttribute{
			Value: types.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("Engineers")}}})
		if err != nil || aws.ToString(gid.GroupId) != engID {
			t.Errorf("GetGroupId = %v, %v; want %s", gid, err, engID)
		}
		lg, err := c.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: store, Filters: []types.Filter{{AttributePath: aws.String("DisplayName"), AttributeValue: aws.String("Operators")}}})
		if err != nil || len(lg.Groups) != 1 || aws.ToString(lg.Groups[0].GroupId) != ops {
			t.Errorf("ListGroups filtered = %+v, %v", lg, err)
		}
		all, err := c.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: store})
		if err != nil || len(all.Groups) != 2 {
			t.Errorf("ListGroups = %d groups, %v; want 2", len(all.Groups), err)
		}

		// Memberships.
		member := func(user string) types.MemberId { return &types.MemberIdMemberUserId{Value: user} }
		m1, err := c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: store, GroupId: aws.String(engID), MemberId: member(alice)})
		if err != nil {
			t.Fatalf("CreateGroupMembership: %v", err)
		}
		if _, err := c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: store, GroupId: aws.String(engID), MemberId: member(bob)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: store, GroupId: aws.String(ops), MemberId: member(alice)}); err != nil {
			t.Fatal(err)
		}
		_, err = c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: store, GroupId: aws.String(engID), MemberId: member(alice)})
		wantCode(t, err, "ConflictException")
		_, err = c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: store, GroupId: aws.String(engID), MemberId: member(strings.TrimPrefix(s.StoreID, "d-") + "-00000000-0000-4000-8000-000000000000")})
		var nf *types.ResourceNotFoundException
		if wantCode(t, err, "ResourceNotFoundException"); !errors.As(err, &nf) || nf.ResourceType != types.ResourceTypeUser {
			t.Errorf("membership of a missing user = %v, want ResourceType USER", err)
		}

		dm, err := c.DescribeGroupMembership(ctx, &identitystore.DescribeGroupMembershipInput{IdentityStoreId: store, MembershipId: m1.MembershipId})
		if err != nil || aws.ToString(dm.GroupId) != engID {
			t.Fatalf("DescribeGroupMembership = %+v, %v", dm, err)
		}
		if u, ok := dm.MemberId.(*types.MemberIdMemberUserId); !ok || u.Value != alice {
			t.Errorf("DescribeGroupMembership MemberId = %#v, want alice", dm.MemberId)
		}
		mid, err := c.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: store, GroupId: aws.String(engID), MemberId: member(alice)})
		if err != nil || aws.ToString(mid.MembershipId) != aws.ToString(m1.MembershipId) {
			t.Errorf("GetGroupMembershipId = %v, %v", mid, err)
		}
		_, err = c.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: store, GroupId: aws.String(ops), MemberId: member(bob)})
		wantCode(t, err, "ResourceNotFoundException")

		var members []string
		p := identitystore.NewListGroupMembershipsPaginator(c, &identitystore.ListGroupMembershipsInput{IdentityStoreId: store, GroupId: aws.String(engID), MaxResults: aws.Int32(1)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range out.GroupMemberships {
				members = append(members, m.MemberId.(*types.MemberIdMemberUserId).Value)
			}
		}
		sort.Strings(members)
		want := []string{alice, bob}
		sort.Strings(want)
		if strings.Join(members, ",") != strings.Join(want, ",") {
			t.Errorf("ListGroupMemberships = %v, want %v", members, want)
		}
		fm, err := c.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: store, MemberId: member(alice)})
		if err != nil || len(fm.GroupMemberships) != 2 {
			t.Errorf("ListGroupMembershipsForMember(alice) = %d, %v; want 2", len(fm.GroupMemberships), err)
		}
		in, err := c.IsMemberInGroups(ctx, &identitystore.IsMemberInGroupsInput{IdentityStoreId: store, MemberId: member(bob), GroupIds: []string{engID, ops}})
		if err != nil || len(in.Results) != 2 || !in.Results[0].MembershipExists || in.Results[1].MembershipExists {
			t.Errorf("IsMemberInGroups(bob) = %+v, %v; want [true false]", in, err)
		}

		// Deleting a user removes its memberships; deleting a group too.
		if _, err := c.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: store, UserId: aws.String(alice)}); err != nil {
			t.Fatal(err)
		}
		_, err = c.DescribeGroupMembership(ctx, &identitystore.DescribeGroupMembershipInput{IdentityStoreId: store, MembershipId: m1.MembershipId})
		wantCode(t, err, "ResourceNotFoundException")
		if _, err := c.DeleteGroup(ctx, &identitystore.DeleteGroupInput{IdentityStoreId: store, GroupId: aws.String(engID)}); err != nil {
			t.Fatal(err)
		}
		fm, err = c.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: store, MemberId: member(bob)})
		if err != nil || len(fm.GroupMemberships) != 0 {
			t.Errorf("bob's memberships after the group's deletion = %d, %v; want 0", len(fm.GroupMemberships), err)
		}
		_, err = c.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: store, GroupId: aws.String(engID)})
		if wantCode(t, err, "ResourceNotFoundException"); !errors.As(err, &nf) || nf.ResourceType != types.ResourceTypeGroup {
			t.Errorf("DescribeGroup after delete = %v, want ResourceType GROUP", err)
		}
		// A membership can be deleted by id.
		m3, err := c.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: store, GroupId: aws.String(ops), MemberId: member(bob)})
		if err == nil {
			t.Errorf("bob is unexpectedly in Operators: %v", m3)
		}
		m4, err := c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: store, GroupId: aws.String(ops), MemberId: member(bob)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: store, MembershipId: m4.MembershipId}); err != nil {
			t.Fatalf("DeleteGroupMembership: %v", err)
		}
		_, err = c.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: store, MembershipId: m4.MembershipId})
		wantCode(t, err, "ResourceNotFoundException")
		_, err = c.DescribeGroupMembership(ctx, &identitystore.DescribeGroupMembershipInput{IdentityStoreId: store, MembershipId: aws.String("not-an-id")})
		wantCode(t, err, "ValidationException")
	})
}

// TestConcurrentCreateSameName checks that concurrent creates of one user
// name leave exactly one user.
func TestConcurrentCreateSameName(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		c := s.IdentityStore()
		const n = 8
		errc := make(chan error, n)
		for range n {
			go func() {
				_, err := c.CreateUser(context.WithoutCancel(t.Context()), &identitystore.CreateUserInput{
					IdentityStoreId: aws.String(s.StoreID), UserName: aws.String("racer"), DisplayName: aws.String("R"),
					Name: &types.Name{GivenName: aws.String("R"), FamilyName: aws.String("R")}})
				errc <- err
			}()
		}
		ok := 0
		for range n {
			err := <-errc
			if err == nil {
				ok++
				continue
			}
			wantCode(t, err, "ConflictException")
		}
		if ok != 1 {
			t.Errorf("%d concurrent creates of one name succeeded, want 1", ok)
		}
	})
}

// TestPolicyScopedPrincipal checks that callers get what their identity
// policies allow, with an explicit Deny winning over an Allow.
func TestPolicyScopedPrincipal(t *testing.T) {
	s := atriumtest.Start(t)
	admin := s.IdentityStore()
	alice := mustCreateUser(t, admin, s.StoreID, "alice")
	reader := identitystore.NewFromConfig(s.AWSConfigFor(s.NewPrincipal(t, "reader",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["identitystore:Describe*","identitystore:List*"],"Resource":"*"}]}`)))
	denied := identitystore.NewFromConfig(s.AWSConfigFor(s.NewPrincipal(t, "denied",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"identitystore:*","Resource":"*"},
		  {"Effect":"Deny","Action":"identitystore:DeleteUser","Resource":"*"}]}`)))
	ctx := t.Context()

	if _, err := reader.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(s.StoreID), UserId: aws.String(alice)}); err != nil {
		t.Errorf("reader DescribeUser: %v", err)
	}
	_, err := reader.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: aws.String(s.StoreID), UserName: aws.String("x"),
		DisplayName: aws.String("x"), Name: &types.Name{GivenName: aws.String("x"), FamilyName: aws.String("x")}})
	if ae := wantCode(t, err, "AccessDeniedException"); !strings.Contains(ae.ErrorMessage(), "identitystore:CreateUser") {
		t.Errorf("denial message %q does not name the action", ae.ErrorMessage())
	}
	_, err = denied.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: aws.String(s.StoreID), UserId: aws.String(alice)})
	if ae := wantCode(t, err, "AccessDeniedException"); !strings.Contains(ae.ErrorMessage(), "explicit deny") {
		t.Errorf("explicit deny message = %q", ae.ErrorMessage())
	}
	if _, err := denied.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: aws.String(s.StoreID), UserId: aws.String(alice),
		Operations: []types.AttributeOperation{{AttributePath: aws.String("title"), AttributeValue: document.NewLazyDocument("t")}}}); err != nil {
		t.Errorf("UpdateUser allowed by identitystore:* = %v", err)
	}
	if _, err := admin.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(s.StoreID), UserId: aws.String(alice)}); err != nil {
		t.Errorf("alice is gone after a denied delete: %v", err)
	}
}
