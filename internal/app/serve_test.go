package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/atriumhq/atrium/internal/app"
	"github.com/atriumhq/atrium/internal/config"
)

// TestShutdownClosesSilentConnections: a connection that has not begun a
// request when the server shuts down is closed, not waited for; a request
// on a connection opened before keeps its answer.
func TestShutdownClosesSilentConnections(t *testing.T) {
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	a, err := app.New(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	served := make(chan error, 1)
	// A drain shorter than the five seconds net/http waits for such a
	// connection on its own.
	go func() { served <- a.Serve(ctx, ln, 3*time.Second) }()

	url := "http://" + ln.Addr().String() + "/healthz"
	if resp, err := http.Get(url); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz = %v, %v", resp, err)
	}
	silent, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	// The server has accepted it once a connection opened after it is
	// answered.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := fresh.Get(url); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz = %v, %v", resp, err)
	}

	cancel()
	if err := <-served; err != nil {
		t.Fatalf("Serve with a silent connection open = %v, want a clean shutdown", err)
	}
	_ = silent.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := silent.Read(make([]byte, 1)); err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("reading the silent connection after shutdown = %d, %v; want it closed", n, err)
	}
}
