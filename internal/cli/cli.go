// Package cli implements the atrium command: serve, audit, policy, version.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
)

// Env is what a command sees of its process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// OSEnv is the environment of this process.
func OSEnv() Env {
	return Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

const usage = `usage: atrium <command> [flags]

commands:
  serve            run the server (first start bootstraps an instance)
  audit verify     verify the audit trail's hash chain
  audit events     print audit events as JSON lines, oldest first
  scim token       create, list or revoke SCIM bearer tokens
  access list      list the accounts and permission sets a user may use
  policy eval      evaluate a request against policies (JSON on stdin)
  policy validate  lint a policy document (JSON on stdin)
  policies import  import AWS managed policy documents into the catalog
  version          print the version

Run 'atrium <command> -h' for the flags of a command.
`

// Main runs the command in args (without the program name) and returns the
// process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], env)
	case "audit":
		return runAudit(ctx, args[1:], env)
	case "scim":
		return runSCIM(ctx, args[1:], env)
	case "access":
		return runAccess(ctx, args[1:], env)
	case "policy":
		return runPolicy(ctx, args[1:], env.Stdin, env.Stdout, env.Stderr)
	case "policies":
		return runPolicies(ctx, args[1:], env)
	case "version":
		fmt.Fprintln(env.Stdout, "atrium", version())
		return 0
	case "-h", "-help", "--help", "help":
		fmt.Fprint(env.Stdout, usage)
		return 0
	}
	fmt.Fprintf(env.Stderr, "atrium: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
