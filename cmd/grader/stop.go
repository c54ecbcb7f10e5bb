package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// stopCommand stops the learner's warm PostgreSQL now, rather than at its
// idle timeout: to free memory, or to start afresh after an image rebuild.
func (a *app) stopCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "stop",
		Short: "Stop the warm database server kept between checks",
		Long: `stop removes the PostgreSQL container that database checks keep running
between one grader check and the next, so the second check takes a fraction of
a second. It also stops by itself after 15 minutes without a check, and
grader gc removes it too. The next database check starts a new one.

Exit status 3 when Docker cannot be reached.`,
		Args: args(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			svc, err := a.svc.warmService("")
			if err != nil {
				return err
			}
			stopped, err := svc.RemoveWarm(a.ctx)
			if err != nil {
				return infraf("stop: %w", err)
			}
			if stopped {
				fmt.Fprintln(a.stdout, "stopped the warm PostgreSQL server")
			} else {
				fmt.Fprintln(a.stdout, "no warm PostgreSQL server is running")
			}
			return nil
		},
	}
}
