package sts_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/atriumhq/atrium/internal/atriumtest"
)

func TestGetCallerIdentity(t *testing.T) {
	s := atriumtest.Start(t)
	account := s.App.Bootstrap.Organization.ManagementAccountID
	// A principal without policies, and one whose policies deny
	// everything: GetCallerIdentity needs no permission.
	bob := s.NewPrincipal(t, "bob")
	eve := s.NewPrincipal(t, "eve", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)
	tests := []struct {
		name    string
		creds   aws.Credentials
		wantARN string
	}{
		{"administrator", s.Credentials, s.App.Bootstrap.AdminARN},
		{"principal without policies", bob, "arn:aws:iam::" + account + ":user/bob"},
		{"principal denied everything", eve, "arn:aws:iam::" + account + ":user/eve"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := sts.NewFromConfig(s.AWSConfigFor(tt.creds)).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatalf("GetCallerIdentity: %v", err)
			}
			if aws.ToString(out.Arn) != tt.wantARN || aws.ToString(out.Account) != account || len(aws.ToString(out.UserId)) != 21 {
				t.Errorf("GetCallerIdentity = %s %s %s, want %s in %s with an AIDA… id", aws.ToString(out.Arn), aws.ToString(out.Account), aws.ToString(out.UserId), tt.wantARN, account)
			}
		})
	}
}

func TestGetCallerIdentityUnknownKey(t *testing.T) {
	s := atriumtest.Start(t)
	creds := aws.Credentials{AccessKeyID: "AKIAAAAAAAAAAAAAAAAA", SecretAccessKey: "secret"}
	_, err := sts.NewFromConfig(s.AWSConfigFor(creds)).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidClientTokenId" {
		t.Fatalf("GetCallerIdentity with an unknown key = %v, want InvalidClientTokenId", err)
	}
}
