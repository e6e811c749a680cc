// Package store defines the one interface through which Atrium keeps its
// state. Engines (SQLite, PostgreSQL) implement it; one conformance suite in
// storetest checks each of them.
package store

import (
	"context"
	"errors"
	"time"

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
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Engine names the engine ("sqlite", "postgres").
	Engine() string
	Close() error
}

// Tx is one transaction. Every method takes the context first; directory
// methods are scoped to an instance.
type Tx interface {
	// LockBootstrap serializes bootstrap across nodes sharing the database
	// until the transaction ends.
	LockBootstrap(ctx context.Context) error
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
	DeleteUser(ctx context.Context, instanceID, userID string) error
	ListUsers(ctx context.Context, instanceID string, q UserQuery) ([]directory.User, error)
	CountUsers(ctx context.Context, instanceID string) (int, error)

	CreateGroup(ctx context.Context, g *directory.Group) error
	GetGroup(ctx context.Context, instanceID, groupID string) (*directory.Group, error)
	UpdateGroup(ctx context.Context, g *directory.Group) error
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

	// AppendAudit links data to the end of the audit chain, sealing the new
	// head with key.
	AppendAudit(ctx context.Context, key []byte, instanceID string, t time.Time, eventName string, data []byte) (audit.Record, error)
	AuditHead(ctx context.Context) (audit.Head, error)
	// ScanAudit returns up to limit records with Seq > after, in order.
	ScanAudit(ctx context.Context, after int64, limit int) ([]audit.Record, error)
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
