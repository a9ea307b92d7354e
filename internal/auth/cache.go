package auth

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// maxCachedPrincipals bounds the cache; past it the cache starts afresh.
const maxCachedPrincipals = 10000

// cacheEntry is an authenticated credential: the principal, the API token
// it used (for its last use), and what was recorded since it was read.
type cacheEntry struct {
	principal    *Principal
	token        *directory.APIToken
	expires      time.Time // a bearer token's expiry; zero for none
	until        time.Time // when the cache forgets it
	loginTouched atomic.Int64
	tokenTouched atomic.Int64
}

// principalCache remembers entries by the hash of their credential.
type principalCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	entries map[string]*cacheEntry
}

func (c *principalCache) setTTL(ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ttl = ttl
	c.entries = map[string]*cacheEntry{}
}

// get returns the live entry for key, or nil.
func (c *principalCache) get(key string, now time.Time) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	if e == nil {
		return nil
	}
	if !now.Before(e.until) || (!e.expires.IsZero() && !now.Before(e.expires)) {
		delete(c.entries, key)
		return nil
	}
	return e
}

// put remembers e for the cache's ttl.
func (c *principalCache) put(key string, e *cacheEntry, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ttl <= 0 {
		return
	}
	if len(c.entries) >= maxCachedPrincipals {
		c.entries = map[string]*cacheEntry{}
	}
	e.until = now.Add(c.ttl)
	c.entries[key] = e
}
