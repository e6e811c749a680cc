package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/atriumhq/atrium/internal/access"
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/store"
)

var errBoom = errors.New("boom")

// RunTransactionTests checks what a transaction promises: all or nothing,
// read-only reads, and a transaction that stays usable after a failed call.
func RunTransactionTests(t *testing.T, open func(t *testing.T) store.Store) {
	// writeAll writes one of everything; nothingLeft checks none of it is there.
	writeAll := func(ctx context.Context, tx store.Tx) error {
		in := instanceFixture(1)
		if err := tx.CreateInstance(ctx, in); err != nil {
			return err
		}
		if err := tx.CreateUser(ctx, userFixture(in, "u-1", "ada")); err != nil {
			return err
		}
		if err := tx.SetMeta(ctx, "k", "v"); err != nil {
			return err
		}
		_, err := appendEvent(ctx, tx, in.ID, "CreateUser", t0, 1)
		return err
	}
	nothingLeft := func(t *testing.T, s store.Store) {
		t.Helper()
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.GetInstance(ctx, instanceFixture(1).ID)
			wantErr(t, "GetInstance()", err, store.ErrNotFound)
			_, err = tx.GetMeta(ctx, "k")
			wantErr(t, "GetMeta()", err, store.ErrNotFound)
			if head, err := tx.AuditHead(ctx); head.Seq != 0 || err != nil {
				t.Errorf("AuditHead() = %+v, %v, want sequence 0, nil", head, err)
			}
			return nil
		})
	}
	// usable checks that the store still takes writes (no connection or
	// lock was left behind).
	usable := func(t *testing.T, s store.Store) {
		t.Helper()
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.SetMeta(ctx, "usable", "yes") })
	}

	t.Run("RollbackOnError", func(t *testing.T) {
		s := open(t)
		err := write(t, s, func(ctx context.Context, tx store.Tx) error {
			if err := writeAll(ctx, tx); err != nil {
				return err
			}
			return fmt.Errorf("wrapped: %w", errBoom)
		})
		wantErr(t, "Write(fn failing)", err, errBoom)
		nothingLeft(t, s)
		usable(t, s)
	})

	t.Run("OnCommit", func(t *testing.T) {
		// The functions given to OnCommit run, in order, once the
		// transaction has committed and before Write returns; those of a
		// transaction rolled back never run.
		s := open(t)
		var ran []string
		err := write(t, s, func(ctx context.Context, tx store.Tx) error {
			tx.OnCommit(func() { ran = append(ran, "first") })
			tx.OnCommit(func() { ran = append(ran, "second") })
			if len(ran) != 0 {
				t.Errorf("OnCommit functions ran before the commit: %q", ran)
			}
			return tx.SetMeta(ctx, "k", "v")
		})
		if err != nil || len(ran) != 2 || ran[0] != "first" || ran[1] != "second" {
			t.Errorf("Write = %v with OnCommit functions run %q, want nil with [first second]", err, ran)
		}
		ran = nil
		err = write(t, s, func(ctx context.Context, tx store.Tx) error {
			tx.OnCommit(func() { ran = append(ran, "rolled back") })
			return errBoom
		})
		wantErr(t, "Write(fn failing)", err, errBoom)
		if len(ran) != 0 {
			t.Errorf("OnCommit functions of a rolled-back transaction ran: %q", ran)
		}
	})

	t.Run("RollbackOnPanic", func(t *testing.T) {
		s := open(t)
		got := func() (p any) {
			defer func() { p = recover() }()
			_ = write(t, s, func(ctx context.Context, tx store.Tx) error {
				if err := writeAll(ctx, tx); err != nil {
					return err
				}
				panic(errBoom)
			})
			return nil
		}()
		if got != errBoom {
			t.Errorf("Write(fn panicking) panicked with %v, want %v", got, errBoom)
		}
		nothingLeft(t, s)
		usable(t, s)
	})

	// A relaxed or a bulk write is a write: all of it or, when fn fails,
	// none of it, and in order with the others.
	for _, wk := range []struct {
		name  string
		write func(s store.Store, ctx context.Context, fn func(store.Tx) error) error
	}{
		{"WriteRelaxed", func(s store.Store, ctx context.Context, fn func(store.Tx) error) error {
			return s.WriteRelaxed(ctx, fn)
		}},
		{"WriteBulk", func(s store.Store, ctx context.Context, fn func(store.Tx) error) error { return s.WriteBulk(ctx, fn) }},
	} {
		t.Run(wk.name, func(t *testing.T) {
			s := open(t)
			ctx := t.Context()
			err := wk.write(s, ctx, func(tx store.Tx) error {
				if err := writeAll(ctx, tx); err != nil {
					return err
				}
				return errBoom
			})
			wantErr(t, wk.name+"(fn failing)", err, errBoom)
			nothingLeft(t, s)
			if err := wk.write(s, ctx, func(tx store.Tx) error { return writeAll(ctx, tx) }); err != nil {
				t.Fatalf("%s() = %v, want nil", wk.name, err)
			}
			mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
				_, err := appendEvent(ctx, tx, instanceFixture(1).ID, "After", t0, 2)
				return err
			})
			mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
				if v, err := tx.GetMeta(ctx, "k"); v != "v" || err != nil {
					t.Errorf("GetMeta(k) = %q, %v, want v, nil", v, err)
				}
				if head, err := tx.AuditHead(ctx); head.Seq != 2 || err != nil {
					t.Errorf("AuditHead() = %+v, %v, want sequence 2, nil", head, err)
				}
				return nil
			})
		})
	}

	t.Run("ReadIsReadOnly", func(t *testing.T) {
		s := open(t)
		in := mustInstance(t, s, 1)
		mustCreateUser(t, s, userFixture(in, "u-1", "ada"))
		tests := []struct {
			name string
			fn   func(ctx context.Context, tx store.Tx) error
		}{
			{name: "SetMeta", fn: func(ctx context.Context, tx store.Tx) error { return tx.SetMeta(ctx, "k", "v") }},
			{name: "CreateInstance", fn: func(ctx context.Context, tx store.Tx) error { return tx.CreateInstance(ctx, instanceFixture(2)) }},
			{name: "CreateUser", fn: func(ctx context.Context, tx store.Tx) error { return tx.CreateUser(ctx, userFixture(in, "u-2", "bob")) }},
			{name: "UpdateUser", fn: func(ctx context.Context, tx store.Tx) error {
				return tx.UpdateUser(ctx, userFixture(in, "u-1", "carol"))
			}},
			{name: "DeleteUser", fn: func(ctx context.Context, tx store.Tx) error { return tx.DeleteUser(ctx, in.ID, "u-1") }},
			{name: "AppendAudit", fn: func(ctx context.Context, tx store.Tx) error {
				_, err := appendEvent(ctx, tx, in.ID, "X", t0, 1)
				return err
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var callErr error
				_ = read(t, s, func(ctx context.Context, tx store.Tx) error {
					callErr = tc.fn(ctx, tx)
					return nil // even if fn ignores the error, nothing is written
				})
				if callErr == nil {
					t.Errorf("%s in Read = nil, want an error", tc.name)
				}
			})
		}
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			_, err := tx.GetMeta(ctx, "k")
			wantErr(t, "GetMeta(k)", err, store.ErrNotFound)
			_, err = tx.GetInstance(ctx, instanceFixture(2).ID)
			wantErr(t, "GetInstance(2)", err, store.ErrNotFound)
			if u, err := tx.GetUser(ctx, in.ID, "u-1"); err != nil || u.UserName != "ada" {
				t.Errorf("GetUser(u-1) = %v, want ada unchanged", err)
			}
			if n, err := tx.CountUsers(ctx, in.ID); n != 1 || err != nil {
				t.Errorf("CountUsers() = %d, %v, want 1, nil", n, err)
			}
			if head, err := tx.AuditHead(ctx); head.Seq != 0 || err != nil {
				t.Errorf("AuditHead() = %+v, %v, want sequence 0, nil", head, err)
			}
			return nil
		})
		usable(t, s)
	})

	t.Run("NoDirtyReads", func(t *testing.T) {
		s := open(t)
		written, done := make(chan struct{}), make(chan struct{})
		werr := make(chan error, 1)
		go func() {
			werr <- write(t, s, func(ctx context.Context, tx store.Tx) error {
				if err := tx.SetMeta(ctx, "k", "uncommitted"); err != nil {
					return err
				}
				close(written)
				<-done
				return nil
			})
		}()
		select {
		case <-written:
		case err := <-werr:
			t.Fatalf("Write() = %v before it wrote", err)
		}
		err := read(t, s, func(ctx context.Context, tx store.Tx) error {
			v, err := tx.GetMeta(ctx, "k")
			if err == nil {
				return fmt.Errorf("read %q", v)
			}
			return err
		})
		close(done)
		wantErr(t, "GetMeta() during an uncommitted write", err, store.ErrNotFound)
		if err := <-werr; err != nil {
			t.Fatalf("Write() = %v, want nil", err)
		}
		err = read(t, s, func(ctx context.Context, tx store.Tx) error { _, err := tx.GetMeta(ctx, "k"); return err })
		wantErr(t, "GetMeta() after commit", err, nil)
	})

	t.Run("ReadIsOneSnapshot", func(t *testing.T) {
		// A Read sees the store as of its first statement, whatever commits
		// during it: a verifier reading the chain head and then the events
		// must find them consistent.
		s := open(t)
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
			_, err := appendEvent(ctx, tx, "", "First", t0, 1)
			return err
		})
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			head, err := tx.AuditHead(ctx)
			if err != nil {
				return err
			}
			mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
				if err := tx.SetMeta(ctx, "k", "later"); err != nil {
					return err
				}
				_, err := appendEvent(ctx, tx, "", "Second", t0, 2)
				return err
			})
			recs, err := tx.ScanAudit(ctx, 0, 0)
			if err != nil {
				return err
			}
			if len(recs) != int(head.Seq) {
				t.Errorf("ScanAudit() in a Read that began at event %d = %d events, want %d", head.Seq, len(recs), head.Seq)
			}
			_, err = tx.GetMeta(ctx, "k")
			wantErr(t, "GetMeta() of a row committed during the Read", err, store.ErrNotFound)
			return nil
		})
	})

	t.Run("UsableAfterFailedCall", func(t *testing.T) {
		s := open(t)
		in := mustInstance(t, s, 1)
		mustCreateUser(t, s, userFixture(in, "u-1", "ada"))
		taken := userFixture(in, "u-9", "someone")
		taken.ExternalIDs = userFixture(in, "u-1", "ada").ExternalIDs // taken by u-1
		// One of each row written by one statement (sqlstore's statement).
		mustPermissionSet(t, s, permissionSetFixture(in.ID, "ps-1", "Admin"))
		asg := assignmentFixture(in.ID, "111111111111", "ps-1", access.PrincipalUser, "u-1")
		op := operationFixture(in.ID, "op-1", access.CreateAssignment, t0)
		role := &access.Role{InstanceID: in.ID, AccountID: "111111111111", PermissionSetID: "ps-1", Name: "AWSReservedSSO_Admin_0123456789abcdef",
			RoleID: "AROAABCDEFGHIJKLMNOPQ", Path: "/aws-reserved/sso.amazonaws.com/", CreatedAt: t0}
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
			return errors.Join(tx.CreateAssignment(ctx, asg), tx.CreateOperation(ctx, op), tx.PutRole(ctx, role))
		})
		tests := []struct {
			name string
			fn   func(ctx context.Context, tx store.Tx) error
			want error
		}{
			{name: "user name taken", fn: func(ctx context.Context, tx store.Tx) error { return tx.CreateUser(ctx, userFixture(in, "u-2", "ADA")) }, want: store.ErrConflict},
			{name: "external id taken after the user row", fn: func(ctx context.Context, tx store.Tx) error { return tx.CreateUser(ctx, taken) }, want: store.ErrConflict},
			{name: "instance taken", fn: func(ctx context.Context, tx store.Tx) error { return tx.CreateInstance(ctx, in) }, want: store.ErrConflict},
			{name: "membership of a missing user", fn: func(ctx context.Context, tx store.Tx) error {
				return tx.CreateMembership(ctx, membershipFixture(in, "m-1", "g-missing", "u-missing"))
			}, want: store.ErrNotFound},
			{name: "update of a missing user", fn: func(ctx context.Context, tx store.Tx) error {
				return tx.UpdateUser(ctx, userFixture(in, "u-missing", "x"))
			}, want: store.ErrNotFound},
			{name: "assignment made twice", fn: func(ctx context.Context, tx store.Tx) error { return tx.CreateAssignment(ctx, asg) }, want: store.ErrConflict},
			{name: "operation id taken", fn: func(ctx context.Context, tx store.Tx) error { return tx.CreateOperation(ctx, op) }, want: store.ErrConflict},
			{name: "role made twice", fn: func(ctx context.Context, tx store.Tx) error { return tx.PutRole(ctx, role) }, want: store.ErrConflict},
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				key := fmt.Sprintf("after-%d", i)
				mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
					wantErr(t, tc.name, tc.fn(ctx, tx), tc.want)
					// The failure is recorded in the same transaction.
					if err := tx.SetMeta(ctx, key, "recorded"); err != nil {
						return fmt.Errorf("SetMeta after a failed call: %w", err)
					}
					_, err := appendEvent(ctx, tx, in.ID, "Failed", t0, i)
					return err
				})
				mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
					if v, err := tx.GetMeta(ctx, key); v != "recorded" || err != nil {
						t.Errorf("GetMeta(%q) = %q, %v, want recorded, nil", key, v, err)
					}
					return nil
				})
			})
		}
		// The failed calls left nothing behind although their transactions
		// committed.
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			if ids := userIDs(mustListUsers(t, tx, in.ID, store.UserQuery{})); len(ids) != 1 {
				t.Errorf("ListUsers() = %q, want [u-1]", ids)
			}
			if got, err := tx.GetUser(ctx, in.ID, "u-1"); err != nil || got.UserName != "ada" {
				t.Errorf("GetUser(u-1) = %v, want ada unchanged", err)
			}
			if got, err := tx.FindByExternalID(ctx, in.ID, "USER", taken.ExternalIDs[0]); err != nil || got != "u-1" {
				t.Errorf("FindByExternalID() = %q, %v, want u-1, nil", got, err)
			}
			return nil
		})
		if n, err := verifyChain(t, s, auditKey, 100); n != int64(len(tests)) || err != nil {
			t.Errorf("verifying the chain = %d, %v, want %d, nil", n, err, len(tests))
		}
	})
}

// RunConcurrencyTests checks that concurrent transactions all commit and
// leave a consistent store.
func RunConcurrencyTests(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("Writes", func(t *testing.T) {
		const workers, each = 8, 50
		s := open(t)
		in := mustInstance(t, s, 1)
		var wg sync.WaitGroup
		stop := make(chan struct{})
		// Readers run alongside the writers.
		var readers sync.WaitGroup
		for range 2 {
			readers.Add(1)
			go func() {
				defer readers.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					err := read(t, s, func(ctx context.Context, tx store.Tx) error {
						if _, err := tx.ListUsers(ctx, in.ID, store.UserQuery{Page: store.Page{Limit: 10}}); err != nil {
							return err
						}
						_, err := tx.AuditHead(ctx)
						return err
					})
					if err != nil {
						t.Errorf("Read() during writes = %v, want nil", err)
						return
					}
				}
			}()
		}
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					u := userFixture(in, fmt.Sprintf("u-%d-%03d", w, i), fmt.Sprintf("user-%d-%d", w, i))
					err := write(t, s, func(ctx context.Context, tx store.Tx) error {
						if err := tx.CreateUser(ctx, u); err != nil {
							return err
						}
						_, err := appendEvent(ctx, tx, in.ID, "CreateUser", t0, w*each+i)
						return err
					})
					if err != nil {
						t.Errorf("Write(worker %d, %d) = %v, want nil", w, i, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(stop)
		readers.Wait()
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			if n, err := tx.CountUsers(ctx, in.ID); n != workers*each || err != nil {
				t.Errorf("CountUsers() = %d, %v, want %d, nil", n, err, workers*each)
			}
			return nil
		})
		if n, err := verifyChain(t, s, auditKey, 64); n != workers*each || err != nil {
			t.Errorf("verifying the chain = %d, %v, want %d, nil", n, err, workers*each)
		}
	})

	t.Run("Bootstrap", func(t *testing.T) {
		// Nodes starting together each check whether the store was set up and
		// set it up if not; LockBootstrap makes exactly one of them do it.
		const nodes = 8
		s := open(t)
		var created atomic.Int32
		var wg sync.WaitGroup
		for range nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := write(t, s, func(ctx context.Context, tx store.Tx) error {
					if err := tx.LockBootstrap(ctx); err != nil {
						return err
					}
					_, err := tx.GetMeta(ctx, "bootstrapped")
					if !errors.Is(err, store.ErrNotFound) {
						return err
					}
					if err := tx.CreateInstance(ctx, instanceFixture(1)); err != nil {
						return err
					}
					created.Add(1)
					return tx.SetMeta(ctx, "bootstrapped", "yes")
				})
				if err != nil {
					t.Errorf("Write(bootstrap) = %v, want nil", err)
				}
			}()
		}
		wg.Wait()
		if n := created.Load(); n != 1 {
			t.Errorf("bootstrapped %d times, want 1", n)
		}
	})

	t.Run("Memberships", func(t *testing.T) {
		// Many writers add members to one group while others remove users.
		const users = 40
		s := open(t)
		in := mustInstance(t, s, 1)
		mustCreateGroup(t, s, groupFixture(in, "g-1", "Everyone"))
		for i := range users {
			mustCreateUser(t, s, userFixture(in, fmt.Sprintf("u-%02d", i), fmt.Sprintf("user%d", i)))
		}
		var wg sync.WaitGroup
		for i := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				uid := fmt.Sprintf("u-%02d", i)
				err := write(t, s, func(ctx context.Context, tx store.Tx) error {
					return tx.CreateMembership(ctx, membershipFixture(in, "m-"+uid, "g-1", uid))
				})
				if err != nil {
					t.Errorf("CreateMembership(%s) = %v, want nil", uid, err)
				}
				if i%2 == 0 {
					if err := write(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteUser(ctx, in.ID, uid) }); err != nil {
						t.Errorf("DeleteUser(%s) = %v, want nil", uid, err)
					}
				}
			}()
		}
		wg.Wait()
		mustRead(t, s, func(ctx context.Context, tx store.Tx) error {
			ms, err := tx.ListMembershipsOfGroup(ctx, in.ID, "g-1", store.Page{})
			if err != nil || len(ms) != users/2 {
				t.Errorf("ListMembershipsOfGroup() = %d, %v, want %d, nil", len(ms), err, users/2)
			}
			for _, m := range ms {
				if _, err := tx.GetUser(ctx, in.ID, m.UserID); err != nil {
					t.Errorf("membership %s names user %s: GetUser() = %v", m.MembershipID, m.UserID, err)
				}
			}
			return nil
		})
	})
}

// mustNotFound runs fn and checks it reports ErrNotFound.
func mustNotFound(t *testing.T, name string, err error) {
	t.Helper()
	wantErr(t, name, err, store.ErrNotFound)
}

func testNotFound(t *testing.T, s store.Store) {
	in := mustInstance(t, s, 1)
	missingInstance := "ssoins-ffffffffffffffff"
	tests := []struct {
		name string
		fn   func(ctx context.Context, tx store.Tx) error
	}{
		{"GetMeta", func(ctx context.Context, tx store.Tx) error { _, err := tx.GetMeta(ctx, "x"); return err }},
		{"GetInstance", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.GetInstance(ctx, missingInstance)
			return err
		}},
		{"GetInstanceByStore", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.GetInstanceByStore(ctx, "d-ffffffffff")
			return err
		}},
		{"GetOrganization", func(ctx context.Context, tx store.Tx) error { _, err := tx.GetOrganization(ctx, in.ID); return err }},
		{"GetAccount", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.GetAccount(ctx, in.ID, "123456789012")
			return err
		}},
		{"GetPrincipal", func(ctx context.Context, tx store.Tx) error { _, err := tx.GetPrincipal(ctx, "AIDAX"); return err }},
		{"GetAccessKey", func(ctx context.Context, tx store.Tx) error { _, err := tx.GetAccessKey(ctx, "AKIAX"); return err }},
		{"GetUser", func(ctx context.Context, tx store.Tx) error { _, err := tx.GetUser(ctx, in.ID, "u-x"); return err }},
		{"UpdateUser", func(ctx context.Context, tx store.Tx) error { return tx.UpdateUser(ctx, userFixture(in, "u-x", "x")) }},
		{"DeleteUser", func(ctx context.Context, tx store.Tx) error { return tx.DeleteUser(ctx, in.ID, "u-x") }},
		{"GetGroup", func(ctx context.Context, tx store.Tx) error { _, err := tx.GetGroup(ctx, in.ID, "g-x"); return err }},
		{"UpdateGroup", func(ctx context.Context, tx store.Tx) error { return tx.UpdateGroup(ctx, groupFixture(in, "g-x", "x")) }},
		{"DeleteGroup", func(ctx context.Context, tx store.Tx) error { return tx.DeleteGroup(ctx, in.ID, "g-x") }},
		{"FindByExternalID", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.FindByExternalID(ctx, in.ID, "USER", directory.ExternalID{Issuer: "i", ID: "x"})
			return err
		}},
		{"GetMembership", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.GetMembership(ctx, in.ID, "m-x")
			return err
		}},
		{"FindMembership", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.FindMembership(ctx, in.ID, "g-x", "u-x")
			return err
		}},
		{"DeleteMembership", func(ctx context.Context, tx store.Tx) error { return tx.DeleteMembership(ctx, in.ID, "m-x") }},
		{"CreateUser in a missing instance", func(ctx context.Context, tx store.Tx) error {
			u := userFixture(in, "u-y", "y")
			u.InstanceID = missingInstance
			return tx.CreateUser(ctx, u)
		}},
		{"CreateGroup in a missing instance", func(ctx context.Context, tx store.Tx) error {
			g := groupFixture(in, "g-y", "y")
			g.InstanceID = missingInstance
			return tx.CreateGroup(ctx, g)
		}},
		{"GetUser in a missing instance", func(ctx context.Context, tx store.Tx) error {
			_, err := tx.GetUser(ctx, missingInstance, "u-x")
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mustNotFound(t, tc.name, write(t, s, tc.fn))
		})
	}
}
