package service

import (
	"context"

	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/org"
	"github.com/atriumhq/atrium/internal/store"
)

// ListInstances lists the instances the caller can see: its own.
func (s *Service) ListInstances(ctx context.Context, p PageRequest) ([]org.Instance, string, error) {
	o := ssoOp("ListInstances", true)
	c, err := s.begin(ctx, o, "*")
	if err != nil {
		return nil, "", err
	}
	pg, n, err := o.page(p, 100, 100)
	if err != nil {
		return nil, "", s.fail(ctx, c, err)
	}
	var out []org.Instance
	err = s.read(ctx, c, func(tx store.Tx) error {
		all, err := tx.ListInstances(ctx, pg)
		for _, in := range all {
			if in.ID == c.instanceID {
				out = append(out, in)
			}
		}
		return err
	})
	if err != nil {
		return nil, "", err
	}
	out, next := nextToken(out, n, func(in org.Instance) string { return in.ID })
	return out, next, nil
}

// DescribeInstance returns an instance by ARN.
func (s *Service) DescribeInstance(ctx context.Context, instanceARN string) (*org.Instance, error) {
	o := ssoOp("DescribeInstance", true)
	c, err := s.begin(ctx, o, instanceARN)
	if err != nil {
		return nil, err
	}
	id, ok := arn.ParseInstanceARN(instanceARN)
	if !ok {
		return nil, s.fail(ctx, c, errs.E(errs.Invalid, o.String(), "1 validation error detected: Value at 'instanceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}"))
	}
	var in *org.Instance
	err = s.lookup(ctx, c, func(tx store.Tx) error {
		if id != c.instanceID {
			return errs.Errorf(errs.NotFound, o.String(), "Could not find instance %s.", instanceARN)
		}
		var err error
		in, err = tx.GetInstance(ctx, id)
		return err
	})
	return in, err
}
