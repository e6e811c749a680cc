package awsproto

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/atriumhq/atrium/internal/errs"
)

type restInput struct {
	Text  string `json:"text"`
	Limit *int   `json:"-" query:"maxResults"`
	Token string `json:"-" query:"nextToken"`
}

func newRESTHandler(rec *recorder) *RESTHandler {
	svc := &RESTService{SigningName: "access-analyzer", EventSource: "access-analyzer.amazonaws.com", Ops: []RESTOperation{
		RESTOp(http.MethodPost, "/echo", "Echo", true, func(ctx context.Context, in *restInput) (any, error) {
			if in.Text == "fail" {
				return nil, errs.E(errs.Invalid, "Echo", "Text may not be fail.")
			}
			limit := 0
			if in.Limit != nil {
				limit = *in.Limit
			}
			return map[string]any{"text": in.Text, "limit": limit, "token": in.Token}, nil
		}),
	}}
	return NewRESTHandler(Hooks{
		Lookup: testLookup,
		Now:    func() time.Time { return testNow },
		Reject: func(ctx context.Context, source, name string, readOnly bool, err error) {
			c, _ := ErrorCode(errs.As(err))
			rec.rejected = append(rec.rejected, rejection{source, name, c})
		},
		Observe: func(service, op, code string, d time.Duration) {
			rec.observed = append(rec.observed, service+" "+op+" "+code)
		},
	}, svc)
}

func restRequest(t *testing.T, method, target, body, signFor string, creds aws.Credentials) *http.Request {
	t.Helper()
	r := httptest.NewRequest(method, "http://127.0.0.1:1234"+target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if signFor != "" {
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), signFor, "us-east-1", testNow); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func TestRESTHandler(t *testing.T) {
	tests := []struct {
		name      string
		method    string
		target    string
		body      string
		signFor   string
		status    int
		wantBody  string
		errorType string
		rejected  []rejection
	}{
		{name: "call", method: "POST", target: "/echo?maxResults=5&nextToken=t", body: `{"text":"hi","unknown":1}`, signFor: "access-analyzer",
			status: 200, wantBody: `{"limit":5,"text":"hi","token":"t"}`},
		{name: "empty body", method: "POST", target: "/echo", signFor: "access-analyzer", status: 200, wantBody: `{"limit":0,"text":"","token":""}`},
		{name: "operation error", method: "POST", target: "/echo", body: `{"text":"fail"}`, signFor: "access-analyzer",
			status: 400, wantBody: `{"__type":"ValidationException","message":"Text may not be fail.","reason":"fieldValidationFailed"}`, errorType: "ValidationException"},
		{name: "not JSON", method: "POST", target: "/echo", body: `[1]`, signFor: "access-analyzer",
			status: 400, wantBody: `{"__type":"ValidationException","message":"The request body must be a JSON object.","reason":"cannotParse"}`, errorType: "ValidationException",
			rejected: []rejection{{"access-analyzer.amazonaws.com", "Echo", "SerializationException"}}},
		{name: "bad query parameter", method: "POST", target: "/echo?maxResults=x", signFor: "access-analyzer",
			status: 400, wantBody: `{"__type":"ValidationException","message":"Invalid value for parameter maxResults: expected an integer.","reason":"fieldValidationFailed"}`, errorType: "ValidationException",
			rejected: []rejection{{"access-analyzer.amazonaws.com", "Echo", "ValidationException"}}},
		{name: "signed for another service", method: "POST", target: "/echo", signFor: "iam",
			status: 403, wantBody: `{"__type":"InvalidSignatureException","message":"Credential should be scoped to correct service: 'access-analyzer'."}`, errorType: "InvalidSignatureException",
			rejected: []rejection{{"access-analyzer.amazonaws.com", "Echo", "InvalidSignatureException"}}},
		{name: "unsigned", method: "POST", target: "/echo",
			status: 403, wantBody: `{"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}`, errorType: "MissingAuthenticationTokenException",
			rejected: []rejection{{"access-analyzer.amazonaws.com", "Echo", "MissingAuthenticationTokenException"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			h := newRESTHandler(rec)
			r := restRequest(t, tt.method, tt.target, tt.body, tt.signFor, testCreds)
			if !h.Handles(r) {
				t.Fatalf("Handles(%s %s) = false", tt.method, tt.target)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status || w.Body.String() != tt.wantBody || w.Header().Get("x-amzn-ErrorType") != tt.errorType {
				t.Errorf("%s %s = %d %s %s, want %d %s %s", tt.method, tt.target, w.Code, w.Header().Get("x-amzn-ErrorType"), w.Body, tt.status, tt.errorType, tt.wantBody)
			}
			if !reflect.DeepEqual(rec.rejected, tt.rejected) {
				t.Errorf("%s %s audited refusals %v, want %v", tt.method, tt.target, rec.rejected, tt.rejected)
			}
			if len(rec.observed) != 1 || !strings.HasPrefix(rec.observed[0], "access-analyzer Echo ") {
				t.Errorf("%s %s observed %v", tt.method, tt.target, rec.observed)
			}
		})
	}
	h := newRESTHandler(&recorder{})
	for _, r := range []*http.Request{httptest.NewRequest("GET", "/echo", nil), httptest.NewRequest("POST", "/other", nil)} {
		if h.Handles(r) {
			t.Errorf("Handles(%s %s) = true, want false", r.Method, r.URL.Path)
		}
	}
}

func TestWriteRESTErrorGolden(t *testing.T) {
	tests := []struct {
		name string
		err  *errs.Error
	}{
		{"validation", errs.E(errs.Invalid, "op", "1 validation error detected.")},
		{"denied", errs.E(errs.Denied, "op", "User: x is not authorized.")},
		{"throttled", errs.E(errs.Throttled, "op", "Rate exceeded.")},
		{"internal", &errs.Error{Kind: errs.Internal, Op: "op", Err: errors.New("secret detail")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteRESTError(withRequestID(context.Background()), rec, slog.New(slog.DiscardHandler), tt.err)
			golden(t, "restjson/error-"+tt.name+".txt", dump(rec))
		})
	}
}
