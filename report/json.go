package report

import (
	"bytes"
	"encoding/json"
	"math"

	"github.com/backendroadmap/grader/runner"
)

// BatchSchema names the JSON shape of a [Batch]. Like
// [runner.ResultsSchema], fields may be added to it; none is ever removed or
// renamed.
const BatchSchema = "grader.batch/v1"

// Batch is what the json format writes for several reports at once (`grader
// grade` of several submissions), so a program reads one JSON value whatever
// the number of submissions, and learns the overall outcome without walking
// every report.
type Batch struct {
	// Schema is always [BatchSchema].
	Schema string `json:"schema"`
	// Status is the worst of the reports' statuses: error when any report
	// could not be graded, else fail when any failed, else pass.
	Status runner.Status `json:"status"`
	// Totals counts the reports by outcome, so CI learns the batch's numbers
	// without walking every report.
	Totals Totals `json:"totals"`
	// Reports are the reports, in the order they were graded, each exactly as
	// a single report is written.
	Reports []*runner.Report `json:"reports"`
}

// Totals sums up a [Batch]. Passed, Failed and Ungradable add up to
// Submissions.
type Totals struct {
	// Submissions is the number of reports.
	Submissions int `json:"submissions"`
	// Passed counts the reports whose every check passed.
	Passed int `json:"passed"`
	// Failed counts the gradable reports with a check that did not pass.
	Failed int `json:"failed"`
	// Ungradable counts the reports nothing could be judged of ("gradable":
	// false): a submission that could not be fetched or read, a check that
	// could not run.
	Ungradable int `json:"ungradable"`
	// MeanScore is the mean score of the gradable reports, in points,
	// rounded to two decimals; 0 when none is gradable. An ungradable report
	// says nothing of the learner's work, so it does not count as a zero.
	MeanScore float64 `json:"mean_score"`
	// MaxScore is the most points a report could score (the largest
	// max_score), the scale MeanScore is on.
	MaxScore int `json:"max_score"`
}

// totals counts rs by outcome.
func totals(rs []*runner.Report) Totals {
	t := Totals{Submissions: len(rs)}
	sum := 0
	for _, r := range rs {
		t.MaxScore = max(t.MaxScore, r.MaxScore)
		switch norm(r.Status) {
		case runner.Pass:
			t.Passed++
		case runner.Error:
			t.Ungradable++
			continue
		default:
			t.Failed++
		}
		sum += r.Score
	}
	if graded := t.Passed + t.Failed; graded > 0 {
		t.MeanScore = math.Round(float64(sum)/float64(graded)*100) / 100
	}
	return t
}

// writeJSON writes one report as itself, several as a [Batch], indented by
// two spaces and ending in a newline. HTML characters stay as they are
// (json.Marshal would write < as \u003c): the output is read by people and
// programs, never pasted into a web page.
func writeJSON(b *bytes.Buffer, rs []*runner.Report) error {
	enc := json.NewEncoder(b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if len(rs) == 1 {
		return enc.Encode(rs[0])
	}
	return enc.Encode(Batch{Schema: BatchSchema, Status: worst(rs), Totals: totals(rs), Reports: rs})
}
