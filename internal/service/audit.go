package service

import (
	"context"
	"encoding/json"
	"time"

	"github.com/atriumhq/atrium/internal/audit"
	"github.com/atriumhq/atrium/internal/store"
)

// These operations are for the operator at the console of a node (the
// atrium audit command), who holds the data dir and the master key; they
// are not reachable over the network.

const auditBatch = 1000

// scanAudit calls fn for every audit record in order, in read transactions
// of auditBatch records.
func (s *Service) scanAudit(ctx context.Context, fn func(audit.Record) error) error {
	var after int64
	for {
		var recs []audit.Record
		err := s.store.Read(ctx, func(tx store.Tx) (err error) {
			recs, err = tx.ScanAudit(ctx, after, auditBatch)
			return err
		})
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := fn(r); err != nil {
				return err
			}
			after = r.Seq
		}
		if len(recs) < auditBatch {
			return nil
		}
	}
}

// VerifyAudit checks the whole audit chain and its sealed head. It returns
// the number of events verified, or an error naming the first bad event.
func (s *Service) VerifyAudit(ctx context.Context) (int64, error) {
	var head audit.Head
	// Read the head first: events appended while we scan lie beyond it.
	err := s.store.Read(ctx, func(tx store.Tx) (err error) {
		head, err = tx.AuditHead(ctx)
		return err
	})
	if err != nil {
		return 0, err
	}
	v := &audit.Verifier{Key: s.keys.AuditKey()}
	err = s.scanAudit(ctx, func(r audit.Record) error {
		if r.Seq > head.Seq {
			return errStop
		}
		return v.Add(r)
	})
	if err != nil && err != errStop && v.Err == nil {
		return 0, err
	}
	return v.Finish(head)
}

type stopErr struct{}

func (stopErr) Error() string { return "stop" }

var errStop error = stopErr{}

// AuditFilter selects audit events.
type AuditFilter struct {
	Since     time.Time
	EventName string
}

// AuditEvents calls fn with each event's JSON, oldest first.
func (s *Service) AuditEvents(ctx context.Context, f AuditFilter, fn func(json.RawMessage) error) error {
	return s.scanAudit(ctx, func(r audit.Record) error {
		if !f.Since.IsZero() && r.Time.Before(f.Since) {
			return nil
		}
		if f.EventName != "" && r.EventName != f.EventName {
			return nil
		}
		return fn(r.Data)
	})
}
