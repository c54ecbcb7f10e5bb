//go:build !lean

package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/backendroadmap/grader/sandbox"
)

// gcCommand sweeps what grader left on the Docker engine. Every container,
// image it built, volume and network grader creates carries the org.grader.managed label, so
// this finds what a crashed or killed run left behind (testcontainers' reaper
// cannot be pulled here, so grader does its own sweeping).
func (a *app) gcCommand() *cobra.Command {
	var olderThan time.Duration
	var dryRun bool
	cmd := &cobra.Command{
		Use:   gcCmd.use,
		Short: gcCmd.short,
		Long: `gc removes every Docker container, volume and network labelled
org.grader.managed=1, and every image grader built from a learner's Dockerfile, whichever grader process made it: what an interrupted or
crashed check left behind, and the warm database kept between checks.

Only resources grader labelled are touched. --older-than keeps anything younger
(a check running now in another terminal); the default, 0, removes all of them.

Exit status 3 when Docker cannot be reached.`,
		Args: args(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			if olderThan < 0 {
				return usagef("--older-than must not be negative")
			}
			e, err := sandbox.Connect(a.ctx)
			if err != nil {
				return infraf("gc: %w", err)
			}
			defer e.Close()
			if dryRun {
				rs, err := e.Leftovers(a.ctx, olderThan)
				if err != nil {
					return infraf("gc: %w", err)
				}
				for _, r := range rs {
					fmt.Fprintf(a.stdout, "would remove %s\n", r)
				}
				fmt.Fprintf(a.stdout, "%d to remove (dry run: nothing removed)\n", len(rs))
				return nil
			}
			removed, err := e.GC(a.ctx, olderThan)
			for _, r := range removed {
				fmt.Fprintf(a.stdout, "removed %s\n", r)
			}
			if err != nil {
				return infraf("gc: %w", err)
			}
			if len(removed) == 0 {
				fmt.Fprintln(a.stdout, "nothing to remove")
			} else {
				fmt.Fprintf(a.stdout, "removed %d\n", len(removed))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.DurationVar(&olderThan, "older-than", 0, "remove only what was created longer ago than this (e.g. 1h); 0 removes all")
	f.BoolVar(&dryRun, "dry-run", false, "list what would be removed, remove nothing")
	return cmd
}
