package workflow

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/rhysd/actionlint"
)

// The sandbox layout of a workflow run. The learner's files wait in srcDir
// until actions/checkout copies them into the variant's workspace: without
// a checkout the workspace stays empty, as on GitHub.
const (
	runDir  = "/github"
	srcDir  = runDir + "/src"
	ctlDir  = runDir + "/ctl" // the driver, the step scripts and the plants
	varRoot = runDir + "/run" // one folder a variant: workspace, home, temp
)

// event is the simulated event a run answers: its name and ref.
type event struct {
	Name string
	Ref  string // refs/heads/main or refs/tags/v1.2.0; for a pull request, its base branch's ref
}

// branch is the ref's short name: the branch, or the tag.
func (e event) branch() string {
	if t, ok := strings.CutPrefix(e.Ref, "refs/tags/"); ok {
		return t
	}
	return strings.TrimPrefix(e.Ref, "refs/heads/")
}

// refType is github.ref_type: branch or tag.
func (e event) refType() string {
	if strings.HasPrefix(e.Ref, "refs/tags/") {
		return "tag"
	}
	return "branch"
}

// trigger is the event as a [Trigger], to ask whether a workflow runs on it.
func (e event) trigger() Trigger {
	if e.refType() == "tag" {
		return Trigger{Event: e.Name, Tag: e.branch()}
	}
	return Trigger{Event: e.Name, Branch: e.branch()}
}

// variant is one run of a job: a matrix combination, and the plant it
// runs under (nil: the workspace as it is). The job is the checked job
// or one it needs; it runs after the variants in needs, as its `if:`
// says for their results (runIfOK when all succeeded, runIfFailed when
// not).
type variant struct {
	combo                combination
	plant                *Plant
	job                  *actionlint.Job
	needs                []int
	hasNeeds             bool
	runIfOK, runIfFailed bool
}

// stepPlan is one step made ready for the driver.
type stepPlan struct {
	name string
	line int
	// runIfOK and runIfFailed say whether the step runs while the job is
	// succeeding and once it has failed: its `if:` evaluated both ways.
	runIfOK, runIfFailed bool
	continueOnError      bool
	// shell is the command line with {0} for the script file.
	shell  string
	script string
	env    [][2]string
	// workDir is relative to the workspace, or absolute.
	workDir string
}

// jobPlan is one variant of the job, ready for the driver.
type jobPlan struct {
	steps []stepPlan
}

var envName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`) })

// contexts builds the expression contexts a variant's steps see.
func contexts(wf *actionlint.Workflow, j *actionlint.Job, v variant, ev event, idx, total int) map[string]any {
	ws := varRoot + fmt.Sprintf("/v%d/workspace", idx)
	ref := ev.Ref
	gh := map[string]any{
		"event_name":       ev.Name,
		"ref":              ref,
		"ref_name":         ev.branch(),
		"ref_type":         ev.refType(),
		"sha":              strings.Repeat("0", 40),
		"repository":       "learner/exercise",
		"repository_owner": "learner",
		"actor":            "learner",
		"workflow":         str(wf.Name),
		"job":              str(j.ID),
		"run_id":           "1",
		"run_number":       "1",
		"run_attempt":      "1",
		"server_url":       "https://github.com",
		"api_url":          "https://api.github.com",
		"workspace":        ws,
		"action":           "",
		"token":            "",
		"event":            map[string]any{},
		"base_ref":         "",
		"head_ref":         "",
	}
	if strings.HasPrefix(ev.Name, "pull_request") {
		gh["ref"] = "refs/pull/1/merge"
		gh["ref_name"] = "1/merge"
		gh["base_ref"] = ev.branch()
		gh["head_ref"] = "feature"
		gh["event"] = map[string]any{"pull_request": map[string]any{"number": float64(1),
			"base": map[string]any{"ref": ev.branch()}, "head": map[string]any{"ref": "feature"}}}
	}
	return map[string]any{
		"github":   gh,
		"runner":   map[string]any{"os": "Linux", "arch": "X64", "name": "grader", "temp": varRoot + fmt.Sprintf("/v%d/temp", idx), "tool_cache": varRoot + fmt.Sprintf("/v%d/tools", idx), "debug": ""},
		"matrix":   map[string]any(v.combo),
		"strategy": map[string]any{"fail-fast": j.Strategy == nil || j.Strategy.FailFast == nil || j.Strategy.FailFast.Value, "job-index": float64(idx), "job-total": float64(total), "max-parallel": float64(total)},
		"env":      map[string]any{},
		"secrets":  map[string]any{"github_token": ""},
		"vars":     map[string]any{},
		"inputs":   map[string]any{},
		"steps":    map[string]any{},
		"needs":    map[string]any{},
		"job":      map[string]any{"status": "success"},
	}
}

// githubEnv is the environment GitHub's runner sets for every step.
func githubEnv(ctx map[string]any, idx int) [][2]string {
	gh := ctx["github"].(map[string]any)
	root := varRoot + fmt.Sprintf("/v%d", idx)
	return [][2]string{
		{"CI", "true"}, {"GITHUB_ACTIONS", "true"},
		{"GITHUB_WORKSPACE", toString(gh["workspace"])},
		{"GITHUB_REF", toString(gh["ref"])}, {"GITHUB_REF_NAME", toString(gh["ref_name"])}, {"GITHUB_REF_TYPE", toString(gh["ref_type"])},
		{"GITHUB_BASE_REF", toString(gh["base_ref"])}, {"GITHUB_HEAD_REF", toString(gh["head_ref"])},
		{"GITHUB_EVENT_NAME", toString(gh["event_name"])}, {"GITHUB_SHA", toString(gh["sha"])},
		{"GITHUB_REPOSITORY", toString(gh["repository"])}, {"GITHUB_REPOSITORY_OWNER", "learner"},
		{"GITHUB_ACTOR", "learner"}, {"GITHUB_JOB", toString(gh["job"])}, {"GITHUB_WORKFLOW", toString(gh["workflow"])},
		{"GITHUB_RUN_ID", "1"}, {"GITHUB_RUN_NUMBER", "1"}, {"GITHUB_RUN_ATTEMPT", "1"},
		{"GITHUB_SERVER_URL", "https://github.com"}, {"GITHUB_API_URL", "https://api.github.com"},
		{"GITHUB_ENV", root + "/files/env"}, {"GITHUB_PATH", root + "/files/path"},
		{"GITHUB_OUTPUT", root + "/files/output"}, {"GITHUB_STEP_SUMMARY", root + "/files/summary"},
		{"GITHUB_STATE", root + "/files/state"},
		{"RUNNER_OS", "Linux"}, {"RUNNER_ARCH", "X64"}, {"RUNNER_NAME", "grader"},
		{"RUNNER_TEMP", root + "/temp"}, {"RUNNER_TOOL_CACHE", root + "/tools"},
		{"HOME", root + "/home"},
		{"PIP_DISABLE_PIP_VERSION_CHECK", "1"}, {"PIP_NO_INPUT", "1"},
		// The runner is offline: pip sees only what the image has installed,
		// at once rather than after five retries of an index it cannot reach.
		{"PIP_NO_INDEX", "1"},
	}
}

// planError is a part of the workflow this runner cannot run, said for
// the learner, with the line.
type planError struct{ msg string }

func (e *planError) Error() string { return e.msg }

// plan turns a job's steps into a variant's plan: expressions evaluated,
// env merged, actions emulated. idx numbers the variant.
func plan(s *source, wf *actionlint.Workflow, j *actionlint.Job, v variant, ev event, idx, total int) (*jobPlan, error) {
	plantScript := ""
	if v.plant != nil {
		plantScript = fmt.Sprintf("%s/v%d/plant.sh", ctlDir, idx)
	}
	if j.WorkflowCall != nil {
		return nil, &planError{fmt.Sprintf("%s: job `%s` calls a reusable workflow, which the grader's runner does not run", s.at(j.Pos), str(j.ID))}
	}
	if j.Container != nil || (j.Services != nil && (len(j.Services.Value) > 0 || j.Services.Expression != nil)) {
		return nil, &planError{fmt.Sprintf("%s: job `%s` uses a container or services, which the grader's runner does not emulate", s.at(j.Pos), str(j.ID))}
	}
	vals := contexts(wf, j, v, ev, idx, total)
	// A job's steps run once the jobs it needs succeeded (or its `if:`
	// let it run anyway, which this context does not tell apart).
	needs := map[string]any{}
	for _, n := range j.Needs {
		needs[strings.ToLower(n.Value)] = map[string]any{"result": "success", "outputs": map[string]any{}}
	}
	vals["needs"] = needs
	base := githubEnv(vals, idx)
	envCtx := vals["env"].(map[string]any)
	// Workflow then job env, each evaluated with what came before.
	var static [][2]string
	for _, e := range []*actionlint.Env{wf.Env, j.Env} {
		kv, err := evalEnv(s, e, Context{Values: vals, Status: StatusSuccess})
		if err != nil {
			return nil, err
		}
		for _, p := range kv {
			envCtx[strings.ToLower(p[0])] = p[1]
			static = append(static, p)
		}
	}
	shellDefault, wdDefault := "", ""
	for _, d := range []*actionlint.Defaults{wf.Defaults, j.Defaults} {
		if d != nil && d.Run != nil {
			if d.Run.Shell != nil {
				shellDefault = d.Run.Shell.Value
			}
			if d.Run.WorkingDirectory != nil {
				wdDefault = d.Run.WorkingDirectory.Value
			}
		}
	}
	p := &jobPlan{}
	for i, st := range j.Steps {
		sp := stepPlan{name: stepName(st, i), line: posLine(st.Pos)}
		stepVals := maps(vals)
		stepEnvCtx := maps(envCtx)
		stepVals["env"] = stepEnvCtx
		kv, err := evalEnv(s, st.Env, Context{Values: stepVals, Status: StatusSuccess})
		if err != nil {
			sp.fail(err.Error())
			p.steps = append(p.steps, sp)
			continue
		}
		for _, e := range kv {
			stepEnvCtx[strings.ToLower(e[0])] = e[1]
		}
		sp.env = append(append(append([][2]string{}, base...), static...), kv...)
		ctx := Context{Values: stepVals, Status: StatusSuccess}
		cond := str(st.If)
		ok, err := EvalCondition(cond, ctx)
		if err != nil {
			sp.fail(fmt.Sprintf("%s: if: %v", s.at(st.Pos), err))
			p.steps = append(p.steps, sp)
			continue
		}
		failedCtx := ctx
		failedCtx.Status = StatusFailure
		okFailed, _ := EvalCondition(cond, failedCtx)
		sp.runIfOK, sp.runIfFailed = ok, okFailed
		if st.ContinueOnError != nil {
			if st.ContinueOnError.Expression != nil {
				val, err := Interpolate(st.ContinueOnError.Expression.Value, ctx)
				sp.continueOnError = err == nil && val == "true"
			} else {
				sp.continueOnError = st.ContinueOnError.Value
			}
		}
		switch ex := st.Exec.(type) {
		case *actionlint.ExecRun:
			script, err := Interpolate(str(ex.Run), ctx)
			if err != nil {
				sp.fail(fmt.Sprintf("%s: run: %v", s.at(st.Pos), err))
				break
			}
			sp.script = script
			shell := shellDefault
			if ex.Shell != nil {
				shell = ex.Shell.Value
			}
			if sp.shell, err = shellCommand(shell); err != nil {
				sp.fail(fmt.Sprintf("%s: %v", s.at(st.Pos), err))
				break
			}
			wd := wdDefault
			if ex.WorkingDirectory != nil {
				wd = ex.WorkingDirectory.Value
			}
			if sp.workDir, err = Interpolate(wd, ctx); err != nil {
				sp.fail(fmt.Sprintf("%s: working-directory: %v", s.at(st.Pos), err))
			}
		case *actionlint.ExecAction:
			sp.shell = bashShell
			sp.script = emulate(s, st, ex, ctx, plantScript)
		}
		p.steps = append(p.steps, sp)
	}
	return p, nil
}

// fail makes a step that fails at once with msg, where the driver runs it.
func (sp *stepPlan) fail(msg string) {
	sp.runIfOK, sp.runIfFailed = true, true
	sp.shell = bashShell
	sp.script = "echo " + shellQuote("grader: "+msg) + " >&2\nexit 1\n"
}

func maps(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func posLine(p *actionlint.Pos) int {
	if p == nil {
		return 0
	}
	return p.Line
}

// stepName is the step's name as GitHub shows it.
func stepName(st *actionlint.Step, i int) string {
	if st.Name != nil && st.Name.Value != "" {
		return st.Name.Value
	}
	switch ex := st.Exec.(type) {
	case *actionlint.ExecRun:
		first, _, _ := strings.Cut(strings.TrimSpace(str(ex.Run)), "\n")
		return "Run " + first
	case *actionlint.ExecAction:
		return "Run " + str(ex.Uses)
	}
	return fmt.Sprintf("step %d", i+1)
}

func evalEnv(s *source, e *actionlint.Env, c Context) ([][2]string, error) {
	if e == nil {
		return nil, nil
	}
	if e.Expression != nil {
		return nil, &planError{fmt.Sprintf("%s: env built by an expression is not emulated by the grader's runner", s.at(e.Expression.Pos))}
	}
	names := make([]string, 0, len(e.Vars))
	for k := range e.Vars {
		names = append(names, k)
	}
	slices.Sort(names)
	var out [][2]string
	for _, k := range names {
		v := e.Vars[k]
		name := str(v.Name)
		if !envName().MatchString(name) {
			return nil, &planError{fmt.Sprintf("%s: %q is not a valid environment variable name", s.at(v.Name.Pos), name)}
		}
		val, err := Interpolate(str(v.Value), c)
		if err != nil {
			return nil, &planError{fmt.Sprintf("%s: env %s: %v", s.at(v.Name.Pos), name, err)}
		}
		out = append(out, [2]string{name, val})
	}
	return out, nil
}

const bashShell = "bash --noprofile --norc -eo pipefail {0}"

// shellCommand is the command line GitHub uses for a `shell:` value.
func shellCommand(shell string) (string, error) {
	switch shell {
	case "", "bash":
		return bashShell, nil
	case "sh":
		return "sh -e {0}", nil
	case "python":
		return "python {0}", nil
	}
	if strings.Contains(shell, "{0}") {
		return shell, nil
	}
	return "", fmt.Errorf("shell %q is not emulated by the grader's runner (use bash, sh, python or a command with {0})", shell)
}

// emulate returns the bash script that stands in for a well-known action;
// any other action fails the step, naming it.
func emulate(s *source, st *actionlint.Step, ex *actionlint.ExecAction, c Context, plantScript string) string {
	uses := str(ex.Uses)
	input := func(name string) (string, bool) {
		in := ex.Inputs[name]
		if in == nil || in.Value == nil {
			return "", false
		}
		v, err := Interpolate(in.Value.Value, c)
		if err != nil {
			return in.Value.Value, true
		}
		return v, true
	}
	failf := func(format string, args ...any) string {
		return "echo " + shellQuote(fmt.Sprintf(format, args...)) + " >&2\nexit 1\n"
	}
	switch actionName(uses) {
	case "actions/checkout":
		dest := `"$GITHUB_WORKSPACE"`
		if p, ok := input("path"); ok && p != "" {
			clean := path.Clean(p)
			if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
				return failf("actions/checkout: path %q must stay inside the workspace", p)
			}
			dest = `"$GITHUB_WORKSPACE"/` + shellQuote(clean)
		}
		script := "mkdir -p " + dest + "\ncp -R " + srcDir + "/. " + dest + "/\nchmod -R u+w " + dest + "\n"
		if plantScript != "" {
			script += "bash " + plantScript + " " + dest + "\n"
		}
		return script + "echo checked out the repository into " + dest + "\n"
	case "actions/setup-python":
		if _, ok := input("python-version-file"); ok {
			if _, ok := input("python-version"); !ok {
				return failf("actions/setup-python: python-version-file is not emulated by the grader's runner; give python-version")
			}
		}
		want, _ := input("python-version")
		for line := range strings.SplitSeq(want, "\n") {
			if line = strings.Trim(strings.TrimSpace(line), `"'`); line != "" && !pythonAvailable(line) {
				return failf("actions/setup-python: Python %s is not available on this runner: it has Python 3.11 only (ask for 3.11)", line)
			}
		}
		return setupPython
	case "actions/setup-go":
		return "if ! command -v go >/dev/null; then\n" +
			"  echo 'actions/setup-go: this runner image has no Go toolchain' >&2; exit 1\nfi\ngo version\n"
	case "actions/cache", "actions/cache/restore", "actions/cache/save":
		return "echo 'actions/cache: caching is not emulated on the grader'\"'\"'s runner (nothing restored or saved)'\n"
	case "actions/upload-artifact":
		return "echo 'actions/upload-artifact: artifacts are not kept on the grader'\"'\"'s runner (nothing uploaded)'\n"
	}
	return failf("%s: `uses: %s` is not emulated by the grader's runner (it emulates actions/checkout, actions/setup-python, actions/setup-go, actions/cache and actions/upload-artifact)", s.at(st.Pos), uses)
}

// pythonAvailable reports whether a setup-python version is served by the
// runner image's Python 3.11.
var pythonVersion = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^3(\.x|\.11(\.(x|\*|[0-9]+))?)?$`) })

func pythonAvailable(v string) bool { return pythonVersion().MatchString(v) }

// setupPython makes the image's Python the job's: a virtual environment
// that sees the system's packages, first on PATH, with python and pip.
const setupPython = `py=$(command -v python3 || command -v python) || { echo 'actions/setup-python: this runner image has no Python' >&2; exit 1; }
venv="$RUNNER_TOOL_CACHE/Python"
"$py" -m venv --without-pip --system-site-packages "$venv" || { echo 'actions/setup-python: could not make a virtual environment' >&2; exit 1; }
for p in pip pip3; do printf '#!/bin/sh\nexec "%s/bin/python" -m pip "$@"\n' "$venv" > "$venv/bin/$p"; chmod +x "$venv/bin/$p"; done
echo "$venv/bin" >> "$GITHUB_PATH"
echo "pythonLocation=$venv" >> "$GITHUB_ENV"
"$venv/bin/python" --version
`

// shellQuote quotes s for bash.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'"
}
