//go:build lean

package main

import "github.com/spf13/cobra"

func (a *app) dbCommand() *cobra.Command    { return dbCmd.handedOff(a) }
func (a *app) gcCommand() *cobra.Command    { return gcCmd.handedOff(a) }
func (a *app) serveCommand() *cobra.Command { return serveCmd.handedOff(a) }
func (a *app) stopCommand() *cobra.Command  { return stopCmd.handedOff(a) }

// handedOff is c as the lean build has it: the same name and summary, and no
// flags of its own, since grader-full parses the whole command line.
func (c fullOnly) handedOff(a *app) *cobra.Command {
	return &cobra.Command{
		Use:                c.use,
		Short:              c.short,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.handOffAlways(cmd.Name())
		},
	}
}
