// Command benchtable prints `go test -bench` output as one table of
// scenarios, baselines, ratios and the project's speed targets (see package
// internal/benchtable); `make bench` pipes the benchmarks through it.
//
//	go test -run '^$' -bench . ./... | go run ./cmd/benchtable [-format json] [FILE]
//
// With -strict it exits 1 when a target is missed, so CI or a script can
// tell; without, a missed target is shown and the exit is 0 (measuring is
// not failing).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/backendroadmap/grader/internal/benchtable"
)

const module = "github.com/backendroadmap/grader"

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("benchtable", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "text (a table) or json (for tracking)")
	strict := fs.Bool("strict", false, "exit 1 when a target is missed")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "benchtable: -format must be text or json, not %q\n", *format)
		return 2
	}
	in := stdin
	if fs.NArg() > 1 {
		fmt.Fprintln(stderr, "benchtable: give at most one file of `go test -bench` output (default: standard input)")
		return 2
	}
	if fs.NArg() == 1 {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			fmt.Fprintf(stderr, "benchtable: %v\n", err)
			return 2
		}
		defer f.Close()
		in = f
	}
	t, err := benchtable.Read(in, module, benchtable.Targets)
	if err != nil {
		fmt.Fprintf(stderr, "benchtable: reading benchmark output: %v\n", err)
		return 2
	}
	if *format == "json" {
		err = t.WriteJSON(stdout)
	} else {
		err = t.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "benchtable: %v\n", err)
		return 2
	}
	if *strict && t.Missed > 0 {
		return 1
	}
	return 0
}
