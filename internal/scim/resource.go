package scim

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/service"
)

// Schema URNs (RFC 7643).
const (
	UserSchema       = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchema      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	ListSchema       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	ErrorSchema      = "urn:ietf:params:scim:api:messages:2.0:Error"
	PatchSchema      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	SearchSchema     = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
)

// object is a SCIM resource as JSON: attribute names are matched
// case-insensitively wherever they are read.
type object = map[string]any

// get returns the value of the attribute named name, in any case.
func get(o object, name string) (any, bool) {
	if v, ok := o[name]; ok {
		return v, true
	}
	for k, v := range o {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// keyOf returns the key under which o holds name, or name.
func keyOf(o object, name string) string {
	if _, ok := o[name]; ok {
		return name
	}
	for k := range o {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return name
}

// str reads a string attribute; a non-string is a SCIM invalidValue error.
func str(o object, name string) (string, error) {
	v, ok := get(o, name)
	if !ok || v == nil {
		return "", nil
	}
	switch t := v.(type) {
	case string:
		return t, nil
	case json.Number:
		return t.String(), nil
	case bool:
		return strconv.FormatBool(t), nil
	}
	return "", invalidValue("The attribute %s must be a string.", name)
}

// boolean reads a boolean that clients may also send as "True"/"False".
func boolean(v any, name string) (bool, error) {
	switch t := v.(type) {
	case bool:
		return t, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, invalidValue("The attribute %s must be a boolean.", name)
}

func obj(v any) (object, bool) {
	o, ok := v.(map[string]any)
	return o, ok
}

func list(v any) []any {
	switch t := v.(type) {
	case []any:
		return t
	case nil:
		return nil
	}
	return []any{v}
}

func scimErr(status int, scimType, format string, args ...any) *errs.Error {
	kind := errs.Invalid
	switch status {
	case 401:
		kind = errs.Unauthenticated
	case 403:
		kind = errs.Denied
	case 404:
		kind = errs.NotFound
	case 409:
		kind = errs.Conflict
	case 412:
		kind = errs.Conflict
	case 501:
		kind = errs.Invalid
	}
	e := errs.Errorf(kind, "scim", format, args...)
	e = e.With("status", strconv.Itoa(status))
	if scimType != "" {
		e = e.With("scimType", scimType)
	}
	return e
}

func invalidValue(format string, args ...any) *errs.Error {
	return scimErr(400, "invalidValue", format, args...)
}

// meta builds the meta attribute of a resource.
func meta(kind, location string, created, modified time.Time, rev int64) object {
	m := object{"resourceType": kind, "location": location, "version": etag(rev)}
	if !created.IsZero() {
		m["created"] = created.UTC().Format(time.RFC3339Nano)
	}
	if !modified.IsZero() {
		m["lastModified"] = modified.UTC().Format(time.RFC3339Nano)
	}
	return m
}

func etag(rev int64) string { return `W/"` + strconv.FormatInt(rev, 10) + `"` }

// externalID returns the SCIM externalId of a directory entry: its external
// id from this store's SCIM issuer.
func externalID(ids []directory.ExternalID, instanceID string) string {
	for _, x := range ids {
		if x.Issuer == service.SCIMIssuer(instanceID) {
			return x.ID
		}
	}
	return ""
}

// setExternalID replaces the SCIM external id among ids, keeping others.
func setExternalID(ids []directory.ExternalID, instanceID, value string) []directory.ExternalID {
	issuer := service.SCIMIssuer(instanceID)
	var out []directory.ExternalID
	for _, x := range ids {
		if x.Issuer != issuer {
			out = append(out, x)
		}
	}
	if value != "" {
		out = append(out, directory.ExternalID{Issuer: issuer, ID: value})
	}
	return out
}

func multi[T any](vals []T, conv func(T) object) []any {
	if len(vals) == 0 {
		return nil
	}
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = conv(v)
	}
	return out
}

func putStr(o object, k, v string) {
	if v != "" {
		o[k] = v
	}
}

func primary(p *bool) any {
	if p == nil {
		return nil
	}
	return *p
}

func typedValue(value, typ string, p *bool) object {
	o := object{}
	putStr(o, "value", value)
	putStr(o, "type", typ)
	if p != nil {
		o["primary"] = *p
	}
	return o
}

// userJSON renders a user as a SCIM resource.
func userJSON(u *directory.User, groups []string, base string) object {
	o := object{"schemas": []any{UserSchema}, "id": u.UserID, "userName": u.UserName, "active": u.Status != directory.UserDisabled}
	putStr(o, "externalId", externalID(u.ExternalIDs, u.InstanceID))
	if n := u.Name; n != nil {
		name := object{}
		putStr(name, "formatted", n.Formatted)
		putStr(name, "familyName", n.FamilyName)
		putStr(name, "givenName", n.GivenName)
		putStr(name, "middleName", n.MiddleName)
		putStr(name, "honorificPrefix", n.HonorificPrefix)
		putStr(name, "honorificSuffix", n.HonorificSuffix)
		o["name"] = name
	}
	putStr(o, "displayName", u.DisplayName)
	putStr(o, "nickName", u.NickName)
	putStr(o, "profileUrl", u.ProfileURL)
	putStr(o, "title", u.Title)
	putStr(o, "userType", u.UserType)
	putStr(o, "preferredLanguage", u.PreferredLanguage)
	putStr(o, "locale", u.Locale)
	putStr(o, "timezone", u.Timezone)
	if v := multi(u.Emails, func(e directory.Email) object { return typedValue(e.Value, e.Type, e.Primary) }); v != nil {
		o["emails"] = v
	}
	if v := multi(u.PhoneNumbers, func(e directory.PhoneNumber) object { return typedValue(e.Value, e.Type, e.Primary) }); v != nil {
		o["phoneNumbers"] = v
	}
	if v := multi(u.Roles, func(e directory.Role) object { return typedValue(e.Value, e.Type, e.Primary) }); v != nil {
		o["roles"] = v
	}
	if v := multi(u.Photos, func(e directory.Photo) object {
		p := typedValue(e.Value, e.Type, e.Primary)
		putStr(p, "display", e.Display)
		return p
	}); v != nil {
		o["photos"] = v
	}
	if v := multi(u.Addresses, func(a directory.Address) object {
		p := object{}
		putStr(p, "streetAddress", a.StreetAddress)
		putStr(p, "locality", a.Locality)
		putStr(p, "region", a.Region)
		putStr(p, "postalCode", a.PostalCode)
		putStr(p, "country", a.Country)
		putStr(p, "formatted", a.Formatted)
		putStr(p, "type", a.Type)
		if a.Primary != nil {
			p["primary"] = *a.Primary
		}
		return p
	}); v != nil {
		o["addresses"] = v
	}
	if len(groups) > 0 {
		gs := make([]any, len(groups))
		for i, g := range groups {
			gs[i] = object{"value": g, "$ref": base + "/Groups/" + g, "type": "direct"}
		}
		o["groups"] = gs
	}
	if raw, ok := u.Extensions[directory.EnterpriseExtension]; ok {
		var ent object
		if json.Unmarshal(raw, &ent) == nil && len(ent) > 0 {
			if m, ok := obj(ent["manager"]); ok {
				if id, _ := m["value"].(string); id != "" {
					m["$ref"] = base + "/Users/" + id
				}
			}
			o[EnterpriseSchema] = ent
			o["schemas"] = []any{UserSchema, EnterpriseSchema}
		}
	}
	o["meta"] = meta("User", base+"/Users/"+u.UserID, u.CreatedAt, u.UpdatedAt, u.Revision)
	return o
}

// groupJSON renders a group as a SCIM resource.
func groupJSON(g *directory.Group, members []string, withMembers bool, base string) object {
	o := object{"schemas": []any{GroupSchema}, "id": g.GroupID, "displayName": g.DisplayName}
	putStr(o, "externalId", externalID(g.ExternalIDs, g.InstanceID))
	if withMembers {
		ms := make([]any, len(members))
		for i, m := range members {
			ms[i] = object{"value": m, "$ref": base + "/Users/" + m, "type": "User"}
		}
		o["members"] = ms
	}
	o["meta"] = meta("Group", base+"/Groups/"+g.GroupID, g.CreatedAt, g.UpdatedAt, g.Revision)
	return o
}

var enterpriseAttrs = []string{"employeeNumber", "costCenter", "organization", "division", "department", "manager"}

// userFrom reads the writable attributes of a SCIM user into u, replacing
// them all (attributes absent from o are cleared), as PUT and POST do.
// readOnly attributes (id, meta, groups) and unknown ones are ignored.
func userFrom(o object, u *directory.User) error {
	var err error
	field := func(name string, dst *string) {
		if err == nil {
			*dst, err = str(o, name)
		}
	}
	field("userName", &u.UserName)
	field("displayName", &u.DisplayName)
	field("nickName", &u.NickName)
	field("profileUrl", &u.ProfileURL)
	field("title", &u.Title)
	field("userType", &u.UserType)
	field("preferredLanguage", &u.PreferredLanguage)
	field("locale", &u.Locale)
	field("timezone", &u.Timezone)
	if err != nil {
		return err
	}
	var ext string
	if ext, err = str(o, "externalId"); err != nil {
		return err
	}
	u.ExternalIDs = setExternalID(u.ExternalIDs, u.InstanceID, ext)
	u.Name = nil
	if v, ok := get(o, "name"); ok && v != nil {
		no, ok := obj(v)
		if !ok {
			return invalidValue("The attribute name must be an object.")
		}
		n := &directory.Name{}
		for _, f := range []struct {
			k string
			d *string
		}{{"formatted", &n.Formatted}, {"familyName", &n.FamilyName}, {"givenName", &n.GivenName}, {"middleName", &n.MiddleName},
			{"honorificPrefix", &n.HonorificPrefix}, {"honorificSuffix", &n.HonorificSuffix}} {
			if *f.d, err = str(no, f.k); err != nil {
				return err
			}
		}
		if *n != (directory.Name{}) {
			u.Name = n
		}
	}
	u.Status = directory.UserEnabled
	if v, ok := get(o, "active"); ok && v != nil {
		active, err := boolean(v, "active")
		if err != nil {
			return err
		}
		if !active {
			u.Status = directory.UserDisabled
		}
	}
	if err := multiFrom(o, "emails", &u.Emails, func(m object) (directory.Email, error) {
		v, t, p, err := vtp(m)
		return directory.Email{Value: v, Type: t, Primary: p}, err
	}); err != nil {
		return err
	}
	if err := multiFrom(o, "phoneNumbers", &u.PhoneNumbers, func(m object) (directory.PhoneNumber, error) {
		v, t, p, err := vtp(m)
		return directory.PhoneNumber{Value: v, Type: t, Primary: p}, err
	}); err != nil {
		return err
	}
	if err := multiFrom(o, "roles", &u.Roles, func(m object) (directory.Role, error) {
		v, t, p, err := vtp(m)
		return directory.Role{Value: v, Type: t, Primary: p}, err
	}); err != nil {
		return err
	}
	if err := multiFrom(o, "photos", &u.Photos, func(m object) (directory.Photo, error) {
		v, t, p, err := vtp(m)
		d, err2 := str(m, "display")
		if err == nil {
			err = err2
		}
		return directory.Photo{Value: v, Type: t, Display: d, Primary: p}, err
	}); err != nil {
		return err
	}
	if err := multiFrom(o, "addresses", &u.Addresses, func(m object) (directory.Address, error) {
		var a directory.Address
		var err error
		for _, f := range []struct {
			k string
			d *string
		}{{"streetAddress", &a.StreetAddress}, {"locality", &a.Locality}, {"region", &a.Region}, {"postalCode", &a.PostalCode},
			{"country", &a.Country}, {"formatted", &a.Formatted}, {"type", &a.Type}} {
			if err == nil {
				*f.d, err = str(m, f.k)
			}
		}
		if err == nil {
			a.Primary, err = optBool(m, "primary")
		}
		return a, err
	}); err != nil {
		return err
	}
	return enterpriseFrom(o, u)
}

func optBool(m object, name string) (*bool, error) {
	v, ok := get(m, name)
	if !ok || v == nil {
		return nil, nil
	}
	b, err := boolean(v, name)
	if err != nil {
		return nil, err
	}
	return &b, nil
}

func vtp(m object) (value, typ string, p *bool, err error) {
	if value, err = str(m, "value"); err != nil {
		return
	}
	if typ, err = str(m, "type"); err != nil {
		return
	}
	p, err = optBool(m, "primary")
	return
}

// multiFrom reads a multi-valued complex attribute. Elements without any
// value are dropped; a "type" may appear once (RFC 7643 §2.4).
func multiFrom[T any](o object, name string, dst *[]T, conv func(object) (T, error)) error {
	*dst = nil
	v, ok := get(o, name)
	if !ok || v == nil {
		return nil
	}
	seenType := map[string]bool{}
	for _, e := range list(v) {
		if e == nil {
			continue
		}
		m, ok := obj(e)
		if !ok {
			if s, isStr := e.(string); isStr { // a bare value
				m = object{"value": s}
			} else {
				return invalidValue("The elements of %s must be objects.", name)
			}
		}
		if val, _ := str(m, "value"); val == "" {
			if _, hasOther := get(m, "streetAddress"); !hasOther {
				if f, _ := str(m, "formatted"); f == "" {
					continue
				}
			}
		}
		if t, _ := str(m, "type"); t != "" {
			if seenType[strings.ToLower(t)] {
				return invalidValue("Only one value of %s may have type %q.", name, t)
			}
			seenType[strings.ToLower(t)] = true
		}
		x, err := conv(m)
		if err != nil {
			return err
		}
		*dst = append(*dst, x)
	}
	return nil
}

// enterpriseFrom reads the enterprise extension into u's extensions.
func enterpriseFrom(o object, u *directory.User) error {
	delete(u.Extensions, directory.EnterpriseExtension)
	v, ok := get(o, EnterpriseSchema)
	if !ok || v == nil {
		return nil
	}
	eo, ok := obj(v)
	if !ok {
		return invalidValue("The enterprise extension must be an object.")
	}
	ent := object{}
	for _, name := range enterpriseAttrs {
		val, ok := get(eo, name)
		if !ok || val == nil {
			continue
		}
		if name == "manager" {
			id := ""
			switch t := val.(type) {
			case string:
				id = t
			case []any: // Entra's tutorial sends [{"value": …}]
				if len(t) > 0 {
					if m, ok := obj(t[0]); ok {
						id, _ = str(m, "value")
					}
				}
			default:
				m, ok := obj(val)
				if !ok {
					return invalidValue("The manager must be an object with a value.")
				}
				id, _ = str(m, "value")
				if dn, _ := str(m, "displayName"); dn != "" && id != "" {
					ent["manager"] = object{"value": id, "displayName": dn}
					continue
				}
			}
			if id != "" {
				ent["manager"] = object{"value": id}
			}
			continue
		}
		s, err := str(eo, name)
		if err != nil {
			return err
		}
		if s != "" {
			ent[name] = s
		}
	}
	if len(ent) == 0 {
		return nil
	}
	b, err := json.Marshal(ent)
	if err != nil {
		return err
	}
	if u.Extensions == nil {
		u.Extensions = directory.Extensions{}
	}
	u.Extensions[directory.EnterpriseExtension] = b
	return nil
}

// groupFrom reads a SCIM group: its attributes into g and its member ids.
func groupFrom(o object, g *directory.Group) (members map[string]bool, err error) {
	if g.DisplayName, err = str(o, "displayName"); err != nil {
		return nil, err
	}
	ext, err := str(o, "externalId")
	if err != nil {
		return nil, err
	}
	g.ExternalIDs = setExternalID(g.ExternalIDs, g.InstanceID, ext)
	members = map[string]bool{}
	v, _ := get(o, "members")
	for _, e := range list(v) {
		var id string
		switch t := e.(type) {
		case string:
			id = t
		case map[string]any:
			if id, err = str(t, "value"); err != nil {
				return nil, err
			}
		case nil:
			continue
		default:
			return nil, invalidValue("The members must be objects with a value.")
		}
		if id == "" {
			return nil, invalidValue("A member must have a value.")
		}
		members[id] = true
	}
	return members, nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
