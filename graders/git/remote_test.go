package git

import (
	"os"
	"path/filepath"
	"testing"
)

// published is starter pushed with -u to a bare repository "server.git" next
// to the work tree, as remote origin.
func published(t *testing.T) (*testRepo, string) {
	t.Helper()
	base := t.TempDir()
	server := filepath.Join(base, "server.git")
	r := &testRepo{t: t, dir: filepath.Join(base, "work")}
	if err := os.CopyFS(r.dir, os.DirFS(starter(t).dir)); err != nil {
		t.Fatal(err)
	}
	r.git("-c", "init.defaultBranch=main", "init", "-q", "--bare", server)
	r.git("remote", "add", "origin", server)
	r.git("push", "-q", "-u", "origin", "main")
	return r, server
}

// otherClone pushes a commit to server from a second clone.
func otherClone(t *testing.T, server string) {
	t.Helper()
	o := &testRepo{t: t, dir: t.TempDir()}
	o.git("clone", "-q", server, "other")
	o.dir = filepath.Join(o.dir, "other")
	o.commit("Teammate's work", "team.txt", "x\n")
	o.git("push", "-q", "origin", "main")
}

func TestRemote(t *testing.T) {
	dir := func(t *testing.T) string { r, _ := published(t); return r.dir }
	runCases(t, "git.remote", []kindCase{
		{"configured", dir, "remote: origin", pass()},
		{"url matches", dir, "{remote: origin, url: 'server\\.git$'}", pass()},
		{"everything", dir, "{remote: origin, branch: main, synced: true, tracking: true}", pass()},
		{"no such remote", func(t *testing.T) string { return starter(t).dir }, "remote: origin",
			want{status: "fail", words: []string{"no remote named origin", "`git remote add origin <url>`"}, expected: "origin"}},
		{"url does not match", dir, "{remote: origin, url: '^https://github\\.com/'}",
			failWith("does not match", "`git remote set-url origin <url>`")},
		{"branch not pushed", func(t *testing.T) string {
			r, _ := published(t)
			r.git("switch", "-q", "-c", "feature")
			r.commit("Work", "w.txt", "w\n")
			return r.dir
		}, "{remote: origin, branch: feature}", failWith("remote origin has no branch feature", "`git push -u origin feature`")},
		{"local commits not pushed", func(t *testing.T) string {
			r, _ := published(t)
			r.commit("Local work", "l.txt", "l\n")
			return r.dir
		}, "{remote: origin, branch: main, synced: true}", failWith("main has commits that origin/main does not", "`git push origin main`")},
		{"remote commits not pulled", func(t *testing.T) string {
			r, server := published(t)
			otherClone(t, server)
			return r.dir
		}, "{remote: origin, branch: main, synced: true}", failWith("origin/main has commits that your main does not", "`git pull origin main`")},
		{"remote commits fetched, not merged", func(t *testing.T) string {
			r, server := published(t)
			otherClone(t, server)
			r.git("fetch", "-q", "origin")
			return r.dir
		}, "{remote: origin, branch: main, synced: true}", failWith("`git pull origin main`")},
		{"both moved on", func(t *testing.T) string {
			r, server := published(t)
			otherClone(t, server)
			r.commit("Local work", "l.txt", "l\n")
			return r.dir
		}, "{remote: origin, branch: main, synced: true}", failWith("have both moved on", "`git pull origin main`", "then `git push origin main`")},
		{"no upstream", func(t *testing.T) string {
			r, _ := published(t)
			r.git("branch", "--unset-upstream", "main")
			return r.dir
		}, "{remote: origin, branch: main, tracking: true}", failWith("main has no upstream", "`git push -u origin main`")},
		{"tracks another remote", func(t *testing.T) string {
			r, server := published(t)
			r.git("remote", "add", "backup", server)
			r.git("fetch", "-q", "backup")
			r.git("branch", "--set-upstream-to=backup/main", "main")
			return r.dir
		}, "{remote: origin, branch: main, tracking: true}",
			want{status: "fail", words: []string{"main tracks backup/main, not origin/main"}, expected: "origin/main", actual: "backup/main"}},
		{"relative path and file URL", func(t *testing.T) string {
			r, _ := published(t)
			r.git("remote", "set-url", "origin", "../server.git")
			r.git("remote", "add", "viafile", "file://"+filepath.Join(filepath.Dir(r.dir), "server.git"))
			return r.dir
		}, "{remote: viafile, branch: main, synced: true}", pass()},
		{"relative path", func(t *testing.T) string {
			r, _ := published(t)
			r.git("remote", "set-url", "origin", "../server.git")
			return r.dir
		}, "{remote: origin, branch: main, synced: true}", pass()},
		{"remote folder gone", func(t *testing.T) string {
			r, server := published(t)
			os.RemoveAll(server)
			return r.dir
		}, "{remote: origin, branch: main}", failWith("which is not a git repository", "`git remote set-url origin <url>`")},
		{"network remote read from remote-tracking refs", func(t *testing.T) string {
			r, _ := published(t)
			r.git("remote", "set-url", "origin", "https://example.com/learner/app.git")
			return r.dir
		}, "{remote: origin, url: 'example\\.com', branch: main, synced: true}", pass()},
		{"network remote without the branch", func(t *testing.T) string {
			r, _ := published(t)
			r.git("remote", "set-url", "origin", "git@example.com:learner/app.git")
			return r.dir
		}, "{remote: origin, branch: feature}", failWith("there is no origin/feature", "`git push -u origin feature`")},
		{"synced needs the local branch", func(t *testing.T) string {
			r, _ := published(t)
			r.git("push", "-q", "origin", "main:release")
			return r.dir
		}, "{remote: origin, branch: release, synced: true}", failWith("branch release does not exist")},
	})
}
