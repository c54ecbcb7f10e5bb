package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/backendroadmap/grader/course"
)

// maxResultsFile bounds one results file read by gradebook: a batch of a
// thousand reports is a few MB.
const maxResultsFile = 256 << 20

func (a *app) gradebookCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "gradebook RESULTS...",
		Short: "Merge `grade --format json` results into one gradebook (CSV or JSON)",
		Long: `gradebook reads the JSON results of 'grader grade' (files, or folders of
*.json files: one per machine of a sharded run, one per exercise) and writes
one row per submission with, for each exercise, its status, score and each
check's status. Ungradable submissions say so instead of counting as zero. The
rows come out the same however the grading was split; a submission graded
twice for one exercise is an error that names both files.`,
		Args: args(cobra.MinimumNArgs(1)),
		RunE: func(_ *cobra.Command, paths []string) error {
			if format != "csv" && format != "json" {
				return usagef("--format %q is not supported here; use csv or json", format)
			}
			var inputs []course.Input
			for _, p := range paths {
				files, err := resultFiles(p)
				if err != nil {
					return err
				}
				for _, f := range files {
					data, err := readCapped(f, maxResultsFile)
					if err != nil {
						return usagef("%v", err)
					}
					if len(bytes.TrimSpace(data)) == 0 {
						continue // a shard that wrote nothing (not json)
					}
					inputs = append(inputs, course.Input{Name: f, Data: data})
				}
			}
			g, err := course.BuildGradebook(inputs)
			if err != nil {
				return usage(err)
			}
			a.log.Info().Int("files", len(inputs)).Int("submissions", len(g.Rows)).Int("exercises", len(g.Exercises)).Msg("gradebook merged")
			if format == "json" {
				return g.WriteJSON(a.stdout)
			}
			return g.WriteCSV(a.stdout)
		},
	}
	cmd.Flags().StringVar(&format, "format", "csv", "output format: csv or json")
	return cmd
}

// resultFiles is p itself, or the *.json files of folder p, sorted.
func resultFiles(p string) ([]string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, usagef("%s: no such file or folder: pass the files `grader grade --format json` wrote", p)
	}
	if !st.IsDir() {
		return []string{p}, nil
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil, usagef("reading %s: %v", p, err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			out = append(out, filepath.Join(p, e.Name()))
		}
	}
	if len(out) == 0 {
		return nil, usagef("%s holds no .json files: pass the files `grader grade --format json` wrote", p)
	}
	sort.Strings(out)
	return out, nil
}

// readCapped reads a file of at most limit bytes.
func readCapped(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %v", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d MiB: not a results file", name, limit>>20)
	}
	return data, nil
}
