package iam

import (
	"github.com/atriumhq/atrium/internal/service"
)

// roleShape is the Role shape.
type roleShape struct {
	Path                     string
	RoleName                 string
	RoleId                   string
	Arn                      string
	CreateDate               string
	AssumeRolePolicyDocument string
	MaxSessionDuration       int
	PermissionsBoundary      *attachedBoundary `xml:",omitempty"`
	RoleLastUsed             *roleLastUsed     `xml:",omitempty"`
}

// attachedBoundary is the AttachedPermissionsBoundary shape.
type attachedBoundary struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

// roleLastUsed is the RoleLastUsed shape; Atrium does not track it yet,
// so it is empty, as for a role not used lately.
type roleLastUsed struct{}

// toRole converts a role; full adds what GetRole returns and ListRoles
// leaves out (the permissions boundary and last use).
func toRole(r *service.Role, full bool) roleShape {
	out := roleShape{Path: r.Path, RoleName: r.Name, RoleId: r.RoleID, Arn: r.ARN, CreateDate: timestamp(r.CreatedAt),
		AssumeRolePolicyDocument: encodeDocument(r.AssumeRolePolicyDocument), MaxSessionDuration: r.MaxSessionDuration}
	if full {
		out.RoleLastUsed = &roleLastUsed{}
		if r.BoundaryARN != "" {
			out.PermissionsBoundary = &attachedBoundary{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: r.BoundaryARN}
		}
	}
	return out
}
