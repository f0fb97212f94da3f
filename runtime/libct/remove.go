package libct

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/berth-dev/berth/runtime"
)

// Remove destroys a container that is not running: its waiting init if
// it was only created, cgroups, libcontainer state, rootfs mount, logs
// and directory.
func (r *Runtime) Remove(ctx context.Context, id string) error {
	c, err := r.Inspect(ctx, id)
	if err != nil {
		return err
	}
	switch c.Status {
	case runtime.StatusRunning:
		return fmt.Errorf("remove container %q: %w", id, runtime.ErrRunning)
	case runtime.StatusCreated:
		if err := r.stop(ctx, id, syscall.SIGKILL, 0); err != nil {
			return fmt.Errorf("remove container %q: %w", id, err)
		}
	}
	if err := r.teardown(id); err != nil {
		return fmt.Errorf("remove container %q: %w", id, err)
	}
	return nil
}

// teardown undoes everything Create made, whatever got made; a
// concurrent teardown that got there first leaves it nothing to do.
func (r *Runtime) teardown(id string) error {
	return r.locked(id, nil, func() error {
		dir := r.dir(id)
		return errors.Join(r.destroyLocked(id), unmountRootfs(dir), os.RemoveAll(dir))
	})
}
