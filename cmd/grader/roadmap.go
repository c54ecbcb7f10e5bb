package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/backendroadmap/grader/runner"
)

// roadmapSchema names the JSON shape of `grader roadmap`.
const roadmapSchema = "grader.roadmap/v1"

type roadmapPhase struct {
	Phase     runner.Phase `json:"phase"`
	Exercises []listRow    `json:"exercises"`
}

type roadmapSkill struct {
	Skill  runner.Skill   `json:"skill"`
	Passed int            `json:"passed"`
	Total  int            `json:"total"`
	Phases []roadmapPhase `json:"phases"`
}

func (a *app) roadmapCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "roadmap",
		Short: "Show the backend roadmap: skills by phase, with your progress",
		Args:  args(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			if err := textOrJSON(format); err != nil {
				return err
			}
			cat, all, err := a.allExercises()
			if err != nil {
				return err
			}
			st := a.loadProgress()
			var skills []roadmapSkill
			for _, sk := range runner.Skills {
				s := roadmapSkill{Skill: sk}
				for _, ph := range runner.Phases {
					p := roadmapPhase{Phase: ph, Exercises: []listRow{}}
					for _, ex := range all {
						if ex.Skill == sk && ex.Phase == ph {
							r := newListRow(cat, ex, st)
							p.Exercises = append(p.Exercises, r)
							s.Total++
							if r.Passed {
								s.Passed++
							}
						}
					}
					s.Phases = append(s.Phases, p)
				}
				skills = append(skills, s)
			}
			if format == "json" {
				return writeJSON(a.stdout, struct {
					Schema  string         `json:"schema"`
					Catalog string         `json:"catalog"`
					Skills  []roadmapSkill `json:"skills"`
				}{roadmapSchema, cat.Name, skills})
			}
			a.printRoadmap(skills)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func (a *app) printRoadmap(skills []roadmapSkill) {
	color := a.color(a.stdout)
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	done, total := 0, 0
	for _, s := range skills {
		done += s.Passed
		total += s.Total
	}
	fmt.Fprintf(a.stdout, "Backend roadmap: %d of %d exercises passed\n", done, total)
	for _, s := range skills {
		fmt.Fprintf(a.stdout, "\n%s  %s\n", paint("1", strings.ToUpper(string(s.Skill))), progressBar(s.Passed, s.Total))
		for _, p := range s.Phases {
			fmt.Fprintf(a.stdout, "  %s\n", p.Phase)
			if len(p.Exercises) == 0 {
				fmt.Fprintln(a.stdout, "    (coming soon)")
				continue
			}
			for _, r := range p.Exercises {
				mark := "[ ]"
				switch {
				case r.Passed:
					mark = paint("32", "[x]")
				case r.Attempts > 0:
					mark = paint("33", "[~]")
				}
				fmt.Fprintf(a.stdout, "    %s %-28s %s\n", mark, r.ID, r.Title)
			}
		}
	}
	fmt.Fprintln(a.stdout, "\n[x] passed  [~] tried  [ ] not started.  Start one: grader start ID")
}

// progressBar draws passed/total as ten cells plus the numbers, so it reads
// without colour.
func progressBar(passed, total int) string {
	if total == 0 {
		return "no exercises yet"
	}
	filled := passed * 10 / total
	return "[" + strings.Repeat("#", filled) + strings.Repeat(".", 10-filled) + fmt.Sprintf("] %d/%d", passed, total)
}
