package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/backendroadmap/grader/exercises"
)

func (a *app) startCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "start ID [DIR]",
		Short: "Make a workspace for an exercise (default folder: ./ID)",
		Long: `start makes a workspace for an exercise: a new folder holding the starter
files and, for git exercises, the starting history. It refuses a folder that
already holds files, and the workspace remembers its exercise, so 'grader check'
needs no id inside it.`,
		Args: args(cobra.RangeArgs(1, 2)),
		RunE: func(_ *cobra.Command, args []string) error {
			ex, cat, err := a.exercise(args[0])
			if err != nil {
				return err
			}
			dir := ex.ID
			if len(args) == 2 {
				dir = args[1]
			}
			if _, err := exercises.Start(ex, cat.Name, a.catalogSource(), dir); err != nil {
				return err
			}
			abs, _ := filepath.Abs(dir)
			a.log.Info().Str("exercise", ex.ID).Str("dir", abs).Msg("workspace created")
			fmt.Fprintf(a.stdout, "Started %s (%s, %s) in %s\n\n", ex.ID, ex.Skill, ex.Phase, dir)
			fmt.Fprintln(a.stdout, ex.Instructions)
			fmt.Fprintf(a.stdout, "Next: cd %s, do the work, then run: grader check\n", dir)
			return nil
		},
	}
}
