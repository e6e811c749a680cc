package store

import (
	"context"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/org"
)

// Change is one entry of the change feed: an entity of an instance that a
// committed transaction changed. Every node's effective-access index
// follows the feed and reloads the entities it names.
type Change struct {
	Seq        int64 // numbered from 1 in commit order, without gaps
	InstanceID string
	Kind       string
	EntityID   string
	At         time.Time
}

// OrgPolicyAttachment is a policy attached to a target.
type OrgPolicyAttachment struct {
	PolicyID   string
	TargetID   string
	TargetType string // ROOT, ORGANIZATIONAL_UNIT, ACCOUNT
}

// ChangeTx holds the change feed, and the bulk reads that build the
// effective-access index of an instance.
type ChangeTx interface {
	// AppendChanges appends changes to the feed, numbered after the last
	// one, and returns the number of the last appended. The feed's order is
	// the order of commits: a transaction that appends holds the feed until
	// it ends, so a later number is never visible before an earlier one.
	AppendChanges(ctx context.Context, changes []Change) (int64, error)
	// ListChanges returns up to limit changes numbered after after, in order.
	ListChanges(ctx context.Context, after int64, limit int) ([]Change, error)
	// LastChange returns the number of the last change appended (0 for none),
	// including changes already pruned.
	LastChange(ctx context.Context) (int64, error)
	// PruneChanges deletes the changes numbered up to upTo.
	PruneChanges(ctx context.Context, upTo int64) error

	// EachUserStatus calls fn with the id and status of every user of an instance.
	EachUserStatus(ctx context.Context, instanceID string, fn func(id string, status directory.UserStatus) error) error
	// GroupIDsOfUsers returns the ids of the groups of each of users that
	// is in one, ordered, by user id.
	GroupIDsOfUsers(ctx context.Context, instanceID string, userIDs []string) (map[string][]string, error)
	// EachMembership calls fn with every membership of an instance.
	EachMembership(ctx context.Context, instanceID string, fn func(userID, groupID string) error) error
	// ListAllOrganizationalUnits returns every OU of an instance, by id.
	ListAllOrganizationalUnits(ctx context.Context, instanceID string) ([]org.OrganizationalUnit, error)
	// ListOrgPolicyAttachments returns every attachment of the policies of a
	// type, AWS-managed ones included, by target id, then policy id.
	ListOrgPolicyAttachments(ctx context.Context, instanceID, policyType string) ([]OrgPolicyAttachment, error)
	// AllCustomerManagedPolicies returns the customer managed policies of
	// an account, or of every account when accountID is "", by account id,
	// then name.
	AllCustomerManagedPolicies(ctx context.Context, instanceID, accountID string) ([]access.CustomerManagedPolicy, error)
}

// ChangeListener is an engine that tells the processes sharing its
// database when changes are appended (PostgreSQL's LISTEN/NOTIFY). Engines
// without it are polled.
type ChangeListener interface {
	// ListenChanges calls notify after each commit, by any process, of a
	// transaction that appended changes, until ctx ends (it then returns
	// ctx.Err()) or the connection fails. Notifications may be coalesced.
	ListenChanges(ctx context.Context, notify func()) error
}
