package classroom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/backendroadmap/grader/runner"
)

// migrateLock is the advisory lock key that serializes schema migrations, so
// several processes starting at once on one database take turns.
const migrateLock = 0x67726164 // "grad"

// schema is this package's own tables, beside River's. Each statement is
// idempotent, so every process runs them at start.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS grader_submissions (
		id bigserial PRIMARY KEY,
		learner text NOT NULL,
		exercise text NOT NULL,
		source text NOT NULL CHECK (source IN ('upload', 'git')),
		archive bytea,
		archive_name text,
		repo_url text,
		commit text,
		ref text,
		created_at timestamptz NOT NULL DEFAULT now()
	)`,
	`CREATE INDEX IF NOT EXISTS grader_submissions_learner_exercise ON grader_submissions (learner, exercise, id)`,
	// One row per submission, ever: the primary key is what makes a
	// re-run after a dead worker unable to record a second verdict.
	`CREATE TABLE IF NOT EXISTS grader_results (
		submission_id bigint PRIMARY KEY REFERENCES grader_submissions (id),
		status text NOT NULL,
		gradable boolean NOT NULL,
		score integer NOT NULL,
		max_score integer NOT NULL,
		report jsonb NOT NULL,
		worker text NOT NULL,
		graded_at timestamptz NOT NULL DEFAULT now()
	)`,
	// One row per time a worker started grading a submission; outcome stays
	// null for a worker that died mid-run.
	`CREATE TABLE IF NOT EXISTS grader_attempts (
		id bigserial PRIMARY KEY,
		submission_id bigint NOT NULL REFERENCES grader_submissions (id),
		job_id bigint NOT NULL,
		attempt integer NOT NULL,
		worker text NOT NULL,
		started_at timestamptz NOT NULL DEFAULT now(),
		finished_at timestamptz,
		outcome text,
		detail text
	)`,
	`CREATE INDEX IF NOT EXISTS grader_attempts_submission ON grader_attempts (submission_id)`,
}

// Migrate brings River's tables and this package's to the current version,
// under an advisory lock so that processes starting together on one
// database do not race.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	// A session lock on a connection of its own: River migrates each
	// version in a transaction of its own (a new enum value cannot be used
	// in the transaction that adds it), so one transaction cannot hold it.
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrateLock); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrateLock) }()
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate the job queue (River): %w", err)
	}
	for _, s := range schema {
		if _, err := conn.Exec(ctx, s); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return nil
}

// Submission is one thing a learner handed in for one exercise.
type Submission struct {
	ID       int64     `json:"id"`
	Learner  string    `json:"learner"`
	Exercise string    `json:"exercise"`
	Source   string    `json:"source"` // upload or git
	RepoURL  string    `json:"repo_url,omitempty"`
	Commit   string    `json:"commit,omitempty"`
	Ref      string    `json:"ref,omitempty"`
	Created  time.Time `json:"created_at"`
	archive  []byte
	archName string
}

// errNotFound is a submission id that does not exist.
var errNotFound = errors.New("no such submission")

// store reads and writes this package's tables.
type store struct{ pool *pgxpool.Pool }

// insertSubmission adds s in tx and returns its id.
func (st *store) insertSubmission(ctx context.Context, tx pgx.Tx, s *Submission) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO grader_submissions (learner, exercise, source, archive, archive_name, repo_url, commit, ref)
		VALUES ($1, $2, $3, $4, $5, nullif($6, ''), nullif($7, ''), nullif($8, '')) RETURNING id, created_at`,
		s.Learner, s.Exercise, s.Source, s.archive, s.archName, s.RepoURL, s.Commit, s.Ref).Scan(&id, &s.Created)
	return id, err
}

// submission reads one submission; with archive, its upload too (up to
// the upload cap: only a worker needs it, not a status poll).
func (st *store) submission(ctx context.Context, id int64, archive bool) (*Submission, error) {
	s := &Submission{ID: id}
	var repo, commit, ref, name *string
	err := st.pool.QueryRow(ctx, `SELECT learner, exercise, source, CASE WHEN $2 THEN archive END, archive_name, repo_url, commit, ref, created_at
		FROM grader_submissions WHERE id = $1`, id, archive).Scan(&s.Learner, &s.Exercise, &s.Source, &s.archive, &name, &repo, &commit, &ref, &s.Created)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	s.RepoURL, s.Commit, s.Ref, s.archName = deref(repo), deref(commit), deref(ref), deref(name)
	return s, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// result reads a submission's recorded report, or nil when it has none yet.
func (st *store) result(ctx context.Context, id int64) (*runner.Report, error) {
	var raw []byte
	err := st.pool.QueryRow(ctx, `SELECT report FROM grader_results WHERE submission_id = $1`, id).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r runner.Report
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("submission %d: stored report: %w", id, err)
	}
	return &r, nil
}

// startAttempt records that worker began grading a submission and returns
// the attempt's id.
func (st *store) startAttempt(ctx context.Context, sub, job int64, attempt int, worker string) (int64, error) {
	var id int64
	err := st.pool.QueryRow(ctx, `INSERT INTO grader_attempts (submission_id, job_id, attempt, worker) VALUES ($1, $2, $3, $4) RETURNING id`,
		sub, job, attempt, worker).Scan(&id)
	return id, err
}

// finishAttempt records how an attempt ended.
func finishAttempt(ctx context.Context, q pgx.Tx, id int64, outcome, detail string) error {
	_, err := q.Exec(ctx, `UPDATE grader_attempts SET finished_at = now(), outcome = $2, detail = nullif($3, '') WHERE id = $1`, id, outcome, detail)
	return err
}

// finishAttemptNow is [finishAttempt] outside a transaction.
func (st *store) finishAttemptNow(ctx context.Context, id int64, outcome, detail string) error {
	_, err := st.pool.Exec(ctx, `UPDATE grader_attempts SET finished_at = now(), outcome = $2, detail = nullif($3, '') WHERE id = $1`, id, outcome, detail)
	return err
}

// insertResult records rep as the submission's one result, reporting false
// when it already had one (a re-run whose first run's result stands).
func insertResult(ctx context.Context, tx pgx.Tx, sub int64, rep *runner.Report, worker string) (bool, error) {
	raw, err := json.Marshal(rep)
	if err != nil {
		return false, err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO grader_results (submission_id, status, gradable, score, max_score, report, worker)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (submission_id) DO NOTHING`,
		sub, string(rep.Status), rep.Gradable, rep.Score, rep.MaxScore, raw, worker)
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// latest returns each learner's latest graded report per exercise, the
// submission named by the learner, ordered by learner and exercise.
func (st *store) latest(ctx context.Context) ([]*runner.Report, error) {
	rows, err := st.pool.Query(ctx, `SELECT DISTINCT ON (s.learner, s.exercise) s.learner, r.report
		FROM grader_submissions s JOIN grader_results r ON r.submission_id = s.id
		ORDER BY s.learner, s.exercise, s.id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*runner.Report
	for rows.Next() {
		var learner string
		var raw []byte
		if err := rows.Scan(&learner, &raw); err != nil {
			return nil, err
		}
		var r runner.Report
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("stored report of %s: %w", learner, err)
		}
		r.Submission = learner
		out = append(out, &r)
	}
	return out, rows.Err()
}
