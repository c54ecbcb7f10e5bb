package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/backendroadmap/grader/progress"
	"github.com/backendroadmap/grader/runner"
)

func (a *app) hintCommand() *cobra.Command {
	var dir, format string
	cmd := &cobra.Command{
		Use:   "hint [ID] [--dir DIR]",
		Short: "Show the next hint for the first check you are failing",
		Long: `hint grades the workspace quietly, finds the first check that does not pass,
and reveals one more of its hints each time it is run. Hints used are kept in
your progress.`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(_ *cobra.Command, args []string) error {
			if err := textOrJSON(format); err != nil {
				return err
			}
			ex, cat, root, err := a.attempt(args, dir)
			if err != nil {
				return err
			}
			rep := a.gradeLearner(ex, cat, root, false)
			out := struct {
				Schema   string   `json:"schema"`
				Exercise string   `json:"exercise"`
				Check    string   `json:"check,omitempty"`
				Name     string   `json:"name,omitempty"`
				Message  string   `json:"message,omitempty"`
				Hints    []string `json:"hints"`
				Total    int      `json:"total"`
			}{Schema: "grader.hint/v1", Exercise: ex.ID, Hints: []string{}}
			if fail := rep.FirstFailure(); fail != nil {
				for _, c := range ex.Checks {
					if c.ID != fail.ID {
						continue
					}
					n := 0
					a.updateProgress(func(s *progress.State) {
						p := s.Get(cat.ProgressKey(ex.ID))
						if p.Hints == nil {
							p.Hints = map[string]int{}
						}
						// `grader check` already showed a failing check's first
						// hint: after a check, the next one is the second.
						seen := p.Hints[c.ID]
						if seen == 0 && p.Attempts > 0 {
							seen = 1
						}
						p.Hints[c.ID] = min(seen+1, len(c.Hints))
						n = p.Hints[c.ID]
					})
					out.Check, out.Name, out.Message = c.ID, c.Name, fail.Message
					out.Hints, out.Total = c.Hints[:n], len(c.Hints)
				}
			}
			// hint answers a question; only a broken grading run is worth a
			// non-zero exit.
			if rep.Interrupted || rep.Status == runner.Error {
				a.code = reportCode(rep)
				return nil
			}
			if format == "json" {
				return writeJSON(a.stdout, out)
			}
			if out.Check == "" {
				fmt.Fprintf(a.stdout, "Every check of %s passes: no hint needed.\n", ex.ID)
				return nil
			}
			fmt.Fprintf(a.stdout, "Failing: %s\n  %s\n\n", out.Name, indent(out.Message))
			for i, h := range out.Hints {
				fmt.Fprintf(a.stdout, "Hint %d of %d: %s\n", i+1, out.Total, h)
			}
			if len(out.Hints) == out.Total {
				fmt.Fprintln(a.stdout, "\nThat is the last hint for this check.")
			} else {
				fmt.Fprintln(a.stdout, "\nRun grader hint again for another.")
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "the workspace")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n  ") }
