package ssoadmin

import (
	"context"

	"github.com/atriumhq/atrium/internal/service"
)

type listInstancesInput struct {
	MaxResults int    `json:"MaxResults"`
	NextToken  string `json:"NextToken"`
}

// ListInstances is sso:ListInstances.
func (a *API) ListInstances(ctx context.Context, in *listInstancesInput) (any, error) {
	ins, next, err := a.svc.ListInstances(ctx, service.PageRequest{MaxResults: in.MaxResults, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	out := struct {
		Instances []instanceMetadata `json:"Instances"`
		NextToken string             `json:"NextToken,omitempty"`
	}{Instances: make([]instanceMetadata, len(ins)), NextToken: next}
	for i := range ins {
		out.Instances[i] = a.instanceToWire(&ins[i])
	}
	return out, nil
}
