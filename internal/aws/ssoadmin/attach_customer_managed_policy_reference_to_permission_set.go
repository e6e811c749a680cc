package ssoadmin

import (
	"context"
)

type customerPolicyInput struct {
	InstanceArn                    string                         `json:"InstanceArn"`
	PermissionSetArn               string                         `json:"PermissionSetArn"`
	CustomerManagedPolicyReference customerManagedPolicyReference `json:"CustomerManagedPolicyReference"`
}

// AttachCustomerManagedPolicyReferenceToPermissionSet is
// sso:AttachCustomerManagedPolicyReferenceToPermissionSet.
func (a *API) AttachCustomerManagedPolicyReferenceToPermissionSet(ctx context.Context, in *customerPolicyInput) (any, error) {
	return struct{}{}, a.svc.AttachCustomerManagedPolicyReferenceToPermissionSet(ctx, in.InstanceArn, in.PermissionSetArn, in.CustomerManagedPolicyReference.toDomain())
}
