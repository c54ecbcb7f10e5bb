package report

import (
	"bytes"
	"encoding/json"

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
	// Reports are the reports, in the order they were graded, each exactly as
	// a single report is written.
	Reports []*runner.Report `json:"reports"`
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
	return enc.Encode(Batch{Schema: BatchSchema, Status: worst(rs), Reports: rs})
}
