package service

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/reqctx"
	"github.com/atriumhq/atrium/internal/store"
)

// Resource types named by ResourceNotFoundException.
const (
	TypeUser          = "USER"
	TypeGroup         = "GROUP"
	TypeIdentityStore = "IDENTITY_STORE"
	TypeMembership    = "GROUP_MEMBERSHIP"
)

func notFound(o op, typ, id string) *errs.Error {
	name := map[string]string{TypeUser: "User", TypeGroup: "Group", TypeIdentityStore: "Identity store", TypeMembership: "Group membership"}[typ]
	return errs.Errorf(errs.NotFound, o.String(), "%s with id %s not found.", name, id).With("ResourceType", typ).With("ResourceId", id)
}

func uniqueness(o op, msg string) *errs.Error {
	return errs.E(errs.Conflict, o.String(), msg).With("Reason", "UNIQUENESS_CONSTRAINT_VIOLATION")
}

func (s *Service) instance(ctx context.Context, id string) (*org.Instance, error) {
	if v, ok := s.instances.Load(id); ok {
		return v.(*org.Instance), nil
	}
	var in *org.Instance
	err := s.store.Read(ctx, func(tx store.Tx) (err error) {
		in, err = tx.GetInstance(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.instances.Store(id, in)
	return in, nil
}

// beginStore starts an identitystore operation on storeID: it authorizes
// the caller on resource (the store's ARN when empty), checks the store id
// and that the store is the caller's.
func (s *Service) beginStore(ctx context.Context, o op, storeID, resource string) (*call, error) {
	// The newer model also takes the store's ARN
	// (arn:aws:identitystore::111122223333:identitystore/d-1234567890).
	if rest, ok := strings.CutPrefix(storeID, "arn:"); ok {
		if _, id, found := strings.Cut(rest, ":identitystore/"); found && strings.Contains(rest, "identitystore::") {
			storeID = id
		}
	}
	if resource == "" {
		account := ""
		if c := reqctx.CallerFrom(ctx); c != nil {
			account = c.AccountID // the store belongs to the caller's instance, or is not found
		}
		resource = arn.IdentityStoreARN(account, storeID)
	}
	c, err := s.begin(ctx, o, resource)
	if err != nil {
		return nil, err
	}
	if !arn.ValidIdentityStoreID(storeID) {
		return nil, s.finish(ctx, c, directory.Violation(o.String(), "identityStoreId", "Member must satisfy regular expression pattern: d-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"))
	}
	in, err := s.instance(ctx, c.instanceID)
	if err != nil {
		return nil, s.finish(ctx, c, errs.Wrap(o.String(), err))
	}
	if in.IdentityStoreID != storeID {
		return nil, s.finish(ctx, c, notFound(o, TypeIdentityStore, storeID))
	}
	return c, nil
}

// fail audits err for c and returns it.
func (s *Service) fail(ctx context.Context, c *call, err error) error { return s.finish(ctx, c, err) }

func checkID(o op, path, id string) error {
	if !arn.ValidResourceID(id) {
		return directory.Violation(o.String(), path, "Member must satisfy regular expression pattern: ([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}")
	}
	return nil
}

func revision(n int64) string { return strconv.FormatInt(n, 10) }

func checkRevision(o op, want string, have int64) error {
	if want != "" && want != revision(have) {
		return errs.E(errs.Conflict, o.String(), "The resource was changed since the given revision.").With("Reason", "CONCURRENT_MODIFICATION")
	}
	return nil
}

func (s *Service) fillUser(u *directory.User, storeID string) {
	u.IdentityStoreID = storeID
}

// CreateUser creates a user in the identity store.
func (s *Service) CreateUser(ctx context.Context, storeID string, u *directory.User) (*directory.User, error) {
	o := identityStoreOp("CreateUser", false)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return nil, err
	}
	if err := directory.ValidateUser(o.String(), u); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	nu := *u
	nu.InstanceID, nu.IdentityStoreID = c.instanceID, storeID
	nu.UserID = s.ids.ResourceID(storeID)
	nu.Status = directory.UserEnabled
	nu.Revision = 1
	err = s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		nu.CreatedAt, nu.UpdatedAt = now.Truncate(time.Microsecond), now.Truncate(time.Microsecond)
		nu.CreatedBy, nu.UpdatedBy = c.caller.ARN, c.caller.ARN
		if err := tx.CreateUser(ctx, &nu); err != nil {
			return s.userConflict(ctx, tx, o, &nu, err, "Duplicate UserName or ExternalId.")
		}
		c.response = map[string]string{"UserId": nu.UserID, "IdentityStoreId": storeID}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &nu, nil
}

// userConflict returns err, the store's refusal to write u; when it is a
// conflict, the uniqueness error naming what another user holds: u's user
// name, or one of its external ids (msg when neither is found). The store's
// unique keys decide; this only names the cause, so it runs only on refusal.
func (s *Service) userConflict(ctx context.Context, tx store.Tx, o op, u *directory.User, err error, msg string) error {
	if !errors.Is(err, store.ErrConflict) {
		return err
	}
	same, err := tx.ListUsers(ctx, u.InstanceID, store.UserQuery{UserName: u.UserName, Page: store.Page{Limit: 2}})
	if err != nil {
		return err
	}
	for _, other := range same {
		if other.UserID != u.UserID {
			return uniqueness(o, "Duplicate UserName.")
		}
	}
	return externalIDConflict(ctx, tx, o, u.InstanceID, TypeUser, u.UserID, u.ExternalIDs, msg)
}

// externalIDConflict returns the uniqueness error of a user or group (kind,
// id) one of whose external ids another holds, or msg's when none is.
func externalIDConflict(ctx context.Context, tx store.Tx, o op, instanceID, kind, id string, ids []directory.ExternalID, msg string) error {
	for _, x := range ids {
		holder, err := tx.FindByExternalID(ctx, instanceID, kind, x)
		if err == nil && holder != id {
			return uniqueness(o, "Duplicate ExternalId.")
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return uniqueness(o, msg)
}

func (s *Service) getUser(ctx context.Context, tx store.Tx, o op, c *call, storeID, userID string) (*directory.User, error) {
	u, err := tx.GetUser(ctx, c.instanceID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(o, TypeUser, userID)
	}
	if err != nil {
		return nil, err
	}
	s.fillUser(u, storeID)
	return u, nil
}

// DescribeUser returns a user.
func (s *Service) DescribeUser(ctx context.Context, storeID, userID string) (*directory.User, error) {
	o := identityStoreOp("DescribeUser", true)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return nil, err
	}
	if err := checkID(o, "userId", userID); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	var u *directory.User
	err = s.lookup(ctx, c, func(tx store.Tx) (err error) {
		u, err = s.getUser(ctx, tx, o, c, storeID, userID)
		return err
	})
	return u, err
}

// UpdateUser applies attribute operations to a user. A non-empty revision
// must match the user's current one.
func (s *Service) UpdateUser(ctx context.Context, storeID, userID string, ops []directory.Operation, rev string) (*directory.User, error) {
	o := identityStoreOp("UpdateUser", false)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return nil, err
	}
	if err := checkID(o, "userId", userID); err != nil {
		return nil, s.fail(ctx, c, err)
	}
	if len(ops) < 1 || len(ops) > 100 {
		return nil, s.fail(ctx, c, directory.Violation(o.String(), "operations", "Member must have length between 1 and 100"))
	}
	var u *directory.User
	err = s.write(ctx, c, func(tx store.Tx, now time.Time) (err error) {
		if u, err = s.getUser(ctx, tx, o, c, storeID, userID); err != nil {
			return err
		}
		if err := checkRevision(o, rev, u.Revision); err != nil {
			return err
		}
		if err := directory.ApplyUserOperations(o.String(), u, ops); err != nil {
			return err
		}
		if err := s.saveUser(ctx, tx, o, c, u, now); err != nil {
			return err
		}
		c.response = map[string]string{"UserId": u.UserID, "IdentityStoreId": storeID, "Revision": revision(u.Revision)}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// saveUser stores a changed, validated user: its user name and external
// ids must stay unique, and its revision moves on.
func (s *Service) saveUser(ctx context.Context, tx store.Tx, o op, c *call, u *directory.User, now time.Time) error {
	u.Revision++
	u.UpdatedAt, u.UpdatedBy = now.Truncate(time.Microsecond), c.caller.ARN
	if err := tx.UpdateUser(ctx, u); err != nil {
		return s.userConflict(ctx, tx, o, u, err, "Duplicate user name or external id.")
	}
	return nil
}

// DeleteUser deletes a user and its memberships.
func (s *Service) DeleteUser(ctx context.Context, storeID, userID, rev string) error {
	o := identityStoreOp("DeleteUser", false)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return err
	}
	if err := checkID(o, "userId", userID); err != nil {
		return s.fail(ctx, c, err)
	}
	return s.write(ctx, c, func(tx store.Tx, now time.Time) error {
		u, err := s.getUser(ctx, tx, o, c, storeID, userID)
		if err != nil {
			return err
		}
		if err := checkRevision(o, rev, u.Revision); err != nil {
			return err
		}
		return s.deletePrincipal(ctx, tx, c.instanceID, access.PrincipalUser, userID, now, func() error {
			return tx.DeleteUser(ctx, c.instanceID, userID)
		})
	})
}

// Filter is the (deprecated, single) attribute filter of ListUsers and
// ListGroups.
type Filter struct {
	AttributePath  string
	AttributeValue string
}

// ListUsers lists users, optionally filtered by user name.
func (s *Service) ListUsers(ctx context.Context, storeID string, filters []Filter, p PageRequest) ([]directory.User, string, error) {
	o := identityStoreOp("ListUsers", true)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return nil, "", err
	}
	pg, n, err := o.page(p, 100, 100)
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	q := store.UserQuery{Page: pg}
	if len(filters) > 1 {
		return nil, "", s.fail(ctx, c, directory.Violation(o.String(), "filters", "Member must have length less than or equal to 1"))
	}
	for _, f := range filters {
		if !strings.EqualFold(f.AttributePath, "UserName") {
			return nil, "", s.fail(ctx, c, errs.Errorf(errs.Invalid, o.String(), "Filtering on the attribute %s is not supported; filter on UserName.", f.AttributePath))
		}
		if f.AttributeValue == "" {
			return nil, "", s.fail(ctx, c, errs.E(errs.Invalid, o.String(), "The filter value must not be empty."))
		}
		q.UserName = f.AttributeValue
	}
	var users []directory.User
	// A unique name: one user at most.
	err = s.readRows(ctx, c, q.UserName != "", func(tx store.Tx) (err error) {
		users, err = tx.ListUsers(ctx, c.instanceID, q)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	users, next := nextToken(users, n, func(u directory.User) string { return u.UserID })
	for i := range users {
		s.fillUser(&users[i], storeID)
	}
	return users, next, nil
}

// AlternateIdentifier names a user or group by a unique attribute or by an
// external id; exactly one is set.
type AlternateIdentifier struct {
	ExternalID *directory.ExternalID
	// UniqueAttribute: path and a JSON value.
	AttributePath  string
	AttributeValue json.RawMessage
}

func (a AlternateIdentifier) check(o op) (string, error) {
	if a.ExternalID != nil && a.AttributePath != "" {
		return "", errs.E(errs.Invalid, o.String(), "Only one of ExternalId and UniqueAttribute may be given.")
	}
	if a.ExternalID != nil {
		return "", directory.ValidateExternalID(o.String(), "alternateIdentifier.externalId", *a.ExternalID)
	}
	if a.AttributePath == "" {
		return "", errs.E(errs.Invalid, o.String(), "AlternateIdentifier must have ExternalId or UniqueAttribute.")
	}
	var v string
	if err := json.Unmarshal(a.AttributeValue, &v); err != nil || v == "" {
		return "", errs.E(errs.Invalid, o.String(), "The unique attribute value must be a non-empty string.")
	}
	return v, nil
}

// GetUserID finds a user by user name, email or external id.
func (s *Service) GetUserID(ctx context.Context, storeID string, alt AlternateIdentifier) (string, error) {
	o := identityStoreOp("GetUserId", true)
	c, err := s.beginStore(ctx, o, storeID, "")
	if err != nil {
		return "", err
	}
	value, err := alt.check(o)
	if err != nil {
		return "", s.fail(ctx, c, err)
	}
	var q store.UserQuery
	if alt.ExternalID == nil {
		switch strings.ToLower(alt.AttributePath) {
		case "username":
			q.UserName = value
		case "emails.value":
			q.Email = value
		default:
			return "", s.fail(ctx, c, errs.Errorf(errs.Invalid, o.String(), "The attribute %s is not a unique attribute.", alt.AttributePath))
		}
	}
	var id string
	err = s.lookup(ctx, c, func(tx store.Tx) error {
		if alt.ExternalID != nil {
			var err error
			id, err = tx.FindByExternalID(ctx, c.instanceID, TypeUser, *alt.ExternalID)
			if errors.Is(err, store.ErrNotFound) {
				return errs.E(errs.NotFound, o.String(), "No user matches the external id.").With("ResourceType", TypeUser)
			}
			return err
		}
		q.Limit = 2
		users, err := tx.ListUsers(ctx, c.instanceID, q)
		if err != nil {
			return err
		}
		if len(users) == 0 {
			return errs.E(errs.NotFound, o.String(), "No user matches the unique attribute.").With("ResourceType", TypeUser)
		}
		if len(users) > 1 {
			return errs.E(errs.Conflict, o.String(), "More than one user matches the attribute.").With("Reason", "UNIQUENESS_CONSTRAINT_VIOLATION")
		}
		id = users[0].UserID
		return nil
	})
	return id, err
}
