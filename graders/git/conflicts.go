package git

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/backendroadmap/grader/runner"
)

type conflictsParams struct {
	Paths []string `yaml:"paths"`
}

// compileConflicts builds git.conflicts: no tracked file still holds conflict
// markers and git no longer marks any file as conflicted. Learners often commit
// a "resolved" file with the markers still in it; git itself does not stop them.
//
// paths narrows the check to files matching any of the globs (path.Match
// syntax); a glob also matches everything under a folder it matches.
func compileConflicts(_ runner.Params, prm *conflictsParams) (runner.Checker, error) {
	for i, g := range prm.Paths {
		if _, err := path.Match(g, ""); err != nil || strings.TrimSpace(g) == "" {
			return nil, paramErr("paths", "entry %d, %q, is not a valid glob", i+1, g)
		}
	}
	return check(func(ctx context.Context, r *repo) (runner.Outcome, error) {
		idx, err := r.git.Storer.Index()
		if err != nil {
			return runner.Outcome{}, fmt.Errorf("reading the index: %w", err)
		}
		var unmerged []string
		seen := map[string]bool{}
		var files []string
		for _, e := range idx.Entries {
			if isGraderPath(e.Name) || !globsMatch(prm.Paths, e.Name) {
				continue
			}
			if e.Stage != stageMerged && !seen[e.Name+"\x00u"] {
				seen[e.Name+"\x00u"] = true
				unmerged = append(unmerged, e.Name)
			}
			if !seen[e.Name] {
				seen[e.Name] = true
				files = append(files, e.Name)
			}
		}
		root, err := os.OpenRoot(r.dir)
		if err != nil {
			return runner.Outcome{}, err
		}
		defer root.Close()
		var marks []string
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return runner.Outcome{}, err
			}
			lines, err := markerLines(root, f)
			if err != nil {
				return runner.Outcome{}, err
			}
			for _, n := range lines {
				marks = append(marks, fmt.Sprintf("%s:%d", f, n))
			}
		}
		switch {
		case len(marks) > 0:
			return runner.Outcome{}, failed("no conflict markers", listSome(marks, 20),
				"conflict markers are still in the files: %s. Edit each file to keep the lines you want and delete the <<<<<<<, ======= and >>>>>>> lines, then `git add` it",
				listSome(marks, 8))
		case len(unmerged) > 0:
			sort.Strings(unmerged)
			return runner.Outcome{}, failed("no conflicted files", listSome(unmerged, 20),
				"git still marks %s as conflicted: once the file is as you want it, run `git add %s`, then finish with `git commit` (or `git merge --continue`, `git rebase --continue`)",
				listSome(unmerged, 5), unmerged[0])
		}
		return runner.Passed("no conflicts"), nil
	}), nil
}

// globsMatch reports whether p matches any glob, or the glob matches one of p's
// folders. No globs match everything.
func globsMatch(globs []string, p string) bool {
	if len(globs) == 0 {
		return true
	}
	for _, g := range globs {
		g = strings.TrimSuffix(g, "/")
		for q := p; q != "." && q != "/" && q != ""; q = path.Dir(q) {
			if ok, _ := path.Match(g, q); ok {
				return true
			}
		}
	}
	return false
}

// markerLines returns the line numbers of conflict markers in a work-tree file.
// Missing files, folders, links and binary files have none.
func markerLines(root *os.Root, name string) ([]int, error) {
	fi, err := root.Lstat(name)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxFileSize {
		return nil, nil
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	br := bufio.NewReader(f)
	if head, _ := br.Peek(8000); bytes.IndexByte(head, 0) >= 0 {
		return nil, nil
	}
	var out []int
	for n := 1; ; n++ {
		line, err := br.ReadString('\n')
		if isMarker(strings.TrimRight(line, "\r\n")) {
			out = append(out, n)
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
	}
}

// isMarker reports a line git writes around a conflict. The ======= line must
// be exact; the others carry a label (HEAD, a branch) after a space.
func isMarker(line string) bool {
	switch {
	case line == "=======":
		return true
	case strings.HasPrefix(line, "<<<<<<<"), strings.HasPrefix(line, ">>>>>>>"), strings.HasPrefix(line, "|||||||"):
		rest := line[7:]
		return rest == "" || rest[0] == ' '
	}
	return false
}
