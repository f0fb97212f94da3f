package libct

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/opencontainers/runc/libcontainer"

	"github.com/berth-dev/berth/runtime"
)

// Stop sends the stop signal, waits up to grace (the container's
// StopGrace when grace is negative), then SIGKILLs, and destroys the
// container's cgroups once its process is gone. A container created but
// never started is killed at once: its user process never ran, so no
// stop signal could reach it.
func (r *Runtime) Stop(ctx context.Context, id string, sig os.Signal, grace time.Duration) error {
	rec, err := r.loadRecord(id)
	if err != nil {
		return err
	}
	c, err := r.Inspect(ctx, id)
	if err != nil {
		return err
	}
	if c.Status == runtime.StatusExited {
		return r.destroy(id)
	}
	if sig == nil {
		sig = syscall.Signal(rec.StopSignal)
	}
	if grace < 0 {
		grace = rec.StopGrace
	}
	if c.Status == runtime.StatusCreated {
		sig, grace = syscall.SIGKILL, 0
	}
	if err := r.stop(ctx, id, sig, grace); err != nil {
		return fmt.Errorf("stop container %q: %w", id, err)
	}
	return r.destroy(id)
}

func (r *Runtime) stop(ctx context.Context, id string, sig os.Signal, grace time.Duration) error {
	if err := r.signal(id, sig); err != nil && !errors.Is(err, runtime.ErrNotRunning) {
		return err
	}
	graceCtx, cancel := context.WithTimeout(ctx, grace)
	_, err := r.Wait(graceCtx, id)
	cancel()
	if err == nil || ctx.Err() != nil {
		return err
	}
	if err := r.signal(id, syscall.SIGKILL); err != nil && !errors.Is(err, runtime.ErrNotRunning) {
		return err
	}
	_, err = r.Wait(ctx, id)
	return err
}

// Kill sends sig to the container's init.
func (r *Runtime) Kill(ctx context.Context, id string, sig os.Signal) error {
	c, err := r.Inspect(ctx, id)
	if err != nil {
		return err
	}
	if c.Status != runtime.StatusRunning {
		return fmt.Errorf("kill container %q: %w", id, runtime.ErrNotRunning)
	}
	if err := r.signal(id, sig); err != nil {
		return fmt.Errorf("kill container %q: %w", id, err)
	}
	return nil
}

// signal sends sig through libcontainer, which checks that the pid is
// still the container's init (and, with a shared PID namespace, kills
// every process of the cgroup on SIGKILL).
func (r *Runtime) signal(id string, sig os.Signal) error {
	return r.locked(id, runtime.ErrNotRunning, func() error { return r.signalLocked(id, sig) })
}

func (r *Runtime) signalLocked(id string, sig os.Signal) error {
	lc, err := libcontainer.Load(r.libcontainerRoot(), id)
	if errors.Is(err, libcontainer.ErrNotExist) {
		return runtime.ErrNotRunning
	}
	if err != nil {
		return err
	}
	err = lc.Signal(sig)
	// The process may exit between libcontainer's check and its kill(2):
	// os.ErrProcessDone then says what ErrNotRunning says.
	if errors.Is(err, libcontainer.ErrNotRunning) || errors.Is(err, os.ErrProcessDone) {
		return runtime.ErrNotRunning
	}
	return err
}

// destroy removes libcontainer's state and the container's cgroups, once
// its process is gone; it is a no-op when already done, or when the
// container was removed meanwhile.
func (r *Runtime) destroy(id string) error {
	return r.locked(id, nil, func() error { return r.destroyLocked(id) })
}

// destroyLocked is destroy for a caller holding the container's lock.
func (r *Runtime) destroyLocked(id string) error {
	lc, err := libcontainer.Load(r.libcontainerRoot(), id)
	if errors.Is(err, libcontainer.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("destroy container %q: %w", id, err)
	}
	if err := lc.Destroy(); err != nil {
		return fmt.Errorf("destroy container %q: %w", id, err)
	}
	return nil
}
