package scheduler

import (
	"context"
	"fmt"

	"github.com/berth-dev/berth/runtime"
)

// Restarter starts again a container that has exited: the daemon's own
// start sequence (the runtime's start, networks attached, names
// registered, a new Prober for its health check).
type Restarter interface {
	// Restart starts exited container id and returns once it runs.
	Restart(ctx context.Context, id string) error
}

// RestartEvent reports one restart decision, for the event stream and for
// the daemon to persist State.
type RestartEvent struct {
	ID       string
	Exit     Exit
	Decision RestartDecision
	State    RestartState
}

// Supervisor applies restart policies: it waits for a container to exit,
// decides with DecideRestart, waits the delay and restarts it. The daemon
// runs one Supervise per running container.
type Supervisor struct {
	Runtime   runtime.Runtime
	Restarter Restarter
	Clock     Clock // RealClock when nil
	// ManuallyStopped reports whether the user stopped container id. The
	// daemon records that before it asks the runtime to stop a container,
	// so that the exit the stop causes is never undone, and clears it
	// when the user starts the container again. Nil: never.
	ManuallyStopped func(id string) bool
	// Events, when set, hears every decision.
	Events func(RestartEvent)
}

// Supervise keeps container id going as policy says, starting from the
// restarts st records, until the policy lets it stay stopped (returning
// nil), ctx ends, the container goes away (runtime.ErrNotFound) or a
// restart fails (returning that error: Docker too gives up then). It
// returns the restart state for the next Supervise of the container.
func (s *Supervisor) Supervise(ctx context.Context, id string, policy RestartPolicy, st RestartState) (RestartState, error) {
	for {
		e, err := s.waitExit(ctx, id)
		if err != nil {
			return st, err
		}
		var d RestartDecision
		d, st = DecideRestart(policy, st, e)
		if s.Events != nil {
			s.Events(RestartEvent{ID: id, Exit: e, Decision: d, State: st})
		}
		if !d.Restart {
			return st, nil
		}
		if err := sleep(ctx, orReal(s.Clock), d.Delay); err != nil {
			return st, err
		}
		// The user may have stopped it for good during the delay.
		if s.manuallyStopped(id) {
			return st, nil
		}
		if err := s.Restarter.Restart(ctx, id); err != nil {
			return st, fmt.Errorf("restart container %s: %w", id, err)
		}
	}
}

// waitExit blocks until container id exits and describes the exit.
func (s *Supervisor) waitExit(ctx context.Context, id string) (Exit, error) {
	status, err := s.Runtime.Wait(ctx, id)
	if err != nil {
		return Exit{}, fmt.Errorf("wait for container %s: %w", id, err)
	}
	c, err := s.Runtime.Inspect(ctx, id)
	if err != nil {
		return Exit{}, fmt.Errorf("inspect container %s: %w", id, err)
	}
	return Exit{
		Code:            status.Code,
		At:              status.Finished,
		Ran:             status.Finished.Sub(c.Started),
		ManuallyStopped: s.manuallyStopped(id),
	}, nil
}

func (s *Supervisor) manuallyStopped(id string) bool {
	return s.ManuallyStopped != nil && s.ManuallyStopped(id)
}
