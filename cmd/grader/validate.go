package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/fault"
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
	// Runs are the graded runs behind the verdict (starter, solution, each
	// wrong solution), so an author sees which checks each one failed or
	// skipped, not only that the proof held.
	Runs []validationRun `json:"runs,omitempty"`
}

// validationRun is one graded run of a proof.
type validationRun struct {
	Role   string           `json:"role"`
	Status string           `json:"status"`
	Checks []validationItem `json:"checks"`
}

// validationItem is one check's status in a run.
type validationItem struct {
	ID     string `json:"id"`
	Status string `json:"status"`
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
			if err := a.handOff(readable(cat, ids)...); err != nil {
				return err
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
			// The ones that were not, again at the end: a CI log is often read
			// from its tail, and the problems above may be pages away.
			var unproven []string
			for _, r := range results {
				if r.Status != "proven" {
					unproven = append(unproven, r.Exercise)
				}
			}
			if len(unproven) > 0 {
				fmt.Fprintf(a.stdout, "not proven: %s\n", strings.Join(unproven, ", "))
				for _, r := range results {
					if r.Status != "proven" && len(r.Problems) > 0 {
						fmt.Fprintf(a.stdout, "  %s: %s\n", r.Exercise, firstLine(r.Problems[0], 300))
					}
				}
			}
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
		v.Problems = append(v.Problems, fault.Line(err))
		return v
	}
	proof, err := exercises.Prove(a.ctx, ex, tmp)
	if err != nil {
		v.Status = "error"
		v.Problems = append(v.Problems, fault.Line(err))
		return v
	}
	a.log.Info().Str("exercise", id).Bool("proven", proof.OK()).Msg("validated")
	roles := make([]string, 0, len(proof.Reports))
	for role := range proof.Reports {
		roles = append(roles, role)
	}
	slices.Sort(roles)
	for _, role := range roles {
		rep := proof.Reports[role]
		run := validationRun{Role: role, Status: string(rep.Status), Checks: []validationItem{}}
		for _, c := range rep.Checks {
			run.Checks = append(run.Checks, validationItem{ID: c.ID, Status: string(c.Status)})
		}
		v.Runs = append(v.Runs, run)
	}
	v.Status = "proven"
	if !proof.OK() {
		v.Status, v.Problems = "invalid", proof.Problems
	}
	return v
}

// firstLine is s's first line, cut to at most n bytes (on a rune boundary).
func firstLine(s string, n int) string {
	s, _, cut := strings.Cut(s, "\n")
	if len(s) > n {
		s, cut = strings.ToValidUTF8(s[:n], ""), true
	}
	if cut {
		s += " …"
	}
	return s
}
