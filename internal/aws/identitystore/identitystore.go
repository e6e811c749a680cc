// Package identitystore is the AWS identitystore (2020-06-15) JSON 1.1 API
// over the service layer: one file per operation, named after it.
package identitystore

import (
	"encoding/json"

	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/aws/awsproto"
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/service"
)

// API binds the operations to a service.
type API struct{ svc *service.Service }

// New returns the identitystore service description for the protocol layer.
func New(svc *service.Service) *awsproto.JSONService {
	a := &API{svc: svc}
	return &awsproto.JSONService{
		TargetPrefix: "AWSIdentityStore",
		SigningName:  "identitystore",
		EventSource:  service.SourceIdentityStore,
		Ops: map[string]awsproto.Operation{
			"CreateUser":                    awsproto.Op(false, a.CreateUser),
			"DescribeUser":                  awsproto.Op(true, a.DescribeUser),
			"UpdateUser":                    awsproto.Op(false, a.UpdateUser),
			"DeleteUser":                    awsproto.Op(false, a.DeleteUser),
			"ListUsers":                     awsproto.Op(true, a.ListUsers),
			"GetUserId":                     awsproto.Op(true, a.GetUserId),
			"CreateGroup":                   awsproto.Op(false, a.CreateGroup),
			"DescribeGroup":                 awsproto.Op(true, a.DescribeGroup),
			"UpdateGroup":                   awsproto.Op(false, a.UpdateGroup),
			"DeleteGroup":                   awsproto.Op(false, a.DeleteGroup),
			"ListGroups":                    awsproto.Op(true, a.ListGroups),
			"GetGroupId":                    awsproto.Op(true, a.GetGroupId),
			"CreateGroupMembership":         awsproto.Op(false, a.CreateGroupMembership),
			"DescribeGroupMembership":       awsproto.Op(true, a.DescribeGroupMembership),
			"DeleteGroupMembership":         awsproto.Op(false, a.DeleteGroupMembership),
			"GetGroupMembershipId":          awsproto.Op(true, a.GetGroupMembershipId),
			"ListGroupMemberships":          awsproto.Op(true, a.ListGroupMemberships),
			"ListGroupMembershipsForMember": awsproto.Op(true, a.ListGroupMembershipsForMember),
			"IsMemberInGroups":              awsproto.Op(true, a.IsMemberInGroups),
		},
	}
}

// userFields are the writable attributes of a user, as the model names them.
type userFields struct {
	UserName          string                  `json:"UserName,omitempty"`
	Name              *directory.Name         `json:"Name,omitempty"`
	DisplayName       string                  `json:"DisplayName,omitempty"`
	NickName          string                  `json:"NickName,omitempty"`
	ProfileURL        string                  `json:"ProfileUrl,omitempty"`
	Emails            []directory.Email       `json:"Emails,omitempty"`
	Addresses         []directory.Address     `json:"Addresses,omitempty"`
	PhoneNumbers      []directory.PhoneNumber `json:"PhoneNumbers,omitempty"`
	UserType          string                  `json:"UserType,omitempty"`
	Title             string                  `json:"Title,omitempty"`
	PreferredLanguage string                  `json:"PreferredLanguage,omitempty"`
	Locale            string                  `json:"Locale,omitempty"`
	Timezone          string                  `json:"Timezone,omitempty"`
	Photos            []directory.Photo       `json:"Photos,omitempty"`
	Website           string                  `json:"Website,omitempty"`
	Birthdate         string                  `json:"Birthdate,omitempty"`
	Roles             []directory.Role        `json:"Roles,omitempty"`
	Extensions        directory.Extensions    `json:"Extensions,omitempty"`
}

func (f *userFields) user() *directory.User {
	return &directory.User{UserName: f.UserName, Name: f.Name, DisplayName: f.DisplayName, NickName: f.NickName,
		ProfileURL: f.ProfileURL, Emails: f.Emails, Addresses: f.Addresses, PhoneNumbers: f.PhoneNumbers,
		UserType: f.UserType, Title: f.Title, PreferredLanguage: f.PreferredLanguage, Locale: f.Locale,
		Timezone: f.Timezone, Photos: f.Photos, Website: f.Website, Birthdate: f.Birthdate, Roles: f.Roles,
		Extensions: f.Extensions}
}

// wireUser is a User as the model returns it.
type wireUser struct {
	userFields
	IdentityStoreID string                 `json:"IdentityStoreId"`
	UserID          string                 `json:"UserId"`
	UserArn         string                 `json:"UserArn"`
	ExternalIDs     []directory.ExternalID `json:"ExternalIds,omitempty"`
	UserStatus      string                 `json:"UserStatus,omitempty"`
	Revision        string                 `json:"Revision,omitempty"`
	CreatedAt       *awsproto.Time         `json:"CreatedAt,omitempty"`
	CreatedBy       string                 `json:"CreatedBy,omitempty"`
	UpdatedAt       *awsproto.Time         `json:"UpdatedAt,omitempty"`
	UpdatedBy       string                 `json:"UpdatedBy,omitempty"`
}

// toWire converts u; extensions are returned only when named in ext.
func toWire(u *directory.User, ext []string) wireUser {
	w := wireUser{
		userFields: userFields{UserName: u.UserName, Name: u.Name, DisplayName: u.DisplayName, NickName: u.NickName,
			ProfileURL: u.ProfileURL, Emails: u.Emails, Addresses: u.Addresses, PhoneNumbers: u.PhoneNumbers,
			UserType: u.UserType, Title: u.Title, PreferredLanguage: u.PreferredLanguage, Locale: u.Locale,
			Timezone: u.Timezone, Photos: u.Photos, Website: u.Website, Birthdate: u.Birthdate, Roles: u.Roles},
		IdentityStoreID: u.IdentityStoreID, UserID: u.UserID, UserArn: arn.UserARN(u.IdentityStoreID, u.UserID),
		ExternalIDs: u.ExternalIDs, UserStatus: string(u.Status), Revision: revisionOf(u.Revision),
		CreatedAt: awsproto.TimePtr(u.CreatedAt), CreatedBy: u.CreatedBy, UpdatedAt: awsproto.TimePtr(u.UpdatedAt), UpdatedBy: u.UpdatedBy,
	}
	for _, name := range ext {
		if v, ok := u.Extensions[name]; ok {
			if w.Extensions == nil {
				w.Extensions = directory.Extensions{}
			}
			w.Extensions[name] = v
		}
	}
	return w
}

func revisionOf(n int64) string {
	if n == 0 {
		return ""
	}
	b, _ := json.Marshal(n)
	return string(b)
}

// wireGroup is a Group as the model returns it.
type wireGroup struct {
	IdentityStoreID string                 `json:"IdentityStoreId"`
	GroupID         string                 `json:"GroupId"`
	GroupArn        string                 `json:"GroupArn"`
	DisplayName     string                 `json:"DisplayName,omitempty"`
	Description     string                 `json:"Description,omitempty"`
	ExternalIDs     []directory.ExternalID `json:"ExternalIds,omitempty"`
	Revision        string                 `json:"Revision,omitempty"`
	CreatedAt       *awsproto.Time         `json:"CreatedAt,omitempty"`
	CreatedBy       string                 `json:"CreatedBy,omitempty"`
	UpdatedAt       *awsproto.Time         `json:"UpdatedAt,omitempty"`
	UpdatedBy       string                 `json:"UpdatedBy,omitempty"`
}

func groupToWire(g *directory.Group) wireGroup {
	return wireGroup{IdentityStoreID: g.IdentityStoreID, GroupID: g.GroupID, GroupArn: arn.GroupARN(g.IdentityStoreID, g.GroupID),
		DisplayName: g.DisplayName, Description: g.Description, ExternalIDs: g.ExternalIDs, Revision: revisionOf(g.Revision),
		CreatedAt: awsproto.TimePtr(g.CreatedAt), CreatedBy: g.CreatedBy, UpdatedAt: awsproto.TimePtr(g.UpdatedAt), UpdatedBy: g.UpdatedBy}
}

// memberID is the MemberId union.
type memberID struct {
	UserID string `json:"UserId,omitempty"`
}

type wireMembership struct {
	IdentityStoreID string         `json:"IdentityStoreId"`
	MembershipID    string         `json:"MembershipId"`
	GroupID         string         `json:"GroupId"`
	MemberID        memberID       `json:"MemberId"`
	CreatedAt       *awsproto.Time `json:"CreatedAt,omitempty"`
	CreatedBy       string         `json:"CreatedBy,omitempty"`
	UpdatedAt       *awsproto.Time `json:"UpdatedAt,omitempty"`
	UpdatedBy       string         `json:"UpdatedBy,omitempty"`
}

func membershipToWire(m *directory.Membership) wireMembership {
	return wireMembership{IdentityStoreID: m.IdentityStoreID, MembershipID: m.MembershipID, GroupID: m.GroupID,
		MemberID: memberID{UserID: m.UserID}, CreatedAt: awsproto.TimePtr(m.CreatedAt), CreatedBy: m.CreatedBy,
		UpdatedAt: awsproto.TimePtr(m.UpdatedAt), UpdatedBy: m.UpdatedBy}
}

// operation is an AttributeOperation.
type operation struct {
	AttributePath  string          `json:"AttributePath"`
	AttributeValue json.RawMessage `json:"AttributeValue"`
}

func operations(ops []operation) []directory.Operation {
	out := make([]directory.Operation, len(ops))
	for i, o := range ops {
		out[i] = directory.Operation{Path: o.AttributePath, Value: o.AttributeValue}
	}
	return out
}

type filter struct {
	AttributePath  string `json:"AttributePath"`
	AttributeValue string `json:"AttributeValue"`
}

func filters(fs []filter) []service.Filter {
	out := make([]service.Filter, len(fs))
	for i, f := range fs {
		out[i] = service.Filter{AttributePath: f.AttributePath, AttributeValue: f.AttributeValue}
	}
	return out
}

// alternateIdentifier is the AlternateIdentifier union.
type alternateIdentifier struct {
	ExternalID      *directory.ExternalID `json:"ExternalId"`
	UniqueAttribute *struct {
		AttributePath  string          `json:"AttributePath"`
		AttributeValue json.RawMessage `json:"AttributeValue"`
	} `json:"UniqueAttribute"`
}

func (a alternateIdentifier) toService() service.AlternateIdentifier {
	out := service.AlternateIdentifier{ExternalID: a.ExternalID}
	if a.UniqueAttribute != nil {
		out.AttributePath, out.AttributeValue = a.UniqueAttribute.AttributePath, a.UniqueAttribute.AttributeValue
	}
	return out
}
