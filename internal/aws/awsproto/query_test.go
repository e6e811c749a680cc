package awsproto

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/reqctx"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from its golden file:\n got: %s\nwant: %s", name, got, want)
	}
}

// dump renders a recorded response: status, the headers clients read, body.
func dump(rec *httptest.ResponseRecorder) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d\n", rec.Code)
	keys := make([]string, 0, len(rec.Header()))
	for k := range rec.Header() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(rec.Header()[k], ", "))
	}
	b.WriteString("\n")
	b.Write(rec.Body.Bytes())
	b.WriteString("\n")
	return b.Bytes()
}

func withRequestID(ctx context.Context) context.Context {
	return reqctx.WithRequest(ctx, &reqctx.Request{ID: "01234567-89ab-cdef-0123-456789abcdef"})
}

type sampleMember struct {
	Name  string
	Count int
	Flag  bool
}

type sampleResult struct {
	Items   Members[sampleMember]
	Names   Members[string]
	Empty   Members[string]
	Omitted Members[string] `xml:",omitempty"`
	Details *Entries        `xml:",omitempty"`
	Text    string          `xml:",omitempty"`
	Marker  string          `xml:",omitempty"`
}

func TestWriteQueryResultGolden(t *testing.T) {
	tests := []struct {
		name, action string
		out          any
	}{
		{"result", "SimulateCustomPolicy", sampleResult{
			Items:   Members[sampleMember]{{"a", 1, true}, {"b<&>", 2, false}},
			Names:   Members[string]{"x", "y"},
			Details: &Entries{{"IAM Policy", "allowed"}},
			Text:    `quote " and ' and ]]>`,
		}},
		{"void", "DoNothing", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteQueryResult(withRequestID(context.Background()), rec, "https://iam.amazonaws.com/doc/2010-05-08/", tt.action, tt.out)
			golden(t, "query/"+tt.name+".txt", dump(rec))
		})
	}
}

func TestWriteQueryErrorGolden(t *testing.T) {
	tests := []struct {
		name string
		err  *errs.Error
		code string
	}{
		{"invalid", errs.E(errs.Invalid, "op", "Bad input <here>."), "InvalidInput"},
		{"not found", errs.E(errs.NotFound, "op", "The user with name bob cannot be found.").WithCode("NoSuchEntityException"), "NoSuchEntity"},
		{"malformed policy", errs.E(errs.Invalid, "op", "The policy document is malformed.").WithCode("MalformedPolicyDocumentException"), "MalformedPolicyDocument"},
		{"already exists", errs.E(errs.Conflict, "op", "A policy called P already exists.").WithCode("EntityAlreadyExistsException"), "EntityAlreadyExists"},
		{"delete conflict", errs.E(errs.Conflict, "op", "Cannot delete a policy attached to entities.").WithCode("DeleteConflictException"), "DeleteConflict"},
		{"limit exceeded", errs.E(errs.QuotaExceeded, "op", "Cannot exceed quota for PolicySize: 6144").WithCode("LimitExceededException"), "LimitExceeded"},
		{"validation error", errs.E(errs.Invalid, "op", "1 validation error detected.").WithCode("ValidationError"), "ValidationError"},
		{"denied", errs.E(errs.Denied, "op", "User: x is not authorized."), "AccessDenied"},
		{"unknown key", errs.E(errs.Unauthenticated, "op", "The security token included in the request is invalid.").WithCode("UnrecognizedClientException"), "InvalidClientTokenId"},
		{"bad signature", errs.E(errs.Unauthenticated, "op", "The request signature we calculated does not match.").WithCode("InvalidSignatureException"), "SignatureDoesNotMatch"},
		{"incomplete signature", errs.E(errs.Unauthenticated, "op", "Authorization header requires 'Signature'.").WithCode("IncompleteSignatureException"), "IncompleteSignature"},
		{"no signature", errs.E(errs.Unauthenticated, "op", "Missing Authentication Token").WithCode("MissingAuthenticationTokenException"), "MissingAuthenticationToken"},
		{"unknown action", errs.E(errs.Invalid, "op", "The action X is not valid for this web service.").WithCode("InvalidAction"), "InvalidAction"},
		{"throttled", errs.E(errs.Throttled, "op", "Rate exceeded."), "Throttling"},
		{"internal", &errs.Error{Kind: errs.Internal, Op: "op", Err: errors.New("secret detail")}, "ServiceFailure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			code := WriteQueryError(withRequestID(context.Background()), rec, slog.New(slog.DiscardHandler), "https://sts.amazonaws.com/doc/2011-06-15/", tt.err)
			if code != tt.code {
				t.Errorf("WriteQueryError(%v) = %s, want %s", tt.err, code, tt.code)
			}
			if strings.Contains(rec.Body.String(), "secret detail") {
				t.Errorf("WriteQueryError(%v) shows the internal cause", tt.err)
			}
			golden(t, "query/error-"+strings.ReplaceAll(tt.name, " ", "-")+".txt", dump(rec))
		})
	}
}

type queryInput struct {
	Name     string
	Count    *int
	Flag     bool
	List     []string
	Entries  []queryEntry
	Renamed  string `query:"Other"`
	Skipped  string `query:"-"`
	Embedded embedded
	embedded
}

type embedded struct {
	Inner string
}

type queryEntry struct {
	Key    string
	Values []string
}

func TestDecodeQuery(t *testing.T) {
	tests := []struct {
		name    string
		form    string
		want    queryInput
		wantErr string
	}{
		{"empty", "", queryInput{}, ""},
		{"scalars", "Name=n&Count=3&Flag=true&Other=o&Skipped=s&Unknown=u", queryInput{Name: "n", Count: aws.Int(3), Flag: true, Renamed: "o"}, ""},
		{"list in index order", "List.member.2=b&List.member.10=c&List.member.1=a", queryInput{List: []string{"a", "b", "c"}}, ""},
		{"list with a gap", "List.member.1=a&List.member.3=c", queryInput{List: []string{"a", "c"}}, ""},
		{"empty list", "List=", queryInput{List: []string{}}, ""},
		{"structures in a list", "Entries.member.1.Key=k1&Entries.member.1.Values.member.1=v1&Entries.member.1.Values.member.2=v2&Entries.member.2.Key=k2",
			queryInput{Entries: []queryEntry{{Key: "k1", Values: []string{"v1", "v2"}}, {Key: "k2"}}}, ""},
		{"nested and embedded structures", "Embedded.Inner=x&Inner=y", queryInput{Embedded: embedded{Inner: "x"}, embedded: embedded{Inner: "y"}}, ""},
		{"bad integer", "Count=many", queryInput{}, "Invalid value for parameter Count: expected an integer."},
		{"bad boolean", "Flag=yes", queryInput{}, "Invalid value for parameter Flag: expected true or false."},
		{"index zero", "List.member.0=a", queryInput{}, "Invalid value for parameter List.member.0: list members are numbered from 1."},
		{"index not a number", "List.member.x=a", queryInput{}, "Invalid value for parameter List.member.x: list members are numbered from 1."},
		{"missing index", "List.member.=a", queryInput{}, "Invalid value for parameter List.member.: list members are numbered from 1."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form, err := url.ParseQuery(tt.form)
			if err != nil {
				t.Fatal(err)
			}
			var got queryInput
			derr := DecodeQuery(form, &got)
			if tt.wantErr != "" {
				if derr == nil || derr.Msg != tt.wantErr || derr.Kind != errs.Invalid {
					t.Fatalf("DecodeQuery(%q) = %v, want %q", tt.form, derr, tt.wantErr)
				}
				return
			}
			if derr != nil {
				t.Fatalf("DecodeQuery(%q) = %v", tt.form, derr)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DecodeQuery(%q) = %+v, want %+v", tt.form, got, tt.want)
			}
		})
	}
}

func FuzzDecodeQuery(f *testing.F) {
	f.Add("Action=SimulateCustomPolicy&PolicyInputList.member.1=%7B%7D&ActionNames.member.1=s3%3AGetObject")
	f.Add("Entries.member.1.Key=k&Entries.member.1.Values.member.99999999999=v&Count=-1")
	f.Add("List.member.1.member.1=x&Embedded.Inner.member.1=y")
	f.Fuzz(func(t *testing.T, raw string) {
		form, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		var in queryInput
		if derr := DecodeQuery(form, &in); derr != nil && derr.Kind != errs.Invalid {
			t.Fatalf("DecodeQuery(%q) = %v, want nil or an invalid-input error", raw, derr)
		}
	})
}

type echoInput struct {
	Words []string
}

type echoResult struct {
	Words Members[string]
	Count int
}

// rejection is one refusal the handler audited.
type rejection struct {
	source, name, code string
}

type recorder struct {
	rejected []rejection
	observed []string
}

func newQueryHandler(rec *recorder) *QueryHandler {
	svc := &QueryService{SigningName: "iam", EventSource: "iam.amazonaws.com", Namespace: "https://iam.amazonaws.com/doc/2010-05-08/", Version: "2010-05-08",
		Ops: map[string]QueryOperation{
			"Echo": QueryOp(true, func(ctx context.Context, in *echoInput) (any, error) {
				if reqctx.CallerFrom(ctx) == nil {
					return nil, errors.New("no caller")
				}
				if slices.Contains(in.Words, "fail") {
					return nil, errs.E(errs.NotFound, "Echo", "No such word.").WithCode("NoSuchEntityException")
				}
				return echoResult{Words: in.Words, Count: len(in.Words)}, nil
			}),
		}}
	sts := &QueryService{SigningName: "sts", EventSource: "sts.amazonaws.com", Namespace: "https://sts.amazonaws.com/doc/2011-06-15/", Version: "2011-06-15",
		Ops: map[string]QueryOperation{"Who": QueryOp(true, func(ctx context.Context, _ *struct{}) (any, error) { return nil, nil })}}
	return NewQueryHandler(Hooks{
		Lookup: testLookup,
		Now:    func() time.Time { return testNow },
		Reject: func(ctx context.Context, source, name string, readOnly bool, err error) {
			c, _ := QueryErrorCode(errs.As(err))
			rec.rejected = append(rec.rejected, rejection{source, name, c})
		},
		Observe: func(service, op, code string, d time.Duration) {
			rec.observed = append(rec.observed, service+" "+op+" "+code)
		},
	}, svc, sts)
}

// queryRequest builds a request; signFor is the signing name, "" for none.
func queryRequest(t *testing.T, method, form, signFor string, creds aws.Credentials) *http.Request {
	t.Helper()
	var r *http.Request
	body := ""
	if method == http.MethodGet {
		r = httptest.NewRequest(method, "http://127.0.0.1:1234/?"+form, nil)
	} else {
		body = form
		r = httptest.NewRequest(method, "http://127.0.0.1:1234/", strings.NewReader(form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	if signFor != "" {
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), signFor, "us-east-1", testNow); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func TestQueryHandler(t *testing.T) {
	bad := aws.Credentials{AccessKeyID: testCreds.AccessKeyID, SecretAccessKey: "wrong"}
	unknown := aws.Credentials{AccessKeyID: "AKIAUNKNOWNUNKNOWNUN", SecretAccessKey: "x"}
	tests := []struct {
		name       string
		method     string
		form       string
		signFor    string
		creds      aws.Credentials
		status     int
		contains   string
		rejected   []rejection
		observed   string
		notHandled bool
	}{
		{name: "POST", method: "POST", form: "Action=Echo&Version=2010-05-08&Words.member.1=a&Words.member.2=b", signFor: "iam", creds: testCreds,
			status: 200, contains: `<EchoResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><EchoResult><Words><member>a</member><member>b</member></Words><Count>2</Count></EchoResult>`, observed: "iam Echo 200"},
		{name: "GET", method: "GET", form: "Action=Echo&Version=2010-05-08&Words.member.1=a", signFor: "iam", creds: testCreds,
			status: 200, contains: `<Words><member>a</member></Words>`, observed: "iam Echo 200"},
		{name: "second service", method: "POST", form: "Action=Who&Version=2011-06-15", signFor: "sts", creds: testCreds,
			status: 200, contains: `<WhoResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><ResponseMetadata>`, observed: "sts Who 200"},
		{name: "operation error", method: "POST", form: "Action=Echo&Words.member.1=fail", signFor: "iam", creds: testCreds,
			status: 404, contains: "<Code>NoSuchEntity</Code>", observed: "iam Echo NoSuchEntity"},
		{name: "decode error", method: "POST", form: "Action=Echo&Words.member.0=x", signFor: "iam", creds: testCreds,
			status: 400, contains: "<Code>InvalidInput</Code>", rejected: []rejection{{"iam.amazonaws.com", "Echo", "InvalidInput"}}, observed: "iam Echo InvalidInput"},
		{name: "unknown action signed for a service", method: "POST", form: "Action=Nope", signFor: "sts", creds: testCreds,
			status: 400, contains: "<Code>InvalidAction</Code>", rejected: []rejection{{"sts.amazonaws.com", "unknown", "InvalidAction"}}, observed: "sts unknown InvalidAction"},
		{name: "missing action", method: "POST", form: "Version=2010-05-08", signFor: "", status: 400, contains: "<Code>InvalidAction</Code>"},
		{name: "wrong version", method: "POST", form: "Action=Echo&Version=2011-06-15", signFor: "iam", creds: testCreds,
			status: 400, contains: "<Code>InvalidAction</Code>", rejected: []rejection{{"iam.amazonaws.com", "Echo", "InvalidAction"}}},
		{name: "signed for another service", method: "POST", form: "Action=Echo", signFor: "sts", creds: testCreds,
			status: 403, contains: "<Code>SignatureDoesNotMatch</Code>", rejected: []rejection{{"iam.amazonaws.com", "Echo", "SignatureDoesNotMatch"}}},
		{name: "bad signature", method: "POST", form: "Action=Echo", signFor: "iam", creds: bad,
			status: 403, contains: "<Code>SignatureDoesNotMatch</Code>", rejected: []rejection{{"iam.amazonaws.com", "Echo", "SignatureDoesNotMatch"}}},
		{name: "unknown key", method: "POST", form: "Action=Echo", signFor: "iam", creds: unknown,
			status: 403, contains: "<Code>InvalidClientTokenId</Code>", rejected: []rejection{{"iam.amazonaws.com", "Echo", "InvalidClientTokenId"}}},
		{name: "unsigned", method: "POST", form: "Action=Echo", signFor: "",
			status: 403, contains: "<Code>MissingAuthenticationToken</Code>", rejected: []rejection{{"iam.amazonaws.com", "Echo", "MissingAuthenticationToken"}}},
		{name: "bad form encoding", method: "POST", form: "Action=Echo&x=%zz", signFor: "iam", creds: testCreds,
			status: 400, contains: "<Code>MalformedQueryString</Code>", rejected: []rejection{{"iam.amazonaws.com", "Echo", "MalformedQueryString"}}},
		{name: "GET without an action", method: "GET", form: "Words=x", notHandled: true},
		{name: "PUT", method: "PUT", form: "Action=Echo", notHandled: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			h := newQueryHandler(rec)
			r := queryRequest(t, tt.method, tt.form, tt.signFor, tt.creds)
			if tt.notHandled {
				if h.Handles(r) {
					t.Errorf("Handles(%s %q) = true, want false", tt.method, tt.form)
				}
				return
			}
			if !h.Handles(r) {
				t.Fatalf("Handles(%s %q) = false, want true", tt.method, tt.form)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r.WithContext(withRequestID(r.Context())))
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.contains) || w.Header().Get("Content-Type") != "text/xml" {
				t.Errorf("%s %q = %d %s %q, want %d containing %q", tt.method, tt.form, w.Code, w.Header().Get("Content-Type"), w.Body, tt.status, tt.contains)
			}
			if !reflect.DeepEqual(rec.rejected, tt.rejected) {
				t.Errorf("%s %q audited refusals %v, want %v", tt.method, tt.form, rec.rejected, tt.rejected)
			}
			if tt.observed != "" && (len(rec.observed) != 1 || rec.observed[0] != tt.observed) {
				t.Errorf("%s %q observed %v, want %q", tt.method, tt.form, rec.observed, tt.observed)
			}
		})
	}
}

func TestQueryHandlerBodyLimit(t *testing.T) {
	h := newQueryHandler(&recorder{})
	form := "Action=Echo&Words.member.1=" + strings.Repeat("a", MaxBody)
	r := queryRequest(t, http.MethodPost, form, "", aws.Credentials{})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Body.String(), "<Code>RequestEntityTooLarge</Code>") {
		t.Errorf("a body over %d bytes = %d %s, want 413 RequestEntityTooLarge", MaxBody, w.Code, w.Body)
	}
}
