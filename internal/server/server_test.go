package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/server"
)

type pinger struct{ err error }

func (p pinger) Ping(context.Context) error { return p.err }

func newServer(t *testing.T, db server.Pinger, api http.Handler) (*httptest.Server, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	srv := httptest.NewServer(server.NewHandler(server.Config{
		Logger: slog.New(slog.NewTextHandler(&logs, nil)), DB: db, Zendesk: api,
	}))
	t.Cleanup(srv.Close)
	return srv, &logs
}

func get(t *testing.T, url string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestPanicIsAGeneric500(t *testing.T) {
	srv, logs := newServer(t, pinger{}, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom: secret detail")
	}))
	res, body := get(t, srv.URL+"/api/v2/users", nil)
	if res.StatusCode != 500 || strings.Contains(body, "secret") ||
		body != `{"error":"InternalError","description":"Something went wrong on our side. The error has been logged."}`+"\n" {
		t.Errorf("panic answered %d %q", res.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "boom: secret detail") {
		t.Errorf("panic not logged: %s", logs.String())
	}
	// The server survives.
	if res, _ := get(t, srv.URL+"/healthz", nil); res.StatusCode != 200 {
		t.Errorf("after a panic /healthz = %d", res.StatusCode)
	}
}

func TestRequestID(t *testing.T) {
	srv, logs := newServer(t, pinger{}, http.NotFoundHandler())
	res, _ := get(t, srv.URL+"/healthz", map[string]string{"X-Request-Id": "abc-123"})
	if res.Header.Get("X-Request-Id") != "abc-123" || !strings.Contains(logs.String(), "id=abc-123") {
		t.Errorf("request id not kept: %q, log %s", res.Header.Get("X-Request-Id"), logs.String())
	}
	res, _ = get(t, srv.URL+"/healthz", map[string]string{"X-Request-Id": strings.Repeat("x", 100)})
	if id := res.Header.Get("X-Request-Id"); len(id) != 16 {
		t.Errorf("an overlong request id was kept: %q", id)
	}
}

func TestReadiness(t *testing.T) {
	srv, _ := newServer(t, pinger{}, http.NotFoundHandler())
	if res, body := get(t, srv.URL+"/readyz", nil); res.StatusCode != 200 || body != "ready\n" {
		t.Errorf("/readyz = %d %q", res.StatusCode, body)
	}
	down, logs := newServer(t, pinger{errors.New("connection refused")}, http.NotFoundHandler())
	if res, body := get(t, down.URL+"/readyz", nil); res.StatusCode != 503 || body != "database unavailable\n" {
		t.Errorf("/readyz with the database down = %d %q", res.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("readiness failure not logged")
	}
	if res, body := get(t, down.URL+"/healthz", nil); res.StatusCode != 200 || body != "ok\n" {
		t.Errorf("/healthz must not depend on the database: %d %q", res.StatusCode, body)
	}
}
