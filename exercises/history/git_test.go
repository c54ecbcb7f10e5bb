package history

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// NeedGit skips a test that needs the git CLI on a machine without it, and
// fails it in CI, where git must be installed.
func NeedGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("git is not installed, and CI must run this test")
		}
		t.Skip("git is not installed")
	}
}

// Git runs the git CLI in dir as a learner would, without the machine's git
// configuration, and returns its output. extraEnv adds variables.
func Git(t *testing.T, dir string, extraEnv []string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "git", args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_TERMINAL_PROMPT=0", "GIT_MERGE_AUTOEDIT=no", "LC_ALL=C",
		"GIT_AUTHOR_NAME=Learner", "GIT_AUTHOR_EMAIL=learner@example.com",
		"GIT_COMMITTER_NAME=Learner", "GIT_COMMITTER_EMAIL=learner@example.com",
	)
	cmd.Env = append(cmd.Env, extraEnv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestBuiltRepositoryWorksWithGit(t *testing.T) {
	t.Parallel()
	NeedGit(t)
	dir := t.TempDir()
	MustPlay(t, dir, append(golden,
		Step{Remote: "origin"},
		Step{Branch: "topic"},
		Step{Commit: "Topic work", Files: map[string]string{"topic.txt": "t\n"}},
		Step{Push: "topic"},
		Step{Switch: "main"},
		Step{Commit: "Unpushed", Files: map[string]string{"later.txt": "l\n"}},
	)...)
	// grader's own files live in .grader/ beside the remote's repository.
	if err := os.WriteFile(filepath.Join(dir, ".grader", "workspace.json"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	if out := Git(t, dir, nil, "status", "--porcelain", "--untracked-files=all"); out != "" {
		t.Errorf("git status --porcelain:\n%s\nwant nothing: .grader/ is excluded and the working tree matches HEAD", out)
	}
	if out := Git(t, dir, nil, "fsck", "--strict", "--no-progress", "--no-dangling"); out != "" {
		t.Errorf("git fsck --strict:\n%s", out)
	}
	Git(t, filepath.Join(dir, ".grader", "origin.git"), nil, "fsck", "--strict", "--no-progress", "--no-dangling")

	log := Git(t, dir, nil, "log", "--oneline", "--all")
	for _, msg := range []string{"Initial commit", "Merge branch 'feature'", "Redone", "Topic work", "Unpushed"} {
		if !strings.Contains(log, msg) {
			t.Errorf("git log --oneline --all lacks %q:\n%s", msg, log)
		}
	}
	branches := Git(t, dir, nil, "branch", "-vv")
	for _, want := range []string{"[origin/feature]", "[origin/main: ahead 1]", "[origin/topic]"} {
		if !strings.Contains(branches, want) {
			t.Errorf("git branch -vv lacks %q:\n%s", want, branches)
		}
	}
	if got := Git(t, filepath.Join(dir, ".grader", "origin.git"), nil, "symbolic-ref", "HEAD"); got != "refs/heads/main\n" {
		t.Errorf("the remote's HEAD is %q, want refs/heads/main", got)
	}

	// A learner pushes and fetches with git, from a subfolder too.
	sub := filepath.Join(dir, "bin")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "mine.txt"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	Git(t, sub, nil, "add", "mine.txt")
	Git(t, sub, nil, "commit", "-q", "-m", "Learner's commit")
	Git(t, sub, nil, "push", "-q")
	Git(t, sub, nil, "fetch", "-q")
	head := Git(t, dir, nil, "rev-parse", "HEAD")
	if got := Git(t, dir, nil, "rev-parse", "origin/main"); got != head {
		t.Errorf("origin/main = %s after git push, want HEAD %s", got, head)
	}
	if got := Git(t, filepath.Join(dir, ".grader", "origin.git"), nil, "rev-parse", "main"); got != head {
		t.Errorf("the remote's main = %s after git push, want %s", got, head)
	}
	clone := filepath.Join(t.TempDir(), "clone")
	Git(t, dir, nil, "clone", "-q", ".grader/origin.git", clone)
	if got := Git(t, clone, nil, "rev-parse", "HEAD"); got != head {
		t.Errorf("a clone of the remote checks out %s, want %s", got, head)
	}

	// A solution replayed after the learner used git works on git's index.
	MustPlay(t, dir, Step{Write: map[string]string{"README.md": "edited\n"}}, Step{Commit: "Replayed", Delete: []string{"bin/mine.txt"}}, Step{Push: "main"})
	if out := Git(t, dir, nil, "status", "--porcelain", "--untracked-files=all"); out != "" {
		t.Errorf("git status --porcelain after a replay:\n%s", out)
	}
	Git(t, dir, nil, "fsck", "--strict", "--no-progress", "--no-dangling")
	if got := Git(t, dir, nil, "status", "-sb"); !strings.HasPrefix(got, "## main...origin/main\n") {
		t.Errorf("git status -sb = %q, want main up to date with origin/main", got)
	}
}

func TestPushRefusesToDropRemoteCommits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	MustPlay(t, dir,
		first,
		Step{Commit: "Second", Files: map[string]string{"b.txt": "b\n"}},
		Step{Remote: "origin", Branches: []string{"main"}},
		Step{Reset: "HEAD~1"},
		Step{Commit: "Diverged", Files: map[string]string{"c.txt": "c\n"}},
	)
	MustFail(t, dir, "step 1 (push main): origin's main has commits that the local main lacks", Step{Push: "main"})
	MustFail(t, dir, "there is no remote upstream", Step{Push: "main", To: "upstream"})
	MustFail(t, dir, "remote origin already exists", Step{Remote: "origin"})
	MustFail(t, dir, "there is no branch nope", Step{Remote: "other", Branches: []string{"nope"}})
}

func TestRemoteAtCustomPath(t *testing.T) {
	t.Parallel()
	NeedGit(t)
	dir := t.TempDir()
	MustPlay(t, dir, first, Step{Remote: "upstream", Path: "remotes/upstream.git"}, Step{Commit: "More", Files: map[string]string{"m.txt": "m\n"}}, Step{Push: "main", To: "upstream"})
	if out := Git(t, dir, nil, "status", "--porcelain", "--untracked-files=all"); out != "" {
		t.Errorf("git status --porcelain:\n%s\nwant the remote's folder excluded", out)
	}
	if got, want := Git(t, dir, nil, "rev-parse", "upstream/main"), Git(t, dir, nil, "rev-parse", "HEAD"); got != want {
		t.Errorf("upstream/main = %s, want %s", got, want)
	}
	Git(t, dir, nil, "fetch", "-q", "upstream")
	if _, ok := TreeOf(t, dir, "HEAD")["remotes/upstream.git/HEAD"]; ok {
		t.Error("the remote's repository was committed")
	}
}

// TestHashesMatchGit builds the same history with the git CLI and with Play:
// the hashes must agree, or learners would see objects git does not make.
func TestHashesMatchGit(t *testing.T) {
	t.Parallel()
	NeedGit(t)
	files := map[string]string{
		"README.md": "# Notes\n", "a-b": "dash\n", "a.txt": "dot\n", "a/b/c.txt": "deep\n",
		"bin/run.sh": "#!/bin/sh\n", "empty": "",
	}
	steps := []Step{
		{Commit: "Initial commit", Files: files, Executable: []string{"bin/run.sh"}},
		{Branch: "feature"},
		{Commit: "Feature\n\nWith a body.", Files: map[string]string{"a/b/c.txt": "deeper\n", "f.txt": "f\n"}},
		{Switch: "main"},
		{Commit: "Main", Delete: []string{"a.txt"}},
		{Merge: "feature"},
		{Tag: "v1", Message: "First release"},
		{Branch: "develop"},
		{Commit: "Dev", Files: map[string]string{"dev.txt": "d\n"}},
		{Switch: "main"},
		{Commit: "Main again", Files: map[string]string{"README.md": "# Notes!\n"}},
		{Switch: "develop"},
		{Merge: "main"},
	}
	played := t.TempDir()
	MustPlay(t, played, steps...)

	dir := t.TempDir()
	minute := 0
	git := func(args ...string) {
		t.Helper()
		date := epoch.Add(time.Duration(minute) * time.Minute).Format(time.RFC3339)
		Git(t, dir, []string{
			"GIT_AUTHOR_NAME=Ada Lovelace", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_AUTHOR_DATE=" + date,
			"GIT_COMMITTER_NAME=Ada Lovelace", "GIT_COMMITTER_EMAIL=ada@example.com", "GIT_COMMITTER_DATE=" + date,
		}, args...)
	}
	write := func(name, content string, perm os.FileMode) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), perm); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q", "-b", "main")
	for name, content := range files {
		write(name, content, 0o644)
	}
	if err := os.Chmod(filepath.Join(dir, "bin", "run.sh"), 0o755); err != nil {
		t.Fatal(err)
	}
	git("add", "-A")
	git("commit", "-q", "-m", "Initial commit")
	minute++
	git("switch", "-q", "-c", "feature")
	write("a/b/c.txt", "deeper\n", 0o644)
	write("f.txt", "f\n", 0o644)
	git("add", "-A")
	git("commit", "-q", "-m", "Feature\n\nWith a body.")
	minute++
	git("switch", "-q", "main")
	git("rm", "-q", "a.txt")
	git("commit", "-q", "-m", "Main")
	minute++
	git("merge", "-q", "--no-ff", "feature")
	minute++
	git("tag", "-a", "v1", "-m", "First release")
	minute++
	git("switch", "-q", "-c", "develop")
	write("dev.txt", "d\n", 0o644)
	git("add", "-A")
	git("commit", "-q", "-m", "Dev")
	minute++
	git("switch", "-q", "main")
	write("README.md", "# Notes!\n", 0o644)
	git("commit", "-q", "-a", "-m", "Main again")
	minute++
	git("switch", "-q", "develop")
	git("merge", "-q", "main")

	for _, ref := range []string{"main", "feature", "develop", "v1"} {
		want := Git(t, dir, nil, "rev-parse", ref)
		if got := Git(t, played, nil, "rev-parse", ref); got != want {
			t.Errorf("%s: Play made %s, git made %s", ref, strings.TrimSpace(got), strings.TrimSpace(want))
			t.Log(Git(t, played, nil, "cat-file", "-p", ref))
			t.Log(Git(t, dir, nil, "cat-file", "-p", ref))
		}
	}
}
