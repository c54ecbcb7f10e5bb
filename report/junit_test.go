package report

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

// The shape a JUnit reader sees, declared apart from the writer's so a
// mistake in one is not repeated in the other.
type (
	parsedSuites struct {
		Tests    int           `xml:"tests,attr"`
		Failures int           `xml:"failures,attr"`
		Errors   int           `xml:"errors,attr"`
		Skipped  int           `xml:"skipped,attr"`
		Suites   []parsedSuite `xml:"testsuite"`
	}
	parsedSuite struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Time     string `xml:"time,attr"`
		Cases    []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Time      string `xml:"time,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Body    string `xml:",chardata"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
			} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
	}
)

func parseJUnit(t *testing.T, s string) parsedSuites {
	t.Helper()
	var p parsedSuites
	if err := xml.Unmarshal([]byte(s), &p); err != nil {
		t.Fatalf("junit output does not parse: %v\n%s", err, s)
	}
	return p
}

func TestJUnitParsesWithRightCounts(t *testing.T) {
	p := parseJUnit(t, writeString(t, JUnit, []*runner.Report{mixedReport()}, Options{}))
	if p.Tests != 6 || p.Failures != 2 || p.Errors != 1 || p.Skipped != 1 {
		t.Errorf("testsuites counts = %+v, want 6 tests, 2 failures, 1 error, 1 skipped", p)
	}
	s := p.Suites[0]
	if s.Name != "git-branching" || s.Tests != 6 || s.Failures != 2 || s.Errors != 1 || s.Skipped != 1 || s.Time != "1.234" {
		t.Errorf("testsuite = %+v", s)
	}
	var failures, errs, skipped int
	for _, c := range s.Cases {
		if c.Classname != "grader.git-branching" {
			t.Errorf("classname = %q", c.Classname)
		}
		if c.Failure != nil {
			failures++
		}
		if c.Error != nil {
			errs++
		}
		if c.Skipped != nil {
			skipped++
		}
	}
	if failures != 2 || errs != 1 || skipped != 1 {
		t.Errorf("elements: %d failure, %d error, %d skipped", failures, errs, skipped)
	}
	c := s.Cases[1]
	if c.Time != "0.012" || !strings.Contains(c.Failure.Body, "expected:\n  a1b2c3d Add greeting\n") || !strings.Contains(c.Failure.Body, "hint: Make a second commit") {
		t.Errorf("failure case = %+v", c)
	}

	b := parseJUnit(t, writeString(t, JUnit, batchReports(), Options{}))
	if len(b.Suites) != 2 || b.Tests != 6 || b.Failures != 1 || b.Skipped != 1 {
		t.Errorf("batch = %+v", b)
	}
	// GitLab groups by classname and drops repeated names within a group:
	// each submission needs its own.
	if a, z := b.Suites[0].Cases[0].Classname, b.Suites[1].Cases[0].Classname; a == z {
		t.Errorf("both submissions share classname %q", a)
	}
}

func TestJUnitEscapes(t *testing.T) {
	r := mixedReport()
	r.Checks[1].Name = `<tag attr="x"> & 'quote'`
	r.Checks[1].Message = "ends CDATA ]]> early \x00 and <b>"
	r.Checks[1].Actual = "]]></failure><injected/>"
	p := parseJUnit(t, writeString(t, JUnit, []*runner.Report{r}, Options{}))
	c := p.Suites[0].Cases[1]
	if c.Name != r.Checks[1].Name {
		t.Errorf("name = %q, want %q", c.Name, r.Checks[1].Name)
	}
	if c.Failure == nil || c.Failure.Message != `ends CDATA ]]> early \x00 and <b>` || !strings.Contains(c.Failure.Body, "]]></failure><injected/>") {
		t.Errorf("failure = %+v", c.Failure)
	}
}

func TestSeconds(t *testing.T) {
	for ms, want := range map[int64]string{0: "0.000", 7: "0.007", 1234: "1.234", 61000: "61.000", -5: "0.000"} {
		if got := seconds(ms); got != want {
			t.Errorf("seconds(%d) = %q, want %q", ms, got, want)
		}
	}
}
