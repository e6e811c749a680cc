package scim

import (
	"net/http"
	"strings"

	"github.com/atriumhq/atrium/internal/directory"
)

func (h *Handler) createGroup(q *request, body []byte) error {
	o, err := decodeObject(body)
	if err != nil {
		return err
	}
	g := &directory.Group{InstanceID: instanceOf(q)}
	members, err := groupFrom(o, g)
	if err != nil {
		return err
	}
	ng, err := h.svc.SCIMCreateGroup(q.r.Context(), g, sortedKeys(members))
	if err != nil {
		return err
	}
	respond(q, http.StatusCreated, groupJSON(ng, sortedKeys(members), true, q.base))
	return nil
}

// wantMembers reports whether a group response should list its members:
// not when the client excluded them (Entra ID always does).
func wantMembers(q *request) bool {
	ex := strings.ToLower(q.r.URL.Query().Get("excludedAttributes"))
	for _, a := range strings.Split(ex, ",") {
		if strings.TrimSpace(a) == "members" {
			return false
		}
	}
	if at := strings.TrimSpace(q.r.URL.Query().Get("attributes")); at != "" {
		for _, a := range strings.Split(strings.ToLower(at), ",") {
			if a = strings.TrimSpace(a); a == "members" || strings.HasPrefix(a, "members.") {
				return true
			}
		}
		return false
	}
	return true
}

func (h *Handler) getGroup(q *request, id string) error {
	with := wantMembers(q)
	g, members, err := h.svc.SCIMGetGroup(q.r.Context(), id, with)
	if err != nil {
		return err
	}
	if inm := q.r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, etag(g.Revision)) {
		q.w.Header().Set("ETag", etag(g.Revision))
		q.w.WriteHeader(http.StatusNotModified)
		return nil
	}
	respond(q, http.StatusOK, groupJSON(g, members, with, q.base))
	return nil
}

func (h *Handler) putGroup(q *request, id string, body []byte) error {
	o, err := decodeObject(body)
	if err != nil {
		return err
	}
	if v, ok := get(o, "id"); ok && v != nil {
		if s, _ := v.(string); s != id {
			return scimErr(400, "mutability", "The id in the body does not match the resource.")
		}
	}
	var final map[string]bool
	g, err := h.svc.SCIMUpdateGroup(q.r.Context(), id, q.r.Header.Get("If-Match"), true, func(g *directory.Group, members map[string]bool) error {
		want, err := groupFrom(o, g)
		if err != nil {
			return err
		}
		replaceSet(members, want)
		final = want
		return nil
	})
	if err != nil {
		return err
	}
	respond(q, http.StatusOK, groupJSON(g, sortedKeys(final), true, q.base))
	return nil
}

func replaceSet(dst, src map[string]bool) {
	for k := range dst {
		delete(dst, k)
	}
	for k := range src {
		dst[k] = true
	}
}

// patchGroup applies a PATCH to a group and its members in one
// transaction. It answers 204, as Entra ID asks, unless the client asked for
// attributes back.
func (h *Handler) patchGroup(q *request, id string, body []byte) error {
	req, err := decodePatch(body)
	if err != nil {
		return err
	}
	var final map[string]bool
	g, err := h.svc.SCIMUpdateGroup(q.r.Context(), id, q.r.Header.Get("If-Match"), false, func(g *directory.Group, members map[string]bool) error {
		o := groupJSON(g, sortedKeys(members), true, q.base)
		if err := applyPatch(o, id, req.Operations); err != nil {
			return err
		}
		want, err := groupFrom(o, g)
		if err != nil {
			return err
		}
		replaceSet(members, want)
		final = want
		return nil
	})
	if err != nil {
		return err
	}
	if q.r.URL.Query().Get("attributes") == "" {
		q.w.Header().Set("ETag", etag(g.Revision))
		q.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	respond(q, http.StatusOK, groupJSON(g, sortedKeys(final), true, q.base))
	return nil
}
