package history

// Step is one thing done to a repository. Exactly one action field (Commit,
// Branch, Switch, Merge, Tag, Reset, Write, Remote, Push) is set; the other fields
// modify it, and [Step.Validate] rejects a modifier its action does not take.
// YAML tags are the exercise format's field names.
//
// Steps behave like the git commands a learner would type, so a reference
// solution written as steps replays the way the learner's work happened.
// Uncommitted changes (from Write) behave as in git: Commit commits them,
// Switch, Branch and Merge carry them along unless a path they change has
// one (then the step fails, as git refuses), and a hard Reset discards them.
type Step struct {
	// Commit records a commit on the current branch with this message, like
	// `git add -A && git commit -m`: Delete and then Files change the working
	// tree, and everything in it is committed, including changes left by
	// earlier Write steps and files that were in the folder before the first
	// step; ignored files are not, unless named in Files. A commit that changes
	// nothing is an error. The message is tidied as git does (trailing spaces
	// and blank lines dropped, a final newline added).
	Commit string `yaml:"commit,omitempty" json:"commit,omitempty"`
	// Branch creates a branch at At (default HEAD) and switches to it, unless
	// Stay is set.
	Branch string `yaml:"branch,omitempty" json:"branch,omitempty"`
	// Switch checks out an existing local branch, updating the index and
	// working tree like `git switch`.
	Switch string `yaml:"switch,omitempty" json:"switch,omitempty"`
	// Merge merges a revision into the current branch with a merge commit
	// whose parents are HEAD and the revision, like `git merge --no-ff`. The
	// message is Message, or git's default ("Merge branch 'x'", with " into y"
	// off main and master). FF fast-forwards instead when possible. Paths are
	// merged whole against the merge base: a path changed on one side takes
	// that side; a path changed differently on both sides must be given in
	// Files (or Delete): that is the resolution. Files and Delete may also
	// change paths that merged cleanly.
	Merge string `yaml:"merge,omitempty" json:"merge,omitempty"`
	// Tag creates a tag at At (default HEAD): lightweight, or annotated when
	// Message is set, with Author as the tagger.
	Tag string `yaml:"tag,omitempty" json:"tag,omitempty"`
	// Reset moves the current branch to a revision; Mode is hard (default:
	// index and working tree follow, uncommitted changes to tracked files are
	// lost, untracked files stay), mixed (the index follows) or soft (only the
	// branch moves).
	Reset string `yaml:"reset,omitempty" json:"reset,omitempty"`
	// Write changes the working tree only (as an editor would), without
	// committing. Paths map to their new content; "" makes an empty file. To
	// delete files without committing, list them in Delete (with `write: {}`
	// when nothing is written).
	Write map[string]string `yaml:"write,omitempty" json:"write,omitempty"`
	// Remote adds a remote of this name backed by a bare repository at Path
	// (default .grader/<name>.git, inside the workspace), holding the branches
	// named in Branches (default: all), as if pushed with `git push -u`: each
	// gets a remote-tracking branch and, if it has none, an upstream. The URL in
	// .git/config is Path, which git resolves from the top of the working tree.
	Remote string `yaml:"remote,omitempty" json:"remote,omitempty"`
	// Push copies a local branch to a remote (To, default origin), updates the
	// remote-tracking branch, and sets the upstream when the branch has none,
	// as `git push -u` does. Like git, it refuses a push that would drop
	// commits the remote has.
	Push string `yaml:"push,omitempty" json:"push,omitempty"`

	// Files maps paths to content for Commit and Merge. They are written to
	// the working tree with mode 0644, or 0755 when listed in Executable.
	Files map[string]string `yaml:"files,omitempty" json:"files,omitempty"`
	// Delete lists paths (files or folders) a Commit removes, a Merge's
	// resolution removes, or a Write removes from the working tree.
	Delete []string `yaml:"delete,omitempty" json:"delete,omitempty"`
	// Executable lists paths (of Files or Write) to give mode 0755.
	Executable []string `yaml:"executable,omitempty" json:"executable,omitempty"`
	// Message is a merge commit's or an annotated tag's message.
	Message string `yaml:"message,omitempty" json:"message,omitempty"`
	// At is the revision a Branch or Tag starts at (default HEAD): a branch,
	// tag, remote-tracking branch or commit, optionally with ~N or ^N.
	At string `yaml:"at,omitempty" json:"at,omitempty"`
	// Mode is a Reset's mode: hard, mixed or soft.
	Mode string `yaml:"mode,omitempty" json:"mode,omitempty"`
	// FF lets a Merge fast-forward when the current branch is an ancestor.
	FF bool `yaml:"ff,omitempty" json:"ff,omitempty"`
	// Stay keeps the current branch checked out after Branch.
	Stay bool `yaml:"stay,omitempty" json:"stay,omitempty"`
	// Author is "Name <email>" for a Commit, Merge or annotated Tag; default
	// "Ada Lovelace <ada@example.com>". The committer is the same person.
	Author string `yaml:"author,omitempty" json:"author,omitempty"`
	// Date is an RFC 3339 time, kept with its offset. By default each commit
	// and annotated tag is one minute after the newest date so far, starting
	// at 2026-01-05T09:00:00Z (or, on an existing repository, one minute after
	// its newest commit), so histories are reproducible.
	Date string `yaml:"date,omitempty" json:"date,omitempty"`
	// Path is where a Remote's bare repository lives, relative to the
	// workspace. A path outside .grader/ is added to .git/info/exclude.
	Path string `yaml:"path,omitempty" json:"path,omitempty"`
	// Branches lists the branches a Remote starts with.
	Branches []string `yaml:"branches,omitempty" json:"branches,omitempty"`
	// To is the remote a Push goes to (default origin).
	To string `yaml:"to,omitempty" json:"to,omitempty"`
}
