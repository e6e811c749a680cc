package scim

import (
	"net/http"
	"strings"

	"github.com/atriumhq/atrium/internal/service"
)

// attr describes one attribute for /Schemas (RFC 7643 §7).
type attr struct {
	name, typ              string
	multi, required, exact bool
	mutability, returned   string
	uniqueness             string
	sub                    []attr
	canonical              []string
}

func (a attr) json() object {
	o := object{
		"name": a.name, "type": a.typ, "multiValued": a.multi, "required": a.required, "caseExact": a.exact,
		"mutability": def(a.mutability, "readWrite"), "returned": def(a.returned, "default"), "uniqueness": def(a.uniqueness, "none"),
		"description": a.name,
	}
	if len(a.sub) > 0 {
		subs := make([]any, len(a.sub))
		for i, s := range a.sub {
			subs[i] = s.json()
		}
		o["subAttributes"] = subs
	}
	if len(a.canonical) > 0 {
		o["canonicalValues"] = a.canonical
	}
	return o
}

func def(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func s(name string) attr { return attr{name: name, typ: "string"} }

func multiValued(name string, types []string, extra ...attr) attr {
	sub := append([]attr{s("value"), {name: "type", typ: "string", canonical: types}, {name: "primary", typ: "boolean"}}, extra...)
	return attr{name: name, typ: "complex", multi: true, sub: sub}
}

var userAttrs = []attr{
	{name: "userName", typ: "string", required: true, uniqueness: "server"},
	{name: "name", typ: "complex", sub: []attr{s("formatted"), s("familyName"), s("givenName"), s("middleName"), s("honorificPrefix"), s("honorificSuffix")}},
	s("displayName"), s("nickName"), {name: "profileUrl", typ: "reference"}, s("title"), s("userType"),
	s("preferredLanguage"), s("locale"), s("timezone"), {name: "active", typ: "boolean"},
	{name: "password", typ: "string", mutability: "writeOnly", returned: "never"},
	multiValued("emails", []string{"work", "home", "other"}),
	multiValued("phoneNumbers", []string{"work", "home", "mobile", "fax", "pager", "other"}),
	multiValued("photos", []string{"photo", "thumbnail"}, s("display")),
	{name: "addresses", typ: "complex", multi: true, sub: []attr{s("formatted"), s("streetAddress"), s("locality"), s("region"),
		s("postalCode"), s("country"), {name: "type", typ: "string", canonical: []string{"work", "home", "other"}}, {name: "primary", typ: "boolean"}}},
	{name: "groups", typ: "complex", multi: true, mutability: "readOnly", sub: []attr{
		{name: "value", typ: "string", mutability: "readOnly"}, {name: "$ref", typ: "reference", mutability: "readOnly"},
		{name: "display", typ: "string", mutability: "readOnly"}, {name: "type", typ: "string", mutability: "readOnly", canonical: []string{"direct"}}}},
	multiValued("roles", nil),
}

var groupAttrs = []attr{
	{name: "displayName", typ: "string", required: true, uniqueness: "server"},
	{name: "members", typ: "complex", multi: true, sub: []attr{
		{name: "value", typ: "string", mutability: "immutable", exact: true}, {name: "$ref", typ: "reference", mutability: "immutable"},
		{name: "type", typ: "string", mutability: "immutable", canonical: []string{"User"}}}},
}

var enterpriseAttrsSchema = []attr{
	s("employeeNumber"), s("costCenter"), s("organization"), s("division"), s("department"),
	{name: "manager", typ: "complex", sub: []attr{s("value"), {name: "$ref", typ: "reference"}, {name: "displayName", typ: "string", mutability: "readOnly"}}},
}

func schemaJSON(id, name, desc string, attrs []attr, base string) object {
	as := make([]any, len(attrs))
	for i, a := range attrs {
		as[i] = a.json()
	}
	return object{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Schema"}, "id": id, "name": name, "description": desc,
		"attributes": as, "meta": object{"resourceType": "Schema", "location": base + "/Schemas/" + id}}
}

func allSchemas(base string) []object {
	return []object{
		schemaJSON(UserSchema, "User", "User Account", userAttrs, base),
		schemaJSON(GroupSchema, "Group", "Group", groupAttrs, base),
		schemaJSON(EnterpriseSchema, "EnterpriseUser", "Enterprise User", enterpriseAttrsSchema, base),
	}
}

func resourceTypes(base string) []object {
	return []object{
		{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"}, "id": "User", "name": "User", "endpoint": "/Users",
			"description": "User Account", "schema": UserSchema,
			"schemaExtensions": []any{object{"schema": EnterpriseSchema, "required": false}},
			"meta":             object{"resourceType": "ResourceType", "location": base + "/ResourceTypes/User"}},
		{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"}, "id": "Group", "name": "Group", "endpoint": "/Groups",
			"description": "Group", "schema": GroupSchema,
			"meta": object{"resourceType": "ResourceType", "location": base + "/ResourceTypes/Group"}},
	}
}

func listOf(items []object) object {
	rs := make([]any, len(items))
	for i, it := range items {
		rs[i] = it
	}
	return object{"schemas": []string{ListSchema}, "totalResults": len(rs), "itemsPerPage": len(rs), "startIndex": 1, "Resources": rs}
}

func (h *Handler) serviceProviderConfig(q *request) error {
	if err := h.svc.SCIMServiceOp(q.r.Context(), "GetServiceProviderConfig"); err != nil {
		return err
	}
	writeJSON(q.w, http.StatusOK, object{
		"schemas":          []string{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"},
		"documentationUri": q.base,
		"patch":            object{"supported": true},
		"bulk":             object{"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
		"filter":           object{"supported": true, "maxResults": service.MaxSCIMPage},
		"changePassword":   object{"supported": false},
		"sort":             object{"supported": false},
		"etag":             object{"supported": true},
		"authenticationSchemes": []any{object{"type": "oauthbearertoken", "name": "OAuth Bearer Token", "primary": true,
			"description": "A bearer token made with 'atrium scim token create'.", "specUri": "https://www.rfc-editor.org/info/rfc6750"}},
		"meta": object{"resourceType": "ServiceProviderConfig", "location": q.base + "/ServiceProviderConfig"},
	})
	return nil
}

func (h *Handler) schemas(q *request) error {
	one := len(q.parts) > 1
	name := "ListSchemas"
	if one {
		name = "GetSchema"
	}
	if err := h.svc.SCIMServiceOp(q.r.Context(), name); err != nil {
		return err
	}
	all := allSchemas(q.base)
	if !one {
		writeJSON(q.w, http.StatusOK, listOf(all))
		return nil
	}
	id := strings.Join(q.parts[1:], "/")
	for _, sc := range all {
		if strings.EqualFold(sc["id"].(string), id) {
			writeJSON(q.w, http.StatusOK, sc)
			return nil
		}
	}
	return scimErr(404, "", "No schema %s.", id)
}

func (h *Handler) resourceTypes(q *request) error {
	one := len(q.parts) > 1
	name := "ListResourceTypes"
	if one {
		name = "GetResourceType"
	}
	if err := h.svc.SCIMServiceOp(q.r.Context(), name); err != nil {
		return err
	}
	all := resourceTypes(q.base)
	if !one {
		writeJSON(q.w, http.StatusOK, listOf(all))
		return nil
	}
	for _, rt := range all {
		if strings.EqualFold(rt["id"].(string), q.parts[1]) {
			writeJSON(q.w, http.StatusOK, rt)
			return nil
		}
	}
	return scimErr(404, "", "No resource type %s.", q.parts[1])
}
