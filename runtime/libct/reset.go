package libct

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/shim"
)

// Reset gets an exited container ready to run again: libcontainer's
// state and cgroups of the last run go, and a new shim creates a new init
// from the same spec on the same rootfs, whose upper layer keeps what the
// last run wrote. The log file is appended to.
func (r *Runtime) Reset(ctx context.Context, id string) (*runtime.Container, error) {
	c, err := r.Inspect(ctx, id)
	if err != nil {
		return nil, err
	}
	switch c.Status {
	case runtime.StatusCreated:
		return c, nil
	case runtime.StatusRunning:
		return nil, fmt.Errorf("reset container %q: %w", id, runtime.ErrRunning)
	}
	if err := r.rerun(ctx, id); err != nil {
		// Keep it exited as it was, so that it can be reset or removed.
		restoreErr := shim.WriteExit(r.dir(id), shim.Exit{Code: c.Exit.Code, Finished: c.Exit.Finished, OOMKilled: c.Exit.OOMKilled})
		return nil, fmt.Errorf("reset container %q: %w", id, errors.Join(err, restoreErr))
	}
	return r.Inspect(ctx, id)
}

// rerun clears the records of the last run and starts a new shim.
func (r *Runtime) rerun(ctx context.Context, id string) error {
	warmCgroupMoves()
	dir := r.dir(id)
	if err := r.destroy(id); err != nil {
		return err
	}
	for _, f := range []string{shim.ExitFile, startedFile, pidFile, shimPidFile} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := r.startShim(ctx, dir, id); err != nil {
		_ = r.destroy(id)
		return err
	}
	return nil
}
