package report

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/backendroadmap/grader/runner"
)

// platformFixtures are the reports every platform format must turn into a
// results.json its platform accepts.
func platformFixtures() map[string]*runner.Report {
	interrupted := mixedReport()
	interrupted.Interrupted = true
	long := batchReports()[0]
	long.Checks[1].Actual = strings.Repeat("row of output ✓\n", 100)
	empty := passReport()
	empty.Checks, empty.Score, empty.MaxScore = nil, 0, 0
	hidden := passReport()
	hidden.Checks[2].Hidden = true
	return map[string]*runner.Report{
		"mixed": mixedReport(), "pass": passReport(), "fail": batchReports()[0],
		"ungradable": ungradableReport(), "interrupted": interrupted,
		"long output": long, "no checks": empty, "hidden": hidden,
	}
}

// platformJSON writes r in format f and decodes it as a platform would: one
// JSON object, and nothing after it.
func platformJSON(t *testing.T, f Format, r *runner.Report) map[string]any {
	t.Helper()
	out := writeString(t, f, []*runner.Report{r}, Options{})
	dec := json.NewDecoder(strings.NewReader(out))
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("%s output is not a JSON object: %v\n%s", f, err, out)
	}
	if dec.More() {
		t.Fatalf("%s output holds more than one JSON value:\n%s", f, out)
	}
	return v
}

// field returns v[key] as a T, failing the test when it is missing or of
// another JSON type.
func field[T any](t *testing.T, v map[string]any, key string) T {
	t.Helper()
	x, ok := v[key]
	if !ok {
		t.Fatalf("required field %q is missing from %v", key, v)
	}
	got, ok := x.(T)
	if !ok {
		t.Fatalf("field %q is %T (%v), want %T", key, x, x, got)
	}
	return got
}

// tests returns v's "tests" as objects.
func tests(t *testing.T, v map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, x := range field[[]any](t, v, "tests") {
		obj, ok := x.(map[string]any)
		if !ok {
			t.Fatalf("a test is %T, want an object", x)
		}
		out = append(out, obj)
	}
	return out
}

func TestPlatformFormatsTakeOneSubmission(t *testing.T) {
	for _, f := range Formats {
		_, platform := platforms[f]
		err := f.CanWrite(2)
		if platform != (err != nil) {
			t.Errorf("%s.CanWrite(2) = %v", f, err)
		}
		if err := f.CanWrite(1); err != nil {
			t.Errorf("%s.CanWrite(1) = %v, want nil", f, err)
		}
		if !platform {
			continue
		}
		var out bytes.Buffer
		err = Write(&out, f, batchReports(), Options{})
		if err == nil || !strings.Contains(err.Error(), "one submission at a time") || !strings.Contains(err.Error(), "json format") {
			t.Errorf("Write(%s, 2 reports) = %v; want it to say one submission at a time, and json for a batch", f, err)
		}
		if out.Len() > 0 {
			t.Errorf("Write(%s, 2 reports) wrote %q", f, out.String())
		}
	}
}

// TestGradescopeResultsAreValid checks what Gradescope's specification asks
// of a results.json.
func TestGradescopeResultsAreValid(t *testing.T) {
	visibilities := []string{"hidden", "after_due_date", "after_published", "visible"}
	formats := []string{"text", "simple_format", "html", "md", "ansi"}
	for name, r := range platformFixtures() {
		t.Run(name, func(t *testing.T) {
			v := platformJSON(t, Gradescope, r)
			score := field[float64](t, v, "score")
			field[float64](t, v, "execution_time")
			output := field[string](t, v, "output")
			for _, key := range []string{"visibility", "stdout_visibility"} {
				if s := field[string](t, v, key); !slices.Contains(visibilities, s) {
					t.Errorf("%s = %q", key, s)
				}
			}
			if s := field[string](t, v, "output_format"); s != "text" {
				t.Errorf("output_format = %q, want text: a learner's text must not be read as HTML", s)
			}
			var sum, most float64
			ts := tests(t, v)
			if len(ts) != len(r.Checks) {
				t.Fatalf("%d tests for %d checks", len(ts), len(r.Checks))
			}
			for i, tc := range ts {
				s, m := field[float64](t, tc, "score"), field[float64](t, tc, "max_score")
				if s < 0 || s > m {
					t.Errorf("test %d scores %v of %v", i, s, m)
				}
				sum, most = sum+s, most+m
				status := field[string](t, tc, "status")
				if status != "passed" && status != "failed" {
					t.Errorf("test %d status = %q", i, status)
				}
				if (status == "passed") != (r.Checks[i].Status == runner.Pass) {
					t.Errorf("test %d is %s for a check that ended %s", i, status, r.Checks[i].Status)
				}
				if field[string](t, tc, "name") == "" {
					t.Errorf("test %d has no name", i)
				}
				for _, key := range []string{"name_format", "output_format"} {
					if s := field[string](t, tc, key); !slices.Contains(formats, s) {
						t.Errorf("test %d %s = %q", i, key, s)
					}
				}
				vis := field[string](t, tc, "visibility")
				if want := map[bool]string{true: "after_published", false: "visible"}[r.Checks[i].Hidden]; vis != want {
					t.Errorf("test %d visibility = %q, want %q", i, vis, want)
				}
			}
			if score < 0 || score > most {
				t.Errorf("score %v is outside 0..%v", score, most)
			}
			if gradable(r) && score != sum {
				t.Errorf("score %v, but the tests add up to %v", score, sum)
			}
			if !gradable(r) && (score != 0 || !strings.Contains(output, "grading infrastructure")) {
				t.Errorf("an ungradable report scores %v with output %q; want 0 and the infrastructure to blame", score, output)
			}
		})
	}
}

// TestExercismResultsAreValid checks what Exercism's test runner interface
// (version 3) asks of a results.json.
func TestExercismResultsAreValid(t *testing.T) {
	for name, r := range platformFixtures() {
		t.Run(name, func(t *testing.T) {
			v := platformJSON(t, Exercism, r)
			if got := field[float64](t, v, "version"); got != 3 {
				t.Errorf("version = %v, want 3", got)
			}
			status := field[string](t, v, "status")
			msg, hasMsg := v["message"].(string)
			if (status == "error") != (hasMsg && msg != "") {
				t.Errorf("status %s with message %q: a message goes with error, and only with error", status, msg)
			}
			if len(msg) > exercismMessageLimit {
				t.Errorf("message is %d bytes, over %d", len(msg), exercismMessageLimit)
			}
			ts := tests(t, v)
			if len(ts) != len(r.Checks) {
				t.Fatalf("%d tests for %d checks", len(ts), len(r.Checks))
			}
			var pass, fail, errs int
			for i, tc := range ts {
				if field[string](t, tc, "name") == "" || field[string](t, tc, "test_code") == "" {
					t.Errorf("test %d lacks a name or test_code: %v", i, tc)
				}
				switch s := field[string](t, tc, "status"); s {
				case "pass":
					pass++
				case "fail":
					fail++
				case "error":
					errs++
				default:
					t.Errorf("test %d status = %q", i, s)
				}
				if out, ok := tc["output"].(string); ok && utf8.RuneCountInString(out) > exercismOutputLimit {
					t.Errorf("test %d output has %d characters, over %d", i, utf8.RuneCountInString(out), exercismOutputLimit)
				}
			}
			switch status {
			case "pass":
				if fail+errs > 0 {
					t.Errorf("status pass with %d tests failed and %d errored", fail, errs)
				}
			case "fail":
				if fail+errs == 0 {
					t.Error("status fail with no test failed or errored")
				}
			case "error":
				if pass+fail > 0 && !r.Interrupted {
					t.Errorf("status error though %d tests ran", pass+fail)
				}
			default:
				t.Errorf("status = %q", status)
			}
		})
	}
}

func TestExercismOutputIsCutAt500(t *testing.T) {
	r := platformFixtures()["long output"]
	out := tests(t, platformJSON(t, Exercism, r))[1]["output"].(string)
	if n := utf8.RuneCountInString(out); n != exercismOutputLimit {
		t.Errorf("output has %d characters, want exactly %d", n, exercismOutputLimit)
	}
	if !strings.HasSuffix(out, "Output was truncated. Please limit to 500 chars.") {
		t.Errorf("output does not end with the interface's note: %q", out[len(out)-80:])
	}
	if !strings.HasPrefix(out, "row of output ✓\n") {
		t.Errorf("output does not start with the learner's output: %q", out[:40])
	}
	if s := cutRunes("short", 500, exercismOutputNote); s != "short" {
		t.Errorf("cutRunes changed a short value: %q", s)
	}
}

// TestPrairieLearnResultsAreValid checks what PrairieLearn's external
// grading asks of a results.json.
func TestPrairieLearnResultsAreValid(t *testing.T) {
	for name, r := range platformFixtures() {
		t.Run(name, func(t *testing.T) {
			v := platformJSON(t, PrairieLearn, r)
			ok := field[bool](t, v, "gradable")
			score := field[float64](t, v, "score")
			msg := field[string](t, v, "message")
			if score < 0 || score > 1 {
				t.Errorf("score %v is outside [0, 1]", score)
			}
			if ok != gradable(r) {
				t.Errorf("gradable = %v for a report whose status is %s (interrupted: %v)", ok, r.Status, r.Interrupted)
			}
			if !ok && !strings.Contains(msg, "grading infrastructure") {
				t.Errorf("an ungradable report's message does not blame the infrastructure: %q", msg)
			}
			var sum, most float64
			for i, tc := range tests(t, v) {
				p, m := field[float64](t, tc, "points"), field[float64](t, tc, "max_points")
				if p < 0 || p > m {
					t.Errorf("test %d scores %v of %v", i, p, m)
				}
				sum, most = sum+p, most+m
				if field[string](t, tc, "name") == "" {
					t.Errorf("test %d has no name", i)
				}
			}
			if ok && most > 0 && score != sum/most {
				t.Errorf("score %v, but the tests scored %v of %v", score, sum, most)
			}
		})
	}
}
