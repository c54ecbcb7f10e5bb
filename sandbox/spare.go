package sandbox

import "context"

// A batch (`grade`, `validate`) runs submission after submission in
// containers of the same shape. Making and starting one costs the engine
// about as much as the learner's command: with [Engine.Spares] set, each
// run has the next container of its shape made while its command runs, so
// the next submission finds it ready. A spare holds no one's files (it is
// the bare holder, as create makes it), serves exactly one run, and is
// removed with it: every submission still gets a fresh container.

// spareKey is what makes two holders interchangeable: everything create
// puts into the container and its work volume. Runs on a network are never
// served from spares (their aliases and network are the attempt's own).
type spareKey struct {
	image, user, workDir string
	uid, gid             int
	lim                  Limits
}

func (r *run) spareKey() (spareKey, bool) {
	if r.warm != nil || r.s.network() != "none" || len(r.aliases) > 0 {
		return spareKey{}, false
	}
	return spareKey{image: r.image, user: r.s.user(), workDir: r.s.workDir(), uid: r.uid, gid: r.gid, lim: r.lim}, true
}

// takeSpare hands r a ready container of its shape, if one is waiting.
func (e *Engine) takeSpare(r *run) bool {
	k, ok := r.spareKey()
	if !ok || !e.Spares {
		return false
	}
	e.mu.Lock()
	sp := e.spares[k]
	delete(e.spares, k)
	e.mu.Unlock()
	if sp == nil {
		return false
	}
	r.name, r.id, r.volume = sp.name, sp.id, sp.volume
	return true
}

// makeSpare starts making the next container of r's shape in the
// background, unless one is ready or on its way. Close waits for it, then
// removes it if no run took it.
func (e *Engine) makeSpare(ctx context.Context, r *run) {
	k, ok := r.spareKey()
	if !ok || !e.Spares {
		return
	}
	e.mu.Lock()
	if e.closed || e.spares[k] != nil || e.makingSpare[k] {
		e.mu.Unlock()
		return
	}
	if e.spares == nil {
		e.spares, e.makingSpare = map[spareKey]*run{}, map[spareKey]bool{}
	}
	e.makingSpare[k] = true
	e.background++
	e.mu.Unlock()

	spec := Spec{Image: r.s.Image, User: r.s.User, WorkDir: r.s.WorkDir}
	sp := &run{e: e, s: &spec, lim: r.lim, image: r.image, uid: r.uid, gid: r.gid, name: "grader-" + randomHex(6)}
	go func() {
		err := sp.create(context.WithoutCancel(ctx))
		e.mu.Lock()
		delete(e.makingSpare, k)
		kept := err == nil && !e.closed
		if kept {
			e.spares[k] = sp
		}
		e.mu.Unlock()
		if !kept {
			_ = sp.cleanup(context.WithoutCancel(ctx)) // a spare's failure is nobody's: the next run makes its own
		}
		e.doneInBackground(nil)
	}()
}
