package service

import "github.com/atriumhq/atrium/internal/entitlement"

// AccessView exposes the fast path of the effective-access index to tests.
func AccessView(s *Service, instanceID string) *entitlement.View { return s.accessView(instanceID) }
