//go:build !lean

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/fault"
	redisgrader "github.com/backendroadmap/grader/graders/redis"
	sqlgrader "github.com/backendroadmap/grader/graders/sql"
	"github.com/backendroadmap/grader/runner"
)

// dbShell is a learner's session on a fresh copy of an exercise's data.
type dbShell interface {
	Run(ctx context.Context, input string) (string, error)
	Close()
}

func (a *app) dbCommand() *cobra.Command {
	var dir, command string
	cmd := &cobra.Command{
		Use:   dbCmd.use,
		Short: dbCmd.short,
		Long: `db opens a fresh copy of a database exercise's data (its PostgreSQL or its
Redis), the same every check starts from, so you can look at the tables or
keys while you write your answer. Type SQL ending with ; (PostgreSQL) or
commands as redis-cli takes them (Redis); end with \q or Ctrl-D. With -c,
run that input and print its result instead. The copy is yours alone and is
dropped when you leave: nothing you do here reaches your grade.`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(_ *cobra.Command, args []string) error {
			// A named exercise needs no workspace: its data is the exercise's.
			var ex *exercises.Exercise
			var err error
			if len(args) == 1 {
				ex, _, err = a.exercise(args[0])
			} else {
				ex, _, _, err = a.attempt(nil, dir)
			}
			if err != nil {
				return err
			}
			sh, lang, err := a.openShell(ex.ID, ex.Files, ex.Service)
			if err != nil {
				return err
			}
			defer sh.Close()
			if command != "" {
				out, err := sh.Run(a.ctx, command)
				if out != "" {
					fmt.Fprintln(a.stdout, out)
				}
				if err != nil {
					if a.ctx.Err() != nil {
						a.code = exitInterrupted
						return nil
					}
					fmt.Fprintf(a.stderr, "error: %v\n", err)
					a.code = exitFail
				}
				return nil
			}
			return a.shellLoop(sh, ex.ID, lang)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "the workspace whose exercise to open")
	cmd.Flags().StringVarP(&command, "command", "c", "", "run this SQL or these Redis commands, print the result, and leave")
	return cmd
}

// openShell opens the exercise's PostgreSQL, else its Redis. lang is "sql"
// or "redis".
func (a *app) openShell(id string, files fs.FS, service func(string, any) error) (dbShell, string, error) {
	a.log.Info().Str("exercise", id).Msg("opening a copy of the exercise's data")
	sh, err := sqlgrader.OpenShell(a.ctx, a.svc, files, service)
	if err == nil {
		return sh, "sql", nil
	}
	if !errors.Is(err, runner.ErrNoService) {
		return nil, "", shellErr(err)
	}
	rs, err := redisgrader.OpenShell(a.ctx, a.svc, files, service)
	if err == nil {
		return rs, "redis", nil
	}
	if !errors.Is(err, runner.ErrNoService) {
		return nil, "", shellErr(err)
	}
	return nil, "", usagef("%s has no database: grader db opens the PostgreSQL or Redis of a database exercise (grader list --skill databases)", id)
}

// shellErr classifies a failure to open the data: Docker or an image
// missing is the infrastructure's; anything else too, since the spec was
// proven when it loaded.
func shellErr(err error) error {
	if fault.Is(err, fault.Usage) {
		return err
	}
	return infraf("opening the exercise's data: %v", err)
}

// shellLoop reads input from stdin, a statement (SQL, sent at its ;) or a
// command line (Redis) at a time, and prints each result on stdout. The
// prompt and the banner go to stderr, so `grader db < queries.sql > out`
// keeps only results.
func (a *app) shellLoop(sh dbShell, id, lang string) error {
	what := "PostgreSQL: end each statement with ;"
	if lang == "redis" {
		what = "Redis: one command a line, as redis-cli takes them"
	}
	fmt.Fprintf(a.stderr, "A fresh copy of %s's data (%s), as every check starts from; nothing here reaches your grade. Leave with \\q or Ctrl-D.\n", id, what)
	in := bufio.NewReader(a.stdin)
	var buf strings.Builder
	for {
		prompt := id + "=> "
		if buf.Len() > 0 {
			prompt = id + "-> "
		}
		fmt.Fprint(a.stderr, prompt)
		line, err := in.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return infraf("reading input: %v", err)
		}
		eof := errors.Is(err, io.EOF)
		if t := strings.TrimSpace(line); buf.Len() == 0 && (t == `\q` || t == "quit" || t == "exit") {
			return nil
		}
		buf.WriteString(line)
		ready := strings.TrimSpace(buf.String()) != "" && (lang == "redis" || sqlgrader.Complete(buf.String()))
		if ready || eof && strings.TrimSpace(buf.String()) != "" {
			out, err := sh.Run(a.ctx, buf.String())
			buf.Reset()
			if out != "" {
				fmt.Fprintln(a.stdout, out)
			}
			if a.ctx.Err() != nil {
				a.code = exitInterrupted
				return nil
			}
			if err != nil {
				fmt.Fprintf(a.stderr, "error: %v\n", err)
			}
		}
		if eof {
			fmt.Fprintln(a.stderr)
			return nil
		}
	}
}
