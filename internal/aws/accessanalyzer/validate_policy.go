package accessanalyzer

import (
	"context"
	"strings"

	"github.com/atriumhq/atrium/internal/jsonspan"
	"github.com/atriumhq/atrium/internal/policy"
	"github.com/atriumhq/atrium/internal/service"
)

type validatePolicyInput struct {
	PolicyDocument             string `json:"policyDocument"`
	PolicyType                 string `json:"policyType"`
	Locale                     string `json:"locale"`
	ValidatePolicyResourceType string `json:"validatePolicyResourceType"`
	MaxResults                 *int   `json:"-" query:"maxResults"`
	NextToken                  string `json:"-" query:"nextToken"`
}

type validatePolicyOutput struct {
	Findings  []finding `json:"findings"`
	NextToken string    `json:"nextToken,omitempty"`
}

// finding is the ValidatePolicyFinding shape.
type finding struct {
	FindingDetails string     `json:"findingDetails"`
	FindingType    string     `json:"findingType"`
	IssueCode      string     `json:"issueCode"`
	LearnMoreLink  string     `json:"learnMoreLink"`
	Locations      []location `json:"locations"`
}

type location struct {
	Path []pathElement `json:"path"`
	Span span          `json:"span"`
}

// pathElement is the PathElement union: an array index, or the value of an
// object member (which AWS names "value", as its examples show).
type pathElement struct {
	Index *int    `json:"index,omitempty"`
	Value *string `json:"value,omitempty"`
}

type span struct {
	Start position `json:"start"`
	End   position `json:"end"`
}

type position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

// ValidatePolicy is access-analyzer:ValidatePolicy.
func (a *API) ValidatePolicy(ctx context.Context, in *validatePolicyInput) (any, error) {
	fs, next, err := a.svc.ValidatePolicy(ctx, service.PolicyValidation{
		Document: in.PolicyDocument, Type: in.PolicyType, Locale: in.Locale, ResourceType: in.ValidatePolicyResourceType,
		MaxResults: in.MaxResults, NextToken: in.NextToken,
	})
	if err != nil {
		return nil, err
	}
	doc := []byte(in.PolicyDocument)
	out := validatePolicyOutput{Findings: make([]finding, len(fs)), NextToken: next}
	for i, f := range fs {
		out.Findings[i] = finding{FindingDetails: f.Message, FindingType: string(f.Type), IssueCode: f.IssueCode,
			LearnMoreLink: learnMoreLink(f), Locations: make([]location, len(f.Locations))}
		for j, p := range f.Locations {
			out.Findings[i].Locations[j] = locate(doc, p, f.IssueCode == "JSON_SYNTAX_ERROR")
		}
	}
	return out, nil
}

// learnMoreLink is the section of the IAM User Guide on a finding's check.
func learnMoreLink(f policy.Finding) string {
	typ := strings.ReplaceAll(strings.ToLower(string(f.Type)), "_", "-")
	code := strings.ReplaceAll(strings.ToLower(f.IssueCode), "_", "-")
	return "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-" + typ + "-" + code
}

// locate returns the location of the value at p in doc. A syntax error is
// located where the document stops being valid JSON; a path that cannot be
// found, at the nearest enclosing value that can.
func locate(doc []byte, p policy.Path, syntax bool) location {
	path := make([]jsonspan.Elem, len(p))
	loc := location{Path: make([]pathElement, len(p))}
	for i, e := range p {
		if e.IsIndex {
			idx := e.Index
			loc.Path[i], path[i] = pathElement{Index: &idx}, jsonspan.Index(e.Index)
		} else {
			key := e.Key
			loc.Path[i], path[i] = pathElement{Value: &key}, jsonspan.Key(e.Key)
		}
	}
	start, end := -1, -1
	if off := jsonspan.SyntaxErrorOffset(doc); syntax && off >= 0 {
		start, end = off, off
	}
	for n := len(path); start < 0 && n >= 0; n-- {
		if s, e, ok := jsonspan.Find(doc, path[:n]); ok {
			start, end = s, e
		}
	}
	if start < 0 {
		start, end = 0, 0
	}
	loc.Span = span{Start: toPosition(jsonspan.PositionOf(doc, start)), End: toPosition(jsonspan.PositionOf(doc, end))}
	return loc
}

func toPosition(p jsonspan.Position) position {
	return position{Line: p.Line, Column: p.Column, Offset: p.Offset}
}
