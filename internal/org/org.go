// Package org is the model of an instance and its organization: the tenant,
// its root, organizational units and accounts. It does no I/O.
package org

import "time"

// Instance is one tenant: a directory, an organization and its permission
// sets.
type Instance struct {
	ID              string // ssoins-<16 hex>
	IdentityStoreID string // d-<10 hex>
	Name            string
	OwnerAccountID  string
	Status          string // ACTIVE
	CreatedAt       time.Time
}

// Instance statuses, as sso-admin names them.
const InstanceActive = "ACTIVE"

// Organization is the tree of accounts of an instance.
type Organization struct {
	ID                  string // o-<10>
	InstanceID          string
	RootID              string // r-<4>
	ManagementAccountID string
	ManagementEmail     string
	FeatureSet          string // ALL
	CreatedAt           time.Time
}

// Account is a target that access is granted to.
type Account struct {
	ID         string // 12 digits
	InstanceID string
	Name       string
	Email      string
	Status     string // ACTIVE, SUSPENDED, PENDING_CLOSURE
	ParentID   string // root or OU id
	JoinedAt   time.Time
	JoinMethod string // CREATED, INVITED
}
