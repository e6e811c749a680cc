// Package server assembles Atrium's HTTP listener: health and metrics
// endpoints, the AWS protocol endpoints, and the middleware every request
// passes (request id, panic recovery, access log).
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/atriumhq/atrium/internal/aws/awsproto"
	"github.com/atriumhq/atrium/internal/errs"
	"github.com/atriumhq/atrium/internal/reqctx"
)

// Config holds what the server serves.
type Config struct {
	Logger   *slog.Logger
	Region   string
	AWS      *awsproto.JSONHandler
	Ready    func(ctx context.Context) error
	Registry *prometheus.Registry
	Metrics  *Metrics
	// SCIM serves /scim/v2/… and /{tenant}/scim/v2/….
	SCIM http.Handler
	// Query serves the awsQuery services (iam, sts) and REST the
	// REST-JSON ones (access-analyzer); either may be nil.
	Query *awsproto.QueryHandler
	REST  *awsproto.RESTHandler
}

// Metrics are the request metrics, per service and operation.
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the request metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "atrium_requests_total", Help: "API requests by service, operation and result code.",
		}, []string{"service", "operation", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "atrium_request_duration_seconds", Help: "API request latency by service and operation.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"service", "operation"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// Observe records one finished call.
func (m *Metrics) Observe(service, op, code string, d time.Duration) {
	m.requests.WithLabelValues(service, op, code).Inc()
	m.duration.WithLabelValues(service, op).Observe(d.Seconds())
}

// Handler builds the root handler.
func Handler(cfg Config) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := cfg.Ready(ctx); err != nil {
			cfg.Logger.WarnContext(ctx, "not ready", "error", err)
			http.Error(w, "database unavailable\n", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{}))
	if cfg.SCIM != nil {
		mux.Handle("/scim/v2/", cfg.SCIM)
		mux.Handle("/scim/v2", cfg.SCIM)
		mux.Handle("/{tenant}/scim/v2/", cfg.SCIM)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if cfg.AWS.Handles(r) || awsproto.Target(r) != "" {
			cfg.AWS.ServeHTTP(w, r)
			return
		}
		if cfg.Query != nil && cfg.Query.Handles(r) {
			cfg.Query.ServeHTTP(w, r)
			return
		}
		if cfg.REST != nil && cfg.REST.Handles(r) {
			cfg.REST.ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
	})
	return withRequest(cfg.Logger, cfg.Region, mux)
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// withRequest gives every request an id (x-amzn-RequestId), records where
// it came from, turns a panic into an internal error, and logs it.
func withRequest(log *slog.Logger, region string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		ip, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			ip = r.RemoteAddr
		}
		ctx := reqctx.WithRequest(r.Context(), &reqctx.Request{ID: id, SourceIP: ip, UserAgent: r.UserAgent(), Region: region})
		w.Header().Set("x-amzn-RequestId", id)
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				log.ErrorContext(ctx, "panic serving request", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if sw.status == 0 {
					awsproto.WriteJSONError(ctx, sw, log, errs.E(errs.Internal, "server", ""))
				}
			}
			log.InfoContext(ctx, "request", "request_id", id, "method", r.Method, "path", r.URL.Path,
				"target", awsproto.Target(r), "status", sw.status, "duration_ms", float64(time.Since(start).Microseconds())/1000)
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}
