// Package sts is the part of the AWS STS (2011-06-15) Query API that Atrium
// serves, over the service layer: one file per operation, named after it.
package sts

import (
	"github.com/atriumhq/atrium/internal/aws/awsproto"
	"github.com/atriumhq/atrium/internal/service"
)

// Namespace is the XML namespace of STS responses.
const Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// API binds the operations to a service.
type API struct{ svc *service.Service }

// New returns the STS service description for the protocol layer.
func New(svc *service.Service) *awsproto.QueryService {
	a := &API{svc: svc}
	return &awsproto.QueryService{
		SigningName: "sts",
		EventSource: service.SourceSTS,
		Namespace:   Namespace,
		Version:     "2011-06-15",
		Ops: map[string]awsproto.QueryOperation{
			"GetCallerIdentity": awsproto.QueryOp(true, a.GetCallerIdentity),
		},
	}
}
