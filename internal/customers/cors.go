package customers

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// corsPolicy lets the account's allowed origins call the API from a
// browser with the customer's cookie: the exact origin is echoed (never
// "*", which browsers refuse with credentials), credentials are allowed,
// and preflights for Authorization and Delivery-Token succeed.
type corsPolicy struct {
	origins []string // exact origins, "scheme://host[:port]"
	any     bool     // "*": every origin
}

// corsMethods and corsHeaders are what a preflight may ask for.
const (
	corsMethods = "GET, POST, PUT, DELETE, OPTIONS"
	corsHeaders = "Authorization, Content-Type, Delivery-Token, X-Requested-With"
	corsMaxAge  = "600"
)

// ParseOrigins reads a comma- or space-separated allow-list of origins
// and checks each: scheme://host[:port], or "*".
func ParseOrigins(list string) ([]string, error) {
	origins := strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' })
	if _, err := newCORSPolicy(origins); err != nil {
		return nil, err
	}
	return origins, nil
}

// newCORSPolicy checks and keeps the allow-list.
func newCORSPolicy(origins []string) (*corsPolicy, error) {
	p := &corsPolicy{}
	for _, o := range origins {
		o = strings.TrimSpace(o)
		switch {
		case o == "":
			continue
		case o == "*":
			p.any = true
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("CORS origin %q: want scheme://host[:port], e.g. https://shop.example, or *", o)
		}
		p.origins = append(p.origins, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	return p, nil
}

// allowed reports whether a request's Origin may read responses.
func (p *corsPolicy) allowed(origin string) bool {
	if origin == "" || origin == "null" {
		return false
	}
	return p.any || slices.Contains(p.origins, strings.ToLower(origin))
}

// handle adds the CORS headers to a request from an allowed origin and
// answers preflights; it reports whether it answered.
func (p *corsPolicy) handle(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	h := w.Header()
	h.Add("Vary", "Origin")
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	if !p.allowed(origin) {
		if preflight {
			w.WriteHeader(http.StatusForbidden)
			return true
		}
		return false
	}
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Credentials", "true")
	if !preflight {
		return false
	}
	h.Set("Access-Control-Allow-Methods", corsMethods)
	h.Set("Access-Control-Allow-Headers", corsHeaders)
	h.Set("Access-Control-Max-Age", corsMaxAge)
	w.WriteHeader(http.StatusNoContent)
	return true
}
