package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/atriumhq/atrium/internal/audit"
	"github.com/atriumhq/atrium/internal/store"
)

// These operations are for the operator at the console of a node (the
// atrium audit command), who holds the data dir and the master key; they
// are not reachable over the network.

const auditBatch = 1000

// scanAudit calls fn for every audit record with Seq > after in order, in
// read transactions of auditBatch records.
func (s *Service) scanAudit(ctx context.Context, after int64, fn func(audit.Record) error) error {
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
	v := &audit.Verifier{Key: s.keys.AuditKey(), Columns: true}
	var n, last int64
	add := func(r audit.Record) error {
		if err := v.Add(r); err != nil {
			return err
		}
		n, last = n+1, r.Seq
		return nil
	}
	// Scan to the end first and read the head after: an event and the head
	// that covers it commit together, so every event the scan saw lies at
	// or before that head, and one beyond it was not appended by Atrium.
	if err := s.scanAudit(ctx, 0, add); err != nil {
		if v.Err != nil {
			return n, v.Err
		}
		return n, err
	}
	var head audit.Head
	err := s.store.Read(ctx, func(tx store.Tx) (err error) {
		head, err = tx.AuditHead(ctx)
		return err
	})
	if err != nil {
		return n, err
	}
	if last > head.Seq {
		return n, fmt.Errorf("event %d: lies beyond the sealed head (event %d): an event was appended outside the chain", head.Seq+1, head.Seq)
	}
	// Events appended during the scan: up to the head.
	err = s.scanAudit(ctx, last, func(r audit.Record) error {
		if r.Seq > head.Seq {
			return errStop
		}
		return add(r)
	})
	if err != nil && err != errStop {
		if v.Err != nil {
			return n, v.Err
		}
		return n, err
	}
	n, err = v.Finish(head)
	if err != nil || n > 0 {
		return n, err
	}
	// Bootstrap writes the first event with the instance, so a bootstrapped
	// database with no events lost them all.
	err = s.store.Read(ctx, func(tx store.Tx) error {
		_, err := tx.GetMeta(ctx, metaInstance)
		return err
	})
	switch {
	case err == nil:
		return 0, errors.New("the audit trail has no events but this database was bootstrapped: every event was deleted")
	case errors.Is(err, store.ErrNotFound):
		return 0, nil
	}
	return 0, err
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
	return s.scanAudit(ctx, 0, func(r audit.Record) error {
		if !f.Since.IsZero() && r.Time.Before(f.Since) {
			return nil
		}
		if f.EventName != "" && r.EventName != f.EventName {
			return nil
		}
		return fn(r.Data)
	})
}
