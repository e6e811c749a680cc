package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// mustEvent is the JSON of an event named name at t.
func mustEvent(t *testing.T, name string, at time.Time) []byte {
	t.Helper()
	b, err := json.Marshal(Event{EventVersion: EventVersion, EventTime: FormatTime(at), EventSource: "identitystore.amazonaws.com",
		EventName: name, RequestParameters: json.RawMessage(`{"UserName":"u"}`), ResponseElements: json.RawMessage("null"),
		EventType: TypeAPICall, EventCategory: "Management"})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustChain builds a chain of n records and its sealed head.
func mustChain(t *testing.T, n int) ([]Record, Head) {
	t.Helper()
	var head Head
	var recs []Record
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Second)
		name := fmt.Sprintf("Op%d", i+1)
		r, h := Next(testKey, head, "ssoins-0000000000000001", at, name, mustEvent(t, name, at))
		recs, head = append(recs, r), h
	}
	return recs, head
}

func verify(recs []Record, head Head, key []byte, columns bool) (int64, error) {
	v := &Verifier{Key: key, Columns: columns}
	for _, r := range recs {
		if v.Add(r) != nil {
			break
		}
	}
	return v.Finish(head)
}

func TestNext(t *testing.T) {
	recs, head := mustChain(t, 3)
	for i, r := range recs {
		if r.Seq != int64(i+1) {
			t.Errorf("record %d: Seq = %d, want %d", i, r.Seq, i+1)
		}
		var prev []byte
		if i > 0 {
			prev = recs[i-1].Hash
		}
		if !bytes.Equal(r.PrevHash, prev) {
			t.Errorf("record %d: PrevHash = %x, want %x", i, r.PrevHash, prev)
		}
		if want := ChainHash(prev, r.Seq, r.Data); !bytes.Equal(r.Hash, want) {
			t.Errorf("record %d: Hash = %x, want %x", i, r.Hash, want)
		}
	}
	if head.Seq != 3 || !bytes.Equal(head.Hash, recs[2].Hash) || !bytes.Equal(head.MAC, SealHead(testKey, 3, recs[2].Hash)) {
		t.Errorf("head = %+v, want seq 3 with the last hash, sealed", head)
	}
}

func TestChainHashCoversEveryInput(t *testing.T) {
	base := ChainHash([]byte("prev"), 7, []byte("data"))
	tests := []struct {
		name string
		got  []byte
	}{
		{"prev", ChainHash([]byte("prew"), 7, []byte("data"))},
		{"seq", ChainHash([]byte("prev"), 8, []byte("data"))},
		{"data", ChainHash([]byte("prev"), 7, []byte("datb"))},
		{"boundary between prev and data", ChainHash([]byte("pre"), 7, []byte("vdata"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if bytes.Equal(tt.got, base) {
				t.Errorf("ChainHash with another %s = %x, the same as the original", tt.name, tt.got)
			}
		})
	}
	if bytes.Equal(SealHead(testKey, 7, base), SealHead([]byte("another key, also thirty-two b."), 7, base)) {
		t.Errorf("SealHead under two keys gives the same MAC")
	}
}

func TestVerifier(t *testing.T) {
	tests := []struct {
		name string
		// edit tampers with a chain of 5 records and its head.
		edit    func(recs []Record, head Head) ([]Record, Head)
		key     []byte
		columns bool // Verifier.Columns
		wantN   int64
		wantErr string // "" for an intact chain
	}{
		{
			name:  "intact",
			edit:  func(recs []Record, head Head) ([]Record, Head) { return recs, head },
			wantN: 5,
		},
		{
			name:  "empty chain",
			edit:  func([]Record, Head) ([]Record, Head) { return nil, Head{Hash: []byte{}, MAC: []byte{}} },
			wantN: 0,
		},
		{
			name: "data altered",
			edit: func(recs []Record, head Head) ([]Record, Head) {
				recs[2].Data = bytes.Replace(recs[2].Data, []byte(`"UserName":"u"`), []byte(`"UserName":"v"`), 1)
				return recs, head
			},
			wantErr: "event 3: content does not match its hash",
		},
		{
			name: "data and hash altered",
			edit: func(recs []Record, head Head) ([]Record, Head) {
				recs[2].Data = bytes.Replace(recs[2].Data, []byte(`"UserName":"u"`), []byte(`"UserName":"v"`), 1)
				recs[2].Hash = ChainHash(recs[2].PrevHash, 3, recs[2].Data)
				return recs, head
			},
			wantErr: "event 4: does not link",
		},
		{
			name: "whole chain rehashed after an alteration",
			edit: func(recs []Record, head Head) ([]Record, Head) {
				recs[0].Data = bytes.Replace(recs[0].Data, []byte(`"UserName":"u"`), []byte(`"UserName":"v"`), 1)
				var prev []byte
				for i := range recs {
					recs[i].PrevHash, recs[i].Hash = prev, ChainHash(prev, recs[i].Seq, recs[i].Data)
					prev = recs[i].Hash
				}
				return recs, head
			},
			wantErr: "event 5",
		},
		{
			name: "whole chain rehashed and the head rewritten without the key",
			edit: func(recs []Record, head Head) ([]Record, Head) {
				recs[0].Data = bytes.Replace(recs[0].Data, []byte(`"UserName":"u"`), []byte(`"UserName":"v"`), 1)
				var prev []byte
				for i := range recs {
					recs[i].PrevHash, recs[i].Hash = prev, ChainHash(prev, recs[i].Seq, recs[i].Data)
					prev = recs[i].Hash
				}
				return recs, Head{Seq: 5, Hash: prev, MAC: SealHead([]byte("guessed"), 5, prev)}
			},
			wantErr: "not sealed",
		},
		{
			name:    "middle event deleted",
			edit:    func(recs []Record, head Head) ([]Record, Head) { return append(recs[:2:2], recs[3:]...), head },
			wantErr: "sequence 3",
		},
		{
			name:    "first event deleted",
			edit:    func(recs []Record, head Head) ([]Record, Head) { return recs[1:], head },
			wantErr: "sequence 1",
		},
		{
			name: "event inserted and the rest renumbered",
			edit: func(recs []Record, head Head) ([]Record, Head) {
				forged := Record{Seq: 3, Data: []byte(`{"eventName":"Forged","eventTime":"2026-01-02T03:04:06Z"}`), PrevHash: recs[1].Hash,
					EventName: "Forged", Time: t0.Add(time.Second)}
				forged.Hash = ChainHash(forged.PrevHash, 3, forged.Data)
				out := append(recs[:2:2], forged)
				for _, r := range recs[2:] {
					r.Seq++
					out = append(out, r)
				}
				return out, head
			},
			wantErr: "event 4",
		},
		{
			name: "event appended without the key",
			edit: func(recs []Record, head Head) ([]Record, Head) {
				r, h := Next([]byte("guessed"), head, "", t0, "Forged", []byte(`{"eventName":"Forged","eventTime":"2026-01-02T03:04:05Z"}`))
				return append(recs, r), h
			},
			wantErr: "not sealed",
		},
		{
			name:    "last events deleted, head left",
			edit:    func(recs []Record, head Head) ([]Record, Head) { return recs[:3], head },
			wantErr: "ends at event 3 but its sealed head is event 5",
		},
		{
			name: "last events deleted, head rewritten without the key",
			edit: func(recs []Record, head Head) ([]Record, Head) {
				return recs[:3], Head{Seq: 3, Hash: recs[2].Hash, MAC: head.MAC}
			},
			wantErr: "not sealed",
		},
		{
			name: "every event deleted, head left",
			edit: func(recs []Record, head Head) ([]Record, Head) {
				return nil, head
			},
			wantErr: "ends at event 0 but its sealed head is event 5",
		},
		{
			name:    "verified with another key",
			edit:    func(recs []Record, head Head) ([]Record, Head) { return recs, head },
			key:     []byte("another key, also thirty-two b."),
			wantErr: "not sealed",
		},
		{
			name:    "intact, columns checked",
			edit:    func(recs []Record, head Head) ([]Record, Head) { return recs, head },
			columns: true,
			wantN:   5,
		},
		{
			name: "event name column altered",
			edit: func(recs []Record, head Head) ([]Record, Head) {
				recs[1].EventName = "Innocuous"
				return recs, head
			},
			columns: true,
			wantErr: "event 2: its stored name",
		},
		{
			name: "event time column altered",
			edit: func(recs []Record, head Head) ([]Record, Head) {
				recs[1].Time = recs[1].Time.Add(-time.Hour)
				return recs, head
			},
			columns: true,
			wantErr: "event 2: its stored time",
		},
		{
			name: "event name column altered, columns not checked",
			edit: func(recs []Record, head Head) ([]Record, Head) {
				recs[1].EventName = "Innocuous"
				return recs, head
			},
			wantN: 5,
		},
		{
			name: "data not an event",
			edit: func(recs []Record, head Head) ([]Record, Head) {
				r, h := Next(testKey, head, "", t0, "", []byte(`not json`))
				return append(recs, r), h
			},
			wantErr: "event 6: not a valid event",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, head := mustChain(t, 5)
			recs, head = tt.edit(recs, head)
			key := tt.key
			if key == nil {
				key = testKey
			}
			n, err := verify(recs, head, key, tt.columns)
			if tt.wantErr == "" {
				if err != nil || n != tt.wantN {
					t.Fatalf("Verifier = %d, %v; want %d, nil", n, err, tt.wantN)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Verifier = %d, %v; want an error containing %q", n, err, tt.wantErr)
			}
		})
	}
}

func TestVerifierStopsAtFirstError(t *testing.T) {
	recs, head := mustChain(t, 4)
	recs[1].Data = []byte(`{"eventName":"Op2"}`)
	v := &Verifier{Key: testKey}
	var errs []error
	for _, r := range recs {
		errs = append(errs, v.Add(r))
	}
	if errs[0] != nil || errs[1] == nil || errs[2] != errs[1] || errs[3] != errs[1] {
		t.Fatalf("Verifier.Add errors = %v, want nil then the event 2 error every time", errs)
	}
	if n, err := v.Finish(head); n != 1 || err != errs[1] {
		t.Errorf("Verifier.Finish = %d, %v; want 1, %v", n, err, errs[1])
	}
}

func TestRedact(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{name: "nil", in: nil, want: `null`},
		{name: "no secrets", in: map[string]any{"UserName": "alice", "Emails": []any{map[string]any{"Value": "a@example.com"}}},
			want: `{"Emails":[{"Value":"a@example.com"}],"UserName":"alice"}`},
		{name: "password", in: map[string]any{"UserName": "alice", "Password": "hunter2"}, want: `{"Password":"` + Hidden + `","UserName":"alice"}`},
		{name: "case and separators", in: map[string]any{"secret_access_key": "s", "Secret-Access-Key": "s", "SECRETACCESSKEY": "s", "clientSecret": "s"},
			want: `{"SECRETACCESSKEY":"` + Hidden + `","Secret-Access-Key":"` + Hidden + `","clientSecret":"` + Hidden + `","secret_access_key":"` + Hidden + `"}`},
		{name: "nested in objects and arrays", in: map[string]any{"Credentials": map[string]any{"AccessKeyId": "AKIA", "SessionToken": "tok", "List": []any{map[string]any{"refresh_token": "r"}}}},
			want: `{"Credentials":{"AccessKeyId":"AKIA","List":[{"refresh_token":"` + Hidden + `"}],"SessionToken":"` + Hidden + `"}}`},
		{name: "secret holding an object", in: map[string]any{"privateKey": map[string]any{"d": "x"}}, want: `{"privateKey":"` + Hidden + `"}`},
		{name: "secret field that is null stays null", in: map[string]any{"Password": nil}, want: `{"Password":null}`},
		{name: "struct with tags", in: struct {
			Name  string `json:"Name"`
			Token string `json:"token"`
		}{"n", "t"}, want: `{"Name":"n","token":"` + Hidden + `"}`},
		{name: "numbers keep their form", in: json.RawMessage(`{"MaxResults":100,"Big":12345678901234567890}`), want: `{"MaxResults":100,"Big":12345678901234567890}`},
		{name: "not marshalable", in: map[string]any{"f": func() {}}, want: `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(Redact(tt.in)); got != tt.want {
				t.Errorf("Redact(%v) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestRedactJSON(t *testing.T) {
	// RedactJSON must hide exactly what decoding the document, redacting
	// every secret field and encoding it again hides, whether it takes its
	// fast path (no secret key: the document as it is) or not.
	reference := func(raw string) (any, bool) {
		var x any
		d := json.NewDecoder(strings.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(&x); err != nil || d.More() {
			return nil, false
		}
		return redact(x), true
	}
	docs := []string{
		`{"UserName":"alice","DisplayName":"Alice","Emails":[{"Value":"a@example.com","Primary":true}]}`,
		`{"Password":"hunter2"}`,
		`{"UserName":"u","Password":"p"}`,
		`{"a":{"b":[{"c":1},{"SessionToken":"t"}]}}`,
		`[{"client_secret":"x"},{"Client-Secret":"y"},3,"code"]`,
		`{"Note":"\"Password\":\"not a key\"","k":"v"}`, // a key's text inside a value
		`{"Note":"Password", "other" : "token"}`,        // secret names as values
		`{"Pass\u0077ord":"escaped key"}`,               // escapes: decoded, it is Password
		`{"TOKEN":"Kelvin sign"}`,                       // non-ASCII lowering to ASCII
		`{"Tok\"en":"x","plain":"y"}`,
		`{ "Password" : "spaced" }`,
		`{"p":{"privateKey":{"d":"x"}},"q":null,"Token":null}`,
		`{"averyveryveryveryveryveryverylongfieldname_secret":"x"}`,
		`{"MaxResults":100,"Big":12345678901234567890,"f":1.5e300}`,
		`"just a string"`, `12`, `null`, `[]`, `{}`,
	}
	for _, raw := range docs {
		want, _ := reference(raw)
		got := RedactJSON([]byte(raw))
		var x any
		d := json.NewDecoder(bytes.NewReader(got))
		d.UseNumber()
		if err := d.Decode(&x); err != nil {
			t.Errorf("RedactJSON(%s) = %s, not JSON: %v", raw, got, err)
			continue
		}
		if fmt.Sprint(x) != fmt.Sprint(want) {
			t.Errorf("RedactJSON(%s) = %s, want %v", raw, got, want)
		}
		if !mayHoldSecret([]byte(raw)) && string(got) != raw {
			t.Errorf("RedactJSON(%s) = %s, want the document unchanged", raw, got)
		}
	}
	for _, bad := range []string{``, `{`, `{"a":}`, `{"Password":"x"} trailing`, `"unterminated`} {
		if got := string(RedactJSON([]byte(bad))); got != "null" {
			t.Errorf("RedactJSON(%q) = %s, want null", bad, got)
		}
	}
	// Invalid UTF-8 inside a string is valid JSON to encoding/json; the
	// record gets U+FFFD in its place, as a text column needs.
	for _, raw := range []string{"{\"UserName\":\"a\xffb\"}", "{\"Password\":\"x\",\"n\":\"\xc3\"}"} {
		got := RedactJSON([]byte(raw))
		if !utf8.Valid(got) || !strings.Contains(string(got), "\\ufffd") && !strings.Contains(string(got), "\ufffd") {
			t.Errorf("RedactJSON(%q) = %q, want valid UTF-8 with U+FFFD", raw, got)
		}
	}
	if got := string(RedactJSON([]byte(`{"Password":"hunter2"}`))); strings.Contains(got, "hunter2") {
		t.Errorf("RedactJSON kept the password: %s", got)
	}
	for name := range secretFields {
		if len(name) > maxSecretField {
			t.Errorf("secret field %q is longer than maxSecretField (%d)", name, maxSecretField)
		}
	}
}

func TestIsSecretField(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"Password", true}, {"password", true}, {"SecretAccessKey", true}, {"secret_access_key", true},
		{"SessionToken", true}, {"ClientSecret", true}, {"AccessToken", true}, {"RefreshToken", true},
		{"IdToken", true}, {"DeviceCode", true}, {"CodeVerifier", true}, {"SAMLResponse", true},
		{"UserName", false}, {"AccessKeyId", false}, {"NextToken", false}, {"ClientId", false}, {"DisplayName", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsSecretField(tt.name); got != tt.want {
				t.Errorf("IsSecretField(%q) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}
