package git

import "github.com/backendroadmap/grader/runner"

// Kinds returns every version-control kind of check, keyed by the name an
// exercise spec uses, so the command can register them all in one line and a
// new kind cannot be forgotten there.
func Kinds() runner.Kinds {
	return runner.Kinds{
		"git.head":        runner.KindFunc(compileHead),
		"git.branch":      runner.KindFunc(compileBranch),
		"git.file":        runner.KindFunc(compileFile),
		"git.merge":       runner.KindFunc(compileMerge),
		"git.ancestor":    runner.KindFunc(compileAncestor),
		"git.clean":       runner.KindFunc(compileClean),
		"git.tag":         runner.KindFunc(compileTag),
		"git.commits":     runner.KindFunc(compileCommits),
		"git.conflicts":   runner.KindFunc(compileConflicts),
		"git.in-progress": runner.KindFunc(compileInProgress),
		"git.remote":      runner.KindFunc(compileRemote),
		"git.ignored":     runner.KindFunc(compileIgnored),
		"git.stash":       runner.KindFunc(compileStash),
		"git.tree":        runner.KindFunc(compileTree),
		"git.picked":      runner.KindFunc(compilePicked),
		"git.reverted":    runner.KindFunc(compileReverted),
	}
}
