package scim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/scim/filter"
	"github.com/atriumhq/atrium/internal/service"
)

// listing holds the parameters of a list or search request.
type listing struct {
	filter             string
	startIndex, count  int
	cursor             string
	useCursor          bool
	attributes, exAttr string
}

func atoiDefault(s string, def int) (int, bool) {
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil
}

func listParams(r *http.Request) listing {
	v := r.URL.Query()
	lp := listing{filter: v.Get("filter"), attributes: v.Get("attributes"), exAttr: v.Get("excludedAttributes")}
	lp.startIndex, _ = atoiDefault(v.Get("startIndex"), 1)
	lp.count, _ = atoiDefault(v.Get("count"), -1)
	if _, ok := v["cursor"]; ok {
		lp.useCursor, lp.cursor = true, v.Get("cursor")
	}
	return lp
}

// searchParams reads a POST …/.search body (RFC 7644 §3.4.3).
func searchParams(body []byte) (listing, error) {
	o, err := decodeObject(body)
	if err != nil {
		return listing{}, err
	}
	lp := listing{startIndex: 1, count: -1}
	if lp.filter, err = str(o, "filter"); err != nil {
		return lp, err
	}
	join := func(name string) (string, error) {
		v, _ := get(o, name)
		var parts []string
		for _, e := range list(v) {
			s, ok := e.(string)
			if !ok {
				return "", invalidValue("%s must be a list of strings.", name)
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ","), nil
	}
	if lp.attributes, err = join("attributes"); err != nil {
		return lp, err
	}
	if lp.exAttr, err = join("excludedAttributes"); err != nil {
		return lp, err
	}
	if v, ok := get(o, "startIndex"); ok {
		if n, ok := v.(json.Number); ok {
			i, _ := n.Int64()
			lp.startIndex = int(i)
		}
	}
	if v, ok := get(o, "count"); ok {
		if n, ok := v.(json.Number); ok {
			i, _ := n.Int64()
			lp.count = int(i)
		}
	}
	if v, ok := get(o, "cursor"); ok {
		lp.useCursor = true
		lp.cursor, _ = v.(string)
	}
	return lp, nil
}

func page(lp listing) service.SCIMPage {
	return service.SCIMPage{StartIndex: lp.startIndex, Count: lp.count, UseCursor: lp.useCursor, Cursor: lp.cursor}
}

// terms returns the comparisons of an and-only filter, or nil when the
// filter has any other shape.
func terms(e filter.Expr) []filter.Compare {
	switch t := e.(type) {
	case filter.Compare:
		return []filter.Compare{t}
	case filter.And:
		l, r := terms(t.L), terms(t.R)
		if l == nil || r == nil {
			return nil
		}
		return append(l, r...)
	}
	return nil
}

func pathIs(p filter.AttrPath, urn, attr, sub string) bool {
	if p.URN != "" && !strings.EqualFold(p.URN, urn) {
		return false
	}
	return strings.EqualFold(p.Attr, attr) && strings.EqualFold(p.Sub, sub)
}

func mentions(e filter.Expr, attr string) bool {
	return strings.Contains(strings.ToLower(e.String()), strings.ToLower(attr))
}

// userQuery plans a user filter: equality on an indexed attribute is
// answered by the store; anything else is matched resource by resource.
func userQuery(e filter.Expr, base string) service.SCIMUserQuery {
	var q service.SCIMUserQuery
	ts := terms(e)
	indexed := ts != nil
	for _, t := range ts {
		if t.Op != "eq" || t.Value.Kind != filter.String {
			indexed = false
			break
		}
		switch {
		case pathIs(t.Path, UserSchema, "userName", "") && q.UserName == "":
			q.UserName = t.Value.Str
		case pathIs(t.Path, UserSchema, "externalId", "") && q.ExternalID == "":
			q.ExternalID = t.Value.Str
		case pathIs(t.Path, UserSchema, "id", "") && q.ID == "":
			q.ID = t.Value.Str
		case (pathIs(t.Path, UserSchema, "groups", "value") || pathIs(t.Path, UserSchema, "groups", "")) && q.GroupID == "":
			q.GroupID = t.Value.Str
		default:
			indexed = false
		}
	}
	if !indexed {
		need := mentions(e, "groups")
		q = service.SCIMUserQuery{NeedGroups: need, Match: func(u *directory.User, groups []string) bool {
			return filter.Match(e, userJSON(u, groups, base), caseExact)
		}}
	}
	return q
}

// groupQuery plans a group filter like userQuery.
func groupQuery(e filter.Expr, base string) service.SCIMGroupQuery {
	var q service.SCIMGroupQuery
	ts := terms(e)
	indexed := ts != nil
	for _, t := range ts {
		if t.Op != "eq" || t.Value.Kind != filter.String {
			indexed = false
			break
		}
		switch {
		case pathIs(t.Path, GroupSchema, "displayName", "") && q.DisplayName == "":
			q.DisplayName = t.Value.Str
		case pathIs(t.Path, GroupSchema, "externalId", "") && q.ExternalID == "":
			q.ExternalID = t.Value.Str
		case pathIs(t.Path, GroupSchema, "id", "") && q.ID == "":
			q.ID = t.Value.Str
		case (pathIs(t.Path, GroupSchema, "members", "value") || pathIs(t.Path, GroupSchema, "members", "")) && q.MemberID == "":
			q.MemberID = t.Value.Str
		default:
			indexed = false
		}
	}
	if !indexed {
		need := mentions(e, "members")
		q = service.SCIMGroupQuery{NeedMembers: need, Match: func(g *directory.Group, members []string) bool {
			return filter.Match(e, groupJSON(g, members, need, base), caseExact)
		}}
	}
	return q
}

func (h *Handler) list(q *request, users bool, lp listing) error {
	var e filter.Expr
	if strings.TrimSpace(lp.filter) != "" {
		var err error
		if e, err = filter.Parse(lp.filter); err != nil {
			return scimErr(400, "invalidFilter", "%v", err)
		}
	}
	if lp.count > service.MaxSCIMPage {
		lp.count = service.MaxSCIMPage
	}
	ctx := q.r.Context()
	resources := []any{}
	var total, start int
	var next string
	if users {
		var uq service.SCIMUserQuery
		if e != nil {
			uq = userQuery(e, q.base)
		}
		withGroups := wantAttr(lp, "groups")
		out, err := h.svc.SCIMListUsers(ctx, uq, page(lp), withGroups)
		if err != nil {
			return err
		}
		for i := range out.Users {
			resources = append(resources, project(userJSON(&out.Users[i], out.Groups[out.Users[i].UserID], q.base), lp.attributes, lp.exAttr))
		}
		total, start, next = out.Total, out.StartIndex, out.NextCursor
	} else {
		var gq service.SCIMGroupQuery
		if e != nil {
			gq = groupQuery(e, q.base)
		}
		withMembers := wantAttr(lp, "members")
		out, err := h.svc.SCIMListGroups(ctx, gq, page(lp), withMembers)
		if err != nil {
			return err
		}
		for i := range out.Groups {
			g := &out.Groups[i]
			resources = append(resources, project(groupJSON(g, out.Members[g.GroupID], withMembers, q.base), lp.attributes, lp.exAttr))
		}
		total, start, next = out.Total, out.StartIndex, out.NextCursor
	}
	resp := object{"schemas": []string{ListSchema}, "totalResults": total, "itemsPerPage": len(resources), "startIndex": start, "Resources": resources}
	if next != "" {
		resp["nextCursor"] = next
	}
	writeJSON(q.w, http.StatusOK, resp)
	return nil
}

// wantAttr reports whether a listing should include an attribute that
// costs extra work (a user's groups, a group's members): yes unless
// excluded or left out of an explicit attributes list.
func wantAttr(lp listing, attr string) bool {
	for _, a := range strings.Split(lp.exAttr, ",") {
		if strings.EqualFold(strings.TrimSpace(a), attr) {
			return false
		}
	}
	if strings.TrimSpace(lp.attributes) == "" {
		return true
	}
	for _, a := range strings.Split(lp.attributes, ",") {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == strings.ToLower(attr) || strings.HasPrefix(a, strings.ToLower(attr)+".") {
			return true
		}
	}
	return false
}

// project applies attributes / excludedAttributes (RFC 7644 §3.9); id,
// schemas and meta.resourceType are always returned.
func project(o object, attributes, excluded string) object {
	if strings.TrimSpace(attributes) != "" {
		out := object{"schemas": o["schemas"], "id": o["id"]}
		for _, a := range strings.Split(attributes, ",") {
			a = strings.TrimSpace(a)
			if a == "" {
				continue
			}
			copyPath(out, o, a)
		}
		return out
	}
	for _, a := range strings.Split(excluded, ",") {
		a = strings.TrimSpace(a)
		if a == "" || strings.EqualFold(a, "id") || strings.EqualFold(a, "schemas") {
			continue
		}
		removePath(o, a)
	}
	return o
}

func splitAttr(a string) (container, attr, sub string) {
	if i := strings.LastIndex(a, ":"); i >= 0 && strings.HasPrefix(strings.ToLower(a), "urn:") {
		container, a = a[:i], a[i+1:]
	}
	attr, sub, _ = strings.Cut(a, ".")
	return
}

func copyPath(dst, src object, a string) {
	cont, attr, sub := splitAttr(a)
	from, to := src, dst
	if cont != "" && !strings.EqualFold(cont, UserSchema) && !strings.EqualFold(cont, GroupSchema) {
		ck := keyOf(src, cont)
		c, ok := obj(src[ck])
		if !ok {
			return
		}
		from = c
		t, ok := obj(dst[ck])
		if !ok {
			t = object{}
			dst[ck] = t
		}
		to = t
	}
	k := keyOf(from, attr)
	v, ok := from[k]
	if !ok {
		return
	}
	if sub == "" {
		to[k] = v
		return
	}
	switch t := v.(type) {
	case map[string]any:
		d, ok := obj(to[k])
		if !ok {
			d = object{}
			to[k] = d
		}
		if sv, ok := get(t, sub); ok {
			d[keyOf(t, sub)] = sv
		}
	case []any:
		out := make([]any, 0, len(t))
		for _, e := range t {
			if m, ok := obj(e); ok {
				if sv, ok := get(m, sub); ok {
					out = append(out, object{keyOf(m, sub): sv})
				}
			}
		}
		to[k] = out
	}
}

func removePath(o object, a string) {
	cont, attr, sub := splitAttr(a)
	c := o
	if cont != "" && !strings.EqualFold(cont, UserSchema) && !strings.EqualFold(cont, GroupSchema) {
		var ok bool
		if c, ok = obj(o[keyOf(o, cont)]); !ok {
			return
		}
	}
	k := keyOf(c, attr)
	if sub == "" {
		delete(c, k)
		return
	}
	switch t := c[k].(type) {
	case map[string]any:
		delete(t, keyOf(t, sub))
	case []any:
		for _, e := range t {
			if m, ok := obj(e); ok {
				delete(m, keyOf(m, sub))
			}
		}
	}
}

func marshal(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, scimErr(400, "invalidValue", "A value could not be read.")
	}
	return b, nil
}
