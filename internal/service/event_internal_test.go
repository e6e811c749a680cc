package service

import (
	"encoding/json"
	"testing"

	"github.com/atriumhq/atrium/internal/audit"
	"github.com/atriumhq/atrium/internal/errs"
)

// TestPreparedEvents: an event encoded before its transaction and completed
// in it is the event encoded whole, whatever its request holds, for a
// success and for a failure.
func TestPreparedEvents(t *testing.T) {
	base := audit.Event{EventVersion: audit.EventVersion, EventTime: "2026-11-29T07:00:00Z", EventSource: "sso.amazonaws.com",
		EventName: "CreateAccountAssignment", AWSRegion: "us-east-1", SourceIPAddress: "127.0.0.1", UserAgent: `agent "quoted" <b>`,
		RequestID: "req-1", EventID: "ev-1", EventType: audit.TypeAPICall, ManagementEvent: true, EventCategory: "Management",
		RecipientAccountID: "111122223333", UserIdentity: audit.UserIdentity{Type: "IAMUser", UserName: "admin"},
		ResponseElements: json.RawMessage("null")}
	params := []json.RawMessage{
		json.RawMessage("null"),
		json.RawMessage(`{"InstanceArn":"arn:aws:sso:::instance/ssoins-1"}`),
		// A request may name its fields as the event does.
		json.RawMessage(`{"a":1,"responseElements":null,"requestID":"x"}`),
		json.RawMessage(`{"s":",\"responseElements\":null,\"requestID\":"}`),
	}
	responses := []json.RawMessage{
		json.RawMessage("null"),
		audit.Redact(map[string]any{"AccountAssignmentCreationStatus": map[string]any{"Status": "IN_PROGRESS", "RequestId": "r<&>"}}),
	}
	failure := errs.Errorf(errs.NotFound, "DescribePermissionSet", "Could not find PermissionSet with id %s.", "ps-1")
	for i, p := range params {
		e := base
		e.RequestParameters = p
		pe := prepareEvent(e)
		if pe.pre == nil {
			t.Fatalf("params %d: the event was not prepared", i)
		}
		for j, resp := range responses {
			want := e
			want.ResponseElements = resp
			wantJSON, err := json.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pe.encode(resp, nil)
			if err != nil || string(got) != string(wantJSON) {
				t.Errorf("params %d, response %d: encode() = %s, %v\nwant %s", i, j, got, err, wantJSON)
			}
		}
		want := e
		want.ErrorCode, want.ErrorMessage = errorCode(failure), errs.Public(failure)
		wantJSON, _ := json.Marshal(want)
		got, err := pe.encode(json.RawMessage("null"), failure)
		if err != nil || string(got) != string(wantJSON) {
			t.Errorf("params %d, failure: encode() = %s, %v\nwant %s", i, got, err, wantJSON)
		}
	}
}
