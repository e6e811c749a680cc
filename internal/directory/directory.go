// Package directory is the model of an identity store: users, groups and
// group memberships, with the rules IAM Identity Center applies to them. It
// does no I/O.
package directory

import (
	"encoding/json"
	"time"
)

// User is a person in the directory. Field names follow the identitystore
// model; attribute values are kept as given.
type User struct {
	InstanceID        string        `json:"-"`
	IdentityStoreID   string        `json:"-"`
	UserID            string        `json:"-"`
	UserName          string        `json:"UserName,omitempty"`
	Name              *Name         `json:"Name,omitempty"`
	DisplayName       string        `json:"DisplayName,omitempty"`
	NickName          string        `json:"NickName,omitempty"`
	ProfileURL        string        `json:"ProfileUrl,omitempty"`
	Emails            []Email       `json:"Emails,omitempty"`
	Addresses         []Address     `json:"Addresses,omitempty"`
	PhoneNumbers      []PhoneNumber `json:"PhoneNumbers,omitempty"`
	UserType          string        `json:"UserType,omitempty"`
	Title             string        `json:"Title,omitempty"`
	PreferredLanguage string        `json:"PreferredLanguage,omitempty"`
	Locale            string        `json:"Locale,omitempty"`
	Timezone          string        `json:"Timezone,omitempty"`
	Photos            []Photo       `json:"Photos,omitempty"`
	Website           string        `json:"Website,omitempty"`
	Birthdate         string        `json:"Birthdate,omitempty"`
	Roles             []Role        `json:"Roles,omitempty"`
	Extensions        Extensions    `json:"Extensions,omitempty"`
	ExternalIDs       []ExternalID  `json:"ExternalIds,omitempty"`
	Status            UserStatus    `json:"-"`
	Revision          int64         `json:"-"`
	CreatedAt         time.Time     `json:"-"`
	CreatedBy         string        `json:"-"`
	UpdatedAt         time.Time     `json:"-"`
	UpdatedBy         string        `json:"-"`
}

// UserStatus says whether a user may sign in.
type UserStatus string

const (
	UserEnabled  UserStatus = "ENABLED"
	UserDisabled UserStatus = "DISABLED"
)

// Name is a user's structured name.
type Name struct {
	Formatted       string `json:"Formatted,omitempty"`
	FamilyName      string `json:"FamilyName,omitempty"`
	GivenName       string `json:"GivenName,omitempty"`
	MiddleName      string `json:"MiddleName,omitempty"`
	HonorificPrefix string `json:"HonorificPrefix,omitempty"`
	HonorificSuffix string `json:"HonorificSuffix,omitempty"`
}

// Email is one email address of a user.
type Email struct {
	Value   string `json:"Value,omitempty"`
	Type    string `json:"Type,omitempty"`
	Primary *bool  `json:"Primary,omitempty"`
}

// Address is one postal address of a user.
type Address struct {
	StreetAddress string `json:"StreetAddress,omitempty"`
	Locality      string `json:"Locality,omitempty"`
	Region        string `json:"Region,omitempty"`
	PostalCode    string `json:"PostalCode,omitempty"`
	Country       string `json:"Country,omitempty"`
	Formatted     string `json:"Formatted,omitempty"`
	Type          string `json:"Type,omitempty"`
	Primary       *bool  `json:"Primary,omitempty"`
}

// PhoneNumber is one phone number of a user.
type PhoneNumber struct {
	Value   string `json:"Value,omitempty"`
	Type    string `json:"Type,omitempty"`
	Primary *bool  `json:"Primary,omitempty"`
}

// Photo is one photo of a user.
type Photo struct {
	Value   string `json:"Value"`
	Type    string `json:"Type,omitempty"`
	Display string `json:"Display,omitempty"`
	Primary *bool  `json:"Primary,omitempty"`
}

// Role is one role of a user (a free-form attribute, not an access role).
type Role struct {
	Value   string `json:"Value,omitempty"`
	Type    string `json:"Type,omitempty"`
	Primary *bool  `json:"Primary,omitempty"`
}

// Extensions holds schema extensions by name, e.g.
// "aws:identitystore:enterprise", each a JSON object.
type Extensions map[string]json.RawMessage

// ExternalID names a directory entry in an external identity provider.
type ExternalID struct {
	Issuer string `json:"Issuer"`
	ID     string `json:"Id"`
}

// Group is a named set of users.
type Group struct {
	InstanceID      string       `json:"-"`
	IdentityStoreID string       `json:"-"`
	GroupID         string       `json:"-"`
	DisplayName     string       `json:"DisplayName,omitempty"`
	Description     string       `json:"Description,omitempty"`
	ExternalIDs     []ExternalID `json:"ExternalIds,omitempty"`
	Revision        int64        `json:"-"`
	CreatedAt       time.Time    `json:"-"`
	CreatedBy       string       `json:"-"`
	UpdatedAt       time.Time    `json:"-"`
	UpdatedBy       string       `json:"-"`
}

// Membership says a user is a member of a group.
type Membership struct {
	InstanceID      string
	IdentityStoreID string
	MembershipID    string
	GroupID         string
	UserID          string
	CreatedAt       time.Time
	CreatedBy       string
	UpdatedAt       time.Time
	UpdatedBy       string
}

// EnterpriseExtension is the name of the enterprise user extension.
const EnterpriseExtension = "aws:identitystore:enterprise"
