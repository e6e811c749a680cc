package access

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Role is the IAM role that provisioning a permission set to an account
// makes in the account: the role its users' sessions assume.
type Role struct {
	InstanceID      string
	AccountID       string
	PermissionSetID string
	Name            string // AWSReservedSSO_<permission set name>_<16 hex>
	RoleID          string // AROA…
	Path            string // RolePath(region)
	CreatedAt       time.Time
}

// ARN is the role's ARN.
func (r *Role) ARN() string { return "arn:aws:iam::" + r.AccountID + ":role" + r.Path + r.Name }

// RolePrefix begins the name of every role Identity Center provisions.
const RolePrefix = "AWSReservedSSO_"

// RolePath is the path of the provisioned roles of an instance in region:
// AWS adds the region for every region but us-east-1.
func RolePath(region string) string {
	if region == "" || region == "us-east-1" {
		return "/aws-reserved/sso.amazonaws.com/"
	}
	return "/aws-reserved/sso.amazonaws.com/" + region + "/"
}

// RoleName is the name of the role of a permission set in an account:
// AWSReservedSSO_<permission set name>_<16 lowercase hex>, the hex a keyed
// hash of the instance, the permission set and the account, so that it is
// stable for the three and says nothing of them.
func RoleName(key []byte, instanceID, permissionSetID, permissionSetName, accountID string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(instanceID + "\x00" + permissionSetID + "\x00" + accountID))
	return RolePrefix + permissionSetName + "_" + hex.EncodeToString(m.Sum(nil)[:8])
}

// SAMLProviderName is the name of the SAML provider that the provisioned
// roles of an instance trust, in every account.
func SAMLProviderName(key []byte, instanceID string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("saml-provider\x00" + instanceID))
	return "AWSSSO_" + hex.EncodeToString(m.Sum(nil)[:8]) + "_DO_NOT_DELETE"
}
