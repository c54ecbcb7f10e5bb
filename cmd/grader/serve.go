//go:build !lean

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/backendroadmap/grader/classroom"
	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox/postgres"
)

// databaseURLEnv names the service's database when --database-url is not given.
const databaseURLEnv = "GRADER_DATABASE_URL"

func (a *app) serveCommand() *cobra.Command {
	var addr, dbURL, secret, token, workerID string
	var workers, maxAttempts int
	var noAPI bool
	var jobTimeout, rescueAfter time.Duration
	var allowRepos []string
	var maxUpload int64
	cmd := &cobra.Command{
		Use:   serveCmd.use,
		Short: serveCmd.short,
		Long: `serve runs grader as a service for a class. Submissions come in by upload
(POST /api/submissions) or by a git push webhook (POST /api/webhooks/git);
each is a job in a queue in PostgreSQL, so any number of 'grader serve'
processes on any number of machines share the work. Results and the
gradebook live in the same database; the class page (GET /) shows the
roadmap with each learner's progress and each exercise's pass rate.

A worker that dies mid-run has its job handed to another after
--rescue-after; every submission is graded exactly once all the same (its
one result is written with the job's completion). A learner's failure is a
result; a run that could not grade (Docker down) is retried up to
--max-attempts times.

Beyond this machine, set --api-token: the API and the class page then need
it (the webhook is signed with --webhook-secret instead).

Without --database-url (or $GRADER_DATABASE_URL), serve starts a PostgreSQL
container of its own, removed when serve stops: for trying it out, since its
data goes with it.

  grader serve                                 # API, page and 2 workers, own database
  grader serve --database-url URL --workers 0  # API and page only
  grader serve --database-url URL --no-api --workers 4  # a worker machine`,
		Args: args(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			if workers < 0 {
				return usagef("--workers must be 0 or more")
			}
			if noAPI && workers == 0 {
				return usagef("--no-api with --workers 0 leaves nothing to do: give --workers N")
			}
			if jobTimeout <= 0 {
				return usagef("--job-timeout must be positive")
			}
			if rescueAfter == 0 {
				rescueAfter = jobTimeout + time.Minute
			}
			if rescueAfter <= jobTimeout {
				return usagef("--rescue-after (%v) must be longer than --job-timeout (%v): a job still running would be handed to a second worker", rescueAfter, jobTimeout)
			}
			if secret == "" {
				secret = a.getenv("GRADER_WEBHOOK_SECRET")
			}
			if dbURL == "" {
				dbURL = a.getenv(databaseURLEnv)
			}
			if token == "" {
				token = a.getenv("GRADER_API_TOKEN")
			}
			a.svc.throwaway = true
			cat, err := a.catalog()
			if err != nil {
				return err
			}
			all, err := cat.All()
			if err != nil {
				return err
			}
			var exs []classroom.Exercise
			byID := map[string]*exercises.Exercise{}
			for _, e := range all {
				byID[e.ID] = e
				exs = append(exs, classroom.Exercise{ExerciseRef: runner.ExerciseRef{ID: e.ID, Title: e.Title, Skill: e.Skill, Phase: e.Phase}, Git: e.IsGit()})
			}
			log := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: serveLevel(a.verbose)}))

			ctx := a.ctx
			if dbURL == "" {
				srv, err := a.serveDatabase(ctx)
				if err != nil {
					return err
				}
				defer srv.Close()
				dbURL = srv.AdminURL()
				fmt.Fprintf(a.stderr, "grader serve: database %s (a container of its own, removed when serve stops)\n", dbURL)
			}
			pool, err := pgxpool.New(ctx, dbURL)
			if err != nil {
				return usagef("--database-url: %v", err)
			}
			defer pool.Close()
			pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err = pool.Ping(pctx)
			cancel()
			if err != nil {
				return infraf("cannot reach the database: %w (check --database-url or $%s)", err, databaseURLEnv)
			}
			svc, err := classroom.New(ctx, classroom.Options{
				Pool: pool, Grader: &catalogGrader{byID: byID}, Exercises: exs, Workers: workers,
				JobTimeout: jobTimeout, RescueAfter: rescueAfter, MaxAttempts: maxAttempts,
				MaxUpload: maxUpload, WebhookSecret: secret, AllowRepos: allowRepos, Token: token, WorkerID: workerID, Log: log,
			})
			if err != nil {
				return infraf("%w", err)
			}
			if err := svc.Start(ctx); err != nil {
				return infraf("start the workers: %w", err)
			}
			if workers > 0 {
				fmt.Fprintf(a.stderr, "grader serve: worker %s grading %d at a time\n", svc.WorkerID(), workers)
			}
			var httpSrv *http.Server
			errc := make(chan error, 1)
			if !noAPI {
				ln, err := net.Listen("tcp", addr)
				if err != nil {
					_ = svc.Stop(context.WithoutCancel(ctx))
					return usagef("--addr %s: %v", addr, err)
				}
				if token == "" && !isLoopback(ln.Addr()) {
					log.Warn("the API and class page are open to anyone who reaches " + ln.Addr().String() + ": set --api-token (or $GRADER_API_TOKEN)")
				}
				httpSrv = &http.Server{Handler: svc.Handler(), ReadHeaderTimeout: 10 * time.Second}
				fmt.Fprintf(a.stderr, "grader serve: listening on http://%s\n", ln.Addr())
				go func() { errc <- httpSrv.Serve(ln) }()
			}
			select {
			case <-ctx.Done():
			case err = <-errc:
			}
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if httpSrv != nil {
				_ = httpSrv.Shutdown(sctx)
			}
			if serr := svc.Stop(sctx); serr != nil {
				log.Warn("workers did not stop cleanly; their jobs will be rescued", "error", serr)
			}
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				return infraf("serve: %w", err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "address the API and class page listen on")
	f.StringVar(&dbURL, "database-url", "", "PostgreSQL holding the queue and results (default: $"+databaseURLEnv+", else a container of serve's own)")
	f.IntVar(&workers, "workers", 2, "submissions this process grades at once (0: API and page only)")
	f.StringVar(&workerID, "worker-id", "", "this process's name in the queue and in grader_attempts, unique among the workers (default: grader-HOST-PID)")
	f.BoolVar(&noAPI, "no-api", false, "only grade: no HTTP listener (a worker machine)")
	f.DurationVar(&jobTimeout, "job-timeout", 5*time.Minute, "cancel a grading that runs longer")
	f.DurationVar(&rescueAfter, "rescue-after", 0, "hand a job still running after this long to another worker (default: --job-timeout + 1m)")
	f.IntVar(&maxAttempts, "max-attempts", 3, "runs of a submission that could not be graded (infrastructure) before its ungradable result is recorded")
	f.Int64Var(&maxUpload, "max-upload", 20<<20, "largest upload accepted, packed and unpacked, in bytes")
	f.StringVar(&secret, "webhook-secret", "", "HMAC secret of the git webhook (default: $GRADER_WEBHOOK_SECRET; empty turns the webhook off)")
	f.StringVar(&token, "api-token", "", "token the API and class page require (Bearer, or a browser's basic-auth password); default: $GRADER_API_TOKEN, else none")
	f.StringSliceVar(&allowRepos, "allow-repo", nil, "URL prefix a git webhook may name (repeatable; file:// only when listed)")
	return cmd
}

// isLoopback reports whether a listener is reachable from this machine only.
func isLoopback(addr net.Addr) bool {
	t, ok := addr.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}

// serveLevel is the log level for -v counts: a service logs each
// submission by default.
func serveLevel(verbose int) slog.Level {
	if verbose >= 2 {
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

// serveDatabase starts serve's own PostgreSQL container, labelled like
// every container grader starts (so `grader gc` finds a crashed one's) and
// removed when serve stops.
func (a *app) serveDatabase(ctx context.Context) (*postgres.Server, error) {
	images, err := a.svc.imageMap()
	if err != nil {
		return nil, err
	}
	svc := &postgres.Service{Images: images, Engine: a.svc.sandbox, Logf: a.svc.logf}
	srv, err := svc.Start(ctx)
	if err != nil {
		return nil, infraf("start serve's own database: %w (or give --database-url)", err)
	}
	return srv, nil
}

// catalogGrader grades submissions strictly against the catalog, as
// `grader grade` does.
type catalogGrader struct {
	byID map[string]*exercises.Exercise
}

// Grade grades the submission in dir. An exercise the catalog lacks (a
// worker started on another catalog than the API) is an error, so that the
// submission is tried again, by a worker that has it.
func (g *catalogGrader) Grade(ctx context.Context, id, dir string) (*runner.Report, error) {
	ex, ok := g.byID[id]
	if !ok {
		return nil, fmt.Errorf("exercise %s is not in this worker's catalog", id)
	}
	if msg := unreadable(ex, dir); msg != "" {
		return ungradable(ex, "", "submission", "Read the submission", msg), nil
	}
	return runner.Run(ctx, &ex.Exercise, runner.Attempt{Dir: dir, Strict: true}, runner.Options{}), nil
}
