package workflow

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/rhysd/actionlint"

	"github.com/backendroadmap/grader/runner"
)

// DefaultFile is the workflow a check grades when its `file` is not set.
const DefaultFile = ".github/workflows/ci.yml"

// maxWorkflowBytes bounds the workflow file read from the learner's folder.
const maxWorkflowBytes = 1 << 20

// source is the learner's workflow file, read and parsed once per attempt.
type source struct {
	file string
	src  []byte
	// missing, when set, is the learner-facing reason there is no file.
	missing string
	wf      *actionlint.Workflow
	// errs are the parser's own errors (YAML and structure).
	errs []*actionlint.Error
}

// load returns the attempt's parse of file, reading it on first use.
func load(a runner.Attempt, file string) (*source, error) {
	v, err := a.Memo.Do(memoKey{"workflow", file}, func() (any, error) { return read(a.Dir, file) })
	if err != nil {
		return nil, err
	}
	return v.(*source), nil
}

type memoKey struct{ kind, key string }

func read(dir, file string) (*source, error) {
	s := &source{file: file}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open the workspace: %w", err)
	}
	defer root.Close()
	st, err := root.Stat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		s.missing = "there is no " + file + othersNote(root, file)
		return s, nil
	case err != nil:
		s.missing = fmt.Sprintf("%s cannot be read: %v", file, err)
		return s, nil
	case st.IsDir():
		s.missing = file + " is a folder, not a workflow file"
		return s, nil
	case st.Size() > maxWorkflowBytes:
		s.missing = fmt.Sprintf("%s is %d bytes: a workflow that long is not graded (the limit is %d)", file, st.Size(), maxWorkflowBytes)
		return s, nil
	}
	s.src, err = root.ReadFile(file)
	if err != nil {
		s.missing = fmt.Sprintf("%s cannot be read: %v", file, err)
		return s, nil
	}
	s.wf, s.errs = actionlint.Parse(s.src)
	return s, nil
}

// othersNote names the workflows found elsewhere in .github/workflows, so a
// learner who named the file differently knows which one is graded.
func othersNote(root *os.Root, file string) string {
	dir := path.Dir(file)
	f, err := root.Open(dir)
	if err != nil {
		return ""
	}
	defer f.Close()
	entries, err := f.ReadDir(100)
	if err != nil && len(entries) == 0 {
		return ""
	}
	var others []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && (strings.HasSuffix(n, ".yml") || strings.HasSuffix(n, ".yaml")) {
			others = append(others, path.Join(dir, n))
		}
	}
	if len(others) == 0 {
		return ""
	}
	slices.Sort(others)
	return fmt.Sprintf(" (found %s: GitHub runs any workflow in %s, but this exercise grades %s; rename yours)", strings.Join(others, ", "), dir, file)
}

// usable returns the parsed workflow, or the learner-facing reason the
// checks cannot read one.
func (s *source) usable() (*actionlint.Workflow, string) {
	if s.missing != "" {
		return nil, s.missing
	}
	if len(s.errs) > 0 || s.wf == nil {
		msg := s.file + " is not a valid workflow"
		if len(s.errs) > 0 {
			e := s.errs[0]
			msg += fmt.Sprintf(": %s:%d:%d: %s", s.file, e.Line, e.Column, e.Message)
		}
		return nil, msg
	}
	return s.wf, ""
}

// at formats a position as file:line for a message.
func (s *source) at(p *actionlint.Pos) string {
	if p == nil {
		return s.file
	}
	return fmt.Sprintf("%s:%d", s.file, p.Line)
}

// jobByID finds a job by id, ignoring case as GitHub does.
func jobByID(wf *actionlint.Workflow, id string) *actionlint.Job {
	return wf.Jobs[strings.ToLower(id)]
}

// jobIDs lists the workflow's job ids as written, sorted.
func jobIDs(wf *actionlint.Workflow) []string {
	var ids []string
	for _, j := range wf.Jobs {
		if j.ID != nil {
			ids = append(ids, j.ID.Value)
		}
	}
	slices.Sort(ids)
	return ids
}

// str is a possibly nil *actionlint.String's value.
func str(s *actionlint.String) string {
	if s == nil {
		return ""
	}
	return s.Value
}
