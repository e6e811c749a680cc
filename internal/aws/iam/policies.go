package iam

import (
	"strings"
	"time"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/aws/awsproto"
	"github.com/atriumhq/atrium/internal/service"
)

// The shapes the policy operations share.

// tag is the Tag shape.
type tag struct {
	Key   string
	Value string
}

func toTags(in []tag) []access.Tag {
	if in == nil {
		return nil
	}
	out := make([]access.Tag, len(in))
	for i, t := range in {
		out[i] = access.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

func fromTags(in []access.Tag) awsproto.Members[tag] {
	if len(in) == 0 {
		return nil
	}
	out := make(awsproto.Members[tag], len(in))
	for i, t := range in {
		out[i] = tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// policyShape is the Policy shape.
type policyShape struct {
	PolicyName                    string
	PolicyId                      string
	Arn                           string
	Path                          string
	DefaultVersionId              string
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string `xml:",omitempty"`
	CreateDate                    string
	UpdateDate                    string
	Tags                          awsproto.Members[tag] `xml:",omitempty"`
}

func toPolicy(p *service.IAMPolicy) policyShape {
	return policyShape{PolicyName: p.Name, PolicyId: p.PolicyID, Arn: p.ARN, Path: p.Path, DefaultVersionId: p.DefaultVersionID,
		AttachmentCount: p.AttachmentCount, PermissionsBoundaryUsageCount: p.BoundaryUsageCount, IsAttachable: true,
		Description: p.Description, CreateDate: timestamp(p.CreateDate), UpdateDate: timestamp(p.UpdateDate), Tags: fromTags(p.Tags)}
}

// policyVersion is the PolicyVersion shape.
type policyVersion struct {
	Document         string `xml:",omitempty"`
	VersionId        string
	IsDefaultVersion bool
	CreateDate       string
}

func toVersion(v *service.PolicyVersion) policyVersion {
	return policyVersion{Document: encodeDocument(v.Document), VersionId: v.VersionID, IsDefaultVersion: v.IsDefault, CreateDate: timestamp(v.CreateDate)}
}

// timestamp formats a time as IAM's Query responses do: ISO 8601 in UTC,
// to the second.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// encodeDocument URL-encodes a policy document as IAM returns every policy
// document (RFC 3986: all but the unreserved characters percent-encoded).
// The AWS CLI decodes it; SDK users call url.QueryUnescape.
func encodeDocument(doc string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
