package main

import "github.com/spf13/cobra"

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "grader",
		Short: "Run and grade hands-on backend exercises",
		Long: `grader runs and grades hands-on exercises for people learning backend
development: version control, databases, APIs, security, devops and programming.

Learners:     grader roadmap, grader start ID, grader check, grader hint, grader watch
Instructors:  grader validate [--catalog DIR|GIT-URL] [ID...]
CI:           grader grade --exercise ID SUBMISSION...
A class:      grader serve [--database-url URL] [--workers N]

See 'grader help exit-codes' and 'grader help environment'.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       version,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			switch a.colorFlag {
			case "auto", "always", "never":
			default:
				return usagef("--color must be auto, always or never, not %q", a.colorFlag)
			}
			a.log = a.newLogger()
			if by := a.getenv(handedOffEnv); by != "" && by != version {
				a.log.Warn().Msgf("grader %s handed this command to %s %s: build both together with `make build`", by, fullBinary, version)
			}
			a.started = true
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usage(err) })
	pf := root.PersistentFlags()
	pf.StringVar(&a.catalogFlag, "catalog", "", "exercise catalog: a folder or a git URL[#REF] (default: $GRADER_CATALOG, else the embedded one)")
	pf.BoolVar(&a.refresh, "refresh", false, "fetch a git catalog again instead of using the pinned clone")
	pf.StringVar(&a.colorFlag, "color", "auto", "colour output: auto, always or never (NO_COLOR is honoured)")
	pf.CountVarP(&a.verbose, "verbose", "v", "log more on stderr (-v info, -vv debug)")
	pf.StringVar(&a.svc.postgresURL, "postgres-url", "", "run database checks on this PostgreSQL server (a superuser URL; default: $GRADER_POSTGRES_URL, else a warm local container)")
	root.AddCommand(
		a.listCommand(), a.roadmapCommand(), a.startCommand(), a.showCommand(),
		a.checkCommand(), a.hintCommand(), a.watchCommand(), a.nextCommand(), a.resetCommand(), a.dbCommand(),
		a.validateCommand(), a.gradeCommand(), a.gradebookCommand(), a.serveCommand(), a.gcCommand(), a.stopCommand(),
		exitCodesTopic(), environmentTopic(),
	)
	return root
}

// args returns a cobra argument validator whose failure is a usage error.
func args(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if err := v(cmd, a); err != nil {
			return usagef("%v\nusage: %s", err, cmd.UseLine())
		}
		return nil
	}
}
