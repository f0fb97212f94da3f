package libct

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/opencontainers/runc/libcontainer"

	"github.com/berth-dev/berth/runtime"
)

// errExited: Start was asked to run a container whose process already
// ran; libcontainer cannot run init twice, so it must be created again.
var errExited = errors.New("container has exited; create it again to run it")

// Start releases the waiting init: opening libcontainer's exec fifo lets it
// execve the user process.
func (r *Runtime) Start(ctx context.Context, id string) error {
	c, err := r.Inspect(ctx, id)
	if err != nil {
		return err
	}
	switch c.Status {
	case runtime.StatusRunning:
		return fmt.Errorf("start container %q: %w", id, runtime.ErrRunning)
	case runtime.StatusExited:
		return fmt.Errorf("start container %q: %w", id, errExited)
	}
	lc, err := libcontainer.Load(r.libcontainerRoot(), id)
	if err != nil {
		return fmt.Errorf("start container %q: %w", id, err)
	}
	if err := lc.Exec(); err != nil {
		return fmt.Errorf("start container %q: %w", id, err)
	}
	return writeTime(filepath.Join(r.dir(id), startedFile), time.Now())
}
