//go:build !lean

package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// stopCommand stops the learner's warm containers now, rather than at their
// idle timeout: the warm PostgreSQL and the warm sandbox of the code checks,
// to free memory, or to start afresh after an image rebuild.
func (a *app) stopCommand() *cobra.Command {
	return &cobra.Command{
		Use:   stopCmd.use,
		Short: stopCmd.short,
		Long: `stop removes the containers grader check keeps running between one check
and the next: the PostgreSQL server of database checks, and the sandbox that
runs your code in programming exercises (reset between runs), so a second
check takes a fraction of a second. Both also stop by themselves after 15
minutes without a check, and grader gc removes them too. The next check
starts new ones.

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
			e, err := a.svc.sandbox(a.ctx)
			if err != nil {
				return infraf("stop: %w", err)
			}
			w, err := a.svc.warmSandbox()
			if err != nil {
				return err
			}
			n, err := e.RemoveWarm(a.ctx, w)
			if err != nil {
				return infraf("stop: %w", err)
			}
			switch n {
			case 0:
				fmt.Fprintln(a.stdout, "no warm code sandbox is running")
			case 1:
				fmt.Fprintln(a.stdout, "stopped the warm code sandbox")
			default:
				fmt.Fprintf(a.stdout, "stopped %d warm code sandboxes\n", n)
			}
			return nil
		},
	}
}
