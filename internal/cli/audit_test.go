package cli

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	idtypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, to tamper with the file

	"github.com/atriumhq/atrium/internal/atriumtest"
	"github.com/atriumhq/atrium/internal/audit"
)

// runAtrium runs the atrium command with args and an empty environment.
func runAtrium(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runAtriumEnv(t, map[string]string{}, args...)
}

func runAtriumEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	rc := Main(t.Context(), args, Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }})
	return rc, stdout.String(), stderr.String()
}

// auditFixture is the data dir of a stopped server whose audit trail holds
// the events of a few calls.
type auditFixture struct {
	dir   string
	count int64 // events in the trail
	// firstUserTime is the event time of the first CreateUser; the
	// later ones are at least a second after it.
	laterUsersSince string
}

func mustCreateUser(t *testing.T, c *identitystore.Client, storeID, name string) string {
	t.Helper()
	out, err := c.CreateUser(t.Context(), &identitystore.CreateUserInput{
		IdentityStoreId: aws.String(storeID), UserName: aws.String(name), DisplayName: aws.String(name),
		Name: &idtypes.Name{GivenName: aws.String(name), FamilyName: aws.String("Example")},
	})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return *out.UserId
}

// mustAuditFixture drives a server through the SDK, stops it and returns
// its data dir.
func mustAuditFixture(t *testing.T) auditFixture {
	t.Helper()
	s := atriumtest.Start(t)
	c := s.IdentityStore()
	mustCreateUser(t, c, s.StoreID, "alice")
	if _, err := c.ListUsers(t.Context(), &identitystore.ListUsersInput{IdentityStoreId: aws.String(s.StoreID)}); err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if _, err := c.DescribeUser(t.Context(), &identitystore.DescribeUserInput{IdentityStoreId: aws.String(s.StoreID), UserId: aws.String("b4f8e4a8-1111-2222-3333-444455556666")}); err == nil {
		t.Fatalf("DescribeUser of an unknown user succeeded")
	}
	// Let the clock reach the next second, so that --since can split the
	// CreateUser events.
	next := time.Now().UTC().Truncate(time.Second).Add(time.Second)
	time.Sleep(time.Until(next))
	since := next.Format(time.RFC3339)
	mustCreateUser(t, c, s.StoreID, "bob")
	if _, err := c.CreateGroup(t.Context(), &identitystore.CreateGroupInput{IdentityStoreId: aws.String(s.StoreID), DisplayName: aws.String("admins")}); err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	mustCreateUser(t, c, s.StoreID, "carol")
	s.Stop()

	f := auditFixture{dir: s.Config.DataDir, laterUsersSince: since}
	db := mustOpenSQLite(t, f.dir)
	if err := db.QueryRow(`SELECT COUNT(*) FROM audit_events`).Scan(&f.count); err != nil {
		t.Fatal(err)
	}
	db.Close()
	return f
}

// mustCopyDir copies the files of a stopped server's data dir.
func mustCopyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func mustOpenSQLite(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "atrium.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

type storedEvent struct {
	seq      int64
	name     string
	data     string
	prevHash []byte
	hash     []byte
}

func mustEvents(t *testing.T, db *sql.DB) []storedEvent {
	t.Helper()
	rows, err := db.Query(`SELECT seq, event_name, data, prev_hash, hash FROM audit_events ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedEvent
	for rows.Next() {
		var e storedEvent
		if err := rows.Scan(&e.seq, &e.name, &e.data, &e.prevHash, &e.hash); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// seqOf is the sequence number of the event named name whose data holds s.
func seqOf(t *testing.T, evs []storedEvent, name, s string) int64 {
	t.Helper()
	for _, e := range evs {
		if e.name == name && strings.Contains(e.data, s) {
			return e.seq
		}
	}
	t.Fatalf("no %s event holds %q", name, s)
	return 0
}

// forgedEvent is the data of an event a forger writes.
func forgedEvent(t *testing.T, at time.Time) string {
	t.Helper()
	b, err := json.Marshal(audit.Event{EventVersion: audit.EventVersion, EventTime: audit.FormatTime(at), EventSource: "identitystore.amazonaws.com",
		EventName: "CreateUser", AWSRegion: "us-east-1", RequestParameters: json.RawMessage(`{"UserName":"mallory"}`),
		ResponseElements: json.RawMessage("null"), EventType: audit.TypeAPICall, EventCategory: "Management"})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func insertEvent(t *testing.T, db *sql.DB, seq int64, data string, prev []byte) []byte {
	t.Helper()
	hash := audit.ChainHash(prev, seq, []byte(data))
	var e audit.Event
	if err := json.Unmarshal([]byte(data), &e); err != nil {
		t.Fatal(err)
	}
	at, err := time.Parse(time.RFC3339, e.EventTime)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `INSERT INTO audit_events (seq, instance_id, event_time, event_name, data, prev_hash, hash) VALUES (?, '', ?, ?, ?, ?, ?)`,
		seq, at.UnixMicro(), e.EventName, data, prev, hash)
	return hash
}

// rehashFrom recomputes the chain from seq on, as a forger who knows the
// algorithm but not the key would.
func rehashFrom(t *testing.T, db *sql.DB, seq int64) (int64, []byte) {
	t.Helper()
	evs := mustEvents(t, db)
	var prev []byte
	var last int64
	for _, e := range evs {
		if e.seq >= seq {
			h := audit.ChainHash(prev, e.seq, []byte(e.data))
			mustExec(t, db, `UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?`, prev, h, e.seq)
			e.hash = h
		}
		prev, last = e.hash, e.seq
	}
	return last, prev
}

func TestAuditVerify(t *testing.T) {
	f := mustAuditFixture(t)
	wrongKey := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	tests := []struct {
		name string
		// tamper edits the database and returns what the failure must say.
		tamper func(t *testing.T, db *sql.DB, evs []storedEvent) string
		env    map[string]string
	}{
		{
			name: "data of one event altered",
			tamper: func(t *testing.T, db *sql.DB, evs []storedEvent) string {
				seq := seqOf(t, evs, "CreateUser", `"bob"`)
				mustExec(t, db, `UPDATE audit_events SET data = replace(data, '"bob"', '"eve"') WHERE seq = ?`, seq)
				return "event " + strconv.FormatInt(seq, 10) + ":"
			},
		},
		{
			name: "data altered and the rest of the chain rehashed",
			tamper: func(t *testing.T, db *sql.DB, evs []storedEvent) string {
				seq := seqOf(t, evs, "CreateUser", `"bob"`)
				mustExec(t, db, `UPDATE audit_events SET data = replace(data, '"bob"', '"eve"') WHERE seq = ?`, seq)
				last, _ := rehashFrom(t, db, seq)
				return "event " + strconv.FormatInt(last, 10)
			},
		},
		{
			name: "name of one event altered",
			tamper: func(t *testing.T, db *sql.DB, evs []storedEvent) string {
				seq := seqOf(t, evs, "CreateUser", `"alice"`)
				mustExec(t, db, `UPDATE audit_events SET event_name = 'ListUsers' WHERE seq = ?`, seq)
				return "event " + strconv.FormatInt(seq, 10) + ":"
			},
		},
		{
			name: "time of one event altered",
			tamper: func(t *testing.T, db *sql.DB, evs []storedEvent) string {
				seq := seqOf(t, evs, "CreateUser", `"alice"`)
				mustExec(t, db, `UPDATE audit_events SET event_time = event_time - 86400000000 WHERE seq = ?`, seq)
				return "event " + strconv.FormatInt(seq, 10) + ":"
			},
		},
		{
			name: "middle event deleted",
			tamper: func(t *testing.T, db *sql.DB, evs []storedEvent) string {
				seq := seqOf(t, evs, "CreateUser", `"bob"`)
				mustExec(t, db, `DELETE FROM audit_events WHERE seq = ?`, seq)
				return "sequence " + strconv.FormatInt(seq, 10) + ":"
			},
		},
		{
			name: "forged event inserted in the middle, later events renumbered",
			tamper: func(t *testing.T, db *sql.DB, evs []storedEvent) string {
				seq := seqOf(t, evs, "CreateUser", `"bob"`)
				mustExec(t, db, `UPDATE audit_events SET seq = -(seq + 1) WHERE seq > ?`, seq)
				mustExec(t, db, `UPDATE audit_events SET seq = -seq WHERE seq < 0`)
				insertEvent(t, db, seq+1, forgedEvent(t, time.Now()), evs[seq-1].hash)
				return "event " + strconv.FormatInt(seq+2, 10) + ":"
			},
		},
		{
			name: "forged event inserted, the chain rehashed, the head left",
			tamper: func(t *testing.T, db *sql.DB, evs []storedEvent) string {
				seq := seqOf(t, evs, "CreateUser", `"bob"`)
				mustExec(t, db, `UPDATE audit_events SET seq = -(seq + 1) WHERE seq > ?`, seq)
				mustExec(t, db, `UPDATE audit_events SET seq = -seq WHERE seq < 0`)
				insertEvent(t, db, seq+1, forgedEvent(t, time.Now()), evs[seq-1].hash)
				last, _ := rehashFrom(t, db, seq+1)
				return "event " + strconv.FormatInt(last, 10) + ": lies beyond the sealed head"
			},
		},
		{
			name: "forged event appended, the head left",
			tamper: func(t *testing.T, db *sql.DB, evs []storedEvent) string {
				last := evs[len(evs)-1]
				insertEvent(t, db, last.seq+1, forgedEvent(t, time.Now()), last.hash)
				return "event " + strconv.FormatInt(last.seq+1, 10)
			},
		},
		{
			name: "forged event appended, the head rewritten without the key",
			tamper: func(t *testing.T, db *sql.DB, evs []storedEvent) string {
				last := evs[len(evs)-1]
				h := insertEvent(t, db, last.seq+1, forgedEvent(t, time.Now()), last.hash)
				mustExec(t, db, `UPDATE audit_head SET seq = ?, hash = ?, mac = ? WHERE id = 1`, last.seq+1, h, audit.SealHead([]byte("a guessed key"), last.seq+1, h))
				return "not sealed"
			},
		},
		{
			name: "last events deleted, the head left",
			tamper: func(t *testing.T, db *sql.DB, evs []storedEvent) string {
				mustExec(t, db, `DELETE FROM audit_events WHERE seq > ?`, len(evs)-2)
				return "event " + strconv.Itoa(len(evs))
			},
		},
		{
			name: "last events deleted, the head rewritten without the key",
			tamper: func(t *testing.T, db *sql.DB, evs []storedEvent) string {
				keep := evs[len(evs)-3]
				mustExec(t, db, `DELETE FROM audit_events WHERE seq > ?`, keep.seq)
				var mac []byte
				if err := db.QueryRow(`SELECT mac FROM audit_head`).Scan(&mac); err != nil {
					t.Fatal(err)
				}
				mustExec(t, db, `UPDATE audit_head SET seq = ?, hash = ?, mac = ? WHERE id = 1`, keep.seq, keep.hash, mac)
				return "not sealed"
			},
		},
		{
			name: "every event deleted, the head reset",
			tamper: func(t *testing.T, db *sql.DB, evs []storedEvent) string {
				mustExec(t, db, `DELETE FROM audit_events`)
				mustExec(t, db, `UPDATE audit_head SET seq = 0, hash = X'', mac = X'' WHERE id = 1`)
				return "no events"
			},
		},
		{
			name:   "verified with another master key",
			tamper: func(t *testing.T, db *sql.DB, evs []storedEvent) string { return "" },
			env:    map[string]string{"ATRIUM_MASTER_KEY": wrongKey},
		},
	}
	t.Run("intact", func(t *testing.T) {
		rc, stdout, stderr := runAtrium(t, "audit", "verify", "--data-dir", mustCopyDir(t, f.dir))
		if rc != 0 {
			t.Fatalf("atrium audit verify = %d, want 0; stderr %s", rc, stderr)
		}
		if want := "audit trail intact: " + strconv.FormatInt(f.count, 10) + " events verified\n"; stdout != want {
			t.Errorf("atrium audit verify printed %q, want %q", stdout, want)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := mustCopyDir(t, f.dir)
			db := mustOpenSQLite(t, dir)
			want := tt.tamper(t, db, mustEvents(t, db))
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			rc, stdout, stderr := runAtriumEnv(t, tt.env, "audit", "verify", "--data-dir", dir)
			if rc == 0 {
				t.Fatalf("atrium audit verify = 0 (%s), want a failure", strings.TrimSpace(stdout))
			}
			if !strings.Contains(stderr, "FAILED") || !strings.Contains(stderr, want) {
				t.Errorf("atrium audit verify stderr = %q, want a FAILED line containing %q", stderr, want)
			}
		})
	}
}

func TestAuditEvents(t *testing.T) {
	f := mustAuditFixture(t)
	tests := []struct {
		name      string
		args      []string
		wantNames []string // eventName of each line
		wantUsers []string // requestParameters.UserName of each line
	}{
		{
			name:      "CreateUser since the second user",
			args:      []string{"--since", f.laterUsersSince, "--event-name", "CreateUser"},
			wantNames: []string{"CreateUser", "CreateUser"},
			wantUsers: []string{"bob", "carol"},
		},
		{
			name:      "every CreateUser",
			args:      []string{"--event-name", "CreateUser"},
			wantNames: []string{"CreateUser", "CreateUser", "CreateUser"},
			wantUsers: []string{"alice", "bob", "carol"},
		},
		{
			name:      "everything since the second user",
			args:      []string{"--since", f.laterUsersSince},
			wantNames: []string{"CreateUser", "CreateGroup", "CreateUser"},
			wantUsers: []string{"bob", "", "carol"},
		},
		{
			name:      "a name never used",
			args:      []string{"--event-name", "DeleteUser"},
			wantNames: nil,
		},
		{
			name:      "since a time in the future",
			args:      []string{"--since", time.Now().Add(time.Hour).UTC().Format(time.RFC3339)},
			wantNames: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"audit", "events", "--data-dir", f.dir}, tt.args...)
			rc, stdout, stderr := runAtrium(t, args...)
			if rc != 0 {
				t.Fatalf("atrium %v = %d, want 0; stderr %s", args, rc, stderr)
			}
			var names, users []string
			var prevTime string
			sc := bufio.NewScanner(strings.NewReader(stdout))
			for sc.Scan() {
				var ev struct {
					EventTime         string `json:"eventTime"`
					EventName         string `json:"eventName"`
					RequestParameters struct {
						UserName string `json:"UserName"`
					} `json:"requestParameters"`
				}
				if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
					t.Fatalf("atrium %v printed a line that is not JSON: %q: %v", args, sc.Text(), err)
				}
				if ev.EventTime < prevTime {
					t.Errorf("atrium %v: event at %s after one at %s, want oldest first", args, ev.EventTime, prevTime)
				}
				prevTime = ev.EventTime
				names, users = append(names, ev.EventName), append(users, ev.RequestParameters.UserName)
			}
			if strings.Join(names, ",") != strings.Join(tt.wantNames, ",") {
				t.Errorf("atrium %v events = %v, want %v", args, names, tt.wantNames)
			}
			if tt.wantUsers != nil && strings.Join(users, ",") != strings.Join(tt.wantUsers, ",") {
				t.Errorf("atrium %v users = %v, want %v", args, users, tt.wantUsers)
			}
		})
	}
}

func TestAuditUsage(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		args   []string
		wantRC int
		want   *regexp.Regexp // on stderr
	}{
		{name: "no subcommand", args: []string{"audit"}, wantRC: 2, want: regexp.MustCompile(`usage: atrium audit`)},
		{name: "unknown subcommand", args: []string{"audit", "erase"}, wantRC: 2, want: regexp.MustCompile(`usage: atrium audit`)},
		{name: "since not RFC 3339", args: []string{"audit", "events", "--data-dir", dir, "--since", "yesterday"}, wantRC: 2, want: regexp.MustCompile(`--since must be an RFC 3339 time`)},
		{name: "unknown flag", args: []string{"audit", "verify", "--data-dir", dir, "--fast"}, wantRC: 2, want: regexp.MustCompile(`flag provided but not defined`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc, _, stderr := runAtrium(t, tt.args...)
			if rc != tt.wantRC || !tt.want.MatchString(stderr) {
				t.Errorf("atrium %v = %d, %q; want %d, %v", tt.args, rc, stderr, tt.wantRC, tt.want)
			}
		})
	}
}
