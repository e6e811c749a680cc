package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// Environment variables of the PostgreSQL tests.
const (
	// EnvDatabaseURL names a PostgreSQL server for tests: a postgres:// URL
	// of a database the user may connect to.
	EnvDatabaseURL = "ATRIUM_TEST_DATABASE_URL"
	// EnvRequirePostgres, set to 1, makes the PostgreSQL tests fail instead
	// of skipping when EnvDatabaseURL is not set.
	EnvRequirePostgres = "ATRIUM_TEST_REQUIRE_POSTGRES"
)

const (
	// testDatabase holds the schemas of the tests. It is created once per
	// server, with a linguistic collation where the server has ICU, as
	// production databases usually have, so that code relying on the byte
	// order of strings is caught.
	testDatabase = "atrium_test"
	// schemaPrefix starts the name of every test schema, followed by its
	// creation time (hex Unix seconds) and a random part.
	schemaPrefix = "atrium_test_"
	// staleAfter is when a schema left behind by a killed run is dropped.
	staleAfter = 6 * time.Hour
)

var (
	pgOnce sync.Once
	pgBase string // URL of the database holding the test schemas
	pgErr  error
)

// NewPostgresDatabase returns the URL of a fresh, empty PostgreSQL database
// for one test, on the server named by ATRIUM_TEST_DATABASE_URL: a schema of
// its own, made the connection's search path, dropped when the test ends.
// Without the variable it skips the test, or fails it when
// ATRIUM_TEST_REQUIRE_POSTGRES=1.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(EnvDatabaseURL)
	if admin == "" {
		if os.Getenv(EnvRequirePostgres) == "1" {
			t.Fatalf("%s is not set, and %s=1 requires the PostgreSQL tests to run", EnvDatabaseURL, EnvRequirePostgres)
		}
		t.Skipf("set %s to a postgres:// URL to run the PostgreSQL tests", EnvDatabaseURL)
	}
	pgOnce.Do(func() { pgBase, pgErr = prepareServer(admin) })
	if pgErr != nil {
		t.Fatalf("preparing the PostgreSQL test database: %v", pgErr)
	}

	var b [6]byte
	rand.Read(b[:])
	schema := fmt.Sprintf("%s%x_%s", schemaPrefix, time.Now().Unix(), hex.EncodeToString(b[:]))
	if err := pgExec(pgBase, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("creating a test schema: %v", err)
	}
	t.Cleanup(func() {
		if err := pgExec(pgBase, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
			t.Errorf("dropping test schema %s: %v", schema, err)
		}
	})
	u, _ := url.Parse(pgBase)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// prepareServer makes sure the test database exists, drops schemas that
// killed runs left behind, and returns the test database's URL.
func prepareServer(admin string) (string, error) {
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("%s must be a postgres:// URL", EnvDatabaseURL)
	}
	base := *u
	base.Path = "/" + testDatabase
	if err := createTestDatabase(admin); err != nil {
		// Without the right to create databases, use the one named.
		base = *u
		if err2 := pgExec(base.String(), `SELECT 1`); err2 != nil {
			return "", errors.Join(err, err2)
		}
	}
	return base.String(), dropStale(base.String())
}

func createTestDatabase(admin string) error {
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, testDatabase).Scan(&n); err != nil || n > 0 {
		return err
	}
	_, err = db.ExecContext(ctx, `CREATE DATABASE `+testDatabase+` TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C'`)
	if err != nil && !alreadyExists(err) {
		// A server without ICU, or older than 15: its default collation.
		_, err = db.ExecContext(ctx, `CREATE DATABASE `+testDatabase)
	}
	if err != nil && !alreadyExists(err) {
		return err
	}
	return nil
}

// alreadyExists reports whether err says another process created the
// database first.
func alreadyExists(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == "42P04" || e.Code == "23505")
}

func dropStale(base string) error {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rows, err := db.QueryContext(ctx, `SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`, schemaPrefix)
	if err != nil {
		return err
	}
	var stale []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		created, _, _ := strings.Cut(strings.TrimPrefix(name, schemaPrefix), "_")
		if sec, err := strconv.ParseInt(created, 16, 64); err == nil && time.Since(time.Unix(sec, 0)) > staleAfter {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		if _, err := db.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+name+` CASCADE`); err != nil {
			return err
		}
	}
	return rows.Err()
}

func pgExec(dbURL, q string) error {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = db.ExecContext(ctx, q)
	return err
}
