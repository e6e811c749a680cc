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
			"ListInstances":    awsproto.Op(true, a.ListInstances),
			"DescribeInstance": awsproto.Op(true, a.DescribeInstance),
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
