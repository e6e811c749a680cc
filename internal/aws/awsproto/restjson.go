package awsproto

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"time"

	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/reqctx"
)

// This file is the REST-JSON protocol (Access Analyzer): operations routed
// by method and path, with a JSON body and query parameters in, JSON out.

// RESTOperation is one operation of a REST-JSON service.
type RESTOperation struct {
	Method, Path string // e.g. "POST", "/policy/validation"
	Name         string // e.g. "ValidatePolicy"
	ReadOnly     bool
	Call         func(ctx context.Context, body []byte, query url.Values) (any, error)
}

// RESTOp makes an operation that decodes the JSON body into In, sets the
// fields tagged `query:"name"` from the query string (strings, integers and
// pointers to them), and calls fn.
func RESTOp[In any](method, path, name string, readOnly bool, fn func(ctx context.Context, in *In) (any, error)) RESTOperation {
	return RESTOperation{Method: method, Path: path, Name: name, ReadOnly: readOnly, Call: func(ctx context.Context, body []byte, query url.Values) (any, error) {
		in := new(In)
		if err := Decode(body, in); err != nil {
			return nil, &rejected{err}
		}
		if err := bindQuery(query, in); err != nil {
			return nil, &rejected{err}
		}
		return fn(ctx, in)
	}}
}

// bindQuery sets the fields of the struct v points to that carry a query
// tag.
func bindQuery(query url.Values, v any) *errs.Error {
	rv := reflect.ValueOf(v).Elem()
	t := rv.Type()
	for i := range t.NumField() {
		name := t.Field(i).Tag.Get("query")
		if name == "" || !query.Has(name) {
			continue
		}
		f := rv.Field(i)
		if f.Kind() == reflect.Pointer {
			p := reflect.New(f.Type().Elem())
			if err := setScalar(name, p.Elem(), query.Get(name)); err != nil {
				return err.WithCode("")
			}
			f.Set(p)
			continue
		}
		if err := setScalar(name, f, query.Get(name)); err != nil {
			return err.WithCode("")
		}
	}
	return nil
}

// RESTService is a service of the REST-JSON protocol.
type RESTService struct {
	SigningName string // e.g. "access-analyzer"
	EventSource string // e.g. "access-analyzer.amazonaws.com"
	Ops         []RESTOperation
}

type restRoute struct {
	svc *RESTService
	op  RESTOperation
}

// RESTHandler serves the operations of REST-JSON services.
type RESTHandler struct {
	hooks  Hooks
	routes map[string]restRoute // by "METHOD path"
}

// NewRESTHandler makes a handler for services.
func NewRESTHandler(h Hooks, services ...*RESTService) *RESTHandler {
	rh := &RESTHandler{routes: map[string]restRoute{}}
	for _, s := range services {
		for _, op := range s.Ops {
			key := op.Method + " " + op.Path
			if _, dup := rh.routes[key]; dup {
				panic("awsproto: REST route " + key + " served twice")
			}
			rh.routes[key] = restRoute{svc: s, op: op}
		}
	}
	if h.Now == nil {
		h.Now = time.Now
	}
	if h.Logger == nil {
		h.Logger = slog.New(slog.DiscardHandler)
	}
	rh.hooks = h
	return rh
}

// Handles reports whether r is a request for one of the operations.
func (h *RESTHandler) Handles(r *http.Request) bool {
	_, ok := h.routes[r.Method+" "+r.URL.Path]
	return ok
}

func (h *RESTHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.hooks.Now()
	ctx := r.Context()
	route, ok := h.routes[r.Method+" "+r.URL.Path]
	if !ok {
		WriteRESTError(ctx, w, h.hooks.Logger, errs.E(errs.NotFound, "awsproto", "No operation is served at this path."))
		return
	}
	svc, op := route.svc, route.op
	code := ""
	defer func() {
		if h.hooks.Observe != nil {
			h.hooks.Observe(svc.SigningName, op.Name, code, h.hooks.Now().Sub(start))
		}
	}()
	fail := func(err error, audit bool) {
		e := errs.As(err)
		if audit && h.hooks.Reject != nil {
			h.hooks.Reject(ctx, svc.EventSource, op.Name, op.ReadOnly, e)
		}
		code = WriteRESTError(ctx, w, h.hooks.Logger, e)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			fail(errs.Errorf(errs.Invalid, "awsproto", "The request body is larger than %d bytes.", MaxBody).WithCode("RequestEntityTooLargeException"), false)
			return
		}
		fail(errs.E(errs.Invalid, "awsproto", "The request body could not be read.").WithCode("SerializationException"), false)
		return
	}
	if h.hooks.AuthRate != nil {
		if err := h.hooks.AuthRate(ctx); err != nil {
			fail(err, false)
			return
		}
	}
	caller, err := Verify(ctx, r, body, svc.SigningName, h.hooks.Lookup, h.hooks.Now())
	if err != nil {
		fail(err, true)
		return
	}
	ctx = reqctx.WithCaller(ctx, caller)
	rq := *reqctx.RequestFrom(ctx)
	rq.Params = compactJSON(body)
	ctx = reqctx.WithRequest(ctx, &rq)
	out, err := op.Call(ctx, body, r.URL.Query())
	if err != nil {
		var rej *rejected
		fail(err, errors.As(err, &rej))
		return
	}
	code = "200"
	b, err := json.Marshal(out)
	if err != nil || out == nil {
		b = []byte("{}")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// restCodes translates the codes of the JSON 1.1 table that REST-JSON
// services name differently.
var restCodes = map[string]string{
	"SerializationException":    "ValidationException",
	"UnknownOperationException": "ValidationException",
}

// restReasons is the ValidationException reason of a code.
var restReasons = map[string]string{
	"SerializationException":    "cannotParse",
	"UnknownOperationException": "unknownOperation",
}

// WriteRESTError writes e as a REST-JSON error: the code in both
// x-amzn-ErrorType and __type, and the public message as "message". A
// ValidationException carries the "reason" its model requires. It returns
// the code. Internal errors are logged here, once.
func WriteRESTError(ctx context.Context, w http.ResponseWriter, log *slog.Logger, e *errs.Error) string {
	code, status := ErrorCode(e)
	if c, ok := restCodes[code]; ok {
		code = c
	}
	if e.Kind == errs.Internal || e.Kind == errs.Unavailable {
		log.ErrorContext(ctx, "request failed", "error", e.Error(), "code", code)
	} else {
		log.DebugContext(ctx, "request refused", "error", e.Error(), "code", code)
	}
	body := map[string]any{"__type": code, "message": errs.Public(e)}
	if code == "ValidationException" {
		reason := "fieldValidationFailed"
		if r, ok := restReasons[e.Code]; ok {
			reason = r
		} else if r := e.Fields["reason"]; r != "" {
			reason = r
		}
		body["reason"] = reason
	}
	if status == 500 || status == 429 {
		w.Header().Set("Retry-After", "1")
	}
	b, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", code)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return code
}
