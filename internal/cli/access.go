package cli

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/atriumhq/atrium/internal/config"
	"github.com/atriumhq/atrium/internal/service"
)

const accessUsage = `usage: atrium access list --user NAME [--instance ARN] [--data-dir DIR | --database-url URL]
`

func runAccess(ctx context.Context, args []string, env Env) int {
	if len(args) < 1 || args[0] != "list" {
		fmt.Fprint(env.Stderr, accessUsage)
		return 2
	}
	fs := flag.NewFlagSet("atrium access list", flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	cfg := config.Flags(fs, env.Getenv)
	instance := fs.String("instance", "", "instance ARN or id (default: the bootstrap instance)")
	user := fs.String("user", "", "the user name whose access to list")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *user == "" || fs.NArg() != 0 {
		fmt.Fprint(env.Stderr, accessUsage)
		return 2
	}
	svc, closeFn, err := localService(ctx, cfg)
	if err != nil {
		fmt.Fprintln(env.Stderr, "atrium access:", err)
		return 1
	}
	defer closeFn()
	ens, err := svc.EffectiveAccessOf(ctx, *instance, *user)
	if err != nil {
		fmt.Fprintln(env.Stderr, "atrium access list:", err)
		return 1
	}
	if len(ens) == 0 {
		fmt.Fprintf(env.Stdout, "%s may use no account.\n", *user)
		return 0
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ACCOUNT\tNAME\tPERMISSION SET\tVIA")
	for _, en := range ens {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", en.AccountID, en.AccountName, en.PermissionSetName, via(en))
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintln(env.Stderr, "atrium access list:", err)
		return 1
	}
	return 0
}

// via names the assignment that grants an entitlement.
func via(en service.Entitlement) string {
	s := "user"
	if en.PrincipalType == "GROUP" {
		s = "group " + en.PrincipalName
	}
	if en.TargetType == "ORGANIZATIONAL_UNIT" {
		s += ", OU " + en.TargetName
	}
	return s
}
