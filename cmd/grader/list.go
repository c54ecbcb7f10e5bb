package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/progress"
	"github.com/backendroadmap/grader/runner"
)

// catalogSchema names the JSON shape of `grader list`.
const catalogSchema = "grader.catalog/v1"

func (a *app) listCommand() *cobra.Command {
	var skill, phase, format string
	cmd := &cobra.Command{
		Use:   "list [--skill SKILL] [--phase PHASE]",
		Short: "List the exercises in the catalog",
		Args:  args(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			if err := textOrJSON(format); err != nil {
				return err
			}
			if skill != "" && !runner.Skill(skill).Valid() {
				return usagef("--skill %q is not a skill; use one of %s", skill, joinSkills())
			}
			if phase != "" && !runner.Phase(phase).Valid() {
				return usagef("--phase %q is not a phase; use beginner, intermediate or advanced", phase)
			}
			cat, all, err := a.allExercises()
			if err != nil {
				return err
			}
			st := a.loadProgress()
			var rows []listRow
			for _, ex := range all {
				if skill != "" && string(ex.Skill) != skill || phase != "" && string(ex.Phase) != phase {
					continue
				}
				rows = append(rows, newListRow(cat, ex, st))
			}
			if format == "json" {
				return writeJSON(a.stdout, struct {
					Schema    string    `json:"schema"`
					Catalog   string    `json:"catalog"`
					Exercises []listRow `json:"exercises"`
				}{catalogSchema, cat.Name, nonNil(rows)})
			}
			if len(rows) == 0 {
				fmt.Fprintln(a.stdout, "No exercises match.")
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSKILL\tPHASE\tTITLE\tPROGRESS")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Skill, r.Phase, r.Title, r.progressWord())
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&skill, "skill", "", "only this skill")
	cmd.Flags().StringVar(&phase, "phase", "", "only this phase: beginner, intermediate or advanced")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

// listRow is one exercise as `list` and `roadmap` show it.
type listRow struct {
	ID        string       `json:"id"`
	Title     string       `json:"title"`
	Skill     runner.Skill `json:"skill"`
	Phase     runner.Phase `json:"phase"`
	Summary   string       `json:"summary"`
	Passed    bool         `json:"passed"`
	Attempts  int          `json:"attempts"`
	HintsUsed int          `json:"hints_used"`
}

func newListRow(cat *exercises.Catalog, ex *exercises.Exercise, st *progress.State) listRow {
	r := listRow{ID: ex.ID, Title: ex.Title, Skill: ex.Skill, Phase: ex.Phase, Summary: ex.Summary}
	if p := st.Exercises[cat.ProgressKey(ex.ID)]; p != nil {
		r.Passed, r.Attempts, r.HintsUsed = p.Passed, p.Attempts, p.HintsUsed()
	}
	return r
}

func (r listRow) progressWord() string {
	switch {
	case r.Passed:
		return "passed"
	case r.Attempts > 0:
		return fmt.Sprintf("tried %d×", r.Attempts)
	default:
		return "new"
	}
}

// allExercises loads the whole catalog. Broken specs are reported on stderr and
// left out, so one bad exercise does not hide the others from a learner.
func (a *app) allExercises() (*exercises.Catalog, []*exercises.Exercise, error) {
	cat, err := a.catalog()
	if err != nil {
		return nil, nil, err
	}
	all, err := cat.All()
	var se *exercises.SpecError
	if errors.As(err, &se) {
		a.log.Warn().Msg(se.Error() + "\n(run `grader validate` for details; these exercises are left out)")
		err = nil
	}
	return cat, all, err
}

func textOrJSON(format string) error {
	if format != "text" && format != "json" {
		return usagef("--format %q is not supported here; use text or json", format)
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func joinSkills() string {
	s := ""
	for i, k := range runner.Skills {
		if i > 0 {
			s += ", "
		}
		s += string(k)
	}
	return s
}
