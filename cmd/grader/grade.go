package main

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/report"
	"github.com/backendroadmap/grader/runner"
)

func (a *app) gradeCommand() *cobra.Command {
	var id, format string
	var jobs int
	cmd := &cobra.Command{
		Use:   "grade --exercise ID SUBMISSION...",
		Short: "Grade submissions strictly, for CI (folders or git URLs, in parallel)",
		Long: `grade grades one or more submissions of an exercise for the record: hidden
checks run, nothing is saved to anyone's progress, and reports come out in the
order the submissions were given. A submission is a folder or a git URL; a git
URL is cloned with every branch and tag. Exit code: the worst verdict (an
ungradable submission, 3; a failing one, 1).`,
		Args: args(cobra.MinimumNArgs(1)),
		RunE: func(_ *cobra.Command, subs []string) error {
			// Nothing outlives a batch: no warm database is kept for later.
			a.svc.throwaway = true
			f, err := report.ParseFormat(format)
			if err != nil {
				return &usageError{err}
			}
			if id == "" {
				return usagef("--exercise is required: which exercise are these submissions for?")
			}
			if jobs < 1 {
				return usagef("--jobs must be at least 1")
			}
			for _, s := range subs {
				if exercises.IsRemote(s) {
					continue
				}
				if st, err := os.Stat(s); err != nil || !st.IsDir() {
					return usagef("submission %s is neither a folder nor a git URL", s)
				}
			}
			ex, _, err := a.exercise(id)
			if err != nil {
				return err
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
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json, junit, tap or github")
	cmd.Flags().IntVar(&jobs, "jobs", runtime.GOMAXPROCS(0), "submissions to grade at once (code runs still take turns for the cores)")
	return cmd
}

// gradeSubmission grades one submission strictly. A git URL is cloned into a
// scratch folder that is removed afterwards; a clone that fails makes an
// ungradable report rather than stopping the batch.
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
			return &runner.Report{
				Schema:     runner.ResultsSchema,
				Exercise:   runner.ExerciseRef{ID: ex.ID, Title: ex.Title, Skill: ex.Skill, Phase: ex.Phase},
				Submission: sub,
				Status:     runner.Error,
				Error:      err.Error(),
				// One check stands for the fetch, so every format shows why
				// nothing else ran.
				Checks: []runner.CheckResult{{ID: "fetch", Name: "Fetch the submission", Status: runner.Error, Message: err.Error()}},
			}
		}
	}
	rep := runner.Run(a.ctx, &ex.Exercise, runner.Attempt{Dir: dir, Strict: true}, runner.Options{})
	rep.Submission = sub
	return rep
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
