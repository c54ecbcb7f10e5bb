package main

import "github.com/spf13/cobra"

// Help topics: commands with no action, shown by `grader help TOPIC`.

func exitCodesTopic() *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "What grader's exit codes mean",
		Long: `grader's exit codes are stable; scripts and CI may rely on them.

  0    every check passed (or the command succeeded)
  1    the learner's work failed a check: the report says which and why
  2    usage or exercise-spec error: an unknown exercise id (the nearest ids are
       suggested), a bad flag, a folder that is missing, not empty, or not a git
       repository, an exercise.yaml with problems (file, line and field are named),
       an exercise that 'grader validate' cannot prove
  3    infrastructure error: grading could not happen (a catalog that cannot be
       fetched, a disk that cannot be written, a check that could not run), or
       'grader grade' met a submission it cannot grade (a folder that is missing
       or not a git repository, a URL that cannot be cloned; the others are
       graded). The JSON report says "status": "error" and "gradable": false
  130  interrupted (Ctrl-C or SIGTERM)

With --format json, the report's "status" field says the same: "pass", "fail" or
"error".

An error names what went wrong and, on a line of its own starting "hint:",
what to do next. A check that could not run says so in its message and hint;
grader's own error text behind it (a library's message, a crash) is in the JSON
report's "detail" field, and the text report shows it with -v.`,
	}
}

func environmentTopic() *cobra.Command {
	return &cobra.Command{
		Use:   "environment",
		Short: "Environment variables grader reads",
		Long: `GRADER_CATALOG   catalog to use when --catalog is not given: a folder or a git
                 URL[#REF]. Default: the catalog embedded in grader.
GRADER_HOME      folder for the learner's progress. Default: $XDG_STATE_HOME/grader,
                 else ~/.local/state/grader.
GRADER_CACHE     folder for clones of git catalogs and submissions, the warm
                 database's state and cached reference results. Default:
                 $XDG_CACHE_HOME/grader, else ~/.cache/grader.
GRADER_POSTGRES_URL
                 run database checks on this PostgreSQL server (a superuser URL,
                 e.g. a CI service container) instead of a warm local container,
                 as --postgres-url does. grader creates and drops only its own
                 grader_ databases and roles there.
GRADER_DATABASE_URL
                 the PostgreSQL of 'grader serve' (its queue, submissions and
                 results), as --database-url gives it. Default: a container
                 of its own, removed when it stops.
GRADER_API_TOKEN the token 'grader serve's API and class page require, as
                 --api-token gives it.
GRADER_WEBHOOK_SECRET
                 the HMAC secret of 'grader serve's git push webhook, as
                 --webhook-secret gives it.
GRADER_IMAGE_MAP redirects the images exercises name (postgres:16, golang:1.26) to
                 others: a JSON file of {"public": "local"} pairs, or inline
                 pairs like postgres:16=grader-local/postgres:15,redis:7=... It
                 overrides $XDG_CONFIG_HOME/grader/images.json. For air-gapped
                 machines and registry mirrors.
GRADER_FULL      the path of grader-full, the build with every kind of check, for
                 a grader built lean ('make build' makes both). Default:
                 grader-full next to grader, else on PATH.
DOCKER_HOST      the Docker engine to use, as for the docker CLI.
NO_COLOR         any non-empty value turns colour off (see https://no-color.org).
CI               when set, logs on stderr are JSON lines even on a terminal.
GITHUB_STEP_SUMMARY
                 with --format github, a Markdown table of results is appended
                 to this file.`,
	}
}
