package directory

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/atriumhq/atrium/internal/errs"
)

// Operation replaces (or, with a null or absent value, removes) the
// attribute at Path, as UpdateUser and UpdateGroup do.
type Operation struct {
	Path  string
	Value json.RawMessage // nil or JSON null: remove the attribute
}

func (o Operation) removes() bool {
	v := bytes.TrimSpace(o.Value)
	return len(v) == 0 || bytes.Equal(v, []byte("null"))
}

func (o Operation) str(op string, dst *string) error {
	if o.removes() {
		*dst = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(o.Value, &s); err != nil {
		return errs.Errorf(errs.Invalid, op, "The value for attribute path %s must be a string.", o.Path)
	}
	*dst = s
	return nil
}

func (o Operation) into(op string, dst any) error {
	if err := json.Unmarshal(o.Value, dst); err != nil {
		return errs.Errorf(errs.Invalid, op, "The value for attribute path %s has the wrong type.", o.Path)
	}
	return nil
}

// list decodes a multi-valued attribute: an array, or a single object.
func list[T any](op string, o Operation, dst *[]T) error {
	if o.removes() {
		*dst = nil
		return nil
	}
	v := bytes.TrimSpace(o.Value)
	if len(v) > 0 && v[0] == '{' {
		var one T
		if err := o.into(op, &one); err != nil {
			return err
		}
		*dst = []T{one}
		return nil
	}
	var many []T
	if err := o.into(op, &many); err != nil {
		return err
	}
	*dst = many
	return nil
}

// ApplyUserOperations applies ops to u in order and validates the result.
func ApplyUserOperations(op string, u *User, ops []Operation) error {
	for _, o := range ops {
		if !ValidAttributePath(o.Path) {
			return Violation(op, "operations.attributePath", "Member must satisfy regular expression pattern")
		}
		if err := applyUser(op, u, o); err != nil {
			return err
		}
	}
	if u.Name != nil && *u.Name == (Name{}) {
		u.Name = nil
	}
	return ValidateUser(op, u)
}

func applyUser(op string, u *User, o Operation) error {
	path := strings.ToLower(o.Path)
	if strings.HasPrefix(path, "aws:identitystore:") {
		return applyExtension(op, u, o)
	}
	if u.Name == nil {
		u.Name = &Name{}
	}
	switch path {
	case "username":
		return o.str(op, &u.UserName)
	case "displayname":
		return o.str(op, &u.DisplayName)
	case "nickname":
		return o.str(op, &u.NickName)
	case "profileurl":
		return o.str(op, &u.ProfileURL)
	case "usertype":
		return o.str(op, &u.UserType)
	case "title":
		return o.str(op, &u.Title)
	case "preferredlanguage":
		return o.str(op, &u.PreferredLanguage)
	case "locale":
		return o.str(op, &u.Locale)
	case "timezone":
		return o.str(op, &u.Timezone)
	case "website":
		return o.str(op, &u.Website)
	case "birthdate":
		return o.str(op, &u.Birthdate)
	case "name":
		if o.removes() {
			u.Name = nil
			return nil
		}
		var n Name
		if err := o.into(op, &n); err != nil {
			return err
		}
		u.Name = &n
		return nil
	case "name.formatted":
		return o.str(op, &u.Name.Formatted)
	case "name.familyname":
		return o.str(op, &u.Name.FamilyName)
	case "name.givenname":
		return o.str(op, &u.Name.GivenName)
	case "name.middlename":
		return o.str(op, &u.Name.MiddleName)
	case "name.honorificprefix":
		return o.str(op, &u.Name.HonorificPrefix)
	case "name.honorificsuffix":
		return o.str(op, &u.Name.HonorificSuffix)
	case "emails":
		return list(op, o, &u.Emails)
	case "addresses":
		return list(op, o, &u.Addresses)
	case "phonenumbers":
		return list(op, o, &u.PhoneNumbers)
	case "photos":
		return list(op, o, &u.Photos)
	case "roles":
		return list(op, o, &u.Roles)
	}
	return errs.Errorf(errs.Invalid, op, "Invalid attribute path %s.", o.Path)
}

// applyExtension handles "aws:identitystore:enterprise" (the whole object)
// and "aws:identitystore:enterprise.costCenter" (one of its attributes).
func applyExtension(op string, u *User, o Operation) error {
	name, attr, _ := strings.Cut(o.Path, ".")
	name = strings.ToLower(name)
	if name != EnterpriseExtension {
		return errs.Errorf(errs.Invalid, op, "The extension %s is not supported.", name)
	}
	if attr == "" {
		if o.removes() {
			delete(u.Extensions, name)
			return nil
		}
		if u.Extensions == nil {
			u.Extensions = Extensions{}
		}
		u.Extensions[name] = append(json.RawMessage(nil), o.Value...)
		return nil
	}
	obj := map[string]json.RawMessage{}
	if cur, ok := u.Extensions[name]; ok {
		if err := json.Unmarshal(cur, &obj); err != nil {
			return errs.Wrap(op, err)
		}
	}
	// attribute names inside the extension match case-insensitively
	for k := range obj {
		if strings.EqualFold(k, attr) {
			delete(obj, k)
		}
	}
	if !o.removes() {
		obj[attr] = append(json.RawMessage(nil), o.Value...)
	}
	if len(obj) == 0 {
		delete(u.Extensions, name)
		return nil
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return errs.Wrap(op, err)
	}
	if u.Extensions == nil {
		u.Extensions = Extensions{}
	}
	u.Extensions[name] = b
	return nil
}

// ApplyGroupOperations applies ops to g in order and validates the result.
func ApplyGroupOperations(op string, g *Group, ops []Operation) error {
	for _, o := range ops {
		if !ValidAttributePath(o.Path) {
			return Violation(op, "operations.attributePath", "Member must satisfy regular expression pattern")
		}
		switch strings.ToLower(o.Path) {
		case "displayname":
			if err := o.str(op, &g.DisplayName); err != nil {
				return err
			}
		case "description":
			if err := o.str(op, &g.Description); err != nil {
				return err
			}
		default:
			return errs.Errorf(errs.Invalid, op, "Invalid attribute path %s.", o.Path)
		}
	}
	return ValidateGroup(op, g)
}

// PrimaryEmail returns the primary email of u (or its only one), or "".
func (u *User) PrimaryEmail() string {
	for _, e := range u.Emails {
		if e.Primary != nil && *e.Primary {
			return e.Value
		}
	}
	if len(u.Emails) > 0 {
		return u.Emails[0].Value
	}
	return ""
}
