package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/spf13/cobra"

	"github.com/backendroadmap/grader/exercises"
	"github.com/backendroadmap/grader/report"
)

func (a *app) watchCommand() *cobra.Command {
	var dir, format string
	var debounce time.Duration
	var untilPass bool
	cmd := &cobra.Command{
		Use:   "watch [ID] [--dir DIR]",
		Short: "Check again on every save or commit",
		Long: `watch grades the workspace, then again each time a file is saved or git
records something (a commit, a branch, a merge), after changes settle for the
debounce time. Stop it with Ctrl-C, or let --until-pass stop it once every
check passes.`,
		Args: args(cobra.MaximumNArgs(1)),
		RunE: func(_ *cobra.Command, args []string) error {
			f, err := report.ParseFormat(format)
			if err != nil {
				return usage(err)
			}
			if debounce < 0 {
				return usagef("--debounce must not be negative")
			}
			ex, cat, root, err := a.attempt(args, dir)
			if err != nil {
				return err
			}
			w, err := fsnotify.NewWatcher()
			if err != nil {
				return infraf("watching files: %v", err)
			}
			defer w.Close()
			if err := watchTree(w, root); err != nil {
				return err
			}
			check := func(reason string) bool {
				if reason != "" {
					a.log.Info().Str("change", reason).Msg("checking again")
					fmt.Fprintf(a.stderr, "\n--- %s changed; checking again\n", reason)
				}
				rep := a.gradeLearner(ex, cat, root, true)
				if err := a.writeReports(f, rep); err != nil {
					a.log.Error().Err(err).Msg("writing the report")
				}
				a.code = reportCode(rep)
				return rep.Status == "pass"
			}
			if check("") && untilPass {
				return nil
			}
			fmt.Fprintln(a.stderr, "Watching for changes; Ctrl-C to stop.")
			var timer <-chan time.Time
			changed := ""
			for {
				select {
				case <-a.ctx.Done():
					a.code = exitInterrupted
					return nil
				case ev, ok := <-w.Events:
					if !ok {
						return nil
					}
					rel, _ := filepath.Rel(root, ev.Name)
					if ignoredChange(rel) {
						continue
					}
					if ev.Has(fsnotify.Create) {
						_ = watchTree(w, ev.Name) // new folders need watches of their own
					}
					changed = rel
					timer = time.After(debounce)
				case err, ok := <-w.Errors:
					if !ok {
						return nil
					}
					a.log.Warn().Err(err).Msg("file watcher")
				case <-timer:
					timer = nil
					if check(changed) && untilPass {
						return nil
					}
				}
			}
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "the workspace to watch")
	cmd.Flags().StringVar(&format, "format", "text", formatUsage())
	cmd.Flags().DurationVar(&debounce, "debounce", 200*time.Millisecond, "wait this long after the last change before checking")
	cmd.Flags().BoolVar(&untilPass, "until-pass", false, "stop once every check passes")
	return cmd
}

// ignoredChange says whether a change cannot affect a verdict: git's object
// store (a commit also moves a ref, which is watched), lock files, and grader's
// own folder.
func ignoredChange(rel string) bool {
	rel = filepath.ToSlash(rel)
	return strings.HasPrefix(rel, ".git/objects") || strings.HasSuffix(rel, ".lock") ||
		rel == exercises.MetaDir || strings.HasPrefix(rel, exercises.MetaDir+"/")
}

// watchTree adds a watch on dir and every folder below it (fsnotify is not
// recursive), skipping git's object store. Running out of the OS's watch limit is
// reported with what to do about it.
func watchTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if d.Name() == "objects" && filepath.Base(filepath.Dir(p)) == ".git" || d.Name() == exercises.MetaDir {
			return filepath.SkipDir
		}
		if err := w.Add(p); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return infraf("the OS limit on watched folders was reached at %s: raise fs.inotify.max_user_watches (sysctl) or watch a smaller folder", p)
			}
			return infraf("watching %s: %v", p, err)
		}
		return nil
	})
}
