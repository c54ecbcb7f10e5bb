package workflow

import (
	"strings"
	"testing"
)

// A push of a tag runs a workflow only when a tags filter lets it: a
// workflow filtering only branches does not run on tags, nor one
// filtering only tags on branches.
func TestTagTriggers(t *testing.T) {
	tests := []struct {
		on   string
		t    Trigger
		want bool
	}{
		{"push:\n    branches: [main]\n    tags: ['v*']", Trigger{Event: "push", Tag: "v1.2.0"}, true},
		{"push:\n    branches: [main]\n    tags: ['v*']", Trigger{Event: "push", Branch: "main"}, true},
		{"push:\n    branches: [main]\n    tags: ['release-*']", Trigger{Event: "push", Tag: "v1.2.0"}, false},
		{"push:\n    branches: [main]", Trigger{Event: "push", Tag: "v1.2.0"}, false},
		{"push:\n    tags: ['v*']", Trigger{Event: "push", Branch: "main"}, false},
		{"push:\n    tags-ignore: ['v*-rc*']", Trigger{Event: "push", Tag: "v1.2.0"}, true},
		{"push:\n    tags-ignore: ['v*-rc*']", Trigger{Event: "push", Tag: "v1.2.0-rc1"}, false},
		{"push:", Trigger{Event: "push", Tag: "v1.2.0"}, true},
		{"pull_request:", Trigger{Event: "push", Tag: "v1.2.0"}, false},
	}
	for _, tt := range tests {
		s, wf := mustParse(t, "on:\n  "+tt.on+"\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: 'true'\n")
		if got, why := triggers(s, wf, tt.t); got != tt.want {
			t.Errorf("on %q, triggers(%s) = %v (%s), want %v", tt.on, tt.t, got, why, tt.want)
		}
	}
}

const releaseWorkflow = `on:
  push:
    branches: [main]
    tags: ['v*']
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - run: 'true'
  test:
    needs: lint
    runs-on: ubuntu-latest
    steps:
      - run: echo "$GITHUB_REF_TYPE $GITHUB_REF_NAME"
  release:
    needs: [test]
    if: startsWith(github.ref, 'refs/tags/v') && needs.test.result == 'success'
    runs-on: ubuntu-latest
    steps:
      - run: 'true'
  report:
    needs: test
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: 'true'
  loop:
    needs: loop2
    runs-on: ubuntu-latest
    steps:
      - run: 'true'
  loop2:
    needs: loop
    runs-on: ubuntu-latest
    steps:
      - run: 'true'
`

// A job's needs run first, in dependency order; its `if:` is evaluated for
// needs that succeeded and for needs that failed, with the event's ref.
func TestNeedsAndJobConditions(t *testing.T) {
	s, wf := mustParse(t, releaseWorkflow)
	chain, why := neededJobs(s, wf, wf.Jobs["release"])
	if why != "" || len(chain) != 2 || str(chain[0].ID) != "lint" || str(chain[1].ID) != "test" {
		t.Errorf("neededJobs(release) = %v, %q; want lint, test", chain, why)
	}
	if _, why := neededJobs(s, wf, wf.Jobs["loop"]); !strings.Contains(why, "cycle") {
		t.Errorf("neededJobs(loop): %q, want a cycle", why)
	}
	tag := event{Name: "push", Ref: "refs/tags/v1.2.0"}
	main := event{Name: "push", Ref: "refs/heads/main"}
	tests := []struct {
		job        string
		ev         event
		ok, failed bool
	}{
		{"release", tag, true, false},
		{"release", main, false, false},
		{"report", tag, false, true},
		{"test", main, true, false},
	}
	for _, tt := range tests {
		ok, failed, err := jobCondition(wf, wf.Jobs[tt.job], tt.ev)
		if err != nil || ok != tt.ok || failed != tt.failed {
			t.Errorf("jobCondition(%s, %s) = %v, %v, %v; want %v, %v", tt.job, tt.ev.Ref, ok, failed, err, tt.ok, tt.failed)
		}
	}
	if tag.refType() != "tag" || tag.branch() != "v1.2.0" || tag.trigger() != (Trigger{Event: "push", Tag: "v1.2.0"}) {
		t.Errorf("tag event: type %s, name %s, trigger %+v", tag.refType(), tag.branch(), tag.trigger())
	}
	p, err := plan(s, wf, wf.Jobs["test"], variant{job: wf.Jobs["test"]}, tag, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, e := range p.steps[0].env {
		env[e[0]] = e[1]
	}
	if env["GITHUB_REF_TYPE"] != "tag" || env["GITHUB_REF_NAME"] != "v1.2.0" || env["GITHUB_REF"] != "refs/tags/v1.2.0" {
		t.Errorf("env on a tag: %s %s %s", env["GITHUB_REF_TYPE"], env["GITHUB_REF_NAME"], env["GITHUB_REF"])
	}
}

// A job with needs is gated in the driver on the conclusions of the
// variants it needs.
func TestDriverGate(t *testing.T) {
	s, wf := mustParse(t, releaseWorkflow)
	ev := event{Name: "push", Ref: "refs/tags/v1.2.0"}
	vs := []variant{
		{job: wf.Jobs["test"]},
		{job: wf.Jobs["release"], needs: []int{0}, hasNeeds: true, runIfOK: true},
	}
	var plans []*jobPlan
	for i, v := range vs {
		p, err := plan(s, wf, v.job, v, ev, i, len(vs))
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, p)
	}
	_, files := driver(plans, vs)
	drv := string(files["ctl/driver.sh"])
	for _, want := range []string{"\nvariant 1\ngate 1 0 0\n", "concl[0]=$status\n"} {
		if !strings.Contains(drv, want) {
			t.Errorf("driver lacks %q:\n%s", want, drv[strings.Index(drv, "\nvariant 0"):])
		}
	}
	if strings.Contains(drv, "\nvariant 0\ngate") {
		t.Errorf("a job without needs is gated")
	}
}
