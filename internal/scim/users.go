package scim

import (
	"net/http"
	"strings"

	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/reqctx"
)

func instanceOf(q *request) string {
	if c := reqctx.CallerFrom(q.r.Context()); c != nil {
		return c.InstanceID
	}
	return ""
}

// respond writes a resource with its ETag and Location, honouring the
// attributes and excludedAttributes parameters.
func respond(q *request, status int, o object) {
	if m, ok := obj(o["meta"]); ok {
		if v, ok := m["version"].(string); ok {
			q.w.Header().Set("ETag", v)
		}
		if status == http.StatusCreated {
			if loc, ok := m["location"].(string); ok {
				q.w.Header().Set("Location", loc)
			}
		}
	}
	writeJSON(q.w, status, project(o, q.r.URL.Query().Get("attributes"), q.r.URL.Query().Get("excludedAttributes")))
}

func (h *Handler) createUser(q *request, body []byte) error {
	o, err := decodeObject(body)
	if err != nil {
		return err
	}
	u := &directory.User{InstanceID: instanceOf(q)}
	if err := userFrom(o, u); err != nil {
		return err
	}
	nu, err := h.svc.SCIMCreateUser(q.r.Context(), u)
	if err != nil {
		return err
	}
	respond(q, http.StatusCreated, userJSON(nu, nil, q.base))
	return nil
}

func (h *Handler) getUser(q *request, id string) error {
	u, groups, err := h.svc.SCIMGetUser(q.r.Context(), id)
	if err != nil {
		return err
	}
	o := userJSON(u, groups, q.base)
	if inm := q.r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, etag(u.Revision)) {
		q.w.Header().Set("ETag", etag(u.Revision))
		q.w.WriteHeader(http.StatusNotModified)
		return nil
	}
	respond(q, http.StatusOK, o)
	return nil
}

func (h *Handler) putUser(q *request, id string, body []byte) error {
	o, err := decodeObject(body)
	if err != nil {
		return err
	}
	if v, ok := get(o, "id"); ok && v != nil {
		if s, _ := v.(string); s != id {
			return scimErr(400, "mutability", "The id in the body does not match the resource.")
		}
	}
	u, err := h.svc.SCIMUpdateUser(q.r.Context(), id, q.r.Header.Get("If-Match"), true, func(u *directory.User) error {
		return userFrom(o, u)
	})
	if err != nil {
		return err
	}
	return h.userAfterWrite(q, u)
}

func (h *Handler) userAfterWrite(q *request, u *directory.User) error {
	respond(q, http.StatusOK, userJSON(u, nil, q.base))
	return nil
}

func (h *Handler) patchUser(q *request, id string, body []byte) error {
	req, err := decodePatch(body)
	if err != nil {
		return err
	}
	u, err := h.svc.SCIMUpdateUser(q.r.Context(), id, q.r.Header.Get("If-Match"), false, func(u *directory.User) error {
		o := userJSON(u, nil, q.base)
		if err := applyPatch(o, id, req.Operations); err != nil {
			return err
		}
		return userFrom(o, u)
	})
	if err != nil {
		return err
	}
	return h.userAfterWrite(q, u)
}

func decodePatch(body []byte) (*patchRequest, error) {
	o, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	opsV, _ := get(o, "Operations")
	ops := list(opsV)
	if len(ops) == 0 {
		return nil, scimErr(400, "invalidSyntax", "A PATCH request needs Operations.")
	}
	req := &patchRequest{}
	for _, e := range ops {
		m, ok := obj(e)
		if !ok {
			return nil, scimErr(400, "invalidSyntax", "Each operation must be an object.")
		}
		var p patchOp
		var err error
		if p.Op, err = str(m, "op"); err != nil {
			return nil, scimErr(400, "invalidSyntax", "op must be a string.")
		}
		if p.Path, err = str(m, "path"); err != nil {
			return nil, scimErr(400, "invalidPath", "path must be a string.")
		}
		if v, ok := get(m, "value"); ok && v != nil {
			if p.Value, err = marshal(v); err != nil {
				return nil, err
			}
		}
		req.Operations = append(req.Operations, p)
	}
	return req, nil
}
