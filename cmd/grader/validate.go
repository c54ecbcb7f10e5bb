package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"

	"github.com/spf13/cobra"

	"github.com/backendroadmap/grader/exercises"
)

// validateSchema names the JSON shape of `grader validate`.
const validateSchema = "grader.validate/v1"

// validation is one exercise's line in `grader validate`.
type validation struct {
	Exercise string `json:"exercise"`
	// Status is proven, invalid (a spec problem or a proof that failed) or
	// error (grading itself broke).
	Status   string   `json:"status"`
	Problems []string `json:"problems"`
}

func (a *app) validateCommand() *cobra.Command {
	var format string
	var jobs int
	cmd := &cobra.Command{
		Use:   "validate [ID...]",
		Short: "Prove exercises: the starter fails, the solution passes, wrong solutions fail",
		Long: `validate checks each exercise's spec, then grades its starter (which must fail
at least one check), its reference solution (which must pass every check, hidden
ones included) and each known-wrong solution (which must fail, and fail the
checks it names). With no id it validates the whole catalog.`,
		Args: args(cobra.ArbitraryArgs),
		RunE: func(_ *cobra.Command, ids []string) error {
			// Nothing outlives a batch: no warm database is kept for later.
			a.svc.throwaway = true
			if err := textOrJSON(format); err != nil {
				return err
			}
			if jobs < 1 {
				return usagef("--jobs must be at least 1")
			}
			cat, err := a.catalog()
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				ids = cat.IDs()
			}
			tmp, err := os.MkdirTemp("", "grader-validate-")
			if err != nil {
				return infraf("making a scratch folder: %v", err)
			}
			defer os.RemoveAll(tmp)

			results := make([]validation, len(ids))
			var wg sync.WaitGroup
			sem := make(chan struct{}, jobs)
			for i, id := range ids {
				wg.Go(func() {
					sem <- struct{}{}
					defer func() { <-sem }()
					results[i] = a.validateOne(cat, id, tmp)
				})
			}
			wg.Wait()

			status := "pass"
			for _, r := range results {
				switch {
				case r.Status == "error":
					status, a.code = "error", exitInfra
				case r.Status == "invalid" && status != "error":
					status, a.code = "fail", exitUsage
				}
			}
			if a.ctx.Err() != nil {
				a.code = exitInterrupted
			}
			if format == "json" {
				return writeJSON(a.stdout, struct {
					Schema    string       `json:"schema"`
					Catalog   string       `json:"catalog"`
					Status    string       `json:"status"`
					Exercises []validation `json:"exercises"`
				}{validateSchema, cat.Name, status, results})
			}
			proven := 0
			for _, r := range results {
				mark := "ok     "
				switch r.Status {
				case "proven":
					proven++
				case "invalid":
					mark = "INVALID"
				default:
					mark = "ERROR  "
				}
				fmt.Fprintf(a.stdout, "%s %s\n", mark, r.Exercise)
				for _, p := range r.Problems {
					fmt.Fprintf(a.stdout, "        %s\n", indent(p))
				}
			}
			fmt.Fprintf(a.stdout, "%d of %d exercises proven\n", proven, len(results))
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().IntVar(&jobs, "jobs", runtime.GOMAXPROCS(0), "exercises to prove at once")
	return cmd
}

func (a *app) validateOne(cat *exercises.Catalog, id, tmp string) validation {
	v := validation{Exercise: id, Problems: []string{}}
	ex, err := cat.Exercise(id)
	var se *exercises.SpecError
	switch {
	case errors.As(err, &se):
		v.Status = "invalid"
		for _, p := range se.Problems {
			v.Problems = append(v.Problems, p.String())
		}
		return v
	case err != nil:
		v.Status = "invalid"
		v.Problems = append(v.Problems, err.Error())
		return v
	}
	proof, err := exercises.Prove(a.ctx, ex, tmp)
	if err != nil {
		v.Status = "error"
		v.Problems = append(v.Problems, err.Error())
		return v
	}
	a.log.Info().Str("exercise", id).Bool("proven", proof.OK()).Msg("validated")
	v.Status = "proven"
	if !proof.OK() {
		v.Status, v.Problems = "invalid", proof.Problems
	}
	return v
}
