package git

import "github.com/backendroadmap/grader/runner"

// Kinds returns every version-control kind of check, keyed by the name an
// exercise spec uses, so the command can register them all in one line and a
// new kind cannot be forgotten there.
func Kinds() runner.Kinds {
	return runner.Kinds{
		"git.head":        runner.ParamsKind[headParams](compileHead),
		"git.branch":      runner.ParamsKind[branchParams](compileBranch),
		"git.file":        runner.ParamsKind[fileParams](compileFile),
		"git.merge":       runner.ParamsKind[mergeParams](compileMerge),
		"git.ancestor":    runner.ParamsKind[ancestorParams](compileAncestor),
		"git.clean":       runner.ParamsKind[cleanParams](compileClean),
		"git.tag":         runner.ParamsKind[tagParams](compileTag),
		"git.commits":     runner.ParamsKind[commitsParams](compileCommits),
		"git.conflicts":   runner.ParamsKind[conflictsParams](compileConflicts),
		"git.in-progress": runner.ParamsKind[inProgressParams](compileInProgress),
		"git.remote":      runner.ParamsKind[remoteParams](compileRemote),
		"git.ignored":     runner.ParamsKind[ignoredParams](compileIgnored),
		"git.stash":       runner.ParamsKind[stashParams](compileStash),
		"git.tree":        runner.ParamsKind[treeParams](compileTree),
		"git.picked":      runner.ParamsKind[pickedParams](compilePicked),
		"git.reverted":    runner.ParamsKind[revertedParams](compileReverted),
	}
}
