package directory

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/atriumhq/atrium/internal/errs"
)

// Patterns and limits of the identitystore model (2020-06-15).
var (
	sensitiveRe   = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r \x{00A0}\x{3000}]+$`)
	userNameRe    = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)
	groupNameRe   = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r \x{00A0}]+$`)
	externalRe    = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)
	extensionRe   = regexp.MustCompile(`^aws:identitystore:[a-z]{1,20}$`)
	attrPathRe    = regexp.MustCompile(`^(?:\p{L}+:\p{L}+:\p{L}+(?:\.\p{L}+){0,3}|\p{L}+(?:\.\p{L}+){0,2})$`)
	reservedUsers = map[string]bool{"administrator": true}
	reservedGroup = map[string]bool{"awsadministrators": true}
)

const (
	maxSensitive = 1024
	maxUserName  = 128
	maxExternal  = 256
	maxExtName   = 50
)

// Violation reports one broken model constraint, in AWS's wording.
func Violation(op, path, constraint string) *errs.Error {
	return errs.Errorf(errs.Invalid, op, "1 validation error detected: Value at '%s' failed to satisfy constraint: %s", path, constraint)
}

func checkString(op, path, v string, max int, re *regexp.Regexp) error {
	n := utf8.RuneCountInString(v)
	if n < 1 {
		return Violation(op, path, "Member must have length greater than or equal to 1")
	}
	if n > max {
		return Violation(op, path, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
	if !re.MatchString(v) {
		return Violation(op, path, "Member must satisfy regular expression pattern: "+strings.TrimSuffix(strings.TrimPrefix(re.String(), "^"), "$"))
	}
	return nil
}

// optional strings are checked only when set; the wire has no way to tell an
// empty string from an absent one once decoded, and AWS rejects "" (min 1).
func checkOpt(op, path, v string) error {
	if v == "" {
		return nil
	}
	return checkString(op, path, v, maxSensitive, sensitiveRe)
}

// ValidateUserName checks a user name against the model.
func ValidateUserName(op, path, v string) error {
	return checkString(op, path, v, maxUserName, userNameRe)
}

// ValidateGroupDisplayName checks a group display name against the model.
func ValidateGroupDisplayName(op, path, v string) error {
	return checkString(op, path, v, maxSensitive, groupNameRe)
}

// ValidateExternalID checks one external id.
func ValidateExternalID(op, path string, x ExternalID) error {
	if err := checkString(op, path+".issuer", x.Issuer, maxExternal, externalRe); err != nil {
		return err
	}
	if l := strings.ToLower(x.Issuer); strings.HasPrefix(l, "arn:") || strings.HasPrefix(l, "aws:") {
		return errs.E(errs.Invalid, op, "The issuer of an external id must not start with \"arn:\" or \"aws:\".")
	}
	return checkString(op, path+".id", x.ID, maxExternal, externalRe)
}

// Limits bound the multi-valued attributes of a user.
type Limits struct{ Emails, Addresses, PhoneNumbers, Photos, Roles int }

// ModelLimits are the identitystore model's: one value of each, three photos.
var ModelLimits = Limits{Emails: 1, Addresses: 1, PhoneNumbers: 1, Photos: 3, Roles: 1}

// SCIMLimits allow several values, as RFC 7643 does (e.g. a work and a home
// email from Entra ID).
var SCIMLimits = Limits{Emails: 10, Addresses: 10, PhoneNumbers: 10, Photos: 10, Roles: 10}

// ValidateUser checks every attribute of u against the model and the rules
// IAM Identity Center adds: a user name, a display name and a given and
// family name are required.
func ValidateUser(op string, u *User) error { return ValidateUserWithin(op, u, ModelLimits) }

// ValidateUserWithin is ValidateUser with other limits on multi-valued
// attributes.
func ValidateUserWithin(op string, u *User, lim Limits) error {
	if u.UserName == "" {
		return errs.E(errs.Invalid, op, "UserName is a required attribute.")
	}
	if err := ValidateUserName(op, "userName", u.UserName); err != nil {
		return err
	}
	if reservedUsers[strings.ToLower(u.UserName)] {
		return errs.Errorf(errs.Invalid, op, "The user name %s is reserved.", u.UserName)
	}
	if u.DisplayName == "" {
		return errs.E(errs.Invalid, op, "DisplayName is a required attribute.")
	}
	if u.Name == nil || u.Name.GivenName == "" {
		return errs.E(errs.Invalid, op, "Name.GivenName is a required attribute.")
	}
	if u.Name.FamilyName == "" {
		return errs.E(errs.Invalid, op, "Name.FamilyName is a required attribute.")
	}
	for _, f := range []struct{ path, v string }{
		{"displayName", u.DisplayName}, {"nickName", u.NickName}, {"profileUrl", u.ProfileURL},
		{"userType", u.UserType}, {"title", u.Title}, {"preferredLanguage", u.PreferredLanguage},
		{"locale", u.Locale}, {"timezone", u.Timezone}, {"website", u.Website}, {"birthdate", u.Birthdate},
		{"name.formatted", u.Name.Formatted}, {"name.familyName", u.Name.FamilyName},
		{"name.givenName", u.Name.GivenName}, {"name.middleName", u.Name.MiddleName},
		{"name.honorificPrefix", u.Name.HonorificPrefix}, {"name.honorificSuffix", u.Name.HonorificSuffix},
	} {
		if err := checkOpt(op, f.path, f.v); err != nil {
			return err
		}
	}
	if err := checkList(op, "emails", len(u.Emails), lim.Emails); err != nil {
		return err
	}
	for _, e := range u.Emails {
		if err := checkAll(op, "emails", e.Value, e.Type); err != nil {
			return err
		}
	}
	if err := checkList(op, "addresses", len(u.Addresses), lim.Addresses); err != nil {
		return err
	}
	for _, a := range u.Addresses {
		if err := checkAll(op, "addresses", a.StreetAddress, a.Locality, a.Region, a.PostalCode, a.Country, a.Formatted, a.Type); err != nil {
			return err
		}
	}
	if err := checkList(op, "phoneNumbers", len(u.PhoneNumbers), lim.PhoneNumbers); err != nil {
		return err
	}
	for _, p := range u.PhoneNumbers {
		if err := checkAll(op, "phoneNumbers", p.Value, p.Type); err != nil {
			return err
		}
	}
	if err := checkList(op, "photos", len(u.Photos), lim.Photos); err != nil {
		return err
	}
	for _, p := range u.Photos {
		if p.Value == "" {
			return errs.E(errs.Invalid, op, "photos.value is a required attribute.")
		}
		if err := checkAll(op, "photos", p.Value, p.Type, p.Display); err != nil {
			return err
		}
	}
	if err := checkList(op, "roles", len(u.Roles), lim.Roles); err != nil {
		return err
	}
	for _, r := range u.Roles {
		if err := checkAll(op, "roles", r.Value, r.Type); err != nil {
			return err
		}
	}
	if err := ValidateExternalIDs(op, u.ExternalIDs); err != nil {
		return err
	}
	return ValidateExtensions(op, u.Extensions)
}

// ValidateExternalIDs checks a list of external ids.
func ValidateExternalIDs(op string, ids []ExternalID) error {
	if err := checkList(op, "externalIds", len(ids), 10); err != nil {
		return err
	}
	seen := map[ExternalID]bool{}
	for _, x := range ids {
		if err := ValidateExternalID(op, "externalIds", x); err != nil {
			return err
		}
		if seen[x] {
			return errs.E(errs.Invalid, op, "Duplicate external ids are not allowed.")
		}
		seen[x] = true
	}
	return nil
}

// ValidateExtensions checks extension names and that each value is an object.
func ValidateExtensions(op string, ext Extensions) error {
	if len(ext) > 10 {
		return Violation(op, "extensions", "Member must have length less than or equal to 10")
	}
	for name, v := range ext {
		if len(name) > maxExtName || !extensionRe.MatchString(name) {
			return Violation(op, "extensions", "Map keys must satisfy constraint: [Member must satisfy regular expression pattern: aws:identitystore:[a-z]{1,20}]")
		}
		if name != EnterpriseExtension {
			return errs.Errorf(errs.Invalid, op, "The extension %s is not supported.", name)
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(v, &obj); err != nil || obj == nil {
			return errs.Errorf(errs.Invalid, op, "The value of extension %s must be an object.", name)
		}
	}
	return nil
}

func checkList(op, path string, n, max int) error {
	if n > max {
		return Violation(op, path, fmt.Sprintf("Member must have length less than or equal to %d", max))
	}
	return nil
}

func checkAll(op, path string, vs ...string) error {
	for _, v := range vs {
		if err := checkOpt(op, path, v); err != nil {
			return err
		}
	}
	return nil
}

// ValidateGroup checks a group against the model.
func ValidateGroup(op string, g *Group) error {
	if g.DisplayName == "" {
		return errs.E(errs.Invalid, op, "DisplayName is a required attribute.")
	}
	if err := ValidateGroupDisplayName(op, "displayName", g.DisplayName); err != nil {
		return err
	}
	if reservedGroup[strings.ToLower(g.DisplayName)] {
		return errs.Errorf(errs.Invalid, op, "The group name %s is reserved.", g.DisplayName)
	}
	if err := checkOpt(op, "description", g.Description); err != nil {
		return err
	}
	return ValidateExternalIDs(op, g.ExternalIDs)
}

// ValidAttributePath reports whether p matches the model's AttributePath.
func ValidAttributePath(p string) bool { return len(p) <= 255 && attrPathRe.MatchString(p) }
