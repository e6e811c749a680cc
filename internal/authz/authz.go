// Package authz decides whether a principal may perform an action on a
// resource. The service layer asks it once per operation, with the AWS action
// name ("identitystore:CreateUser") and the resource ARN.
package authz

import (
	"context"

	"github.com/atriumhq/atrium/internal/credentials"
)

// Request is one authorization question.
type Request struct {
	Principal *credentials.Principal
	Action    string // "service:Operation"
	Resource  string // ARN, or "*"
	// Context holds condition keys (lowercase names) and their values.
	Context map[string][]string
}

// Decision is the answer, with why.
type Decision struct {
	Allowed bool
	// Reason is "allow", "explicitDeny" or "implicitDeny".
	Reason string
}

// Authorizer answers authorization questions. Implementations do no I/O.
type Authorizer interface {
	Authorize(ctx context.Context, r Request) Decision
}
