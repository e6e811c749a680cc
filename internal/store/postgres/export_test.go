package postgres

import "time"

// SetLeadTiming shortens the election's timing for tests.
func SetLeadTiming(db *DB, retry, check time.Duration) { db.leadRetry, db.leadCheck = retry, check }
