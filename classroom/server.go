package classroom

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/backendroadmap/grader/runner"
)

// Exercise is what the service shows and checks of an exercise: where it
// sits on the roadmap, and whether a submission of it must be a git
// repository.
type Exercise struct {
	runner.ExerciseRef
	Git bool
}

// Options configure a [Service]. Pool and Grader are required.
type Options struct {
	// Pool is the database holding the queue, the submissions and results.
	Pool *pgxpool.Pool
	// Grader grades a submission; used only when Workers > 0.
	Grader Grader
	// Exercises are the exercises submissions may be for, in roadmap order.
	Exercises []Exercise
	// Workers is how many submissions this process grades at once; 0 makes
	// a process that only takes submissions (and serves the page).
	Workers int
	// JobTimeout cancels a grading that runs longer (default 5 minutes).
	JobTimeout time.Duration
	// RescueAfter is how long a job may run before it is taken for dead and
	// handed to another worker; it must exceed JobTimeout (default
	// JobTimeout + 1 minute).
	RescueAfter time.Duration
	// MaxAttempts bounds the runs of an ungradable submission (default 3).
	MaxAttempts int
	// WorkerID names this process in the queue and in grader_attempts
	// (default grader-HOST-PID).
	WorkerID string
	// MaxUpload caps an uploaded archive, packed and unpacked (default 20 MiB).
	MaxUpload int64
	// WebhookSecret authenticates git push webhooks (X-Hub-Signature-256);
	// empty turns the webhook off.
	WebhookSecret string
	// AllowRepos are the URL prefixes a webhook may name; file:// URLs are
	// allowed only when listed.
	AllowRepos []string
	// Token, when set, guards everything but the webhook (which has its
	// signature): the API takes it as "Authorization: Bearer TOKEN", a
	// browser as the password of HTTP basic authentication (any user name).
	Token string
	// Log receives the service's events; nil discards them.
	Log *slog.Logger
}

// Service is one `grader serve` process: an API, a worker, or both.
type Service struct {
	opts      Options
	st        *store
	river     *river.Client[pgx.Tx]
	exercises map[string]Exercise
}

// New migrates the database and prepares the service; [Service.Start]
// starts its workers.
func New(ctx context.Context, opts Options) (*Service, error) {
	if opts.Pool == nil {
		return nil, fmt.Errorf("classroom: no database")
	}
	if opts.Workers > 0 && opts.Grader == nil {
		return nil, fmt.Errorf("classroom: workers need a grader")
	}
	if opts.JobTimeout <= 0 {
		opts.JobTimeout = 5 * time.Minute
	}
	if opts.RescueAfter <= 0 {
		opts.RescueAfter = opts.JobTimeout + time.Minute
	}
	if opts.RescueAfter <= opts.JobTimeout {
		return nil, fmt.Errorf("the time after which a job is rescued (%v) must be longer than the job timeout (%v)", opts.RescueAfter, opts.JobTimeout)
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 3
	}
	if opts.MaxUpload <= 0 {
		opts.MaxUpload = 20 << 20
	}
	if opts.WorkerID == "" {
		host, _ := os.Hostname()
		opts.WorkerID = fmt.Sprintf("grader-%s-%d", host, os.Getpid())
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if err := Migrate(ctx, opts.Pool); err != nil {
		return nil, err
	}
	s := &Service{opts: opts, st: &store{pool: opts.Pool}, exercises: map[string]Exercise{}}
	for _, e := range opts.Exercises {
		s.exercises[e.ID] = e
	}
	cfg := &river.Config{
		ID:                   opts.WorkerID,
		JobTimeout:           opts.JobTimeout,
		RescueStuckJobsAfter: opts.RescueAfter,
		MaxAttempts:          opts.MaxAttempts,
		Logger:               riverLogger(opts.Log),
	}
	if opts.Workers > 0 {
		workers := river.NewWorkers()
		river.AddWorker(workers, &gradeWorker{st: s.st, grader: opts.Grader, id: opts.WorkerID, fetch: s.fetch, log: opts.Log, exercises: s.exercises})
		cfg.Workers = workers
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.Workers}}
	}
	rc, err := river.NewClient(riverpgxv5.New(opts.Pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("classroom: job queue: %w", err)
	}
	s.river = rc
	return s, nil
}

// riverLogger keeps River's own chatter to warnings and worse.
func riverLogger(l *slog.Logger) *slog.Logger {
	return slog.New(levelFilter{l.Handler(), slog.LevelWarn})
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

// WorkerID is the name this process has in the queue.
func (s *Service) WorkerID() string { return s.opts.WorkerID }

// Start starts grading, when the service has workers.
func (s *Service) Start(ctx context.Context) error {
	if s.opts.Workers == 0 {
		return nil
	}
	return s.river.Start(ctx)
}

// Stop lets running gradings finish (until ctx ends) and stops the workers.
func (s *Service) Stop(ctx context.Context) error {
	if s.opts.Workers == 0 {
		return nil
	}
	return s.river.Stop(ctx)
}

// Submit records a submission and queues its grading in one transaction:
// a submission is never stored without its job, nor queued without its row.
func (s *Service) Submit(ctx context.Context, sub *Submission) (int64, error) {
	tx, err := s.opts.Pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	id, err := s.st.insertSubmission(ctx, tx, sub)
	if err != nil {
		return 0, fmt.Errorf("store the submission: %w", err)
	}
	if _, err := s.river.InsertTx(ctx, tx, GradeArgs{Submission: id}, nil); err != nil {
		return 0, fmt.Errorf("queue the submission: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, err
	}
	sub.ID = id
	return id, nil
}
