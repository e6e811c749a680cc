package config

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func TestGCHeapFloor(t *testing.T) {
	for _, c := range []struct {
		env   string
		args  []string
		want  int
		fails bool
	}{
		{want: 32},
		{env: "0", want: 0},
		{env: "256", want: 256},
		{env: "256", args: []string{"-gc-heap-floor", "16"}, want: 16},
		{env: "64MiB", want: -1, fails: true},
		{args: []string{"-gc-heap-floor", "-1"}, want: -1, fails: true},
	} {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		cfg := Flags(fs, func(k string) string {
			if k == "ATRIUM_GC_HEAP_FLOOR" {
				return c.env
			}
			return ""
		})
		if err := fs.Parse(c.args); err != nil {
			t.Fatalf("env %q, args %q: %v", c.env, c.args, err)
		}
		if cfg.GCHeapFloorMiB != c.want {
			t.Errorf("env %q, args %q: floor %d MiB, want %d", c.env, c.args, cfg.GCHeapFloorMiB, c.want)
		}
		err := cfg.Validate()
		if c.fails != (err != nil) || err != nil && !strings.Contains(err.Error(), "GC heap floor") {
			t.Errorf("env %q, args %q: Validate() = %v, want failure %v", c.env, c.args, err, c.fails)
		}
	}
}
