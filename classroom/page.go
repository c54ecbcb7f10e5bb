package classroom

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"sync"

	"github.com/backendroadmap/grader/runner"
)

//go:embed page.html
var pageFS embed.FS

// pageTmpl is parsed when the page is first served, not at package init:
// every `grader check` links this package, and parsing html/template there
// cost each one 1.4–12 ms of start-up (GODEBUG=inittrace=1).
var pageTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.ParseFS(pageFS, "page.html"))
})

// Page is what the class page shows, computed from each learner's latest
// graded submission of each exercise.
type Page struct {
	Phases   []runner.Phase
	Roadmap  []SkillRow
	Learners []LearnerRow
	// Exercises counts the catalog's exercises, the scale of progress.
	Exercises int
}

// SkillRow is one skill of the roadmap: its exercises by phase.
type SkillRow struct {
	Skill  runner.Skill
	Phases [][]ExerciseStat // in [runner.Phases] order
}

// ExerciseStat is how the class does on one exercise.
type ExerciseStat struct {
	ID, Title string
	// Attempted counts learners with a graded submission; Passed those
	// whose latest one passed.
	Attempted, Passed int
}

// Rate is the pass rate in percent, or "–" when nobody was graded.
func (e ExerciseStat) Rate() string {
	if e.Attempted == 0 {
		return "–"
	}
	return fmt.Sprintf("%d%%", e.Passed*100/e.Attempted)
}

// LearnerRow is one learner's progress along the roadmap.
type LearnerRow struct {
	Name              string
	Passed, Attempted int
	// Skills is passed of total per skill, in roadmap order.
	Skills []SkillProgress
	// Percent is Passed of all the catalog's exercises.
	Percent int
}

// SkillProgress is a learner's passed exercises of a skill's.
type SkillProgress struct {
	Skill         runner.Skill
	Passed, Total int
}

// BuildPage computes the class page from the database.
func (s *Service) BuildPage(ctx context.Context) (*Page, error) {
	reps, err := s.st.latest(ctx)
	if err != nil {
		return nil, err
	}
	return buildPage(s.opts.Exercises, reps), nil
}

// buildPage computes the page from the exercises, in roadmap order, and
// each learner's latest report per exercise (Submission is the learner).
func buildPage(exs []Exercise, reps []*runner.Report) *Page {
	p := &Page{Phases: runner.Phases, Exercises: len(exs)}
	stats := map[string]*ExerciseStat{}
	skillOf := map[string]runner.Skill{}
	perSkill := map[runner.Skill]int{}
	for _, e := range exs {
		stats[e.ID] = &ExerciseStat{ID: e.ID, Title: e.Title}
		skillOf[e.ID] = e.Skill
		perSkill[e.Skill]++
	}
	learners := map[string]*LearnerRow{}
	passedBySkill := map[string]map[runner.Skill]int{}
	for _, r := range reps {
		st := stats[r.Exercise.ID]
		if st == nil {
			continue // an exercise no longer in the catalog
		}
		l := learners[r.Submission]
		if l == nil {
			l = &LearnerRow{Name: r.Submission}
			learners[r.Submission] = l
			passedBySkill[r.Submission] = map[runner.Skill]int{}
		}
		st.Attempted++
		l.Attempted++
		if r.Status == runner.Pass {
			st.Passed++
			l.Passed++
			passedBySkill[r.Submission][skillOf[r.Exercise.ID]]++
		}
	}
	for _, sk := range runner.Skills {
		row := SkillRow{Skill: sk, Phases: make([][]ExerciseStat, len(runner.Phases))}
		for i, ph := range runner.Phases {
			for _, e := range exs {
				if e.Skill == sk && e.Phase == ph {
					row.Phases[i] = append(row.Phases[i], *stats[e.ID])
				}
			}
		}
		p.Roadmap = append(p.Roadmap, row)
	}
	for _, l := range learners {
		for _, sk := range runner.Skills {
			if perSkill[sk] > 0 {
				l.Skills = append(l.Skills, SkillProgress{Skill: sk, Passed: passedBySkill[l.Name][sk], Total: perSkill[sk]})
			}
		}
		if len(exs) > 0 {
			l.Percent = l.Passed * 100 / len(exs)
		}
		p.Learners = append(p.Learners, *l)
	}
	sort.Slice(p.Learners, func(i, j int) bool { return p.Learners[i].Name < p.Learners[j].Name })
	return p
}

func (s *Service) handlePage(w http.ResponseWriter, r *http.Request) {
	p, err := s.BuildPage(r.Context())
	if err != nil {
		http.Error(w, "the class page cannot be built now: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	if err := pageTmpl().Execute(w, p); err != nil {
		s.opts.Log.Error("render the class page", "error", err)
	}
}
