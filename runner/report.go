package runner

// ResultsSchema names the JSON shape of a [Report]. Fields may be added to it;
// none is ever removed or renamed.
const ResultsSchema = "grader.results/v1"

// Exercise is what the runner needs to know of an exercise: who it is and its
// checks, in the order the author declared them.
type Exercise struct {
	ID     string
	Title  string
	Skill  Skill
	Phase  Phase
	Checks []Check
}

// ExerciseRef identifies an exercise in a report.
type ExerciseRef struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Skill Skill  `json:"skill"`
	Phase Phase  `json:"phase"`
}

// Report is the result of grading one attempt: the contract every output format
// and every later kind of check keeps.
type Report struct {
	Schema   string      `json:"schema"`
	Exercise ExerciseRef `json:"exercise"`
	// Submission names what was graded when it is not the learner's own
	// workspace: a folder or git URL given to `grader grade`.
	Submission string `json:"submission,omitempty"`
	// Status is pass when every check passed, error when any check could not
	// judge, and fail otherwise.
	Status Status `json:"status"`
	// Gradable is false when infrastructure, not the learner, stopped grading.
	Gradable   bool          `json:"gradable"`
	Score      int           `json:"score"`
	MaxScore   int           `json:"max_score"`
	DurationMS int64         `json:"duration_ms"`
	Checks     []CheckResult `json:"checks"`
	// Error says why grading could not happen at all (a submission that could
	// not be fetched), when no check could run to say it.
	Error string `json:"error,omitempty"`
	// Interrupted is set when grading was cancelled (Ctrl-C, SIGTERM).
	Interrupted bool `json:"interrupted,omitempty"`
}

// CheckResult is one check's line in a [Report].
type CheckResult struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Status     Status `json:"status"`
	Message    string `json:"message"`
	Hint       string `json:"hint"`
	Expected   string `json:"expected"`
	Actual     string `json:"actual"`
	DurationMS int64  `json:"duration_ms"`
	Points     int    `json:"points"`
	Hidden     bool   `json:"hidden,omitempty"`
	// Detail is grader's own error text behind an error (a library's
	// message, a panic and its stack), for CI logs and bug reports; the
	// text report shows it only with -v.
	Detail string `json:"detail,omitempty"`
}

// FirstFailure returns the first check that failed or errored, or nil when none did.
func (r *Report) FirstFailure() *CheckResult {
	for i := range r.Checks {
		if s := r.Checks[i].Status; s == Fail || s == Error {
			return &r.Checks[i]
		}
	}
	return nil
}
