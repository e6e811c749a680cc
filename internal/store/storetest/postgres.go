package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Environment variables of the PostgreSQL tests.
const (
	// EnvDatabaseURL names a PostgreSQL server for tests, as a postgres://
	// URL of a database the user may connect to and create databases from.
	EnvDatabaseURL = "ATRIUM_TEST_DATABASE_URL"
	// EnvRequirePostgres, set to 1, makes the PostgreSQL tests fail instead
	// of skipping when EnvDatabaseURL is not set.
	EnvRequirePostgres = "ATRIUM_TEST_REQUIRE_POSTGRES"
)

// NewPostgresDatabase creates a fresh, empty database on the server named by
// ATRIUM_TEST_DATABASE_URL and returns its URL; the database is dropped when
// the test ends. Without the variable it skips the test, or fails it when
// ATRIUM_TEST_REQUIRE_POSTGRES=1.
//
// The database uses a linguistic (ICU "en") collation where the server has
// one, as production databases usually do, so that code relying on the
// byte order of strings is caught.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(EnvDatabaseURL)
	if admin == "" {
		if os.Getenv(EnvRequirePostgres) == "1" {
			t.Fatalf("%s is not set, and %s=1 requires the PostgreSQL tests to run", EnvDatabaseURL, EnvRequirePostgres)
		}
		t.Skipf("set %s to a postgres:// URL to run the PostgreSQL tests", EnvDatabaseURL)
	}
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL (parse error: %v)", EnvDatabaseURL, err)
	}
	var b [8]byte
	rand.Read(b[:])
	name := "atrium_test_" + hex.EncodeToString(b[:])

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("opening %s: %v", EnvDatabaseURL, err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C'`); err != nil {
		// A server without ICU (or older than 15): its default collation.
		if _, err2 := db.ExecContext(ctx, `CREATE DATABASE `+name); err2 != nil {
			t.Fatalf("creating a test database: %v (with ICU: %v)", err2, err)
		}
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		db, err := sql.Open("pgx", admin)
		if err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("dropping test database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
