package report

import (
	"encoding/json"
	"testing"

	"github.com/backendroadmap/grader/runner"
	"github.com/google/go-cmp/cmp"
)

func TestJSONRoundTrips(t *testing.T) {
	want := redact(mixedReport())
	var got runner.Report
	if err := json.Unmarshal([]byte(writeString(t, JSON, []*runner.Report{mixedReport()}, Options{})), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, &got); diff != "" {
		t.Errorf("report after a round trip differs (-want +got):\n%s", diff)
	}

	var batch Batch
	if err := json.Unmarshal([]byte(writeString(t, JSON, batchReports(), Options{})), &batch); err != nil {
		t.Fatal(err)
	}
	wantBatch := Batch{Schema: BatchSchema, Status: runner.Fail, Reports: batchReports(),
		Totals: Totals{Submissions: 2, Passed: 1, Failed: 1, MeanScore: 2, MaxScore: 3}}
	if diff := cmp.Diff(wantBatch, batch); diff != "" {
		t.Errorf("batch after a round trip differs (-want +got):\n%s", diff)
	}
}

// TestBatchTotals counts a batch's reports by outcome; an ungradable report
// is counted as such, not as a zero score.
func TestBatchTotals(t *testing.T) {
	rep := func(s runner.Status, score int) *runner.Report {
		return &runner.Report{Status: s, Gradable: s != runner.Error, Score: score, MaxScore: 3}
	}
	for _, tc := range []struct {
		name string
		rs   []*runner.Report
		want Totals
	}{
		{"one of each", []*runner.Report{rep(runner.Pass, 3), rep(runner.Fail, 1), rep(runner.Error, 0)},
			Totals{Submissions: 3, Passed: 1, Failed: 1, Ungradable: 1, MeanScore: 2, MaxScore: 3}},
		{"mean rounded to two decimals", []*runner.Report{rep(runner.Fail, 1), rep(runner.Fail, 2), rep(runner.Fail, 2)},
			Totals{Submissions: 3, Failed: 3, MeanScore: 1.67, MaxScore: 3}},
		{"none gradable", []*runner.Report{rep(runner.Error, 0), rep(runner.Error, 0)},
			Totals{Submissions: 2, Ungradable: 2, MaxScore: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var batch Batch
			if err := json.Unmarshal([]byte(writeString(t, JSON, tc.rs, Options{})), &batch); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, batch.Totals); diff != "" {
				t.Errorf("totals differ (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJSONKeepsV1FieldNames guards the grader.results/v1 contract: programs
// read these names, so none may be renamed or dropped.
func TestJSONKeepsV1FieldNames(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal([]byte(writeString(t, JSON, []*runner.Report{mixedReport()}, Options{})), &doc); err != nil {
		t.Fatal(err)
	}
	mustHave(t, "report", doc, "schema", "exercise", "status", "gradable", "score", "max_score", "duration_ms", "checks")
	if doc["schema"] != runner.ResultsSchema {
		t.Errorf("schema = %v, want %s", doc["schema"], runner.ResultsSchema)
	}
	mustHave(t, "exercise", doc["exercise"].(map[string]any), "id", "title", "skill", "phase")
	check := doc["checks"].([]any)[1].(map[string]any)
	mustHave(t, "check", check, "id", "name", "status", "message", "hint", "expected", "actual", "duration_ms", "points")

	var batch map[string]any
	if err := json.Unmarshal([]byte(writeString(t, JSON, batchReports(), Options{})), &batch); err != nil {
		t.Fatal(err)
	}
	mustHave(t, "batch", batch, "schema", "status", "totals", "reports")
	mustHave(t, "totals", batch["totals"].(map[string]any), "submissions", "passed", "failed", "ungradable", "mean_score", "max_score")
	if batch["schema"] != "grader.batch/v1" || batch["status"] != "fail" {
		t.Errorf("batch schema, status = %v, %v", batch["schema"], batch["status"])
	}
}

func mustHave(t *testing.T, what string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s has no %q field", what, k)
		}
	}
}
