package git

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// ignoreRules is a repository's ignore rules, with git's rule that nothing
// under an ignored folder can be re-included.
type ignoreRules struct{ m gitignore.Matcher }

// ignored reports whether the slash path p is ignored. isDir matters for
// patterns that end in a slash (build/ ignores the folder, not a file "build").
func (ig ignoreRules) ignored(p string, isDir bool) bool {
	parts := strings.Split(p, "/")
	for i := 1; i < len(parts); i++ {
		if ig.m.Match(parts[:i], true) {
			return true
		}
	}
	return ig.m.Match(parts, isDir)
}

// repoIgnoreRules reads the repository's own rules: .gitignore files at any
// depth and .git/info/exclude. These decide git.ignored, which asks whether the
// repository ignores a path, whatever the learner's machine says.
func (r *repo) repoIgnoreRules() ignoreRules {
	return ignoreRules{gitignore.NewMatcher(r.repoIgnorePatterns())}
}

// repoIgnorePatterns returns the repository's own patterns, lowest priority
// first.
func (r *repo) repoIgnorePatterns() []gitignore.Pattern {
	// BoundOS: a .gitignore reached through a link must not pull in files from
	// outside the work tree.
	ps, _ := gitignore.ReadPatterns(osfs.New(r.dir, osfs.WithBoundOS()), nil)
	// ReadPatterns looks for .git/info/exclude under the work tree, which misses
	// it in a linked work tree.
	if r.commonDir() != filepath.Join(r.dir, ".git") {
		ps = append(readPatternFile(filepath.Join(r.commonDir(), "info", "exclude")), ps...)
	}
	return ps
}

// statusIgnoreRules adds the learner's own excludes file (core.excludesFile,
// by default ~/.config/git/ignore) to the repository's rules. git status hides
// what it ignores, so git.clean must too, or a learner whose editor leaves
// ignored droppings would fail a check git says is clean.
func (r *repo) statusIgnoreRules() ignoreRules {
	var ps []gitignore.Pattern
	file := ""
	if cfg, err := r.git.Config(); err == nil {
		file = cfg.Raw.Section("core").Option("excludesfile")
	}
	if file == "" {
		if cfg, err := config.LoadConfig(config.GlobalScope); err == nil {
			file = cfg.Raw.Section("core").Option("excludesfile")
		}
	}
	if file == "" {
		if xdg := os.Getenv("XDG_CONFIG_HOME"); xdg != "" {
			file = filepath.Join(xdg, "git", "ignore")
		} else if home, err := os.UserHomeDir(); err == nil {
			file = filepath.Join(home, ".config", "git", "ignore")
		}
	}
	if rest, ok := strings.CutPrefix(file, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			file = filepath.Join(home, rest)
		}
	}
	// The learner's own file may well be a link into a dotfiles folder.
	if real, err := filepath.EvalSymlinks(file); file != "" && err == nil {
		ps = readPatternFile(real)
	}
	// The global file has the lowest priority: a repository's !pattern wins.
	return ignoreRules{gitignore.NewMatcher(append(ps, r.repoIgnorePatterns()...))}
}

// readPatternFile reads an ignore file whose patterns apply from the top of the
// work tree. A missing file has no patterns.
func readPatternFile(name string) []gitignore.Pattern {
	b, err := readSmallFile(name)
	if err != nil {
		return nil
	}
	var ps []gitignore.Pattern
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(line, nil))
	}
	return ps
}
