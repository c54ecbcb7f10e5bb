package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) showCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show an exercise's instructions and checks",
		Args:  args(cobra.ExactArgs(1)),
		RunE: func(_ *cobra.Command, args []string) error {
			if err := textOrJSON(format); err != nil {
				return err
			}
			ex, _, err := a.exercise(args[0])
			if err != nil {
				return err
			}
			type checkInfo struct {
				ID     string `json:"id"`
				Name   string `json:"name"`
				Points int    `json:"points"`
				Hints  int    `json:"hints"`
			}
			var checks []checkInfo
			for _, c := range ex.Checks {
				if !c.Hidden {
					checks = append(checks, checkInfo{c.ID, c.Name, c.Points, len(c.Hints)})
				}
			}
			if format == "json" {
				return writeJSON(a.stdout, struct {
					Schema       string      `json:"schema"`
					ID           string      `json:"id"`
					Title        string      `json:"title"`
					Skill        string      `json:"skill"`
					Phase        string      `json:"phase"`
					Summary      string      `json:"summary"`
					Instructions string      `json:"instructions"`
					Checks       []checkInfo `json:"checks"`
				}{"grader.exercise/v1", ex.ID, ex.Title, string(ex.Skill), string(ex.Phase), ex.Summary, ex.Instructions, nonNil(checks)})
			}
			fmt.Fprintf(a.stdout, "%s — %s (%s, %s)\n\n%s\n", ex.ID, ex.Title, ex.Skill, ex.Phase, ex.Instructions)
			fmt.Fprintln(a.stdout, "Checks:")
			for _, c := range checks {
				fmt.Fprintf(a.stdout, "  - %s\n", c.Name)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}
