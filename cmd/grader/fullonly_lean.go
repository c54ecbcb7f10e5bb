//go:build lean

package main

import (
	"fmt"
	"slices"

	"github.com/spf13/cobra"
)

func (a *app) dbCommand() *cobra.Command    { return dbCmd.handedOff(a) }
func (a *app) gcCommand() *cobra.Command    { return gcCmd.handedOff(a) }
func (a *app) serveCommand() *cobra.Command { return serveCmd.handedOff(a) }
func (a *app) stopCommand() *cobra.Command  { return stopCmd.handedOff(a) }

// handedOff is c as the lean build has it: the same name and summary, and no
// flags of its own, since grader-full parses the whole command line. Its
// help, asked for either way (`grader help gc`, `grader gc --help`), is
// grader-full's too, flags and all; without grader-full it is the summary,
// and a note on stderr says where the rest is.
func (c fullOnly) handedOff(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:                c.use,
		Short:              c.short,
		DisableFlagParsing: true,
	}
	help := func(cmd *cobra.Command, args []string) {
		err := a.handOffAlways(cmd.Name())
		if err == nil {
			return
		}
		cmd.Parent().HelpFunc()(cmd, args)
		fmt.Fprintf(a.stderr, "\nThe flags of grader %s are described by %s, which was not found: build it with `make build`, or set $%s to its path.\n",
			cmd.Name(), fullBinary, fullEnv)
	}
	cmd.SetHelpFunc(help)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if slices.Contains(args, "--help") || slices.Contains(args, "-h") {
			help(cmd, args)
			return nil
		}
		return a.handOffAlways(cmd.Name())
	}
	return cmd
}
