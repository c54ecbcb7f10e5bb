package runner

import "sync"

// Memo holds values that the checks of one attempt share, such as an opened git
// repository, so that ten checks cost one open. [Run] gives every attempt a fresh
// Memo; nothing in it outlives the attempt.
type Memo struct {
	mu sync.Mutex
	m  map[any]*memoEntry
	// cmu guards cleanups apart from mu, so the f passed to Do may register one.
	cmu      sync.Mutex
	cleanups []func()
}

type memoEntry struct {
	once sync.Once
	v    any
	err  error
}

// Do returns the value stored under key, calling f to make it on first use. An
// error is remembered too, so a broken repository is reported once per check, not
// reopened. Concurrent callers of one key wait for the first; f may itself call
// Do for other keys (a file's run needs the attempt's database). A nil Memo
// calls f every time.
func (m *Memo) Do(key any, f func() (any, error)) (any, error) {
	if m == nil {
		return f()
	}
	m.mu.Lock()
	if m.m == nil {
		m.m = map[any]*memoEntry{}
	}
	e, ok := m.m[key]
	if !ok {
		e = &memoEntry{}
		m.m[key] = e
	}
	m.mu.Unlock()
	e.once.Do(func() { e.v, e.err = f() })
	return e.v, e.err
}

// Cleanup registers f to run when the attempt ends, after its last check: a
// kind that made something for the attempt (a database, a container) removes
// it there. Cleanups run in reverse order of registration. A checker that
// outlived its deadline may still be running when they do, so f must cope
// with a resource in use (drop it forcibly). A nil Memo runs nothing: callers
// without a Memo own their cleanup.
func (m *Memo) Cleanup(f func()) {
	if m == nil {
		return
	}
	m.cmu.Lock()
	defer m.cmu.Unlock()
	m.cleanups = append(m.cleanups, f)
}

// Close runs the registered cleanups, last first, and forgets them. [Run] calls it when grading ends, interrupted or not.
func (m *Memo) Close() {
	if m == nil {
		return
	}
	m.cmu.Lock()
	fs := m.cleanups
	m.cleanups = nil
	m.cmu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}
