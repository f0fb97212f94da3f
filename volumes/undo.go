package volumes

import (
	"context"
	"errors"
	"time"
)

// undoTimeout bounds the cleanup of a failed preparation, which runs even
// when the caller's context is already cancelled.
const undoTimeout = 30 * time.Second

// undoStack collects the inverse of each step taken, to run in reverse
// when a later step fails.
type undoStack []func(context.Context) error

func (u *undoStack) push(f func(context.Context) error) { *u = append(*u, f) }

// run undoes everything, newest first, on a context that outlives the
// caller's cancellation, and returns cause joined with any undo failure.
func (u undoStack) run(ctx context.Context, cause error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), undoTimeout)
	defer cancel()
	errs := []error{cause}
	for i := len(u) - 1; i >= 0; i-- {
		errs = append(errs, u[i](ctx))
	}
	return errors.Join(errs...)
}
