// Package config holds Atrium's configuration: defaults, flags and
// ATRIUM_… environment variables, and a redacted form for logs.
package config

import (
	"errors"
	"flag"
	"log/slog"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// Config is the configuration of a server.
type Config struct {
	DataDir     string // default ./atrium-data
	Listen      string // default 127.0.0.1:8080
	DatabaseURL string // postgres://…; empty: SQLite in DataDir
	Region      string // default us-east-1
	LogLevel    string // debug, info, warn, error
	// MasterKey is the base64 master key from ATRIUM_MASTER_KEY; when empty
	// the key lives in DataDir/master.key.
	MasterKey string
	// SQLiteSynchronous is SQLite's synchronous setting: FULL (default) or
	// NORMAL; see sqlite.Options.
	SQLiteSynchronous string
	// SQLitePreallocateWAL writes the SQLite WAL out to its full size at
	// start-up; see sqlite.Options. On for the server; operator commands
	// and tests turn it off.
	SQLitePreallocateWAL bool
	// AuditDurability says which audit events wait for the disk: "changes"
	// (default), the events of calls that changed something, each committed
	// with its change, while the events of reads, failures and denials are
	// committed without waiting (store.WriteRelaxed); or "all".
	AuditDurability string
	// GCHeapFloorMiB is the garbage collector's heap floor for the server,
	// in MiB (see package gcfloor); 0 leaves Go's pacing as it is.
	GCHeapFloorMiB int
}

// Defaults returns the default configuration.
func Defaults() Config {
	return Config{DataDir: "atrium-data", Listen: "127.0.0.1:8080", Region: "us-east-1", LogLevel: "info", SQLiteSynchronous: "FULL", SQLitePreallocateWAL: true, AuditDurability: "changes", GCHeapFloorMiB: 32}
}

// env returns the value of ATRIUM_<name> or def.
func env(getenv func(string) string, name, def string) string {
	if v := getenv("ATRIUM_" + name); v != "" {
		return v
	}
	return def
}

// Flags registers the server flags on fs, with defaults taken from the
// environment, and returns the config they fill.
func Flags(fs *flag.FlagSet, getenv func(string) string) *Config {
	d := Defaults()
	c := &Config{}
	fs.StringVar(&c.DataDir, "data-dir", env(getenv, "DATA_DIR", d.DataDir), "data directory (env ATRIUM_DATA_DIR)")
	fs.StringVar(&c.Listen, "listen", env(getenv, "LISTEN", d.Listen), "address to listen on (env ATRIUM_LISTEN)")
	fs.StringVar(&c.DatabaseURL, "database-url", env(getenv, "DATABASE_URL", ""), "PostgreSQL URL postgres://…; default SQLite in the data dir (env ATRIUM_DATABASE_URL)")
	fs.StringVar(&c.SQLiteSynchronous, "sqlite-synchronous", env(getenv, "SQLITE_SYNCHRONOUS", d.SQLiteSynchronous), "SQLite only: FULL syncs the disk at every commit; NORMAL may lose the last commits on power loss (env ATRIUM_SQLITE_SYNCHRONOUS)")
	fs.StringVar(&c.AuditDurability, "audit-durability", env(getenv, "AUDIT_DURABILITY", d.AuditDurability), "changes: the audit events of reads, failures and denials do not wait for the disk and may be lost on power loss; all: every event waits (env ATRIUM_AUDIT_DURABILITY)")
	fs.StringVar(&c.Region, "region", env(getenv, "REGION", d.Region), "AWS region Atrium answers as (env ATRIUM_REGION)")
	fs.StringVar(&c.LogLevel, "log-level", env(getenv, "LOG_LEVEL", d.LogLevel), "debug, info, warn or error (env ATRIUM_LOG_LEVEL)")
	floor := d.GCHeapFloorMiB
	if v := getenv("ATRIUM_GC_HEAP_FLOOR"); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			floor = n
		} else {
			floor = -1 // Validate says what is wrong
		}
	}
	fs.IntVar(&c.GCHeapFloorMiB, "gc-heap-floor", floor, "MiB the heap may reach before the garbage collector runs, while the live heap is small; 0: GOGC alone sets its pace (env ATRIUM_GC_HEAP_FLOOR)")
	c.SQLitePreallocateWAL = d.SQLitePreallocateWAL
	c.MasterKey = getenv("ATRIUM_MASTER_KEY")
	return c
}

// Validate checks c.
func (c *Config) Validate() error {
	var problems []string
	if c.DataDir == "" {
		problems = append(problems, "the data dir must be set")
	}
	if c.Region == "" || strings.ContainsAny(c.Region, " /") {
		problems = append(problems, "the region must be a region name such as us-east-1")
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			problems = append(problems, "the database URL must be postgres://…")
		}
	}
	if s := strings.ToUpper(c.SQLiteSynchronous); s != "" && s != "FULL" && s != "NORMAL" {
		problems = append(problems, "the SQLite synchronous setting must be FULL or NORMAL")
	}
	if d := c.AuditDurability; d != "" && d != "changes" && d != "all" {
		problems = append(problems, "the audit durability must be changes or all")
	}
	if c.GCHeapFloorMiB < 0 || c.GCHeapFloorMiB > 1<<20 {
		problems = append(problems, "the GC heap floor must be a number of MiB from 0 to 1048576")
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		problems = append(problems, "the log level must be debug, info, warn or error")
	}
	if len(problems) > 0 {
		return errors.New("config: " + strings.Join(problems, "; "))
	}
	return nil
}

// Level is the log level.
func (c *Config) Level() slog.Level {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	return lvl
}

// SQLitePath is the SQLite database file.
func (c *Config) SQLitePath() string { return filepath.Join(c.DataDir, "atrium.db") }

// MasterKeyPath is the file that holds the master key when ATRIUM_MASTER_KEY is unset.
func (c *Config) MasterKeyPath() string { return filepath.Join(c.DataDir, "master.key") }

// CredentialsPath is the administrator's shared-credentials file.
func (c *Config) CredentialsPath() string { return filepath.Join(c.DataDir, "admin-credentials") }

// Redacted returns c as log attributes, with secrets removed.
func (c *Config) Redacted() []any {
	db := "sqlite:" + c.SQLitePath()
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err == nil {
			db = u.Redacted()
		} else {
			db = "postgres (unparseable URL)"
		}
	}
	key := "file:" + c.MasterKeyPath()
	if c.MasterKey != "" {
		key = "env:ATRIUM_MASTER_KEY"
	}
	out := []any{"data_dir", c.DataDir, "listen", c.Listen, "database", db, "region", c.Region, "master_key", key, "audit_durability", c.AuditDurability, "gc_heap_floor_mib", c.GCHeapFloorMiB}
	if c.DatabaseURL == "" {
		out = append(out, "sqlite_synchronous", c.SQLiteSynchronous)
	}
	return out
}
