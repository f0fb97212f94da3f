package scheduler

import (
	"slices"
	"sync"
)

// HealthBook holds the health of every container that has a health check,
// by container ID: probers write it, `ps` and depends_on waits read it.
// A container that is not in the book has no health check. It is safe for
// concurrent use.
type HealthBook struct {
	mu     sync.Mutex
	states map[string]HealthState
	// changed is closed, and replaced, whenever a state changes, so that
	// any number of waiters can be woken at once.
	changed chan struct{}
}

// NewHealthBook returns an empty book.
func NewHealthBook() *HealthBook {
	return &HealthBook{states: map[string]HealthState{}, changed: make(chan struct{})}
}

// Health returns the health of container id, and false when it has no
// health check.
func (b *HealthBook) Health(id string) (HealthState, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st, ok := b.states[id]
	return st, ok
}

// Set records the health of container id. The daemon calls it, besides
// the prober, to restore a state it persisted.
func (b *HealthBook) Set(id string, st HealthState) {
	b.mu.Lock()
	defer b.mu.Unlock()
	st.Log = slices.Clone(st.Log)
	b.states[id] = st
	b.broadcast()
}

// Forget drops container id, once it is removed.
func (b *HealthBook) Forget(id string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.states, id)
	b.broadcast()
}

// Changed returns a channel closed at the next change of any state.
func (b *HealthBook) Changed() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.changed
}

func (b *HealthBook) broadcast() {
	close(b.changed)
	b.changed = make(chan struct{})
}
