package workflow

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// mustParse parses a workflow for a test, failing it on any parse error.
func mustParse(t *testing.T, src string) (*source, *actionlint.Workflow) {
	t.Helper()
	wf, errs := actionlint.Parse([]byte(src))
	if len(errs) > 0 {
		t.Fatalf("parse: %v", errs[0])
	}
	return &source{file: "ci.yml", src: []byte(src), wf: wf}, wf
}

const planWorkflow = `on:
  push:
    branches: [main, 'release/**']
  pull_request:
    branches-ignore: [wip]
env:
  LEVEL: workflow
jobs:
  test:
    runs-on: ubuntu-latest
    env:
      JOB: ${{ github.event_name }}
    strategy:
      matrix:
        python: ["3.10", "3.11"]
        os: [a, b]
        exclude:
          - {python: "3.10", os: b}
        include:
          - {python: "3.11", extra: yes}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python }}
      - name: Only on main
        if: github.ref == 'refs/heads/main'
        run: echo ${{ matrix.python }} $LEVEL
      - name: Report
        if: failure()
        run: echo failed
      - name: Cleanup
        if: always()
        continue-on-error: true
        working-directory: sub
        run: echo done
      - uses: someone/deploy@v1
`

func TestExpandMatrix(t *testing.T) {
	s, wf := mustParse(t, planWorkflow)
	combos, err := s.expand(wf.Jobs["test"])
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range combos {
		got = append(got, c.String())
	}
	want := "os=a, python=3.10 | extra=yes, os=a, python=3.11 | extra=yes, os=b, python=3.11"
	if strings.Join(got, " | ") != want {
		t.Errorf("combinations:\n got %s\nwant %s", strings.Join(got, " | "), want)
	}
}

// An unquoted 3.10 in a matrix is the number 3.1 to GitHub, and so to
// setup-python; quoted, it stays "3.10".
func TestMatrixNumbers(t *testing.T) {
	s, wf := mustParse(t, "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        py: [3.10, '3.10', \"3.12\", 3.11, 3, v3.10]\n    steps:\n      - run: 'true'\n")
	combos, err := s.expand(wf.Jobs["t"])
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range combos {
		got = append(got, toString(c["py"]))
	}
	if want := "3.1 3.10 3.12 3.11 3 v3.10"; strings.Join(got, " ") != want {
		t.Errorf("values %q, want %q", strings.Join(got, " "), want)
	}
}

func TestTriggers(t *testing.T) {
	s, wf := mustParse(t, planWorkflow)
	tests := []struct {
		t    Trigger
		want bool
	}{
		{Trigger{Event: "push", Branch: "main"}, true},
		{Trigger{Event: "push", Branch: "release/1.0/x"}, true},
		{Trigger{Event: "push", Branch: "dev"}, false},
		{Trigger{Event: "pull_request", Branch: "main"}, true},
		{Trigger{Event: "pull_request", Branch: "wip"}, false},
		{Trigger{Event: "pull_request_target", Branch: "main"}, false},
	}
	for _, tt := range tests {
		if got, why := triggers(s, wf, tt.t); got != tt.want {
			t.Errorf("triggers(%s) = %v (%s), want %v", tt.t, got, why, tt.want)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"main", "main", true},
		{"main", "mainline", false},
		{"feature/*", "feature/x", true},
		{"feature/*", "feature/x/y", false},
		{"feature/**", "feature/x/y", true},
		{"v[12].*", "v1.0", true},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestPlan(t *testing.T) {
	s, wf := mustParse(t, planWorkflow)
	j := wf.Jobs["test"]
	v := variant{combo: combination{"python": "3.10", "os": "a"}}
	p, err := plan(s, wf, j, v, event{Name: "push", Ref: "refs/heads/main"}, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.steps) != 6 {
		t.Fatalf("%d steps, want 6", len(p.steps))
	}
	type want struct {
		name            string
		ok, failed, coe bool
		script, workDir string
	}
	wants := []want{
		{name: "Run actions/checkout@v4", ok: true, script: "cp -R /github/src/. "},
		{name: "Run actions/setup-python@v5", ok: true, script: "Python 3.10 is not available on this runner"},
		{name: "Only on main", ok: true, script: "echo 3.10 $LEVEL"},
		{name: "Report", failed: true, script: "echo failed"},
		{name: "Cleanup", ok: true, failed: true, coe: true, script: "echo done", workDir: "sub"},
		{name: "Run someone/deploy@v1", ok: true, script: "`uses: someone/deploy@v1` is not emulated"},
	}
	for i, w := range wants {
		sp := p.steps[i]
		if sp.name != w.name || sp.runIfOK != w.ok || sp.runIfFailed != w.failed || sp.continueOnError != w.coe || sp.workDir != w.workDir {
			t.Errorf("step %d = {%q ok=%v failed=%v coe=%v wd=%q}, want %+v", i, sp.name, sp.runIfOK, sp.runIfFailed, sp.continueOnError, sp.workDir, w)
		}
		if !strings.Contains(sp.script, w.script) {
			t.Errorf("step %d script:\n%s\nwant it to contain %q", i, sp.script, w.script)
		}
	}
	env := map[string]string{}
	for _, e := range p.steps[2].env {
		env[e[0]] = e[1]
	}
	for k, v := range map[string]string{"LEVEL": "workflow", "JOB": "push", "CI": "true", "GITHUB_REF": "refs/heads/main",
		"GITHUB_EVENT_NAME": "push", "RUNNER_OS": "Linux", "GITHUB_WORKSPACE": "/github/run/v0/workspace"} {
		if env[k] != v {
			t.Errorf("env %s = %q, want %q", k, env[k], v)
		}
	}

	// On another branch the step guarded by the ref does not run.
	p, err = plan(s, wf, j, v, event{Name: "push", Ref: "refs/heads/release/1"}, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if p.steps[2].runIfOK {
		t.Errorf("step 'Only on main' runs on release/1")
	}
}

func TestDriverAndReport(t *testing.T) {
	s, wf := mustParse(t, planWorkflow)
	j := wf.Jobs["test"]
	plant := &Plant{Name: "p", Append: map[string]string{"tests/test_x.py": "def test_x(): assert False\n"}, Files: map[string]string{"tests/new.py": "x"}}
	vs := []variant{{combo: combination{"python": "3.11"}}, {combo: combination{"python": "3.11"}, plant: plant}}
	var plans []*jobPlan
	for i, v := range vs {
		p, err := plan(s, wf, j, v, event{Name: "push", Ref: "refs/heads/main"}, i, len(vs))
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, p)
	}
	path, files := driver(plans, vs)
	if path != "/github/ctl/driver.sh" {
		t.Errorf("driver path %s", path)
	}
	drv := string(files["ctl/driver.sh"])
	for _, want := range []string{
		"\nvariant 0\n", "\nvariant 1\n",
		"step 0 0 1 0 0 '' 'bash' '--noprofile' '--norc' '-eo' 'pipefail' '/github/ctl/v0/s0.sh'\n",
		"step 1 3 0 1 0 ''", // Report: runs only once the job has failed
		"step 0 4 1 1 1 'sub'",
		"report END \"1 $status\"",
	} {
		if !strings.Contains(drv, want) {
			t.Errorf("driver lacks %q", want)
		}
	}
	if !strings.Contains(string(files["ctl/v1/s0.sh"]), "bash /github/ctl/v1/plant.sh") {
		t.Errorf("variant 1's checkout does not plant:\n%s", files["ctl/v1/s0.sh"])
	}
	if strings.Contains(string(files["ctl/v0/s0.sh"]), "plant") {
		t.Errorf("variant 0's checkout plants:\n%s", files["ctl/v0/s0.sh"])
	}
	ps := string(files["ctl/v1/plant.sh"])
	for _, want := range []string{"cp /github/ctl/v1/plant/files/0 \"$1\"/'tests/new.py'", "cat /github/ctl/v1/plant/append/0 >> \"$1\"/'tests/test_x.py'"} {
		if !strings.Contains(ps, want) {
			t.Errorf("plant script lacks %q:\n%s", want, ps)
		}
	}
	if string(files["ctl/v1/plant/append/0"]) != plant.Append["tests/test_x.py"] {
		t.Errorf("planted content %q", files["ctl/v1/plant/append/0"])
	}
	if !strings.Contains(string(files["ctl/v0/s2.env"]), "export LEVEL='workflow'\n") {
		t.Errorf("env file:\n%s", files["ctl/v0/s2.env"])
	}

	tail := base64.StdEncoding.EncodeToString([]byte("1 failed\n"))
	stdout := "GRADER-VARIANT n 0 \nGRADER-STEP n 0 0 success 0\nGRADER-LOG n 0 0 \nGRADER-STEP n 0 1 failure 2\nGRADER-LOG n 0 1 " + tail +
		"\nGRADER-STEP forged 0 1 success 0\nGRADER-END n 0 failure\nGRADER-VARIANT n 1 \nGRADER-STEP n 1 0 success 0\n"
	rs := parseReport([]byte(stdout), "n", 2)
	if !rs[0].started || rs[0].conclusion != "failure" || rs[0].steps[1].outcome != "failure" || rs[0].steps[1].exit != 2 || rs[0].steps[1].tail != "1 failed\n" {
		t.Errorf("variant 0: %+v, step 1 %+v", rs[0], rs[0].steps[1])
	}
	if !rs[1].started || rs[1].conclusion != "" || len(rs[1].steps) != 1 {
		t.Errorf("variant 1: %+v", rs[1])
	}
}

func TestShapeProblem(t *testing.T) {
	s, wf := mustParse(t, planWorkflow)
	tests := []struct {
		prm  ShapeParams
		want string
	}{
		{ShapeParams{On: []Trigger{{Event: "push", Branch: "main"}, {Event: "pull_request", Branch: "main"}}}, ""},
		{ShapeParams{On: []Trigger{{Event: "push", Branch: "dev"}}}, "ci.yml:2: `push` runs only on the branches [main, release/**], not dev"},
		{ShapeParams{Job: "build"}, "has no job `build`"},
		{ShapeParams{Job: "test", RunsOn: "ubuntu-22.04"}, "ci.yml:10: job `test` runs on ubuntu-latest"},
		{ShapeParams{Job: "test", Uses: []UsesRule{{Action: "actions/setup-python", With: map[string]string{"python-version": "3.11"}}}}, ""},
		{ShapeParams{Job: "test", Uses: []UsesRule{{Action: "actions/setup-python", With: map[string]string{"python-version": "3.12"}}}}, "python-version is 3.10, 3.11, not 3.12"},
		{ShapeParams{Job: "test", Uses: []UsesRule{{Action: "actions/setup-go"}}}, "no step of job `test` uses actions/setup-go"},
		{ShapeParams{Job: "test", Runs: []RunRule{{Pattern: `echo done`}}}, ""},
		{ShapeParams{Job: "test", Runs: []RunRule{{Pattern: `pytest`, What: "runs pytest"}}}, "no `run:` step of job `test` runs pytest"},
		{ShapeParams{Job: "test", FailFast: new(true)}, ""},
		{ShapeParams{Job: "test", FailFast: new(false)}, "ci.yml:13: job `test`'s matrix is fail-fast (GitHub's default)"},
		{ShapeParams{On: []Trigger{{Event: "push", Tag: "v1.0.0"}}}, "`push` with only a branches filter runs on branches, not on tags"},
	}
	for _, tt := range tests {
		prm := tt.prm
		if err := prm.Validate(); err != nil {
			t.Fatal(err)
		}
		got := shapeProblem(s, wf, &prm)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("shapeProblem(%+v) = %q, want %q", tt.prm, got, tt.want)
		}
	}
}

func TestLint(t *testing.T) {
	errs, err := lint(t.TempDir(), []byte("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n      - uses: actions/checkout@v4\n        with:\n          nope: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) < 2 {
		t.Fatalf("lint found %d errors, want at least 2: %v", len(errs), errs)
	}
	if errs[0].Line != 6 {
		t.Errorf("first error on line %d, want 6: %v", errs[0].Line, errs[0])
	}
	errs, err = lint(t.TempDir(), []byte("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          echo $UNQUOTED\n"))
	if err != nil || len(errs) != 0 {
		t.Errorf("a clean workflow (shellcheck would warn) gives %v, %v", errs, err)
	}
	errs, _ = lint(t.TempDir(), []byte("on: push\njobs:\n  test: [\n"))
	if len(errs) == 0 || errs[0].Line == 0 {
		t.Errorf("a YAML syntax error gives %v, want a line", errs)
	}
}

func TestPlanPullRequest(t *testing.T) {
	s, wf := mustParse(t, `on:
  pull_request:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - if: github.event_name == 'pull_request' && github.base_ref == 'main'
        run: echo ${{ github.ref }} ${{ github.head_ref }}
      - if: github.ref == 'refs/heads/main'
        run: echo never on a pull request
`)
	p, err := plan(s, wf, wf.Jobs["test"], variant{combo: combination{}}, event{Name: "pull_request", Ref: "refs/heads/main"}, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !p.steps[0].runIfOK || p.steps[1].runIfOK {
		t.Errorf("runIfOK = %v, %v; want true, false", p.steps[0].runIfOK, p.steps[1].runIfOK)
	}
	if p.steps[0].script != "echo refs/pull/1/merge feature" {
		t.Errorf("script %q", p.steps[0].script)
	}
	env := map[string]string{}
	for _, e := range p.steps[0].env {
		env[e[0]] = e[1]
	}
	if env["GITHUB_BASE_REF"] != "main" || env["GITHUB_EVENT_NAME"] != "pull_request" {
		t.Errorf("env: base ref %q, event %q", env["GITHUB_BASE_REF"], env["GITHUB_EVENT_NAME"])
	}
}

func TestRunParamsValidate(t *testing.T) {
	plant := Plant{Name: "p", Files: map[string]string{"t.py": "x"}}
	tests := []struct {
		prm  RunParams
		want string // a part of the error; "" for none
	}{
		{RunParams{Job: "test"}, ""},
		{RunParams{}, "job: required"},
		{RunParams{Job: "test", Event: "schedule"}, "only push, pull_request"},
		{RunParams{Job: "test", Ref: "main"}, "refs/heads/<branch>"},
		{RunParams{Job: "test", Ref: "refs/tags/v1.2.0"}, ""},
		{RunParams{Job: "test", Event: "pull_request", Ref: "refs/tags/v1.2.0"}, "refs/heads/<branch>"},
		{RunParams{Job: "test", Expect: "skipped"}, ""},
		{RunParams{Job: "test", Expect: "failure"}, "give success or skipped"},
		{RunParams{Job: "test", Expect: "skipped", Plant: []Plant{plant}}, "runs nothing to plant"},
		{RunParams{Job: "test", Plant: []Plant{{Name: "p"}}}, "changes nothing"},
		{RunParams{Job: "test", Plant: []Plant{{Name: "p", Append: map[string]string{"../x": ""}}}}, "clean relative path"},
		{RunParams{Job: "test", MaxCombinations: 16, Plant: []Plant{plant, plant}}, "48 job runs"},
	}
	for _, tt := range tests {
		prm := tt.prm
		err := prm.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Validate(%+v): %v", tt.prm, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Validate(%+v) = %v, want %q", tt.prm, err, tt.want)
		}
	}
}

func TestShapeReadsEnv(t *testing.T) {
	s, wf := mustParse(t, `on: push
env:
  PYTHON: "3.11"
jobs:
  test:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
    steps:
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ env.PYTHON }}
`)
	prm := ShapeParams{Job: "test", RunsOn: "ubuntu-latest", Uses: []UsesRule{{Action: "actions/setup-python", With: map[string]string{"python-version": "3.11"}}}}
	if err := prm.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := shapeProblem(s, wf, &prm); got != "" {
		t.Errorf("shapeProblem = %q, want none", got)
	}
}
