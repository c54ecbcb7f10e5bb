package workflow

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing/fstest"
	"time"

	"github.com/rhysd/actionlint"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox"
)

// RunnerImagePrefix names a runner's image in the image map: the image for
// `runs-on: ubuntu-latest` is "actions-runner:ubuntu-latest".
const RunnerImagePrefix = "actions-runner:"

// RunParams are the parameters of workflow.run.
type RunParams struct {
	// File is the workflow (default .github/workflows/ci.yml).
	File string `yaml:"file"`
	// Job is the id of the job to run. Required. The jobs it needs run
	// first, each in a fresh workspace as on a runner of its own, and the
	// job then runs or is skipped as GitHub decides from their results
	// and its `if:`.
	Job string `yaml:"job"`
	// Event is the simulated event: push (default) or pull_request.
	Event string `yaml:"event"`
	// Ref is the pushed branch or tag (refs/tags/v1.2.0, push only), or a
	// pull request's base: default refs/heads/main.
	Ref string `yaml:"ref"`
	// Expect is what the job must do on that event: succeed (success,
	// the default; under each plant it must then not succeed), or not run
	// at all (skipped: the workflow does not trigger on the event, or the
	// job's or a needed job's `if:` is false). A skipped check runs
	// nothing.
	Expect string `yaml:"expect"`
	// MatrixValue, when set, runs only the matrix combinations in which
	// some value is this one (3.11); without it every combination runs,
	// up to MaxCombinations.
	MatrixValue string `yaml:"matrix_value"`
	// MaxCombinations caps the combinations run (default 4).
	MaxCombinations int `yaml:"max_combinations"`
	// Runners lists the runs-on labels the grader runs (default
	// [ubuntu-latest]); each is the image "actions-runner:<label>".
	Runners []string `yaml:"runners"`
	// Plant lists changes under each of which the job must fail: a
	// failing test the pipeline must catch.
	Plant []Plant `yaml:"plant"`
	// Timeout bounds the whole sandbox run, every variant together
	// (default 3m).
	Timeout time.Duration `yaml:"timeout"`
}

// Plant is a change to the checked-out files under which the job must
// fail.
type Plant struct {
	// Name says what the change is, for the learner: "a failing test
	// appended to tests/test_parse.py".
	Name string `yaml:"name"`
	// Files are written into the checkout (path → content).
	Files map[string]string `yaml:"files"`
	// Append adds content to the end of files (path → content).
	Append map[string]string `yaml:"append"`
}

// Validate checks the parameters.
func (p *RunParams) Validate() error {
	if p.Job == "" {
		return runner.ParamErrorf("job", "required: the id of the job to run")
	}
	if p.Event == "" {
		p.Event = "push"
	}
	if p.Ref == "" {
		p.Ref = "refs/heads/main"
	}
	if err := validateTriggers("event", []Trigger{{Event: p.Event}}); err != nil {
		return err
	}
	switch {
	case strings.HasPrefix(p.Ref, "refs/heads/"):
	case strings.HasPrefix(p.Ref, "refs/tags/") && p.Event == "push":
	default:
		return runner.ParamErrorf("ref", "%q: give a branch ref, refs/heads/<branch>, or for a push a tag ref, refs/tags/<tag>", p.Ref)
	}
	switch p.Expect {
	case "":
		p.Expect = expectSuccess
	case expectSuccess:
	case expectSkipped:
		if len(p.Plant) > 0 {
			return runner.ParamErrorf("plant", "a job expected to be skipped runs nothing to plant a test in")
		}
	default:
		return runner.ParamErrorf("expect", "%q: give success or skipped", p.Expect)
	}
	if p.MaxCombinations == 0 {
		p.MaxCombinations = 4
	}
	if p.MaxCombinations < 1 || p.MaxCombinations > 16 {
		return runner.ParamErrorf("max_combinations", "%d is outside 1..16", p.MaxCombinations)
	}
	if len(p.Runners) == 0 {
		p.Runners = []string{"ubuntu-latest"}
	}
	if p.Timeout == 0 {
		p.Timeout = 3 * time.Minute
	}
	if p.Timeout < 0 || p.Timeout > sandbox.MaxTimeout {
		return runner.ParamErrorf("timeout", "%s is outside 0..%s", p.Timeout, sandbox.MaxTimeout)
	}
	for i, pl := range p.Plant {
		if pl.Name == "" {
			return runner.ParamErrorf("plant", "entry %d has no name", i+1)
		}
		if len(pl.Files)+len(pl.Append) == 0 {
			return runner.ParamErrorf("plant", "%q changes nothing: give files or append", pl.Name)
		}
		for _, m := range []map[string]string{pl.Files, pl.Append} {
			for f := range m {
				if c := path.Clean(f); f == "" || path.IsAbs(f) || c != f || c == "." || strings.HasPrefix(c, "../") || c == ".." {
					return runner.ParamErrorf("plant", "%q: path %q must be a clean relative path", pl.Name, f)
				}
			}
		}
	}
	if len(p.Plant)+1 > 8 {
		return runner.ParamErrorf("plant", "at most 7 plants")
	}
	if runs := p.MaxCombinations * (len(p.Plant) + 1); runs > maxVariants {
		return runner.ParamErrorf("max_combinations", "%d combinations, each as is and under %d plants, make %d job runs in one sandbox; at most %d", p.MaxCombinations, len(p.Plant), runs, maxVariants)
	}
	return nil
}

// What a workflow.run check expects of the job.
const (
	expectSuccess = "success"
	expectSkipped = "skipped"
)

// maxVariants bounds the job runs one sandbox makes: each costs time, and
// each step's report a few KiB of the output cap.
const maxVariants = 32

type runKind struct {
	sb Sandbox
}

func (k *runKind) compile(_ runner.Params, prm *RunParams) (runner.Checker, error) {
	file := fileOrDefault(prm.File)
	// The job as it is runs in a sandbox of its own, shared by every check
	// of the attempt that runs it (a check without plants, and one with),
	// and the plants in another, only once it succeeded.
	asIs := *prm
	asIs.Plant = nil
	asIsKey := memoKey{"run", fmt.Sprintf("%s|%+v", file, asIs)}
	plantsKey := memoKey{"run-plants", fmt.Sprintf("%s|%+v", file, *prm)}
	run := func(ctx context.Context, a runner.Attempt, key memoKey, p *RunParams, withAsIs bool) (*jobRun, error) {
		v, err := a.Memo.Do(key, func() (any, error) { return k.execute(ctx, a, file, p, withAsIs) })
		if err != nil {
			return nil, err
		}
		return v.(*jobRun), nil
	}
	return runner.Using(
		func(ctx context.Context, a runner.Attempt) ([]*jobRun, error) {
			r, err := run(ctx, a, asIsKey, &asIs, true)
			if err != nil {
				return nil, err
			}
			if len(prm.Plant) == 0 || r.problem(prm) != "" {
				return []*jobRun{r}, nil
			}
			p, err := run(ctx, a, plantsKey, prm, false)
			if err != nil {
				return nil, err
			}
			return []*jobRun{r, p}, nil
		},
		func(_ context.Context, _ runner.Attempt, runs []*jobRun) runner.Outcome { return judge(runs, prm) },
	), nil
}

// jobRun is one sandbox run of a job's variants and what it found.
type jobRun struct {
	// refused, when set, fails the check before anything ran.
	refused string
	// skipped, when set, says why GitHub would not run the job on the
	// event: nothing ran.
	skipped  string
	src      *source
	job      *actionlint.Job
	ev       event
	variants []variant
	results  []*variantResult
	limit    string
}

// execute plans the job's variants (as it is, when withAsIs, and under
// each plant, for each combination) and runs them in one sandbox. A
// learner's mistake found on the way is a jobRun with refused set, and
// the sandbox failing is an error.
func (k *runKind) execute(ctx context.Context, a runner.Attempt, file string, prm *RunParams, withAsIs bool) (*jobRun, error) {
	s, err := load(a, file)
	if err != nil {
		return nil, err
	}
	r := &jobRun{src: s, ev: event{Name: prm.Event, Ref: prm.Ref}}
	wf, why := s.usable()
	if why != "" {
		r.refused = why
		return r, nil
	}
	j := jobByID(wf, prm.Job)
	if j == nil {
		r.refused = fmt.Sprintf("%s has no job `%s` to run (it has: %s)", file, prm.Job, strings.Join(jobIDs(wf), ", "))
		return r, nil
	}
	r.job = j
	trig := r.ev.trigger()
	if ok, why := triggers(s, wf, trig); !ok {
		r.skipped = fmt.Sprintf("GitHub would not run this workflow on %s: %s", trig, why)
		return r, nil
	}
	chain, why := neededJobs(s, wf, j)
	if why != "" {
		r.refused = why
		return r, nil
	}
	// A job's `if:` (and those of the jobs it needs) as it stands when
	// every job before it succeeded: false, and the job does not run.
	for _, cj := range append(chain, j) {
		ok, _, err := jobCondition(wf, cj, r.ev)
		if err != nil {
			r.refused = fmt.Sprintf("%s: job `%s`'s if: %v", s.at(cj.If.Pos), str(cj.ID), err)
			return r, nil
		}
		if !ok {
			r.skipped = fmt.Sprintf("%s: job `%s` is skipped on %s: its `if: %s` is false", s.at(cj.If.Pos), str(cj.ID), trig, cj.If.Value)
			if cj != j {
				r.skipped += fmt.Sprintf(", and job `%s` needs it", prm.Job)
			}
			return r, nil
		}
	}
	if prm.Expect == expectSkipped {
		return r, nil
	}
	// Every combination must run on an emulated runner, and all on one
	// image: the variants share a sandbox.
	image := ""
	combosOf := map[*actionlint.Job][]combination{}
	for _, cj := range append(chain, j) {
		combos, why := jobCombos(s, cj, prm, &image)
		if why != "" {
			r.refused = why
			return r, nil
		}
		combosOf[cj] = combos
	}
	var scenarios []*Plant
	if withAsIs {
		scenarios = append(scenarios, nil)
	}
	for i := range prm.Plant {
		scenarios = append(scenarios, &prm.Plant[i])
	}
	for _, pl := range scenarios {
		// The units of each job of the chain, to gate the jobs that need it.
		units := map[*actionlint.Job][]int{}
		for _, cj := range append(chain, j) {
			var needs []int
			for _, n := range cj.Needs {
				needs = append(needs, units[jobByID(wf, n.Value)]...)
			}
			ok, failed, _ := jobCondition(wf, cj, r.ev)
			for _, c := range combosOf[cj] {
				units[cj] = append(units[cj], len(r.variants))
				r.variants = append(r.variants, variant{combo: c, plant: pl, job: cj, needs: needs, hasNeeds: len(cj.Needs) > 0, runIfOK: ok, runIfFailed: failed})
			}
		}
	}
	if len(r.variants) > maxVariants {
		r.refused = fmt.Sprintf("job `%s`, with the jobs it needs and their matrices, makes %d job runs: the grader runs at most %d in one check", prm.Job, len(r.variants), maxVariants)
		return r, nil
	}
	plans := make([]*jobPlan, len(r.variants))
	for i, v := range r.variants {
		p, err := plan(s, wf, v.job, v, r.ev, i, len(r.variants))
		var pe *planError
		if errors.As(err, &pe) {
			r.refused = pe.msg
			return r, nil
		}
		if err != nil {
			return nil, err
		}
		plans[i] = p
	}
	if k.sb == nil {
		return nil, errors.New("no sandbox to run the job in: this grader was built without Docker support")
	}
	ws, err := sandbox.OpenWorkspace(a.Dir, nil)
	if err != nil {
		return nil, err
	}
	defer ws.Close()
	if why, err := ws.TooBig(); err != nil || why != "" {
		r.refused = why
		return r, err
	}
	files, err := prefixed(ws, "src")
	if err != nil {
		return nil, err
	}
	driverPath, inline := driver(plans, r.variants)
	nonce := newNonce()
	res, err := k.sb.Run(ctx, sandbox.Spec{
		Image:   RunnerImagePrefix + image,
		Cmd:     []string{"bash", driverPath, nonce},
		WorkDir: runDir,
		Files:   files,
		Inline:  inline,
		Env:     []string{"LANG=C.UTF-8"},
		Limits: sandbox.Limits{
			Timeout: prm.Timeout,
			Tmp:     256 * sandbox.MiB,
			Work:    512 * sandbox.MiB,
			Memory:  1 * sandbox.GiB,
			Output:  4 * sandbox.MiB,
		},
	})
	if err != nil {
		return nil, err
	}
	r.results = parseReport(res.Stdout, nonce, len(r.variants))
	r.limit = limitMessage(res.Limit, prm.Timeout)
	if !r.results[0].started && r.limit == "" {
		return nil, &sandbox.Error{
			Msg:  fmt.Sprintf("the workflow driver did not start in image %s (exit %d): %s", RunnerImagePrefix+image, res.ExitCode, excerpt(string(res.Stderr), 300)),
			Hint: "the runner image must provide bash and coreutils; map " + RunnerImagePrefix + image + " to one in the image map",
		}
	}
	// The driver reports every variant's end unless a limit stopped it (the
	// learner's time, memory, processes) or the engine lost the command:
	// that is nobody's verdict.
	if r.limit == "" && slices.ContainsFunc(r.results, func(v *variantResult) bool { return v.conclusion == "" }) {
		return nil, &sandbox.Error{
			Msg:  fmt.Sprintf("the workflow driver stopped before the job's end with no limit reached (exit %d): %s", res.ExitCode, excerpt(string(res.Stderr), 300)),
			Hint: "the Docker engine may have lost the command under load; check again",
		}
	}
	return r, nil
}

// neededJobs lists the jobs j needs, directly or not, in an order that
// runs each after those it needs; or says why they cannot run.
func neededJobs(s *source, wf *actionlint.Workflow, j *actionlint.Job) ([]*actionlint.Job, string) {
	var order []*actionlint.Job
	state := map[*actionlint.Job]int{} // 1 visiting, 2 done
	var visit func(cj *actionlint.Job) string
	visit = func(cj *actionlint.Job) string {
		switch state[cj] {
		case 1:
			return fmt.Sprintf("%s: job `%s` needs itself through its `needs:`: GitHub refuses a cycle", s.at(cj.Pos), str(cj.ID))
		case 2:
			return ""
		}
		state[cj] = 1
		for _, n := range cj.Needs {
			nj := jobByID(wf, n.Value)
			if nj == nil {
				return fmt.Sprintf("%s: job `%s` needs `%s`, which is not a job of the workflow (it has: %s)", s.at(n.Pos), str(cj.ID), n.Value, strings.Join(jobIDs(wf), ", "))
			}
			if why := visit(nj); why != "" {
				return why
			}
		}
		state[cj] = 2
		if cj != j {
			order = append(order, cj)
		}
		return ""
	}
	if why := visit(j); why != "" {
		return nil, why
	}
	return order, ""
}

// jobCondition evaluates a job's `if:` on ev twice: when every job it
// needs succeeded, and when one failed (what success(), failure() and
// needs.<id>.result then say). No `if:` is success().
func jobCondition(wf *actionlint.Workflow, j *actionlint.Job, ev event) (ok, failed bool, err error) {
	for _, st := range []Status{StatusSuccess, StatusFailure} {
		vals := contexts(wf, j, variant{combo: combination{}}, ev, 0, 1)
		needs := map[string]any{}
		for _, n := range j.Needs {
			needs[strings.ToLower(n.Value)] = map[string]any{"result": string(st), "outputs": map[string]any{}}
		}
		vals["needs"] = needs
		v, err := EvalCondition(str(j.If), Context{Values: vals, Status: st})
		if err != nil {
			return false, false, err
		}
		if st == StatusSuccess {
			ok = v
		} else {
			failed = v
		}
	}
	return ok, failed, nil
}

// jobCombos lists the combinations of j's matrix the check runs: those
// with prm.MatrixValue when set (the job must have one; a job it needs
// keeps all when none has it), on an emulated runner, all on the same
// image (*image, chosen by the first), at most prm.MaxCombinations.
func jobCombos(s *source, j *actionlint.Job, prm *RunParams, image *string) ([]combination, string) {
	combos, err := s.expand(j)
	if err != nil {
		return nil, fmt.Sprintf("%s: %v", s.at(j.Pos), err)
	}
	hasMatrix := len(combos) > 1 || len(combos[0]) > 0
	if prm.MatrixValue != "" && hasMatrix {
		with := slices.DeleteFunc(slices.Clone(combos), func(c combination) bool { return !c.hasValue(prm.MatrixValue) })
		switch {
		case len(with) > 0:
			combos = with
		case strings.EqualFold(str(j.ID), prm.Job):
			return nil, fmt.Sprintf("%s: no combination of job `%s`'s matrix has the value %s", s.at(j.Strategy.Pos), prm.Job, prm.MatrixValue)
		}
	}
	why := ""
	combos = slices.DeleteFunc(combos, func(c combination) bool {
		l, w := runnerLabel(s, j, c, prm.Runners)
		switch {
		case w != "":
			why = w
			return true
		case *image == "":
			*image = l
		case l != *image:
			return true
		}
		return false
	})
	if len(combos) == 0 {
		return nil, why
	}
	if len(combos) > prm.MaxCombinations {
		combos = combos[:prm.MaxCombinations]
	}
	return combos, ""
}

// runnerLabel picks the runner for the job's runs-on in combination c, or
// says why none.
func runnerLabel(s *source, j *actionlint.Job, c combination, runners []string) (string, string) {
	var l string
	var pos *actionlint.Pos
	switch {
	case j.RunsOn == nil:
	case j.RunsOn.LabelsExpr != nil:
		pos = j.RunsOn.LabelsExpr.Pos
		v, err := Interpolate(j.RunsOn.LabelsExpr.Value, Context{Values: map[string]any{"matrix": map[string]any(c)}, Status: StatusSuccess})
		if err != nil {
			return "", fmt.Sprintf("%s: runs-on: %v", s.at(pos), err)
		}
		l = v
	case len(j.RunsOn.Labels) == 1:
		pos = j.RunsOn.Labels[0].Pos
		l = j.RunsOn.Labels[0].Value
	}
	if l == "" {
		return "", fmt.Sprintf("%s: job `%s` must run on one of the runners the grader emulates: runs-on: %s", s.at(j.Pos), str(j.ID), strings.Join(runners, " or "))
	}
	if !slices.Contains(runners, l) {
		return "", fmt.Sprintf("%s: runs-on: %s is not a runner the grader emulates (it runs %s)", s.at(pos), l, strings.Join(runners, ", "))
	}
	return l, ""
}

// prefixed reads the workspace into memory under dir, so that the sandbox
// gets it in a folder of its own, apart from the checkout.
func prefixed(ws fs.FS, dir string) (fs.FS, error) {
	m := fstest.MapFS{}
	err := fs.WalkDir(ws, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			m[dir+"/"+p] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
		case d.Type().IsRegular():
			b, err := fs.ReadFile(ws, p)
			if err != nil {
				return err
			}
			m[dir+"/"+p] = &fstest.MapFile{Data: b, Mode: info.Mode().Perm()}
		}
		return nil
	})
	m[dir] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
	return m, err
}

func newNonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func limitMessage(l sandbox.Limit, timeout time.Duration) string {
	switch l {
	case "":
		return ""
	case sandbox.LimitTimeout:
		return fmt.Sprintf("timed out after %s", timeout)
	case sandbox.LimitMemory:
		return "ran out of memory"
	case sandbox.LimitOutput:
		return "printed too much output"
	case sandbox.LimitPids:
		return "started too many processes"
	}
	return "was stopped by the sandbox's " + string(l) + " limit"
}

func excerpt(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// judge turns the runs into the check's outcome: the job as it is must
// succeed, and under every plant it must fail.
func judge(runs []*jobRun, prm *RunParams) runner.Outcome {
	for _, r := range runs {
		if msg := r.problem(prm); msg != "" {
			return runner.Failed("%s", msg)
		}
	}
	r := runs[0]
	if prm.Expect == expectSkipped {
		return runner.Passed(r.skipped)
	}
	combos := map[string]bool{}
	var before []string
	for _, v := range r.variants {
		if v.job == r.job {
			combos[v.combo.String()] = true
		} else if id := str(v.job.ID); !slices.Contains(before, id) {
			before = append(before, id)
		}
	}
	msg := fmt.Sprintf("job `%s` succeeds on %s", prm.Job, r.ev.trigger())
	if len(before) > 0 {
		msg += " after " + strings.Join(before, ", ")
	}
	switch {
	case len(combos) > 1:
		msg += fmt.Sprintf(" in %d matrix combinations", len(combos))
	case len(r.variants) > 0 && len(r.variants[len(r.variants)-1].combo) > 0:
		msg += " in the matrix combination " + r.variants[len(r.variants)-1].combo.String()
	}
	if len(prm.Plant) > 0 {
		if len(before) > 0 {
			msg += fmt.Sprintf(", and does not succeed with any of %d planted failing tests", len(prm.Plant))
		} else {
			msg += fmt.Sprintf(", and fails with each of %d planted failing tests", len(prm.Plant))
		}
	}
	return runner.Passed(msg)
}

// problem says, for the learner, what the first variant that did not do
// as it must did; "" when all did.
func (r *jobRun) problem(prm *RunParams) string {
	if r.refused != "" {
		return r.refused
	}
	trig := r.ev.trigger()
	if prm.Expect == expectSkipped {
		if r.skipped != "" {
			return ""
		}
		msg := fmt.Sprintf("job `%s` runs on %s, and it must not", prm.Job, trig)
		if r.job.If == nil {
			msg += fmt.Sprintf(": give it an `if:` that is false then (%s)", r.src.at(r.job.Pos))
		} else {
			msg += fmt.Sprintf(": its `if: %s` is true then (%s)", r.job.If.Value, r.src.at(r.job.If.Pos))
		}
		return msg
	}
	if r.skipped != "" {
		return r.skipped
	}
	for i, v := range r.variants {
		res := r.results[i]
		where := ""
		if len(v.combo) > 0 {
			where = " (matrix " + v.combo.String() + ")"
		}
		id := str(v.job.ID)
		if res.conclusion == "" {
			msg := fmt.Sprintf("the run of job `%s`%s did not finish", id, where)
			if v.plant != nil {
				msg += " with " + v.plant.Name
			}
			if r.limit != "" {
				msg += ": it " + r.limit
			}
			if k, st := lastStep(v.job, res); st != nil {
				msg += fmt.Sprintf(", in step %q (%s:%d)", planName(v.job, k), r.src.file, stepLine(v.job, k))
			}
			return msg
		}
		if v.plant != nil {
			if v.job == r.job && res.conclusion == "success" {
				return r.letThrough(i, prm)
			}
			continue
		}
		switch {
		case res.conclusion == "success":
		case v.job != r.job:
			return fmt.Sprintf("on %s, job `%s`%s, which job `%s` needs, fails: %s", trig, id, where, prm.Job, r.failedStep(v.job, res))
		case res.conclusion == "skipped":
			return fmt.Sprintf("on %s, job `%s`%s is skipped though the jobs it needs succeeded", trig, id, where)
		default:
			return fmt.Sprintf("on %s, job `%s`%s fails: %s", trig, id, where, r.failedStep(v.job, res))
		}
	}
	return ""
}

// letThrough explains variant i, the checked job under a plant, that
// succeeded: the tests did not catch the plant, or the job ran and
// succeeded though a job it needs failed.
func (r *jobRun) letThrough(i int, prm *RunParams) string {
	v := r.variants[i]
	where := ""
	if len(v.combo) > 0 {
		where = " (matrix " + v.combo.String() + ")"
	}
	var failedNeed string
	for k, u := range r.variants {
		if u.plant == v.plant && u.job != r.job && r.results[k].conclusion == "failure" && failedNeed == "" {
			failedNeed = str(u.job.ID)
		}
	}
	if failedNeed != "" {
		return fmt.Sprintf("with %s, job `%s` failed, yet job `%s`%s still ran and succeeded: it must run only when the jobs it needs succeed (`needs: [%s]`, and no `always()` or `failure()` in its `if:`)",
			v.plant.Name, failedNeed, prm.Job, where, failedNeed)
	}
	// The steps to show are those of the job that should have caught the
	// test: the first the checked job needs, or the job itself.
	shown, res := v.job, r.results[i]
	for k, u := range r.variants {
		if u.plant == v.plant && u.job != r.job {
			shown, res = u.job, r.results[k]
			break
		}
	}
	msg := fmt.Sprintf("the pipeline let a failing test through: with %s, job `%s`%s still succeeds. A pipeline must fail when any test fails.\n",
		v.plant.Name, prm.Job, where)
	if shown != v.job {
		msg += fmt.Sprintf("Job `%s`, which it needs, succeeded too. ", str(shown.ID))
	}
	if len(v.job.Needs) == 0 && len(r.src.wf.Jobs) > 1 {
		msg += fmt.Sprintf("Job `%s` waits for no other job (no `needs:`), so GitHub runs it whatever the other jobs' tests say: if another job runs the tests, make it wait for that one (`needs: [<that job>]`).\n", prm.Job)
	}
	return msg + r.stepsSummary(shown, res)
}

func planName(j *actionlint.Job, k int) string {
	if k < len(j.Steps) {
		return stepName(j.Steps[k], k)
	}
	return fmt.Sprintf("step %d", k+1)
}

func stepLine(j *actionlint.Job, k int) int {
	if k < len(j.Steps) {
		return posLine(j.Steps[k].Pos)
	}
	return 0
}

func lastStep(j *actionlint.Job, res *variantResult) (int, *stepResult) {
	last, at := -1, (*stepResult)(nil)
	for k, st := range res.steps {
		if k > last {
			last, at = k, st
		}
	}
	if last+1 < len(j.Steps) {
		return last + 1, &stepResult{}
	}
	return last, at
}

// failedStep describes the first step that failed the job, with the end
// of its output.
func (r *jobRun) failedStep(j *actionlint.Job, res *variantResult) string {
	for k := range j.Steps {
		st := res.steps[k]
		if st == nil || st.outcome != "failure" {
			continue
		}
		if continues(j, k) {
			continue
		}
		return fmt.Sprintf("step %q (%s:%d) failed with exit code %d:\n%s", planName(j, k), r.src.file, stepLine(j, k), st.exit, tailLines(st.tail, 15))
	}
	return "a step failed"
}

func continues(j *actionlint.Job, k int) bool {
	st := j.Steps[k]
	return st.ContinueOnError != nil && (st.ContinueOnError.Value || st.ContinueOnError.Expression != nil)
}

// stepsSummary lists each step's outcome, the way a run's page shows it,
// and then says what most likely let the failure through.
func (r *jobRun) stepsSummary(j *actionlint.Job, res *variantResult) string {
	var b strings.Builder
	b.WriteString("Steps of that run:")
	why := "no step failed and none printed a failed test: the planted test never ran. Run the whole suite (`python -m pytest` finds every tests/test_*.py)"
	for k := range j.Steps {
		st := res.steps[k]
		outcome := "not run"
		if st != nil {
			outcome = st.outcome
			if st.outcome == "failure" && continues(j, k) {
				outcome = "failure (continue-on-error)"
				why = fmt.Sprintf("step %q failed, but `continue-on-error: true` lets the job succeed anyway: remove it", planName(j, k))
			}
		}
		fmt.Fprintf(&b, "\n  %s:%d %s: %s", r.src.file, stepLine(j, k), planName(j, k), outcome)
		if st != nil && st.outcome == "success" {
			if line := lastLineWith(st.tail, "failed"); line != "" {
				fmt.Fprintf(&b, "\n      its output says: %s", strings.Trim(line, "= "))
				why = fmt.Sprintf("step %q printed a failure yet exited 0, so it succeeded: something in it (like `|| true`) hides the test command's exit status", planName(j, k))
			}
		}
	}
	return b.String() + "\nLikely cause: " + why + "."
}

func lastLineWith(s, word string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], word) {
			return strings.TrimSpace(lines[i])
		}
	}
	return ""
}

func tailLines(s string, n int) string {
	lines := bytes.Split([]byte(strings.TrimRight(s, "\n")), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i, l := range lines {
		lines[i] = append([]byte("  | "), l...)
	}
	return string(bytes.Join(lines, []byte("\n")))
}
