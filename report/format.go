package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/backendroadmap/grader/runner"
)

// Format names an output format, as the learner spells it after --format.
type Format string

// The formats [Write] knows. Their names are part of the command line
// contract: never rename one.
const (
	// Text is for a person at a terminal: one line per check, details under
	// the checks that did not pass, and a one-line verdict.
	Text Format = "text"
	// JSON is the report itself as a stable, versioned object for programs.
	JSON Format = "json"
	// JUnit is JUnit XML, which CI systems (GitLab, Jenkins, ...) show as test
	// results.
	JUnit Format = "junit"
	// TAP is Test Anything Protocol version 14, for TAP harnesses.
	TAP Format = "tap"
	// GitHub is GitHub Actions workflow commands, which become annotations on
	// the run, plus an optional Markdown step summary.
	GitHub Format = "github"
	// Gradescope is the results.json of a Gradescope autograder.
	Gradescope Format = "gradescope"
	// Exercism is the results.json of an Exercism test runner, version 3.
	Exercism Format = "exercism"
	// PrairieLearn is the results.json of a PrairieLearn external grader.
	PrairieLearn Format = "prairielearn"
)

// Formats lists every format, in the order help text and error messages show
// them, so the command's help and flag completion never go out of date.
var Formats = []Format{Text, JSON, JUnit, TAP, GitHub, Gradescope, Exercism, PrairieLearn}

// ParseFormat returns the format named s, ignoring case. An unknown name is a
// usage error whose message lists the valid names, so the learner can fix the
// flag without opening the help.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if strings.EqualFold(strings.TrimSpace(s), string(f)) {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown output format %q: valid formats are %s", s, formatNames())
}

func formatNames() string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// Options are the choices the caller makes for a format: they depend on the
// environment (a terminal, NO_COLOR, GitHub Actions), which this package
// never reads itself.
type Options struct {
	// Color turns on ANSI colour in the text format. The caller decides: only
	// on a terminal, never when NO_COLOR is set. Meaning never depends on it.
	Color bool
	// StepSummary, when set, receives a Markdown summary in the github format:
	// the caller opens $GITHUB_STEP_SUMMARY for appending. Annotations show
	// only a few failures per step; the summary lists every check.
	StepSummary io.Writer
	// Verbose shows passing checks' messages too in the text format, and
	// grader's own error text behind a check that could not run.
	Verbose bool
}

// Write writes reports to w in format f. One report is written as itself
// (`grader check`); several are written as one batch (`grader grade` of
// several submissions), in the order given, except in the platform formats,
// which take one report ([Format.CanWrite]).
//
// The whole output is built before anything is written, so a report that
// cannot be rendered leaves w untouched.
func Write(w io.Writer, f Format, reports []*runner.Report, o Options) error {
	if len(reports) == 0 {
		return errors.New("no reports to write")
	}
	rs := make([]*runner.Report, len(reports))
	for i, r := range reports {
		if r == nil {
			return fmt.Errorf("report %d of %d is missing (nil)", i+1, len(reports))
		}
		rs[i] = redact(r)
	}
	if err := f.CanWrite(len(rs)); err != nil {
		return err
	}
	var out, summary bytes.Buffer
	switch f {
	case Text:
		writeText(&out, rs, o)
	case JSON:
		if err := writeJSON(&out, rs); err != nil {
			return fmt.Errorf("encoding the json report: %w", err)
		}
	case JUnit:
		if err := writeJUnit(&out, rs); err != nil {
			return fmt.Errorf("encoding the junit report: %w", err)
		}
	case TAP:
		writeTAP(&out, rs)
	case GitHub:
		writeAnnotations(&out, rs)
		if o.StepSummary != nil {
			writeStepSummary(&summary, rs, summaryLimit)
		}
	case Gradescope, Exercism, PrairieLearn:
		if err := writePlatform(&out, f, rs[0]); err != nil {
			return fmt.Errorf("encoding the %s report: %w", f, err)
		}
	default:
		return fmt.Errorf("unknown output format %q: valid formats are %s", f, formatNames())
	}
	if _, err := w.Write(out.Bytes()); err != nil {
		return fmt.Errorf("writing the %s report: %w", f, err)
	}
	if summary.Len() > 0 {
		if _, err := o.StepSummary.Write(summary.Bytes()); err != nil {
			return fmt.Errorf("writing the GitHub step summary: %w", err)
		}
	}
	return nil
}

// redact returns r without the expected and actual values of hidden checks.
// The runner already leaves them out; doing it again here means no format
// can ever leak what a hidden check looks for, whoever built the report.
func redact(r *runner.Report) *runner.Report {
	leaks := false
	for _, c := range r.Checks {
		if c.Hidden && (c.Expected != "" || c.Actual != "") {
			leaks = true
			break
		}
	}
	if !leaks {
		return r
	}
	cp := *r
	cp.Checks = make([]runner.CheckResult, len(r.Checks))
	copy(cp.Checks, r.Checks)
	for i := range cp.Checks {
		if cp.Checks[i].Hidden {
			cp.Checks[i].Expected, cp.Checks[i].Actual = "", ""
		}
	}
	return &cp
}
