package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/atriumhq/atrium/internal/app"
	"github.com/atriumhq/atrium/internal/authz"
	"github.com/atriumhq/atrium/internal/config"
	"github.com/atriumhq/atrium/internal/service"
)

const scimUsage = `usage: atrium scim token create [--instance ARN] [--expires-in DURATION] [--endpoint URL]
       atrium scim token list [--instance ARN]
       atrium scim token revoke [--instance ARN] TOKEN-ID
`

// localService opens the store of cfg for an operator command. A command
// does one task and ends: it leaves SQLite's WAL as it finds it (see
// config.Config.SQLitePreallocateWAL).
func localService(ctx context.Context, cfg *config.Config) (*service.Service, func(), error) {
	cfg.SQLitePreallocateWAL = false
	kr, err := app.OpenKeys(cfg)
	if err != nil {
		return nil, nil, err
	}
	st, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	svc, err := service.New(service.Config{Store: st, Keys: kr, Authorizer: authz.NewPolicyAuthorizer(), Region: cfg.Region, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return svc, func() { st.Close() }, nil
}

func runSCIM(ctx context.Context, args []string, env Env) int {
	if len(args) < 2 || args[0] != "token" {
		fmt.Fprint(env.Stderr, scimUsage)
		return 2
	}
	verb := args[1]
	fs := flag.NewFlagSet("atrium scim token "+verb, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	cfg := config.Flags(fs, env.Getenv)
	instance := fs.String("instance", "", "instance ARN or id (default: the bootstrap instance)")
	expires := fs.Duration("expires-in", service.SCIMTokenDefaultTTL, "token lifetime")
	endpoint := fs.String("endpoint", "", "the server's public URL, for the printed endpoint (default http://LISTEN)")
	if err := fs.Parse(args[2:]); err != nil {
		return 2
	}
	svc, closeFn, err := localService(ctx, cfg)
	if err != nil {
		fmt.Fprintln(env.Stderr, "atrium scim:", err)
		return 1
	}
	defer closeFn()
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	switch verb {
	case "create":
		token, info, err := svc.CreateSCIMToken(ctx, *instance, *expires)
		if err != nil {
			fmt.Fprintln(env.Stderr, "atrium scim token create:", err)
			return 1
		}
		base := *endpoint
		if base == "" {
			base = "http://" + cfg.Listen
		}
		_ = enc.Encode(map[string]string{"endpoint": base + "/" + info.InstanceID + "/scim/v2/", "token": token, "tokenId": info.ID,
			"expiresAt": info.ExpiresAt.Format(time.RFC3339)})
	case "list":
		infos, err := svc.ListSCIMTokens(ctx, *instance)
		if err != nil {
			fmt.Fprintln(env.Stderr, "atrium scim token list:", err)
			return 1
		}
		if infos == nil {
			infos = []service.SCIMTokenInfo{}
		}
		_ = enc.Encode(map[string]any{"tokens": infos})
	case "revoke":
		if fs.NArg() != 1 {
			fmt.Fprint(env.Stderr, scimUsage)
			return 2
		}
		if err := svc.RevokeSCIMToken(ctx, *instance, fs.Arg(0)); err != nil {
			fmt.Fprintln(env.Stderr, "atrium scim token revoke:", err)
			return 1
		}
		fmt.Fprintln(env.Stdout, "revoked", fs.Arg(0))
	default:
		fmt.Fprint(env.Stderr, scimUsage)
		return 2
	}
	return 0
}
