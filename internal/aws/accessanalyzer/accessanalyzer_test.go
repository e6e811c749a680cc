package accessanalyzer_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/smithy-go"

	"github.com/atriumhq/atrium/internal/atriumtest"
)

// severalIssues has a missing version, an empty Sid, a NotAction with
// Allow, and a redundant action.
const severalIssues = `{
  "Statement": [
    {
      "Sid": "",
      "Effect": "Allow",
      "NotAction": ["s3:GetObject", "s3:GetObject"],
      "Resource": "*"
    }
  ]
}`

// loc is a location reduced to what the tests compare.
type loc struct {
	Path       string
	Start, End [3]int32 // line, column, offset
}

type found struct {
	Type, Code string
	Locations  []loc
}

func path(elems []types.PathElement) string {
	var b strings.Builder
	for _, e := range elems {
		switch v := e.(type) {
		case *types.PathElementMemberIndex:
			b.WriteString("[" + string(rune('0'+v.Value)) + "]")
		case *types.PathElementMemberValue:
			b.WriteString("." + v.Value)
		case *types.PathElementMemberKey:
			b.WriteString(".key(" + v.Value + ")")
		default:
			b.WriteString(".?")
		}
	}
	return b.String()
}

func pos(p *types.Position) [3]int32 {
	return [3]int32{aws.ToInt32(p.Line), aws.ToInt32(p.Column), aws.ToInt32(p.Offset)}
}

func reduce(fs []types.ValidatePolicyFinding) []found {
	var out []found
	for _, f := range fs {
		g := found{Type: string(f.FindingType), Code: aws.ToString(f.IssueCode)}
		for _, l := range f.Locations {
			g.Locations = append(g.Locations, loc{Path: path(l.Path), Start: pos(l.Span.Start), End: pos(l.Span.End)})
		}
		out = append(out, g)
	}
	return out
}

func TestValidatePolicy(t *testing.T) {
	s := atriumtest.Start(t)
	c := accessanalyzer.NewFromConfig(s.AWSConfig())
	tests := []struct {
		name string
		doc  string
		typ  types.PolicyType
		want []found
	}{
		{"several issues", severalIssues, types.PolicyTypeIdentityPolicy, []found{
			{"WARNING", "MISSING_VERSION", []loc{{"", [3]int32{1, 0, 0}, [3]int32{10, 1, 153}}}},
			{"SUGGESTION", "EMPTY_SID_VALUE", []loc{{".Statement[0].Sid", [3]int32{4, 13, 38}, [3]int32{4, 15, 40}}}},
			{"SECURITY_WARNING", "ALLOW_WITH_NOT_ACTION", []loc{{".Statement[0].NotAction", [3]int32{6, 19, 86}, [3]int32{6, 51, 118}}}},
			{"SUGGESTION", "REDUNDANT_ACTION", []loc{{".Statement[0].NotAction[1]", [3]int32{6, 36, 103}, [3]int32{6, 50, 117}}}},
		}},
		{"no findings", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, types.PolicyTypeIdentityPolicy, nil},
		{"syntax error", "{\"Version\": \"2012-10-17\",\n \"Statement\": [,]}", types.PolicyTypeIdentityPolicy, []found{
			// At the comma that starts the array.
			{"ERROR", "JSON_SYNTAX_ERROR", []loc{{".Statement[0]", [3]int32{2, 15, 41}, [3]int32{2, 15, 41}}}},
		}},
		{"principal in an SCP", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`, types.PolicyTypeServiceControlPolicy, []found{
			{"ERROR", "SCP_SYNTAX_ERROR_PRINCIPAL", []loc{{".Statement[0].Principal", [3]int32{1, 66, 66}, [3]int32{1, 69, 69}}}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.ValidatePolicy(t.Context(), &accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String(tt.doc), PolicyType: tt.typ})
			if err != nil {
				t.Fatalf("ValidatePolicy: %v", err)
			}
			if got := reduce(out.Findings); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ValidatePolicy findings =\n%+v\nwant\n%+v", got, tt.want)
			}
			for _, f := range out.Findings {
				if !strings.HasPrefix(aws.ToString(f.LearnMoreLink), "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#") || aws.ToString(f.FindingDetails) == "" {
					t.Errorf("finding %s: learnMoreLink %q, details %q", aws.ToString(f.IssueCode), aws.ToString(f.LearnMoreLink), aws.ToString(f.FindingDetails))
				}
			}
		})
	}
}

func TestValidatePolicyPaging(t *testing.T) {
	s := atriumtest.Start(t)
	c := accessanalyzer.NewFromConfig(s.AWSConfig())
	var codes []string
	p := accessanalyzer.NewValidatePolicyPaginator(c, &accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String(severalIssues), PolicyType: types.PolicyTypeIdentityPolicy, MaxResults: aws.Int32(3)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, f := range out.Findings {
			codes = append(codes, aws.ToString(f.IssueCode))
		}
	}
	want := []string{"MISSING_VERSION", "EMPTY_SID_VALUE", "ALLOW_WITH_NOT_ACTION", "REDUNDANT_ACTION"}
	if pages != 2 || !reflect.DeepEqual(codes, want) {
		t.Errorf("paging gave %d pages of %v, want 2 pages of %v", pages, codes, want)
	}
}

func TestValidatePolicyErrors(t *testing.T) {
	s := atriumtest.Start(t)
	nobody := s.NewPrincipal(t, "nobody")
	tests := []struct {
		name  string
		creds aws.Credentials
		in    accessanalyzer.ValidatePolicyInput
		code  string
	}{
		{"unknown policy type", s.Credentials, accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String("{}"), PolicyType: "BUCKET_POLICY"}, "ValidationException"},
		{"resource type with identity policy", s.Credentials, accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String("{}"), PolicyType: types.PolicyTypeIdentityPolicy,
			ValidatePolicyResourceType: types.ValidatePolicyResourceTypeS3Bucket}, "ValidationException"},
		{"bad token", s.Credentials, accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String("{}"), PolicyType: types.PolicyTypeIdentityPolicy, NextToken: aws.String("x")}, "ValidationException"},
		{"not allowed", nobody, accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String("{}"), PolicyType: types.PolicyTypeIdentityPolicy}, "AccessDeniedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := accessanalyzer.NewFromConfig(s.AWSConfigFor(tt.creds)).ValidatePolicy(t.Context(), &tt.in)
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tt.code {
				t.Fatalf("ValidatePolicy = %v, want %s", err, tt.code)
			}
			if tt.code == "ValidationException" {
				var ve *types.ValidationException
				if !errors.As(err, &ve) || ve.Reason == "" {
					t.Errorf("ValidatePolicy error = %#v, want a typed ValidationException with a reason", err)
				}
			}
		})
	}
}
