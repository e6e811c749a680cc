// Package credentials is the model of what a caller presents: Atrium's own
// principals (the administrators that call its APIs) and their access keys.
package credentials

import (
	"log/slog"
	"time"
)

// Principal is an IAM-style identity that calls Atrium's APIs with an
// access key, such as the bootstrap administrator.
type Principal struct {
	ID         string // AIDA…
	InstanceID string
	AccountID  string
	Name       string
	ARN        string
	// Policies are the identity policy documents (JSON) attached to the
	// principal; the authorizer evaluates them.
	Policies  []string
	CreatedAt time.Time
}

// AccessKey is a long-term key of a principal. Secret is the plaintext
// secret access key; stores keep it encrypted.
type AccessKey struct {
	ID          string // AKIA…
	PrincipalID string
	Secret      Secret
	Status      string // Active, Inactive
	CreatedAt   time.Time
}

// Access key statuses.
const (
	KeyActive   = "Active"
	KeyInactive = "Inactive"
)

// Secret is a secret string that never prints.
type Secret string

func (Secret) String() string                 { return "REDACTED" }
func (Secret) GoString() string               { return "REDACTED" }
func (Secret) LogValue() slog.Value           { return slog.StringValue("REDACTED") }
func (s Secret) MarshalText() ([]byte, error) { return []byte("REDACTED"), nil }

// Reveal returns the plaintext, for the few places that must use it.
func (s Secret) Reveal() string { return string(s) }
