package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/berth-dev/berth/netdns"
	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/volumes"
)

// start publishes a container's names and runs its process. An exited
// container is reset first — a new init waiting in a new network
// namespace, its writable layer and logs kept — and plumbed into its
// networks again, as Docker restarts a container.
func (e *Engine) start(ctx context.Context, id string) (*runtime.Container, error) {
	c, err := e.rt.Inspect(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.Status == runtime.StatusExited {
		if c, err = e.rt.Reset(ctx, id); err != nil {
			return nil, err
		}
		if err := e.connect(ctx, c); err != nil {
			return nil, err
		}
	}
	// Names before the process: the DNS server answers a client only once
	// it knows the client's networks, from the client's own record, and a
	// process often looks its peers up the moment it runs.
	if err := e.registerNames(ctx, id); err != nil {
		return nil, err
	}
	if c.Status != runtime.StatusRunning {
		if err := e.rt.Start(ctx, id); err != nil && !errors.Is(err, runtime.ErrRunning) {
			return nil, errors.Join(err, e.unregister(context.WithoutCancel(ctx), id))
		}
	}
	return e.rt.Inspect(ctx, id)
}

// stop withdraws a container's names from DNS first — a stopping
// container's address must not be handed out — then stops it: its stop
// signal, the grace period, SIGKILL; or SIGKILL at once with kill.
func (e *Engine) stop(ctx context.Context, id string, grace time.Duration, kill bool) error {
	if err := e.setManuallyStopped(id, true); err != nil {
		return err
	}
	if err := e.unregister(ctx, id); err != nil {
		return err
	}
	var err error
	if kill {
		err = e.rt.Kill(ctx, id, syscall.SIGKILL)
		if errors.Is(err, runtime.ErrNotRunning) {
			return nil
		}
	} else {
		err = e.rt.Stop(ctx, id, nil, grace)
	}
	return err
}

func (e *Engine) unregister(ctx context.Context, id string) error {
	for name := range e.net.Networks() {
		if err := e.net.Unregister(ctx, name, id); err != nil && !errors.Is(err, netdns.ErrNotFound) {
			return err
		}
	}
	return nil
}

// removeContainer takes away a stopped container and everything made for
// it: its names, its network endpoints and published ports, the runtime's
// state, its volume references (its anonymous volumes too with
// removeVolumes) and its engine files. What is already gone is no error,
// so a half-created container can be removed the same way.
func (e *Engine) removeContainer(ctx context.Context, id string, removeVolumes bool) error {
	e.unwatch(id)
	var errs []error
	if err := e.unregister(ctx, id); err != nil {
		errs = append(errs, err)
	}
	for name := range e.net.Networks() {
		if err := e.net.Detach(ctx, name, id); err != nil && !errors.Is(err, netdns.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	if err := e.rt.Remove(ctx, id); err != nil && !errors.Is(err, runtime.ErrNotFound) {
		errs = append(errs, err)
	}
	if err := e.volumes.ReleaseContainer(ctx, id, !removeVolumes); err != nil && !errors.Is(err, volumes.ErrNotFound) {
		errs = append(errs, err)
	}
	if err := os.RemoveAll(e.containerDir(id)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// volumeMountsOf returns the mounts a container was created with that
// volumes_from may share: its volumes and binds, not berth's own files.
func (e *Engine) volumeMountsOf(id string) ([]volumes.Mount, error) {
	cfg, err := e.containerSpec(id)
	if err != nil {
		return nil, err
	}
	var out []volumes.Mount
	for _, m := range cfg.Mounts {
		if isNetworkFile(m.Destination) {
			continue
		}
		out = append(out, volumes.Mount{Source: m.Source, Destination: m.Destination, Type: m.Type, Options: m.Options})
	}
	return out, nil
}

func isNetworkFile(dest string) bool {
	for _, f := range networkFiles {
		if dest == "/etc/"+f {
			return true
		}
	}
	return false
}

// savedSpec is what the engine keeps of the config a container was
// created with, for what needs it after the project model is gone: ps
// shows the command, volumes_from shares the mounts.
type savedSpec struct {
	Args   []string        `json:"args"`
	Mounts []runtime.Mount `json:"mounts"`
}

func (e *Engine) saveSpec(id string, cfg *runtime.ContainerConfig) error {
	b, err := json.Marshal(savedSpec{Args: cfg.Process.Args, Mounts: cfg.Mounts})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(e.containerDir(id), "spec.json"), b, 0o600)
}

func (e *Engine) containerSpec(id string) (*savedSpec, error) {
	b, err := os.ReadFile(filepath.Join(e.containerDir(id), "spec.json"))
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", id, err)
	}
	var spec savedSpec
	if err := json.Unmarshal(b, &spec); err != nil {
		return nil, fmt.Errorf("container %s: %w", id, err)
	}
	return &spec, nil
}
