package history

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// commit is `git add -A && git commit`: the step's Delete and Files change the
// working tree, then everything the working tree holds (but ignored files) is
// committed. Files are committed even when a .gitignore matches them, as with
// `git add -f`.
func (p *player) commit(s Step) error {
	_, parent, err := p.head()
	if err != nil {
		return err
	}
	if err := p.edit(s, s.Files); err != nil {
		return err
	}
	idx, err := p.readIndex()
	if err != nil {
		return err
	}
	tracked := maps.Clone(idx)
	for name := range s.Files {
		tracked[name] = entry{mode: modeFor(s, name)}
	}
	tree, err := p.snapshot(tracked, true)
	if err != nil {
		return err
	}
	headTree, err := p.treeFiles(parent)
	if err != nil {
		return err
	}
	if equalFiles(tree, headTree) {
		if parent.IsZero() {
			return errors.New("nothing to commit: the working tree is empty; give files")
		}
		return errors.New("nothing to commit: the working tree matches the last commit")
	}
	treeHash, err := p.writeTree(tree)
	if err != nil {
		return err
	}
	var parents []plumbing.Hash
	if !parent.IsZero() {
		parents = append(parents, parent)
	}
	h, err := p.newCommit(treeHash, parents, cleanMessage(s.Commit), s)
	if err != nil {
		return err
	}
	if err := p.moveHead(h); err != nil {
		return err
	}
	return p.writeIndex(tree)
}

// edit applies a step's Delete and then its content (Files or Write) to the
// working tree.
func (p *player) edit(s Step, content map[string]string) error {
	for _, name := range s.Delete {
		if !p.exists(name) {
			return fmt.Errorf("cannot delete %s: there is no such file or folder", name)
		}
		if err := p.removeFile(name); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(content) {
		if err := p.writeFile(name, []byte(content[name]), modeFor(s, name)); err != nil {
			return err
		}
	}
	return nil
}

// newCommit stores a commit made by the step's author at the step's date.
func (p *player) newCommit(tree plumbing.Hash, parents []plumbing.Hash, msg string, s Step) (plumbing.Hash, error) {
	sig, err := p.signature(s)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	c := &object.Commit{Author: sig, Committer: sig, Message: msg, TreeHash: tree, ParentHashes: parents}
	obj := p.repo.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return p.repo.Storer.SetEncodedObject(obj)
}

// branch is `git branch name [at]`, followed by `git switch name` unless Stay.
func (p *player) branch(s Step) error {
	name := plumbing.NewBranchReferenceName(s.Branch)
	if _, err := p.repo.Storer.Reference(name); err == nil {
		return fmt.Errorf("branch %s already exists", s.Branch)
	}
	_, current, err := p.head()
	if err != nil {
		return err
	}
	start := current
	if s.At != "" {
		c, err := p.resolve(s.At)
		if err != nil {
			return err
		}
		start = c.Hash
	} else if current.IsZero() {
		return errors.New("there are no commits yet to start a branch at: make one with a commit step first, or set at")
	}
	if !s.Stay && start != current {
		if err := p.moveBetween(current, start); err != nil {
			return err
		}
	}
	if err := p.repo.Storer.SetReference(plumbing.NewHashReference(name, start)); err != nil {
		return err
	}
	if s.Stay {
		return nil
	}
	return p.repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, name))
}

// moveBetween moves the index and working tree from commit from's tree to
// commit to's, keeping uncommitted changes that do not clash.
func (p *player) moveBetween(from, to plumbing.Hash) error {
	a, err := p.treeFiles(from)
	if err != nil {
		return err
	}
	b, err := p.treeFiles(to)
	if err != nil {
		return err
	}
	return p.moveTo(a, b, false)
}

// switchTo is `git switch name`: uncommitted changes to paths the two branches
// agree on come along; a change to a path they differ on stops the switch.
func (p *player) switchTo(branch string) error {
	name := plumbing.NewBranchReferenceName(branch)
	ref, err := p.repo.Storer.Reference(name)
	if err != nil {
		msg := fmt.Sprintf("there is no branch %s", branch)
		if remote, ok := p.remoteBranch(branch); ok {
			msg += fmt.Sprintf("; to start it from %s, use branch: %s with at: %s", remote, branch, remote)
		}
		return errors.New(msg)
	}
	current, at, err := p.head()
	if err != nil {
		return err
	}
	if current == name {
		return nil
	}
	if err := p.moveBetween(at, ref.Hash()); err != nil {
		return err
	}
	return p.repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, name))
}

// remoteBranch finds a remote-tracking branch of this name, for a hint.
func (p *player) remoteBranch(branch string) (string, bool) {
	cfg, err := p.repo.Config()
	if err != nil {
		return "", false
	}
	for _, remote := range sortedKeys(cfg.Remotes) {
		if _, err := p.repo.Storer.Reference(plumbing.NewRemoteReferenceName(remote, branch)); err == nil {
			return remote + "/" + branch, true
		}
	}
	return "", false
}

// merge is `git merge --no-ff rev` (or `git merge --ff` with FF), with a
// file-level three-way merge: a path changed on one side takes that side, a
// path changed the same way on both is fine, and a path changed differently on
// both needs its resolution in Files (or Delete). Files and Delete may also
// change paths that merged cleanly.
func (p *player) merge(s Step) error {
	branch, ours, err := p.headCommit()
	if err != nil {
		return err
	}
	c, err := p.resolve(s.Merge)
	if err != nil {
		return err
	}
	theirs := c.Hash
	oursAnc, err := p.ancestors(ours)
	if err != nil {
		return err
	}
	if _, ok := oursAnc[theirs]; ok {
		return fmt.Errorf("already up to date: %s is already part of the current branch", s.Merge)
	}
	theirsAnc, err := p.ancestors(theirs)
	if err != nil {
		return err
	}
	if _, ok := theirsAnc[ours]; ok && s.FF {
		if len(s.Files) > 0 || len(s.Delete) > 0 {
			return errors.New("this merge fast-forwards, so files and delete have nothing to resolve: remove them, or remove ff to make a merge commit")
		}
		if err := p.moveBetween(ours, theirs); err != nil {
			return err
		}
		return p.moveHead(theirs)
	}
	bases := mergeBases(oursAnc, theirsAnc)
	switch len(bases) {
	case 0:
		return fmt.Errorf("the current branch and %s share no history, and git refuses to merge them (without --allow-unrelated-histories)", s.Merge)
	case 1:
	default:
		return fmt.Errorf("the current branch and %s have %d merge bases (a criss-cross history), which this package does not merge", s.Merge, len(bases))
	}
	baseT, err := p.treeFiles(bases[0])
	if err != nil {
		return err
	}
	oursT, err := p.treeFiles(ours)
	if err != nil {
		return err
	}
	theirsT, err := p.treeFiles(theirs)
	if err != nil {
		return err
	}
	merged := files{}
	var conflicts []string
	for _, name := range union(baseT, oursT, theirsT) {
		var e entry
		var ok bool
		switch {
		case same(oursT, theirsT, name), same(baseT, theirsT, name):
			e, ok = oursT.get(name)
		case same(baseT, oursT, name):
			e, ok = theirsT.get(name)
		default:
			conflicts = append(conflicts, name)
			continue
		}
		if ok {
			merged[name] = e
		}
	}
	for _, name := range s.Delete {
		_, inMerge := merged[name]
		if !inMerge && !slices.Contains(conflicts, name) {
			return fmt.Errorf("cannot delete %s: neither side has it", name)
		}
		delete(merged, name)
	}
	for _, name := range sortedKeys(s.Files) {
		h, err := p.storeBlob([]byte(s.Files[name]))
		if err != nil {
			return err
		}
		merged[name] = entry{hash: h, mode: modeFor(s, name)}
	}
	var unresolved []string
	for _, name := range conflicts {
		if _, ok := s.Files[name]; !ok && !slices.Contains(s.Delete, name) {
			unresolved = append(unresolved, name)
		}
	}
	switch len(unresolved) {
	case 0:
	case 1:
		return fmt.Errorf("both sides changed %s; give its resolution in files", unresolved[0])
	default:
		return fmt.Errorf("both sides changed %s; give their resolutions in files", andList(unresolved))
	}
	tree, err := p.writeTree(merged)
	if err != nil {
		return err
	}
	if err := p.moveTo(oursT, merged, false); err != nil {
		return err
	}
	msg := s.Message
	if msg == "" {
		msg = p.mergeMessage(s.Merge, branch)
	}
	h, err := p.newCommit(tree, []plumbing.Hash{ours, theirs}, cleanMessage(msg), s)
	if err != nil {
		return err
	}
	return p.moveHead(h)
}

// mergeMessage is git's default merge message: "Merge branch 'x'", "Merge tag
// 'v1'", "Merge remote-tracking branch 'origin/x'" or "Merge commit 'x'", with
// " into y" unless the current branch is main or master.
func (p *player) mergeMessage(rev string, current plumbing.ReferenceName) string {
	kind := "commit"
	if full, ok := p.refName(rev); ok {
		switch {
		case full.IsBranch():
			kind = "branch"
		case full.IsTag():
			kind = "tag"
		case full.IsRemote():
			kind = "remote-tracking branch"
		}
	}
	msg := fmt.Sprintf("Merge %s '%s'", kind, rev)
	into := current.Short()
	if current == "" {
		into = "HEAD"
	}
	if into != "main" && into != "master" {
		msg += " into " + into
	}
	return msg
}

// ancestors maps every commit reachable from h (h included) to its parents.
func (p *player) ancestors(h plumbing.Hash) (map[plumbing.Hash][]plumbing.Hash, error) {
	out := map[plumbing.Hash][]plumbing.Hash{}
	todo := []plumbing.Hash{h}
	for len(todo) > 0 {
		x := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if _, ok := out[x]; ok {
			continue
		}
		c, err := p.repo.CommitObject(x)
		if err != nil {
			return nil, fmt.Errorf("reading commit %s: %w", x, err)
		}
		out[x] = c.ParentHashes
		todo = append(todo, c.ParentHashes...)
	}
	return out, nil
}

// mergeBases returns the best common ancestors of two commits, given their
// ancestor maps: the common ancestors that are not ancestors of another. It
// follows the graph only, never commit dates, which steps may set freely.
func mergeBases(a, b map[plumbing.Hash][]plumbing.Hash) []plumbing.Hash {
	var common []plumbing.Hash
	for h := range a {
		if _, ok := b[h]; ok {
			common = append(common, h)
		}
	}
	redundant := map[plumbing.Hash]bool{}
	var todo []plumbing.Hash
	for _, h := range common {
		todo = append(todo, a[h]...)
	}
	for len(todo) > 0 {
		x := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if redundant[x] {
			continue
		}
		redundant[x] = true
		todo = append(todo, a[x]...)
	}
	var bases []plumbing.Hash
	for _, h := range common {
		if !redundant[h] {
			bases = append(bases, h)
		}
	}
	slices.SortFunc(bases, func(x, y plumbing.Hash) int { return bytes.Compare(x[:], y[:]) })
	return bases
}

// tag is `git tag name [at]`, or `git tag -a -m message name [at]` when the
// step has a Message.
func (p *player) tag(s Step) error {
	name := plumbing.NewTagReferenceName(s.Tag)
	if _, err := p.repo.Storer.Reference(name); err == nil {
		return fmt.Errorf("tag %s already exists", s.Tag)
	}
	var target plumbing.Hash
	if s.At != "" {
		c, err := p.resolve(s.At)
		if err != nil {
			return err
		}
		target = c.Hash
	} else {
		_, h, err := p.headCommit()
		if err != nil {
			return err
		}
		target = h
	}
	if s.Message == "" {
		return p.repo.Storer.SetReference(plumbing.NewHashReference(name, target))
	}
	sig, err := p.signature(s)
	if err != nil {
		return err
	}
	t := &object.Tag{Name: s.Tag, Tagger: sig, Message: cleanMessage(s.Message), TargetType: plumbing.CommitObject, Target: target}
	obj := p.repo.Storer.NewEncodedObject()
	if err := t.Encode(obj); err != nil {
		return err
	}
	h, err := p.repo.Storer.SetEncodedObject(obj)
	if err != nil {
		return err
	}
	return p.repo.Storer.SetReference(plumbing.NewHashReference(name, h))
}

// reset is `git reset --hard|--mixed|--soft rev`.
func (p *player) reset(s Step) error {
	_, current, err := p.headCommit()
	if err != nil {
		return err
	}
	c, err := p.resolve(s.Reset)
	if err != nil {
		return err
	}
	switch s.Mode {
	case "soft":
	case "mixed":
		tree, err := p.treeFiles(c.Hash)
		if err != nil {
			return err
		}
		if err := p.writeIndex(tree); err != nil {
			return err
		}
	default:
		from, err := p.treeFiles(current)
		if err != nil {
			return err
		}
		to, err := p.treeFiles(c.Hash)
		if err != nil {
			return err
		}
		if err := p.moveTo(from, to, true); err != nil {
			return err
		}
	}
	return p.moveHead(c.Hash)
}

// write edits the working tree only, as an editor would: Delete first, then
// Write's content.
func (p *player) write(s Step) error {
	return p.edit(s, s.Write)
}
