package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"

	"github.com/backendroadmap/grader/runner"
)

// JUnit XML has no official schema; this is the common subset that GitLab,
// Jenkins and the usual GitHub Actions reporters read. GitLab groups test
// cases by classname (not by testsuite) and drops cases whose name repeats
// within a group, so the classname carries the submission too: a batch that
// grades one exercise for many submissions keeps every submission's checks.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		Classname string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitProblem `xml:"failure"`
		Error     *junitProblem `xml:"error"`
		Skipped   *junitSkipped `xml:"skipped"`
	}
	// junitProblem's body is CDATA so the details keep their line breaks
	// readable in the file; encoding/xml splits any "]]>" inside it.
	junitProblem struct {
		Message string `xml:"message,attr"`
		Body    string `xml:",cdata"`
	}
	junitSkipped struct {
		Message string `xml:"message,attr,omitempty"`
	}
)

func writeJUnit(b *bytes.Buffer, rs []*runner.Report) error {
	all := junitSuites{Name: "grader"}
	var ms int64
	for _, r := range rs {
		s := junitSuiteOf(r)
		all.Tests += s.Tests
		all.Failures += s.Failures
		all.Errors += s.Errors
		all.Skipped += s.Skipped
		ms += r.DurationMS
		all.Suites = append(all.Suites, s)
	}
	all.Time = seconds(ms)
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(b)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return err
	}
	b.WriteString("\n")
	return nil
}

func junitSuiteOf(r *runner.Report) junitSuite {
	n := tally(r)
	name := label(r)
	s := junitSuite{
		Name:     name,
		Tests:    len(r.Checks),
		Failures: n.fail,
		Errors:   n.err,
		Skipped:  n.skip,
		Time:     seconds(r.DurationMS),
		Properties: []junitProperty{
			{"title", oneLine(r.Exercise.Title)},
			{"status", string(r.Status)},
			{"score", strconv.Itoa(r.Score)},
			{"max_score", strconv.Itoa(r.MaxScore)},
		},
	}
	if sub := oneLine(r.Submission); sub != "" {
		s.Properties = append(s.Properties, junitProperty{"submission", sub})
	}
	if r.Interrupted {
		s.Properties = append(s.Properties, junitProperty{"interrupted", "true"})
	}
	for _, c := range r.Checks {
		tc := junitCase{
			Name:      checkName(c),
			Classname: "grader." + name,
			Time:      seconds(c.DurationMS),
		}
		msg := oneLine(c.Message)
		switch norm(c.Status) {
		case runner.Fail:
			tc.Failure = &junitProblem{Message: msg, Body: details(c)}
		case runner.Error:
			tc.Error = &junitProblem{Message: msg, Body: details(c)}
		case runner.Skip:
			tc.Skipped = &junitSkipped{Message: msg}
		}
		s.Cases = append(s.Cases, tc)
	}
	return s
}

// seconds writes milliseconds as JUnit's time: seconds, three decimals.
func seconds(ms int64) string {
	ms = max(ms, 0)
	return fmt.Sprintf("%d.%03d", ms/1000, ms%1000)
}
