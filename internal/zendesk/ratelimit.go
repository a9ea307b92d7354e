package zendesk

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultRateLimit is the default number of requests a realm may make per
// minute: Zendesk's highest plan limit, generous for a self-hosted node.
const DefaultRateLimit = 2500

// maxAnonymousKeys bounds the limiters kept for unauthenticated clients,
// which are keyed by address; the map is reset when it grows past it.
const maxAnonymousKeys = 10000

// rateLimiter keeps one token bucket per realm (and per address for
// requests without valid credentials): perMinute tokens, refilled
// continuously. Limits are per node; see README.md.
type rateLimiter struct {
	perMinute int
	now       func() time.Time
	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
}

func newRateLimiter(perMinute int, now func() time.Time) *rateLimiter {
	if perMinute <= 0 {
		perMinute = DefaultRateLimit
	}
	return &rateLimiter{perMinute: perMinute, now: now, buckets: map[string]*rate.Limiter{}}
}

// allow takes a token for key and sets the rate-limit headers; when none is
// left it also sets Retry-After and returns false. Retry-After is never set
// otherwise: node-zendesk treats any response carrying it as a 429.
func (l *rateLimiter) allow(w http.ResponseWriter, key string) bool {
	l.mu.Lock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxAnonymousKeys {
			l.buckets = map[string]*rate.Limiter{}
		}
		b = rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.perMinute)
		l.buckets[key] = b
	}
	l.mu.Unlock()

	now := l.now()
	allowed := b.AllowN(now, 1)
	tokens := max(b.TokensAt(now), 0)
	remaining := int(math.Floor(tokens))
	perSecond := float64(l.perMinute) / 60
	reset := int(math.Ceil((float64(l.perMinute) - tokens) / perSecond))

	// Every response carries these five headers: they are assigned under
	// their canonical names (what Header.Set would store, without
	// canonicalizing the lower-case ones each time) and share one backing
	// array, each value capped at its own element so that an Add elsewhere
	// copies instead of overwriting its neighbour.
	h := w.Header()
	limit, rem := strconv.Itoa(l.perMinute), strconv.Itoa(remaining)
	v := [...]string{limit, rem, strconv.Itoa(reset)}
	vals := v[:]
	h["X-Rate-Limit"] = vals[0:1:1]
	h["X-Rate-Limit-Remaining"] = vals[1:2:2]
	h["Ratelimit-Limit"] = vals[0:1:1]
	h["Ratelimit-Remaining"] = vals[1:2:2]
	h["Ratelimit-Reset"] = vals[2:3:3]
	if !allowed {
		wait := int(math.Ceil((1 - tokens) / perSecond))
		h.Set("Retry-After", strconv.Itoa(max(wait, 1)))
	}
	return allowed
}
