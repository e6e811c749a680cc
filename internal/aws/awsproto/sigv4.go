package awsproto

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/reqctx"
	"github.com/atriumhq/atrium/internal/service"
)

// MaxSkew is how far a request's signing time may be from the server's clock.
const MaxSkew = 15 * time.Minute

// KeyLookup finds the secret of an access key.
type KeyLookup func(ctx context.Context, accessKeyID string) (*service.SigningKey, error)

const (
	algorithm     = "AWS4-HMAC-SHA256"
	amzDateFormat = "20060102T150405Z"
)

// signature is a parsed SigV4 signature, from the Authorization header or
// from a presigned URL's query.
type signature struct {
	accessKeyID, date, region, service string
	signedHeaders                      []string
	signature                          string
	amzDate                            string
	securityToken                      string
	presigned                          bool
	expires                            time.Duration
}

func sigErr(code, msg string) *errs.Error {
	kind := errs.Unauthenticated
	return errs.E(kind, "awsproto.Verify", msg).WithCode(code)
}

// parseAuthorization parses "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…".
func parseAuthorization(h string) (*signature, error) {
	alg, rest, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || alg != algorithm {
		return nil, sigErr("IncompleteSignatureException", "Authorization header requires the AWS4-HMAC-SHA256 algorithm with 'Credential', 'SignedHeaders' and 'Signature' parameters.")
	}
	s := &signature{}
	var cred, signed string
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			signed = v
		case "Signature":
			s.signature = v
		}
	}
	var missing []string
	if cred == "" {
		missing = append(missing, "Credential")
	}
	if signed == "" {
		missing = append(missing, "SignedHeaders")
	}
	if s.signature == "" {
		missing = append(missing, "Signature")
	}
	if len(missing) > 0 {
		return nil, sigErr("IncompleteSignatureException", "Authorization header requires '"+strings.Join(missing, "', '")+"' parameter(s).")
	}
	if err := s.setCredential(cred); err != nil {
		return nil, err
	}
	s.signedHeaders = strings.Split(strings.ToLower(signed), ";")
	return s, nil
}

func (s *signature) setCredential(cred string) error {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[4] != "aws4_request" || parts[0] == "" {
		return sigErr("IncompleteSignatureException", "Credential should be scoped to a valid region and service: '<access key>/<date>/<region>/<service>/aws4_request'.")
	}
	s.accessKeyID, s.date, s.region, s.service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

func parsePresigned(q url.Values) (*signature, error) {
	if q.Get("X-Amz-Algorithm") != algorithm {
		return nil, sigErr("IncompleteSignatureException", "X-Amz-Algorithm must be AWS4-HMAC-SHA256.")
	}
	s := &signature{presigned: true, signature: q.Get("X-Amz-Signature"), amzDate: q.Get("X-Amz-Date"), securityToken: q.Get("X-Amz-Security-Token")}
	for _, k := range []string{"X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date"} {
		if q.Get(k) == "" {
			return nil, sigErr("IncompleteSignatureException", "The presigned URL lacks the "+k+" parameter.")
		}
	}
	if err := s.setCredential(q.Get("X-Amz-Credential")); err != nil {
		return nil, err
	}
	s.signedHeaders = strings.Split(strings.ToLower(q.Get("X-Amz-SignedHeaders")), ";")
	s.expires = 15 * time.Minute
	if e := q.Get("X-Amz-Expires"); e != "" {
		d, err := time.ParseDuration(e + "s")
		if err != nil || d <= 0 || d > 7*24*time.Hour {
			return nil, sigErr("IncompleteSignatureException", "X-Amz-Expires must be a number of seconds between 1 and 604800.")
		}
		s.expires = d
	}
	return s, nil
}

// Verify checks the SigV4 signature of r over body for signing name svc, and
// returns the caller. It accepts any region in the credential scope, the
// empty one included: clients sign with whatever region they are configured
// with (the Go SDK with a base endpoint and no region signs with ""), and the
// region names no resource here, so refusing one would only break clients.
// The signature is still checked over the scope as sent.
func Verify(ctx context.Context, r *http.Request, body []byte, svc string, lookup KeyLookup, now time.Time) (*reqctx.Caller, error) {
	var sig *signature
	var err error
	q := r.URL.Query()
	switch {
	case r.Header.Get("Authorization") != "":
		sig, err = parseAuthorization(r.Header.Get("Authorization"))
		if err == nil {
			sig.amzDate = r.Header.Get("X-Amz-Date")
			sig.securityToken = r.Header.Get("X-Amz-Security-Token")
		}
	case q.Get("X-Amz-Signature") != "" || q.Get("X-Amz-Credential") != "":
		sig, err = parsePresigned(q)
	default:
		return nil, sigErr("MissingAuthenticationTokenException", "Missing Authentication Token")
	}
	if err != nil {
		return nil, err
	}
	if sig.service != svc {
		return nil, sigErr("InvalidSignatureException", "Credential should be scoped to correct service: '"+svc+"'.")
	}
	if sig.amzDate == "" {
		return nil, sigErr("IncompleteSignatureException", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	t, err := time.Parse(amzDateFormat, sig.amzDate)
	if err != nil {
		return nil, sigErr("IncompleteSignatureException", "X-Amz-Date must be in the ISO 8601 basic format (YYYYMMDD'T'HHMMSS'Z').")
	}
	if sig.date != t.Format("20060102") {
		return nil, sigErr("InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.")
	}
	if sig.presigned {
		if now.Before(t.Add(-MaxSkew)) || now.After(t.Add(sig.expires)) {
			return nil, sigErr("InvalidSignatureException", "Signature expired: the presigned URL is not valid at this time.")
		}
	} else if d := now.Sub(t); d > MaxSkew {
		return nil, sigErr("InvalidSignatureException", "Signature expired: "+sig.amzDate+" is now earlier than "+now.Add(-MaxSkew).UTC().Format(amzDateFormat)+" ("+now.UTC().Format(amzDateFormat)+" - 15 min.)")
	} else if d < -MaxSkew {
		return nil, sigErr("InvalidSignatureException", "Signature not yet current: "+sig.amzDate+" is still later than "+now.Add(MaxSkew).UTC().Format(amzDateFormat)+" ("+now.UTC().Format(amzDateFormat)+" + 15 min.)")
	}
	if !contains(sig.signedHeaders, "host") {
		return nil, sigErr("InvalidSignatureException", "'Host' must be a signed header.")
	}
	key, err := lookup(ctx, sig.accessKeyID)
	if err != nil {
		return nil, err
	}
	if sig.securityToken != "" && key.Caller.SessionID == "" {
		// Long-term keys carry no session token; a token with one is forged.
		return nil, sigErr("UnrecognizedClientException", "The security token included in the request is invalid.")
	}
	creds := aws.Credentials{AccessKeyID: sig.accessKeyID, SecretAccessKey: key.Secret.Reveal(), SessionToken: sig.securityToken}
	want, err := expected(ctx, r, body, sig, creds, t)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(sig.signature)) != 1 {
		return nil, sigErr("InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	}
	c := *key.Caller
	return &c, nil
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// verifier recomputes signatures. The canonical request is rebuilt from
// the request as received: its query as it is and exactly the signed
// headers, so the signer must not move headers into the query (a
// presigning client that did so sent them in the query already). One
// signer serves every request: it keeps the signing key it derived for an
// access key, service, region and day, which an access key id, never
// reused with another secret, determines.
var verifier = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableHeaderHoisting = true })

// expected recomputes the signature with the SDK's signer over a copy of r
// that holds exactly the headers the client signed.
func expected(ctx context.Context, r *http.Request, body []byte, sig *signature, creds aws.Credentials, t time.Time) (string, error) {
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	if sig.presigned {
		q := u.Query()
		for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"} {
			q.Del(k)
		}
		u.RawQuery = q.Encode()
	}
	c, err := http.NewRequestWithContext(ctx, r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return "", sigErr("IncompleteSignatureException", "The request URL cannot be signed.")
	}
	c.Host = r.Host
	c.ContentLength = 0 // content-length is signed only when the client signed it
	for _, h := range sig.signedHeaders {
		switch h {
		case "host":
		case "content-length":
			c.ContentLength = int64(len(body))
		default:
			if vs, ok := r.Header[http.CanonicalHeaderKey(h)]; ok {
				c.Header[http.CanonicalHeaderKey(h)] = vs
			} else if vs := headerValues(r.Header, h); vs != nil {
				c.Header[http.CanonicalHeaderKey(h)] = vs
			} else {
				return "", sigErr("InvalidSignatureException", "The signed header '"+h+"' is not in the request.")
			}
		}
	}
	// The payload hash is always computed from the body: a client's
	// X-Amz-Content-Sha256 must match it, and UNSIGNED-PAYLOAD is refused,
	// so that a signature always covers the body, presigned or not.
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	if sig.presigned {
		if h := r.URL.Query().Get("X-Amz-Content-Sha256"); h != "" && h != hash {
			return "", sigErr("InvalidSignatureException", "The provided 'X-Amz-Content-Sha256' parameter does not match what was computed.")
		}
		signed, _, err := verifier.PresignHTTP(ctx, creds, c, hash, sig.service, sig.region, t)
		if err != nil {
			return "", sigErr("IncompleteSignatureException", "The presigned URL cannot be verified.")
		}
		pu, err := url.Parse(signed)
		if err != nil {
			return "", err
		}
		return pu.Query().Get("X-Amz-Signature"), nil
	}
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != "" && h != hash {
		return "", sigErr("InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	c.Header.Del("Authorization")
	if err := verifier.SignHTTP(ctx, creds, c, hash, sig.service, sig.region, t); err != nil {
		return "", sigErr("IncompleteSignatureException", "The request cannot be verified.")
	}
	auth := c.Header.Get("Authorization")
	_, got, _ := strings.Cut(auth, "Signature=")
	return got, nil
}

// headerValues finds a header whose name is not in canonical form
// (e.g. "X-Amz-Sso_bearer_token").
func headerValues(h http.Header, lower string) []string {
	for k, vs := range h {
		if strings.ToLower(k) == lower {
			return vs
		}
	}
	return nil
}
