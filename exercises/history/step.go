package history

// Step is one thing done to a repository. Exactly one action field (Commit,
// Branch, Switch, Merge, Tag, Reset, Write, Remote, Push) is set; the other fields
// modify it. YAML tags are the exercise format's field names.
type Step struct {
	// Commit records a commit on the current branch with this message. Files and
	// Delete say what changes; files already changed by a Write step are included.
	Commit string `yaml:"commit,omitempty" json:"commit,omitempty"`
	// Branch creates a branch at At (default HEAD) and switches to it, unless
	// Stay is set.
	Branch string `yaml:"branch,omitempty" json:"branch,omitempty"`
	// Switch checks out an existing branch, updating the working tree.
	Switch string `yaml:"switch,omitempty" json:"switch,omitempty"`
	// Merge merges a ref into the current branch with a merge commit (Message, or
	// git's default "Merge branch 'x'"). FF fast-forwards instead when possible.
	// Files whose both sides changed must be given in Files: that is the
	// resolution.
	Merge string `yaml:"merge,omitempty" json:"merge,omitempty"`
	// Tag creates a tag at At (default HEAD); annotated when Message is set.
	Tag string `yaml:"tag,omitempty" json:"tag,omitempty"`
	// Reset moves the current branch to a ref; Mode is hard (default), mixed or soft.
	Reset string `yaml:"reset,omitempty" json:"reset,omitempty"`
	// Write changes the working tree only (as an editor would), without committing.
	// Paths map to their new content.
	Write map[string]string `yaml:"write,omitempty" json:"write,omitempty"`
	// Remote adds a remote of this name backed by a bare repository at Path
	// (default .grader/<name>.git, inside the workspace), holding the branches
	// named in Branches (default: all), as if pushed.
	Remote string `yaml:"remote,omitempty" json:"remote,omitempty"`
	// Push copies a local branch to a remote (To, default origin) and updates the
	// remote-tracking ref, as `git push` does.
	Push string `yaml:"push,omitempty" json:"push,omitempty"`

	// Files maps paths to content for Commit and Merge.
	Files map[string]string `yaml:"files,omitempty" json:"files,omitempty"`
	// Delete lists paths a Commit removes.
	Delete []string `yaml:"delete,omitempty" json:"delete,omitempty"`
	// Executable lists paths (of Files or Write) to give mode 0755.
	Executable []string `yaml:"executable,omitempty" json:"executable,omitempty"`
	// Message is a merge commit's or an annotated tag's message.
	Message string `yaml:"message,omitempty" json:"message,omitempty"`
	// At is the ref or revision a Branch or Tag starts at (default HEAD).
	At string `yaml:"at,omitempty" json:"at,omitempty"`
	// Mode is a Reset's mode: hard, mixed or soft.
	Mode string `yaml:"mode,omitempty" json:"mode,omitempty"`
	// FF lets a Merge fast-forward when the current branch is an ancestor.
	FF bool `yaml:"ff,omitempty" json:"ff,omitempty"`
	// Stay keeps the current branch checked out after Branch.
	Stay bool `yaml:"stay,omitempty" json:"stay,omitempty"`
	// Author is "Name <email>"; default "Ada Lovelace <ada@example.com>".
	Author string `yaml:"author,omitempty" json:"author,omitempty"`
	// Date is an RFC 3339 time. By default each commit is one minute after the
	// previous one, starting at 2026-01-05T09:00:00Z, so histories are
	// reproducible.
	Date string `yaml:"date,omitempty" json:"date,omitempty"`
	// Path is where a Remote's bare repository lives, relative to the workspace.
	Path string `yaml:"path,omitempty" json:"path,omitempty"`
	// Branches lists the branches a Remote starts with.
	Branches []string `yaml:"branches,omitempty" json:"branches,omitempty"`
	// To is the remote a Push goes to (default origin).
	To string `yaml:"to,omitempty" json:"to,omitempty"`
}
