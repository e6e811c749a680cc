package scim_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/types"

	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/service"
	"github.com/atriumhq/atrium/internal/store"
)

// client talks SCIM to a running server.
type client struct {
	t     *testing.T
	base  string
	token string
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func newClient(t *testing.T, s *atriumtest.Server) *client {
	t.Helper()
	token, info, err := s.App.Service.CreateSCIMToken(t.Context(), "", 0)
	if err != nil {
		t.Fatalf("CreateSCIMToken: %v", err)
	}
	if info.Status != "ACTIVE" {
		t.Fatalf("new token status = %s", info.Status)
	}
	return &client{t: t, base: s.URL + "/scim/v2", token: token}
}

func (c *client) do(method, path string, body any, hdr ...string) reply {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			c.t.Fatalf("%s %s: response is not a JSON object: %s", method, path, raw)
		}
	}
	return r
}

func (c *client) must(status int, method, path string, body any, hdr ...string) reply {
	c.t.Helper()
	r := c.do(method, path, body, hdr...)
	if r.status != status {
		c.t.Fatalf("%s %s = %d %s, want %d", method, path, r.status, r.raw, status)
	}
	return r
}

// wantError checks a SCIM error response.
func wantError(t *testing.T, r reply, status int, scimType string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d (%s), want %d", r.status, r.raw, status)
	}
	if st, _ := r.body["status"].(string); st != fmt.Sprint(status) {
		t.Errorf("error status = %#v, want the string %q", r.body["status"], fmt.Sprint(status))
	}
	if scimType != "" && r.body["scimType"] != scimType {
		t.Errorf("scimType = %v, want %s", r.body["scimType"], scimType)
	}
	if d, _ := r.body["detail"].(string); d == "" {
		t.Errorf("error has no detail: %s", r.raw)
	}
	schemas, _ := r.body["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
		t.Errorf("error schemas = %v", r.body["schemas"])
	}
}

func q(filter string) string { return "?filter=" + url.QueryEscape(filter) }

func resources(r reply) []map[string]any {
	var out []map[string]any
	rs, _ := r.body["Resources"].([]any)
	for _, x := range rs {
		m, _ := x.(map[string]any)
		out = append(out, m)
	}
	return out
}

func TestAuthentication(t *testing.T) {
	s := atriumtest.Start(t)
	c := newClient(t, s)
	c.must(200, "GET", "/Users", nil)
	in := s.App.Bootstrap.Instance
	for _, tenant := range []string{in.ID, in.IdentityStoreID} {
		r := c.do("GET", "/../../"+tenant+"/scim/v2/Users", nil)
		_ = r
		tc := &client{t: t, base: s.URL + "/" + tenant + "/scim/v2", token: c.token}
		tc.must(200, "GET", "/Users", nil)
	}
	for _, tt := range []struct{ name, base, token string }{
		{"no token", c.base, ""},
		{"wrong token", c.base, "atrium-scim-0000.0000"},
		{"garbage", c.base, "hello"},
		{"another tenant", s.URL + "/ssoins-0000000000000000/scim/v2", c.token},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bad := &client{t: t, base: tt.base, token: tt.token}
			r := bad.do("GET", "/Users", nil)
			wantError(t, r, 401, "")
		})
	}
	// A second token may be made, a third is refused until one is revoked.
	_, second, err := s.App.Service.CreateSCIMToken(t.Context(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.App.Service.CreateSCIMToken(t.Context(), "", 0); err == nil {
		t.Errorf("a third active token was made, want a quota error")
	}
	tokens, err := s.App.Service.ListSCIMTokens(t.Context(), "")
	if err != nil || len(tokens) != 2 {
		t.Fatalf("ListSCIMTokens = %v, %v", tokens, err)
	}
	first := tokens[0].ID
	if first == second.ID {
		first = tokens[1].ID
	}
	if err := s.App.Service.RevokeSCIMToken(t.Context(), "", first); err != nil {
		t.Fatal(err)
	}
	wantError(t, c.do("GET", "/Users", nil), 401, "")
}

// TestEntraSequence replays the requests Microsoft Entra ID sends, in its
// order and with its default quirks.
func TestEntraSequence(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		c := newClient(t, s)
		// Test Connection: a filter that matches nothing is an empty list, not 404.
		r := c.must(200, "GET", "/Users"+q(`userName eq "7f5a8a2e-0f7e-4b49-a5a6-3b3c9a1f0d11"`), nil)
		if r.body["totalResults"] != float64(0) || len(resources(r)) != 0 {
			t.Fatalf("empty filter = %s", r.raw)
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/scim+json") {
			t.Errorf("Content-Type = %q", ct)
		}
		created := c.must(201, "POST", "/Users", map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
			"externalId": "entra-0001", "userName": "Test_User_ab6490ee@contoso.com", "active": "True",
			"displayName": "Test User", "title": nil, "addresses": nil,
			"emails": []any{map[string]any{"primary": true, "type": "work", "value": "Test_User_ab6490ee@contoso.com"}},
			"meta":   map[string]any{"resourceType": "User"},
			"name":   map[string]any{"formatted": "Test User", "familyName": "User", "givenName": "Test"},
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{"Department": "Eng", "manager": map[string]any{"Value": "m-1"}},
		})
		id, _ := created.body["id"].(string)
		if id == "" || created.body["active"] != true || created.header.Get("Location") == "" || created.header.Get("ETag") == "" {
			t.Fatalf("created = %s (headers %v)", created.raw, created.header)
		}
		ent, _ := created.body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any)
		if ent["department"] != "Eng" {
			t.Errorf("enterprise extension = %v", ent)
		}
		// Matching by userName is case-insensitive; by externalId exact.
		if rs := resources(c.must(200, "GET", "/Users"+q(`userName eq "TEST_USER_AB6490EE@CONTOSO.COM"`), nil)); len(rs) != 1 || rs[0]["id"] != id {
			t.Errorf("userName filter found %v", rs)
		}
		if rs := resources(c.must(200, "GET", "/Users"+q(`externalId eq "entra-0001"`), nil)); len(rs) != 1 {
			t.Errorf("externalId filter found %d", len(rs))
		}
		if rs := resources(c.must(200, "GET", "/Users"+q(`externalId eq "ENTRA-0001"`), nil)); len(rs) != 0 {
			t.Errorf("externalId is case-exact, but another case found %d", len(rs))
		}
		c.must(200, "GET", "/Users/"+id, nil)
		// PATCH with Entra's capitalised ops, string booleans and filter paths.
		c.must(200, "PATCH", "/Users/"+id, map[string]any{
			"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{
				map[string]any{"op": "Replace", "path": "displayName", "value": "Tess User"},
				map[string]any{"op": "Add", "path": "nickName", "value": "Tess"},
				map[string]any{"op": "Replace", "path": `emails[type eq "work"].value`, "value": "tess@contoso.com"},
				map[string]any{"op": "Add", "path": `phoneNumbers[type eq "mobile"].value`, "value": "+1 555 0100"},
				map[string]any{"op": "Replace", "path": `addresses[type eq "work"].postalCode`, "value": "98052"},
				map[string]any{"op": "Add", "path": `emails[type eq "other"].Value`, "value": "tess@home.example"},
				map[string]any{"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Research"},
			},
		})
		got := c.must(200, "GET", "/Users/"+id, nil).body
		if got["displayName"] != "Tess User" || got["nickName"] != "Tess" {
			t.Errorf("after PATCH: %v", got)
		}
		emails := map[string]string{}
		for _, e := range got["emails"].([]any) {
			m := e.(map[string]any)
			emails[m["type"].(string)] = m["value"].(string)
		}
		if emails["work"] != "tess@contoso.com" || emails["other"] != "tess@home.example" {
			t.Errorf("emails after PATCH = %v", emails)
		}
		if phones, _ := got["phoneNumbers"].([]any); len(phones) != 1 {
			t.Errorf("phoneNumbers after PATCH = %v", got["phoneNumbers"])
		}
		if ent, _ := got["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].(map[string]any); ent["department"] != "Research" {
			t.Errorf("department after PATCH = %v", ent)
		}
		// Soft delete keeps the user readable and filterable.
		c.must(200, "PATCH", "/Users/"+id, map[string]any{"Operations": []any{map[string]any{"op": "Replace", "path": "active", "value": "False"}}})
		rs := resources(c.must(200, "GET", "/Users"+q(`userName eq "Test_User_ab6490ee@contoso.com"`), nil))
		if len(rs) != 1 || rs[0]["active"] != false {
			t.Errorf("disabled user through a filter = %v", rs)
		}

		// Groups: look up with excludedAttributes=members, create empty, add members by PATCH.
		c.must(200, "GET", "/Groups?excludedAttributes=members&filter="+url.QueryEscape(`displayName eq "Group1"`), nil)
		g := c.must(201, "POST", "/Groups", map[string]any{
			"schemas":    []string{"urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"},
			"externalId": "g-ext-1", "displayName": "Group1", "meta": map[string]any{"resourceType": "Group"},
		})
		gid := g.body["id"].(string)
		u2 := c.must(201, "POST", "/Users", map[string]any{"userName": "second@contoso.com", "displayName": "Second", "name": map[string]any{"givenName": "S", "familyName": "Two"}}).body["id"].(string)
		c.must(204, "PATCH", "/Groups/"+gid, map[string]any{"Operations": []any{
			map[string]any{"op": "Add", "path": "members", "value": []any{map[string]any{"$ref": nil, "value": id}, map[string]any{"$ref": nil, "value": u2}}},
		}})
		if ms := c.must(200, "GET", "/Groups/"+gid, nil).body["members"].([]any); len(ms) != 2 {
			t.Errorf("members after Add = %v", ms)
		}
		// Legacy removal removes only the listed members.
		c.must(204, "PATCH", "/Groups/"+gid, map[string]any{"Operations": []any{
			map[string]any{"op": "Remove", "path": "members", "value": []any{map[string]any{"value": u2}}},
		}})
		ms := c.must(200, "GET", "/Groups/"+gid, nil).body["members"].([]any)
		if len(ms) != 1 || ms[0].(map[string]any)["value"] != id {
			t.Errorf("members after legacy Remove = %v", ms)
		}
		// The compliant form.
		c.must(204, "PATCH", "/Groups/"+gid, map[string]any{"Operations": []any{
			map[string]any{"op": "remove", "path": `members[value eq "` + id + `"]`},
		}})
		if ms, _ := c.must(200, "GET", "/Groups/"+gid, nil).body["members"].([]any); len(ms) != 0 {
			t.Errorf("members after filtered remove = %v", ms)
		}
		// Excluding members leaves them out.
		if _, ok := c.must(200, "GET", "/Groups/"+gid+"?excludedAttributes=members", nil).body["members"]; ok {
			t.Errorf("members returned although excluded")
		}
		c.must(204, "DELETE", "/Users/"+id, nil)
		wantError(t, c.do("GET", "/Users/"+id, nil), 404, "")
		c.must(204, "DELETE", "/Groups/"+gid, nil)
	})
}

// TestOktaSequence replays Okta's provisioning requests.
func TestOktaSequence(t *testing.T) {
	atriumtest.OnEngines(t, func(t *testing.T, s *atriumtest.Server) {
		c := newClient(t, s)
		r := c.must(200, "GET", "/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100", nil)
		if r.body["itemsPerPage"] != float64(0) || r.body["startIndex"] != float64(1) {
			t.Errorf("list metadata = %s", r.raw)
		}
		user := map[string]any{
			"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "test.user@okta.local",
			"name": map[string]any{"givenName": "Test", "familyName": "User"}, "displayName": "Test User",
			"emails": []any{map[string]any{"primary": true, "value": "test.user@okta.local", "type": "work"}},
			"active": true, "password": "1mP0ss!ble-pa55word", "groups": []any{}, "locale": "en-US", "externalId": "00ujl29u0le5T6Aj10h7",
		}
		created := c.must(201, "POST", "/Users", user)
		id := created.body["id"].(string)
		if _, ok := created.body["password"]; ok {
			t.Errorf("the password was returned")
		}
		dup := c.do("POST", "/Users", user)
		wantError(t, dup, 409, "uniqueness")
		if d, _ := dup.body["detail"].(string); !strings.Contains(d, "Duplicate UserName") {
			t.Errorf("detail = %q, want it to name the user name", d)
		}
		upper := maps.Clone(user)
		upper["userName"] = "TEST.USER@OKTA.LOCAL"
		wantError(t, c.do("POST", "/Users", upper), 409, "uniqueness")
		sameExt := maps.Clone(user)
		sameExt["userName"] = "other.user@okta.local"
		dup = c.do("POST", "/Users", sameExt)
		wantError(t, dup, 409, "uniqueness")
		if d, _ := dup.body["detail"].(string); !strings.Contains(d, "Duplicate ExternalId") {
			t.Errorf("detail = %q, want it to name the external id", d)
		}

		// PUT the whole object, as Okta does after a GET.
		full := c.must(200, "GET", "/Users/"+id, nil).body
		full["displayName"] = "Test User Renamed"
		delete(full, "emails") // PUT clears what it omits
		put := c.must(200, "PUT", "/Users/"+id, full)
		if put.body["displayName"] != "Test User Renamed" || put.body["emails"] != nil {
			t.Errorf("after PUT = %s", put.raw)
		}
		// Deactivation: no-path replace.
		deact := c.must(200, "PATCH", "/Users/"+id, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
			"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": false}}}})
		if deact.body["active"] != false {
			t.Errorf("after deactivation = %s", deact.raw)
		}

		// Push Groups.
		g := c.must(201, "POST", "/Groups", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Okta Group", "members": []any{}})
		gid := g.body["id"].(string)
		var others []string
		for i := range 3 {
			others = append(others, c.must(201, "POST", "/Users", map[string]any{"userName": fmt.Sprintf("u%d@okta.local", i), "displayName": "U",
				"name": map[string]any{"givenName": "U", "familyName": fmt.Sprint(i)}}).body["id"].(string))
		}
		c.must(204, "PATCH", "/Groups/"+gid, map[string]any{"Operations": []any{
			map[string]any{"op": "replace", "value": map[string]any{"id": gid, "displayName": "Okta Group Renamed"}},
		}})
		// Full push: replace members (set semantics).
		c.must(204, "PATCH", "/Groups/"+gid, map[string]any{"Operations": []any{
			map[string]any{"op": "replace", "path": "members", "value": []any{map[string]any{"value": id}, map[string]any{"value": others[0]}}},
		}})
		// Remove by filter and add in one request.
		c.must(204, "PATCH", "/Groups/"+gid, map[string]any{"Operations": []any{
			map[string]any{"op": "remove", "path": `members[value eq "` + others[0] + `"]`},
			map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": others[1], "display": "U"}, map[string]any{"value": others[2]}}},
		}})
		got := c.must(200, "GET", "/Groups/"+gid, nil).body
		if got["displayName"] != "Okta Group Renamed" {
			t.Errorf("displayName = %v", got["displayName"])
		}
		members := map[string]bool{}
		for _, m := range got["members"].([]any) {
			members[m.(map[string]any)["value"].(string)] = true
		}
		if len(members) != 3 || !members[id] || !members[others[1]] || !members[others[2]] {
			t.Errorf("members = %v", members)
		}
		// A user lists its groups; groups are found by member.
		if gs, _ := c.must(200, "GET", "/Users/"+others[1], nil).body["groups"].([]any); len(gs) != 1 {
			t.Errorf("user groups = %v", gs)
		}
		if rs := resources(c.must(200, "GET", "/Users"+q(`groups.value eq "`+gid+`"`), nil)); len(rs) != 3 {
			t.Errorf("users of the group by filter = %d", len(rs))
		}
		if rs := resources(c.must(200, "GET", "/Groups"+q(`members[value eq "`+others[2]+`"]`), nil)); len(rs) != 1 {
			t.Errorf("groups of a member by filter = %d", len(rs))
		}
		c.must(204, "DELETE", "/Groups/"+gid, nil)
	})
}

func TestPatchIsAtomic(t *testing.T) {
	s := atriumtest.Start(t)
	c := newClient(t, s)
	id := c.must(201, "POST", "/Users", map[string]any{"userName": "atom", "displayName": "Atom", "name": map[string]any{"givenName": "A", "familyName": "Tom"}}).body["id"].(string)
	before := c.must(200, "GET", "/Users/"+id, nil)
	for _, tt := range []struct {
		name     string
		ops      []any
		scimType string
	}{
		{"change of id", []any{map[string]any{"op": "replace", "path": "displayName", "value": "Changed"}, map[string]any{"op": "replace", "path": "id", "value": "x"}}, "mutability"},
		{"remove without path", []any{map[string]any{"op": "replace", "path": "title", "value": "T"}, map[string]any{"op": "remove"}}, "noTarget"},
		{"bad op", []any{map[string]any{"op": "replace", "path": "title", "value": "T"}, map[string]any{"op": "frobnicate", "path": "title"}}, "invalidSyntax"},
		{"bad path", []any{map[string]any{"op": "replace", "path": "title", "value": "T"}, map[string]any{"op": "add", "path": "emails[type eq", "value": "x"}}, "invalidPath"},
		{"required removed", []any{map[string]any{"op": "replace", "path": "title", "value": "T"}, map[string]any{"op": "remove", "path": "userName"}}, "invalidValue"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, c.do("PATCH", "/Users/"+id, map[string]any{"Operations": tt.ops}), 400, tt.scimType)
			after := c.must(200, "GET", "/Users/"+id, nil)
			if after.header.Get("ETag") != before.header.Get("ETag") || after.body["displayName"] != "Atom" || after.body["title"] != nil {
				t.Errorf("the failed PATCH changed the user: %s", after.raw)
			}
		})
	}
	// If-Match: a stale version is refused with 412.
	c.must(200, "PATCH", "/Users/"+id, map[string]any{"Operations": []any{map[string]any{"op": "replace", "path": "title", "value": "T"}}})
	wantError(t, c.do("PATCH", "/Users/"+id, map[string]any{"Operations": []any{map[string]any{"op": "replace", "path": "title", "value": "U"}}},
		"If-Match", before.header.Get("ETag")), 412, "")
}

func TestErrorsAndFilters(t *testing.T) {
	s := atriumtest.Start(t)
	c := newClient(t, s)
	wantError(t, c.do("POST", "/Users", `{"userName": "x",`), 400, "invalidSyntax")
	wantError(t, c.do("POST", "/Users", map[string]any{"displayName": "no user name", "name": map[string]any{"givenName": "a", "familyName": "b"}}), 400, "invalidValue")
	wantError(t, c.do("GET", "/Users"+q(`userName eq`), nil), 400, "invalidFilter")
	wantError(t, c.do("GET", "/Users"+q(`userName zz "x"`), nil), 400, "invalidFilter")
	wantError(t, c.do("GET", "/Users/00000000-0000-0000-0000-000000000000", nil), 404, "")
	wantError(t, c.do("GET", "/Bulk", nil), 501, "")

	for i, n := range []string{"alice", "albert", "bob", "carol", "dave"} {
		title := "Engineer"
		if i%2 == 1 {
			title = "Manager"
		}
		c.must(201, "POST", "/Users", map[string]any{"userName": n, "displayName": strings.ToUpper(n[:1]) + n[1:], "title": title,
			"name": map[string]any{"givenName": n, "familyName": "X"}, "emails": []any{map[string]any{"value": n + "@example.com", "type": "work"}}})
	}
	for _, tt := range []struct {
		filter string
		want   int
	}{
		{`userName sw "al"`, 2},
		{`userName co "o"`, 2},
		{`emails.value ew "@example.com"`, 5},
		{`emails[type eq "work" and value co "bob"]`, 1},
		{`title eq "Manager" and not (userName eq "albert")`, 1},
		{`title pr`, 5},
		{`nickName pr`, 0},
		{`userName gt "bob"`, 2},
		{`meta.created gt "2000-01-01T00:00:00Z"`, 5},
		{`USERNAME EQ "ALICE"`, 1},
	} {
		t.Run(tt.filter, func(t *testing.T) {
			r := c.must(200, "GET", "/Users"+q(tt.filter), nil)
			if r.body["totalResults"] != float64(tt.want) || len(resources(r)) != tt.want {
				t.Errorf("filter %s = %v results (%d listed), want %d", tt.filter, r.body["totalResults"], len(resources(r)), tt.want)
			}
		})
	}
	// Paging: stable order, totals, startIndex and count; cursors beyond the RFC.
	seen := map[string]bool{}
	for start := 1; start <= 5; start += 2 {
		r := c.must(200, "GET", fmt.Sprintf("/Users?startIndex=%d&count=2", start), nil)
		if r.body["totalResults"] != float64(5) || r.body["startIndex"] != float64(start) {
			t.Errorf("page at %d = %s", start, r.raw)
		}
		for _, u := range resources(r) {
			seen[u["id"].(string)] = true
		}
	}
	if len(seen) != 5 {
		t.Errorf("paging saw %d users, want 5", len(seen))
	}
	if r := c.must(200, "GET", "/Users?count=0", nil); r.body["totalResults"] != float64(5) || len(resources(r)) != 0 {
		t.Errorf("count=0 = %s", r.raw)
	}
	for _, q := range []string{"startIndex=7&count=2", "startIndex=1&count=10", "startIndex=4&count=10"} {
		want := map[string]int{"startIndex=7&count=2": 0, "startIndex=1&count=10": 5, "startIndex=4&count=10": 2}[q]
		if r := c.must(200, "GET", "/Users?"+q, nil); r.body["totalResults"] != float64(5) || len(resources(r)) != want {
			t.Errorf("%s: totalResults %v with %d resources, want 5 with %d", q, r.body["totalResults"], len(resources(r)), want)
		}
	}
	cursor, pages, cursorSeen := "", 0, map[string]bool{}
	for {
		r := c.must(200, "GET", "/Users?count=2&cursor="+url.QueryEscape(cursor), nil)
		if r.body["totalResults"] != float64(5) {
			t.Errorf("cursor page %d: totalResults = %v, want 5", pages+1, r.body["totalResults"])
		}
		for _, u := range resources(r) {
			cursorSeen[u["id"].(string)] = true
		}
		pages++
		next, _ := r.body["nextCursor"].(string)
		if next == "" || pages > 5 {
			break
		}
		cursor = next
	}
	if len(cursorSeen) != 5 || pages != 3 {
		t.Errorf("cursor paging: %d users in %d pages, want 5 in 3", len(cursorSeen), pages)
	}
	// attributes and excludedAttributes.
	r := c.must(200, "GET", "/Users?attributes=userName,name.givenName&filter="+url.QueryEscape(`userName eq "alice"`), nil)
	u := resources(r)[0]
	if u["userName"] != "alice" || u["displayName"] != nil || u["id"] == nil || u["name"].(map[string]any)["familyName"] != nil {
		t.Errorf("attributes projection = %v", u)
	}
	r = c.must(200, "GET", "/Users?excludedAttributes=emails&filter="+url.QueryEscape(`userName eq "alice"`), nil)
	if u := resources(r)[0]; u["emails"] != nil || u["userName"] != "alice" {
		t.Errorf("excludedAttributes = %v", u)
	}
	// Discovery endpoints.
	spc := c.must(200, "GET", "/ServiceProviderConfig", nil).body
	if spc["patch"].(map[string]any)["supported"] != true || spc["bulk"].(map[string]any)["supported"] != false {
		t.Errorf("ServiceProviderConfig = %v", spc)
	}
	if rs := resources(c.must(200, "GET", "/Schemas", nil)); len(rs) != 3 {
		t.Errorf("Schemas = %d", len(rs))
	}
	c.must(200, "GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", nil)
	if rs := resources(c.must(200, "GET", "/ResourceTypes", nil)); len(rs) != 2 {
		t.Errorf("ResourceTypes = %d", len(rs))
	}
}

// TestOneDirectory checks that SCIM and the identitystore API see the same
// users, and that SCIM calls are audited under SCIM's event source.
func TestOneDirectory(t *testing.T) {
	s := atriumtest.Start(t)
	c := newClient(t, s)
	ids := s.IdentityStore()
	ctx := t.Context()
	id := c.must(201, "POST", "/Users", map[string]any{"userName": "scimuser", "displayName": "Scim User", "externalId": "ext-42",
		"password": "never-store-me-1!", "name": map[string]any{"givenName": "Scim", "familyName": "User"}}).body["id"].(string)
	d, err := ids.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: aws.String(s.StoreID), UserId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d.UserName) != "scimuser" || len(d.ExternalIds) != 1 || aws.ToString(d.ExternalIds[0].Id) != "ext-42" {
		t.Errorf("DescribeUser of a SCIM user = %+v", d)
	}
	got, err := ids.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: aws.String(s.StoreID), AlternateIdentifier: &types.AlternateIdentifierMemberExternalId{
		Value: types.ExternalId{Issuer: d.ExternalIds[0].Issuer, Id: aws.String("ext-42")}}})
	if err != nil || aws.ToString(got.UserId) != id {
		t.Errorf("GetUserId by external id = %v, %v", got, err)
	}
	// The other way: a user made through identitystore is a SCIM user.
	out, err := ids.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: aws.String(s.StoreID), UserName: aws.String("apiuser"),
		DisplayName: aws.String("Api User"), Name: &types.Name{GivenName: aws.String("Api"), FamilyName: aws.String("User")}})
	if err != nil {
		t.Fatal(err)
	}
	if rs := resources(c.must(200, "GET", "/Users"+q(`userName eq "apiuser"`), nil)); len(rs) != 1 || rs[0]["id"] != aws.ToString(out.UserId) {
		t.Errorf("SCIM view of an identitystore user = %v", rs)
	}
	// Audit: SCIM's event source, and no password anywhere.
	var scimEvents []string
	err = s.App.Service.AuditEvents(ctx, service.AuditFilter{}, func(b json.RawMessage) error {
		if strings.Contains(string(b), "never-store-me") || strings.Contains(string(b), c.token) {
			t.Errorf("a secret reached the audit trail: %s", b)
		}
		var e struct{ EventSource, EventName string }
		if err := json.Unmarshal(b, &e); err != nil {
			return err
		}
		if e.EventSource == "identitystore-scim.amazonaws.com" {
			scimEvents = append(scimEvents, e.EventName)
		}
		return nil
	})
	if err != nil || strings.Join(scimEvents, ",") != "CreateUser,ListUsers" {
		t.Errorf("SCIM audit events = %v (%v), want CreateUser,ListUsers", scimEvents, err)
	}
}

// TestTenantIsolation gives a second instance its own token: neither token
// reaches the other instance's directory.
func TestTenantIsolation(t *testing.T) {
	s := atriumtest.Start(t)
	ctx := t.Context()
	second := org.Instance{ID: "ssoins-00000000000000b2", IdentityStoreID: "d-00000000b2", Name: "second", OwnerAccountID: "222233334444", Status: org.InstanceActive, CreatedAt: time.Now()}
	if err := s.App.Store.Write(ctx, func(tx store.Tx) error { return tx.CreateInstance(ctx, &second) }); err != nil {
		t.Fatal(err)
	}
	a := newClient(t, s)
	tokenB, _, err := s.App.Service.CreateSCIMToken(ctx, second.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := &client{t: t, base: s.URL + "/" + second.ID + "/scim/v2", token: tokenB}
	user := map[string]any{"userName": "same", "displayName": "Same", "name": map[string]any{"givenName": "S", "familyName": "Ame"}}
	idA := a.must(201, "POST", "/Users", user).body["id"].(string)
	idB := b.must(201, "POST", "/Users", user).body["id"].(string) // the same name is free in another instance
	if idA == idB {
		t.Fatal("two instances gave one id")
	}
	wantError(t, b.do("GET", "/Users/"+idA, nil), 404, "")
	wantError(t, a.do("GET", "/Users/"+idB, nil), 404, "")
	wantError(t, b.do("DELETE", "/Users/"+idA, nil), 404, "")
	wantError(t, b.do("PATCH", "/Users/"+idA, map[string]any{"Operations": []any{map[string]any{"op": "replace", "path": "title", "value": "x"}}}), 404, "")
	if r := b.must(200, "GET", "/Users", nil); r.body["totalResults"] != float64(1) {
		t.Errorf("instance B lists %v users, want 1", r.body["totalResults"])
	}
	// B's token on A's tenant path, and A's token on B's, are refused.
	wantError(t, (&client{t: t, base: s.URL + "/" + s.App.Bootstrap.Instance.ID + "/scim/v2", token: tokenB}).do("GET", "/Users", nil), 401, "")
	wantError(t, (&client{t: t, base: b.base, token: a.token}).do("GET", "/Users", nil), 401, "")
	// Membership across instances is refused.
	gB := b.must(201, "POST", "/Groups", map[string]any{"displayName": "G"}).body["id"].(string)
	r := b.do("PATCH", "/Groups/"+gB, map[string]any{"Operations": []any{map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": idA}}}}})
	wantError(t, r, 400, "invalidValue")
	if d, _ := r.body["detail"].(string); !strings.Contains(d, idA) {
		t.Errorf("detail %q does not name the member %s", d, idA)
	}
	if m, _ := b.must(200, "GET", "/Groups/"+gB, nil).body["members"].([]any); len(m) != 0 {
		t.Errorf("the refused PATCH left members: %v", m)
	}
}
