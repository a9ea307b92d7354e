package zendesk_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/clientele/clientele/internal/enginetest"
)

// benchEnv is a SQLite-backed API with 1,000 extra users.
func benchEnv(b *testing.B) *env {
	e := newEnv(b, enginetest.Engines()[0], 1<<30)
	for i := range 1000 {
		e.mustCreate(e.acme, fmt.Sprintf(`{"name":"Bench User%d","email":"bench%d@example.com"}`, i, i))
	}
	return e
}

// get sends an authenticated GET and drains the body.
func benchGet(b *testing.B, e *env, path string) {
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	req.Header.Set("Authorization", e.creds["admin"])
	res, err := e.srv.Client().Do(req)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		b.Fatalf("%s: %d", path, res.StatusCode)
	}
}

func BenchmarkAPI(b *testing.B) {
	e := benchEnv(b)
	for _, c := range []struct{ name, path string }{
		{"ShowUser", fmt.Sprintf("/api/v2/users/%d.json", e.users["customer"].ID)},
		{"Me", "/api/v2/users/me.json"},
		{"ListUsers100", "/api/v2/users.json?page%5Bsize%5D=100"},
		{"SearchName", "/api/v2/users/search.json?query=user42"},
		{"Count", "/api/v2/users/count.json"},
		{"Autocomplete", "/api/v2/users/autocomplete.json?name=bench"},
		{"SearchRole", "/api/v2/users/search.json?query=role%3Aend-user"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				benchGet(b, e, c.path)
			}
		})
	}
}
