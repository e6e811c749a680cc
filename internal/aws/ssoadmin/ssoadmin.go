// Package ssoadmin is the AWS sso-admin (2020-07-20) JSON 1.1 API over the
// service layer: one file per operation, named after it.
package ssoadmin

import (
	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/aws/awsproto"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/service"
)

// API binds the operations to a service.
type API struct{ svc *service.Service }

// New returns the sso-admin service description for the protocol layer.
func New(svc *service.Service) *awsproto.JSONService {
	a := &API{svc: svc}
	return &awsproto.JSONService{
		TargetPrefix: "SWBExternalService",
		SigningName:  "sso",
		EventSource:  service.SourceSSO,
		Ops: map[string]awsproto.Operation{
			"ListInstances":                                         awsproto.Op(true, a.ListInstances),
			"DescribeInstance":                                      awsproto.Op(true, a.DescribeInstance),
			"UpdateInstance":                                        awsproto.Op(false, a.UpdateInstance),
			"CreatePermissionSet":                                   awsproto.Op(false, a.CreatePermissionSet),
			"DescribePermissionSet":                                 awsproto.Op(true, a.DescribePermissionSet),
			"UpdatePermissionSet":                                   awsproto.Op(false, a.UpdatePermissionSet),
			"DeletePermissionSet":                                   awsproto.Op(false, a.DeletePermissionSet),
			"ListPermissionSets":                                    awsproto.Op(true, a.ListPermissionSets),
			"PutInlinePolicyToPermissionSet":                        awsproto.Op(false, a.PutInlinePolicyToPermissionSet),
			"GetInlinePolicyForPermissionSet":                       awsproto.Op(true, a.GetInlinePolicyForPermissionSet),
			"DeleteInlinePolicyFromPermissionSet":                   awsproto.Op(false, a.DeleteInlinePolicyFromPermissionSet),
			"AttachManagedPolicyToPermissionSet":                    awsproto.Op(false, a.AttachManagedPolicyToPermissionSet),
			"DetachManagedPolicyFromPermissionSet":                  awsproto.Op(false, a.DetachManagedPolicyFromPermissionSet),
			"ListManagedPoliciesInPermissionSet":                    awsproto.Op(true, a.ListManagedPoliciesInPermissionSet),
			"AttachCustomerManagedPolicyReferenceToPermissionSet":   awsproto.Op(false, a.AttachCustomerManagedPolicyReferenceToPermissionSet),
			"DetachCustomerManagedPolicyReferenceFromPermissionSet": awsproto.Op(false, a.DetachCustomerManagedPolicyReferenceFromPermissionSet),
			"ListCustomerManagedPolicyReferencesInPermissionSet":    awsproto.Op(true, a.ListCustomerManagedPolicyReferencesInPermissionSet),
			"PutPermissionsBoundaryToPermissionSet":                 awsproto.Op(false, a.PutPermissionsBoundaryToPermissionSet),
			"GetPermissionsBoundaryForPermissionSet":                awsproto.Op(true, a.GetPermissionsBoundaryForPermissionSet),
			"DeletePermissionsBoundaryFromPermissionSet":            awsproto.Op(false, a.DeletePermissionsBoundaryFromPermissionSet),
			"TagResource":                                           awsproto.Op(false, a.TagResource),
			"UntagResource":                                         awsproto.Op(false, a.UntagResource),
			"ListTagsForResource":                                   awsproto.Op(true, a.ListTagsForResource),
			"CreateAccountAssignment":                               awsproto.Op(false, a.CreateAccountAssignment),
			"DeleteAccountAssignment":                               awsproto.Op(false, a.DeleteAccountAssignment),
			"DescribeAccountAssignmentCreationStatus":               awsproto.Op(true, a.DescribeAccountAssignmentCreationStatus),
			"DescribeAccountAssignmentDeletionStatus":               awsproto.Op(true, a.DescribeAccountAssignmentDeletionStatus),
			"ListAccountAssignmentCreationStatus":                   awsproto.Op(true, a.ListAccountAssignmentCreationStatus),
			"ListAccountAssignmentDeletionStatus":                   awsproto.Op(true, a.ListAccountAssignmentDeletionStatus),
			"ListAccountAssignments":                                awsproto.Op(true, a.ListAccountAssignments),
			"ListAccountAssignmentsForPrincipal":                    awsproto.Op(true, a.ListAccountAssignmentsForPrincipal),
			"ProvisionPermissionSet":                                awsproto.Op(false, a.ProvisionPermissionSet),
			"DescribePermissionSetProvisioningStatus":               awsproto.Op(true, a.DescribePermissionSetProvisioningStatus),
			"ListPermissionSetProvisioningStatus":                   awsproto.Op(true, a.ListPermissionSetProvisioningStatus),
			"ListAccountsForProvisionedPermissionSet":               awsproto.Op(true, a.ListAccountsForProvisionedPermissionSet),
			"ListPermissionSetsProvisionedToAccount":                awsproto.Op(true, a.ListPermissionSetsProvisionedToAccount),
		},
	}
}

// instanceMetadata is the InstanceMetadata shape (with the newer fields).
type instanceMetadata struct {
	InstanceArn      string         `json:"InstanceArn"`
	IdentityStoreID  string         `json:"IdentityStoreId"`
	IdentityStoreArn string         `json:"IdentityStoreArn,omitempty"`
	OwnerAccountID   string         `json:"OwnerAccountId,omitempty"`
	Name             string         `json:"Name,omitempty"`
	CreatedDate      *awsproto.Time `json:"CreatedDate,omitempty"`
	Status           string         `json:"Status,omitempty"`
	PrimaryRegion    string         `json:"PrimaryRegion,omitempty"`
}

func (a *API) instanceToWire(in *org.Instance) instanceMetadata {
	return instanceMetadata{
		InstanceArn: arn.InstanceARN(in.ID), IdentityStoreID: in.IdentityStoreID,
		IdentityStoreArn: arn.IdentityStoreARN(in.OwnerAccountID, in.IdentityStoreID), OwnerAccountID: in.OwnerAccountID,
		Name: in.Name, CreatedDate: awsproto.TimePtr(in.CreatedAt), Status: in.Status, PrimaryRegion: a.svc.Region(),
	}
}
