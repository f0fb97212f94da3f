package scheduler

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/project"
	"github.com/berth-dev/berth/runtime"
)

// fakeClock is a Clock that moves only when a test advances it. Tests
// wait until the code under test has set the timer they expect, then
// advance past it: nothing sleeps.
type fakeClock struct {
	mu        sync.Mutex
	now       time.Time
	timers    []*fakeTimer
	requested []time.Duration // every timer ever set, in order
	changed   chan struct{}
}

type fakeTimer struct {
	clock *fakeClock
	d     time.Duration
	at    time.Time
	c     chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), changed: make(chan struct{})}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{clock: c, d: d, at: c.now.Add(d), c: make(chan time.Time, 1)}
	c.requested = append(c.requested, d)
	if d <= 0 {
		t.c <- c.now
		return t
	}
	c.timers = append(c.timers, t)
	c.broadcast()
	return t
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	c := t.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.Index(c.timers, t)
	if i < 0 {
		return false
	}
	c.timers = slices.Delete(c.timers, i, i+1)
	c.broadcast()
	return true
}

// Advance moves the clock on by d and fires every timer due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.timers = slices.DeleteFunc(c.timers, func(t *fakeTimer) bool {
		if t.at.After(c.now) {
			return false
		}
		t.c <- c.now
		return true
	})
	c.broadcast()
}

func (c *fakeClock) broadcast() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// waitTimer blocks until a timer of duration d is pending; a test that
// expects one that never comes fails after a deadline.
func (c *fakeClock) waitTimer(t *testing.T, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for {
		c.mu.Lock()
		found := slices.ContainsFunc(c.timers, func(x *fakeTimer) bool { return x.d == d })
		changed := c.changed
		c.mu.Unlock()
		if found {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("no %v timer was set; requested so far: %v", d, c.timersRequested())
		}
	}
}

func (c *fakeClock) timersRequested() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.requested)
}

// fakeRuntime is the part of a Runtime the supervisor uses, in memory:
// containers that start, exit when the test says so, and run probes with
// execFn.
type fakeRuntime struct {
	mu         sync.Mutex
	clock      Clock
	containers map[string]*runtime.Container
	exited     map[string]chan struct{} // closed when the current run ends
	execFn     func(ctx context.Context, id string, p *runtime.ExecConfig) (int, error)
}

var _ runtime.Runtime = (*fakeRuntime)(nil)

func newFakeRuntime(clock Clock) *fakeRuntime {
	return &fakeRuntime{clock: clock, containers: map[string]*runtime.Container{}, exited: map[string]chan struct{}{}}
}

// add makes container id of service (project demo) and starts it unless
// status says otherwise.
func (f *fakeRuntime) add(t *testing.T, service string, number int, status runtime.Status) string {
	t.Helper()
	name := "demo-" + service + "-" + strconv.Itoa(number)
	id := "id-" + name
	labels := map[string]string{
		project.LabelProject: "demo", project.LabelService: service, project.LabelOneoff: "False",
		project.LabelContainerNumber: strconv.Itoa(number), LabelContainerName: name,
	}
	if _, err := f.Create(t.Context(), &runtime.ContainerConfig{ID: id, Labels: labels}); err != nil {
		t.Fatal(err)
	}
	if status == runtime.StatusCreated {
		return id
	}
	if err := f.Start(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	if status == runtime.StatusExited {
		f.exit(id, 0)
	}
	return id
}

// exit ends the current run of id with code.
func (f *fakeRuntime) exit(id string, code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.containers[id]
	if c.Status != runtime.StatusRunning {
		return
	}
	c.Status = runtime.StatusExited
	c.Exit = runtime.ExitStatus{Code: code, Finished: f.clock.Now()}
	close(f.exited[id])
}

func (f *fakeRuntime) Create(_ context.Context, cfg *runtime.ContainerConfig) (*runtime.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.containers[cfg.ID]; ok {
		return nil, runtime.ErrExists
	}
	c := &runtime.Container{ID: cfg.ID, Labels: cfg.Labels, Status: runtime.StatusCreated, Created: f.clock.Now()}
	f.containers[cfg.ID] = c
	copied := *c
	return &copied, nil
}

// Start also starts an exited container again, as a Restarter would.
func (f *fakeRuntime) Start(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.notRunning(id)
	if err != nil {
		return err
	}
	c.Status, c.Started, c.Pid = runtime.StatusRunning, f.clock.Now(), 4242
	f.exited[id] = make(chan struct{})
	return nil
}

func (f *fakeRuntime) Reset(_ context.Context, id string) (*runtime.Container, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.notRunning(id)
	if err != nil {
		return nil, err
	}
	c.Status, c.Pid = runtime.StatusCreated, 0
	copied := *c
	return &copied, nil
}

// notRunning returns container id when it exists and does not run; f.mu
// must be held.
func (f *fakeRuntime) notRunning(id string) (*runtime.Container, error) {
	c, ok := f.containers[id]
	switch {
	case !ok:
		return nil, runtime.ErrNotFound
	case c.Status == runtime.StatusRunning:
		return nil, runtime.ErrRunning
	}
	return c, nil
}
