package org

import (
	"regexp"
	"strconv"
	"unicode/utf8"

	"github.com/atriumhq/atrium/internal/errs"
)

// Patterns of the organizations model (2016-11-28).
var (
	rootIDRe    = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)
	ouIDRe      = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
	accountIDRe = regexp.MustCompile(`^\d{12}$`)
	policyIDRe  = regexp.MustCompile(`^p-[0-9a-zA-Z_]{8,128}$`)
	requestIDRe = regexp.MustCompile(`^car-[a-z0-9]{8,32}$`)
	emailRe     = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
	roleNameRe  = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	tagTextRe   = regexp.MustCompile(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`)
	printableRe = regexp.MustCompile(`^[\x{0020}-\x{007E}]+$`)
)

// Id kinds that the operations take, with their model patterns.
type IDKind int

const (
	RootID IDKind = iota
	OrganizationalUnitID
	AccountID
	ParentID        // a root or an OU
	ChildID         // an account or an OU
	PolicyID        // p-…
	PolicyTargetID  // a root, an OU or an account
	TaggableID      // a root, an OU, an account or a policy
	CreateAccountID // car-…
)

var idPatterns = map[IDKind]struct {
	max     int
	pattern string
	match   func(string) bool
}{
	RootID:               {34, `^r-[0-9a-z]{4,32}$`, rootIDRe.MatchString},
	OrganizationalUnitID: {68, `^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`, ouIDRe.MatchString},
	AccountID:            {12, `^\d{12}$`, accountIDRe.MatchString},
	ParentID: {100, `^(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`, func(s string) bool {
		return rootIDRe.MatchString(s) || ouIDRe.MatchString(s)
	}},
	ChildID: {100, `^(\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`, func(s string) bool {
		return accountIDRe.MatchString(s) || ouIDRe.MatchString(s)
	}},
	PolicyID: {130, `^p-[0-9a-zA-Z_]{8,128}$`, policyIDRe.MatchString},
	PolicyTargetID: {100, `^(r-[0-9a-z]{4,32})|(\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`, func(s string) bool {
		return TargetType(s) != ""
	}},
	TaggableID: {130, `^(r-[0-9a-z]{4,32})|(\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})|(^p-[0-9a-zA-Z_]{8,128})$`, func(s string) bool {
		return TargetType(s) != "" || policyIDRe.MatchString(s)
	}},
	CreateAccountID: {36, `^car-[a-z0-9]{8,32}$`, requestIDRe.MatchString},
}

// InvalidInput is an InvalidInputException with its Reason.
func InvalidInput(op, reason, msg string) *errs.Error {
	return errs.E(errs.Invalid, op, msg).WithCode("InvalidInputException").With("Reason", reason)
}

// Error builds an error of the organizations model: a kind for every
// protocol and the exception name for the AWS one.
func Error(kind errs.Kind, op, code, msg string) *errs.Error {
	return errs.E(kind, op, msg).WithCode(code)
}

// ConstraintViolation is a ConstraintViolationException with its Reason.
func ConstraintViolation(op, reason, msg string) *errs.Error {
	return errs.E(errs.Conflict, op, msg).WithCode("ConstraintViolationException").With("Reason", reason)
}

// CheckID checks a required id against the pattern of its kind; field is the
// member name.
func CheckID(op, field, id string, kind IDKind) error {
	p := idPatterns[kind]
	switch {
	case id == "":
		return required(op, field)
	case len(id) > p.max:
		return InvalidInput(op, "MAX_LENGTH_EXCEEDED", "You provided a value for "+field+" that exceeds the maximum length of "+strconv.Itoa(p.max)+".")
	case !p.match(id):
		return InvalidInput(op, "INVALID_PATTERN", "You specified a value for "+field+" that doesn't match the required pattern "+p.pattern+".")
	}
	return nil
}

func required(op, field string) error {
	return InvalidInput(op, "INPUT_REQUIRED", "You must specify a value for "+field+".")
}

// CheckText checks a string member's length (in characters) and pattern.
func CheckText(op, field, v string, min, max int, re *regexp.Regexp) error {
	n := utf8.RuneCountInString(v)
	switch {
	case n == 0 && min > 0:
		return required(op, field)
	case n < min:
		return InvalidInput(op, "MIN_LENGTH_EXCEEDED", "You provided a value for "+field+" that is shorter than the minimum length of "+strconv.Itoa(min)+".")
	case n > max:
		return InvalidInput(op, "MAX_LENGTH_EXCEEDED", "You provided a value for "+field+" that exceeds the maximum length of "+strconv.Itoa(max)+".")
	case re != nil && !re.MatchString(v):
		return InvalidInput(op, "INVALID_PATTERN", "You specified a value for "+field+" that doesn't match the required pattern.")
	}
	return nil
}

// CheckEnum checks a required enum member.
func CheckEnum(op, field, v string, allowed ...string) error {
	if v == "" {
		return required(op, field)
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	reason := "INVALID_ENUM"
	if field == "PolicyType" || field == "Filter" || field == "Type" {
		reason = "INVALID_ENUM_POLICY_TYPE"
	}
	return InvalidInput(op, reason, "You specified an invalid value for "+field+".")
}

// CheckPolicyType checks a policy type member: one of the model's types.
func CheckPolicyType(op, field, v string) error { return CheckEnum(op, field, v, PolicyTypes...) }

// CheckOUName checks the name of an organizational unit.
func CheckOUName(op, name string) error { return CheckText(op, "Name", name, 1, 128, nil) }

// CheckPolicyFields checks the name and description of a policy.
func CheckPolicyFields(op, name, description string) error {
	if err := CheckText(op, "Name", name, 1, 128, nil); err != nil {
		return err
	}
	if utf8.RuneCountInString(description) > 512 {
		return InvalidInput(op, "MAX_LENGTH_EXCEEDED", "You provided a value for Description that exceeds the maximum length of 512.")
	}
	return nil
}

// CheckTags checks tags: keys 1..128 and values 0..256 characters of the
// tag alphabet, no key twice, at most MaxTags.
func CheckTags(op string, tags []Tag) error {
	if len(tags) > MaxTags {
		return ConstraintViolation(op, "MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the maximum number of tags allowed on this resource.")
	}
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		if err := CheckTagKey(op, t.Key); err != nil {
			return err
		}
		if err := CheckText(op, "Value", t.Value, 0, 256, tagTextRe); err != nil {
			return err
		}
		if seen[t.Key] {
			return InvalidInput(op, "DUPLICATE_TAG_KEY", "Tags contains the key "+t.Key+" more than once.")
		}
		seen[t.Key] = true
	}
	return nil
}

// CheckTagKey checks one tag key.
func CheckTagKey(op, key string) error {
	if err := CheckText(op, "Key", key, 1, 128, tagTextRe); err != nil {
		return err
	}
	if len(key) >= 4 && key[:4] == "aws:" {
		return InvalidInput(op, "INVALID_SYSTEM_TAGS_PARAMETER", "Tag keys may not begin with aws:, which is reserved for AWS use.")
	}
	return nil
}

// CheckCreateAccount checks a CreateAccount request.
func CheckCreateAccount(op string, r *CreateAccountStatus) error {
	if err := CheckText(op, "Email", r.Email, 6, 64, emailRe); err != nil {
		return err
	}
	if err := CheckText(op, "AccountName", r.AccountName, 1, 50, printableRe); err != nil {
		return err
	}
	if r.RoleName != "" && !roleNameRe.MatchString(r.RoleName) {
		if len(r.RoleName) > 64 {
			return InvalidInput(op, "MAX_LENGTH_EXCEEDED", "You provided a value for RoleName that exceeds the maximum length of 64.")
		}
		return InvalidInput(op, "INVALID_ROLE_NAME", "You provided a role name that isn't valid.")
	}
	if r.IAMUserAccessToBilling != "" {
		if err := CheckEnum(op, "IamUserAccessToBilling", r.IAMUserAccessToBilling, "ALLOW", "DENY"); err != nil {
			return err
		}
	}
	return CheckTags(op, r.Tags)
}

// CheckCreateAccountStates checks the States filter of ListCreateAccountStatus.
func CheckCreateAccountStates(op string, states []string) error {
	for _, s := range states {
		if err := CheckEnum(op, "States", s, CreateInProgress, CreateSucceeded, CreateFailed); err != nil {
			return InvalidInput(op, "INVALID_LIST_MEMBER", "You specified an invalid value in States: "+s+".")
		}
	}
	return nil
}
