package libct

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

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
		return errors.Join(r.destroyLocked(id), unmountRootfs(dir), r.discard(id, dir))
	})
}

// discard removes a container's directory from where it is at once, by a
// rename into the trash, and deletes it in the background: the files in
// it (the writable layer, logs, state) took ~0.9 ms to delete even for a
// container that wrote nothing, a third of Remove, and a container that
// wrote gigabytes would keep Remove for seconds. The id is free again when
// discard returns. A deletion cut short (the process exits) is finished
// by the next New. Where the rename cannot be made (another filesystem,
// no trash), the directory is deleted in place, as before.
func (r *Runtime) discard(id, dir string) error {
	trash := filepath.Join(r.root, trashDir, id+"."+strconv.FormatInt(time.Now().UnixNano(), 36))
	if err := os.Rename(dir, trash); err == nil {
		go deleteTrash(trash)
		return nil
	}
	// Including ENOENT: the directory may be gone (RemoveAll says nil),
	// or the trash itself, and the directory must still go.
	return os.RemoveAll(dir)
}

// emptyTrash deletes what is in the trash.
func (r *Runtime) emptyTrash() {
	dir := filepath.Join(r.root, trashDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		deleteTrash(filepath.Join(dir, e.Name()))
	}
}

func deleteTrash(path string) {
	if err := os.RemoveAll(path); err != nil {
		slog.Warn("removed container's files left in the trash", "path", path, "err", err)
	}
}
