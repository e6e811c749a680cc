package awsproto_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/smithy-go"

	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/aws/awsproto"
	"github.com/atriumhq/atrium/internal/service"
)

const listUsers = "AWSIdentityStore.ListUsers"

func sha256Hex(b string) string {
	sum := sha256.Sum256([]byte(b))
	return hex.EncodeToString(sum[:])
}

// request is a raw awsJson 1.1 request to the server, before signing.
type request struct {
	method  string // default POST
	target  string
	body    string
	headers map[string]string
}

func (q request) build(t *testing.T, s *atriumtest.Server) *http.Request {
	t.Helper()
	method := q.method
	if method == "" {
		method = http.MethodPost
	}
	r, err := http.NewRequest(method, s.URL+"/", strings.NewReader(q.body))
	if err != nil {
		t.Fatalf("NewRequest: %v", err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if q.target != "" {
		r.Header.Set("X-Amz-Target", q.target)
	}
	for k, v := range q.headers {
		r.Header.Set(k, v)
	}
	return r
}

// signing says how to sign a request; the zero value signs as the
// administrator, for identitystore in us-east-1, now.
type signing struct {
	creds   *aws.Credentials
	service string
	region  *string
	at      time.Duration // added to now
	hash    string        // default: of the body
}

func (sg signing) sign(t *testing.T, s *atriumtest.Server, r *http.Request, body string) {
	t.Helper()
	creds, svc, region, hash := s.Credentials, "identitystore", "us-east-1", sha256Hex(body)
	if sg.creds != nil {
		creds = *sg.creds
	}
	if sg.service != "" {
		svc = sg.service
	}
	if sg.region != nil {
		region = *sg.region
	}
	if sg.hash != "" {
		hash = sg.hash
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hash, svc, region, time.Now().Add(sg.at)); err != nil {
		t.Fatalf("SignHTTP: %v", err)
	}
}

// presign presigns r for identitystore, signing its host and headers (which
// stay headers, as a JSON 1.1 service takes its target in the header).
func presign(t *testing.T, s *atriumtest.Server, r *http.Request, body string, at time.Duration, expires time.Duration) *http.Request {
	t.Helper()
	if expires > 0 {
		q := r.URL.Query()
		q.Set("X-Amz-Expires", strconv.Itoa(int(expires/time.Second)))
		r.URL.RawQuery = q.Encode()
	}
	signed, _, err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableHeaderHoisting = true }).
		PresignHTTP(context.Background(), s.Credentials, r, sha256Hex(body), "identitystore", "us-east-1", time.Now().Add(at))
	if err != nil {
		t.Fatalf("PresignHTTP: %v", err)
	}
	out, err := http.NewRequest(r.Method, signed, strings.NewReader(body))
	if err != nil {
		t.Fatalf("NewRequest(%s): %v", signed, err)
	}
	out.Header = r.Header.Clone()
	return out
}

// response is what the server answered.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func mustDo(t *testing.T, r *http.Request) response {
	t.Helper()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	out := response{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	_ = json.Unmarshal(b, &out.body)
	return out
}

// auditEvents returns the audit events of request id.
func auditEvents(t *testing.T, s *atriumtest.Server, requestID string) []map[string]any {
	t.Helper()
	var out []map[string]any
	err := s.App.Service.AuditEvents(context.Background(), service.AuditFilter{}, func(ev json.RawMessage) error {
		var m map[string]any
		if err := json.Unmarshal(ev, &m); err != nil {
			return err
		}
		if m["requestID"] == requestID {
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("AuditEvents: %v", err)
	}
	return out
}

// checkRefused checks an AWS error response and, when audited, its one
// audit event.
func checkRefused(t *testing.T, s *atriumtest.Server, got response, status int, code, msg string, audited bool) {
	t.Helper()
	if got.status != status {
		t.Errorf("status = %d, want %d (body %s)", got.status, status, got.raw)
	}
	if h := got.header.Get("x-amzn-ErrorType"); h != code {
		t.Errorf("x-amzn-ErrorType = %q, want %q", h, code)
	}
	if typ := got.body["__type"]; typ != code {
		t.Errorf("__type = %v, want %q (body %s)", typ, code, got.raw)
	}
	if m, _ := got.body["Message"].(string); !strings.Contains(m, msg) {
		t.Errorf("Message = %q, want it to contain %q", m, msg)
	}
	id := got.header.Get("x-amzn-RequestId")
	if id == "" {
		t.Fatalf("x-amzn-RequestId is missing")
	}
	evs := auditEvents(t, s, id)
	if !audited {
		if len(evs) != 0 {
			t.Errorf("audit events of request %s = %v, want none", id, evs)
		}
		return
	}
	if len(evs) != 1 {
		t.Fatalf("audit events of request %s = %d, want 1", id, len(evs))
	}
	if ec := evs[0]["errorCode"]; ec != code {
		t.Errorf("audit errorCode = %v, want %q", ec, code)
	}
	if em, _ := evs[0]["errorMessage"].(string); !strings.Contains(em, msg) {
		t.Errorf("audit errorMessage = %q, want it to contain %q", em, msg)
	}
}

func TestSignatureRefusals(t *testing.T) {
	s := atriumtest.Start(t)
	body := `{"IdentityStoreId":"` + s.StoreID + `"}`
	wrongSecret := aws.Credentials{AccessKeyID: s.Credentials.AccessKeyID, SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	unknownKey := aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: s.Credentials.SecretAccessKey}
	withToken := s.Credentials
	withToken.SessionToken = "FwoGZXIvYXdzEforged"
	signed := func(sg signing) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r := request{target: listUsers, body: body}.build(t, s)
			sg.sign(t, s, r, body)
			return r
		}
	}
	// withAuth signs the request, then replaces its Authorization header.
	withAuth := func(edit func(string) string) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r := request{target: listUsers, body: body}.build(t, s)
			signing{}.sign(t, s, r, body)
			r.Header.Set("Authorization", edit(r.Header.Get("Authorization")))
			return r
		}
	}
	withQuery := func(r *http.Request, k, v string) *http.Request {
		q := r.URL.Query()
		q.Set(k, v)
		r.URL.RawQuery = q.Encode()
		return r
	}
	tests := []struct {
		name   string
		req    func(t *testing.T) *http.Request
		status int
		code   string
		msg    string
	}{
		{
			name:   "unsigned",
			req:    func(t *testing.T) *http.Request { return request{target: listUsers, body: body}.build(t, s) },
			status: 403, code: "MissingAuthenticationTokenException", msg: "Missing Authentication Token",
		},
		{
			name:   "wrong secret",
			req:    signed(signing{creds: &wrongSecret}),
			status: 403, code: "InvalidSignatureException", msg: "does not match",
		},
		{
			name:   "unknown access key",
			req:    signed(signing{creds: &unknownKey}),
			status: 403, code: "UnrecognizedClientException", msg: "security token included in the request is invalid",
		},
		{
			name:   "signed 20 minutes ago",
			req:    signed(signing{at: -20 * time.Minute}),
			status: 403, code: "InvalidSignatureException", msg: "Signature expired",
		},
		{
			name:   "signed 20 minutes in the future",
			req:    signed(signing{at: 20 * time.Minute}),
			status: 403, code: "InvalidSignatureException", msg: "Signature not yet current",
		},
		{
			name: "body changed after signing",
			req: func(t *testing.T) *http.Request {
				r := request{target: listUsers, body: body}.build(t, s)
				signing{}.sign(t, s, r, `{"IdentityStoreId":"d-0000000000"}`)
				return r
			},
			status: 403, code: "InvalidSignatureException", msg: "does not match",
		},
		{
			name:   "signing name sso on an identitystore target",
			req:    signed(signing{service: "sso"}),
			status: 403, code: "InvalidSignatureException", msg: "Credential should be scoped to correct service: 'identitystore'.",
		},
		{
			name: "signing name identitystore on an sso-admin target",
			req: func(t *testing.T) *http.Request {
				r := request{target: "SWBExternalService.ListInstances", body: "{}"}.build(t, s)
				signing{}.sign(t, s, r, "{}")
				return r
			},
			status: 403, code: "InvalidSignatureException", msg: "'sso'",
		},
		{
			name:   "Authorization without Signature",
			req:    withAuth(func(a string) string { i := strings.Index(a, ", Signature="); return a[:i] }),
			status: 400, code: "IncompleteSignatureException", msg: "Signature",
		},
		{
			name: "Authorization without Credential",
			req: withAuth(func(a string) string {
				i, j := strings.Index(a, "Credential="), strings.Index(a, "SignedHeaders=")
				return a[:i] + a[j:]
			}),
			status: 400, code: "IncompleteSignatureException", msg: "Credential",
		},
		{
			name:   "Authorization with another algorithm",
			req:    withAuth(func(a string) string { return strings.Replace(a, "AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256", 1) }),
			status: 400, code: "IncompleteSignatureException", msg: "AWS4-HMAC-SHA256",
		},
		{
			name:   "Credential with 4 parts",
			req:    withAuth(func(a string) string { return strings.Replace(a, "/us-east-1/", "/", 1) }),
			status: 400, code: "IncompleteSignatureException", msg: "Credential should be scoped",
		},
		{
			name: "X-Amz-Content-Sha256 not of the body",
			req: func(t *testing.T) *http.Request {
				r := request{target: listUsers, body: body, headers: map[string]string{"X-Amz-Content-Sha256": sha256Hex("{}")}}.build(t, s)
				signing{hash: sha256Hex("{}")}.sign(t, s, r, body)
				return r
			},
			status: 403, code: "InvalidSignatureException", msg: "x-amz-content-sha256",
		},
		{
			name:   "session token on a long-term key",
			req:    signed(signing{creds: &withToken}),
			status: 403, code: "UnrecognizedClientException", msg: "security token",
		},
		{
			name: "presigned and expired",
			req: func(t *testing.T) *http.Request {
				return presign(t, s, request{target: listUsers, body: body}.build(t, s), body, -2*time.Minute, time.Minute)
			},
			status: 403, code: "InvalidSignatureException", msg: "Signature expired",
		},
		{
			name: "presigned, body changed",
			req: func(t *testing.T) *http.Request {
				r := presign(t, s, request{target: listUsers, body: body}.build(t, s), body, 0, 0)
				tampered := `{"IdentityStoreId":"d-0000000000"}`
				r.Body, r.ContentLength = io.NopCloser(strings.NewReader(tampered)), int64(len(tampered))
				return r
			},
			status: 403, code: "InvalidSignatureException", msg: "does not match",
		},
		{
			name: "presigned, bad signature",
			req: func(t *testing.T) *http.Request {
				r := presign(t, s, request{target: listUsers, body: body}.build(t, s), body, 0, 0)
				return withQuery(r, "X-Amz-Signature", strings.Repeat("ab", 32))
			},
			status: 403, code: "InvalidSignatureException", msg: "does not match",
		},
		{
			name: "presigned, expiry extended",
			req: func(t *testing.T) *http.Request {
				r := presign(t, s, request{target: listUsers, body: body}.build(t, s), body, -2*time.Minute, time.Minute)
				return withQuery(r, "X-Amz-Expires", "900")
			},
			status: 403, code: "InvalidSignatureException", msg: "does not match",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustDo(t, tt.req(t))
			checkRefused(t, s, got, tt.status, tt.code, tt.msg, true)
		})
	}
}

func TestSignatureAccepted(t *testing.T) {
	s := atriumtest.Start(t)
	body := `{"IdentityStoreId":"` + s.StoreID + `"}`
	empty, euWest := "", "eu-west-1"
	tests := []struct {
		name string
		req  func(t *testing.T) *http.Request
	}{
		{
			name: "signed for us-east-1",
			req: func(t *testing.T) *http.Request {
				r := request{target: listUsers, body: body}.build(t, s)
				signing{}.sign(t, s, r, body)
				return r
			},
		},
		{
			name: "signed for eu-west-1",
			req: func(t *testing.T) *http.Request {
				r := request{target: listUsers, body: body}.build(t, s)
				signing{region: &euWest}.sign(t, s, r, body)
				return r
			},
		},
		{
			name: "signed with an empty region",
			req: func(t *testing.T) *http.Request {
				r := request{target: listUsers, body: body}.build(t, s)
				signing{region: &empty}.sign(t, s, r, body)
				return r
			},
		},
		{
			name: "signed 10 minutes ago",
			req: func(t *testing.T) *http.Request {
				r := request{target: listUsers, body: body}.build(t, s)
				signing{at: -10 * time.Minute}.sign(t, s, r, body)
				return r
			},
		},
		{
			name: "with a matching X-Amz-Content-Sha256",
			req: func(t *testing.T) *http.Request {
				r := request{target: listUsers, body: body, headers: map[string]string{"X-Amz-Content-Sha256": sha256Hex(body)}}.build(t, s)
				signing{}.sign(t, s, r, body)
				return r
			},
		},
		{
			name: "presigned",
			req: func(t *testing.T) *http.Request {
				return presign(t, s, request{target: listUsers, body: body}.build(t, s), body, -time.Minute, 5*time.Minute)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustDo(t, tt.req(t))
			if got.status != 200 {
				t.Fatalf("status = %d, want 200 (body %s)", got.status, got.raw)
			}
			if _, ok := got.body["Users"]; !ok {
				t.Errorf("body = %s, want a ListUsers output", got.raw)
			}
			evs := auditEvents(t, s, got.header.Get("x-amzn-RequestId"))
			if len(evs) != 1 || evs[0]["eventName"] != "ListUsers" || evs[0]["errorCode"] != nil {
				t.Errorf("audit events = %v, want one ListUsers without an error", evs)
			}
		})
	}
}

// TestProtocolErrors checks requests that are refused before an operation
// runs: none of them may cause a 5xx.
func TestProtocolErrors(t *testing.T) {
	s := atriumtest.Start(t)
	body := `{"IdentityStoreId":"` + s.StoreID + `"}`
	big := `{"IdentityStoreId":"` + s.StoreID + `","Pad":"` + strings.Repeat("x", awsproto.MaxBody) + `"}`
	signedReq := func(q request) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r := q.build(t, s)
			signing{}.sign(t, s, r, q.body)
			return r
		}
	}
	tests := []struct {
		name    string
		req     func(t *testing.T) *http.Request
		status  int
		code    string
		audited bool
	}{
		{name: "malformed JSON", req: signedReq(request{target: listUsers, body: `{"IdentityStoreId":`}), status: 400, code: "SerializationException", audited: true},
		{name: "JSON array", req: signedReq(request{target: listUsers, body: `[]`}), status: 400, code: "SerializationException", audited: true},
		{name: "wrong field type", req: signedReq(request{target: listUsers, body: `{"IdentityStoreId":7}`}), status: 400, code: "SerializationException", audited: true},
		{name: "trailing data", req: signedReq(request{target: listUsers, body: body + `{}`}), status: 400, code: "SerializationException", audited: true},
		{name: "unknown operation", req: signedReq(request{target: "AWSIdentityStore.DropAllUsers", body: body}), status: 400, code: "UnknownOperationException", audited: true},
		{name: "target without an operation", req: signedReq(request{target: "AWSIdentityStore", body: body}), status: 400, code: "UnknownOperationException", audited: true},
		{name: "unknown service", req: signedReq(request{target: "AWSNoSuchService.ListUsers", body: body}), status: 400, code: "UnknownOperationException"},
		{name: "GET with a target", req: signedReq(request{method: http.MethodGet, target: listUsers}), status: 400, code: "UnknownOperationException"},
		{name: "body over 1 MiB", req: signedReq(request{target: listUsers, body: big}), status: 413, code: "RequestEntityTooLargeException"},
		{
			name: "X-Amz-Date garbage",
			req: func(t *testing.T) *http.Request {
				r := request{target: listUsers, body: body}.build(t, s)
				signing{}.sign(t, s, r, body)
				r.Header.Set("X-Amz-Date", "yesterday")
				return r
			},
			status: 400, code: "IncompleteSignatureException", audited: true,
		},
		{
			name: "Authorization of only commas and equals signs",
			req: func(t *testing.T) *http.Request {
				return request{target: listUsers, body: body, headers: map[string]string{"Authorization": "AWS4-HMAC-SHA256 ,=,==,Credential==/,"}}.build(t, s)
			},
			status: 400, code: "IncompleteSignatureException", audited: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustDo(t, tt.req(t))
			checkRefused(t, s, got, tt.status, tt.code, "", tt.audited)
		})
	}
	// The server still answers after all of the above.
	if _, err := s.IdentityStore().ListUsers(t.Context(), &identitystore.ListUsersInput{IdentityStoreId: aws.String(s.StoreID)}); err != nil {
		t.Fatalf("ListUsers after the protocol errors: %v", err)
	}
}

func TestSDKSurfacesSignatureErrors(t *testing.T) {
	s := atriumtest.Start(t)
	tests := []struct {
		name  string
		creds aws.Credentials
		code  string
	}{
		{name: "wrong secret", creds: aws.Credentials{AccessKeyID: s.Credentials.AccessKeyID, SecretAccessKey: "not-the-secret"}, code: "InvalidSignatureException"},
		{name: "unknown key", creds: aws.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "x"}, code: "UnrecognizedClientException"},
		{name: "session token on a long-term key", creds: aws.Credentials{AccessKeyID: s.Credentials.AccessKeyID, SecretAccessKey: s.Credentials.SecretAccessKey, SessionToken: "forged"}, code: "UnrecognizedClientException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := identitystore.NewFromConfig(s.AWSConfigFor(tt.creds)).ListUsers(t.Context(), &identitystore.ListUsersInput{IdentityStoreId: aws.String(s.StoreID)})
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("ListUsers() error = %v, want a smithy.APIError", err)
			}
			if ae.ErrorCode() != tt.code {
				t.Errorf("ListUsers() error code = %q, want %q", ae.ErrorCode(), tt.code)
			}
		})
	}
	t.Run("no region", func(t *testing.T) {
		cfg := s.AWSConfig()
		cfg.Region = ""
		out, err := ssoadmin.NewFromConfig(cfg).ListInstances(t.Context(), &ssoadmin.ListInstancesInput{})
		if err != nil {
			t.Fatalf("ListInstances() without a region: %v", err)
		}
		if len(out.Instances) != 1 {
			t.Errorf("ListInstances() = %d instances, want 1", len(out.Instances))
		}
	})
}

// TestPresignedRequestRuns runs an operation through a presigned URL and
// checks that a second use of the URL with another body is refused.
func TestPresignedRequestRuns(t *testing.T) {
	s := atriumtest.Start(t)
	body := `{"IdentityStoreId":"` + s.StoreID + `","UserName":"presigned","DisplayName":"Pre Signed","Name":{"GivenName":"Pre","FamilyName":"Signed"}}`
	r := presign(t, s, request{target: "AWSIdentityStore.CreateUser", body: body}.build(t, s), body, 0, time.Minute)
	got := mustDo(t, r)
	if got.status != 200 || got.body["UserId"] == nil {
		t.Fatalf("presigned CreateUser = %d %s, want 200 with a UserId", got.status, got.raw)
	}
	u, err := url.Parse(r.URL.String())
	if err != nil {
		t.Fatal(err)
	}
	other := strings.Replace(body, `"presigned"`, `"intruder"`, 1)
	again, err := http.NewRequest(http.MethodPost, u.String(), bytes.NewReader([]byte(other)))
	if err != nil {
		t.Fatal(err)
	}
	again.Header = r.Header.Clone()
	checkRefused(t, s, mustDo(t, again), 403, "InvalidSignatureException", "does not match", true)
}

// TestPresignedWithHoistedTarget presigns with the SDK's defaults, which
// move X-Amz-Target into the query: the request is dispatched by it.
func TestPresignedWithHoistedTarget(t *testing.T) {
	s := atriumtest.Start(t)
	body := `{"IdentityStoreId":"` + s.StoreID + `"}`
	r := request{target: "AWSIdentityStore.ListUsers", body: body}.build(t, s)
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), s.Credentials, r, sha256Hex(body), "identitystore", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(signed, "X-Amz-Target=") {
		t.Fatalf("the presigner kept the target in a header: %s", signed)
	}
	out, err := http.NewRequest(http.MethodPost, signed, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	out.Header.Set("Content-Type", "application/x-amz-json-1.1") // no X-Amz-Target header
	if got := mustDo(t, out); got.status != 200 || got.body["Users"] == nil {
		t.Fatalf("presigned ListUsers with the target in the query = %d %s, want 200", got.status, got.raw)
	}
}
