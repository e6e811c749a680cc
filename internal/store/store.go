// Package store defines the one interface through which Atrium keeps its
// state. Engines (SQLite, PostgreSQL) implement it; one conformance suite in
// storetest checks each of them.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/audit"
	"github.com/atriumhq/atrium/internal/credentials"
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/org"
)

// Sentinel errors. The service layer turns them into domain errors.
var (
	ErrNotFound = errors.New("store: not found")
	ErrConflict = errors.New("store: conflict with an existing row")
)

// Store is a transactional store.
type Store interface {
	// Read runs fn in a read-only transaction.
	Read(ctx context.Context, fn func(Tx) error) error
	// Write runs fn in a read-write transaction and commits it if fn
	// returns nil. Writes are serialized where the engine needs it.
	Write(ctx context.Context, fn func(Tx) error) error
	// WriteRelaxed runs fn like Write, atomically and in order with every
	// other write, but may return before the commit is durable: it becomes
	// durable with the next Write that commits, or on its own within about
	// a second. A crash of Atrium loses nothing; a power loss or a crash of
	// the operating system may lose the relaxed commits of that last moment,
	// never a Write acknowledged before or after them. It is for records
	// that change nothing else, such as the audit events of reads.
	WriteRelaxed(ctx context.Context, fn func(Tx) error) error
	// WriteBulk runs fn like Write, for a function that writes many rows
	// in many calls (a background worker's batch): where writes are
	// committed in groups (SQLite), in a transaction of its own.
	WriteBulk(ctx context.Context, fn func(Tx) error) error
	// SerialWrites reports whether write transactions run one at a time,
	// so that every statement of one sees the same state, as a Read's do
	// (SQLite). Where they run side by side (PostgreSQL's READ COMMITTED),
	// each statement sees the commits made since the one before: reads that
	// need one state use Read.
	SerialWrites() bool
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Engine names the engine ("sqlite", "postgres").
	Engine() string
	// Lead makes this process the leader of name among the processes that
	// share the database, so that work meant to run once (the background
	// workers) runs on one node. It blocks while another process leads, until
	// this one does or ctx ends; it returns an error when the database
	// fails, and the caller tries again. The process leads until it calls
	// release, or until lost is closed: the engine lost the means to hold
	// the lead (its connection to the database failed), and another process
	// may lead already. release must be called in either case; it returns
	// once another process may lead. An engine that serves a single
	// process lets it lead at once.
	Lead(ctx context.Context, name string) (lost <-chan struct{}, release func(), err error)
	Close() error
}

// WorkListener is an engine that tells the processes sharing its database
// when a transaction queued work for the background workers
// (Tx.NotifyWork), so that the leader, wherever it runs, starts at once.
// Engines without it serve a single process, which wakes its own workers.
type WorkListener interface {
	// ListenWork calls notify after each commit, by any process, of a
	// transaction that called Tx.NotifyWork, until ctx ends (it then
	// returns ctx.Err()) or the connection fails. Notifications may be
	// coalesced.
	ListenWork(ctx context.Context, notify func()) error
}

// Tx is one transaction. Every method takes the context first; directory
// methods are scoped to an instance.
type Tx interface {
	// OnCommit has f called once the transaction has committed, before
	// the call that committed it returns; on SQLite, before any call whose
	// write shared the commit returns, by the writer. f must be quick and
	// must not use the transaction.
	OnCommit(f func())
	// LockBootstrap serializes bootstrap across nodes sharing the database
	// until the transaction ends.
	LockBootstrap(ctx context.Context) error
	// NotifyWork tells the leader's WorkListener, when the transaction
	// commits, that it queued work for the background workers.
	NotifyWork(ctx context.Context) error
	GetMeta(ctx context.Context, key string) (string, error)
	SetMeta(ctx context.Context, key, value string) error

	CreateInstance(ctx context.Context, in *org.Instance) error
	GetInstance(ctx context.Context, id string) (*org.Instance, error)
	GetInstanceByStore(ctx context.Context, identityStoreID string) (*org.Instance, error)
	ListInstances(ctx context.Context, page Page) ([]org.Instance, error)

	CreateOrganization(ctx context.Context, o *org.Organization) error
	GetOrganization(ctx context.Context, instanceID string) (*org.Organization, error)
	CreateAccount(ctx context.Context, a *org.Account) error
	GetAccount(ctx context.Context, instanceID, accountID string) (*org.Account, error)

	CreatePrincipal(ctx context.Context, p *credentials.Principal) error
	GetPrincipal(ctx context.Context, id string) (*credentials.Principal, error)
	CreateAccessKey(ctx context.Context, k *SealedAccessKey) error
	GetAccessKey(ctx context.Context, id string) (*SealedAccessKey, error)

	CreateUser(ctx context.Context, u *directory.User) error
	GetUser(ctx context.Context, instanceID, userID string) (*directory.User, error)
	UpdateUser(ctx context.Context, u *directory.User) error
	// DeleteUser deletes a user with its memberships, account assignments
	// and external ids.
	DeleteUser(ctx context.Context, instanceID, userID string) error
	ListUsers(ctx context.Context, instanceID string, q UserQuery) ([]directory.User, error)
	CountUsers(ctx context.Context, instanceID string) (int, error)

	CreateGroup(ctx context.Context, g *directory.Group) error
	GetGroup(ctx context.Context, instanceID, groupID string) (*directory.Group, error)
	UpdateGroup(ctx context.Context, g *directory.Group) error
	// DeleteGroup deletes a group with its memberships, account
	// assignments and external ids.
	DeleteGroup(ctx context.Context, instanceID, groupID string) error
	ListGroups(ctx context.Context, instanceID string, q GroupQuery) ([]directory.Group, error)

	// FindByExternalID returns the id of the user ("USER") or group
	// ("GROUP") with that external id.
	FindByExternalID(ctx context.Context, instanceID, kind string, x directory.ExternalID) (string, error)

	CreateMembership(ctx context.Context, m *directory.Membership) error
	GetMembership(ctx context.Context, instanceID, membershipID string) (*directory.Membership, error)
	FindMembership(ctx context.Context, instanceID, groupID, userID string) (*directory.Membership, error)
	DeleteMembership(ctx context.Context, instanceID, membershipID string) error
	ListMembershipsOfGroup(ctx context.Context, instanceID, groupID string, page Page) ([]directory.Membership, error)
	ListMembershipsOfUser(ctx context.Context, instanceID, userID string, page Page) ([]directory.Membership, error)
	// CreateMemberships creates memberships, all or none: ErrConflict when
	// one exists already, ErrNotFound when a group or user does not exist.
	CreateMemberships(ctx context.Context, ms []directory.Membership) error
	// DeleteGroupMembers removes users from a group, all or none:
	// ErrNotFound when one of them is not a member.
	DeleteGroupMembers(ctx context.Context, instanceID, groupID string, userIDs []string) error
	// UserStatuses returns the status of those of ids that are users of the
	// instance, by id.
	UserStatuses(ctx context.Context, instanceID string, ids []string) (map[string]directory.UserStatus, error)

	// ListUsersWhere and the methods after it serve SCIM, which filters and
	// pages in more ways than the identitystore API.
	ListUsersWhere(ctx context.Context, instanceID string, f UserFilter) ([]directory.User, error)
	CountUsersWhere(ctx context.Context, instanceID string, f UserFilter) (int, error)
	ListGroupsWhere(ctx context.Context, instanceID string, f GroupFilter) ([]directory.Group, error)
	CountGroupsWhere(ctx context.Context, instanceID string, f GroupFilter) (int, error)
	// GroupMemberIDs returns the ids of every user in a group, ordered.
	GroupMemberIDs(ctx context.Context, instanceID, groupID string) ([]string, error)
	// UserGroupIDs returns the ids of every group of a user, ordered.
	UserGroupIDs(ctx context.Context, instanceID, userID string) ([]string, error)

	CreateSCIMToken(ctx context.Context, t *SCIMToken) error
	GetSCIMToken(ctx context.Context, id string) (*SCIMToken, error)
	ListSCIMTokens(ctx context.Context, instanceID string) ([]SCIMToken, error)
	RevokeSCIMToken(ctx context.Context, instanceID, id string, at time.Time) error

	// ---- Organizations: the tree of an instance's organization (its root,
	// organizational units and accounts), its policies and their
	// attachments, tags, and asynchronous account creations. Every method is
	// scoped to an instance.

	// LockOrganization serializes the writes to an instance's organization
	// until the transaction ends, so that checks such as "the OU is empty"
	// hold when the change commits.
	LockOrganization(ctx context.Context, instanceID string) error
	// ListAccounts lists accounts ordered by id, of one parent if q.ParentID
	// is set.
	ListAccounts(ctx context.Context, instanceID string, q AccountQuery) ([]org.Account, error)
	// FindAccountByEmail finds an account by email, case-insensitively.
	FindAccountByEmail(ctx context.Context, instanceID, email string) (*org.Account, error)
	CountAccounts(ctx context.Context, instanceID string) (int, error)
	// UpdateAccount writes an account's name, email, status and parent.
	UpdateAccount(ctx context.Context, a *org.Account) error
	// DeleteAccount removes an account with its tags and policy attachments.
	DeleteAccount(ctx context.Context, instanceID, accountID string) error
	// ListAccountsUnder returns the accounts whose parent is parentID (a root
	// or an OU), or, if recursive, that lie anywhere beneath it; ordered by id.
	ListAccountsUnder(ctx context.Context, instanceID, parentID string, recursive bool) ([]org.Account, error)
	// AccountParentPath returns the ids of an account's ancestors: the root
	// first, its direct parent last.
	AccountParentPath(ctx context.Context, instanceID, accountID string) ([]string, error)
	// OrganizationalUnitParentPath returns the ids of an OU's ancestors: the
	// root first, its direct parent last.
	OrganizationalUnitParentPath(ctx context.Context, instanceID, ouID string) ([]string, error)

	CreateOrganizationalUnit(ctx context.Context, u *org.OrganizationalUnit) error
	GetOrganizationalUnit(ctx context.Context, instanceID, ouID string) (*org.OrganizationalUnit, error)
	// UpdateOrganizationalUnit writes an OU's name and parent.
	UpdateOrganizationalUnit(ctx context.Context, u *org.OrganizationalUnit) error
	// DeleteOrganizationalUnit removes an OU with its tags and policy
	// attachments; it does not look for children.
	DeleteOrganizationalUnit(ctx context.Context, instanceID, ouID string) error
	// ListOrganizationalUnits lists the OUs whose parent is parentID, by id.
	ListOrganizationalUnits(ctx context.Context, instanceID, parentID string, page Page) ([]org.OrganizationalUnit, error)

	// ListPolicyTypes returns the policy types enabled on the root.
	ListPolicyTypes(ctx context.Context, instanceID string) ([]org.PolicyTypeSummary, error)
	// SetPolicyType sets a policy type's status on the root; "" removes it.
	SetPolicyType(ctx context.Context, instanceID, policyType, status string) error

	// CreateOrgPolicy stores a policy; a name taken by another policy of the
	// type, AWS-managed ones included, is ErrConflict.
	CreateOrgPolicy(ctx context.Context, p *org.Policy) error
	// GetOrgPolicy returns a policy of the instance or an AWS-managed one.
	GetOrgPolicy(ctx context.Context, instanceID, policyID string) (*org.Policy, error)
	// UpdateOrgPolicy writes a policy's name, description and content.
	UpdateOrgPolicy(ctx context.Context, p *org.Policy) error
	// DeleteOrgPolicy removes a policy with its tags.
	DeleteOrgPolicy(ctx context.Context, instanceID, policyID string) error
	// ListOrgPolicies lists the policies of a type, AWS-managed ones
	// included, by id.
	ListOrgPolicies(ctx context.Context, instanceID, policyType string, page Page) ([]org.Policy, error)
	// AttachOrgPolicy attaches a policy to a target; ErrConflict if it is.
	AttachOrgPolicy(ctx context.Context, instanceID, policyID string, target org.PolicyTarget) error
	// DetachOrgPolicy detaches a policy from a target; ErrNotFound if it is not.
	DetachOrgPolicy(ctx context.Context, instanceID, policyID, targetID string) error
	// DetachOrgPoliciesOfType detaches every policy of a type from every target.
	DetachOrgPoliciesOfType(ctx context.Context, instanceID, policyType string) error
	// ListOrgPoliciesForTarget lists the policies of a type attached to a target, by id.
	ListOrgPoliciesForTarget(ctx context.Context, instanceID, targetID, policyType string, page Page) ([]org.Policy, error)
	// ListOrgPolicyTargets lists the targets of a policy, by target id.
	ListOrgPolicyTargets(ctx context.Context, instanceID, policyID string, page Page) ([]org.PolicyTarget, error)

	// SetOrgTags adds tags to a resource, replacing the values of keys it has.
	SetOrgTags(ctx context.Context, instanceID, resourceID string, tags []org.Tag) error
	// DeleteOrgTags removes the tags of keys from a resource; absent keys are ignored.
	DeleteOrgTags(ctx context.Context, instanceID, resourceID string, keys []string) error
	// ListOrgTags lists a resource's tags by key; Page.After is a key.
	ListOrgTags(ctx context.Context, instanceID, resourceID string, page Page) ([]org.Tag, error)

	// CreateAccountRequest stores a new CreateAccount request.
	CreateAccountRequest(ctx context.Context, r *org.CreateAccountStatus) error
	GetCreateAccountStatus(ctx context.Context, instanceID, requestID string) (*org.CreateAccountStatus, error)
	// ListCreateAccountStatuses lists requests by id, in any of states (all if none).
	ListCreateAccountStatuses(ctx context.Context, instanceID string, states []string, page Page) ([]org.CreateAccountStatus, error)
	// ClaimCreateAccountRequest returns the oldest request of any instance
	// still IN_PROGRESS and locks it until the transaction ends; requests
	// locked by other transactions are skipped. ErrNotFound when none is left.
	ClaimCreateAccountRequest(ctx context.Context) (*org.CreateAccountStatus, error)
	// CompleteCreateAccountRequest writes a request's state, completion time,
	// account id and failure reason.
	CompleteCreateAccountRequest(ctx context.Context, r *org.CreateAccountStatus) error
	// ClaimClosingAccount returns an account of any instance that is
	// PENDING_CLOSURE and locks it like ClaimCreateAccountRequest.
	ClaimClosingAccount(ctx context.Context) (*org.Account, error)
	// ---- end of organizations

	// AppendAudit links data to the end of the audit chain, sealing the new
	// head with key.
	AppendAudit(ctx context.Context, key []byte, instanceID string, t time.Time, eventName string, data []byte) (audit.Record, error)
	AuditHead(ctx context.Context) (audit.Head, error)
	// ScanAudit returns up to limit records with Seq > after, in order.
	ScanAudit(ctx context.Context, after int64, limit int) ([]audit.Record, error)

	AccessTx
	ChangeTx
}

// Page selects a page of a listing ordered by id: rows whose key is greater
// than After, at most Limit of them.
type Page struct {
	After string
	Limit int
}

// UserQuery selects users.
type UserQuery struct {
	Page
	UserName string // exact user name, case-insensitive
	Email    string // exact primary email, case-insensitive
}

// GroupQuery selects groups.
type GroupQuery struct {
	Page
	DisplayName string // exact display name, case-insensitive
}

// AccountQuery selects accounts.
type AccountQuery struct {
	Page
	ParentID string // accounts directly under this root or OU; "" for all
}

// SealedAccessKey is an access key whose secret is encrypted.
type SealedAccessKey struct {
	ID           string
	PrincipalID  string
	SealedSecret []byte
	Status       string
	CreatedAt    time.Time
}

// UserFilter selects users by any combination of its fields (all must
// hold), ordered by id, from After (exclusive) or skipping Offset rows.
type UserFilter struct {
	ID       string
	UserName string // case-insensitive
	Email    string // primary email, case-insensitive
	External *directory.ExternalID
	GroupID  string // members of this group
	After    string
	Offset   int
	Limit    int // 0: no limit
}

// GroupFilter selects groups like UserFilter selects users.
type GroupFilter struct {
	ID          string
	DisplayName string // case-insensitive
	External    *directory.ExternalID
	MemberID    string // groups that have this user
	After       string
	Offset      int
	Limit       int
}

// SCIMToken is a bearer token of an instance's SCIM endpoint; only a hash of
// its secret is kept.
type SCIMToken struct {
	ID         string
	InstanceID string
	Hash       []byte
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RevokedAt  time.Time // zero while valid
}

// AccessTx holds permission sets, account assignments, provisioning and the
// asynchronous operations of sso-admin. Every method is scoped to an
// instance, except ClaimOperations, which serves the background worker.
type AccessTx interface {
	// CreatePermissionSet stores a new permission set; ErrConflict when
	// the instance has one of that name (case-insensitive).
	CreatePermissionSet(ctx context.Context, ps *access.PermissionSet) error
	GetPermissionSet(ctx context.Context, instanceID, id string) (*access.PermissionSet, error)
	// GetPermissionSets returns those of the permission sets ids names
	// that exist, in no particular order.
	GetPermissionSets(ctx context.Context, instanceID string, ids []string) ([]access.PermissionSet, error)
	// UpdatePermissionSet replaces every field of a permission set.
	UpdatePermissionSet(ctx context.Context, ps *access.PermissionSet) error
	// DeletePermissionSet deletes a permission set with its policies and tags.
	DeletePermissionSet(ctx context.Context, instanceID, id string) error
	// ListPermissionSets pages by id.
	ListPermissionSets(ctx context.Context, instanceID string, page Page) ([]access.PermissionSet, error)
	CountPermissionSets(ctx context.Context, instanceID string) (int, error)

	// AddManagedPolicy attaches an AWS managed policy; ErrConflict when
	// attached already.
	AddManagedPolicy(ctx context.Context, instanceID, permissionSetID string, p access.ManagedPolicy) error
	RemoveManagedPolicy(ctx context.Context, instanceID, permissionSetID, policyARN string) error
	// ListManagedPolicies returns the attached policies ordered by ARN.
	ListManagedPolicies(ctx context.Context, instanceID, permissionSetID string) ([]access.ManagedPolicy, error)
	// AddCustomerPolicyRef attaches a customer managed policy reference;
	// ErrConflict when attached already (same path and name).
	AddCustomerPolicyRef(ctx context.Context, instanceID, permissionSetID string, r access.CustomerPolicyRef) error
	RemoveCustomerPolicyRef(ctx context.Context, instanceID, permissionSetID string, r access.CustomerPolicyRef) error
	// ListCustomerPolicyRefs returns the references ordered by path, name.
	ListCustomerPolicyRefs(ctx context.Context, instanceID, permissionSetID string) ([]access.CustomerPolicyRef, error)
	// ListCustomerPolicyRefsOf returns the references of several permission
	// sets, by permission set id, each ordered by path, name; a set without
	// any has no entry.
	ListCustomerPolicyRefsOf(ctx context.Context, instanceID string, permissionSetIDs []string) (map[string][]access.CustomerPolicyRef, error)

	// PutTags sets tags of a resource (a permission set or instance id),
	// replacing the values of keys it has.
	PutTags(ctx context.Context, instanceID, resourceID string, tags []access.Tag) error
	RemoveTags(ctx context.Context, instanceID, resourceID string, keys []string) error
	// ListTags returns a resource's tags ordered by key.
	ListTags(ctx context.Context, instanceID, resourceID string) ([]access.Tag, error)

	// UpdateInstanceName renames an instance.
	UpdateInstanceName(ctx context.Context, instanceID, name string) error

	// CreateAssignment stores an assignment; ErrConflict when it exists.
	CreateAssignment(ctx context.Context, a *access.Assignment) error
	// DeleteAssignment deletes an assignment; ErrNotFound when absent.
	DeleteAssignment(ctx context.Context, a *access.Assignment) error
	// ListAssignments returns the assignments q selects, ordered by
	// Assignment.Key.
	ListAssignments(ctx context.Context, instanceID string, q AssignmentQuery) ([]access.Assignment, error)

	// PutProvision records (or updates) the provisioning of a permission
	// set to a target.
	PutProvision(ctx context.Context, p *access.Provision) error
	DeleteProvision(ctx context.Context, instanceID, permissionSetID, targetID string) error
	// ListProvisions returns the provisions q selects, ordered by
	// permission set id, then target id.
	ListProvisions(ctx context.Context, instanceID string, q ProvisionQuery) ([]access.Provision, error)

	CreateOperation(ctx context.Context, o *access.Operation) error
	GetOperation(ctx context.Context, instanceID, requestID string) (*access.Operation, error)
	// ListOperations returns operations ordered by Operation.Key.
	ListOperations(ctx context.Context, instanceID string, q OperationQuery) ([]access.Operation, error)
	// ClaimOperations returns up to limit operations in progress of any
	// instance, oldest first, and locks them until the transaction ends:
	// a concurrent ClaimOperations on another node skips them.
	ClaimOperations(ctx context.Context, limit int) ([]access.Operation, error)
	// CompleteOperation records the status, failure reason and completion
	// time of an operation in progress; ErrNotFound when it is not.
	CompleteOperation(ctx context.Context, o *access.Operation) error
	// CountPendingOperations counts the operations in progress that name a
	// permission set.
	CountPendingOperations(ctx context.Context, instanceID, permissionSetID string) (int, error)

	// PutCustomerManagedPolicy stores a customer managed policy of an
	// account, replacing one of the same name.
	PutCustomerManagedPolicy(ctx context.Context, p *access.CustomerManagedPolicy) error
	// GetCustomerManagedPolicy returns the policy of an account with that
	// name (IAM policy names are unique in an account, whatever the path).
	GetCustomerManagedPolicy(ctx context.Context, instanceID, accountID, name string) (*access.CustomerManagedPolicy, error)
	// CreateCustomerManagedPolicy stores a new customer managed policy;
	// ErrConflict when the account has one of that name.
	CreateCustomerManagedPolicy(ctx context.Context, p *access.CustomerManagedPolicy) error
	// DeleteCustomerManagedPolicy deletes a policy of an account by name;
	// ErrNotFound when absent.
	DeleteCustomerManagedPolicy(ctx context.Context, instanceID, accountID, name string) error
	// ListCustomerManagedPolicies pages the policies of an account in the
	// order of their ARNs: by path, then name; Page.After is path + name.
	ListCustomerManagedPolicies(ctx context.Context, instanceID, accountID string, page Page) ([]access.CustomerManagedPolicy, error)
	CountCustomerManagedPolicies(ctx context.Context, instanceID, accountID string) (int, error)

	// PutRole records the role of a permission set in an account;
	// ErrConflict when the account has it (or a role of that name).
	PutRole(ctx context.Context, r *access.Role) error
	// DeleteRole deletes the role of a permission set in an account;
	// ErrNotFound when absent.
	DeleteRole(ctx context.Context, instanceID, accountID, permissionSetID string) error
	// GetRole returns a role of an account by name.
	GetRole(ctx context.Context, instanceID, accountID, name string) (*access.Role, error)
	// ListRoles pages the roles of an account by name.
	ListRoles(ctx context.Context, instanceID, accountID string, page Page) ([]access.Role, error)

	PolicyTx
}

// PolicyTx holds the catalog of AWS managed policies, which is global:
// AWS managed policies are the same in every instance and account.
type PolicyTx interface {
	// GetAWSManagedPolicy returns the AWS managed policy with that ARN;
	// ErrNotFound when the catalog lacks it.
	GetAWSManagedPolicy(ctx context.Context, arn string) (*access.AWSManagedPolicy, error)
	// PutAWSManagedPolicy stores an AWS managed policy, replacing the one
	// with its ARN.
	PutAWSManagedPolicy(ctx context.Context, p *access.AWSManagedPolicy) error
	// ListAWSManagedPolicies pages the catalog by ARN.
	ListAWSManagedPolicies(ctx context.Context, page Page) ([]access.AWSManagedPolicy, error)
}

// AssignmentQuery selects assignments: every field set must hold.
type AssignmentQuery struct {
	PermissionSetID string
	TargetIDs       []string // any of them
	PrincipalType   string
	PrincipalID     string
	PrincipalIDs    []string // any of them
	Page                     // by Assignment.Key
}

// ProvisionQuery selects provisions: every field set must hold.
type ProvisionQuery struct {
	PermissionSetID string
	TargetIDs       []string // any of them
}

// OperationQuery selects operations.
type OperationQuery struct {
	Kind   access.OperationKind
	Status access.Status // "" for any
	Page                 // by Operation.Key
}
