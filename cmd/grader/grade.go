package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/backendroadmap/grader/course"
	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/fault"
	"github.com/backendroadmap/grader/report"
	"github.com/backendroadmap/grader/runner"
)

func (a *app) gradeCommand() *cobra.Command {
	var id, format, shard string
	var jobs int
	cmd := &cobra.Command{
		Use:   "grade --exercise ID SUBMISSION...",
		Short: "Grade submissions strictly, for CI (folders or git URLs, in parallel)",
		Long: `grade grades one or more submissions of an exercise for the record: hidden
checks run, nothing is saved to anyone's progress, and reports come out in the
order the submissions were given. A submission is a folder or a git URL; a git
URL is cloned with every branch and tag. A submission that cannot be graded (a
folder that does not exist, a version-control submission that is not a git
repository, a URL that cannot be cloned) gets a report of its own, "status":
"error" and "gradable": false, saying what is wrong; the others are graded.
Exit code: the worst verdict (an ungradable submission, 3; a failing one, 1).
The gradescope, exercism and prairielearn formats are the results.json of a
platform that grades one submission per run: they take one submission.

With --shard I/N, N machines given the same list (in any order) share it:
each grades its own share, every submission exactly once, and
'grader gradebook' merges their JSON results. In a Kubernetes Indexed Job,
JOB_COMPLETION_INDEX (from 0) and GRADER_SHARD_COUNT stand for --shard.`,
		Args: args(cobra.MinimumNArgs(1)),
		RunE: func(_ *cobra.Command, subs []string) error {
			// Nothing outlives a batch: no warm database is kept for later.
			a.svc.throwaway = true
			f, err := report.ParseFormat(format)
			if err != nil {
				return usage(err)
			}
			// Refused before grading, not after minutes of it.
			if err := f.CanWrite(len(subs)); err != nil {
				return usage(err)
			}
			if id == "" {
				return usagef("--exercise is required: which exercise are these submissions for?")
			}
			if jobs < 1 {
				return usagef("--jobs must be at least 1")
			}
			sh, err := a.shard(shard)
			if err != nil {
				return err
			}
			ex, _, err := a.exercise(id)
			if err != nil {
				return err
			}
			if err := a.handOff(ex); err != nil {
				return err
			}
			if sh.Count > 1 {
				all := subs
				subs = nil
				for _, i := range sh.Pick(all) {
					subs = append(subs, all[i])
				}
				a.log.Info().Str("shard", sh.String()).Int("submissions", len(subs)).Int("of", len(all)).Msg("grading this shard's share")
				if len(subs) == 0 {
					// A share can be empty (more machines than submissions);
					// json still writes a batch, so a gradebook can read it.
					if f == report.JSON {
						return writeJSON(a.stdout, report.Batch{Schema: report.BatchSchema, Status: runner.Pass, Reports: []*runner.Report{}})
					}
					return nil
				}
			}
			reps := make([]*runner.Report, len(subs))
			var done atomic.Int32
			var wg sync.WaitGroup
			sem := make(chan struct{}, jobs)
			for i, s := range subs {
				wg.Go(func() {
					sem <- struct{}{}
					defer func() { <-sem }()
					reps[i] = a.gradeSubmission(ex, s)
					a.log.Info().Str("submission", s).Str("status", string(reps[i].Status)).
						Int32("done", done.Add(1)).Int("of", len(subs)).Msg("graded")
				})
			}
			wg.Wait()
			if err := a.writeReports(f, reps...); err != nil {
				return err
			}
			a.code = exitPass
			for _, r := range reps {
				a.code = worse(a.code, reportCode(r))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&id, "exercise", "", "the exercise the submissions are for (required)")
	cmd.Flags().StringVar(&shard, "shard", "", "grade only share I of N machines' (I/N, from 1), the same share whatever the order of the list; default: $JOB_COMPLETION_INDEX of $GRADER_SHARD_COUNT")
	cmd.Flags().StringVar(&format, "format", "text", formatUsage())
	cmd.Flags().IntVar(&jobs, "jobs", runtime.GOMAXPROCS(0), "submissions to grade at once (code runs still take turns for the cores)")
	return cmd
}

// gradeSubmission grades one submission strictly. A git URL is cloned into a
// scratch folder that is removed afterwards. A submission that cannot be
// graded at all (a clone that fails, a folder that is missing, a
// version-control submission without a repository) makes an ungradable report
// of its own rather than stopping the batch, or being graded as the learner's
// failure when nothing of theirs was looked at.
func (a *app) gradeSubmission(ex *exercises.Exercise, sub string) *runner.Report {
	dir := sub
	if exercises.IsRemote(sub) {
		tmp, err := os.MkdirTemp("", "grader-submission-")
		if err == nil {
			defer os.RemoveAll(tmp)
			dir = filepath.Join(tmp, "repo")
			err = exercises.FetchSubmission(a.ctx, sub, dir)
		}
		if err != nil {
			return ungradable(ex, sub, "fetch", "Fetch the submission", fault.Line(err))
		}
	} else if msg := unreadable(ex, sub); msg != "" {
		return ungradable(ex, sub, "submission", "Read the submission", msg)
	}
	rep := runner.Run(a.ctx, &ex.Exercise, runner.Attempt{Dir: dir, Strict: true}, runner.Options{})
	rep.Submission = sub
	return rep
}

// unreadable says why a submission folder cannot be graded, or "" when it can.
func unreadable(ex *exercises.Exercise, dir string) string {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("submission %s does not exist: it is neither a folder nor a git URL", dir)
	case err != nil:
		return fmt.Sprintf("submission %s cannot be read: %v", dir, err)
	case !st.IsDir():
		return fmt.Sprintf("submission %s is a file, not a folder or a git URL", dir)
	}
	if ex.IsGit() {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
			return fmt.Sprintf("submission %s is not a git repository, and %s is graded from one: submit the repository itself (the folder holding .git), or its URL", dir, ex.ID)
		}
	}
	return ""
}

// ungradable is the report of a submission nothing of which could be judged:
// status error, not gradable, with one check standing for the step that
// failed, so every format shows why nothing else ran.
func ungradable(ex *exercises.Exercise, sub, id, name, msg string) *runner.Report {
	maxScore := 0
	for _, c := range ex.Checks {
		maxScore += c.Points
	}
	return &runner.Report{
		Schema:     runner.ResultsSchema,
		Exercise:   runner.ExerciseRef{ID: ex.ID, Title: ex.Title, Skill: ex.Skill, Phase: ex.Phase},
		Submission: sub,
		Status:     runner.Error,
		Gradable:   false,
		MaxScore:   maxScore,
		Error:      msg,
		Checks:     []runner.CheckResult{{ID: id, Name: name, Status: runner.Error, Message: msg}},
	}
}

// worse returns the exit code that says more about a batch: interrupted beats
// infrastructure beats failure beats pass.
func worse(a, b int) int {
	rank := map[int]int{exitPass: 0, exitFail: 1, exitInfra: 2, exitInterrupted: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// shard reads --shard, else a Kubernetes Indexed Job's
// JOB_COMPLETION_INDEX (from 0) with GRADER_SHARD_COUNT. No shard is 1/1.
func (a *app) shard(flag string) (course.Shard, error) {
	if flag != "" {
		sh, err := course.ParseShard(flag)
		if err != nil {
			return sh, usage(err)
		}
		return sh, nil
	}
	idx := a.getenv("JOB_COMPLETION_INDEX")
	if idx == "" {
		return course.Shard{Index: 1, Count: 1}, nil
	}
	count := a.getenv("GRADER_SHARD_COUNT")
	if count == "" {
		return course.Shard{}, usagef("JOB_COMPLETION_INDEX=%s is set (a Kubernetes Indexed Job), but not GRADER_SHARD_COUNT: set it to the Job's completions, or pass --shard I/N", idx)
	}
	i, err := strconv.Atoi(idx)
	if err != nil {
		return course.Shard{}, usagef("JOB_COMPLETION_INDEX=%q is not a number", idx)
	}
	sh, err := course.ParseShard(fmt.Sprintf("%d/%s", i+1, count))
	if err != nil {
		return sh, usagef("JOB_COMPLETION_INDEX=%s with GRADER_SHARD_COUNT=%s: %v", idx, count, err)
	}
	return sh, nil
}
