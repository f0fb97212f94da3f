package scheduler

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/berth-dev/berth/runtime"
)

// restarter starts containers again in a fakeRuntime, counting restarts;
// it fails with fail when set.
type restarter struct {
	rt       *fakeRuntime
	mu       sync.Mutex
	restarts int
	fail     error
	// restarted hears every restart done.
	restarted chan struct{}
}

func (r *restarter) Restart(ctx context.Context, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.restarts++
	err := r.rt.Start(ctx, id)
	r.restarted <- struct{}{}
	return err
}

func (r *restarter) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.restarts
}

type superviseResult struct {
	st  RestartState
	err error
}

type superviseFixture struct {
	clock   *fakeClock
	rt      *fakeRuntime
	re      *restarter
	id      string
	stopped sync.Map // container IDs the "user" stopped
	done    chan superviseResult
}

func startSupervise(t *testing.T, policy RestartPolicy) (*superviseFixture, context.CancelFunc) {
	t.Helper()
	f := &superviseFixture{clock: newFakeClock(), done: make(chan superviseResult, 1)}
	f.rt = newFakeRuntime(f.clock)
	f.re = &restarter{rt: f.rt, restarted: make(chan struct{}, 100)}
	f.id = f.rt.add(t, "web", 1, runtime.StatusRunning)
	s := &Supervisor{Runtime: f.rt, Restarter: f.re, Clock: f.clock, ManuallyStopped: func(id string) bool {
		_, ok := f.stopped.Load(id)
		return ok
	}}
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		st, err := s.Supervise(ctx, f.id, policy, RestartState{})
		f.done <- superviseResult{st, err}
	}()
	t.Cleanup(cancel)
	return f, cancel
}

// crash ends the container's run with code after it ran for ran, then lets
// the restart delay pass and waits for the restart.
func (f *superviseFixture) crash(t *testing.T, code int, ran, delay time.Duration) {
	t.Helper()
	f.clock.Advance(ran)
	f.rt.exit(f.id, code)
	f.clock.waitTimer(t, delay)
	f.clock.Advance(delay)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	select {
	case <-f.re.restarted:
	case <-ctx.Done():
		t.Fatalf("no restart after exit %d", code)
	}
}

func TestSuperviseOnFailureBacksOffThenGivesUp(t *testing.T) {
	f, _ := startSupervise(t, RestartPolicy{Mode: RestartOnFailure, MaxAttempts: 3})
	f.crash(t, 1, time.Second, 100*time.Millisecond)
	f.crash(t, 1, time.Second, 200*time.Millisecond)
	// A run of 10s counts as a good start: the backoff starts over.
	f.crash(t, 1, 10*time.Second, 100*time.Millisecond)
	f.rt.exit(f.id, 1)
	res := <-f.done
	if res.err != nil || res.st.Count != 3 || f.re.count() != 3 {
		t.Fatalf("Supervise = %+v, %v after %d restarts; want nil after 3", res.st, res.err, f.re.count())
	}
	if got := f.clock.timersRequested(); !reflect.DeepEqual(got, []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 100 * time.Millisecond}) {
		t.Errorf("delays %v", got)
	}
}

func TestSuperviseLeavesASuccessfulExit(t *testing.T) {
	f, _ := startSupervise(t, RestartPolicy{Mode: RestartOnFailure})
	f.rt.exit(f.id, 0)
	if res := <-f.done; res.err != nil || f.re.count() != 0 {
		t.Errorf("Supervise = %v after %d restarts; want nil, none", res.err, f.re.count())
	}
}

func TestSuperviseNeverUndoesAManualStop(t *testing.T) {
	f, _ := startSupervise(t, RestartPolicy{Mode: RestartAlways})
	f.stopped.Store(f.id, true)
	if err := f.rt.Stop(t.Context(), f.id, nil, time.Second); err != nil {
		t.Fatal(err)
	}
	if res := <-f.done; res.err != nil || f.re.count() != 0 {
		t.Errorf("Supervise = %v after %d restarts; want nil, none", res.err, f.re.count())
	}
}

func TestSuperviseManualStopDuringTheDelay(t *testing.T) {
	f, _ := startSupervise(t, RestartPolicy{Mode: RestartAlways})
	f.rt.exit(f.id, 1)
	f.clock.waitTimer(t, 100*time.Millisecond)
	f.stopped.Store(f.id, true)
	f.clock.Advance(100 * time.Millisecond)
	if res := <-f.done; res.err != nil || f.re.count() != 0 {
		t.Errorf("Supervise = %v after %d restarts; want nil, none", res.err, f.re.count())
	}
}

func TestSuperviseHonoursContextDuringTheDelay(t *testing.T) {
	f, cancel := startSupervise(t, RestartPolicy{Mode: RestartAlways})
	f.rt.exit(f.id, 1)
	f.clock.waitTimer(t, 100*time.Millisecond)
	cancel()
	if res := <-f.done; !errors.Is(res.err, context.Canceled) || f.re.count() != 0 {
		t.Errorf("Supervise = %v after %d restarts; want context.Canceled, none", res.err, f.re.count())
	}
}

func TestSuperviseReportsAFailedRestart(t *testing.T) {
	f, _ := startSupervise(t, RestartPolicy{Mode: RestartAlways})
	boom := errors.New("no space left on device")
	f.re.mu.Lock()
	f.re.fail = boom
	f.re.mu.Unlock()
	f.rt.exit(f.id, 1)
	f.clock.waitTimer(t, 100*time.Millisecond)
	f.clock.Advance(100 * time.Millisecond)
	res := <-f.done
	if !errors.Is(res.err, boom) || res.err.Error() != "restart container id-demo-web-1: no space left on device" {
		t.Errorf("Supervise = %v", res.err)
	}
}

func TestSuperviseContainerGone(t *testing.T) {
	f, _ := startSupervise(t, RestartPolicy{Mode: RestartAlways})
	f.rt.exit(f.id, 0)
	f.clock.waitTimer(t, 100*time.Millisecond)
	if err := f.rt.Remove(t.Context(), f.id); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(100 * time.Millisecond)
	// The restarter cannot start a removed container; the fake says so.
	if res := <-f.done; !errors.Is(res.err, runtime.ErrNotFound) {
		t.Errorf("Supervise = %v, want runtime.ErrNotFound", res.err)
	}
}
