// Package reqctx carries request-scoped values through a context with typed
// keys: the authenticated caller, the request id and where the request came
// from.
package reqctx

import (
	"context"
	"encoding/json"
)

// Caller is the authenticated principal of a request.
type Caller struct {
	// Type is the CloudTrail userIdentity type: "IAMUser", "AssumedRole",
	// "Root", "Unknown".
	Type        string
	PrincipalID string // stable id of the principal
	ARN         string
	AccountID   string
	UserName    string
	AccessKeyID string
	SessionID   string // set for temporary credentials
	InstanceID  string // the instance the principal belongs to
	// Credential says what the caller presented: CredentialAccessKey or
	// CredentialSCIMToken. Only the service's authentication sets it.
	Credential string
}

// Credentials a caller may present.
const (
	CredentialAccessKey = "AccessKey"
	CredentialSCIMToken = "SCIMToken"
)

// Request describes where a request came from.
type Request struct {
	ID        string
	SourceIP  string
	UserAgent string
	Region    string
	// Source overrides the audit eventSource, for protocols that AWS audits
	// under their own name (SCIM).
	Source string
	// Params are the request parameters as received, for the audit record.
	Params json.RawMessage
}

type callerKey struct{}
type requestKey struct{}

// WithCaller returns ctx carrying c.
func WithCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller of ctx, or nil.
func CallerFrom(ctx context.Context) *Caller {
	c, _ := ctx.Value(callerKey{}).(*Caller)
	return c
}

// WithRequest returns ctx carrying r.
func WithRequest(ctx context.Context, r *Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestFrom returns the request of ctx, or an empty one.
func RequestFrom(ctx context.Context) *Request {
	if r, ok := ctx.Value(requestKey{}).(*Request); ok {
		return r
	}
	return &Request{}
}
