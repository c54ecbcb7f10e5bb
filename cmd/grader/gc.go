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
org.grader.managed=1, and every image grader built from a learner's Dockerfile, whichever grader process made it once that process has
ended: what an interrupted or crashed check left behind, and the warm database and
sandbox kept between checks.

Only resources grader labelled are touched, and never those of a grader
process still running on this machine (a check in another terminal, grader
serve, grader watch): they are listed as kept. --older-than also keeps
anything younger (a check running on another machine that shares this
engine); the default, 0, removes all the others.

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
				n := 0
				for _, r := range rs {
					if r.InUse {
						fmt.Fprintf(a.stdout, "would keep %s\n", r)
						continue
					}
					fmt.Fprintf(a.stdout, "would remove %s\n", r)
					n++
				}
				fmt.Fprintf(a.stdout, "%d to remove (dry run: nothing removed)\n", n)
				return nil
			}
			removed, inUse, err := e.GC(a.ctx, olderThan)
			for _, r := range removed {
				fmt.Fprintf(a.stdout, "removed %s\n", r)
			}
			for _, r := range inUse {
				fmt.Fprintf(a.stdout, "kept %s\n", r)
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
