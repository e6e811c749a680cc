package org

import (
	"time"
)

// Account statuses (AccountStatus) and how an account joined.
const (
	AccountActive         = "ACTIVE"
	AccountSuspended      = "SUSPENDED"
	AccountPendingClosure = "PENDING_CLOSURE"

	JoinedCreated = "CREATED"
	JoinedInvited = "INVITED"
)

// State is the newer AccountState of an account's status: the same names,
// as every status Atrium keeps has one.
func (a *Account) State() string { return a.Status }

// RootName is the name AWS gives an organization's root.
const RootName = "Root"

// Root is the top of an organization's tree.
type Root struct {
	ID          string
	Name        string
	PolicyTypes []PolicyTypeSummary
}

// PolicyTypeSummary is a policy type and its status on a root.
type PolicyTypeSummary struct {
	Type   string
	Status string
}

// Policy types and their statuses on a root.
const (
	ServiceControlPolicy = "SERVICE_CONTROL_POLICY"

	PolicyTypeEnabled = "ENABLED"
)

// PolicyTypes are the policy types of the model; Atrium implements service
// control policies.
var PolicyTypes = []string{
	"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", "TAG_POLICY", "BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY",
	"CHATBOT_POLICY", "DECLARATIVE_POLICY_EC2", "SECURITYHUB_POLICY", "INSPECTOR_POLICY", "UPGRADE_ROLLOUT_POLICY",
	"BEDROCK_POLICY", "S3_POLICY", "NETWORK_SECURITY_DIRECTOR_POLICY",
}

// OrganizationalUnit is a container of accounts and other OUs.
type OrganizationalUnit struct {
	ID         string // ou-<root suffix>-<8 lowercase alnum>
	InstanceID string
	ParentID   string // the root or an OU
	Name       string
	CreatedAt  time.Time
}

// Parent and child types.
const (
	TypeRoot               = "ROOT"
	TypeOrganizationalUnit = "ORGANIZATIONAL_UNIT"
	TypeAccount            = "ACCOUNT"
)

// MaxOUDepth is how deep OUs may nest under the root.
const MaxOUDepth = 5

// Tag is a key and value on a root, OU, account or policy.
type Tag struct {
	Key   string
	Value string
}

// MaxTags is how many tags one resource may carry.
const MaxTags = 50

// Policy is an organization policy. AWS-managed policies are shared by every
// instance and cannot be changed.
type Policy struct {
	ID          string // p-<8 lowercase alnum>, or p-FullAWSAccess
	InstanceID  string // "" for AWS-managed policies
	Type        string
	Name        string
	Description string
	Content     string
	AWSManaged  bool
}

// FullAWSAccessID is the id of the AWS-managed SCP that allows everything;
// it is attached to the root, and to every new OU and account, while
// service control policies are enabled.
const FullAWSAccessID = "p-FullAWSAccess"

// PolicyTarget is a root, OU or account that a policy is attached to.
type PolicyTarget struct {
	TargetID string
	Type     string // ROOT, ORGANIZATIONAL_UNIT, ACCOUNT
}

// TargetType names the type of a target id by its shape.
func TargetType(id string) string {
	switch {
	case rootIDRe.MatchString(id):
		return TypeRoot
	case ouIDRe.MatchString(id):
		return TypeOrganizationalUnit
	case accountIDRe.MatchString(id):
		return TypeAccount
	}
	return ""
}

// CreateAccountStatus is one asynchronous CreateAccount request.
type CreateAccountStatus struct {
	ID                     string // car-<8..32 lowercase alnum>
	InstanceID             string
	AccountName            string
	Email                  string
	RoleName               string
	IAMUserAccessToBilling string // ALLOW or DENY
	Tags                   []Tag  // applied to the account when it is made
	State                  string
	RequestedAt            time.Time
	CompletedAt            time.Time
	AccountID              string // when SUCCEEDED
	FailureReason          string // when FAILED
}

// CreateAccount states and the failure reasons Atrium gives.
const (
	CreateInProgress = "IN_PROGRESS"
	CreateSucceeded  = "SUCCEEDED"
	CreateFailed     = "FAILED"

	FailureEmailAlreadyExists = "EMAIL_ALREADY_EXISTS"
	FailureAccountLimit       = "ACCOUNT_LIMIT_EXCEEDED"
	FailureInternal           = "INTERNAL_FAILURE"
)

// DefaultRoleName is the role CreateAccount makes when none is named.
const DefaultRoleName = "OrganizationAccountAccessRole"

// MaxAccounts is how many accounts an organization may hold.
const MaxAccounts = 10000

// Path is the newer Path of an OU or entry of an account's Paths:
// "o-…/r-…/ou-…/…/" followed by the account id for an account.
func Path(orgID string, ancestors []string, id string) string {
	p := orgID + "/"
	for _, a := range ancestors {
		p += a + "/"
	}
	return p + id + "/"
}
