package awsproto

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/reqctx"
)

// This file is the awsQuery protocol of IAM and STS: a form-encoded
// Action=…&Version=… request (POST body, or the query of a GET), answered
// with XML.

// QueryOperation is one operation of a Query service.
type QueryOperation struct {
	ReadOnly bool
	Call     func(ctx context.Context, form url.Values) (any, error)
}

// QueryOp makes an operation that decodes the form into In (see
// DecodeQuery) and calls fn. fn's result is encoded as the operation's
// <…Result> element with encoding/xml.
func QueryOp[In any](readOnly bool, fn func(ctx context.Context, in *In) (any, error)) QueryOperation {
	return QueryOperation{ReadOnly: readOnly, Call: func(ctx context.Context, form url.Values) (any, error) {
		in := new(In)
		if err := DecodeQuery(form, in); err != nil {
			return nil, &rejected{err}
		}
		if b, err := json.Marshal(in); err == nil {
			rq := *reqctx.RequestFrom(ctx)
			rq.Params = b
			ctx = reqctx.WithRequest(ctx, &rq)
		}
		return fn(ctx, in)
	}}
}

// QueryService is a service of the awsQuery protocol.
type QueryService struct {
	SigningName string // e.g. "iam"
	EventSource string // e.g. "iam.amazonaws.com"
	Namespace   string // XML namespace, e.g. "https://iam.amazonaws.com/doc/2010-05-08/"
	Version     string // API version, e.g. "2010-05-08"
	Ops         map[string]QueryOperation
}

// QueryHandler serves several Query services on one endpoint, choosing the
// service by the Action parameter.
type QueryHandler struct {
	hooks    Hooks
	byAction map[string]*QueryService
	byName   map[string]*QueryService
	fallback *QueryService // names errors when no service can be told
}

// NewQueryHandler makes a handler for services. Action names must be
// unique across them.
func NewQueryHandler(h Hooks, services ...*QueryService) *QueryHandler {
	q := &QueryHandler{byAction: map[string]*QueryService{}, byName: map[string]*QueryService{}}
	for _, s := range services {
		for name := range s.Ops {
			if _, dup := q.byAction[name]; dup {
				panic("awsproto: Query action " + name + " served twice")
			}
			q.byAction[name] = s
		}
		q.byName[s.SigningName] = s
		if q.fallback == nil {
			q.fallback = s
		}
	}
	if h.Now == nil {
		h.Now = time.Now
	}
	if h.Logger == nil {
		h.Logger = slog.New(slog.DiscardHandler)
	}
	q.hooks = h
	return q
}

// Handles reports whether r is a Query request: a POST of a form, or a GET
// with an Action, to the root, without X-Amz-Target.
func (q *QueryHandler) Handles(r *http.Request) bool {
	if r.URL.Path != "/" || Target(r) != "" {
		return false
	}
	switch r.Method {
	case http.MethodPost:
		ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
		return strings.EqualFold(strings.TrimSpace(ct), "application/x-www-form-urlencoded")
	case http.MethodGet:
		return r.URL.Query().Has("Action")
	}
	return false
}

func (q *QueryHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := q.hooks.Now()
	ctx := r.Context()
	var svc *QueryService
	action, code := "", ""
	defer func() {
		if q.hooks.Observe != nil && svc != nil {
			label := action
			if _, known := svc.Ops[action]; !known {
				label = "unknown" // bounded label values, whatever clients send
			}
			q.hooks.Observe(svc.SigningName, label, code, q.hooks.Now().Sub(start))
		}
	}()
	fail := func(err error, readOnly, audit bool) {
		e := errs.As(err)
		s := svc
		if s == nil {
			s = q.fallback
		}
		if audit && q.hooks.Reject != nil {
			name := action
			if _, known := s.Ops[action]; !known {
				name = "unknown"
			}
			q.hooks.Reject(ctx, s.EventSource, name, readOnly, e)
		}
		code = WriteQueryError(ctx, w, q.hooks.Logger, s.Namespace, e)
	}
	var body []byte
	if r.Method == http.MethodPost {
		var err error
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				fail(errs.Errorf(errs.Invalid, "awsproto", "The request body is larger than %d bytes.", MaxBody).WithCode("RequestEntityTooLargeException"), false, false)
				return
			}
			fail(errs.E(errs.Invalid, "awsproto", "The request body could not be read.").WithCode("MalformedQueryString"), false, false)
			return
		}
	}
	raw := string(body)
	if r.Method == http.MethodGet {
		raw = r.URL.RawQuery
	}
	form, perr := url.ParseQuery(raw)
	action = form.Get("Action")
	svc = q.byAction[action]
	if svc == nil {
		// The action names no service: audit the refusal under the service
		// the request was signed for, once the signature holds.
		svc = q.byName[signedService(r)]
		if svc == nil {
			fail(unknownAction(action), false, false)
			return
		}
	}
	op, known := svc.Ops[action]
	if q.hooks.AuthRate != nil {
		if err := q.hooks.AuthRate(ctx); err != nil {
			fail(err, op.ReadOnly, false)
			return
		}
	}
	caller, err := Verify(ctx, r, body, svc.SigningName, q.hooks.Lookup, q.hooks.Now())
	if err != nil {
		fail(err, op.ReadOnly, true)
		return
	}
	ctx = reqctx.WithCaller(ctx, caller)
	switch {
	case perr != nil:
		fail(errs.E(errs.Invalid, "awsproto", "The request parameters are not a valid form encoding.").WithCode("MalformedQueryString"), op.ReadOnly, true)
		return
	case !known:
		fail(unknownAction(action), false, true)
		return
	case form.Has("Version") && form.Get("Version") != svc.Version:
		fail(errs.Errorf(errs.Invalid, "awsproto", "Could not find operation %s for version %s.", action, form.Get("Version")).WithCode("InvalidAction"), op.ReadOnly, true)
		return
	}
	out, err := op.Call(ctx, form)
	if err != nil {
		var rej *rejected
		fail(err, op.ReadOnly, errors.As(err, &rej))
		return
	}
	code = "200"
	WriteQueryResult(ctx, w, svc.Namespace, action, out)
}

func unknownAction(action string) *errs.Error {
	if action == "" {
		return errs.E(errs.Invalid, "awsproto", "The request must contain the parameter Action.").WithCode("InvalidAction")
	}
	return errs.Errorf(errs.Invalid, "awsproto", "The action %s is not valid for this web service.", truncate(action, 64)).WithCode("InvalidAction")
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// signedService returns the service named by r's SigV4 credential scope,
// or "".
func signedService(r *http.Request) string {
	var sig *signature
	var err error
	if h := r.Header.Get("Authorization"); h != "" {
		sig, err = parseAuthorization(h)
	} else {
		sig, err = parsePresigned(r.URL.Query())
	}
	if err != nil {
		return ""
	}
	return sig.service
}

// WriteQueryResult writes out as the XML response of action:
// <ActionResponse xmlns=ns><ActionResult>…</ActionResult><ResponseMetadata>…
func WriteQueryResult(ctx context.Context, w http.ResponseWriter, ns, action string, out any) {
	var b bytes.Buffer
	b.WriteString("<" + action + `Response xmlns="`)
	_ = xml.EscapeText(&b, []byte(ns))
	b.WriteString(`">`)
	if out != nil {
		enc := xml.NewEncoder(&b)
		if err := enc.EncodeElement(out, xml.StartElement{Name: xml.Name{Local: action + "Result"}}); err != nil {
			WriteQueryError(ctx, w, slog.New(slog.DiscardHandler), ns, errs.As(errs.Wrap("awsproto.WriteQueryResult", err)))
			return
		}
		_ = enc.Flush()
	}
	b.WriteString("<ResponseMetadata><RequestId>")
	_ = xml.EscapeText(&b, []byte(reqctx.RequestFrom(ctx).ID))
	b.WriteString("</RequestId></ResponseMetadata></" + action + "Response>")
	writeXML(w, http.StatusOK, b.Bytes())
}

func writeXML(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// queryKindCodes maps an error kind to the Query error code of IAM and STS
// and its HTTP status.
var queryKindCodes = map[errs.Kind]struct {
	code   string
	status int
}{
	errs.Invalid:         {"InvalidInput", 400},
	errs.NotFound:        {"NoSuchEntity", 404},
	errs.Conflict:        {"EntityAlreadyExists", 409},
	errs.Denied:          {"AccessDenied", 403},
	errs.Unauthenticated: {"InvalidClientTokenId", 403},
	errs.Throttled:       {"Throttling", 400},
	errs.QuotaExceeded:   {"LimitExceeded", 409},
	errs.Unavailable:     {"ServiceUnavailable", 503},
	errs.Internal:        {"ServiceFailure", 500},
}

// queryCodes maps the codes that refine a kind (the AWS exception names the
// rest of Atrium uses, and Query's own codes) to the Query code and status.
var queryCodes = map[string]struct {
	code   string
	status int
}{
	"MissingAuthenticationTokenException": {"MissingAuthenticationToken", 403},
	"UnrecognizedClientException":         {"InvalidClientTokenId", 403},
	"InvalidSignatureException":           {"SignatureDoesNotMatch", 403},
	"SignatureDoesNotMatch":               {"SignatureDoesNotMatch", 403},
	"IncompleteSignatureException":        {"IncompleteSignature", 400},
	"SerializationException":              {"MalformedQueryString", 400},
	"MalformedQueryString":                {"MalformedQueryString", 400},
	"UnknownOperationException":           {"InvalidAction", 400},
	"InvalidAction":                       {"InvalidAction", 400},
	"RequestEntityTooLargeException":      {"RequestEntityTooLarge", 413},
	"InvalidInputException":               {"InvalidInput", 400},
	"MalformedPolicyDocumentException":    {"MalformedPolicyDocument", 400},
	"NoSuchEntityException":               {"NoSuchEntity", 404},
	"EntityAlreadyExistsException":        {"EntityAlreadyExists", 409},
	"LimitExceededException":              {"LimitExceeded", 409},
	"DeleteConflictException":             {"DeleteConflict", 409},
	"ValidationError":                     {"ValidationError", 400},
	"PolicyEvaluationException":           {"PolicyEvaluation", 500},
}

// QueryErrorCode returns the Query error code and HTTP status of e.
func QueryErrorCode(e *errs.Error) (string, int) {
	if c, ok := queryCodes[e.Code]; ok {
		return c.code, c.status
	}
	kc := queryKindCodes[e.Kind]
	return kc.code, kc.status
}

// WriteQueryError writes e as a Query error response in namespace ns and
// returns its code. Internal errors are logged here, once.
func WriteQueryError(ctx context.Context, w http.ResponseWriter, log *slog.Logger, ns string, e *errs.Error) string {
	code, status := QueryErrorCode(e)
	if e.Kind == errs.Internal || e.Kind == errs.Unavailable {
		log.ErrorContext(ctx, "request failed", "error", e.Error(), "code", code)
	} else {
		log.DebugContext(ctx, "request refused", "error", e.Error(), "code", code)
	}
	typ := "Sender"
	if status >= 500 {
		typ = "Receiver"
	}
	var b bytes.Buffer
	b.WriteString(`<ErrorResponse xmlns="`)
	_ = xml.EscapeText(&b, []byte(ns))
	b.WriteString(`"><Error><Type>` + typ + `</Type><Code>` + code + `</Code><Message>`)
	_ = xml.EscapeText(&b, []byte(errs.Public(e)))
	b.WriteString(`</Message></Error><RequestId>`)
	_ = xml.EscapeText(&b, []byte(reqctx.RequestFrom(ctx).ID))
	b.WriteString(`</RequestId></ErrorResponse>`)
	if status == 500 || status == 503 || code == "Throttling" {
		w.Header().Set("Retry-After", "1")
	}
	writeXML(w, status, b.Bytes())
	return code
}

// Members is a list that encodes as awsQuery XML does: one <member> element
// per item inside the list's element. An empty list encodes as an empty
// element; tag the field omitempty to leave it out instead.
type Members[T any] []T

// MarshalXML implements xml.Marshaler.
func (m Members[T]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	member := xml.StartElement{Name: xml.Name{Local: "member"}}
	for i := range m {
		if err := e.EncodeElement(m[i], member); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// Entry is one entry of a map.
type Entry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

// Entries is a map that encodes as awsQuery XML does:
// <entry><key>…</key><value>…</value></entry>, in order.
type Entries []Entry

// MarshalXML implements xml.Marshaler.
func (m Entries) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	entry := xml.StartElement{Name: xml.Name{Local: "entry"}}
	for i := range m {
		if err := e.EncodeElement(m[i], entry); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// maxQueryDepth bounds the nesting of structures DecodeQuery follows.
const maxQueryDepth = 8

// DecodeQuery decodes awsQuery parameters into the struct v points to.
// A field takes the parameter named by its `query` tag, or by its name.
// The fields of an embedded structure are the outer one's.
// Strings, integers, booleans and pointers to them take one value; a slice
// takes the list Name.member.1, Name.member.2, … (in index order; gaps are
// skipped, and "Name=" alone is an empty list); a structure takes
// Name.Field, and a structure in a list Name.member.N.Field. Unknown
// parameters are ignored. A value of the wrong type is an InvalidInput
// error naming the parameter.
func DecodeQuery(form url.Values, v any) *errs.Error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return errs.E(errs.Internal, "awsproto.DecodeQuery", "")
	}
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	d := queryDecoder{form: form, keys: keys}
	return d.structure("", rv.Elem(), 0)
}

type queryDecoder struct {
	form url.Values
	keys []string // sorted, for prefix scans
}

func invalidParam(name, msg string) *errs.Error {
	return errs.Errorf(errs.Invalid, "awsproto.DecodeQuery", "Invalid value for parameter %s: %s", truncate(name, 256), msg).WithCode("InvalidInputException")
}

func (d *queryDecoder) structure(prefix string, v reflect.Value, depth int) *errs.Error {
	if depth > maxQueryDepth {
		return nil
	}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			// An embedded structure's fields are the outer one's.
			if err := d.structure(prefix, v.Field(i), depth); err != nil {
				return err
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag := f.Tag.Get("query"); tag != "" {
			if tag == "-" {
				continue
			}
			name = tag
		}
		if err := d.value(prefix+name, v.Field(i), depth); err != nil {
			return err
		}
	}
	return nil
}

// has reports whether any parameter is name or starts with name + ".".
func (d *queryDecoder) has(name string) bool {
	i, found := slices.BinarySearch(d.keys, name)
	if found {
		return true
	}
	return i < len(d.keys) && strings.HasPrefix(d.keys[i], name+".")
}

func (d *queryDecoder) value(name string, v reflect.Value, depth int) *errs.Error {
	switch v.Kind() {
	case reflect.Pointer:
		if !d.has(name) {
			return nil
		}
		p := reflect.New(v.Type().Elem())
		if err := d.value(name, p.Elem(), depth); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Struct:
		if !d.has(name) {
			return nil
		}
		return d.structure(name+".", v, depth+1)
	case reflect.Slice:
		return d.list(name, v, depth)
	}
	vals, ok := d.form[name]
	if !ok || len(vals) == 0 {
		return nil
	}
	return setScalar(name, v, vals[0])
}

func setScalar(name string, v reflect.Value, s string) *errs.Error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, v.Type().Bits())
		if err != nil {
			return invalidParam(name, "expected an integer.")
		}
		v.SetInt(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return invalidParam(name, "expected true or false.")
		}
		v.SetBool(b)
	default:
		return errs.Errorf(errs.Internal, "awsproto.DecodeQuery", "unsupported field kind %s", v.Kind())
	}
	return nil
}

// list decodes Name.member.N entries.
func (d *queryDecoder) list(name string, v reflect.Value, depth int) *errs.Error {
	prefix := name + ".member."
	i, _ := slices.BinarySearch(d.keys, prefix)
	var idx []int
	for ; i < len(d.keys) && strings.HasPrefix(d.keys[i], prefix); i++ {
		rest := d.keys[i][len(prefix):]
		num, _, _ := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 || num[0] == '0' || num[0] == '+' {
			return invalidParam(name+".member."+num, "list members are numbered from 1.")
		}
		if len(idx) == 0 || idx[len(idx)-1] != n {
			idx = append(idx, n)
		}
	}
	// Keys sort as strings ("10" < "2"): put the indexes in numeric order.
	slices.Sort(idx)
	idx = slices.Compact(idx)
	if len(idx) == 0 {
		if _, empty := d.form[name]; empty {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		}
		return nil
	}
	s := reflect.MakeSlice(v.Type(), len(idx), len(idx))
	for j, n := range idx {
		if err := d.value(prefix+strconv.Itoa(n), s.Index(j), depth+1); err != nil {
			return err
		}
	}
	v.Set(s)
	return nil
}
