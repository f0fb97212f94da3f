package libct

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/shim"
)

// Inspect reads a container's state from disk: the shim's exit record
// makes it exited, the start record running, else it is created.
func (r *Runtime) Inspect(_ context.Context, id string) (*runtime.Container, error) {
	rec, err := r.loadRecord(id)
	if err != nil {
		return nil, err
	}
	dir := r.dir(id)
	c := &runtime.Container{
		ID: rec.ID, Labels: rec.Labels, Status: runtime.StatusCreated,
		Created: rec.Created, Started: readTime(filepath.Join(dir, startedFile)),
	}
	exit, err := shim.ReadExit(dir)
	if errors.Is(err, os.ErrNotExist) && r.recoverLostMonitor(id) {
		exit, err = shim.ReadExit(dir)
	}
	switch {
	case err == nil:
		c.Status = runtime.StatusExited
		c.Exit = runtime.ExitStatus{Code: exit.Code, Finished: exit.Finished, OOMKilled: exit.OOMKilled}
		return c, nil
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("inspect container %q: %w", id, err)
	case !c.Started.IsZero():
		c.Status = runtime.StatusRunning
	}
	c.Pid, _ = readInt(filepath.Join(dir, pidFile))
	c.NetNSPath = netNSPath(rec.NetNS, c.Pid)
	return c, nil
}

// netNSPath is where networks attach: the joined namespace, the
// container's own through its init, or none with host networking.
func netNSPath(mode string, pid int) string {
	switch {
	case mode == "host":
		return ""
	case mode != "":
		return mode
	case pid > 0:
		return "/proc/" + strconv.Itoa(pid) + "/ns/net"
	}
	return ""
}

// List reports every container under the runtime's root, by ID.
func (r *Runtime) List(ctx context.Context) ([]*runtime.Container, error) {
	entries, err := os.ReadDir(filepath.Join(r.root, containersDir))
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	var out []*runtime.Container
	for _, e := range entries {
		c, err := r.Inspect(ctx, e.Name())
		if errors.Is(err, runtime.ErrNotFound) {
			continue // being created or removed
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
