package progress

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestUpdateRoundTrip(t *testing.T) {
	s := Open(t.TempDir())
	if err := s.Update(func(st *State) {
		e := st.Get("git-branching")
		e.Attempts++
		e.Hints = map[string]int{"merge-commit": 2}
	}); err != nil {
		t.Fatal(err)
	}
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := st.Exercises["git-branching"]
	if e == nil || e.Attempts != 1 || e.HintsUsed() != 2 {
		t.Fatalf("progress not kept across a reload: %+v", e)
	}
}

func TestDamagedFileIsReportedAndSetAside(t *testing.T) {
	dir := t.TempDir()
	s := Open(dir)
	if err := os.WriteFile(s.Path, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Load of a damaged file: got %v, want ErrCorrupt", err)
	}
	err := s.Update(func(st *State) { st.Get("x").Attempts = 1 })
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Update must still report the damage, got %v", err)
	}
	if _, err := os.Stat(s.Path + ".damaged"); err != nil {
		t.Fatalf("damaged file was not kept for inspection: %v", err)
	}
	st, err := s.Load()
	if err != nil || st.Exercises["x"].Attempts != 1 {
		t.Fatalf("update after damage not saved: %v %+v", err, st)
	}
}

func TestNoTempFilesLeftBehind(t *testing.T) {
	dir := t.TempDir()
	s := Open(dir)
	for range 3 {
		if err := s.Update(func(st *State) { st.Get("x").Attempts++ }); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != filepath.Base(s.Path) {
		t.Fatalf("state folder holds %v, want only progress.json", entries)
	}
}

func TestDir(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"GRADER_HOME": "/g", "XDG_STATE_HOME": "/x", "HOME": "/h"}, "/g"},
		{map[string]string{"XDG_STATE_HOME": "/x", "HOME": "/h"}, "/x/grader"},
		{map[string]string{"HOME": "/h"}, "/h/.local/state/grader"},
	}
	for _, tt := range tests {
		if got, err := Dir(env(tt.env)); err != nil || got != tt.want {
			t.Errorf("Dir(%v) = %q, %v; want %q", tt.env, got, err, tt.want)
		}
	}
	if _, err := Dir(env(nil)); err == nil {
		t.Error("Dir with no HOME must say what to set")
	}
}
