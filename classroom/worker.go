package classroom

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/backendroadmap/grader/fault"
	"github.com/backendroadmap/grader/runner"
)

// Grader grades one submission, unpacked in dir, for an exercise. A
// learner's failure is a report; an error, or a report that is not
// gradable, means the run said nothing of the learner's work (Docker was
// down, a container could not start) and is tried again.
type Grader interface {
	Grade(ctx context.Context, exercise, dir string) (*runner.Report, error)
}

// GradeArgs is the job that grades one submission. Its kind is part of the
// queue's contract with every worker, old and new: never rename it.
type GradeArgs struct {
	Submission int64 `json:"submission"`
}

// Kind names the job for River.
func (GradeArgs) Kind() string { return "grader.grade" }

// gradeWorker grades the submission a job names.
type gradeWorker struct {
	river.WorkerDefaults[GradeArgs]
	st     *store
	grader Grader
	id     string // this process's River client id, recorded with each attempt
	fetch  func(ctx context.Context, s *Submission, dir string) error
	log    *slog.Logger
	// exercises are the catalog's, for the report of a submission that
	// could not be graded at all.
	exercises map[string]Exercise
}

// exercise names a submission's exercise for a report, as well as it can.
func (w *gradeWorker) exercise(ctx context.Context, id int64) runner.ExerciseRef {
	s, err := w.st.submission(ctx, id, false)
	if err != nil {
		return runner.ExerciseRef{}
	}
	if e, ok := w.exercises[s.Exercise]; ok {
		return e.ExerciseRef
	}
	return runner.ExerciseRef{ID: s.Exercise}
}

// Work grades the submission once: the result and the job's completion are
// one transaction, and a submission that already has a result is completed
// without grading again.
func (w *gradeWorker) Work(ctx context.Context, job *river.Job[GradeArgs]) error {
	id := job.Args.Submission
	if rep, err := w.st.result(ctx, id); err != nil {
		return err
	} else if rep != nil {
		// Its result was recorded by an earlier run; complete the job only.
		return nil
	}
	aid, err := w.st.startAttempt(ctx, id, job.ID, job.Attempt, w.id)
	if err != nil {
		return fmt.Errorf("record the attempt: %w", err)
	}
	rep, gradeErr := w.grade(ctx, id)
	if gradeErr != nil || !rep.Gradable {
		msg := ""
		if gradeErr != nil {
			msg = fault.Line(gradeErr)
		} else {
			msg = rep.Error
			if f := rep.FirstFailure(); msg == "" && f != nil {
				msg = f.Message
			}
		}
		if ctx.Err() != nil {
			msg = "interrupted (the job's time ran out, or the worker is stopping): " + msg
		}
		if job.Attempt < job.MaxAttempts {
			_ = w.st.finishAttemptNow(context.WithoutCancel(ctx), aid, "retry", msg)
			w.log.Warn("ungradable run, will retry", "submission", id, "attempt", job.Attempt, "of", job.MaxAttempts, "error", msg)
			return fmt.Errorf("submission %d could not be graded: %s", id, msg)
		}
		if rep == nil {
			rep = &runner.Report{Schema: runner.ResultsSchema, Exercise: w.exercise(context.WithoutCancel(ctx), job.Args.Submission), Status: runner.Error, Error: msg,
				Checks: []runner.CheckResult{{ID: "grade", Name: "Grade the submission", Status: runner.Error, Message: msg}}}
		}
	}
	// A verdict reached is recorded even when the job's context ended
	// meanwhile (a stopping worker): grading it again would only repeat it.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	return w.record(rctx, job, aid, rep)
}

// record writes rep as the submission's result and completes the job, in
// one transaction.
func (w *gradeWorker) record(ctx context.Context, job *river.Job[GradeArgs], aid int64, rep *runner.Report) error {
	tx, err := w.st.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	fresh, err := insertResult(ctx, tx, job.Args.Submission, rep, w.id)
	if err != nil {
		return fmt.Errorf("record the result: %w", err)
	}
	outcome := "graded"
	if !fresh {
		outcome = "duplicate" // an earlier run's result stands
	}
	if err := finishAttempt(ctx, tx, aid, outcome, ""); err != nil {
		return err
	}
	if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err != nil {
		return fmt.Errorf("complete the job: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	w.log.Info("graded", "submission", job.Args.Submission, "status", rep.Status, "attempt", job.Attempt)
	return nil
}

// grade fetches a submission into a scratch folder and grades it.
func (w *gradeWorker) grade(ctx context.Context, id int64) (*runner.Report, error) {
	s, err := w.st.submission(ctx, id, true)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "grader-serve-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "submission")
	if err := w.fetch(ctx, s, dir); err != nil {
		return nil, err
	}
	t0 := time.Now()
	rep, err := w.grader.Grade(ctx, s.Exercise, dir)
	if err != nil {
		return nil, err
	}
	if rep == nil {
		return nil, fmt.Errorf("the grader returned no report")
	}
	if rep.DurationMS == 0 {
		rep.DurationMS = time.Since(t0).Milliseconds()
	}
	rep.Submission = s.Learner
	return rep, nil
}
