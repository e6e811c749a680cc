package cli

import (
	"context"
	"flag"
	"fmt"
	"net"
	"time"

	"github.com/atriumhq/atrium/internal/app"
	"github.com/atriumhq/atrium/internal/config"
	"github.com/atriumhq/atrium/internal/gcfloor"
)

func runServe(ctx context.Context, args []string, env Env) int {
	fs := flag.NewFlagSet("atrium serve", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	cfg := config.Flags(fs, env.Getenv)
	drain := fs.Duration("drain-timeout", 30*time.Second, "how long to wait for in-flight requests on shutdown")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(env.Stderr, "atrium serve:", err)
		return 2
	}
	log := newLogger(env.Stderr, cfg.Level())
	log.Info("starting", cfg.Redacted()...)
	defer gcfloor.Start(uint64(cfg.GCHeapFloorMiB) << 20).Stop()
	a, err := app.New(ctx, *cfg, log)
	if err != nil {
		log.Error("start failed", "error", err.Error())
		return 1
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		log.Error("listen failed", "error", err.Error())
		return 1
	}
	if err := a.Serve(ctx, ln, *drain); err != nil {
		log.Error("serve failed", "error", err.Error())
		return 1
	}
	log.Info("stopped")
	return 0
}
