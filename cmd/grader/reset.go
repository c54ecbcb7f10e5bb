package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/backendroadmap/grader/exercises"
)

func (a *app) resetCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "reset",
		Short: "Start the workspace's exercise over, keeping your work aside",
		Long: `reset puts the workspace back to the exercise's starter. Nothing is
deleted: what the folder held (its git history included) moves to a folder
beside it, DIR.before-reset-N, first. The folder itself stays, so a shell or an
editor open in it keeps working. Your progress is kept.`,
		Args: args(cobra.NoArgs),
		RunE: func(*cobra.Command, []string) error {
			ws, err := exercises.FindWorkspace(dir)
			if errors.Is(err, fs.ErrNotExist) {
				abs, _ := filepath.Abs(dir)
				return usagef("%s is not inside a grader workspace: cd into the workspace to reset, or pass it with --dir", abs)
			}
			if err != nil {
				return usage(err)
			}
			a.wsSource = ws.Source
			ex, cat, err := a.exercise(ws.Exercise)
			if err != nil {
				return err
			}
			backup, err := setAside(ws.Root)
			if err != nil {
				return infraf("moving the workspace's files aside: %v", err)
			}
			if _, err := exercises.Start(ex, cat.Name, ws.Source, ws.Root); err != nil {
				if rerr := moveEntries(backup, ws.Root); rerr == nil {
					_ = os.Remove(backup)
				}
				return infraf("%v (your files are back where they were)", err)
			}
			a.log.Info().Str("exercise", ex.ID).Str("dir", ws.Root).Str("previous", backup).Msg("workspace reset")
			fmt.Fprintf(a.stdout, "Reset %s in %s to its starter.\nYour previous work is in %s.\n", ex.ID, ws.Root, backup)
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "the workspace to reset")
	return cmd
}

// setAside moves everything in root into a new sibling folder
// root.before-reset-N and returns it. On failure what moved is moved back.
func setAside(root string) (string, error) {
	var backup string
	for n := 1; ; n++ {
		backup = fmt.Sprintf("%s.before-reset-%d", root, n)
		err := os.Mkdir(backup, 0o755)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", err
		}
	}
	if err := moveEntries(root, backup); err != nil {
		if rerr := moveEntries(backup, root); rerr == nil {
			_ = os.Remove(backup)
		}
		return "", err
	}
	return backup, nil
}

// moveEntries renames every entry of from into to (the same file system:
// siblings), so nothing is copied and nothing can be half-copied.
func moveEntries(from, to string) error {
	entries, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.Rename(filepath.Join(from, e.Name()), filepath.Join(to, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
