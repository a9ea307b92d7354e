package cli

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/clientele/clientele/internal/auth"
	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/server"
	"github.com/clientele/clientele/internal/zendesk"
)

// serve runs the HTTP server until SIGINT or SIGTERM.
func (e *env) serve(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("serve", &c)
	fs.StringVar(&c.Addr, "addr", e.envOr("CLIENTELE_ADDR", "127.0.0.1:8080"), "listen address (CLIENTELE_ADDR)")
	fs.StringVar(&c.PublicURL, "public-url", e.getenv("CLIENTELE_PUBLIC_URL"),
		"scheme and host of generated links, e.g. https://help.example.com (CLIENTELE_PUBLIC_URL); default: the request's own")
	defaultLimit, _ := strconv.Atoi(e.getenv("CLIENTELE_RATE_LIMIT"))
	if defaultLimit <= 0 {
		defaultLimit = zendesk.DefaultRateLimit
	}
	fs.IntVar(&c.RateLimit, "rate-limit", defaultLimit, "API requests per realm per minute (CLIENTELE_RATE_LIMIT)")
	defaultCache, err := e.envDuration("CLIENTELE_AUTH_CACHE", 2*time.Second)
	if err != nil {
		return err
	}
	fs.StringVar(&c.SMTPURL, "smtp-url", e.getenv("CLIENTELE_SMTP_URL"), "smtp://user:password@host:port for the realms' mails; unset: mails go to the outbox only (CLIENTELE_SMTP_URL)")
	fs.StringVar(&c.MailFrom, "mail-from", e.envOr("CLIENTELE_MAIL_FROM", "clientele@localhost"), "sender of the realms' mails (CLIENTELE_MAIL_FROM)")
	fs.StringVar(&c.CORSOrigins, "cors-origins", e.getenv("CLIENTELE_CORS_ORIGINS"),
		"comma-separated origins (https://shop.example) allowed to call the Customers API from a browser, or * (CLIENTELE_CORS_ORIGINS)")
	fs.DurationVar(&c.AuthCache, "auth-cache", defaultCache,
		"how long a node remembers an authenticated credential; a revoked token works that much longer (CLIENTELE_AUTH_CACHE)")
	defaultLease, err := e.envDuration("CLIENTELE_JOB_LEASE", directory.JobLease)
	if err != nil {
		return err
	}
	fs.DurationVar(&c.JobLease, "job-lease", defaultLease,
		"how long a bulk job's runner holds it without finishing an item; a job whose node died is resumed by another node, or this one restarted, that long after its last item (CLIENTELE_JOB_LEASE)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if c.JobLease < time.Second {
		return usageError("--job-lease: must be at least 1s")
	}
	if err := checkSignin(&c); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if e.getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	log := e.logger(&c)
	store, err := openMigrated(ctx, &c)
	if err != nil {
		return err
	}
	defer store.Close()
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	log.Info("clientele listening", "addr", ln.Addr().String(), "version", Version)
	handler, svc := newHandler(store, &c, log)
	// Bulk jobs run beside the server and stop with it; the store is
	// closed only once they have.
	jobsCtx, stopJobs := context.WithCancel(ctx)
	var jobs sync.WaitGroup
	jobs.Go(func() { svc.RunJobsWithLease(jobsCtx, jobWorkers, jobPoll, c.JobLease, log) })
	jobs.Go(func() { svc.RunNotificationSends(jobsCtx, sendPoll, log) })
	jobs.Go(func() { optimizeEvery(jobsCtx, store, time.Hour, log) })
	if m, ok := store.(indexStepper); ok {
		// See sqlite.Store.MergeIndexStep for why no request's write
		// should merge the search index.
		jobs.Go(func() { stepsEvery(jobsCtx, mergeTick, mergePause, m.MergeIndexStep, "merging the search index", log) })
	}
	if f, ok := store.(tagCountFolder); ok {
		// Every node folds; folds running at once fold different rows
		// (postgres.Store.FoldTagCounts).
		jobs.Go(func() { stepsEvery(jobsCtx, foldTick, foldPause, f.FoldTagCounts, "folding the tag counts", log) })
	}
	err = server.Serve(ctx, ln, handler, log, 20*time.Second)
	stopJobs()
	jobs.Wait()
	return err
}

// optimizer is a store that refreshes its query planner's statistics
// (SQLite; PostgreSQL's autovacuum does it on its own).
type optimizer interface {
	Optimize(ctx context.Context) error
}

// optimize refreshes the store's planner statistics after a bulk load,
// when the store keeps them itself.
func optimize(ctx context.Context, store directory.Store) error {
	if o, ok := store.(optimizer); ok {
		return o.Optimize(ctx)
	}
	return nil
}

// indexMerger is a store whose search index a bulk load leaves in pieces
// to merge (SQLite's full-text tables).
type indexMerger interface {
	MergeIndex(ctx context.Context) error
}

// afterLoad readies the store for ordinary use after seed or import: the
// search index merged, so no later user write pays for it, and the
// planner statistics fresh.
func afterLoad(ctx context.Context, store directory.Store) error {
	if m, ok := store.(indexMerger); ok {
		if err := m.MergeIndex(ctx); err != nil {
			return err
		}
	}
	return optimize(ctx, store)
}

// gcPercent is the garbage collector's target while serving, unless the
// GOGC environment variable sets one; a process-wide setting, so serve
// makes it, not the server package. The server's live heap is about
// 4 MB (SQLite's page caches live outside it), so at Go's default of 100 it
// collected every few hundred requests and the collector took a tenth of
// the CPU; at 400 a shown user cost 98 instead of 118 us of server
// CPU (1,000,000 users, 8 concurrent requests, medians of three runs). The
// heap a request builds is bounded (a page of at most 1,000 users, a body
// of at most 1 MB), so the larger goal stays small.
const gcPercent = 400

// indexStepper is a store whose search index serve merges in bounded
// steps (SQLite's full-text tables).
type indexStepper interface {
	MergeIndexStep(ctx context.Context) (worked bool, err error)
}

// How serve merges the search index: every mergeTick it runs bounded
// merge steps until none finds work, pausing mergePause between two so
// that the requests' writes take the write lock in between.
const (
	mergeTick  = 250 * time.Millisecond
	mergePause = 5 * time.Millisecond
)

// tagCountFolder is a store whose per-tag counts are rows of deltas that
// serve folds now and then (PostgreSQL's tag_count_deltas).
type tagCountFolder interface {
	FoldTagCounts(ctx context.Context) (worked bool, err error)
}

// How serve folds the tag counts: every foldTick, folds until one finds
// nothing to fold. A count is exact either way; the fold keeps the rows a
// count sums few, and one fold per node every few seconds costs little.
const (
	foldTick  = 3 * time.Second
	foldPause = 5 * time.Millisecond
)

// stepsEvery runs step every tick until one reports no work done, pausing
// pause between two, until ctx ends; what names the work in errors.
func stepsEvery(ctx context.Context, tick, pause time.Duration, step func(context.Context) (bool, error), what string, log *slog.Logger) {
	every(ctx, tick, func() {
		for ctx.Err() == nil {
			worked, err := step(ctx)
			if err != nil {
				if ctx.Err() == nil {
					log.Error(what, "err", err)
				}
				return
			}
			if !worked {
				return
			}
			select {
			case <-ctx.Done():
			case <-time.After(pause):
			}
		}
	})
}

// optimizeEvery refreshes the planner statistics every period until ctx
// ends: a realm that grows from nothing to a million users needs them
// redone, or SQLite may sort whole ranges to page them.
func optimizeEvery(ctx context.Context, store directory.Store, period time.Duration, log *slog.Logger) {
	every(ctx, period, func() {
		if err := optimize(ctx, store); err != nil && ctx.Err() == nil {
			log.Error("refreshing planner statistics", "err", err)
		}
	})
}

// every runs fn once every period until ctx ends.
func every(ctx context.Context, period time.Duration, fn func()) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}

// jobWorkers bulk jobs run at once on each node, looking for new ones
// every jobPoll.
const (
	jobWorkers = 2
	jobPoll    = 500 * time.Millisecond
)

// sendPoll is how often each node looks for notification sends to copy.
const sendPoll = 2 * time.Second

// NewHandler wires the root handler over store: the service, the
// authenticator and every API.
func NewHandler(store directory.Store, c *Config, log *slog.Logger) http.Handler {
	h, _ := newHandler(store, c, log)
	return h
}

// newHandler is NewHandler that also returns the service, whose bulk job
// runner serve starts.
func newHandler(store directory.Store, c *Config, log *slog.Logger) (http.Handler, *directory.Service) {
	svc := directory.NewService(store, directory.ServiceOptions{})
	authn := auth.NewAuthenticator(store, nil).CacheFor(c.AuthCache)
	realms, api := mustCustomerHandlers(svc, c, log)
	return server.NewHandler(server.Config{
		Realms:    realms,
		Customers: api,
		Logger:    log,
		DB:        store,
		Version:   Version,
		Zendesk: zendesk.NewHandler(zendesk.Config{
			Service: svc, Authenticator: authn, Logger: log,
			PublicURL: c.PublicURL, RateLimit: c.RateLimit,
		}),
	}), svc
}

func (e *env) migrate(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("migrate", &c)
	if err := e.parse(fs, args); err != nil {
		return err
	}
	store, err := openMigrated(ctx, &c)
	if err != nil {
		return err
	}
	defer store.Close()
	fmt.Fprintln(e.stderr, "migrations applied to", redact(c.Database))
	return nil
}
