package ssoadmin

import (
	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/aws/awsproto"
	"github.com/atriumhq/atrium/internal/service"
)

// The shapes of the sso-admin model that several operations share.

// permissionSet is the PermissionSet shape.
type permissionSet struct {
	Name             string         `json:"Name"`
	PermissionSetArn string         `json:"PermissionSetArn"`
	Description      string         `json:"Description,omitempty"`
	CreatedDate      *awsproto.Time `json:"CreatedDate,omitempty"`
	SessionDuration  string         `json:"SessionDuration,omitempty"`
	RelayState       string         `json:"RelayState,omitempty"`
}

func permissionSetToWire(ps *access.PermissionSet) permissionSet {
	return permissionSet{
		Name: ps.Name, PermissionSetArn: arn.PermissionSetARN(ps.InstanceID, ps.ID), Description: ps.Description,
		CreatedDate: awsproto.TimePtr(ps.CreatedAt), SessionDuration: ps.SessionDuration, RelayState: ps.RelayState,
	}
}

// tag is the Tag shape.
type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func tagsFromWire(ts []tag) []access.Tag {
	out := make([]access.Tag, len(ts))
	for i, t := range ts {
		out[i] = access.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// attachedManagedPolicy is the AttachedManagedPolicy shape.
type attachedManagedPolicy struct {
	Name string `json:"Name"`
	Arn  string `json:"Arn"`
}

// customerManagedPolicyReference is the CustomerManagedPolicyReference shape.
type customerManagedPolicyReference struct {
	Name string `json:"Name"`
	Path string `json:"Path,omitempty"`
}

func (r customerManagedPolicyReference) toDomain() access.CustomerPolicyRef {
	return access.CustomerPolicyRef{Name: r.Name, Path: r.Path}
}

// permissionsBoundary is the PermissionsBoundary shape.
type permissionsBoundary struct {
	CustomerManagedPolicyReference *customerManagedPolicyReference `json:"CustomerManagedPolicyReference,omitempty"`
	ManagedPolicyArn               string                          `json:"ManagedPolicyArn,omitempty"`
}

// assignmentStatus is the AccountAssignmentOperationStatus shape.
type assignmentStatus struct {
	Status           string         `json:"Status"`
	RequestId        string         `json:"RequestId"`
	FailureReason    string         `json:"FailureReason,omitempty"`
	TargetId         string         `json:"TargetId,omitempty"`
	TargetType       string         `json:"TargetType,omitempty"`
	PermissionSetArn string         `json:"PermissionSetArn,omitempty"`
	PrincipalType    string         `json:"PrincipalType,omitempty"`
	PrincipalId      string         `json:"PrincipalId,omitempty"`
	CreatedDate      *awsproto.Time `json:"CreatedDate,omitempty"`
}

func assignmentStatusToWire(op *access.Operation) assignmentStatus {
	return assignmentStatus{
		Status: string(op.Status), RequestId: op.RequestID, FailureReason: op.FailureReason,
		TargetId: op.TargetID, TargetType: op.TargetType, PermissionSetArn: arn.PermissionSetARN(op.InstanceID, op.PermissionSetID),
		PrincipalType: op.PrincipalType, PrincipalId: op.PrincipalID, CreatedDate: awsproto.TimePtr(op.CreatedAt),
	}
}

// provisioningStatus is the PermissionSetProvisioningStatus shape.
type provisioningStatus struct {
	Status           string         `json:"Status"`
	RequestId        string         `json:"RequestId"`
	AccountId        string         `json:"AccountId,omitempty"`
	PermissionSetArn string         `json:"PermissionSetArn,omitempty"`
	FailureReason    string         `json:"FailureReason,omitempty"`
	CreatedDate      *awsproto.Time `json:"CreatedDate,omitempty"`
}

func provisioningStatusToWire(op *access.Operation) provisioningStatus {
	return provisioningStatus{
		Status: string(op.Status), RequestId: op.RequestID, AccountId: op.TargetID,
		PermissionSetArn: arn.PermissionSetARN(op.InstanceID, op.PermissionSetID), FailureReason: op.FailureReason,
		CreatedDate: awsproto.TimePtr(op.CreatedAt),
	}
}

// operationMetadata is the AccountAssignmentOperationStatusMetadata and
// PermissionSetProvisioningStatusMetadata shape.
type operationMetadata struct {
	Status      string         `json:"Status"`
	RequestId   string         `json:"RequestId"`
	CreatedDate *awsproto.Time `json:"CreatedDate,omitempty"`
}

func operationsToWire(ops []access.Operation) []operationMetadata {
	out := make([]operationMetadata, len(ops))
	for i, op := range ops {
		out[i] = operationMetadata{Status: string(op.Status), RequestId: op.RequestID, CreatedDate: awsproto.TimePtr(op.CreatedAt)}
	}
	return out
}

// accountAssignment is the AccountAssignment and
// AccountAssignmentForPrincipal shape.
type accountAssignment struct {
	AccountId        string `json:"AccountId"`
	PermissionSetArn string `json:"PermissionSetArn"`
	PrincipalType    string `json:"PrincipalType"`
	PrincipalId      string `json:"PrincipalId"`
}

func assignmentsToWire(as []service.AccountAssignment) []accountAssignment {
	out := make([]accountAssignment, len(as))
	for i, a := range as {
		out[i] = accountAssignment{AccountId: a.AccountID, PermissionSetArn: a.PermissionSetARN, PrincipalType: a.PrincipalType, PrincipalId: a.PrincipalID}
	}
	return out
}

// nonNil makes an empty listing encode as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
