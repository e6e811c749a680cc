// Package accessanalyzer is the part of the AWS IAM Access Analyzer
// (2019-11-01) REST-JSON API that Atrium serves, policy validation, over
// the service layer: one file per operation, named after it.
package accessanalyzer

import (
	"net/http"

	"github.com/atriumhq/atrium/internal/aws/awsproto"
	"github.com/atriumhq/atrium/internal/service"
)

// API binds the operations to a service.
type API struct{ svc *service.Service }

// New returns the Access Analyzer service description for the protocol
// layer.
func New(svc *service.Service) *awsproto.RESTService {
	a := &API{svc: svc}
	return &awsproto.RESTService{
		SigningName: "access-analyzer",
		EventSource: service.SourceAccessAnalyzer,
		Ops: []awsproto.RESTOperation{
			awsproto.RESTOp(http.MethodPost, "/policy/validation", "ValidatePolicy", true, a.ValidatePolicy),
		},
	}
}
