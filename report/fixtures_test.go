package report

import "github.com/backendroadmap/grader/runner"

// Fixtures use fixed durations so golden files are stable.

// mixedReport has a check of every status, a failure with multi-line
// expected and actual values and a hint, and a hidden check that carries
// values it must never show.
func mixedReport() *runner.Report {
	return &runner.Report{
		Schema: runner.ResultsSchema,
		Exercise: runner.ExerciseRef{
			ID: "git-branching", Title: "Branching with git",
			Skill: runner.VersionControl, Phase: runner.Beginner,
		},
		Status:     runner.Error,
		Gradable:   false,
		Score:      3,
		MaxScore:   8,
		DurationMS: 1234,
		Checks: []runner.CheckResult{
			{
				ID: "repo", Name: "Repository exists", Status: runner.Pass,
				Message: "found a git repository", DurationMS: 4, Points: 1,
			},
			{
				ID: "feature-commits", Name: "Branch feature: two commits", Status: runner.Fail,
				Message:    `branch "feature" has 1 commit on top of main, it needs 2 (100% of the work is one commit)`,
				Hint:       "Make a second commit on feature: switch to it with `git switch feature`, change a file, then run `git commit -am \"Add farewell\"`.",
				Expected:   "a1b2c3d Add greeting\ne4f5a6b Add farewell\n",
				Actual:     "a1b2c3d Add greeting\n",
				DurationMS: 12, Points: 2,
			},
			{
				ID: "db", Name: "Database is reachable", Status: runner.Error,
				Message:    "could not start PostgreSQL: image postgres:17 is not available\nbuild it with `grader images build` or map another image",
				Hint:       "This is not a problem with your work.",
				DurationMS: 31, Points: 1,
			},
			{
				ID: "merged", Name: "feature merged into main", Status: runner.Skip,
				Message: `skipped: check "feature-commits" did not pass`, Points: 1,
			},
			{
				ID: "no-secrets", Name: "No secrets committed", Status: runner.Fail,
				Message: "a file that looks like a secret is committed", Hidden: true,
				Expected: "HIDDEN-EXPECTED", Actual: "HIDDEN-ACTUAL",
				DurationMS: 7, Points: 1,
			},
			{
				ID: "readme", Name: "README mentions the branch", Status: runner.Pass,
				Message: "README.md mentions feature", DurationMS: 2, Points: 2,
			},
		},
	}
}

// passReport is an attempt where every check passed.
func passReport() *runner.Report {
	return &runner.Report{
		Schema: runner.ResultsSchema,
		Exercise: runner.ExerciseRef{
			ID: "git-branching", Title: "Branching with git",
			Skill: runner.VersionControl, Phase: runner.Beginner,
		},
		Status:     runner.Pass,
		Gradable:   true,
		Score:      5,
		MaxScore:   5,
		DurationMS: 87,
		Checks: []runner.CheckResult{
			{ID: "repo", Name: "Repository exists", Status: runner.Pass, Message: "found a git repository", DurationMS: 3, Points: 1},
			{ID: "feature-commits", Name: "Branch feature: two commits", Status: runner.Pass, DurationMS: 11, Points: 2},
			{ID: "merged", Name: "feature merged into main", Status: runner.Pass, Message: "main contains feature", DurationMS: 9, Points: 2},
		},
	}
}

// batchReports is `grader grade` of two submissions: one fails (with a check
// skipped because of it), one passes.
func batchReports() []*runner.Report {
	alice := &runner.Report{
		Schema: runner.ResultsSchema,
		Exercise: runner.ExerciseRef{
			ID: "sql-select", Title: "Your first SELECT",
			Skill: runner.Databases, Phase: runner.Beginner,
		},
		Submission: "https://git.example.com/alice/sql-select.git",
		Status:     runner.Fail,
		Gradable:   true,
		Score:      1,
		MaxScore:   3,
		DurationMS: 2051,
		Checks: []runner.CheckResult{
			{ID: "query-file", Name: "query.sql exists", Status: runner.Pass, DurationMS: 1, Points: 1},
			{
				ID: "rows", Name: "Query returns the active users", Status: runner.Fail,
				Message:    "the query returned 3 rows, 2 were expected",
				Hint:       "Filter with WHERE active = true.",
				Expected:   " id | name\n----+------\n  1 | ada\n  3 | lin",
				Actual:     " id | name\n----+------\n  1 | ada\n  2 | bob\n  3 | lin",
				DurationMS: 1840, Points: 1,
			},
			{ID: "order", Name: "Rows are ordered by name", Status: runner.Skip, Message: `skipped: check "rows" did not pass`, Points: 1},
		},
	}
	bob := &runner.Report{
		Schema: runner.ResultsSchema,
		Exercise: runner.ExerciseRef{
			ID: "sql-select", Title: "Your first SELECT",
			Skill: runner.Databases, Phase: runner.Beginner,
		},
		Submission: "submissions/bob",
		Status:     runner.Pass,
		Gradable:   true,
		Score:      3,
		MaxScore:   3,
		DurationMS: 1502,
		Checks: []runner.CheckResult{
			{ID: "query-file", Name: "query.sql exists", Status: runner.Pass, DurationMS: 1, Points: 1},
			{ID: "rows", Name: "Query returns the active users", Status: runner.Pass, DurationMS: 1320, Points: 1},
			{ID: "order", Name: "Rows are ordered by name", Status: runner.Pass, DurationMS: 160, Points: 1},
		},
	}
	return []*runner.Report{alice, bob}
}

// ungradableReport is `grader grade` of a submission that could not be
// fetched: one check stands for the step that failed, and nothing was judged.
func ungradableReport() *runner.Report {
	msg := `cloning submission https://git.example.com/carol/git-branching.git: repository not found`
	return &runner.Report{
		Schema: runner.ResultsSchema,
		Exercise: runner.ExerciseRef{
			ID: "git-branching", Title: "Branching with git",
			Skill: runner.VersionControl, Phase: runner.Beginner,
		},
		Submission: "https://git.example.com/carol/git-branching.git",
		Status:     runner.Error,
		Gradable:   false,
		MaxScore:   5,
		Error:      msg,
		Checks:     []runner.CheckResult{{ID: "fetch", Name: "Fetch the submission", Status: runner.Error, Message: msg}},
	}
}
