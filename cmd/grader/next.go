package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/progress"
	"github.com/backendroadmap/grader/runner"
)

// nextSchema names the JSON shape of `grader next`.
const nextSchema = "grader.next/v1"

func (a *app) nextCommand() *cobra.Command {
	var format, skill string
	cmd := &cobra.Command{
		Use:   "next",
		Short: "Say which exercise to take next on the roadmap",
		Long: `next names the first exercise you have not passed, in the catalog's order:
in the skill you worked on last (or the one given with --skill), phase by
phase; when that skill is done, in the next skill of the roadmap.`,
		Args: args(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			if err := textOrJSON(format); err != nil {
				return err
			}
			if skill != "" && !runner.Skill(skill).Valid() {
				return usagef("--skill %q is not a skill; use one of %s", skill, joinSkills())
			}
			cat, all, err := a.allExercises()
			if err != nil {
				return err
			}
			st := a.loadProgress()
			ex, why := nextExercise(cat, all, st, runner.Skill(skill))
			var row *listRow
			if ex != nil {
				r := newListRow(cat, ex, st)
				row = &r
			}
			if format == "json" {
				return writeJSON(a.stdout, struct {
					Schema   string   `json:"schema"`
					Catalog  string   `json:"catalog"`
					Exercise *listRow `json:"exercise"`
					Reason   string   `json:"reason"`
				}{nextSchema, cat.Name, row, why})
			}
			if row == nil {
				fmt.Fprintln(a.stdout, why)
				return nil
			}
			fmt.Fprintf(a.stdout, "Next: %s (%s, %s): %s\n", row.ID, row.Skill, row.Phase, row.Title)
			fmt.Fprintf(a.stdout, "  %s\n", row.Summary)
			fmt.Fprintf(a.stdout, "  (%s)\n", why)
			if row.Attempts > 0 {
				fmt.Fprintf(a.stdout, "You have tried it %d×: cd into its workspace and run grader check, or grader hint.\n", row.Attempts)
			} else {
				fmt.Fprintf(a.stdout, "Start it: grader start %s\n", row.ID)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&skill, "skill", "", "the skill to go on with (default: the one worked on last)")
	return cmd
}

// nextExercise picks the first exercise not passed, in catalog order (all is
// in it), phase by phase: in skill if given, else in the skill of the latest
// attempt, else in the roadmap's order of skills. why says how it chose, for
// the learner; a nil exercise means there is nothing left (why says where).
func nextExercise(cat *exercises.Catalog, all []*exercises.Exercise, st *progress.State, skill runner.Skill) (*exercises.Exercise, string) {
	firstOpen := func(sk runner.Skill) *exercises.Exercise {
		for _, ph := range runner.Phases {
			for _, ex := range all {
				if ex.Skill != sk || ex.Phase != ph {
					continue
				}
				if p := st.Exercises[cat.ProgressKey(ex.ID)]; p == nil || !p.Passed {
					return ex
				}
			}
		}
		return nil
	}
	if skill != "" {
		if !slices.ContainsFunc(all, func(ex *exercises.Exercise) bool { return ex.Skill == skill }) {
			return nil, fmt.Sprintf("This catalog has no %s exercises yet. See the others: grader roadmap", skill)
		}
		if ex := firstOpen(skill); ex != nil {
			return ex, fmt.Sprintf("the first %s exercise you have not passed", skill)
		}
		return nil, fmt.Sprintf("You have passed every %s exercise of this catalog. See the others: grader roadmap", skill)
	}
	var last *exercises.Exercise
	var lastAt time.Time
	for _, ex := range all {
		if p := st.Exercises[cat.ProgressKey(ex.ID)]; p != nil && p.LastAttempt.After(lastAt) {
			last, lastAt = ex, p.LastAttempt
		}
	}
	if last != nil {
		if ex := firstOpen(last.Skill); ex != nil {
			return ex, fmt.Sprintf("%s goes on from %s, the exercise you checked last", last.Skill, last.ID)
		}
	}
	for _, sk := range runner.Skills {
		if ex := firstOpen(sk); ex != nil {
			if last != nil {
				return ex, fmt.Sprintf("you have passed every %s exercise; %s is the next skill on the roadmap with one left", last.Skill, sk)
			}
			return ex, "the roadmap's first exercise"
		}
	}
	return nil, "You have passed every exercise of this catalog."
}
