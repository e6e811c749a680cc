package directory

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/atriumhq/atrium/internal/errs"
)

func validUser() *User {
	return &User{UserName: "alice", DisplayName: "Alice", Name: &Name{GivenName: "Alice", FamilyName: "Liddell"}}
}

func TestValidateUser(t *testing.T) {
	yes := true
	tests := []struct {
		name   string
		edit   func(u *User)
		lim    Limits
		wantOK bool
	}{
		{"valid", func(*User) {}, ModelLimits, true},
		{"no user name", func(u *User) { u.UserName = "" }, ModelLimits, false},
		{"space in user name", func(u *User) { u.UserName = "a b" }, ModelLimits, false},
		{"user name of 128", func(u *User) { u.UserName = strings.Repeat("a", 128) }, ModelLimits, true},
		{"user name of 129", func(u *User) { u.UserName = strings.Repeat("a", 129) }, ModelLimits, false},
		{"unicode user name", func(u *User) { u.UserName = "åsa.öberg@example.se" }, ModelLimits, true},
		{"reserved user name in any case", func(u *User) { u.UserName = "ADMINISTRATOR" }, ModelLimits, false},
		{"no display name", func(u *User) { u.DisplayName = "" }, ModelLimits, false},
		{"no name", func(u *User) { u.Name = nil }, ModelLimits, false},
		{"no family name", func(u *User) { u.Name.FamilyName = "" }, ModelLimits, false},
		{"display name with spaces", func(u *User) { u.DisplayName = "Alice  P. Liddell" }, ModelLimits, true},
		{"control character", func(u *User) { u.Title = "a\x01b" }, ModelLimits, false},
		{"one email", func(u *User) { u.Emails = []Email{{Value: "a@x", Primary: &yes}} }, ModelLimits, true},
		{"two emails in the model", func(u *User) { u.Emails = []Email{{Value: "a@x"}, {Value: "b@x"}} }, ModelLimits, false},
		{"two emails in SCIM", func(u *User) { u.Emails = []Email{{Value: "a@x"}, {Value: "b@x"}} }, SCIMLimits, true},
		{"photo without value", func(u *User) { u.Photos = []Photo{{Type: "photo"}} }, ModelLimits, false},
		{"external id", func(u *User) { u.ExternalIDs = []ExternalID{{Issuer: "https://idp", ID: "1"}} }, ModelLimits, true},
		{"external issuer arn:", func(u *User) { u.ExternalIDs = []ExternalID{{Issuer: "ARN:x", ID: "1"}} }, ModelLimits, false},
		{"duplicate external id", func(u *User) { u.ExternalIDs = []ExternalID{{Issuer: "i", ID: "1"}, {Issuer: "i", ID: "1"}} }, ModelLimits, false},
		{"enterprise extension", func(u *User) { u.Extensions = Extensions{EnterpriseExtension: json.RawMessage(`{"costCenter":"1"}`)} }, ModelLimits, true},
		{"extension not an object", func(u *User) { u.Extensions = Extensions{EnterpriseExtension: json.RawMessage(`"x"`)} }, ModelLimits, false},
		{"unknown extension", func(u *User) { u.Extensions = Extensions{"aws:identitystore:other": json.RawMessage(`{}`)} }, ModelLimits, false},
		{"bad extension name", func(u *User) { u.Extensions = Extensions{"custom": json.RawMessage(`{}`)} }, ModelLimits, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := validUser()
			tt.edit(u)
			err := ValidateUserWithin("test", u, tt.lim)
			if (err == nil) != tt.wantOK {
				t.Fatalf("ValidateUserWithin(%s) = %v, want ok %v", tt.name, err, tt.wantOK)
			}
			if err != nil && errs.KindOf(err) != errs.Invalid {
				t.Errorf("ValidateUserWithin(%s) kind = %v, want invalid", tt.name, errs.KindOf(err))
			}
		})
	}
}

func TestApplyUserOperations(t *testing.T) {
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	tests := []struct {
		name   string
		ops    []Operation
		check  func(u *User) bool
		wantOK bool
	}{
		{"display name", []Operation{{Path: "displayName", Value: raw(`"Al"`)}}, func(u *User) bool { return u.DisplayName == "Al" }, true},
		{"path in any case", []Operation{{Path: "DISPLAYNAME", Value: raw(`"Al"`)}}, func(u *User) bool { return u.DisplayName == "Al" }, true},
		{"given name", []Operation{{Path: "name.givenName", Value: raw(`"Ali"`)}}, func(u *User) bool { return u.Name.GivenName == "Ali" }, true},
		{"remove optional by null", []Operation{{Path: "title", Value: raw(`"T"`)}, {Path: "title", Value: raw(`null`)}}, func(u *User) bool { return u.Title == "" }, true},
		{"remove optional by absence", []Operation{{Path: "nickName"}}, func(u *User) bool { return u.NickName == "" }, true},
		{"remove required", []Operation{{Path: "displayName"}}, nil, false},
		{"remove the whole name", []Operation{{Path: "name"}}, nil, false},
		{"emails as a list", []Operation{{Path: "emails", Value: raw(`[{"value":"a@x","type":"work","primary":true}]`)}}, func(u *User) bool { return u.PrimaryEmail() == "a@x" }, true},
		{"emails as one object", []Operation{{Path: "emails", Value: raw(`{"value":"b@x"}`)}}, func(u *User) bool { return u.PrimaryEmail() == "b@x" }, true},
		{"wrong type", []Operation{{Path: "displayName", Value: raw(`42`)}}, nil, false},
		{"unknown path", []Operation{{Path: "shoeSize", Value: raw(`"9"`)}}, nil, false},
		{"bad path", []Operation{{Path: "a.b.c.d", Value: raw(`"9"`)}}, nil, false},
		{"enterprise attribute", []Operation{{Path: "aws:identitystore:enterprise.costCenter", Value: raw(`"42"`)}}, func(u *User) bool {
			return strings.Contains(string(u.Extensions[EnterpriseExtension]), `"costCenter":"42"`)
		}, true},
		{"remove the last enterprise attribute", []Operation{{Path: "aws:identitystore:enterprise.costCenter", Value: raw(`"42"`)}, {Path: "aws:identitystore:enterprise.CostCenter"}}, func(u *User) bool {
			_, ok := u.Extensions[EnterpriseExtension]
			return !ok
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := validUser()
			err := ApplyUserOperations("test", u, tt.ops)
			if (err == nil) != tt.wantOK {
				t.Fatalf("ApplyUserOperations(%s) = %v, want ok %v", tt.name, err, tt.wantOK)
			}
			if err == nil && !tt.check(u) {
				t.Errorf("ApplyUserOperations(%s) gave %+v", tt.name, u)
			}
		})
	}
}

func TestApplyGroupOperations(t *testing.T) {
	g := &Group{DisplayName: "Eng"}
	if err := ApplyGroupOperations("test", g, []Operation{{Path: "description", Value: json.RawMessage(`"Builders"`)}}); err != nil || g.Description != "Builders" {
		t.Fatalf("ApplyGroupOperations(description) = %v, %+v", err, g)
	}
	if err := ApplyGroupOperations("test", g, []Operation{{Path: "displayName"}}); err == nil {
		t.Errorf("removing a group's display name was allowed")
	}
	if err := ApplyGroupOperations("test", &Group{DisplayName: "Eng"}, []Operation{{Path: "displayName", Value: json.RawMessage(`"AWSAdministrators"`)}}); err == nil {
		t.Errorf("renaming a group to a reserved name was allowed")
	}
}
