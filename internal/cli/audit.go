package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/atriumhq/atrium/internal/config"
	"github.com/atriumhq/atrium/internal/service"
)

func runAudit(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "events") {
		fmt.Fprintln(env.Stderr, "usage: atrium audit verify|events [flags]")
		return 2
	}
	fs := flag.NewFlagSet("atrium audit "+args[0], flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	cfg := config.Flags(fs, env.Getenv)
	since := fs.String("since", "", "only events at or after this RFC 3339 time (events)")
	name := fs.String("event-name", "", "only events of this name (events)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	var sinceT time.Time
	if *since != "" {
		t, err := time.Parse(time.RFC3339, *since)
		if err != nil {
			fmt.Fprintln(env.Stderr, "atrium audit: --since must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z")
			return 2
		}
		sinceT = t
	}
	svc, closeFn, err := localService(ctx, cfg)
	if err != nil {
		fmt.Fprintln(env.Stderr, "atrium audit:", err)
		return 1
	}
	defer closeFn()
	if args[0] == "verify" {
		n, err := svc.VerifyAudit(ctx)
		if err != nil {
			fmt.Fprintf(env.Stderr, "atrium audit verify: FAILED after %d intact events: %v\n", n, err)
			return 1
		}
		fmt.Fprintf(env.Stdout, "audit trail intact: %d events verified\n", n)
		return 0
	}
	enc := json.NewEncoder(env.Stdout)
	err = svc.AuditEvents(ctx, service.AuditFilter{Since: sinceT, EventName: *name}, func(ev json.RawMessage) error {
		return enc.Encode(ev)
	})
	if err != nil {
		fmt.Fprintln(env.Stderr, "atrium audit events:", err)
		return 1
	}
	return 0
}
