package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/atriumhq/atrium/internal/app"
	"github.com/atriumhq/atrium/internal/arn"
	"github.com/atriumhq/atrium/internal/audit"
	"github.com/atriumhq/atrium/internal/config"
	"github.com/atriumhq/atrium/internal/credentials"
	"github.com/atriumhq/atrium/internal/directory"
	"github.com/atriumhq/atrium/internal/store"
)

// loadBatch is the number of users per write transaction of the loader.
const loadBatch = 1000

// loadUsers bootstraps an instance on dataDir (and databaseURL), then writes
// users 0 … n-1 straight into the store, loadBatch per write transaction.
// Each user is what CreateUser writes (same attributes as the client
// script's createUserInput, validated by the same rules, created by the
// administrator) and comes with the audit event CreateUser appends to the
// chain in the same transaction. It returns the identity store id and how
// long the load took.
func loadUsers(ctx context.Context, dataDir, databaseURL string, n int, limit time.Duration) (string, time.Duration, error) {
	cfg := config.Defaults()
	cfg.DataDir, cfg.DatabaseURL = dataDir, databaseURL
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return "", 0, err
	}
	defer a.Close()
	kr, err := app.OpenKeys(&cfg)
	if err != nil {
		return "", 0, err
	}
	in := a.Bootstrap.Instance
	var admin *credentials.Principal
	err = a.Store.Read(ctx, func(tx store.Tx) error {
		k, err := tx.GetAccessKey(ctx, a.Bootstrap.AccessKeyID)
		if err != nil {
			return err
		}
		admin, err = tx.GetPrincipal(ctx, k.PrincipalID)
		return err
	})
	if err != nil {
		return "", 0, fmt.Errorf("reading the administrator: %w", err)
	}
	ident := audit.UserIdentity{Type: "IAMUser", PrincipalID: admin.ID, ARN: admin.ARN, AccountID: admin.AccountID,
		AccessKeyID: a.Bootstrap.AccessKeyID, UserName: admin.Name}
	var ids arn.Generator
	primary := true

	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	t0 := time.Now()
	for first := 0; first < n; first += loadBatch {
		err := a.Store.Write(ctx, func(tx store.Tx) error {
			now := time.Now().UTC()
			for i := first; i < min(first+loadBatch, n); i++ {
				name := userName(i)
				u := directory.User{
					InstanceID: in.ID, IdentityStoreID: in.IdentityStoreID, UserID: ids.ResourceID(in.IdentityStoreID),
					UserName: name, DisplayName: "Bench User " + name,
					Name:   &directory.Name{GivenName: "Bench", FamilyName: name},
					Emails: []directory.Email{{Value: name + "@example.com", Type: "work", Primary: &primary}},
					Status: directory.UserEnabled, Revision: 1,
					CreatedAt: now.Truncate(time.Microsecond), UpdatedAt: now.Truncate(time.Microsecond),
					CreatedBy: admin.ARN, UpdatedBy: admin.ARN,
				}
				if err := directory.ValidateUser("bench.load", &u); err != nil {
					return err
				}
				if err := tx.CreateUser(ctx, &u); err != nil {
					return fmt.Errorf("user %s: %w", name, err)
				}
				params, err := json.Marshal(struct {
					IdentityStoreID string `json:"IdentityStoreId"`
					*directory.User
				}{in.IdentityStoreID, &u})
				if err != nil {
					return err
				}
				e := audit.Event{
					EventVersion: audit.EventVersion, EventTime: audit.FormatTime(now),
					EventSource: "identitystore.amazonaws.com", EventName: "CreateUser", AWSRegion: cfg.Region,
					SourceIPAddress: "127.0.0.1", UserAgent: "atrium-bench-loader",
					RequestParameters: audit.Redact(json.RawMessage(params)),
					ResponseElements:  audit.Redact(map[string]string{"UserId": u.UserID, "IdentityStoreId": in.IdentityStoreID}),
					RequestID:         ids.UUID(), EventID: ids.UUID(), EventType: audit.TypeAPICall,
					ManagementEvent: true, EventCategory: "Management", RecipientAccountID: admin.AccountID, UserIdentity: ident,
				}
				data, err := json.Marshal(e)
				if err != nil {
					return err
				}
				if _, err := tx.AppendAudit(ctx, kr.AuditKey(), in.ID, now, "CreateUser", data); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return "", 0, fmt.Errorf("loading users from %d: %w", first, err)
		}
	}
	return in.IdentityStoreID, time.Since(t0), nil
}
