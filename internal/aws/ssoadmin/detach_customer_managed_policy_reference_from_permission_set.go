package ssoadmin

import (
	"context"
)

// DetachCustomerManagedPolicyReferenceFromPermissionSet is
// sso:DetachCustomerManagedPolicyReferenceFromPermissionSet.
func (a *API) DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx context.Context, in *customerPolicyInput) (any, error) {
	return struct{}{}, a.svc.DetachCustomerManagedPolicyReferenceFromPermissionSet(ctx, in.InstanceArn, in.PermissionSetArn, in.CustomerManagedPolicyReference.toDomain())
}
