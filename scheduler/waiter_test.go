package scheduler

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/runtime"
)

type waiterFixture struct {
	clock *fakeClock
	rt    *fakeRuntime
	book  *HealthBook
	w     *Waiter
}

func newWaiterFixture() *waiterFixture {
	f := &waiterFixture{clock: newFakeClock(), book: NewHealthBook()}
	f.rt = newFakeRuntime(f.clock)
	f.w = &Waiter{Runtime: f.rt, Health: f.book, Clock: f.clock}
	return f
}

// async runs fn on its own goroutine and returns where its error arrives.
func async(fn func() error) <-chan error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	return done
}

// result waits, with a deadline, for what async delivers.
func result(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("the wait never returned")
		return nil
	}
}

func waitOp(condition string) Op {
	return Op{Kind: OpWaitService, Resource: "db", Service: "web", Condition: condition, Required: true}
}

func TestWaitOpHealthyWakesOnHealthChange(t *testing.T) {
	f := newWaiterFixture()
	db := f.rt.add(t, "db", 1, runtime.StatusRunning)
	f.book.Set(db, NewHealthState())
	done := async(func() error { return f.w.WaitOp(t.Context(), "demo", waitOp(types.ServiceConditionHealthy)) })
	f.clock.waitTimer(t, DefaultWaitPoll) // it looked, and waits
	f.book.Set(db, HealthState{Status: HealthHealthy})
	if err := result(t, done); err != nil {
		t.Errorf("WaitOp = %v", err)
	}
}

func TestWaitOpCompleted(t *testing.T) {
	for _, tc := range []struct {
		code int
		want string
	}{{0, ""}, {3, `service "db" didn't complete successfully: exit 3`}} {
		f := newWaiterFixture()
		db := f.rt.add(t, "db", 1, runtime.StatusRunning)
		done := async(func() error {
			return f.w.WaitOp(t.Context(), "demo", waitOp(types.ServiceConditionCompletedSuccessfully))
		})
		f.clock.waitTimer(t, DefaultWaitPoll)
		f.rt.exit(db, tc.code)
		f.clock.Advance(DefaultWaitPoll)
		if got := errString(result(t, done)); got != tc.want {
			t.Errorf("exit %d: error %q, want %q", tc.code, got, tc.want)
		}
	}
}

func TestWaitOpMissingDependency(t *testing.T) {
	f := newWaiterFixture()
	f.rt.add(t, "cache", 1, runtime.StatusRunning)
	err := f.w.WaitOp(t.Context(), "demo", waitOp(types.ServiceConditionHealthy))
	if errString(err) != "web is missing dependency db" {
		t.Errorf("WaitOp = %v", err)
	}
}

func TestWaitHonoursContext(t *testing.T) {
	f := newWaiterFixture()
	db := f.rt.add(t, "db", 1, runtime.StatusRunning)
	f.book.Set(db, NewHealthState())
	ctx, cancel := context.WithCancel(t.Context())
	done := async(func() error { return f.w.WaitOp(ctx, "demo", waitOp(types.ServiceConditionHealthy)) })
	f.clock.waitTimer(t, DefaultWaitPoll)
	cancel()
	if err := result(t, done); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitOp = %v, want context.Canceled", err)
	}
}

// waitExecutor is an Executor as the daemon's will be for waits: it hands
// OpWaitService to the Waiter and records the rest.
type waitExecutor struct {
	w    *Waiter
	done []string
}

func (e *waitExecutor) Do(ctx context.Context, op Op) error {
	if op.Kind == OpWaitService {
		return e.w.WaitOp(ctx, "demo", op)
	}
	e.done = append(e.done, op.String())
	return nil
}

func TestExecuteStopsAtAnUnhealthyDependency(t *testing.T) {
	f := newWaiterFixture()
	db := f.rt.add(t, "db", 1, runtime.StatusRunning)
	f.book.Set(db, HealthState{Status: HealthUnhealthy, FailingStreak: 3})
	plan := &Plan{}
	wait := plan.add(waitOp(types.ServiceConditionHealthy))
	plan.add(Op{Kind: OpStartContainer, Resource: "demo-web-1", Service: "web"}, wait)
	exec := &waitExecutor{w: f.w}
	err := Execute(t.Context(), plan, exec, ExecuteOptions{})
	want := `service "web": dependency "db" did not reach service_healthy: dependency failed to start: container demo-db-1 is unhealthy`
	if errString(err) != want || len(exec.done) != 0 {
		t.Errorf("Execute = %v, did %q; want %q and nothing started", err, exec.done, want)
	}
}

func TestWaitReady(t *testing.T) {
	f := newWaiterFixture()
	api := f.rt.add(t, "api", 1, runtime.StatusRunning)
	f.book.Set(api, NewHealthState())
	f.rt.add(t, "migrate", 1, runtime.StatusExited) // a one-shot, done
	f.rt.add(t, "web", 1, runtime.StatusRunning)    // no health check
	done := async(func() error {
		return f.w.WaitReady(t.Context(), "demo", []string{"api", "migrate", "web"}, time.Minute)
	})
	f.clock.waitTimer(t, DefaultWaitPoll)
	f.book.Set(api, HealthState{Status: HealthHealthy})
	if err := result(t, done); err != nil {
		t.Errorf("WaitReady = %v", err)
	}
}

func TestWaitReadyTimeoutNamesTheService(t *testing.T) {
	f := newWaiterFixture()
	api := f.rt.add(t, "api", 1, runtime.StatusRunning)
	f.book.Set(api, NewHealthState())
	f.rt.add(t, "web", 1, runtime.StatusRunning)
	done := async(func() error { return f.w.WaitReady(t.Context(), "demo", []string{"api", "web"}, 10*time.Second) })
	f.clock.waitTimer(t, 10*time.Second)
	f.clock.Advance(10 * time.Second)
	want := `application not healthy after 10s: service "api" is not ready (container demo-api-1 is starting)`
	if got := errString(result(t, done)); got != want {
		t.Errorf("WaitReady = %q, want %q", got, want)
	}
}

func TestWaitReadyFailsOnAFailedExit(t *testing.T) {
	f := newWaiterFixture()
	worker := f.rt.add(t, "worker", 1, runtime.StatusRunning)
	f.rt.exit(worker, 2)
	err := f.w.WaitReady(t.Context(), "demo", []string{"worker"}, 0)
	if errString(err) != "container demo-worker-1 exited (2)" {
		t.Errorf("WaitReady = %v", err)
	}
}
