// Package progress keeps a learner's progress (attempts, passes, hints revealed)
// in one JSON file in the user's state folder. Writes are atomic, and a damaged
// file is set aside and reported, never allowed to break a check.
package progress

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Schema names the progress file's shape.
const Schema = "grader.progress/v1"

// ErrCorrupt is returned (wrapped) by [Store.Load] for a file that is not valid
// progress. The returned state is empty but usable.
var ErrCorrupt = errors.New("progress file is damaged")

// State is everything grader remembers about one learner.
type State struct {
	Schema    string               `json:"schema"`
	Exercises map[string]*Exercise `json:"exercises"`
}

// Exercise is the learner's record on one exercise.
type Exercise struct {
	Attempts    int       `json:"attempts"`
	Passed      bool      `json:"passed"`
	FirstPassed time.Time `json:"first_passed,omitzero"`
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	BestScore   int       `json:"best_score"`
	MaxScore    int       `json:"max_score"`
	// Hints counts, per check id, how many of its hints have been revealed.
	Hints map[string]int `json:"hints,omitempty"`
}

// Get returns the record for id, creating it.
func (s *State) Get(id string) *Exercise {
	if s.Exercises == nil {
		s.Exercises = map[string]*Exercise{}
	}
	e := s.Exercises[id]
	if e == nil {
		e = &Exercise{}
		s.Exercises[id] = e
	}
	return e
}

// HintsUsed returns the total number of hints revealed for an exercise.
func (e *Exercise) HintsUsed() int {
	n := 0
	for _, h := range e.Hints {
		n += h
	}
	return n
}

// Store reads and writes the progress file.
type Store struct {
	// Path is the progress file.
	Path string
}

// Dir returns grader's state folder: $GRADER_HOME when set, else
// $XDG_STATE_HOME/grader, else ~/.local/state/grader.
func Dir(getenv func(string) string) (string, error) {
	if d := getenv("GRADER_HOME"); d != "" {
		return d, nil
	}
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "grader"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("cannot find a folder for grader's state: set GRADER_HOME or HOME")
	}
	return filepath.Join(home, ".local", "state", "grader"), nil
}

// Open returns the store in dir.
func Open(dir string) *Store { return &Store{Path: filepath.Join(dir, "progress.json")} }

// Load reads the state. A missing file is an empty state. A damaged one gives an
// empty state and an error wrapping [ErrCorrupt]; the caller reports it and goes
// on.
func (s *Store) Load() (*State, error) {
	st := &State{Schema: Schema, Exercises: map[string]*Exercise{}}
	data, err := os.ReadFile(s.Path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	var got State
	if err := json.Unmarshal(data, &got); err != nil || got.Schema != Schema {
		if err == nil {
			err = fmt.Errorf("schema %q, want %q", got.Schema, Schema)
		}
		return st, fmt.Errorf("%w: %s: %v", ErrCorrupt, s.Path, err)
	}
	if got.Exercises == nil {
		got.Exercises = map[string]*Exercise{}
	}
	return &got, nil
}

// Update loads the state, lets f change it, and writes it back atomically. A
// damaged file is moved aside (to progress.json.damaged) so it can be inspected,
// and the update starts from an empty state; the returned error then wraps
// [ErrCorrupt] although the update was saved.
func (s *Store) Update(f func(*State)) error {
	st, loadErr := s.Load()
	if loadErr != nil && !errors.Is(loadErr, ErrCorrupt) {
		return loadErr
	}
	if loadErr != nil {
		_ = os.Rename(s.Path, s.Path+".damaged")
	}
	f(st)
	if err := s.write(st); err != nil {
		return err
	}
	return loadErr
}

// write replaces the file through a temporary file and a rename, so a crash
// leaves either the old state or the new one.
func (s *Store) write(st *State) error {
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.Path), ".progress-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.Path)
}
