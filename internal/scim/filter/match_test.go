package filter

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	bjensen := mustDecode(t, sampleJSON["bjensen"])
	jsmith := mustDecode(t, sampleJSON["jsmith"])
	empty := mustDecode(t, sampleJSON["empty"])
	group := mustDecode(t, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
		"id": "e9e30dba-f08f-4109-8486-d5c6a331660a",
		"displayName": "Tour Guides",
		"members": [
			{"value": "2819c223-7f76-453a-919d-413861904646", "$ref": "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646", "display": "Babs Jensen"},
			{"value": "902c246b-6245-4190-8e05-00816be7344a", "display": "Mandy Pepperidge"}
		]
	}`)
	typed := mustDecode(t, `{
		"userName": "ALICE",
		"age": 42,
		"ratio": 0.5,
		"employeeNumber": "12345",
		"active": "True",
		"locked": false,
		"tags": ["Red", "green"],
		"nothing": null,
		"blank": "",
		"none": [],
		"hollow": {"value": null, "display": ""},
		"meta": {"created": "2015-10-10T14:38:21.8617979-07:00", "version": "W/\"abc\""}
	}`)
	// The same numbers as PATCH bodies decode them, with UseNumber.
	d := json.NewDecoder(strings.NewReader(`{"age": 42, "ratio": 0.5}`))
	d.UseNumber()
	var numbers map[string]any
	if err := d.Decode(&numbers); err != nil {
		t.Fatal(err)
	}
	built := map[string]any{"age": 42, "emails": []map[string]any{{"value": "a@example.com"}}, "schemas": []string{userURN}}

	tests := []struct {
		name     string
		filter   string
		resource map[string]any
		want     bool
	}{
		// Case of names and values.
		{"attribute name in any case", `USERNAME eq "bjensen"`, bjensen, true},
		{"sub-attribute name in any case", `NAME.FAMILYNAME eq "o'malley"`, bjensen, true},
		{"value ignores case", `userName eq "BJENSEN"`, bjensen, true},
		{"Okta upper-cased userName", `userName eq "ALICE"`, typed, true},
		{"caseExact id", `id eq "2819C223-7F76-453A-919D-413861904646"`, bjensen, false},
		{"caseExact id exact", `id eq "2819c223-7f76-453a-919d-413861904646"`, bjensen, true},
		{"caseExact externalId", `externalId sw "70"`, bjensen, true},
		{"caseExact meta", `meta.resourceType eq "user"`, bjensen, false},
		{"caseExact member value", `members[value eq "2819C223-7F76-453A-919D-413861904646"]`, group, false},
		{"caseExact member value exact", `members[value eq "2819c223-7f76-453a-919d-413861904646"]`, group, true},
		{"not caseExact member display", `members[display eq "BABS JENSEN"]`, group, true},
		{"co ignores case", `displayName co "JENSEN"`, bjensen, true},
		{"ew", `userName ew "sen"`, bjensen, true},
		{"ew false", `userName ew "bjen"`, bjensen, false},
		{"gt ignores case", `userName gt "BJENSEN"`, bjensen, false},
		{"ge ignores case", `userName ge "BJENSEN"`, bjensen, true},
		{"lt", `userName lt "c"`, bjensen, true},
		{"le", `userName le "a"`, bjensen, false},

		// Multi-valued and complex attributes.
		{"complex multi-valued compares value", `emails co "jensen.org"`, bjensen, true},
		{"complex multi-valued eq value", `emails eq "babs@jensen.org"`, bjensen, true},
		{"sub-attribute of multi-valued", `emails.type eq "home"`, bjensen, true},
		{"sub-attribute of multi-valued false", `emails.type eq "other"`, bjensen, false},
		{"complex single-valued compares value", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "26118915-6090-4610-87e4-49d8ca9f808d"`, bjensen, true},
		{"simple multi-valued", `tags eq "green"`, typed, true},
		{"simple multi-valued ignores case", `tags eq "red"`, typed, true},
		{"ne any value", `emails.type ne "work"`, bjensen, true},
		{"ne every value", `emails.type ne "work"`, jsmith, false},
		{"member value", `members eq "902c246b-6245-4190-8e05-00816be7344a"`, group, true},
		{"member by value path", `members[value eq "902c246b-6245-4190-8e05-00816be7344a"]`, group, true},
		{"Entra capital names", `Members[Value eq "902c246b-6245-4190-8e05-00816be7344a"]`, group, true},
		{"value path on each value", `emails[type eq "home" and value co "example.com"]`, bjensen, false},
		{"value path with not", `emails[not (type eq "work")]`, bjensen, true},
		{"value path with not false", `emails[not (type eq "work")]`, jsmith, false},
		{"value path with pr", `emails[primary pr]`, bjensen, true},
		{"value path on empty array", `emails[type pr]`, empty, false},
		{"value path on simple values", `tags[value eq "GREEN"]`, typed, true},
		{"value path sub-attribute eq", `emails[type eq "work"].value eq "bjensen@example.com"`, bjensen, true},
		{"value path sub-attribute eq other value", `emails[type eq "home"].value eq "bjensen@example.com"`, bjensen, false},
		{"value path sub-attribute capital V", `emails[type eq "work"].Value co "EXAMPLE"`, bjensen, true},
		{"value path sub-attribute ne", `emails[type eq "work"].value ne "bjensen@example.com"`, bjensen, false},
		{"value path sub-attribute ne without match", `emails[type eq "other"].value ne "x"`, bjensen, true},
		{"value path sub-attribute pr", `emails[type eq "work"].primary pr`, bjensen, true},
		{"value path sub-attribute pr absent", `emails[type eq "home"].primary pr`, bjensen, false},
		{"value path sub-attribute bool", `emails[type eq "work"].primary eq true`, bjensen, true},

		// Extensions and schema URNs.
		{"extension attribute", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "Tour Operations"`, bjensen, true},
		{"extension URN in any case", `URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:DEPARTMENT sw "tour"`, bjensen, true},
		{"extension sub-attribute", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName eq "John Smith"`, bjensen, true},
		{"extension attribute needs its URN", `department eq "Tour Operations"`, bjensen, false},
		{"extension absent", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department pr`, jsmith, false},
		{"core URN finds top level", `urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "Barbara"`, bjensen, true},
		{"unknown URN", `urn:example:params:scim:schemas:extension:acme:1.0:User:userName eq "bjensen"`, bjensen, false},

		// Presence.
		{"pr string", `title pr`, bjensen, true},
		{"pr empty string", `blank pr`, typed, false},
		{"pr null", `nothing pr`, typed, false},
		{"pr empty array", `none pr`, typed, false},
		{"pr absent", `missing pr`, typed, false},
		{"pr false", `locked pr`, typed, true},
		{"pr number", `age pr`, typed, true},
		{"pr object of nulls", `hollow pr`, typed, false},
		{"pr sub-attribute", `name.givenName pr`, bjensen, true},
		{"pr sub-attribute of multi-valued", `emails.primary pr`, bjensen, true},
		{"pr sub-attribute of multi-valued absent", `emails.primary pr`, jsmith, false},

		// Absent attributes.
		{"ne absent", `title ne "x"`, jsmith, true},
		{"ne empty array", `emails ne "x"`, empty, true},
		{"eq absent", `title eq "x"`, jsmith, false},
		{"gt absent", `title gt "a"`, jsmith, false},
		{"co absent", `title co ""`, jsmith, false},
		{"eq null absent", `title eq null`, jsmith, true},
		{"eq null empty string", `title eq null`, empty, true},
		{"eq null present", `title eq null`, bjensen, false},
		{"ne null present", `title ne null`, bjensen, true},
		{"ne null absent", `title ne null`, jsmith, false},
		{"eq null complex without value", `name eq null`, bjensen, false},
		{"ne null multi-valued", `emails ne null`, bjensen, true},
		{"eq null empty array", `emails eq null`, empty, true},
		{"value path sub-attribute eq null", `emails[type eq "home"].primary eq null`, bjensen, true},

		// Date-times.
		{"date-time gt", `meta.lastModified gt "2011-05-13T04:42:34Z"`, bjensen, true},
		{"date-time gt equal instant", `meta.lastModified gt "2011-05-13T04:42:34Z"`, jsmith, false},
		{"date-time ge equal instant", `meta.lastModified ge "2011-05-13T04:42:34Z"`, jsmith, true},
		{"date-time eq other offset", `meta.created eq "2015-10-10T21:38:21.8617979Z"`, typed, true},
		{"date-time eq other precision", `meta.lastModified eq "2011-05-13T04:42:34.000Z"`, jsmith, true},
		{"date-time lt with offset", `meta.created lt "2015-10-10T21:38:22Z"`, typed, true},
		{"date-time lt unquoted", `meta.created lt 2015-10-10T14:38:22-07:00`, typed, true},
		{"date-time gt unquoted false", `meta.Created gt 2015-10-10T14:38:21.8617979-07:00`, typed, false},
		{"date-time not an instant compares as a string", `meta.created gt "2015"`, typed, true},

		// Numbers.
		{"number eq", `age eq 42`, typed, true},
		{"number gt", `age gt 41.5`, typed, true},
		{"number le", `ratio le 0.5`, typed, true},
		{"number lt false", `ratio lt 0.5`, typed, false},
		{"json.Number", `age ge 42 and ratio gt 0.25`, numbers, true},
		{"int", `age lt 43`, built, true},
		{"number as string literal", `age eq "42"`, typed, true},
		{"number co", `age co 4`, typed, false},
		{"number ne string", `age ne "x"`, typed, true},
		{"number literal against string", `employeeNumber eq 12345`, typed, true},
		{"number literal orders string numerically", `employeeNumber gt 9999`, typed, true},
		{"number literal sw string", `employeeNumber sw 123`, typed, true},

		// Booleans.
		{"bool eq", `active eq true`, bjensen, true},
		{"bool eq false", `active eq false`, bjensen, false},
		{"bool ne", `active ne true`, jsmith, true},
		{"bool any case", `active eq TRUE`, bjensen, true},
		{"string boolean", `active eq true`, typed, true},
		{"bool against string literal", `locked eq "FALSE"`, typed, true},
		{"bool against other string", `locked eq "no"`, typed, false},
		{"bool against number", `locked eq 0`, typed, false},
		{"string against bool", `userName eq true`, typed, false},

		// Logic.
		{"and", `userName eq "bjensen" and active eq true`, bjensen, true},
		{"and false", `userName eq "bjensen" and active eq false`, bjensen, false},
		{"or", `userName eq "x" or active eq true`, bjensen, true},
		{"not", `not (userName eq "bjensen")`, bjensen, false},
		{"not not", `not (not (userName eq "bjensen"))`, bjensen, true},
		{"precedence", `userName eq "x" and title pr or userType eq "Employee"`, bjensen, true},
		{"precedence 2", `userType eq "Employee" or title pr and userName eq "x"`, jsmith, false},

		// Other shapes of resource.
		{"[]map and []string", `emails co "example.com" and schemas eq "urn:ietf:params:scim:schemas:core:2.0:User"`, built, true},
		{"sub-attribute of a string", `userName.value eq "bjensen"`, bjensen, false},
		{"nil resource", `userName pr`, nil, false},
		{"nil resource ne", `userName ne "x"`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustParse(t, tt.filter)
			if got := Match(e, tt.resource, rfcCaseExact); got != tt.want {
				t.Errorf("Match(%q) = %v, want %v", tt.filter, got, tt.want)
			}
		})
	}
}

func TestMatchNil(t *testing.T) {
	if !Match(nil, map[string]any{}, nil) {
		t.Errorf("Match(nil) = false, want true")
	}
	// Without caseExact nothing is case-sensitive.
	e := mustParse(t, `id eq "ABC"`)
	if !Match(e, map[string]any{"id": "abc"}, nil) {
		t.Errorf("Match(%v, nil caseExact) = false, want true", e)
	}
}

// caseExact is asked about the attribute as compared.
func TestMatchCaseExactPaths(t *testing.T) {
	r := mustDecode(t, sampleJSON["bjensen"])
	tests := []struct {
		name   string
		filter string
		want   []string
	}{
		{"simple", `userName eq "x"`, []string{"userName"}},
		{"complex compared by value", `emails eq "x"`, []string{"emails.value"}},
		{"sub-attribute", `name.givenName eq "x"`, []string{"name.givenName"}},
		{"value filter", `emails[type eq "x"]`, []string{"emails.type", "emails.type"}},
		{"value path compare", `emails[type eq "work"].value eq "x"`, []string{"emails.type", "emails.type", "emails.value"}},
		{"extension", `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x"`, []string{enterpriseURN + ":department"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			Match(mustParse(t, tt.filter), r, func(p AttrPath) bool {
				got = append(got, p.String())
				return false
			})
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("Match(%q) asked caseExact about %q, want %q", tt.filter, got, tt.want)
			}
		})
	}
}

// A PATCH handler matches the filter of a path against each value.
func TestMatchPathFilterOnValue(t *testing.T) {
	p, err := ParsePath(`emails[type eq "work"].value`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		elem map[string]any
		want bool
	}{
		{map[string]any{"type": "work", "value": "a"}, true},
		{map[string]any{"Type": "Work"}, true},
		{map[string]any{"type": "home"}, false},
	} {
		if got := Match(p.Filter, tt.elem, nil); got != tt.want {
			t.Errorf("Match(%v, %v) = %v, want %v", p.Filter, tt.elem, got, tt.want)
		}
	}
}
