//go:build lean

package main

import "github.com/spf13/cobra"

// serveCommand, in the lean build, hands the whole command line to
// grader-full: a class's service grades every kind of exercise, and its job
// queue is one of the libraries the lean build leaves out.
func (a *app) serveCommand() *cobra.Command {
	return &cobra.Command{
		Use:                "serve [--addr HOST:PORT] [--database-url URL] [--workers N] [--no-api]",
		Short:              "Grade a class's submissions as a service: API, job queue, class page",
		DisableFlagParsing: true,
		RunE: func(*cobra.Command, []string) error {
			return a.handOffAlways("serve")
		},
	}
}
