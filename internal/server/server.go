// Package server assembles Clientele's root HTTP handler (the APIs, health
// checks and the middleware around them) and runs the http.Server with a
// graceful shutdown.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"
)

// Pinger is what /readyz asks: whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Config is what the root handler serves.
type Config struct {
	Logger  *slog.Logger
	DB      Pinger
	Zendesk http.Handler // mounted at /api/v2/
	Realms  http.Handler // realm sign-in pages, mounted at /realms/
	// Customers is the Customers API, mounted at /api/customers/ and
	// /api/profile/.
	Customers http.Handler
	Version   string
}

// NewHandler returns the root handler: recover, then request id and access
// log, around the routes.
func NewHandler(c Config) http.Handler {
	mux := http.NewServeMux()
	if c.Zendesk != nil {
		mux.Handle("/api/v2/", c.Zendesk)
		mux.Handle("/api/v2", c.Zendesk)
	}
	if c.Realms != nil {
		mux.Handle("/realms/", c.Realms)
	}
	if c.Customers != nil {
		mux.Handle("/api/customers/", c.Customers)
		mux.Handle("/api/profile/", c.Customers)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := c.DB.Ping(ctx); err != nil {
			c.Logger.ErrorContext(r.Context(), "readiness check failed", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "database unavailable")
			return
		}
		fmt.Fprintln(w, "ready")
	})
	return recoverPanics(c.Logger, accessLog(c.Logger, mux))
}

// recoverPanics turns a panic in a handler into a logged 500 with a generic
// JSON body, so one bad request cannot take the process down.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.ErrorContext(r.Context(), "panic", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprintln(w, `{"error":"InternalError","description":"Something went wrong on our side. The error has been logged."}`)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status a handler wrote, for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// accessLog gives every request an X-Request-Id (kept when the client sent
// a sane one) and logs it when the response is done.
func accessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		log.InfoContext(r.Context(), "request", "id", id, "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "bytes", rec.bytes, "duration", time.Since(start))
	})
}

// Serve runs handler on ln until ctx is cancelled, then stops accepting
// connections and lets requests in flight finish for up to grace.
func Serve(ctx context.Context, ln net.Listener, handler http.Handler, log *slog.Logger, grace time.Duration) error {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", grace)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
