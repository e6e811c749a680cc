// Package scim is Atrium's SCIM 2.0 server (RFC 7643, RFC 7644): an adapter
// that turns each request into one call of the same identity service the
// identitystore API uses. It accepts what Microsoft Entra ID and Okta send,
// including their documented quirks.
package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/reqctx"
	"github.com/atriumhq/atrium/internal/service"
)

// MaxBody bounds a request body: a group with many thousands of members fits.
const MaxBody = 16 << 20

// Handler serves /scim/v2/… (the default instance) and
// /{tenant}/scim/v2/… (any instance: its id or identity store id).
type Handler struct {
	svc *service.Service
	log *slog.Logger
}

// New returns the SCIM handler.
func New(svc *service.Service, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{svc: svc, log: log}
}

// request is one SCIM request being served.
type request struct {
	w      http.ResponseWriter
	r      *http.Request
	base   string // absolute URL of the endpoint, e.g. http://host/scim/v2
	parts  []string
	tenant string
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	tenant := ""
	i := strings.Index(path, "/scim/v2")
	if i < 0 {
		h.writeErr(w, r, scimErr(404, "", "Not found."))
		return
	}
	if i > 0 {
		tenant = strings.Trim(path[:i], "/")
	}
	rest := strings.Trim(path[i+len("/scim/v2"):], "/")
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	q := &request{w: w, r: r, base: scheme + "://" + r.Host + path[:i+len("/scim/v2")], tenant: tenant}
	if rest != "" {
		q.parts = strings.Split(rest, "/")
	}

	// Authenticate with the bearer token.
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		token, ok = strings.CutPrefix(r.Header.Get("Authorization"), "bearer ")
	}
	ctx := r.Context()
	rq := *reqctx.RequestFrom(ctx)
	rq.Source = service.SourceSCIM
	ctx = reqctx.WithRequest(ctx, &rq)
	if err := h.svc.CheckAuthRate(ctx); err != nil {
		h.writeErr(w, r, err)
		return
	}
	caller, err := h.svc.AuthenticateSCIM(ctx, tenant, strings.TrimSpace(token))
	if !ok || err != nil {
		if err == nil || errs.KindOf(err) == errs.Unauthenticated {
			err = scimErr(401, "", "The bearer token is missing, invalid, expired or revoked.")
			w.Header().Set("WWW-Authenticate", `Bearer realm="scim"`)
		}
		h.svc.RecordRejected(ctx, service.SourceSCIM, eventName(r.Method, q.parts), r.Method == http.MethodGet, err)
		h.writeErr(w, r, err)
		return
	}
	ctx = reqctx.WithCaller(ctx, caller)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		h.writeErr(w, r, scimErr(413, "", "The request body is too large."))
		return
	}
	params := map[string]any{"tenantId": tenant}
	if len(bytes.TrimSpace(body)) > 0 {
		var v any
		if json.Unmarshal(body, &v) == nil {
			params["httpBody"] = v
		}
	}
	if pb, err := json.Marshal(params); err == nil {
		rq.Params = pb
	}
	r = r.WithContext(reqctx.WithRequest(ctx, &rq))
	q.r = r
	if err := h.route(q, body); err != nil {
		h.writeErr(w, r, err)
	}
}

// eventName names the audit event of a refused request.
func eventName(method string, parts []string) string {
	res := ""
	if len(parts) > 0 {
		res = strings.ToLower(parts[0])
	}
	one := len(parts) > 1
	switch res {
	case "users", "groups":
		kind := "User"
		if res == "groups" {
			kind = "Group"
		}
		switch {
		case method == http.MethodPost:
			return "Create" + kind
		case method == http.MethodPut:
			return "Put" + kind
		case method == http.MethodPatch:
			return "Patch" + kind
		case method == http.MethodDelete:
			return "Delete" + kind
		case one:
			return "Get" + kind
		}
		return "List" + kind + "s"
	case "schemas":
		return "ListSchemas"
	case "resourcetypes":
		return "ListResourceTypes"
	}
	return "GetServiceProviderConfig"
}

func (h *Handler) route(q *request, body []byte) error {
	m := q.r.Method
	if len(q.parts) == 0 {
		return scimErr(404, "", "Not found.")
	}
	res := strings.ToLower(q.parts[0])
	switch {
	case res == "users" || res == "groups":
		isUsers := res == "users"
		if len(q.parts) == 1 {
			switch m {
			case http.MethodGet:
				return h.list(q, isUsers, listParams(q.r))
			case http.MethodPost:
				if isUsers {
					return h.createUser(q, body)
				}
				return h.createGroup(q, body)
			}
			return scimErr(405, "", "Method %s is not allowed here.", m)
		}
		if len(q.parts) == 2 && q.parts[1] == ".search" && m == http.MethodPost {
			lp, err := searchParams(body)
			if err != nil {
				return err
			}
			return h.list(q, isUsers, lp)
		}
		if len(q.parts) != 2 {
			return scimErr(404, "", "Not found.")
		}
		id := q.parts[1]
		switch m {
		case http.MethodGet:
			if isUsers {
				return h.getUser(q, id)
			}
			return h.getGroup(q, id)
		case http.MethodPut:
			if isUsers {
				return h.putUser(q, id, body)
			}
			return h.putGroup(q, id, body)
		case http.MethodPatch:
			if isUsers {
				return h.patchUser(q, id, body)
			}
			return h.patchGroup(q, id, body)
		case http.MethodDelete:
			if isUsers {
				return h.done(q, h.svc.SCIMDeleteUser(q.r.Context(), id))
			}
			return h.done(q, h.svc.SCIMDeleteGroup(q.r.Context(), id))
		}
		return scimErr(405, "", "Method %s is not allowed here.", m)
	case res == "serviceproviderconfig" && m == http.MethodGet:
		return h.serviceProviderConfig(q)
	case res == "schemas" && m == http.MethodGet:
		return h.schemas(q)
	case res == "resourcetypes" && m == http.MethodGet:
		return h.resourceTypes(q)
	case res == "me", res == "bulk", res == ".search":
		return scimErr(501, "", "%s is not supported.", q.parts[0])
	}
	return scimErr(404, "", "Not found.")
}

func (h *Handler) done(q *request, err error) error {
	if err != nil {
		return err
	}
	q.w.WriteHeader(http.StatusNoContent)
	return nil
}

// writeJSON writes a SCIM response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = 500, []byte(`{"schemas":["`+ErrorSchema+`"],"status":"500","detail":"An internal error occurred."}`)
	}
	w.Header().Set("Content-Type", "application/scim+json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// status maps an error to its HTTP status and scimType (RFC 7644 §3.12).
func status(e *errs.Error) (int, string) {
	if s, ok := e.Fields["status"]; ok {
		n, _ := strconv.Atoi(s)
		return n, e.Fields["scimType"]
	}
	switch e.Kind {
	case errs.Invalid:
		if e.Code == "invalidCursor" || e.Code == "tooMany" || e.Code == "invalidValue" {
			return 400, e.Code
		}
		return 400, "invalidValue"
	case errs.NotFound:
		return 404, ""
	case errs.Conflict:
		if e.Code == "PreconditionFailed" {
			return 412, ""
		}
		if e.Fields["Reason"] == "CONCURRENT_MODIFICATION" {
			return 409, ""
		}
		return 409, "uniqueness"
	case errs.Denied:
		return 403, ""
	case errs.Unauthenticated:
		return 401, ""
	case errs.QuotaExceeded, errs.Throttled:
		return 429, ""
	}
	return 500, ""
}

func (h *Handler) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	e := errs.As(err)
	st, scimType := status(e)
	if st >= 500 {
		h.log.ErrorContext(r.Context(), "scim request failed", "error", e.Error())
	}
	body := map[string]any{"schemas": []string{ErrorSchema}, "status": strconv.Itoa(st), "detail": errs.Public(e)}
	if scimType != "" {
		body["scimType"] = scimType
	}
	writeJSON(w, st, body)
}

// decodeObject decodes a JSON object body.
func decodeObject(body []byte) (object, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var o object
	if err := d.Decode(&o); err != nil || o == nil {
		return nil, scimErr(400, "invalidSyntax", "The request body must be a JSON object.")
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, scimErr(400, "invalidSyntax", "The request body has data after the JSON object.")
	}
	return o, nil
}
