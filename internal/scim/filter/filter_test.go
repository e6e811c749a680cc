package filter

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

const (
	userURN       = "urn:ietf:params:scim:schemas:core:2.0:User"
	enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

// Sample resources, decoded from JSON as a SCIM server would hold them.
var sampleJSON = map[string]string{
	"bjensen": `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"id": "2819c223-7f76-453a-919d-413861904646",
		"externalId": "701984",
		"userName": "bjensen",
		"name": {"formatted": "Ms. Barbara J Jensen III", "familyName": "O'Malley", "givenName": "Barbara"},
		"displayName": "Babs Jensen",
		"title": "Tour Guide",
		"userType": "Employee",
		"active": true,
		"emails": [
			{"value": "bjensen@example.com", "type": "work", "primary": true},
			{"value": "babs@jensen.org", "type": "home"}
		],
		"ims": [{"value": "someaimhandle", "type": "aim"}],
		"meta": {"resourceType": "User", "created": "2010-01-23T04:56:22Z", "lastModified": "2015-10-10T14:38:21.8617979-07:00", "version": "W/\"a330bc54f0671c9\""},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
			"employeeNumber": "701984",
			"department": "Tour Operations",
			"manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d", "displayName": "John Smith"}
		}
	}`,
	"jsmith": `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "26118915-6090-4610-87e4-49d8ca9f808d",
		"userName": "Jsmith",
		"name": {"familyName": "Smith", "givenName": "John"},
		"userType": "Intern",
		"active": false,
		"emails": [{"value": "jsmith@example.org", "type": "work"}],
		"ims": [{"value": "jsmith@foo.com", "type": "xmpp"}],
		"meta": {"resourceType": "User", "created": "2011-05-13T04:42:34Z", "lastModified": "2011-05-13T04:42:34Z"}
	}`,
	"empty": `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "c0ffee",
		"userName": "nobody",
		"title": "",
		"emails": []
	}`,
}

func mustDecode(t testing.TB, s string) map[string]any {
	t.Helper()
	var o map[string]any
	if err := json.Unmarshal([]byte(s), &o); err != nil {
		t.Fatalf("json.Unmarshal(%q): %v", s, err)
	}
	return o
}

func samples(t testing.TB) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for name, s := range sampleJSON {
		out[name] = mustDecode(t, s)
	}
	return out
}

// rfcCaseExact is the caseExact of the RFC 7643 User and Group schemas for
// the attributes the tests use.
func rfcCaseExact(p AttrPath) bool {
	switch strings.ToLower(p.Attr) {
	case "id", "externalid", "meta":
		return true
	case "members":
		return strings.EqualFold(p.Sub, "value") || strings.EqualFold(p.Sub, "$ref")
	}
	return false
}

func mustParse(t testing.TB, s string) Expr {
	t.Helper()
	e, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q) error = %v", s, err)
	}
	return e
}

func path(s string) AttrPath {
	var p AttrPath
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		p.URN, s = s[:i], s[i+1:]
	}
	p.Attr, p.Sub, _ = strings.Cut(s, ".")
	return p
}

func str(s string) Value { return Value{Kind: String, Str: s} }

func cmp(p, op string, v Value) Compare { return Compare{Path: path(p), Op: op, Value: v} }

// matching returns the names of the sample resources e matches, sorted.
func matching(t *testing.T, e Expr) []string {
	t.Helper()
	var out []string
	for name, r := range samples(t) {
		if Match(e, r, rfcCaseExact) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// checkRoundTrip checks that e's canonical form parses back to e.
func checkRoundTrip(t *testing.T, e Expr) {
	t.Helper()
	s := e.String()
	again, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q) (the canonical form) error = %v", s, err)
	}
	if !reflect.DeepEqual(again, e) {
		t.Errorf("Parse(%q) = %#v, want %#v", s, again, e)
	}
}

// The example filters of RFC 7644 §3.4.2.2.
func TestParseRFCExamples(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  Expr
		canon string   // canonical form, when not in
		match []string // sample resources matched
	}{
		{
			name:  "eq",
			in:    `userName eq "bjensen"`,
			want:  cmp("userName", "eq", str("bjensen")),
			match: []string{"bjensen"},
		},
		{
			name:  "co with quote",
			in:    `name.familyName co "O'Malley"`,
			want:  cmp("name.familyName", "co", str("O'Malley")),
			match: []string{"bjensen"},
		},
		{
			name:  "sw ignores case",
			in:    `userName sw "J"`,
			want:  cmp("userName", "sw", str("J")),
			match: []string{"jsmith"},
		},
		{
			name:  "schema URN",
			in:    `urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`,
			want:  Compare{Path: AttrPath{URN: userURN, Attr: "userName"}, Op: "sw", Value: str("J")},
			match: []string{"jsmith"},
		},
		{
			name:  "pr",
			in:    `title pr`,
			want:  Present{Path: path("title")},
			match: []string{"bjensen"},
		},
		{
			name:  "gt on date-time",
			in:    `meta.lastModified gt "2011-05-13T04:42:34Z"`,
			want:  cmp("meta.lastModified", "gt", str("2011-05-13T04:42:34Z")),
			match: []string{"bjensen"},
		},
		{
			name:  "pr and eq",
			in:    `title pr and userType eq "Employee"`,
			want:  And{Present{path("title")}, cmp("userType", "eq", str("Employee"))},
			match: []string{"bjensen"},
		},
		{
			name:  "pr or eq",
			in:    `title pr or userType eq "Intern"`,
			want:  Or{Present{path("title")}, cmp("userType", "eq", str("Intern"))},
			match: []string{"bjensen", "jsmith"},
		},
		{
			name:  "multi-valued simple attribute",
			in:    `schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`,
			want:  cmp("schemas", "eq", str(enterpriseURN)),
			match: []string{"bjensen"},
		},
		{
			name: "grouping",
			in:   `userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")`,
			want: And{
				cmp("userType", "eq", str("Employee")),
				Or{cmp("emails", "co", str("example.com")), cmp("emails.value", "co", str("example.org"))},
			},
			match: []string{"bjensen"},
		},
		{
			name: "ne and not",
			in:   `userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
			want: And{
				cmp("userType", "ne", str("Employee")),
				Not{Or{cmp("emails", "co", str("example.com")), cmp("emails.value", "co", str("example.org"))}},
			},
			match: []string{"empty"},
		},
		{
			name:  "parenthesized comparison",
			in:    `userType eq "Employee" and (emails.type eq "work")`,
			want:  And{cmp("userType", "eq", str("Employee")), cmp("emails.type", "eq", str("work"))},
			canon: `userType eq "Employee" and emails.type eq "work"`,
			match: []string{"bjensen"},
		},
		{
			name: "value path",
			in:   `userType eq "Employee" and emails[type eq "work" and value co "@example.com"]`,
			want: And{
				cmp("userType", "eq", str("Employee")),
				ValuePath{Path: path("emails"), Filter: And{cmp("type", "eq", str("work")), cmp("value", "co", str("@example.com"))}},
			},
			match: []string{"bjensen"},
		},
		{
			name: "value paths or",
			in:   `emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
			want: Or{
				ValuePath{Path: path("emails"), Filter: And{cmp("type", "eq", str("work")), cmp("value", "co", str("@example.com"))}},
				ValuePath{Path: path("ims"), Filter: And{cmp("type", "eq", str("xmpp")), cmp("value", "co", str("@foo.com"))}},
			},
			match: []string{"bjensen", "jsmith"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			canon := tt.canon
			if canon == "" {
				canon = tt.in
			}
			if s := got.String(); s != canon {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.in, s, canon)
			}
			checkRoundTrip(t, got)
			if m := matching(t, got); !slices.Equal(m, tt.match) {
				t.Errorf("resources matching %q = %q, want %q", tt.in, m, tt.match)
			}
		})
	}
}

// Filters sent by Microsoft Entra ID and Okta, and the leniencies they need.
func TestParseClientForms(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  Expr
		canon string
	}{
		{
			name: "Entra userName",
			in:   `userName eq "dale.mohr@romaguera.uk"`,
			want: cmp("userName", "eq", str("dale.mohr@romaguera.uk")),
		},
		{
			name: "Entra test connection",
			in:   `userName eq "c4bd7fd9-3fe8-4c6a-a1c2-62e0e1bba75f"`,
			want: cmp("userName", "eq", str("c4bd7fd9-3fe8-4c6a-a1c2-62e0e1bba75f")),
		},
		{
			name: "Entra externalId",
			in:   `externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`,
			want: cmp("externalId", "eq", str("0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef")),
		},
		{
			name:  "Entra group with trailing space",
			in:    `displayName eq "Group1" `,
			want:  cmp("displayName", "eq", str("Group1")),
			canon: `displayName eq "Group1"`,
		},
		{
			name:  "Entra value path with sub-attribute",
			in:    `emails[type eq "work"].Value eq "bjensen@example.com"`,
			want:  ValuePathCompare{Path: path("emails.Value"), Filter: cmp("type", "eq", str("work")), Op: "eq", Value: str("bjensen@example.com")},
			canon: `emails[type eq "work"].Value eq "bjensen@example.com"`,
		},
		{
			name: "Entra member",
			in:   `Members[Value eq "x"]`,
			want: ValuePath{Path: path("Members"), Filter: cmp("Value", "eq", str("x"))},
		},
		{
			name: "Entra id and members",
			in:   `id eq "g1" and members eq "u1"`,
			want: And{cmp("id", "eq", str("g1")), cmp("members", "eq", str("u1"))},
		},
		{
			name: "Okta userName",
			in:   `userName eq "test.user@okta.local"`,
			want: cmp("userName", "eq", str("test.user@okta.local")),
		},
		{
			name: "Okta group",
			in:   `displayName eq "Okta Group"`,
			want: cmp("displayName", "eq", str("Okta Group")),
		},
		{
			name:  "unquoted values",
			in:    `name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)`,
			want:  And{cmp("name.FamilyName", "eq", str("Employee")), Or{cmp("emails.Value", "co", str("example.com")), cmp("emails.Value", "co", str("example.org"))}},
			canon: `name.FamilyName eq "Employee" and (emails.Value co "example.com" or emails.Value co "example.org")`,
		},
		{
			name:  "unquoted date-time",
			in:    `meta.Created gt 2015-10-10T14:38:21.8617979-07:00`,
			want:  cmp("meta.Created", "gt", str("2015-10-10T14:38:21.8617979-07:00")),
			canon: `meta.Created gt "2015-10-10T14:38:21.8617979-07:00"`,
		},
		{
			name:  "operators and literals in any case",
			in:    `active EQ TRUE AND title Ne NULL OR NOT (userName SW "a") aNd x PR`,
			want:  Or{And{cmp("active", "eq", Value{Kind: Bool, Bool: true}), cmp("title", "ne", Value{Kind: Null})}, And{Not{cmp("userName", "sw", str("a"))}, Present{path("x")}}},
			canon: `active eq true and title ne null or not (userName sw "a") and x pr`,
		},
		{
			name:  "numbers",
			in:    `age ge 18 and score lt -1.5e3 and code eq 0`,
			want:  And{And{cmp("age", "ge", Value{Kind: Number, Str: "18", Num: 18}), cmp("score", "lt", Value{Kind: Number, Str: "-1.5e3", Num: -1500})}, cmp("code", "eq", Value{Kind: Number, Str: "0", Num: 0})},
			canon: `age ge 18 and score lt -1.5e3 and code eq 0`,
		},
		{
			name:  "leading zero is a string",
			in:    `employeeNumber eq 00123`,
			want:  cmp("employeeNumber", "eq", str("00123")),
			canon: `employeeNumber eq "00123"`,
		},
		{
			name:  "escapes",
			in:    `displayName eq "say \"hi\" \\ \u00e9\ud83d\ude00\n"`,
			want:  cmp("displayName", "eq", str("say \"hi\" \\ é😀\n")),
			canon: `displayName eq "say \"hi\" \\ é😀\n"`,
		},
		{
			name:  "lone surrogate",
			in:    `displayName eq "\ud83d"`,
			want:  cmp("displayName", "eq", str("\uFFFD")),
			canon: "displayName eq \"\uFFFD\"",
		},
		{
			name:  "whitespace",
			in:    "\t userName  eq\n\"x\"   and(title pr)or\r\nnot(title pr) ",
			want:  Or{And{cmp("userName", "eq", str("x")), Present{path("title")}}, Not{Present{path("title")}}},
			canon: `userName eq "x" and title pr or not (title pr)`,
		},
		{
			name: "$ref",
			in:   `members.$ref sw "https://"`,
			want: cmp("members.$ref", "sw", str("https://")),
		},
		{
			name: "enterprise extension",
			in:   `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915"`,
			want: Compare{Path: AttrPath{URN: enterpriseURN, Attr: "manager", Sub: "value"}, Op: "eq", Value: str("26118915")},
		},
		{
			name: "attribute named not",
			in:   `not pr or not eq "x"`,
			want: Or{Present{path("not")}, cmp("not", "eq", str("x"))},
		},
		{
			name: "and binds tighter than or",
			in:   `a pr or b pr and c pr`,
			want: Or{Present{path("a")}, And{Present{path("b")}, Present{path("c")}}},
		},
		{
			name: "right-nested and keeps its parentheses",
			in:   `a pr and (b pr and c pr)`,
			want: And{Present{path("a")}, And{Present{path("b")}, Present{path("c")}}},
		},
		{
			name:  "redundant parentheses dropped",
			in:    `((a pr) and b pr) or (c pr or d pr)`,
			want:  Or{And{Present{path("a")}, Present{path("b")}}, Or{Present{path("c")}, Present{path("d")}}},
			canon: `a pr and b pr or (c pr or d pr)`,
		},
		{
			name:  "not inside value path",
			in:    `emails[not (type eq "work") and (value ew ".org")]`,
			want:  ValuePath{Path: path("emails"), Filter: And{Not{cmp("type", "eq", str("work"))}, cmp("value", "ew", str(".org"))}},
			canon: `emails[not (type eq "work") and value ew ".org"]`,
		},
		{
			name:  "value path with pr sub-attribute",
			in:    `emails[type eq work].display pr`,
			want:  ValuePathCompare{Path: path("emails.display"), Filter: cmp("type", "eq", str("work")), Op: "pr"},
			canon: `emails[type eq "work"].display pr`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			canon := tt.canon
			if canon == "" {
				canon = tt.in
			}
			if s := got.String(); s != canon {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.in, s, canon)
			}
			checkRoundTrip(t, got)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		offset int
		detail string // a part of the detail
	}{
		{"empty", "", 0, "empty"},
		{"blank", " \t ", 0, "empty"},
		{"unknown operator", `userName eqq "x"`, 9, `unknown operator "eqq"`},
		{"missing operator", `userName`, 8, "expected an operator"},
		{"value instead of operator", `userName "x"`, 9, "operator"},
		{"missing value", `userName eq`, 11, "expected a value"},
		{"missing value before paren", `(userName eq )`, 13, "value"},
		{"unterminated string", `userName eq "x`, 12, "unterminated"},
		{"unterminated after escape", `userName eq "x\"`, 12, "unterminated"},
		{"quote in bare value", `userName eq x"y"`, 13, "quote"},
		{"unbalanced open parenthesis", `(userName eq "x"`, 0, "unbalanced parenthesis"},
		{"unbalanced close parenthesis", `userName eq "x")`, 15, `unexpected ")"`},
		{"unbalanced bracket", `emails[type eq "work"`, 6, "unbalanced bracket"},
		{"bracket closed by parenthesis", `emails[type eq "work")`, 21, `"]" was expected`},
		{"stray bracket", `emails[type eq "work"]]`, 22, `unexpected "]"`},
		{"nested value path", `emails[type[value eq "x"] eq "y"]`, 11, "nested"},
		{"nested value path deeper", `emails[(a pr or type[value eq "x"])]`, 20, "nested"},
		{"trailing garbage", `userName eq "x" garbage`, 16, `unexpected "garbage"`},
		{"two values", `userName eq "x" "y"`, 16, `unexpected "\""`},
		{"dangling and", `userName eq "x" and`, 19, "expected an attribute name"},
		{"dangling or", `userName eq "x" or `, 19, "expected an attribute name"},
		{"empty parentheses", `()`, 1, `unexpected ")"`},
		{"not without parentheses", `not userName eq "x"`, 0, "parentheses"},
		{"boolean gt", `active gt true`, 10, "boolean compares only with eq and ne"},
		{"boolean co", `active co False`, 10, "boolean"},
		{"null sw", `title sw null`, 9, "null compares only with eq and ne"},
		{"invalid escape", `userName eq "a\qb"`, 14, `invalid escape "\\q"`},
		{"short unicode escape", `userName eq "\u12"`, 13, `invalid \u escape`},
		{"two sub-attributes", `name.given.x eq "a"`, 10, "at most one sub-attribute"},
		{"name starting with a digit", `1userName eq "a"`, 0, "invalid attribute name"},
		{"empty sub-attribute", `name. eq "a"`, 5, "invalid sub-attribute name"},
		{"colon without URN", `foo:bar eq 1`, 3, "schema URN"},
		{"empty URN segment", `urn::x eq 1`, 0, "invalid schema URN"},
		{"URN without attribute", `urn:a:b: eq 1`, 8, "invalid attribute name"},
		{"value filter on sub-attribute", `emails.value[type eq "x"]`, 0, "not to the sub-attribute"},
		{"sub-attribute after value path without operator", `emails[type eq "work"].value`, 28, "expected an operator"},
		{"two sub-attributes after value path", `emails[type eq "work"].value.x eq 1`, 28, "at most one sub-attribute"},
		{"no name after value path", `emails[type eq "work"]. eq 1`, 23, "sub-attribute name"},
		{"operator after value path", `emails[type eq "work"] eq "x"`, 23, `unexpected "eq"`},
		{"non-ASCII name", `nämé eq "x"`, 1, "unexpected"},
		{"too long", `userName eq "` + strings.Repeat("x", MaxLength) + `"`, MaxLength, "longer than 4096 bytes"},
		{"too deep", strings.Repeat("(", MaxDepth+1) + "a pr" + strings.Repeat(")", MaxDepth+1), MaxDepth, "deeper than 64"},
		{"too deep with not", strings.Repeat("not (", MaxDepth+1) + "a pr" + strings.Repeat(")", MaxDepth+1), MaxDepth*5 + len("not "), "deeper than 64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(tt.in)
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("Parse(%q) = %v, %v, want an *Error", tt.in, e, err)
			}
			if fe.ScimType != "invalidFilter" || fe.Offset != tt.offset || !strings.Contains(fe.Detail, tt.detail) {
				t.Errorf("Parse(%q) error = %#v, want invalidFilter at offset %d with detail containing %q", tt.in, fe, tt.offset, tt.detail)
			}
			if !strings.HasPrefix(err.Error(), "invalid filter: ") {
				t.Errorf("Parse(%q) error message = %q, want it to start with %q", tt.in, err.Error(), "invalid filter: ")
			}
		})
	}
}

func TestParseDepthLimit(t *testing.T) {
	in := strings.Repeat("(", MaxDepth) + "a pr" + strings.Repeat(")", MaxDepth)
	if _, err := Parse(in); err != nil {
		t.Errorf("Parse(%d parentheses) error = %v, want nil", MaxDepth, err)
	}
	in = `userName eq "` + strings.Repeat("x", MaxLength-len(`userName eq ""`)) + `"`
	if _, err := Parse(in); err != nil {
		t.Errorf("Parse(%d bytes) error = %v, want nil", len(in), err)
	}
	// Long and/or chains are not nesting: they parse, and evaluate, up to
	// the length limit.
	in = strings.Repeat("a pr and ", MaxLength/len("a pr and ")-1) + "a pr"
	e := mustParse(t, in)
	if Match(e, map[string]any{"a": "x"}, nil) != true {
		t.Errorf("Match(%.20q…) = false, want true", in)
	}
	checkRoundTrip(t, e)
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  Path
		canon string
	}{
		{
			name: "member by value",
			in:   `members[value eq "2819c223-7f76-453a-919d-413861904646"]`,
			want: Path{Attr: path("members"), Filter: cmp("value", "eq", str("2819c223-7f76-453a-919d-413861904646"))},
		},
		{
			name: "value path with sub-attribute",
			in:   `emails[type eq "work"].value`,
			want: Path{Attr: path("emails"), Filter: cmp("type", "eq", str("work")), Sub: "value"},
		},
		{
			name: "sub-attribute",
			in:   `name.familyName`,
			want: Path{Attr: path("name.familyName")},
		},
		{
			name: "complex value path",
			in:   `addresses[type eq "work"]`,
			want: Path{Attr: path("addresses"), Filter: cmp("type", "eq", str("work"))},
		},
		{
			name: "extension attribute",
			in:   `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`,
			want: Path{Attr: AttrPath{URN: enterpriseURN, Attr: "employeeNumber"}},
		},
		{
			name: "extension sub-attribute",
			in:   `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`,
			want: Path{Attr: AttrPath{URN: enterpriseURN, Attr: "manager", Sub: "value"}},
		},
		{
			name: "member display name",
			in:   `members[value eq "x"].displayName`,
			want: Path{Attr: path("members"), Filter: cmp("value", "eq", str("x")), Sub: "displayName"},
		},
		{
			name: "Entra capital V",
			in:   `emails[type eq "other"].Value`,
			want: Path{Attr: path("emails"), Filter: cmp("type", "eq", str("other")), Sub: "Value"},
		},
		{
			name: "Entra capital M",
			in:   `Members[Value eq "x"]`,
			want: Path{Attr: path("Members"), Filter: cmp("Value", "eq", str("x"))},
		},
		{
			name: "Entra phone and address",
			in:   `addresses[type eq "work"].postalCode`,
			want: Path{Attr: path("addresses"), Filter: cmp("type", "eq", str("work")), Sub: "postalCode"},
		},
		{
			name: "simple attribute",
			in:   `active`,
			want: Path{Attr: path("active")},
		},
		{
			name:  "surrounding space and unquoted value",
			in:    ` members[ value  eq x ] `,
			want:  Path{Attr: path("members"), Filter: cmp("value", "eq", str("x"))},
			canon: `members[value eq "x"]`,
		},
		{
			name: "filter with and",
			in:   `emails[type eq "work" and primary eq true].value`,
			want: Path{Attr: path("emails"), Filter: And{cmp("type", "eq", str("work")), cmp("primary", "eq", Value{Kind: Bool, Bool: true})}, Sub: "value"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePath(tt.in)
			if err != nil {
				t.Fatalf("ParsePath(%q) error = %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParsePath(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			canon := tt.canon
			if canon == "" {
				canon = tt.in
			}
			if s := got.String(); s != canon {
				t.Errorf("ParsePath(%q).String() = %q, want %q", tt.in, s, canon)
			}
		})
	}
}

func TestParsePathErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		offset int
		detail string
	}{
		{"empty", "", 0, "empty"},
		{"unbalanced bracket", `members[value eq "x"`, 7, "unbalanced bracket"},
		{"no sub-attribute after dot", `members[value eq "x"].`, 22, "sub-attribute name"},
		{"two sub-attributes", `members[value eq "x"].display.x`, 29, "at most one sub-attribute"},
		{"filter on sub-attribute", `name.givenName[x eq 1]`, 0, "not to the sub-attribute"},
		{"trailing garbage", `emails[type eq "work"]x`, 22, `unexpected "x"`},
		{"nested value path", `members[value[x eq 1]]`, 13, "nested"},
		{"bad filter", `members[value eqq "x"]`, 14, "unknown operator"},
		{"space before bracket", `members [value eq "x"]`, 8, "unexpected"},
		{"operator in path", `userName eq "x"`, 9, `unexpected "eq"`},
		{"bad name", `-x`, 0, "invalid attribute name"},
		{"too long", strings.Repeat("a", MaxLength+1), MaxLength, "longer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePath(tt.in)
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("ParsePath(%q) = %v, %v, want an *Error", tt.in, p, err)
			}
			if fe.ScimType != "invalidPath" || fe.Offset != tt.offset || !strings.Contains(fe.Detail, tt.detail) {
				t.Errorf("ParsePath(%q) error = %#v, want invalidPath at offset %d with detail containing %q", tt.in, fe, tt.offset, tt.detail)
			}
			if !strings.HasPrefix(err.Error(), "invalid path: ") {
				t.Errorf("ParsePath(%q) error message = %q, want it to start with %q", tt.in, err.Error(), "invalid path: ")
			}
		})
	}
}

func TestAttrPath(t *testing.T) {
	p := AttrPath{URN: "urn:ietf:params:scim:schemas:core:2.0:USER", Attr: "Emails", Sub: "Value"}
	if got, want := p.String(), "urn:ietf:params:scim:schemas:core:2.0:USER:Emails.Value"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if !p.Is(userURN, "emails", "value") {
		t.Errorf("%v.Is(%q, emails, value) = false, want true", p, userURN)
	}
	if p.Is(enterpriseURN, "emails", "value") {
		t.Errorf("%v.Is(%q, emails, value) = true, want false", p, enterpriseURN)
	}
	if !path("emails.VALUE").Is(userURN, "Emails", "value") {
		t.Errorf("a path without URN should match any URN")
	}
	if !p.Equal(p.Lower()) || p.Lower().Attr != "emails" {
		t.Errorf("Lower() = %v, want the same path in lower case", p.Lower())
	}
	if p.Equal(path("emails.value")) {
		t.Errorf("a path with a URN should not equal one without")
	}
}

func TestPaths(t *testing.T) {
	e := mustParse(t, `userName eq "x" or not (emails[type eq "work" and primary pr]) or members[type eq "User"].value eq "u1"`)
	want := []AttrPath{
		path("userName"),
		path("emails"), path("emails.type"), path("emails.primary"),
		path("members"), path("members.type"), path("members.value"),
	}
	if got := Paths(e); !reflect.DeepEqual(got, want) {
		t.Errorf("Paths(%v) = %v, want %v", e, got, want)
	}
}

func TestPointerNodes(t *testing.T) {
	e := &And{L: &Compare{Path: path("userName"), Op: "eq", Value: str("bjensen")}, R: &Present{Path: path("title")}}
	if got, want := e.String(), `userName eq "bjensen" and title pr`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := matching(t, e); !slices.Equal(got, []string{"bjensen"}) {
		t.Errorf("resources matching %v = %q, want [bjensen]", e, got)
	}
}
