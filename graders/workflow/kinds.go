package workflow

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/rhysd/actionlint"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
)

// Sandbox runs one command in a hardened container: the part of
// [sandbox.Engine] workflow.run needs, declared here so tests can fake it
// and the command can connect to Docker lazily.
type Sandbox interface {
	Run(ctx context.Context, s sandbox.Spec) (*sandbox.Result, error)
}

var _ Sandbox = (*sandbox.Engine)(nil)

// Kinds returns the pipeline kinds of check. workflow.lint and
// workflow.shape read the file only; workflow.run runs a job in sb.
func Kinds(sb Sandbox) runner.Kinds {
	return runner.Kinds{
		"workflow.lint":  runner.ParamsKind[LintParams](compileLint),
		"workflow.shape": runner.ParamsKind[ShapeParams](compileShape),
		"workflow.run":   runner.ParamsKind[RunParams]((&runKind{sb: sb}).compile),
	}
}

// LintParams are the parameters of workflow.lint.
type LintParams struct {
	// File is the workflow, relative to the workspace (default
	// .github/workflows/ci.yml).
	File string `yaml:"file"`
	// Ignore lists regular expressions: an error whose message matches one
	// does not fail the check, and is shown as a note when it passes (an
	// action version that GitHub still runs but actionlint calls too old).
	Ignore []string `yaml:"ignore"`
	ignore []*regexp.Regexp
}

// Validate compiles the ignore patterns.
func (p *LintParams) Validate() error {
	for _, pat := range p.Ignore {
		re, err := regexp.Compile(pat)
		if err != nil {
			return runner.ParamErrorf("ignore", "pattern %q: %v", pat, err)
		}
		p.ignore = append(p.ignore, re)
	}
	return nil
}

func (p *LintParams) ignored(e *actionlint.Error) bool {
	return slices.ContainsFunc(p.ignore, func(re *regexp.Regexp) bool { return re.MatchString(e.Message) })
}

func fileOrDefault(f string) string {
	if f == "" {
		return DefaultFile
	}
	return f
}

// maxLintErrors is how many of actionlint's errors one message lists.
const maxLintErrors = 10

func compileLint(_ runner.Params, prm *LintParams) (runner.Checker, error) {
	file := fileOrDefault(prm.File)
	return runner.CheckerFunc(func(_ context.Context, a runner.Attempt) runner.Outcome {
		s, err := load(a, file)
		if err != nil {
			return runner.Errored(err)
		}
		if s.missing != "" {
			return runner.Failed("%s", s.missing)
		}
		all, err := lint(a.Dir, s.src)
		if err != nil {
			return runner.Errored(fmt.Errorf("actionlint: %w", err))
		}
		var errs, notes []*actionlint.Error
		for _, e := range all {
			if prm.ignored(e) {
				notes = append(notes, e)
			} else {
				errs = append(errs, e)
			}
		}
		if len(errs) == 0 {
			msg := file + " is a valid workflow: actionlint finds nothing"
			if len(notes) > 0 {
				msg = lintList(file+" is a valid workflow; actionlint also notes", file, notes)
			}
			return runner.Passed(msg)
		}
		return runner.Failed("%s", lintList(fmt.Sprintf("actionlint finds %d problem(s) in %s", len(errs), file), file, errs))
	}), nil
}

// lintList is head and then actionlint's errors, one a line with its
// position, at most maxLintErrors.
func lintList(head, file string, errs []*actionlint.Error) string {
	var b strings.Builder
	b.WriteString(head + ":")
	for i, e := range errs {
		if i == maxLintErrors {
			fmt.Fprintf(&b, "\n  ... and %d more", len(errs)-i)
			break
		}
		fmt.Fprintf(&b, "\n  %s:%d:%d: %s [%s]", file, e.Line, e.Column, e.Message, e.Kind)
	}
	return b.String()
}

// lint runs actionlint's rules on src. Its shellcheck and pyflakes rules
// run external programs, which are neither installed nor wanted on the
// grading machine: with empty command names actionlint leaves them out.
func lint(dir string, src []byte) ([]*actionlint.Error, error) {
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{
		Shellcheck: "",
		Pyflakes:   "",
		LogWriter:  io.Discard,
		WorkingDir: dir,
	})
	if err != nil {
		return nil, err
	}
	errs, err := l.Lint("<stdin>", src, nil)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(errs, func(a, b *actionlint.Error) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
	return errs, nil
}

// ShapeParams are the parameters of workflow.shape: what the workflow must
// declare. Every field is optional; the check passes when all that are set
// hold.
type ShapeParams struct {
	// File is the workflow (default .github/workflows/ci.yml).
	File string `yaml:"file"`
	// On lists events the workflow must run on.
	On []Trigger `yaml:"on"`
	// Job is the id of the job the rules below look at; empty means any
	// job may satisfy each rule.
	Job string `yaml:"job"`
	// RunsOn is the runner label the job must use (ubuntu-latest).
	RunsOn string `yaml:"runs_on"`
	// Needs lists jobs the job must wait for.
	Needs []string `yaml:"needs"`
	// FailFast, when set, is the job's strategy.fail-fast it must have
	// (GitHub's default, without it, is true): false lets every matrix
	// combination finish when one fails.
	FailFast *bool `yaml:"fail_fast"`
	// Uses lists actions a step must use, with inputs.
	Uses []UsesRule `yaml:"uses"`
	// Runs lists commands a `run:` step must run.
	Runs []RunRule `yaml:"runs"`
}

// UsesRule asks for a step that uses an action.
type UsesRule struct {
	// Action is the action without its version: actions/checkout.
	Action string `yaml:"action"`
	// With lists inputs the step must be given. A value matches when the
	// input equals it, or is a version that starts with it (3.11 matches
	// 3.11.x); an input that reads the matrix matches when some
	// combination gives it that value.
	With map[string]string `yaml:"with"`
}

// RunRule asks for a `run:` step whose script matches a pattern.
type RunRule struct {
	// Pattern is a regular expression matched against each line of each
	// run script.
	Pattern string `yaml:"pattern"`
	// What says, for the learner, what the command does: "installs
	// requirements.txt with pip".
	What string `yaml:"what"`
	re   *regexp.Regexp
}

// Validate checks the patterns and events.
func (p *ShapeParams) Validate() error {
	for i := range p.Runs {
		r := &p.Runs[i]
		if r.Pattern == "" {
			return runner.ParamErrorf("runs", "entry %d has no pattern", i+1)
		}
		re, err := regexp.Compile(r.Pattern)
		if err != nil {
			return runner.ParamErrorf("runs", "pattern %q: %v", r.Pattern, err)
		}
		r.re = re
	}
	for i, u := range p.Uses {
		if u.Action == "" || strings.Contains(u.Action, "@") {
			return runner.ParamErrorf("uses", "entry %d: action must be owner/name without @version", i+1)
		}
	}
	if err := validateTriggers("on", p.On); err != nil {
		return err
	}
	if (p.RunsOn != "" || len(p.Needs) > 0 || p.FailFast != nil) && p.Job == "" {
		return runner.ParamErrorf("job", "runs_on, needs and fail_fast need a job")
	}
	return nil
}

func validateTriggers(field string, ts []Trigger) error {
	for _, t := range ts {
		if t.Tag != "" && (t.Event != "push" || t.Branch != "") {
			return runner.ParamErrorf(field, "tag %q: a tag is pushed (event push), with no branch", t.Tag)
		}
		switch t.Event {
		case "push", "pull_request", "pull_request_target":
		default:
			return runner.ParamErrorf(field, "event %q: only push, pull_request and pull_request_target are judged", t.Event)
		}
	}
	return nil
}

func compileShape(_ runner.Params, prm *ShapeParams) (runner.Checker, error) {
	file := fileOrDefault(prm.File)
	return runner.CheckerFunc(func(_ context.Context, a runner.Attempt) runner.Outcome {
		s, err := load(a, file)
		if err != nil {
			return runner.Errored(err)
		}
		wf, why := s.usable()
		if why != "" {
			return runner.Failed("%s", why)
		}
		if msg := shapeProblem(s, wf, prm); msg != "" {
			return runner.Failed("%s", msg)
		}
		return runner.Passed("")
	}), nil
}

// shapeProblem returns the first thing prm asks for that wf lacks.
func shapeProblem(s *source, wf *actionlint.Workflow, prm *ShapeParams) string {
	for _, t := range prm.On {
		if ok, why := triggers(s, wf, t); !ok {
			return why
		}
	}
	jobs := []*actionlint.Job{}
	if prm.Job != "" {
		j := jobByID(wf, prm.Job)
		if j == nil {
			return fmt.Sprintf("%s has no job `%s` (it has: %s): name the job's key under `jobs:` %s", s.file, prm.Job, strings.Join(jobIDs(wf), ", "), prm.Job)
		}
		jobs = append(jobs, j)
		if prm.RunsOn != "" {
			if msg := runsOnProblem(s, j, prm.RunsOn); msg != "" {
				return msg
			}
		}
		if prm.FailFast != nil {
			if msg := failFastProblem(s, j, *prm.FailFast); msg != "" {
				return msg
			}
		}
		for _, n := range prm.Needs {
			if !slices.ContainsFunc(j.Needs, func(x *actionlint.String) bool { return strings.EqualFold(x.Value, n) }) {
				return fmt.Sprintf("%s: job `%s` does not wait for `%s`: add `needs: [%s]`", s.at(j.Pos), prm.Job, n, n)
			}
		}
	} else {
		for _, id := range jobIDs(wf) {
			jobs = append(jobs, jobByID(wf, id))
		}
	}
	scope := "the workflow"
	if prm.Job != "" {
		scope = "job `" + prm.Job + "`"
	}
	for _, u := range prm.Uses {
		if msg := usesProblem(s, jobs, u, scope); msg != "" {
			return msg
		}
	}
	for _, r := range prm.Runs {
		if !slices.ContainsFunc(jobs, func(j *actionlint.Job) bool { return runMatches(j, r.re) }) {
			what := r.What
			if what == "" {
				what = "matches " + r.Pattern
			}
			return fmt.Sprintf("no `run:` step of %s %s", scope, what)
		}
	}
	return ""
}

func runsOnProblem(s *source, j *actionlint.Job, want string) string {
	if j.RunsOn == nil {
		return fmt.Sprintf("%s: job `%s` has no `runs-on`: add `runs-on: %s`", s.at(j.Pos), j.ID.Value, want)
	}
	if j.RunsOn.LabelsExpr != nil {
		// runs-on: ${{ matrix.os }}: the job runs on want when some
		// combination of its matrix picks it.
		got := inputValues(s, j, nil, j.RunsOn.LabelsExpr.Value)
		if slices.Contains(got, want) {
			return ""
		}
		return fmt.Sprintf("%s: job `%s` runs on %s; the exercise asks for `runs-on: %s`", s.at(j.RunsOn.LabelsExpr.Pos), j.ID.Value, quoteList(got), want)
	}
	var got []string
	for _, l := range j.RunsOn.Labels {
		got = append(got, l.Value)
	}
	if len(got) == 1 && got[0] == want {
		return ""
	}
	where := s.at(j.Pos)
	if len(j.RunsOn.Labels) > 0 {
		where = s.at(j.RunsOn.Labels[0].Pos)
	}
	return fmt.Sprintf("%s: job `%s` runs on %s; the exercise asks for `runs-on: %s`", where, j.ID.Value, strings.Join(got, ", "), want)
}

// failFastProblem says how j's strategy.fail-fast differs from want.
func failFastProblem(s *source, j *actionlint.Job, want bool) string {
	got, where := true, s.at(j.Pos)
	if st := j.Strategy; st != nil {
		where = s.at(st.Pos)
		if ff := st.FailFast; ff != nil {
			if ff.Expression != nil {
				return fmt.Sprintf("%s: job `%s`'s fail-fast is an expression (%s): write `fail-fast: %v`", s.at(ff.Pos), str(j.ID), ff.Expression.Value, want)
			}
			got, where = ff.Value, s.at(ff.Pos)
		}
	}
	if got == want {
		return ""
	}
	if want {
		return fmt.Sprintf("%s: job `%s` has `fail-fast: false`; the exercise asks for fail-fast (remove it, or set it to true)", where, str(j.ID))
	}
	return fmt.Sprintf("%s: job `%s`'s matrix is fail-fast (GitHub's default): one failing combination cancels the others; set `fail-fast: false` under `strategy:`", where, str(j.ID))
}

// actionName is a `uses:` value without its @version, lower case.
func actionName(uses string) string {
	name, _, _ := strings.Cut(uses, "@")
	return strings.ToLower(name)
}

func usesProblem(s *source, jobs []*actionlint.Job, u UsesRule, scope string) string {
	var found []*actionlint.Step
	for _, j := range jobs {
		for _, st := range j.Steps {
			if ex, ok := st.Exec.(*actionlint.ExecAction); ok && actionName(str(ex.Uses)) == strings.ToLower(u.Action) {
				found = append(found, st)
			}
		}
	}
	if len(found) == 0 {
		return fmt.Sprintf("no step of %s uses %s: add a step `- uses: %s@<version>`", scope, u.Action, u.Action)
	}
	keys := make([]string, 0, len(u.With))
	for k := range u.With {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var last string
	for _, st := range found {
		ex := st.Exec.(*actionlint.ExecAction)
		ok := true
		for _, k := range keys {
			in := ex.Inputs[strings.ToLower(k)]
			if in == nil || in.Value == nil {
				last = fmt.Sprintf("%s: the step that uses %s has no `with: %s:`; set it to %s", s.at(st.Pos), u.Action, k, u.With[k])
				ok = false
				break
			}
			got := inputValues(s, jobOf(jobs, st), st, in.Value.Value)
			if !slices.ContainsFunc(got, func(g string) bool { return versionMatches(g, u.With[k]) }) {
				last = fmt.Sprintf("%s: %s's %s is %s, not %s", s.at(in.Value.Pos), u.Action, k, quoteList(got), u.With[k])
				ok = false
				break
			}
		}
		if ok {
			return ""
		}
	}
	return last
}

func jobOf(jobs []*actionlint.Job, st *actionlint.Step) *actionlint.Job {
	for _, j := range jobs {
		if slices.Contains(j.Steps, st) {
			return j
		}
	}
	return nil
}

// inputValues is what a value evaluates to, once per matrix combination
// (its lines each, as setup-python reads several versions), on a push to
// main: with the matrix, and the env of the workflow, the job and step st
// (nil for a job's own fields).
func inputValues(s *source, j *actionlint.Job, st *actionlint.Step, v string) []string {
	combos := []combination{{}}
	if j != nil {
		if c, err := s.expand(j); err == nil {
			combos = c
		}
	}
	var out []string
	for _, c := range combos {
		got, err := Interpolate(v, staticContext(s, j, st, c))
		if err != nil {
			got = v
		}
		for line := range strings.SplitSeq(got, "\n") {
			if line = strings.TrimSpace(line); line != "" && !slices.Contains(out, line) {
				out = append(out, line)
			}
		}
	}
	return out
}

// staticContext is what expressions see in combination c on a push to
// main, env included as far as it evaluates.
func staticContext(s *source, j *actionlint.Job, st *actionlint.Step, c combination) Context {
	if j == nil {
		return Context{Values: map[string]any{"matrix": map[string]any(c)}, Status: StatusSuccess}
	}
	vals := contexts(s.wf, j, variant{combo: c}, event{Name: "push", Ref: "refs/heads/main"}, 0, 1)
	env := vals["env"].(map[string]any)
	envs := []*actionlint.Env{s.wf.Env, j.Env}
	if st != nil {
		envs = append(envs, st.Env)
	}
	for _, e := range envs {
		kv, _ := evalEnv(s, e, Context{Values: vals, Status: StatusSuccess})
		for _, p := range kv {
			env[strings.ToLower(p[0])] = p[1]
		}
	}
	return Context{Values: vals, Status: StatusSuccess}
}

func quoteList(vs []string) string {
	if len(vs) == 0 {
		return "empty"
	}
	return strings.Join(vs, ", ")
}

// versionMatches reports whether got asks for want: equal, or a more
// precise version of it (3.11.4, 3.11.x for 3.11).
func versionMatches(got, want string) bool {
	got = strings.Trim(strings.TrimSpace(got), `"'`)
	return got == want || strings.HasPrefix(got, want+".")
}

func runMatches(j *actionlint.Job, re *regexp.Regexp) bool {
	for _, st := range j.Steps {
		if ex, ok := st.Exec.(*actionlint.ExecRun); ok && ex.Run != nil {
			// A command continued with a backslash is one line.
			script := strings.ReplaceAll(ex.Run.Value, "\\\n", " ")
			for line := range strings.SplitSeq(script, "\n") {
				if re.MatchString(line) {
					return true
				}
			}
		}
	}
	return false
}
