package access

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/policy"
)

// Limits of IAM Identity Center.
const (
	MaxNameLength        = 32
	MaxDescriptionLength = 700
	MaxRelayStateLength  = 240
	MaxInlinePolicyChars = 10240
	// MaxAttachedPolicies bounds the AWS managed and customer managed
	// policies of a permission set, counted together.
	MaxAttachedPolicies = 20
	// MaxTags bounds the tags of a resource.
	MaxTags = 50
	// MaxTagsPerRequest bounds the tags or tag keys of one request.
	MaxTagsPerRequest = 75
)

var (
	nameRe         = regexp.MustCompile(`^[\w+=,.@-]+$`)
	descriptionRe  = regexp.MustCompile(`^[\x{0009}\x{000A}\x{000D}\x{0020}-\x{007E}\x{00A1}-\x{00FF}]*$`)
	relayStateRe   = regexp.MustCompile(`^[a-zA-Z0-9&$@#\\/%?=~\-_'"|!:,.;*+\[\] (){}]+$`)
	inlinePolicyRe = regexp.MustCompile(`^[\x{0009}\x{000A}\x{000D}\x{0020}-\x{00FF}]+$`)
	managedARNRe   = regexp.MustCompile(`^arn:aws(-[a-z]{1,5}){0,3}:iam::aws:policy((/[A-Za-z0-9.,+@=_-]+)*)/([A-Za-z0-9.,+=@_-]+)$`)
	policyNameRe   = regexp.MustCompile(`^[\w+=,.@-]+$`)
	policyPathRe   = regexp.MustCompile(`^((/[A-Za-z0-9.,+@=_-]+)*)/$`)
	tagRe          = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	principalIDRe  = regexp.MustCompile(`^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)
	accountIDRe    = regexp.MustCompile(`^\d{12}$`)
	ouIDRe         = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
	rootIDRe       = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)
	requestIDRe    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	instanceNameRe = regexp.MustCompile(`^[\w+=,.@-]+$`)
)

// Violation is a ValidationException in AWS's words.
func Violation(op, path, constraint string) *errs.Error {
	return errs.Errorf(errs.Invalid, op, "1 validation error detected: Value at '%s' failed to satisfy constraint: %s", path, constraint)
}

func checkString(op, path, v string, min, max int, re *regexp.Regexp) error {
	n := utf8.RuneCountInString(v)
	switch {
	case n < min:
		return Violation(op, path, fmt.Sprintf("Member must have length greater than or equal to %d", min))
	case n > max:
		return Violation(op, path, fmt.Sprintf("Member must have length less than or equal to %d", max))
	case !re.MatchString(v):
		return Violation(op, path, "Member must satisfy regular expression pattern: "+strings.Trim(re.String(), "^$"))
	}
	return nil
}

// ValidateName checks a permission set name.
func ValidateName(op, name string) error {
	return checkString(op, "name", name, 1, MaxNameLength, nameRe)
}

// ValidateDescription checks a description; "" is no description.
func ValidateDescription(op, d string) error {
	if d == "" {
		return nil
	}
	return checkString(op, "description", d, 1, MaxDescriptionLength, descriptionRe)
}

// ValidateRelayState checks a relay state; "" is none.
func ValidateRelayState(op, s string) error {
	if s == "" {
		return nil
	}
	return checkString(op, "relayState", s, 1, MaxRelayStateLength, relayStateRe)
}

// ValidateSessionDuration checks a session duration; "" is the default.
func ValidateSessionDuration(op, s string) error {
	if s == "" {
		return nil
	}
	if len(s) > 100 {
		return Violation(op, "sessionDuration", "Member must have length less than or equal to 100")
	}
	if _, err := ParseDuration(s); err != nil {
		return errs.Errorf(errs.Invalid, op, "The session duration %q is not an ISO-8601 duration such as PT1H, PT8H or PT1H30M.", s)
	}
	if _, err := SessionDuration(s); err != nil {
		return errs.Errorf(errs.Invalid, op, "Session duration %s is out of range: it must be between PT1H and PT12H.", s)
	}
	return nil
}

// ValidateInstanceName checks the name of an instance.
func ValidateInstanceName(op, name string) error {
	return checkString(op, "name", name, 1, 255, instanceNameRe)
}

// ValidateInlinePolicy checks an inline policy: its size, its characters,
// and its content with the policy engine. The first ERROR finding makes it
// invalid, named in the message.
func ValidateInlinePolicy(op, doc string) error {
	if err := checkString(op, "inlinePolicy", doc, 1, MaxInlinePolicyChars, inlinePolicyRe); err != nil {
		return err
	}
	for _, f := range policy.Validate([]byte(doc), policy.IdentityPolicy) {
		if f.Type != policy.FindingError {
			continue
		}
		where := ""
		if len(f.Locations) > 0 && len(f.Locations[0]) > 0 {
			where = " at " + fmt.Sprint(f.Locations[0])
		}
		return errs.Errorf(errs.Invalid, op, "The inline policy is not valid (%s%s): %s", f.IssueCode, where, f.Message).With("Reason", "POLICY_VALIDATION_FAILED")
	}
	return nil
}

// ParseManagedPolicyARN checks an AWS managed policy ARN and returns the
// policy's name.
func ParseManagedPolicyARN(op, path, a string) (string, error) {
	if err := checkString(op, path, a, 20, 2048, managedARNRe); err != nil {
		return "", err
	}
	m := managedARNRe.FindStringSubmatch(a)
	return m[4], nil
}

// NormalizeCustomerPolicyRef checks a customer managed policy reference and
// sets its default path.
func NormalizeCustomerPolicyRef(op, path string, r CustomerPolicyRef) (CustomerPolicyRef, error) {
	if r.Path == "" {
		r.Path = "/"
	}
	if err := checkString(op, path+".name", r.Name, 1, 128, policyNameRe); err != nil {
		return r, err
	}
	if err := checkString(op, path+".path", r.Path, 1, 512, policyPathRe); err != nil {
		return r, err
	}
	return r, nil
}

// NormalizeBoundary checks a permissions boundary: exactly one of its two
// kinds.
func NormalizeBoundary(op string, b Boundary) (Boundary, error) {
	switch {
	case b.ManagedPolicyARN != "" && b.CustomerPolicy != nil:
		return b, errs.E(errs.Invalid, op, "A permissions boundary is either a ManagedPolicyArn or a CustomerManagedPolicyReference, not both.")
	case b.ManagedPolicyARN != "":
		_, err := ParseManagedPolicyARN(op, "permissionsBoundary.managedPolicyArn", b.ManagedPolicyARN)
		return b, err
	case b.CustomerPolicy != nil:
		r, err := NormalizeCustomerPolicyRef(op, "permissionsBoundary.customerManagedPolicyReference", *b.CustomerPolicy)
		b.CustomerPolicy = &r
		return b, err
	}
	return b, errs.E(errs.Invalid, op, "A permissions boundary needs a ManagedPolicyArn or a CustomerManagedPolicyReference.")
}

// ValidateTags checks the tags of a request.
func ValidateTags(op string, tags []Tag) error {
	if len(tags) > MaxTagsPerRequest {
		return Violation(op, "tags", fmt.Sprintf("Member must have length less than or equal to %d", MaxTagsPerRequest))
	}
	seen := make(map[string]bool, len(tags))
	for i, t := range tags {
		if err := checkString(op, fmt.Sprintf("tags.%d.member.key", i+1), t.Key, 1, 128, tagRe); err != nil {
			return err
		}
		if err := checkString(op, fmt.Sprintf("tags.%d.member.value", i+1), t.Value, 0, 256, tagRe); err != nil {
			return err
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return errs.Errorf(errs.Invalid, op, "The tag key %s uses the reserved prefix aws:.", t.Key)
		}
		if seen[t.Key] {
			return errs.Errorf(errs.Invalid, op, "The tag key %s appears more than once.", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

// ValidateTagKeys checks the tag keys of an UntagResource request.
func ValidateTagKeys(op string, keys []string) error {
	if len(keys) < 1 || len(keys) > MaxTagsPerRequest {
		return Violation(op, "tagKeys", fmt.Sprintf("Member must have length between 1 and %d", MaxTagsPerRequest))
	}
	for i, k := range keys {
		if err := checkString(op, fmt.Sprintf("tagKeys.%d.member", i+1), k, 1, 128, tagRe); err != nil {
			return err
		}
	}
	return nil
}

// MergeTags adds tags to have, replacing the values of keys it holds.
func MergeTags(have, add []Tag) []Tag {
	out := append([]Tag(nil), have...)
	for _, t := range add {
		replaced := false
		for i := range out {
			if out[i].Key == t.Key {
				out[i].Value, replaced = t.Value, true
			}
		}
		if !replaced {
			out = append(out, t)
		}
	}
	return out
}

// ValidatePrincipal checks a principal type and id.
func ValidatePrincipal(op, typ, id string) error {
	if typ != PrincipalUser && typ != PrincipalGroup {
		return Violation(op, "principalType", "Member must satisfy enum value set: [USER, GROUP]")
	}
	return checkString(op, "principalId", id, 1, 47, principalIDRe)
}

// ValidAccountID reports whether s is a 12-digit account id.
func ValidAccountID(s string) bool { return accountIDRe.MatchString(s) }

// ValidateAccountID checks an account id at path.
func ValidateAccountID(op, path, id string) error {
	return checkString(op, path, id, 12, 12, accountIDRe)
}

// ValidOUID reports whether s is an organizational unit or root id.
func ValidOUID(s string) bool { return ouIDRe.MatchString(s) || rootIDRe.MatchString(s) }

// ValidateTarget checks the target of an account assignment.
func ValidateTarget(op, typ, id string) error {
	switch typ {
	case TargetAccount:
		return ValidateAccountID(op, "targetId", id)
	case TargetOrganizationalUnit:
		if !ValidOUID(id) {
			return Violation(op, "targetId", "Member must be an organizational unit id (ou-…) or a root id (r-…) when TargetType is ORGANIZATIONAL_UNIT")
		}
		return nil
	}
	return Violation(op, "targetType", "Member must satisfy enum value set: [AWS_ACCOUNT, ORGANIZATIONAL_UNIT]")
}

// ValidateRequestID checks the request id of an operation.
func ValidateRequestID(op, path, id string) error {
	return checkString(op, path, id, 36, 36, requestIDRe)
}
