package filter

import (
	"errors"
	"reflect"
	"testing"
)

var fuzzSeeds = []string{
	`userName eq "bjensen"`,
	`name.familyName co "O'Malley"`,
	`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"`,
	`title pr`,
	`meta.lastModified gt "2011-05-13T04:42:34Z"`,
	`title pr and userType eq "Employee" or userType eq "Intern"`,
	`userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")`,
	`emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]`,
	`emails[type eq "work"].Value eq "x"`,
	`Members[Value eq "x"]`,
	`displayName eq "Group1" `,
	`name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)`,
	`meta.Created gt 2015-10-10T14:38:21.8617979-07:00`,
	`a eq -1.5e3 and b ne null and c eq TRUE and d eq "\u00e9\ud83d\ude00\"\\"`,
	`a pr and (b pr and c pr)`,
	`not (not (a pr))`,
	`emails[type eq work].display pr`,
	`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "1"`,
	`members.$ref sw "https://"`,
	`(((a pr`,
	`emails[type[x eq 1]]`,
	`userName eq "x`,
}

// FuzzParse checks that Parse never panics, fails only with an *Error, and
// that the canonical form of a parsed filter parses back to the same
// filter; and that Match never panics on it.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	resources := samples(f)
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) || fe.ScimType != InvalidFilter || fe.Offset < 0 || fe.Offset > len(s) || fe.Detail == "" {
				t.Fatalf("Parse(%q) error = %#v, want an invalidFilter *Error within the input", s, err)
			}
			if e != nil {
				t.Fatalf("Parse(%q) = %v with error %v, want nil", s, e, err)
			}
			return
		}
		for _, r := range resources {
			Match(e, r, rfcCaseExact)
		}
		Paths(e)
		canon := e.String()
		if len(canon) > MaxLength {
			return // quoting and escaping can lengthen a filter past the limit
		}
		again, err := Parse(canon)
		if err != nil {
			t.Fatalf("Parse(%q) error = %v for the canonical form of %q", canon, err, s)
		}
		if !reflect.DeepEqual(again, e) {
			t.Fatalf("Parse(%q) = %#v, want %#v (parsed from %q)", canon, again, e, s)
		}
		if got := again.String(); got != canon {
			t.Fatalf("round trip of %q = %q, want %q", s, got, canon)
		}
	})
}

// FuzzParsePath does for ParsePath what FuzzParse does for Parse.
func FuzzParsePath(f *testing.F) {
	for _, s := range []string{
		`members[value eq "2819c223-7f76-453a-919d-413861904646"]`,
		`emails[type eq "work"].value`,
		`name.familyName`,
		`addresses[type eq "work"]`,
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`,
		`members[value eq "x"].displayName`,
		`emails[type eq "other"].Value`,
		`Members[Value eq "x"]`,
		`emails[type eq "work" and primary eq true].value`,
		`members[value eq "x"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) || fe.ScimType != InvalidPath || fe.Offset < 0 || fe.Offset > len(s) || fe.Detail == "" {
				t.Fatalf("ParsePath(%q) error = %#v, want an invalidPath *Error within the input", s, err)
			}
			return
		}
		if p.Filter != nil {
			Match(p.Filter, map[string]any{"value": "x", "type": "work"}, nil)
		}
		canon := p.String()
		if len(canon) > MaxLength {
			return
		}
		again, err := ParsePath(canon)
		if err != nil {
			t.Fatalf("ParsePath(%q) error = %v for the canonical form of %q", canon, err, s)
		}
		if !reflect.DeepEqual(again, p) {
			t.Fatalf("ParsePath(%q) = %#v, want %#v (parsed from %q)", canon, again, p, s)
		}
	})
}
