package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/berth-dev/berth/runtime"
)

// DefaultWaitPoll is how often a wait looks at the runtime again, as Docker
// Compose does; a health change wakes it at once.
const DefaultWaitPoll = 500 * time.Millisecond

// Waiter blocks until containers meet a depends_on condition, reading
// their state from the runtime and their health from the HealthBook.
type Waiter struct {
	Runtime runtime.Runtime
	// Health is where the probers record health; a container missing from
	// it has no health check, so service_healthy fails for it.
	Health *HealthBook
	Clock  Clock         // RealClock when nil
	Poll   time.Duration // DefaultWaitPoll when zero
}

// Wait blocks until containers, those of service, meet condition
// (service_started, service_healthy, service_completed_successfully or
// ConditionRunningOrHealthy). It returns nil once they do, ctx's error if
// ctx ends first, and an error naming the container or the service when
// they never will: exited, unhealthy, no health check, a non-zero exit.
func (w *Waiter) Wait(ctx context.Context, service string, containers []Container, condition string) error {
	_, err := w.until(ctx, nil, func(ctx context.Context) (string, error) {
		return w.check(ctx, service, containers, condition)
	})
	return err
}

// WaitOp does an OpWaitService of project projectName: it waits for the
// containers of the dependency op.Resource to meet op.Condition. The
// Executor's Do calls it.
func (w *Waiter) WaitOp(ctx context.Context, projectName string, op Op) error {
	all, err := w.Runtime.List(ctx)
	if err != nil {
		return fmt.Errorf("list containers: %w", err)
	}
	deps := Observed{Containers: ContainersFrom(all, projectName)}.containersOf(op.Resource)
	if len(deps) == 0 {
		return fmt.Errorf("%s is missing dependency %s", op.Service, op.Resource)
	}
	return w.Wait(ctx, op.Resource, deps, op.Condition)
}

// check looks once at containers and judges condition.
func (w *Waiter) check(ctx context.Context, service string, containers []Container, condition string) (string, error) {
	members := make([]member, 0, len(containers))
	for _, c := range containers {
		m, err := w.member(ctx, c)
		if err != nil {
			return "", err
		}
		members = append(members, m)
	}
	return conditionMet(service, condition, members)
}

func (w *Waiter) member(ctx context.Context, c Container) (member, error) {
	rc, err := w.Runtime.Inspect(ctx, c.ID)
	if err != nil {
		return member{}, fmt.Errorf("inspect container %s: %w", c.Name, err)
	}
	m := member{Name: c.Name, Status: rc.Status, Exit: rc.Exit.Code}
	if w.Health != nil {
		if st, ok := w.Health.Health(c.ID); ok {
			m.Health = &st
		}
	}
	return m, nil
}

// errWaitTimeout ends an until whose deadline passed.
var errWaitTimeout = errors.New("wait timed out")

// until calls check until it reports nothing pending or an error, looking
// again every Poll and whenever a health state changes. It gives up when
// ctx ends or deadline fires (errWaitTimeout), returning what was last
// pending.
func (w *Waiter) until(ctx context.Context, deadline <-chan time.Time, check func(context.Context) (string, error)) (string, error) {
	for {
		// Taken before the check, so a change made during it still wakes us.
		changed := w.changed()
		pending, err := check(ctx)
		if err != nil || pending == "" {
			return pending, err
		}
		if err := w.pause(ctx, deadline, changed); err != nil {
			return pending, err
		}
	}
}

func (w *Waiter) pause(ctx context.Context, deadline <-chan time.Time, changed <-chan struct{}) error {
	poll := w.Poll
	if poll <= 0 {
		poll = DefaultWaitPoll
	}
	t := orReal(w.Clock).NewTimer(poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-deadline:
		return errWaitTimeout
	case <-changed:
	case <-t.C():
	}
	return nil
}

// changed is the HealthBook's change signal; nil (never) without a book.
func (w *Waiter) changed() <-chan struct{} {
	if w.Health == nil {
		return nil
	}
	return w.Health.Changed()
}
