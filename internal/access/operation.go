package access

import (
	"fmt"
	"time"
)

// OperationKind is what an asynchronous operation does.
type OperationKind string

// Operation kinds.
const (
	CreateAssignment       OperationKind = "CREATE_ASSIGNMENT"
	DeleteAssignment       OperationKind = "DELETE_ASSIGNMENT"
	ProvisionPermissionSet OperationKind = "PROVISION_PERMISSION_SET"
)

// Status is the state of an operation, as sso-admin's StatusValues.
type Status string

// Statuses. An operation starts InProgress and ends Succeeded or Failed.
const (
	InProgress Status = "IN_PROGRESS"
	Succeeded  Status = "SUCCEEDED"
	Failed     Status = "FAILED"
)

// ValidStatus reports whether s is a status value.
func ValidStatus(s Status) bool { return s == InProgress || s == Succeeded || s == Failed }

// Operation is a request that completes asynchronously: an account
// assignment creation or deletion, or the provisioning of a permission
// set. Its RequestID is the lowercase UUID clients poll with.
type Operation struct {
	InstanceID      string
	RequestID       string
	Kind            OperationKind
	Status          Status
	FailureReason   string
	TargetID        string // account or OU id; "" for ALL_PROVISIONED_ACCOUNTS
	TargetType      string
	PermissionSetID string
	PrincipalType   string // assignments only
	PrincipalID     string // assignments only
	CreatedAt       time.Time
	CompletedAt     time.Time // zero while in progress
}

// Key is the order of operations in listings: oldest first.
func (o *Operation) Key() string { return OperationKey(o.CreatedAt, o.RequestID) }

// OperationKey is the listing key of an operation created at t with id.
func OperationKey(t time.Time, id string) string {
	return fmt.Sprintf("%016x/%s", t.UnixMicro(), id)
}

// NewOperation starts an operation.
func NewOperation(kind OperationKind, instanceID, requestID string, now time.Time) *Operation {
	return &Operation{InstanceID: instanceID, RequestID: requestID, Kind: kind, Status: InProgress, CreatedAt: now}
}

// Succeed completes an operation in progress.
func (o *Operation) Succeed(now time.Time) error { return o.complete(Succeeded, "", now) }

// Fail completes an operation in progress with a reason.
func (o *Operation) Fail(reason string, now time.Time) error { return o.complete(Failed, reason, now) }

func (o *Operation) complete(s Status, reason string, now time.Time) error {
	if o.Status != InProgress {
		return fmt.Errorf("access: operation %s is already %s", o.RequestID, o.Status)
	}
	if s == Failed && reason == "" {
		return fmt.Errorf("access: operation %s failed without a reason", o.RequestID)
	}
	o.Status, o.FailureReason, o.CompletedAt = s, reason, now
	return nil
}
