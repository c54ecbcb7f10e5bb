package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/progress"
	"github.com/backendroadmap/grader/report"
	"github.com/backendroadmap/grader/runner"
)

func (a *app) checkCommand() *cobra.Command {
	var dir, format string
	cmd := &cobra.Command{
		Use:   "check [ID] [--dir DIR]",
		Short: "Grade your workspace (default: the workspace holding the current folder)",
		Long: `check grades the learner's workspace and prints a report: every check with
pass or fail, what was expected, what was found, and the next hint. The exit
code says the verdict (see 'grader help exit-codes').`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(_ *cobra.Command, args []string) error {
			f, err := report.ParseFormat(format)
			if err != nil {
				return usage(err)
			}
			ex, cat, root, err := a.attempt(args, dir)
			if err != nil {
				return err
			}
			rep := a.gradeLearner(ex, cat, root, true)
			if err := a.writeReports(f, rep); err != nil {
				return err
			}
			a.code = reportCode(rep)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "the workspace to grade")
	cmd.Flags().StringVar(&format, "format", "text", formatUsage())
	return cmd
}

// attempt finds what to grade: the exercise named in args, else the one the
// workspace holding dir was started for, its catalog, and the folder to grade.
func (a *app) attempt(args []string, dir string) (*exercises.Exercise, *exercises.Catalog, string, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, nil, "", usagef("no folder %s: pass the workspace with --dir, or cd into it", dir)
	}
	ws, err := exercises.FindWorkspace(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, "", usage(err)
	}
	root, _ := filepath.Abs(dir)
	var id string
	switch {
	case len(args) == 1 && ws != nil && ws.Exercise != args[0]:
		return nil, nil, "", usagef("%s is a workspace for %s, not %s: cd into the right workspace, or run grader check %s", ws.Root, ws.Exercise, args[0], ws.Exercise)
	case len(args) == 1:
		id = args[0]
	case ws != nil:
		id = ws.Exercise
	default:
		return nil, nil, "", usagef("%s is not inside a grader workspace: name the exercise (grader check ID), or start one (grader start ID)", root)
	}
	if ws != nil {
		root, a.wsSource = ws.Root, ws.Source
	}
	ex, cat, err := a.exercise(id)
	if err != nil {
		return nil, nil, "", err
	}
	if err := a.handOff(ex); err != nil {
		return nil, nil, "", err
	}
	if ex.IsGit() {
		if _, err := os.Stat(filepath.Join(root, ".git")); err != nil {
			return nil, nil, "", usagef("%s is not a git repository, and %s is graded from one: cd into the workspace 'grader start %s' made", root, ex.ID, ex.ID)
		}
	}
	return ex, cat, root, nil
}

// gradeLearner grades a learner's own workspace for practice (hidden checks
// stay hidden), showing the latest hint revealed for a failing check. record
// counts it as an attempt in the learner's progress.
func (a *app) gradeLearner(ex *exercises.Exercise, cat *exercises.Catalog, root string, record bool) *runner.Report {
	st := a.loadProgress()
	key := cat.ProgressKey(ex.ID)
	revealed := map[string]int{}
	if p := st.Exercises[key]; p != nil {
		revealed = p.Hints
	}
	rep := runner.Run(a.ctx, &ex.Exercise, runner.Attempt{Dir: root}, runner.Options{
		HintFor: func(c *runner.Check) string {
			if len(c.Hints) == 0 {
				return ""
			}
			n := min(max(revealed[c.ID], 1), len(c.Hints))
			return c.Hints[n-1]
		},
	})
	a.log.Info().Str("exercise", ex.ID).Str("status", string(rep.Status)).Int("score", rep.Score).Int("max_score", rep.MaxScore).Int64("duration_ms", rep.DurationMS).Msg("graded")
	if record && rep.Gradable {
		a.updateProgress(func(s *progress.State) {
			p := s.Get(key)
			p.Attempts++
			p.LastAttempt = time.Now().UTC()
			p.MaxScore = rep.MaxScore
			p.BestScore = max(p.BestScore, rep.Score)
			if rep.Status == runner.Pass && !p.Passed {
				p.Passed, p.FirstPassed = true, p.LastAttempt
			}
		})
	}
	return rep
}

// reportCode is the exit code for a report.
func reportCode(rep *runner.Report) int {
	if rep.Interrupted {
		return exitInterrupted
	}
	return statusCode(rep.Status)
}

// formatUsage is the --format flag's help. It lists [report.Formats], so a
// new format never goes missing from it.
func formatUsage() string {
	names := make([]string, len(report.Formats))
	for i, f := range report.Formats {
		names[i] = string(f)
	}
	last := len(names) - 1
	return "output format: " + strings.Join(names[:last], ", ") + " or " + names[last]
}

// writeReports prints reports on stdout in format f; for github it also appends
// the Markdown summary to $GITHUB_STEP_SUMMARY when that is set.
func (a *app) writeReports(f report.Format, reps ...*runner.Report) error {
	o := a.reportOptions()
	if path := a.getenv("GITHUB_STEP_SUMMARY"); f == report.GitHub && path != "" {
		sum, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return infraf("opening $GITHUB_STEP_SUMMARY: %v", err)
		}
		defer sum.Close()
		o.StepSummary = sum
	}
	return report.Write(a.stdout, f, reps, o)
}
