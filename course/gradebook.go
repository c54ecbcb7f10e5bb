package course

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/backendroadmap/grader/report"
	"github.com/backendroadmap/grader/runner"
)

// GradebookSchema names the JSON shape of a [Gradebook]. Fields may be
// added; none is removed or renamed.
const GradebookSchema = "grader.gradebook/v1"

// Gradebook is every submission's results across exercises: one row per
// submission, one column group per exercise and its checks. It is built
// from batch results (`grader grade --format json`, one file per machine
// and exercise) and is the same whatever way they were split: rows sorted
// by submission, exercises by id, checks in the exercise's order.
type Gradebook struct {
	Schema    string           `json:"schema"`
	Exercises []GradebookEntry `json:"exercises"`
	Rows      []Row            `json:"submissions"`
}

// GradebookEntry is one exercise's columns.
type GradebookEntry struct {
	ID       string   `json:"id"`
	MaxScore int      `json:"max_score"`
	Checks   []string `json:"checks"`
}

// Row is one submission's results, by exercise id.
type Row struct {
	Submission string            `json:"submission"`
	Results    map[string]Result `json:"results"`
}

// Result is one submission's outcome on one exercise.
type Result struct {
	// Status is pass, fail, or ungradable (nothing of the learner's could
	// be judged: say so rather than count it as a zero).
	Status   string            `json:"status"`
	Score    int               `json:"score"`
	MaxScore int               `json:"max_score"`
	Checks   map[string]string `json:"checks"`
}

// Input is one results file, named for messages.
type Input struct {
	Name string
	Data []byte
}

// BuildGradebook merges results files: each a batch (grader.batch/v1) or a
// single report (grader.results/v1). A submission graded twice for the
// same exercise (shards that overlapped, a file given twice) is an error
// naming both files, since which verdict counts cannot be guessed.
func BuildGradebook(inputs []Input) (*Gradebook, error) {
	type seen struct {
		file string
		res  Result
	}
	rows := map[string]map[string]seen{}
	exercises := map[string]*GradebookEntry{}
	for _, in := range inputs {
		reps, err := readResults(in)
		if err != nil {
			return nil, err
		}
		for _, r := range reps {
			if r.Submission == "" {
				return nil, fmt.Errorf("%s: a report of %s names no submission: gradebooks are made from `grader grade` results, which do", in.Name, r.Exercise.ID)
			}
			ex := exercises[r.Exercise.ID]
			if ex == nil {
				ex = &GradebookEntry{ID: r.Exercise.ID}
				exercises[r.Exercise.ID] = ex
			}
			ex.MaxScore = max(ex.MaxScore, r.MaxScore)
			res := Result{Status: string(r.Status), Score: r.Score, MaxScore: r.MaxScore, Checks: map[string]string{}}
			if !r.Gradable || r.Status == runner.Error {
				res.Status = "ungradable"
			}
			for _, c := range r.Checks {
				res.Checks[c.ID] = string(c.Status)
				if !slices.Contains(ex.Checks, c.ID) {
					ex.Checks = append(ex.Checks, c.ID)
				}
			}
			row := rows[r.Submission]
			if row == nil {
				row = map[string]seen{}
				rows[r.Submission] = row
			}
			if prev, dup := row[r.Exercise.ID]; dup {
				return nil, fmt.Errorf("%s was graded for %s twice, in %s and in %s: each submission belongs to one shard; remove one of the files or grade again", r.Submission, r.Exercise.ID, prev.file, in.Name)
			}
			row[r.Exercise.ID] = seen{in.Name, res}
		}
	}
	g := &Gradebook{Schema: GradebookSchema, Exercises: []GradebookEntry{}, Rows: []Row{}}
	for _, id := range sortedKeys(exercises) {
		g.Exercises = append(g.Exercises, *exercises[id])
	}
	for _, sub := range sortedKeys(rows) {
		row := Row{Submission: sub, Results: map[string]Result{}}
		for id, s := range rows[sub] {
			row.Results[id] = s.res
		}
		g.Rows = append(g.Rows, row)
	}
	return g, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// readResults decodes a batch or a single report.
func readResults(in Input) ([]*runner.Report, error) {
	var head struct {
		Schema string `json:"schema"`
	}
	if err := json.Unmarshal(in.Data, &head); err != nil {
		return nil, fmt.Errorf("%s is not JSON results: %v (make it with grader grade --format json)", in.Name, err)
	}
	switch head.Schema {
	case report.BatchSchema:
		var b report.Batch
		if err := json.Unmarshal(in.Data, &b); err != nil {
			return nil, fmt.Errorf("%s: %v", in.Name, err)
		}
		return b.Reports, nil
	case runner.ResultsSchema:
		var r runner.Report
		if err := json.Unmarshal(in.Data, &r); err != nil {
			return nil, fmt.Errorf("%s: %v", in.Name, err)
		}
		return []*runner.Report{&r}, nil
	case "":
		return nil, fmt.Errorf("%s has no schema field: it is not grader's results (make them with grader grade --format json)", in.Name)
	}
	return nil, fmt.Errorf("%s holds %s, not results (%s or %s)", in.Name, head.Schema, report.BatchSchema, runner.ResultsSchema)
}

// WriteJSON writes g, indented, ending in a newline.
func (g *Gradebook) WriteJSON(w io.Writer) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// WriteCSV writes g as one row per submission: the submission, then for
// each exercise its status, score and max score, then each check's status
// (a column named exercise/check). A cell is empty where the submission was
// not graded for that exercise. Cells a spreadsheet would run as a formula
// are quoted with a leading apostrophe.
func (g *Gradebook) WriteCSV(w io.Writer) error {
	header := []string{"submission"}
	for _, ex := range g.Exercises {
		header = append(header, ex.ID+" status", ex.ID+" score", ex.ID+" max_score")
		for _, c := range ex.Checks {
			header = append(header, ex.ID+"/"+c)
		}
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, row := range g.Rows {
		rec := []string{safeCell(row.Submission)}
		for _, ex := range g.Exercises {
			res, ok := row.Results[ex.ID]
			if !ok {
				rec = append(rec, make([]string, 3+len(ex.Checks))...)
				continue
			}
			rec = append(rec, res.Status, strconv.Itoa(res.Score), strconv.Itoa(res.MaxScore))
			for _, c := range ex.Checks {
				rec = append(rec, res.Checks[c])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// safeCell defuses CSV injection: a submission name is the learner's
// (a repository URL, a folder name), and a spreadsheet runs a cell that
// starts with = + - @ as a formula (OWASP's advice: prefix a quote).
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
