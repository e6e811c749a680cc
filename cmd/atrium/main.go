// Command atrium is a self-hosted identity center that speaks the AWS IAM
// Identity Center APIs.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/atriumhq/atrium/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.OSEnv())
	stop()
	os.Exit(code)
}
