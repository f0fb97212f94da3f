package scheduler

import (
	"context"
	"errors"
)

// inverse is the operation that undoes op, if op left anything to undo.
// Pulled images stay, as they do with Docker Compose: they are a cache, and
// a retry wants them. Created volumes stay too: a container may already
// have written into one before the failure, and no error path may lose
// user data; `down -v` removes them.
func inverse(op Op) (Op, bool) {
	undo := op
	undo.Reason = "rollback"
	switch op.Kind {
	case OpCreateNetwork:
		undo.Kind = OpRemoveNetwork
	case OpCreateContainer:
		undo.Kind = OpRemoveContainer
	case OpStartContainer:
		undo.Kind = OpStopContainer
	default:
		return Op{}, false
	}
	return undo, true
}

// undo reverses done steps, newest first, carrying on past failures so
// that as much as possible is undone; every failure is returned.
func undo(ctx context.Context, done []*Step, exec Executor, events func(Event)) error {
	var errs []error
	for i := len(done) - 1; i >= 0; i-- {
		op, ok := inverse(done[i].Op)
		if !ok {
			continue
		}
		err := exec.Do(ctx, op)
		if events != nil {
			status := StatusDone
			if err != nil {
				status = StatusError
			}
			events(Event{Op: op, Status: status, Err: err})
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
