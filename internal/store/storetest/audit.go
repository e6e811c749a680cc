package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/audit"
	"github.com/atriumhq/atrium/internal/store"
)

var auditKey = []byte("conformance audit key, 32 bytes!")

// eventData is the JSON of the n-th audit event, named name and made at ts,
// written with spacing and escapes that a JSON column would normalize: the
// store keeps the exact bytes.
func eventData(instanceID, name string, ts time.Time, n int) []byte {
	e := audit.Event{
		EventVersion:      audit.EventVersion,
		UserIdentity:      audit.UserIdentity{Type: "IAMUser", PrincipalID: "AIDAEXAMPLE", UserName: "admin"},
		EventTime:         audit.FormatTime(ts),
		EventSource:       "identitystore.amazonaws.com",
		EventName:         name,
		AWSRegion:         "us-east-1",
		RequestParameters: json.RawMessage(fmt.Sprintf(`{"IdentityStoreId": "%s", "UserName": "user\u00e9%d"}`, instanceID, n)),
		ResponseElements:  json.RawMessage(`null`),
		RequestID:         fmt.Sprintf("req-%d", n),
		EventID:           fmt.Sprintf("evt-%d", n),
		EventType:         audit.TypeAPICall,
		ManagementEvent:   true,
		EventCategory:     "Management",
	}
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}

// appendEvent appends the n-th event, named name and made at ts.
func appendEvent(ctx context.Context, tx store.Tx, instanceID, name string, ts time.Time, n int) (audit.Record, error) {
	return tx.AppendAudit(ctx, auditKey, instanceID, ts, name, eventData(instanceID, name, ts, n))
}

// verifyChain reads the whole chain, page by page, and verifies it under key.
func verifyChain(t testing.TB, s store.Store, key []byte, pageSize int) (int64, error) {
	t.Helper()
	var n int64
	var verr error
	mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
		head, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		v := audit.Verifier{Key: key}
		var after int64
		for {
			recs, err := tx.ScanAudit(ctx, after, pageSize)
			if err != nil {
				return err
			}
			if len(recs) == 0 {
				break
			}
			for _, r := range recs {
				v.Add(r)
			}
			after = recs[len(recs)-1].Seq
		}
		n, verr = v.Finish(head)
		return nil
	})
	return n, verr
}

func testAudit(t *testing.T, s store.Store) {
	t.Run("Empty", func(t *testing.T) {
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			head, err := tx.AuditHead(ctx)
			if err != nil || head.Seq != 0 {
				t.Errorf("AuditHead() = %+v, %v, want sequence 0, nil", head, err)
			}
			recs, err := tx.ScanAudit(ctx, 0, 10)
			if err != nil || len(recs) != 0 {
				t.Errorf("ScanAudit(0, 10) = %d records, %v, want none, nil", len(recs), err)
			}
			return nil
		})
		if n, err := verifyChain(t, s, auditKey, 10); n != 0 || err != nil {
			t.Errorf("verifying the empty chain = %d, %v, want 0, nil", n, err)
		}
	})

	const total = 10
	var appended []audit.Record
	// Some transactions append one event, some several.
	for _, batch := range [][]int{{1}, {2, 3, 4}, {5}, {6, 7}, {8}, {9, 10}} {
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
			for _, i := range batch {
				instanceID := instanceFixture(i % 2).ID
				ts := t0.Add(time.Duration(i) * time.Second)
				rec, err := appendEvent(ctx, tx, instanceID, fmt.Sprintf("Event%d", i), ts, i)
				if err != nil {
					return err
				}
				if rec.Seq != int64(i) {
					t.Errorf("AppendAudit(event %d).Seq = %d, want %d", i, rec.Seq, i)
				}
				rec.Time = stored(rec.Time)
				appended = append(appended, rec)
			}
			return nil
		})
	}

	t.Run("Chain", func(t *testing.T) {
		for i, r := range appended {
			var prev []byte
			if i > 0 {
				prev = appended[i-1].Hash
			}
			if !bytes.Equal(r.PrevHash, prev) {
				t.Errorf("record %d PrevHash = %x, want %x", r.Seq, r.PrevHash, prev)
			}
		}
		tests := []struct {
			name     string
			key      []byte
			pageSize int
			wantN    int64
			wantErr  bool
		}{
			{name: "same key", key: auditKey, pageSize: 3, wantN: total},
			{name: "same key, default page", key: auditKey, pageSize: 0, wantN: total},
			{name: "another key", key: []byte("another key"), pageSize: 4, wantN: total, wantErr: true},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				n, err := verifyChain(t, s, tc.key, tc.pageSize)
				if n != tc.wantN || (err != nil) != tc.wantErr {
					t.Errorf("verifying the chain = %d, %v, want %d, error %t", n, err, tc.wantN, tc.wantErr)
				}
			})
		}
	})

	t.Run("Head", func(t *testing.T) {
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			head, err := tx.AuditHead(ctx)
			if err != nil {
				t.Fatalf("AuditHead() = %v, want nil", err)
			}
			last := appended[len(appended)-1]
			want := audit.Head{Seq: last.Seq, Hash: last.Hash, MAC: audit.SealHead(auditKey, last.Seq, last.Hash)}
			if d := diff(head, want); d != "" {
				t.Errorf("AuditHead() differs:\n%s", d)
			}
			return nil
		})
	})

	t.Run("Scan", func(t *testing.T) {
		seqs := func(from, to int64) []int64 {
			var out []int64
			for i := from; i <= to; i++ {
				out = append(out, i)
			}
			return out
		}
		tests := []struct {
			name  string
			after int64
			limit int
			want  []int64
		}{
			{name: "first page", after: 0, limit: 3, want: seqs(1, 3)},
			{name: "middle page", after: 3, limit: 3, want: seqs(4, 6)},
			{name: "last page", after: 9, limit: 5, want: seqs(10, 10)},
			{name: "past the end", after: 10, limit: 5, want: nil},
			{name: "no limit", after: 0, limit: 0, want: seqs(1, total)},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
					recs, err := tx.ScanAudit(ctx, tc.after, tc.limit)
					if err != nil {
						t.Fatalf("ScanAudit(%d, %d) = %v, want nil", tc.after, tc.limit, err)
					}
					var got []int64
					for _, r := range recs {
						got = append(got, r.Seq)
						if d := diff(r, appended[r.Seq-1]); d != "" {
							t.Errorf("ScanAudit() record %d differs from what AppendAudit returned:\n%s", r.Seq, d)
						}
					}
					if !slices.Equal(got, tc.want) {
						t.Errorf("ScanAudit(%d, %d) = %v, want %v", tc.after, tc.limit, got, tc.want)
					}
					return nil
				})
			})
		}
	})

	t.Run("RolledBackAppend", func(t *testing.T) {
		err := write(t, s, func(ctx context.Context, tx store.Tx) error {
			if _, err := appendEvent(ctx, tx, "", "Lost", t0, 99); err != nil {
				return err
			}
			return errBoom
		})
		wantErr(t, "Write(AppendAudit, then fail)", err, errBoom)
		if n, err := verifyChain(t, s, auditKey, 100); n != total || err != nil {
			t.Errorf("verifying the chain after a rolled back append = %d, %v, want %d, nil", n, err, total)
		}
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
			rec, err := appendEvent(ctx, tx, "", "Next", t0, 11)
			if err == nil && rec.Seq != total+1 {
				t.Errorf("AppendAudit() after a rolled back append: Seq = %d, want %d", rec.Seq, total+1)
			}
			return err
		})
		if n, err := verifyChain(t, s, auditKey, 100); n != total+1 || err != nil {
			t.Errorf("verifying the chain = %d, %v, want %d, nil", n, err, total+1)
		}
	})
}
