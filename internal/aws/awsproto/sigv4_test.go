package awsproto

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/atriumhq/atrium/internal/credentials"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/reqctx"
	"github.com/atriumhq/atrium/internal/service"
)

const (
	testKeyID      = "AKIAATRIUMTEST000001"
	testSecret     = "atrium/test/secret/key/0000000000000000000"
	testSessionKey = "ASIAATRIUMTEST000001"
	testSessionSec = "atrium/test/session/secret/000000000000000"
	testToken      = "session-token-of-the-test"
	testBody       = `{"IdentityStoreId":"d-1234567890"}`
	testTarget     = "AWSIdentityStore.ListUsers"
)

// testNow is the server's clock in these tests.
var testNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

var testCreds = aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}

func testLookup(_ context.Context, id string) (*service.SigningKey, error) {
	switch id {
	case testKeyID:
		return &service.SigningKey{Secret: credentials.Secret(testSecret),
			Caller: &reqctx.Caller{Type: "IAMUser", PrincipalID: "AIDATEST", AccessKeyID: testKeyID}}, nil
	case testSessionKey:
		return &service.SigningKey{Secret: credentials.Secret(testSessionSec),
			Caller: &reqctx.Caller{Type: "AssumedRole", PrincipalID: "AROATEST", AccessKeyID: testSessionKey, SessionID: "s-1"}}, nil
	}
	return nil, errs.E(errs.Unauthenticated, "test.lookup", "The security token included in the request is invalid.").WithCode("UnrecognizedClientException")
}

func payloadHash(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// newRequest is a JSON 1.1 request as a client builds it before signing.
func newRequest(t *testing.T, body string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", testTarget)
	return r
}

// mustSign signs r over body as the SDK does.
func mustSign(t *testing.T, r *http.Request, body string, creds aws.Credentials, svc, region string, at time.Time) {
	t.Helper()
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, payloadHash(body), svc, region, at); err != nil {
		t.Fatalf("SignHTTP: %v", err)
	}
}

// mustPresign presigns r (signing host and its headers, which stay headers)
// and returns the request as a client sends it: the signed URL, the same
// headers, and the body.
func mustPresign(t *testing.T, r *http.Request, hash string, creds aws.Credentials, at time.Time, expires time.Duration) *http.Request {
	t.Helper()
	if expires > 0 {
		q := r.URL.Query()
		q.Set("X-Amz-Expires", strconv.Itoa(int(expires/time.Second)))
		r.URL.RawQuery = q.Encode()
	}
	signed, _, err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableHeaderHoisting = true }).
		PresignHTTP(context.Background(), creds, r, hash, "identitystore", "us-east-1", at)
	if err != nil {
		t.Fatalf("PresignHTTP: %v", err)
	}
	u, err := url.Parse(signed)
	if err != nil {
		t.Fatalf("parsing the presigned URL: %v", err)
	}
	out := r.Clone(context.Background())
	out.URL = u
	out.RequestURI = u.RequestURI()
	return out
}

func readBody(t *testing.T, r *http.Request) []byte {
	t.Helper()
	if r.Body == nil {
		return nil
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r.Body); err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return buf.Bytes()
}

// errCode returns the AWS code of an error from Verify.
func errCode(err error) string {
	if err == nil {
		return ""
	}
	var e *errs.Error
	if !errors.As(err, &e) {
		return "not an *errs.Error: " + err.Error()
	}
	code, _ := ErrorCode(e)
	return code
}

func TestVerify(t *testing.T) {
	session := aws.Credentials{AccessKeyID: testSessionKey, SecretAccessKey: testSessionSec, SessionToken: testToken}
	tests := []struct {
		name string
		// req builds the request as received; body is what the server read.
		req      func(t *testing.T) (*http.Request, string)
		wantCode string // "" for success
		wantMsg  string // a part of the public message
	}{
		{
			name: "signed",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, testCreds, "identitystore", "us-east-1", testNow)
				return r, testBody
			},
		},
		{
			name: "any region in the scope",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, testCreds, "identitystore", "eu-west-1", testNow)
				return r, testBody
			},
		},
		{
			name: "empty region, as the Go SDK signs without a region",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, testCreds, "identitystore", "", testNow)
				if !strings.Contains(r.Header.Get("Authorization"), "//identitystore/aws4_request") {
					t.Fatalf("Authorization = %q, want an empty region in the scope", r.Header.Get("Authorization"))
				}
				return r, testBody
			},
		},
		{
			name: "signed 14 minutes ago",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, testCreds, "identitystore", "us-east-1", testNow.Add(-14*time.Minute))
				return r, testBody
			},
		},
		{
			name: "matching X-Amz-Content-Sha256",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				r.Header.Set("X-Amz-Content-Sha256", payloadHash(testBody))
				mustSign(t, r, testBody, testCreds, "identitystore", "us-east-1", testNow)
				return r, testBody
			},
		},
		{
			name: "session credentials with their token",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, session, "identitystore", "us-east-1", testNow)
				return r, testBody
			},
		},
		{
			name: "empty body",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, "")
				mustSign(t, r, "", testCreds, "identitystore", "us-east-1", testNow)
				return r, ""
			},
		},
		{
			name:     "unsigned",
			req:      func(t *testing.T) (*http.Request, string) { return newRequest(t, testBody), testBody },
			wantCode: "MissingAuthenticationTokenException",
			wantMsg:  "Missing Authentication Token",
		},
		{
			name: "wrong secret",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: "not-the-secret"}, "identitystore", "us-east-1", testNow)
				return r, testBody
			},
			wantCode: "InvalidSignatureException",
			wantMsg:  "signature we calculated does not match",
		},
		{
			name: "unknown key",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, aws.Credentials{AccessKeyID: "AKIAUNKNOWN000000000", SecretAccessKey: testSecret}, "identitystore", "us-east-1", testNow)
				return r, testBody
			},
			wantCode: "UnrecognizedClientException",
		},
		{
			name: "signed 20 minutes ago",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, testCreds, "identitystore", "us-east-1", testNow.Add(-20*time.Minute))
				return r, testBody
			},
			wantCode: "InvalidSignatureException",
			wantMsg:  "Signature expired: 20260304T044607Z is now earlier than 20260304T045107Z (20260304T050607Z - 15 min.)",
		},
		{
			name: "signed 20 minutes in the future",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, testCreds, "identitystore", "us-east-1", testNow.Add(20*time.Minute))
				return r, testBody
			},
			wantCode: "InvalidSignatureException",
			wantMsg:  "Signature not yet current: 20260304T052607Z is still later than 20260304T052107Z (20260304T050607Z + 15 min.)",
		},
		{
			name: "body changed after signing",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, testCreds, "identitystore", "us-east-1", testNow)
				return r, `{"IdentityStoreId":"d-0000000000"}`
			},
			wantCode: "InvalidSignatureException",
		},
		{
			name: "target changed after signing",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, testCreds, "identitystore", "us-east-1", testNow)
				r.Header.Set("X-Amz-Target", "AWSIdentityStore.DeleteUser")
				return r, testBody
			},
			wantCode: "InvalidSignatureException",
		},
		{
			name: "signed header removed",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, testCreds, "identitystore", "us-east-1", testNow)
				r.Header.Del("Content-Type")
				return r, testBody
			},
			wantCode: "InvalidSignatureException",
			wantMsg:  "'content-type'",
		},
		{
			name: "another service's signing name",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, testCreds, "sso", "us-east-1", testNow)
				return r, testBody
			},
			wantCode: "InvalidSignatureException",
			wantMsg:  "Credential should be scoped to correct service: 'identitystore'.",
		},
		{
			name: "X-Amz-Content-Sha256 of another body",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				r.Header.Set("X-Amz-Content-Sha256", payloadHash("{}"))
				mustSign(t, r, "{}", testCreds, "identitystore", "us-east-1", testNow)
				return r, testBody
			},
			wantCode: "InvalidSignatureException",
			wantMsg:  "x-amz-content-sha256",
		},
		{
			name: "UNSIGNED-PAYLOAD",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
				if err := v4.NewSigner().SignHTTP(context.Background(), testCreds, r, "UNSIGNED-PAYLOAD", "identitystore", "us-east-1", testNow); err != nil {
					t.Fatal(err)
				}
				return r, testBody
			},
			wantCode: "InvalidSignatureException",
		},
		{
			name: "session token on a long-term key",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				creds := testCreds
				creds.SessionToken = "forged-token"
				mustSign(t, r, testBody, creds, "identitystore", "us-east-1", testNow)
				return r, testBody
			},
			wantCode: "UnrecognizedClientException",
			wantMsg:  "security token",
		},
		{
			name: "session credentials without their token",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, session, "identitystore", "us-east-1", testNow)
				r.Header.Del("X-Amz-Security-Token")
				return r, testBody
			},
			wantCode: "InvalidSignatureException",
		},
		{
			name: "host not signed",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, testCreds, "identitystore", "us-east-1", testNow)
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ";host;", ";", 1))
				return r, testBody
			},
			wantCode: "InvalidSignatureException",
			wantMsg:  "'Host' must be a signed header.",
		},
		{
			name: "no X-Amz-Date",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, testCreds, "identitystore", "us-east-1", testNow)
				r.Header.Del("X-Amz-Date")
				return r, testBody
			},
			wantCode: "IncompleteSignatureException",
		},
		{
			name: "X-Amz-Date not in the basic format",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, testCreds, "identitystore", "us-east-1", testNow)
				r.Header.Set("X-Amz-Date", testNow.Format(time.RFC3339))
				return r, testBody
			},
			wantCode: "IncompleteSignatureException",
		},
		{
			name: "credential date is not the day of X-Amz-Date",
			req: func(t *testing.T) (*http.Request, string) {
				r := newRequest(t, testBody)
				mustSign(t, r, testBody, testCreds, "identitystore", "us-east-1", testNow)
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20260304/", "/20260303/", 1))
				return r, testBody
			},
			wantCode: "InvalidSignatureException",
			wantMsg:  "Date in Credential scope",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := tt.req(t)
			caller, err := Verify(context.Background(), r, []byte(body), "identitystore", testLookup, testNow)
			if got := errCode(err); got != tt.wantCode {
				t.Fatalf("Verify() error = %v (code %q), want code %q", err, got, tt.wantCode)
			}
			if err != nil {
				if msg := errs.Public(err); !strings.Contains(msg, tt.wantMsg) {
					t.Errorf("Verify() message = %q, want it to contain %q", msg, tt.wantMsg)
				}
				if caller != nil {
					t.Errorf("Verify() = %+v with error %v, want no caller", caller, err)
				}
				return
			}
			if caller == nil || caller.AccessKeyID == "" {
				t.Fatalf("Verify() = %+v, want the caller of the key", caller)
			}
		})
	}
}

func TestVerifyPresigned(t *testing.T) {
	tests := []struct {
		name     string
		req      func(t *testing.T) (*http.Request, string)
		wantCode string
		wantMsg  string
	}{
		{
			name: "fresh, body hashed",
			req: func(t *testing.T) (*http.Request, string) {
				return mustPresign(t, newRequest(t, testBody), payloadHash(testBody), testCreds, testNow.Add(-time.Minute), 0), testBody
			},
		},
		{
			name: "fresh, with X-Amz-Expires",
			req: func(t *testing.T) (*http.Request, string) {
				return mustPresign(t, newRequest(t, testBody), payloadHash(testBody), testCreds, testNow.Add(-time.Minute), 5*time.Minute), testBody
			},
		},
		{
			name: "expired",
			req: func(t *testing.T) (*http.Request, string) {
				return mustPresign(t, newRequest(t, testBody), payloadHash(testBody), testCreds, testNow.Add(-2*time.Minute), time.Minute), testBody
			},
			wantCode: "InvalidSignatureException",
			wantMsg:  "Signature expired",
		},
		{
			name: "expired by the default 15 minutes",
			req: func(t *testing.T) (*http.Request, string) {
				return mustPresign(t, newRequest(t, testBody), payloadHash(testBody), testCreds, testNow.Add(-20*time.Minute), 0), testBody
			},
			wantCode: "InvalidSignatureException",
			wantMsg:  "Signature expired",
		},
		{
			name: "not yet valid",
			req: func(t *testing.T) (*http.Request, string) {
				return mustPresign(t, newRequest(t, testBody), payloadHash(testBody), testCreds, testNow.Add(20*time.Minute), 0), testBody
			},
			wantCode: "InvalidSignatureException",
		},
		{
			name: "body changed",
			req: func(t *testing.T) (*http.Request, string) {
				return mustPresign(t, newRequest(t, testBody), payloadHash(testBody), testCreds, testNow, 0), `{"IdentityStoreId":"d-0000000000"}`
			},
			wantCode: "InvalidSignatureException",
		},
		{
			name: "body changed under UNSIGNED-PAYLOAD",
			req: func(t *testing.T) (*http.Request, string) {
				return mustPresign(t, newRequest(t, testBody), "UNSIGNED-PAYLOAD", testCreds, testNow, 0), `{"IdentityStoreId":"d-0000000000"}`
			},
			wantCode: "InvalidSignatureException",
		},
		{
			name: "target changed",
			req: func(t *testing.T) (*http.Request, string) {
				r := mustPresign(t, newRequest(t, testBody), payloadHash(testBody), testCreds, testNow, 0)
				r.Header.Set("X-Amz-Target", "AWSIdentityStore.DeleteUser")
				return r, testBody
			},
			wantCode: "InvalidSignatureException",
		},
		{
			name: "expiry extended",
			req: func(t *testing.T) (*http.Request, string) {
				r := mustPresign(t, newRequest(t, testBody), payloadHash(testBody), testCreds, testNow.Add(-2*time.Minute), time.Minute)
				q := r.URL.Query()
				q.Set("X-Amz-Expires", "3600")
				r.URL.RawQuery = q.Encode()
				return r, testBody
			},
			wantCode: "InvalidSignatureException",
		},
		{
			name: "bad signature",
			req: func(t *testing.T) (*http.Request, string) {
				r := mustPresign(t, newRequest(t, testBody), payloadHash(testBody), testCreds, testNow, 0)
				q := r.URL.Query()
				q.Set("X-Amz-Signature", strings.Repeat("0", 64))
				r.URL.RawQuery = q.Encode()
				return r, testBody
			},
			wantCode: "InvalidSignatureException",
		},
		{
			name: "wrong secret",
			req: func(t *testing.T) (*http.Request, string) {
				return mustPresign(t, newRequest(t, testBody), payloadHash(testBody), aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: "x"}, testNow, 0), testBody
			},
			wantCode: "InvalidSignatureException",
		},
		{
			name: "X-Amz-Expires out of range",
			req: func(t *testing.T) (*http.Request, string) {
				return mustPresign(t, newRequest(t, testBody), payloadHash(testBody), testCreds, testNow, 8*24*time.Hour), testBody
			},
			wantCode: "IncompleteSignatureException",
		},
		{
			name: "no signature",
			req: func(t *testing.T) (*http.Request, string) {
				r := mustPresign(t, newRequest(t, testBody), payloadHash(testBody), testCreds, testNow, 0)
				q := r.URL.Query()
				q.Del("X-Amz-Signature")
				r.URL.RawQuery = q.Encode()
				return r, testBody
			},
			wantCode: "IncompleteSignatureException",
		},
		{
			name: "wrong algorithm",
			req: func(t *testing.T) (*http.Request, string) {
				r := mustPresign(t, newRequest(t, testBody), payloadHash(testBody), testCreds, testNow, 0)
				q := r.URL.Query()
				q.Set("X-Amz-Algorithm", "AWS4-HMAC-SHA1")
				r.URL.RawQuery = q.Encode()
				return r, testBody
			},
			wantCode: "IncompleteSignatureException",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := tt.req(t)
			_, err := Verify(context.Background(), r, []byte(body), "identitystore", testLookup, testNow)
			if got := errCode(err); got != tt.wantCode {
				t.Fatalf("Verify(%s) error = %v (code %q), want code %q", r.URL, err, got, tt.wantCode)
			}
			if err != nil && !strings.Contains(errs.Public(err), tt.wantMsg) {
				t.Errorf("Verify() message = %q, want it to contain %q", errs.Public(err), tt.wantMsg)
			}
		})
	}
}

func TestParseAuthorization(t *testing.T) {
	const good = "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260304/us-east-1/identitystore/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=abcdef"
	tests := []struct {
		name     string
		in       string
		want     *signature
		wantCode string
	}{
		{
			name: "as the SDK writes it",
			in:   good,
			want: &signature{accessKeyID: "AKIAEXAMPLE", date: "20260304", region: "us-east-1", service: "identitystore",
				signedHeaders: []string{"content-type", "host", "x-amz-date"}, signature: "abcdef"},
		},
		{
			name: "no spaces after commas, mixed-case header names",
			in:   "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260304/eu-west-1/sso/aws4_request,SignedHeaders=Host;X-Amz-Date,Signature=01",
			want: &signature{accessKeyID: "AKIAEXAMPLE", date: "20260304", region: "eu-west-1", service: "sso",
				signedHeaders: []string{"host", "x-amz-date"}, signature: "01"},
		},
		{
			name: "empty region",
			in:   "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260304//sso/aws4_request, SignedHeaders=host, Signature=01",
			want: &signature{accessKeyID: "AKIAEXAMPLE", date: "20260304", service: "sso", signedHeaders: []string{"host"}, signature: "01"},
		},
		{name: "empty", in: "", wantCode: "IncompleteSignatureException"},
		{name: "algorithm only", in: "AWS4-HMAC-SHA256", wantCode: "IncompleteSignatureException"},
		{name: "wrong algorithm", in: strings.Replace(good, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1", 1), wantCode: "IncompleteSignatureException"},
		{name: "SigV2", in: "AWS AKIAEXAMPLE:c2lnbmF0dXJl", wantCode: "IncompleteSignatureException"},
		{name: "missing Signature", in: "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260304/us-east-1/identitystore/aws4_request, SignedHeaders=host", wantCode: "IncompleteSignatureException"},
		{name: "missing Credential", in: "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abcdef", wantCode: "IncompleteSignatureException"},
		{name: "missing SignedHeaders", in: "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260304/us-east-1/identitystore/aws4_request, Signature=abcdef", wantCode: "IncompleteSignatureException"},
		{name: "empty Signature", in: strings.Replace(good, "Signature=abcdef", "Signature=", 1), wantCode: "IncompleteSignatureException"},
		{name: "Credential with 4 parts", in: strings.Replace(good, "/us-east-1/", "/", 1), wantCode: "IncompleteSignatureException"},
		{name: "Credential with 6 parts", in: strings.Replace(good, "/us-east-1/", "/us-east-1/x/", 1), wantCode: "IncompleteSignatureException"},
		{name: "Credential not ending in aws4_request", in: strings.Replace(good, "aws4_request", "aws4_reques", 1), wantCode: "IncompleteSignatureException"},
		{name: "Credential without a key", in: strings.Replace(good, "Credential=AKIAEXAMPLE/", "Credential=/", 1), wantCode: "IncompleteSignatureException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAuthorization(tt.in)
			if code := errCode(err); code != tt.wantCode {
				t.Fatalf("parseAuthorization(%q) error = %v, want code %q", tt.in, err, tt.wantCode)
			}
			if tt.want == nil {
				return
			}
			if got.accessKeyID != tt.want.accessKeyID || got.date != tt.want.date || got.region != tt.want.region ||
				got.service != tt.want.service || got.signature != tt.want.signature ||
				strings.Join(got.signedHeaders, ";") != strings.Join(tt.want.signedHeaders, ";") {
				t.Errorf("parseAuthorization(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzParseAuthorization checks that any header parses without a panic into
// either an IncompleteSignatureException or a signature whose parts are all
// present, and that a parsed header written back parses to the same value.
func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260304/us-east-1/identitystore/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=abcdef",
		"AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260304//sso/aws4_request,SignedHeaders=host,Signature=00",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=;, Signature==",
		"AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=",
		"AWS4-HMAC-SHA256 ,,,,=,=",
		"AWS4-HMAC-SHA256",
		"AWS AKIA:sig",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		s, err := parseAuthorization(h)
		if err != nil {
			if code := errCode(err); code != "IncompleteSignatureException" {
				t.Fatalf("parseAuthorization(%q) error code = %q, want IncompleteSignatureException", h, code)
			}
			if s != nil {
				t.Fatalf("parseAuthorization(%q) = %+v with error %v", h, s, err)
			}
			return
		}
		if s.accessKeyID == "" || s.signature == "" || len(s.signedHeaders) == 0 {
			t.Fatalf("parseAuthorization(%q) = %+v, want a key, a signature and signed headers", h, s)
		}
		for _, x := range []string{s.accessKeyID, s.date, s.region, s.service} {
			if strings.Contains(x, "/") {
				t.Fatalf("parseAuthorization(%q) = %+v: a credential part holds a '/'", h, s)
			}
		}
		again := algorithm + " Credential=" + s.accessKeyID + "/" + s.date + "/" + s.region + "/" + s.service + "/aws4_request, SignedHeaders=" +
			strings.Join(s.signedHeaders, ";") + ", Signature=" + s.signature
		s2, err := parseAuthorization(again)
		if err != nil {
			t.Fatalf("parseAuthorization(%q) = %v, but %q parsed", again, err, h)
		}
		if s2.accessKeyID != s.accessKeyID || s2.date != s.date || s2.region != s.region || s2.service != s.service ||
			s2.signature != s.signature || strings.Join(s2.signedHeaders, ";") != strings.Join(s.signedHeaders, ";") {
			t.Fatalf("parseAuthorization(%q) = %+v, want %+v as from %q", again, s2, s, h)
		}
	})
}
