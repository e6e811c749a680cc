package access

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/policy"
)

// AWSManagedPolicy is an AWS managed policy (arn:aws:iam::aws:policy/…).
// AWS managed policies are the same in every account and every instance,
// so the catalog that holds them is global.
type AWSManagedPolicy struct {
	ARN         string
	Name        string
	Path        string // "/" or "/job-function/", "/service-role/", …
	Description string
	// DefaultVersionID is "v1" at first and moves on ("v2", "v3", …) each
	// time the document changes.
	DefaultVersionID string
	Document         string
	// Source says where the document comes from: SourceBuiltIn for the
	// approximations Atrium ships, SourceImported for a document an
	// operator imported (AWS's own). Seeding the built-in catalog never
	// replaces an imported document.
	Source    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Sources of an AWS managed policy's document.
const (
	SourceBuiltIn  = "builtin"
	SourceImported = "imported"
)

// AWSManagedPolicyARN formats the ARN of the AWS managed policy name at path.
func AWSManagedPolicyARN(path, name string) string {
	return "arn:aws:iam::aws:policy" + path + name
}

// CustomerPolicyARN formats the ARN of a customer managed policy of an
// account.
func CustomerPolicyARN(accountID, path, name string) string {
	return "arn:aws:iam::" + accountID + ":policy" + path + name
}

// FirstVersionID is the version of a new policy document.
const FirstVersionID = "v1"

// NextVersionID returns the version id that follows v ("v1" → "v2"); an
// id it cannot read is followed by "v1".
func NextVersionID(v string) string {
	n, err := strconv.Atoi(strings.TrimPrefix(v, "v"))
	if err != nil || !strings.HasPrefix(v, "v") || n < 1 {
		return FirstVersionID
	}
	return "v" + strconv.Itoa(n+1)
}

// PolicyID returns the IAM policy id of a policy: "ANPA" and 17 base32
// characters. AWS managed policies have one id everywhere, so it is derived
// from the ARN rather than stored.
func PolicyID(arn string) string {
	const base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	sum := sha256.Sum256([]byte(arn))
	b := make([]byte, 17)
	for i := range b {
		b[i] = base32Upper[int(sum[i])%len(base32Upper)]
	}
	return "ANPA" + string(b)
}

// IAM limits of managed policies.
const (
	MaxPolicyNameLength        = 128
	MaxPolicyPathLength        = 512
	MaxPolicyDescriptionLength = 1000
	// MaxPolicyDocumentChars bounds a managed policy document's text.
	MaxPolicyDocumentChars = 131072
	// MaxManagedPolicySize bounds a customer managed policy document,
	// counted without white space, as IAM counts it.
	MaxManagedPolicySize = 6144
)

var (
	iamPolicyNameRe = regexp.MustCompile(`^[\w+=,.@-]+$`)
	iamPathPrefixRe = regexp.MustCompile(`^/[\x{0021}-\x{007F}]*$`)
	iamDocumentRe   = regexp.MustCompile(`^[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+$`)
	iamDescRe       = regexp.MustCompile(`^[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]*$`)
)

// ValidationError is IAM's error for a parameter that breaks a constraint
// of the API model (code ValidationError).
func ValidationError(op, format string, args ...any) *errs.Error {
	return errs.Errorf(errs.Invalid, op, format, args...).WithCode("ValidationError")
}

// ValidateIAMPolicyName checks the name of an IAM managed policy.
func ValidateIAMPolicyName(op, field, name string) error {
	if name == "" || len(name) > MaxPolicyNameLength {
		return ValidationError(op, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length between 1 and %d", clip(name), field, MaxPolicyNameLength)
	}
	if !iamPolicyNameRe.MatchString(name) {
		return ValidationError(op, "The specified value for %s is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-", field)
	}
	return nil
}

// ValidateIAMPolicyPath checks the path of a managed policy (or a path
// prefix of ListPolicies).
func ValidateIAMPolicyPath(op, field, path string) error {
	if path == "" || len(path) > MaxPolicyPathLength {
		return ValidationError(op, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length between 1 and %d", clip(path), field, MaxPolicyPathLength)
	}
	if !policyPathRe.MatchString(path) {
		return ValidationError(op, "The specified value for %s is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.", field)
	}
	return nil
}

// ValidateIAMPathPrefix checks the path prefix of a listing of roles.
func ValidateIAMPathPrefix(op, field, prefix string) error {
	if prefix == "" || len(prefix) > MaxPolicyPathLength || !iamPathPrefixRe.MatchString(prefix) {
		return ValidationError(op, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*", clip(prefix), field)
	}
	return nil
}

// ValidateIAMPolicyDescription checks a policy description; "" is none.
func ValidateIAMPolicyDescription(op, d string) error {
	if len([]rune(d)) > MaxPolicyDescriptionLength {
		return ValidationError(op, "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to %d", MaxPolicyDescriptionLength)
	}
	if !iamDescRe.MatchString(d) {
		return ValidationError(op, "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]*")
	}
	return nil
}

// MalformedPolicyDocument is IAM's error for a document that is not a
// valid identity policy.
func MalformedPolicyDocument(op, msg string) *errs.Error {
	return errs.E(errs.Invalid, op, msg).WithCode("MalformedPolicyDocumentException")
}

// ValidateManagedPolicyDocument checks a managed policy document as IAM's
// API takes it: its characters and length, then its content.
func ValidateManagedPolicyDocument(op, doc string) error {
	if doc == "" || len([]rune(doc)) > MaxPolicyDocumentChars {
		return ValidationError(op, "1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must have length between 1 and %d", MaxPolicyDocumentChars)
	}
	if !iamDocumentRe.MatchString(doc) {
		return ValidationError(op, "1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+")
	}
	return ValidatePolicyContent(op, doc)
}

// ValidatePolicyContent checks a policy document with the policy engine,
// which must parse and compile it as an identity policy and find no ERROR
// in it. (AWS's own managed policies are checked this way only: some are
// longer than the API lets a customer's be.)
func ValidatePolicyContent(op, doc string) error {
	parsed, err := policy.ParseString(doc)
	if err == nil {
		_, err = policy.Compile("document", parsed)
	}
	if err != nil {
		return MalformedPolicyDocument(op, engineMessage(err))
	}
	for _, f := range policy.Validate([]byte(doc), policy.IdentityPolicy) {
		if f.Type != policy.FindingError {
			continue
		}
		where := ""
		if len(f.Locations) > 0 && len(f.Locations[0]) > 0 {
			where = " at " + fmt.Sprint(f.Locations[0])
		}
		return MalformedPolicyDocument(op, fmt.Sprintf("%s%s: %s", f.IssueCode, where, f.Message))
	}
	return nil
}

// engineMessage is the policy engine's reason without its package prefix.
func engineMessage(err error) string {
	msg := err.Error()
	for _, p := range []string{"policy: compile document: ", "policy: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

// PolicySize is the length of a policy document as IAM counts it against
// its size quota: without white space.
func PolicySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
