// Package arn holds Atrium's identifier formats: the AWS-shaped ids of
// instances, identity stores, directory entries, organizations and keys, how
// they are generated and how they are parsed at the edge.
package arn

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// Partition is the ARN partition Atrium uses.
const Partition = "aws"

var (
	instanceIDRe      = regexp.MustCompile(`^ssoins-[0-9a-f]{16}$`)
	instanceARNRe     = regexp.MustCompile(`^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::instance/((sso)?ins-[a-zA-Z0-9-.]{16})$`)
	identityStoreIDRe = regexp.MustCompile(`^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$`)
	resourceIDRe      = regexp.MustCompile(`^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$`)
)

// InstanceARN formats the ARN of an instance id ("ssoins-…").
func InstanceARN(instanceID string) string {
	return "arn:" + Partition + ":sso:::instance/" + instanceID
}

// ParseInstanceARN returns the instance id of an instance ARN.
func ParseInstanceARN(s string) (string, bool) {
	m := instanceARNRe.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	return m[2], true
}

// ValidInstanceID reports whether s is an instance id as Atrium makes them.
func ValidInstanceID(s string) bool { return instanceIDRe.MatchString(s) }

// ValidIdentityStoreID reports whether s matches the identity store id pattern
// of the identitystore model.
func ValidIdentityStoreID(s string) bool { return identityStoreIDRe.MatchString(s) }

// ValidResourceID reports whether s matches the identitystore ResourceId
// pattern (user, group and membership ids).
func ValidResourceID(s string) bool { return len(s) <= 47 && resourceIDRe.MatchString(s) }

// IdentityStoreARN formats the ARN of an identity store.
func IdentityStoreARN(accountID, storeID string) string {
	return "arn:" + Partition + ":identitystore::" + accountID + ":identitystore/" + storeID
}

// UserARN formats the ARN of a directory user.
func UserARN(storeID, userID string) string {
	return "arn:" + Partition + ":identitystore::" + storeAccount(storeID) + ":user/" + userID
}

// GroupARN formats the ARN of a directory group.
func GroupARN(storeID, groupID string) string {
	return "arn:" + Partition + ":identitystore::" + storeAccount(storeID) + ":group/" + groupID
}

// MembershipARN formats the ARN of a group membership.
func MembershipARN(storeID, membershipID string) string {
	return "arn:" + Partition + ":identitystore::" + storeAccount(storeID) + ":membership/" + membershipID
}

// storeAccount: identitystore resource ARNs carry no account; AWS writes
// them as arn:aws:identitystore:::user/… . Kept as a function so the format
// lives in one place.
func storeAccount(string) string { return "" }

// IAMUserARN formats the ARN of an IAM-style user in an account.
func IAMUserARN(accountID, name string) string {
	return "arn:" + Partition + ":iam::" + accountID + ":user/" + name
}

// Generator makes new identifiers from a source of randomness, so that tests
// can make them deterministic.
type Generator struct {
	Rand io.Reader        // defaults to crypto/rand
	Now  func() time.Time // the clock of time-ordered ids; defaults to time.Now
}

func (g Generator) read(b []byte) {
	r := g.Rand
	if r == nil {
		r = rand.Reader
	}
	if _, err := io.ReadFull(r, b); err != nil {
		panic(fmt.Sprintf("arn: reading randomness: %v", err))
	}
}

func (g Generator) hex(n int) string {
	b := make([]byte, (n+1)/2)
	g.read(b)
	return hex.EncodeToString(b)[:n]
}

const lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
const base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func (g Generator) chars(alphabet string, n int) string {
	b := make([]byte, n)
	g.read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// InstanceID makes "ssoins-<16 hex>".
func (g Generator) InstanceID() string { return "ssoins-" + g.hex(16) }

// IdentityStoreID makes "d-<10 hex>".
func (g Generator) IdentityStoreID() string { return "d-" + g.hex(10) }

// UUID makes a random (version 4) UUID.
func (g Generator) UUID() string {
	var b [16]byte
	g.read(b[:])
	b[6] = b[6]&0x0f | 0x40
	return formatUUID(b)
}

// TimeUUID makes a time-ordered (version 7, RFC 9562 §5.7) UUID: the Unix
// time in milliseconds, then 74 random bits. Ids made later sort after
// those made in an earlier millisecond, so a table keyed by them grows at
// its end instead of at random places: every row inserted writes one
// random B-tree page fewer per index on the id. The time it reveals is the
// resource's creation time, which the APIs return anyway.
func (g Generator) TimeUUID() string {
	var b [16]byte
	g.read(b[6:])
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	ms := uint64(now().UnixMilli())
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x70
	return formatUUID(b)
}

// formatUUID sets the RFC 9562 variant of b and formats it.
func formatUUID(b [16]byte) string {
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// ResourceID makes a directory id (user, group, membership): the 10 hex
// digits of the identity store id, a dash, and a UUID, as AWS does
// ("906722b2be-2e5b9e5f-…"). The UUID is time-ordered (TimeUUID): a
// directory is written in bulk by provisioning, and its tables and
// indexes keyed by id then grow at their end.
func (g Generator) ResourceID(storeID string) string {
	prefix := strings.TrimPrefix(storeID, "d-")
	if len(prefix) != 10 {
		return g.TimeUUID()
	}
	return prefix + "-" + g.TimeUUID()
}

// AccountID makes a 12-digit account id that does not start with 0.
func (g Generator) AccountID() string {
	b := make([]byte, 12)
	g.read(b)
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	if b[0] == '0' {
		b[0] = '1'
	}
	return string(b)
}

// OrganizationID makes "o-<10 lowercase alnum>".
func (g Generator) OrganizationID() string { return "o-" + g.chars(lowerAlnum, 10) }

// RootID makes "r-<4 lowercase alnum>".
func (g Generator) RootID() string { return "r-" + g.chars(lowerAlnum, 4) }

// AccessKeyID makes a long-term access key id: "AKIA" and 16 base32 characters.
func (g Generator) AccessKeyID() string { return "AKIA" + g.chars(base32Upper, 16) }

// SecretAccessKey makes a 40-character secret access key.
func (g Generator) SecretAccessKey() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	return g.chars(alphabet, 40)
}

// PrincipalID makes the unique id of an IAM-style principal ("AIDA" + 17).
func (g Generator) PrincipalID() string { return "AIDA" + g.chars(base32Upper, 17) }

// Token makes an opaque secret of n random bytes, hex encoded.
func (g Generator) Token(n int) string {
	b := make([]byte, n)
	g.read(b)
	return hex.EncodeToString(b)
}

// Permission sets (sso-admin).

var permissionSetARNRe = regexp.MustCompile(`^arn:aws(-[a-z]{1,5}){0,3}:sso:::permissionSet/((sso)?ins-[a-zA-Z0-9-.]{16})/(ps-[a-zA-Z0-9-./]{16})$`)

// PermissionSetID makes "ps-<16 hex>", time-ordered as TimeUUID is: the
// Unix time in milliseconds in its first 44 bits (11 hex digits, enough
// until the year 2527), then 20 random bits. Permission sets are made in
// bulk and then assigned in bulk (infrastructure as code does both), and
// the assignments, provisionings and roles are keyed by permission set:
// their tables then grow at their ends rather than at random pages. Two
// ids of one millisecond may collide (one in a million): the creation
// draws another (see Service.CreatePermissionSet).
func (g Generator) PermissionSetID() string {
	var b [3]byte
	g.read(b[:])
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	v := uint64(now().UnixMilli())<<20 | uint64(b[0])<<12 | uint64(b[1])<<4 | uint64(b[2])>>4
	return fmt.Sprintf("ps-%016x", v)
}

// PermissionSetARN formats the ARN of a permission set of an instance.
func PermissionSetARN(instanceID, permissionSetID string) string {
	return "arn:" + Partition + ":sso:::permissionSet/" + instanceID + "/" + permissionSetID
}

// ParsePermissionSetARN returns the instance id and permission set id of a
// permission set ARN.
func ParsePermissionSetARN(s string) (instanceID, permissionSetID string, ok bool) {
	if len(s) > 1224 {
		return "", "", false
	}
	m := permissionSetARNRe.FindStringSubmatch(s)
	if m == nil {
		return "", "", false
	}
	return m[2], m[4], true
}

// Organizations ARNs. Every resource of an organization is named in the
// management account's partition, with the organization id.

// OrganizationARN formats the ARN of an organization.
func OrganizationARN(managementAccountID, orgID string) string {
	return "arn:" + Partition + ":organizations::" + managementAccountID + ":organization/" + orgID
}

// OrgAccountARN formats the ARN of an account of an organization.
func OrgAccountARN(managementAccountID, orgID, accountID string) string {
	return "arn:" + Partition + ":organizations::" + managementAccountID + ":account/" + orgID + "/" + accountID
}

// OrgRootARN formats the ARN of an organization's root.
func OrgRootARN(managementAccountID, orgID, rootID string) string {
	return "arn:" + Partition + ":organizations::" + managementAccountID + ":root/" + orgID + "/" + rootID
}

// OrgUnitARN formats the ARN of an organizational unit.
func OrgUnitARN(managementAccountID, orgID, ouID string) string {
	return "arn:" + Partition + ":organizations::" + managementAccountID + ":ou/" + orgID + "/" + ouID
}

// OrgPolicyARN formats the ARN of an organization policy of a type
// ("SERVICE_CONTROL_POLICY" → …:policy/o-…/service_control_policy/p-…).
func OrgPolicyARN(managementAccountID, orgID, policyType, policyID string) string {
	return "arn:" + Partition + ":organizations::" + managementAccountID + ":policy/" + orgID + "/" + strings.ToLower(policyType) + "/" + policyID
}

// AWSManagedOrgPolicyARN formats the ARN of an AWS-managed organization
// policy (arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess).
func AWSManagedOrgPolicyARN(policyType, policyID string) string {
	return "arn:" + Partition + ":organizations::aws:policy/" + strings.ToLower(policyType) + "/" + policyID
}

// OrganizationalUnitID makes "ou-<the root id's suffix>-<8 lowercase alnum>".
func (g Generator) OrganizationalUnitID(rootID string) string {
	return "ou-" + strings.TrimPrefix(rootID, "r-") + "-" + g.chars(lowerAlnum, 8)
}

// OrgPolicyID makes an organization policy id: "p-<8 lowercase alnum>".
func (g Generator) OrgPolicyID() string { return "p-" + g.chars(lowerAlnum, 8) }

// CreateAccountRequestID makes "car-<32 lowercase alnum>".
func (g Generator) CreateAccountRequestID() string { return "car-" + g.chars(lowerAlnum, 32) }

// IAM ids.

// PolicyID makes the id of a managed policy: "ANPA" and 17 base32 characters.
func (g Generator) PolicyID() string { return "ANPA" + g.chars(base32Upper, 17) }

// RoleID makes the id of a role: "AROA" and 17 base32 characters.
func (g Generator) RoleID() string { return "AROA" + g.chars(base32Upper, 17) }
