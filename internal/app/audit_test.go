package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	"github.com/aws/aws-sdk-go-v2/service/identitystore/document"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	"github.com/aws/smithy-go"

	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/audit"
	"github.com/atriumhq/atrium/internal/service"
)

// unknownID is a well-formed id that names nothing.
const unknownID = "11111111-2222-3333-4444-555555555555"

// unknownStore is a well-formed identity store id that is not the server's.
const unknownStore = "d-0000000000"

// lastRequest is an HTTP client that remembers the request id of the last
// response.
type lastRequest struct {
	mu sync.Mutex
	id string
}

func (l *lastRequest) Do(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultClient.Do(r)
	if err == nil {
		l.mu.Lock()
		l.id = resp.Header.Get("x-amzn-RequestId")
		l.mu.Unlock()
	}
	return resp, err
}

func (l *lastRequest) ID() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.id
}

func client(s *atriumtest.Server, creds aws.Credentials) (*identitystore.Client, *lastRequest) {
	rec := &lastRequest{}
	cfg := s.AWSConfigFor(creds)
	cfg.HTTPClient = rec
	return identitystore.NewFromConfig(cfg), rec
}

// mustEventsAfter returns the audit events after sequence seq, and the last
// sequence number.
func mustEventsAfter(t *testing.T, s *atriumtest.Server, seq int64) ([]audit.Event, int64) {
	t.Helper()
	var out []audit.Event
	n := int64(0)
	err := s.App.Service.AuditEvents(context.Background(), service.AuditFilter{}, func(b json.RawMessage) error {
		n++
		if n <= seq {
			return nil
		}
		var e audit.Event
		if err := json.Unmarshal(b, &e); err != nil {
			return err
		}
		out = append(out, e)
		return nil
	})
	if err != nil {
		t.Fatalf("AuditEvents: %v", err)
	}
	return out, n
}

func errorCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "not an API error: " + err.Error()
}

// fixture holds what the operations act on.
type fixture struct {
	storeID            string
	userID, userName   string
	groupID, groupName string
	member             string // a membership of userID in groupID
	otherGroupID       string // a group without members
}

func mustFixture(t *testing.T, s *atriumtest.Server, c *identitystore.Client, n string) fixture {
	t.Helper()
	ctx := t.Context()
	f := fixture{storeID: s.StoreID}
	u, err := c.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: aws.String(f.storeID), UserName: aws.String("user-" + n),
		DisplayName: aws.String("User " + n), Name: &idtypes.Name{GivenName: aws.String("User"), FamilyName: aws.String(n)}})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	g, err := c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(f.storeID), DisplayName: aws.String("group-" + n)})
	if err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	m, err := c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: aws.String(f.storeID),
		GroupId: g.GroupId, MemberId: &idtypes.MemberIdMemberUserId{Value: *u.UserId}})
	if err != nil {
		t.Fatalf("CreateGroupMembership: %v", err)
	}
	o, err := c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(f.storeID), DisplayName: aws.String("other-" + n)})
	if err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	f.userID, f.userName, f.groupID, f.groupName, f.member, f.otherGroupID = *u.UserId, "user-"+n, *g.GroupId, "group-"+n, *m.MembershipId, *o.GroupId
	return f
}

// operation calls one identitystore operation on f.
type operation func(ctx context.Context, c *identitystore.Client, f fixture) error

func ignore[T any](_ T, err error) error { return err }

var operations = []struct {
	name     string
	readOnly bool
	// call runs the operation; it succeeds for the administrator on a
	// fresh fixture.
	call operation
	// failing makes the operation fail with failCode.
	failing  operation
	failCode string
}{
	{
		name: "CreateUser",
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: &f.storeID, UserName: aws.String("new-" + f.userID[:8]),
				DisplayName: aws.String("New"), Name: &idtypes.Name{GivenName: aws.String("N"), FamilyName: aws.String("U")}}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.CreateUser(ctx, &identitystore.CreateUserInput{IdentityStoreId: aws.String(unknownStore), UserName: aws.String("x"),
				DisplayName: aws.String("X"), Name: &idtypes.Name{GivenName: aws.String("X"), FamilyName: aws.String("Y")}}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "DescribeUser", readOnly: true,
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &f.storeID, UserId: &f.userID}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.DescribeUser(ctx, &identitystore.DescribeUserInput{IdentityStoreId: &f.storeID, UserId: aws.String(unknownID)}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "UpdateUser",
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: &f.storeID, UserId: &f.userID,
				Operations: []idtypes.AttributeOperation{{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("Renamed")}}}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.UpdateUser(ctx, &identitystore.UpdateUserInput{IdentityStoreId: &f.storeID, UserId: aws.String(unknownID),
				Operations: []idtypes.AttributeOperation{{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("Renamed")}}}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "ListUsers", readOnly: true,
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: &f.storeID}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.ListUsers(ctx, &identitystore.ListUsersInput{IdentityStoreId: aws.String(unknownStore)}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "GetUserId", readOnly: true,
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: &f.storeID, AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{
				Value: idtypes.UniqueAttribute{AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument(f.userName)}}}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.GetUserId(ctx, &identitystore.GetUserIdInput{IdentityStoreId: &f.storeID, AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{
				Value: idtypes.UniqueAttribute{AttributePath: aws.String("userName"), AttributeValue: document.NewLazyDocument("nobody-has-this-name")}}}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "CreateGroup",
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: &f.storeID, DisplayName: aws.String("new-" + f.groupID[:8])}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.CreateGroup(ctx, &identitystore.CreateGroupInput{IdentityStoreId: aws.String(unknownStore), DisplayName: aws.String("x")}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "DescribeGroup", readOnly: true,
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: &f.storeID, GroupId: &f.groupID}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.DescribeGroup(ctx, &identitystore.DescribeGroupInput{IdentityStoreId: &f.storeID, GroupId: aws.String(unknownID)}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "UpdateGroup",
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: &f.storeID, GroupId: &f.groupID,
				Operations: []idtypes.AttributeOperation{{AttributePath: aws.String("description"), AttributeValue: document.NewLazyDocument("described")}}}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.UpdateGroup(ctx, &identitystore.UpdateGroupInput{IdentityStoreId: &f.storeID, GroupId: aws.String(unknownID),
				Operations: []idtypes.AttributeOperation{{AttributePath: aws.String("description"), AttributeValue: document.NewLazyDocument("described")}}}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "ListGroups", readOnly: true,
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: &f.storeID}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.ListGroups(ctx, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(unknownStore)}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "GetGroupId", readOnly: true,
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: &f.storeID, AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{
				Value: idtypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument(f.groupName)}}}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.GetGroupId(ctx, &identitystore.GetGroupIdInput{IdentityStoreId: &f.storeID, AlternateIdentifier: &idtypes.AlternateIdentifierMemberUniqueAttribute{
				Value: idtypes.UniqueAttribute{AttributePath: aws.String("displayName"), AttributeValue: document.NewLazyDocument("no such group")}}}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "DescribeGroupMembership", readOnly: true,
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.DescribeGroupMembership(ctx, &identitystore.DescribeGroupMembershipInput{IdentityStoreId: &f.storeID, MembershipId: &f.member}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.DescribeGroupMembership(ctx, &identitystore.DescribeGroupMembershipInput{IdentityStoreId: &f.storeID, MembershipId: aws.String(unknownID)}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "GetGroupMembershipId", readOnly: true,
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: &f.storeID, GroupId: &f.groupID,
				MemberId: &idtypes.MemberIdMemberUserId{Value: f.userID}}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.GetGroupMembershipId(ctx, &identitystore.GetGroupMembershipIdInput{IdentityStoreId: &f.storeID, GroupId: &f.groupID,
				MemberId: &idtypes.MemberIdMemberUserId{Value: unknownID}}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "ListGroupMemberships", readOnly: true,
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: &f.storeID, GroupId: &f.groupID}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.ListGroupMemberships(ctx, &identitystore.ListGroupMembershipsInput{IdentityStoreId: aws.String(unknownStore), GroupId: &f.groupID}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "ListGroupMembershipsForMember", readOnly: true,
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: &f.storeID,
				MemberId: &idtypes.MemberIdMemberUserId{Value: f.userID}}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.ListGroupMembershipsForMember(ctx, &identitystore.ListGroupMembershipsForMemberInput{IdentityStoreId: aws.String(unknownStore),
				MemberId: &idtypes.MemberIdMemberUserId{Value: f.userID}}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "IsMemberInGroups", readOnly: true,
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.IsMemberInGroups(ctx, &identitystore.IsMemberInGroupsInput{IdentityStoreId: &f.storeID,
				MemberId: &idtypes.MemberIdMemberUserId{Value: f.userID}, GroupIds: []string{f.groupID}}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.IsMemberInGroups(ctx, &identitystore.IsMemberInGroupsInput{IdentityStoreId: aws.String(unknownStore),
				MemberId: &idtypes.MemberIdMemberUserId{Value: f.userID}, GroupIds: []string{f.groupID}}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "CreateGroupMembership",
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: &f.storeID, GroupId: &f.otherGroupID,
				MemberId: &idtypes.MemberIdMemberUserId{Value: f.userID}}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.CreateGroupMembership(ctx, &identitystore.CreateGroupMembershipInput{IdentityStoreId: &f.storeID, GroupId: aws.String(unknownID),
				MemberId: &idtypes.MemberIdMemberUserId{Value: f.userID}}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "DeleteGroupMembership",
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: &f.storeID, MembershipId: &f.member}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.DeleteGroupMembership(ctx, &identitystore.DeleteGroupMembershipInput{IdentityStoreId: &f.storeID, MembershipId: aws.String(unknownID)}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "DeleteGroup",
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.DeleteGroup(ctx, &identitystore.DeleteGroupInput{IdentityStoreId: &f.storeID, GroupId: &f.groupID}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.DeleteGroup(ctx, &identitystore.DeleteGroupInput{IdentityStoreId: &f.storeID, GroupId: aws.String(unknownID)}))
		},
		failCode: "ResourceNotFoundException",
	},
	{
		name: "DeleteUser",
		call: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: &f.storeID, UserId: &f.userID}))
		},
		failing: func(ctx context.Context, c *identitystore.Client, f fixture) error {
			return ignore(c.DeleteUser(ctx, &identitystore.DeleteUserInput{IdentityStoreId: &f.storeID, UserId: aws.String(unknownID)}))
		},
		failCode: "ResourceNotFoundException",
	},
}

// TestEveryOperationIsAuditedOnce calls every identitystore operation
// through the SDK as the administrator (success and failure) and as a
// principal without policies (denial), and checks that each call leaves
// exactly one audit event that describes it.
func TestEveryOperationIsAuditedOnce(t *testing.T) {
	s := atriumtest.Start(t)
	admin, adminReq := client(s, s.Credentials)
	nobodyCreds := s.NewPrincipal(t, "nobody")
	nobody, nobodyReq := client(s, nobodyCreds)
	if len(operations) != 19 {
		t.Errorf("the table covers %d identitystore operations, want all 19", len(operations))
	}
	type outcome struct {
		name     string
		c        *identitystore.Client
		rec      *lastRequest
		user     string
		wantCode string
		failing  bool
	}
	for i, op := range operations {
		outcomes := []outcome{
			{name: "success", c: admin, rec: adminReq, user: "atrium-admin"},
			{name: "failure", c: admin, rec: adminReq, user: "atrium-admin", wantCode: op.failCode, failing: true},
			{name: "denial", c: nobody, rec: nobodyReq, user: "nobody", wantCode: "AccessDeniedException"},
		}
		for _, oc := range outcomes {
			t.Run(op.name+"/"+oc.name, func(t *testing.T) {
				f := mustFixture(t, s, admin, op.name+"-"+oc.name+"-"+string(rune('a'+i)))
				call := op.call
				if oc.failing {
					call = op.failing
				}
				_, seq := mustEventsAfter(t, s, 0)
				err := call(t.Context(), oc.c, f)
				if got := errorCode(err); got != oc.wantCode {
					t.Fatalf("%s as %s = %v, want code %q", op.name, oc.user, err, oc.wantCode)
				}
				evs, _ := mustEventsAfter(t, s, seq)
				if len(evs) != 1 {
					t.Fatalf("%s left %d audit events, want 1", op.name, len(evs))
				}
				e := evs[0]
				if e.EventName != op.name {
					t.Errorf("event name = %q, want %q", e.EventName, op.name)
				}
				if e.EventSource != "identitystore.amazonaws.com" || e.ReadOnly != op.readOnly || e.ErrorCode != oc.wantCode {
					t.Errorf("event = source %s readOnly %v errorCode %q, want identitystore.amazonaws.com %v %q", e.EventSource, e.ReadOnly, e.ErrorCode, op.readOnly, oc.wantCode)
				}
				if e.UserIdentity.UserName != oc.user || e.UserIdentity.AccessKeyID == "" {
					t.Errorf("event userIdentity = %+v, want %s with its access key", e.UserIdentity, oc.user)
				}
				if e.RequestID != oc.rec.ID() || e.RequestID == "" {
					t.Errorf("event requestID = %q, want the response's x-amzn-RequestId %q", e.RequestID, oc.rec.ID())
				}
				if e.EventType != audit.TypeAPICall || e.EventVersion != audit.EventVersion || e.EventID == "" || e.EventTime == "" || e.AWSRegion == "" {
					t.Errorf("event = %+v, want a complete AwsApiCall record", e)
				}
				if oc.wantCode != "" && e.ErrorMessage == "" {
					t.Errorf("event of a %s has no errorMessage", oc.wantCode)
				}
			})
		}
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// mustRawCall sends a signed identitystore request with body as it is.
func mustRawCall(t *testing.T, s *atriumtest.Server, target, body string) (int, string) {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", target)
	if err := v4.NewSigner().SignHTTP(t.Context(), s.Credentials, r, sha256Hex([]byte(body)), "identitystore", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAuditHoldsNoSecret checks that secrets sent or used in calls never
// reach an audit event: a password-like field of a request is recorded
// redacted, and no access key secret appears anywhere.
func TestAuditHoldsNoSecret(t *testing.T) {
	s := atriumtest.Start(t)
	const password = "hunter2-secret"
	nobody := s.NewPrincipal(t, "nobody")
	body := `{"IdentityStoreId":"` + s.StoreID + `","UserName":"with-password","DisplayName":"P","Name":{"GivenName":"P","FamilyName":"W"},` +
		`"Password":"` + password + `","Extra":{"client_secret":"` + password + `","Nested":[{"sessionToken":"` + password + `"}]}}`
	if status, resp := mustRawCall(t, s, "AWSIdentityStore.CreateUser", body); status != 200 {
		t.Fatalf("CreateUser with a password = %d %s, want 200", status, resp)
	}
	// A refused call carries its parameters too.
	if status, _ := mustRawCall(t, s, "AWSIdentityStore.CreateUser", strings.Replace(body, "with-password", "with-password", 1)); status != 409 {
		t.Fatalf("second CreateUser with a password = %d, want 409", status)
	}
	// A denied call, and one with a wrong secret.
	c, _ := client(s, nobody)
	if _, err := c.ListUsers(t.Context(), &identitystore.ListUsersInput{IdentityStoreId: &s.StoreID}); errorCode(err) != "AccessDeniedException" {
		t.Fatalf("ListUsers as nobody = %v, want AccessDeniedException", err)
	}
	wrong := s.Credentials
	wrong.SecretAccessKey = nobody.SecretAccessKey
	c, _ = client(s, wrong)
	if _, err := c.ListUsers(t.Context(), &identitystore.ListUsersInput{IdentityStoreId: &s.StoreID}); errorCode(err) != "InvalidSignatureException" {
		t.Fatalf("ListUsers with the wrong secret = %v, want InvalidSignatureException", err)
	}

	var raw []string
	var withPassword int
	err := s.App.Service.AuditEvents(t.Context(), service.AuditFilter{}, func(b json.RawMessage) error {
		raw = append(raw, string(b))
		var e audit.Event
		if err := json.Unmarshal(b, &e); err != nil {
			return err
		}
		if e.EventName != "CreateUser" {
			return nil
		}
		var p struct {
			UserName string `json:"UserName"`
			Password string `json:"Password"`
			Extra    struct {
				ClientSecret string `json:"client_secret"`
				Nested       []struct {
					SessionToken string `json:"sessionToken"`
				}
			}
		}
		if err := json.Unmarshal(e.RequestParameters, &p); err != nil {
			t.Errorf("CreateUser requestParameters %s: %v", e.RequestParameters, err)
			return nil
		}
		withPassword++
		if p.UserName != "with-password" || p.Password != audit.Hidden || p.Extra.ClientSecret != audit.Hidden ||
			len(p.Extra.Nested) != 1 || p.Extra.Nested[0].SessionToken != audit.Hidden {
			t.Errorf("CreateUser requestParameters = %s, want the user name kept and every secret field %s", e.RequestParameters, audit.Hidden)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if withPassword != 2 {
		t.Errorf("found %d CreateUser events, want 2", withPassword)
	}
	for _, secret := range []string{password, s.Credentials.SecretAccessKey, nobody.SecretAccessKey} {
		for _, ev := range raw {
			if strings.Contains(ev, secret) {
				t.Errorf("an audit event holds a secret: %s", ev)
			}
		}
	}
	if len(raw) < 5 {
		t.Errorf("found %d audit events, want at least 5", len(raw))
	}
}
