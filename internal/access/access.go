// Package access is the model of who may enter which account with which
// permissions: permission sets and the policies they carry, account
// assignments, the provisioning of permission sets to accounts, and the
// asynchronous operations that change them. It does no I/O.
package access

import (
	"time"
)

// PermissionSet is a named bundle of policies and session settings.
type PermissionSet struct {
	InstanceID      string
	ID              string // ps-<16 hex>
	Name            string
	Description     string
	SessionDuration string // ISO-8601, as given; DefaultSessionDuration when unset
	RelayState      string
	InlinePolicy    string // "" when none
	Boundary        *Boundary
	// Version counts the changes that provisioning must carry to accounts
	// (policies, boundary, session duration, relay state). An account is
	// provisioned with the latest permission set when it was provisioned
	// with this version.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DefaultSessionDuration is the session duration of a permission set
// created without one.
const DefaultSessionDuration = "PT1H"

// ManagedPolicy is an AWS managed policy attached to a permission set.
type ManagedPolicy struct {
	ARN  string // arn:aws:iam::aws:policy/…
	Name string // the last part of the ARN
}

// CustomerPolicyRef names a customer managed policy that each account a
// permission set is provisioned to must hold.
type CustomerPolicyRef struct {
	Name string
	Path string // "/" by default
}

// Boundary is the permissions boundary of a permission set: an AWS managed
// policy or a customer managed policy reference, exactly one.
type Boundary struct {
	ManagedPolicyARN string
	CustomerPolicy   *CustomerPolicyRef
}

// Tag is a key and value on a taggable resource.
type Tag struct {
	Key   string
	Value string
}

// Principal types.
const (
	PrincipalUser  = "USER"
	PrincipalGroup = "GROUP"
)

// Target types. TargetOrganizationalUnit is an Atrium extension: the
// assignment applies to every account under the OU, at any depth.
const (
	TargetAccount            = "AWS_ACCOUNT"
	TargetOrganizationalUnit = "ORGANIZATIONAL_UNIT"
	// TargetAllProvisioned is the ProvisionPermissionSet target of every
	// account the permission set is provisioned to.
	TargetAllProvisioned = "ALL_PROVISIONED_ACCOUNTS"
)

// Assignment grants a principal a permission set in a target: an account,
// or every account under an organizational unit.
type Assignment struct {
	InstanceID      string
	TargetID        string
	TargetType      string
	PermissionSetID string
	PrincipalType   string
	PrincipalID     string
	CreatedAt       time.Time
}

// Key is the order of assignments in listings: unique per instance.
func (a *Assignment) Key() string {
	return a.TargetID + "/" + a.PermissionSetID + "/" + a.PrincipalType + "/" + a.PrincipalID
}

// Provision records that a permission set is provisioned to a target (an
// account, or every account under an organizational unit), and with which
// version of the permission set.
type Provision struct {
	InstanceID      string
	PermissionSetID string
	TargetID        string
	TargetType      string // TargetAccount or TargetOrganizationalUnit
	Version         int64
	UpdatedAt       time.Time
}

// Provisioning statuses of a permission set in an account.
const (
	Provisioned    = "LATEST_PERMISSION_SET_PROVISIONED"
	NotProvisioned = "LATEST_PERMISSION_SET_NOT_PROVISIONED"
)

// ProvisioningStatus is the status of an account provisioned with version
// of a permission set whose latest version is latest.
func ProvisioningStatus(version, latest int64) string {
	if version >= latest {
		return Provisioned
	}
	return NotProvisioned
}

// ValidProvisioningStatus reports whether s is a ProvisioningStatus value.
func ValidProvisioningStatus(s string) bool { return s == Provisioned || s == NotProvisioned }

// EffectiveVersion is the version of a permission set provisioned to an
// account, given the provisions of the account and of its ancestors: the
// newest of them, or 0 and false when none applies.
func EffectiveVersion(provisions []Provision) (int64, bool) {
	var v int64
	for _, p := range provisions {
		v = max(v, p.Version)
	}
	return v, len(provisions) > 0
}

// CustomerManagedPolicy is a policy of an account, which customer managed
// policy references of permission sets resolve to.
type CustomerManagedPolicy struct {
	InstanceID       string
	AccountID        string
	Path             string
	Name             string
	Document         string
	PolicyID         string // ANPA…, 21 characters
	Description      string
	DefaultVersionID string // "v1"
	Tags             []Tag
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// ARN is the policy's ARN.
func (p *CustomerManagedPolicy) ARN() string { return CustomerPolicyARN(p.AccountID, p.Path, p.Name) }
