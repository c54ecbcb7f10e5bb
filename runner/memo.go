package runner

import "sync"

// Memo holds values that the checks of one attempt share, such as an opened git
// repository, so that ten checks cost one open. [Run] gives every attempt a fresh
// Memo; nothing in it outlives the attempt.
type Memo struct {
	mu sync.Mutex
	m  map[any]memoEntry
}

type memoEntry struct {
	v   any
	err error
}

// Do returns the value stored under key, calling f to make it on first use. An
// error is remembered too, so a broken repository is reported once per check, not
// reopened. A nil Memo calls f every time.
func (m *Memo) Do(key any, f func() (any, error)) (any, error) {
	if m == nil {
		return f()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.m[key]; ok {
		return e.v, e.err
	}
	v, err := f()
	if m.m == nil {
		m.m = map[any]memoEntry{}
	}
	m.m[key] = memoEntry{v, err}
	return v, err
}
