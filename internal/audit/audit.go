// Package audit is the model of Atrium's audit trail: one event per API call,
// sign-in and credential issue, in the shape of a CloudTrail record, linked
// in a hash chain whose head is sealed with a key kept outside the database.
// It does no I/O.
package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// EventVersion is the CloudTrail record version Atrium writes.
const EventVersion = "1.08"

// Event types, as CloudTrail names them.
const (
	TypeAPICall    = "AwsApiCall"
	TypeServiceEvt = "AwsServiceEvent"
	TypeSignIn     = "AwsConsoleSignIn"
)

// Event is one audit record in the CloudTrail record shape.
type Event struct {
	EventVersion       string          `json:"eventVersion"`
	UserIdentity       UserIdentity    `json:"userIdentity"`
	EventTime          string          `json:"eventTime"` // RFC 3339, UTC, seconds
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AWSRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress,omitempty"`
	UserAgent          string          `json:"userAgent,omitempty"`
	ErrorCode          string          `json:"errorCode,omitempty"`
	ErrorMessage       string          `json:"errorMessage,omitempty"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	ResponseElements   json.RawMessage `json:"responseElements"`
	RequestID          string          `json:"requestID"`
	EventID            string          `json:"eventID"`
	ReadOnly           bool            `json:"readOnly"`
	EventType          string          `json:"eventType"`
	ManagementEvent    bool            `json:"managementEvent"`
	RecipientAccountID string          `json:"recipientAccountId,omitempty"`
	EventCategory      string          `json:"eventCategory"`
}

// UserIdentity is who made the call.
type UserIdentity struct {
	Type        string `json:"type"` // IAMUser, AssumedRole, Unknown, …
	PrincipalID string `json:"principalId,omitempty"`
	ARN         string `json:"arn,omitempty"`
	AccountID   string `json:"accountId,omitempty"`
	AccessKeyID string `json:"accessKeyId,omitempty"`
	UserName    string `json:"userName,omitempty"`
	SessionID   string `json:"sessionId,omitempty"`
}

// FormatTime formats t as CloudTrail does.
func FormatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// Record is an event as stored: its position in the chain, the exact bytes
// that were hashed, and the hashes.
type Record struct {
	Seq        int64
	InstanceID string
	Time       time.Time
	EventName  string
	Data       []byte // the event's JSON, exactly as hashed
	PrevHash   []byte
	Hash       []byte
}

// Head is the end of the chain: the last sequence number and hash, sealed by
// a MAC under the audit key.
type Head struct {
	Seq  int64
	Hash []byte
	MAC  []byte
}

// ChainHash computes the hash of the record at seq following prev.
func ChainHash(prev []byte, seq int64, data []byte) []byte {
	h := sha256.New()
	h.Write(prev)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(seq))
	h.Write(b[:])
	h.Write(data)
	return h.Sum(nil)
}

// SealHead computes the MAC of a chain head under key.
func SealHead(key []byte, seq int64, hash []byte) []byte {
	m := hmac.New(sha256.New, key)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(seq))
	m.Write(b[:])
	m.Write(hash)
	return m.Sum(nil)
}

// Next makes the record that follows head for the event data, and the new
// head sealed under key.
func Next(key []byte, head Head, instanceID string, t time.Time, name string, data []byte) (Record, Head) {
	seq := head.Seq + 1
	hash := ChainHash(head.Hash, seq, data)
	r := Record{Seq: seq, InstanceID: instanceID, Time: t, EventName: name, Data: data, PrevHash: head.Hash, Hash: hash}
	return r, Head{Seq: seq, Hash: hash, MAC: SealHead(key, seq, hash)}
}

// Verifier checks records in sequence order. Feed every record to Add, then
// call Finish with the stored head.
type Verifier struct {
	Key []byte
	// Columns also checks that each record's stored name and time are those
	// of its event data. The hash covers only the data, while the stored
	// columns select events; producers that store the event's own name and
	// time (the service) set it.
	Columns bool
	n       int64
	last    Head
	Err     error
}

// Add checks the next record. It returns the first error found; once an
// error is found every later call returns it.
func (v *Verifier) Add(r Record) error {
	if v.Err != nil {
		return v.Err
	}
	switch {
	case r.Seq != v.last.Seq+1:
		v.Err = fmt.Errorf("event %d: expected sequence %d: an event was deleted or inserted", r.Seq, v.last.Seq+1)
	case !bytes.Equal(r.PrevHash, v.last.Hash):
		v.Err = fmt.Errorf("event %d: does not link to the event before it: an event was deleted, inserted or altered", r.Seq)
	case !bytes.Equal(ChainHash(r.PrevHash, r.Seq, r.Data), r.Hash):
		v.Err = fmt.Errorf("event %d: content does not match its hash: the event was altered", r.Seq)
	default:
		var e Event
		if err := json.Unmarshal(r.Data, &e); err != nil {
			v.Err = fmt.Errorf("event %d: not a valid event: %v", r.Seq, err)
			break
		}
		if v.Columns && e.EventName != r.EventName {
			v.Err = fmt.Errorf("event %d: its stored name %q is not its recorded name %q: the event was altered", r.Seq, r.EventName, e.EventName)
			break
		}
		if v.Columns && FormatTime(r.Time) != e.EventTime {
			v.Err = fmt.Errorf("event %d: its stored time %s is not its recorded time %s: the event was altered", r.Seq, FormatTime(r.Time), e.EventTime)
			break
		}
		v.n++
		v.last = Head{Seq: r.Seq, Hash: r.Hash}
	}
	return v.Err
}

// Finish checks that the chain ends at the sealed head, which catches events
// removed from the end. It returns the number of verified events.
func (v *Verifier) Finish(head Head) (int64, error) {
	if v.Err != nil {
		return v.n, v.Err
	}
	if head.Seq == 0 && v.last.Seq == 0 {
		return 0, nil
	}
	if !hmac.Equal(head.MAC, SealHead(v.Key, head.Seq, head.Hash)) {
		return v.n, fmt.Errorf("the chain head (event %d) is not sealed by this deployment's audit key: the head was altered", head.Seq)
	}
	if head.Seq != v.last.Seq {
		return v.n, fmt.Errorf("the chain ends at event %d but its sealed head is event %d: events were deleted from the end", v.last.Seq, head.Seq)
	}
	if !bytes.Equal(head.Hash, v.last.Hash) {
		return v.n, fmt.Errorf("event %d is not the event its sealed head names: events were altered, inserted or deleted", head.Seq)
	}
	return v.n, nil
}

// Hidden replaces a redacted value, as CloudTrail writes it.
const Hidden = "HIDDEN_DUE_TO_SECURITY_REASONS"

var secretFields = map[string]bool{
	"password": true, "secretaccesskey": true, "sessiontoken": true, "secret": true,
	"clientsecret": true, "accesstoken": true, "refreshtoken": true, "idtoken": true,
	"token": true, "devicecode": true, "privatekey": true, "code": true, "codeverifier": true,
	"assertion": true, "samlresponse": true, "totp": true, "otp": true,
}

// maxSecretField bounds the length of the names in secretFields.
const maxSecretField = 32

// IsSecretField reports whether a field of that name holds a secret.
func IsSecretField(name string) bool {
	return secretFields[strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(name, "_", ""), "-", ""))]
}

// Redact marshals v to JSON with the value of every secret field, at any
// depth, replaced by Hidden. It returns JSON null for a nil v.
func Redact(v any) json.RawMessage {
	if v == nil {
		return json.RawMessage("null")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return json.RawMessage("null")
	}
	return RedactJSON(b)
}

// RedactJSON returns the JSON document raw with the value of every secret
// field, at any depth, replaced by Hidden; JSON null when raw is not JSON.
// A document of valid UTF-8 without a secret field, the common case, is
// returned as it is (raw itself: the caller must not change it
// afterwards); otherwise it is decoded and encoded again, which also
// replaces invalid UTF-8 (that encoding/json accepts inside strings, and
// PostgreSQL refuses in a text column) with U+FFFD.
func RedactJSON(raw []byte) json.RawMessage {
	if !json.Valid(raw) {
		return json.RawMessage("null")
	}
	if utf8.Valid(raw) && !mayHoldSecret(raw) {
		return raw
	}
	var x any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&x); err != nil {
		return json.RawMessage("null")
	}
	out, err := json.Marshal(redact(x))
	if err != nil {
		return json.RawMessage("null")
	}
	return out
}

// mayHoldSecret reports whether the valid JSON document raw has an object
// key that names a secret field, or one it cannot tell without decoding
// (a key with escapes or non-ASCII bytes). In valid JSON, a string followed
// by a colon is a key.
func mayHoldSecret(raw []byte) bool {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '"' {
			continue
		}
		start, plain := i+1, true
		for i++; raw[i] != '"'; i++ {
			switch c := raw[i]; {
			case c == '\\':
				plain = false
				i++ // the escaped byte
			case c >= 0x80:
				plain = false
			}
		}
		key := raw[start:i]
		j := i + 1
		for j < len(raw) && (raw[j] == ' ' || raw[j] == '\t' || raw[j] == '\n' || raw[j] == '\r') {
			j++
		}
		if j == len(raw) || raw[j] != ':' {
			continue // a value
		}
		if !plain || isSecretASCII(key) {
			return true
		}
	}
	return false
}

// isSecretASCII is IsSecretField for a name of ASCII bytes, without
// allocating.
func isSecretASCII(name []byte) bool {
	var buf [maxSecretField]byte
	n := 0
	for _, c := range name {
		switch {
		case c == '_' || c == '-':
			continue
		case n == len(buf):
			return false // longer than any secret field
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		buf[n] = c
		n++
	}
	return secretFields[string(buf[:n])]
}

func redact(x any) any {
	switch t := x.(type) {
	case map[string]any:
		for k, v := range t {
			if IsSecretField(k) && v != nil {
				t[k] = Hidden
			} else {
				t[k] = redact(v)
			}
		}
	case []any:
		for i, v := range t {
			t[i] = redact(v)
		}
	}
	return x
}
