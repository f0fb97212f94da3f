package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/netdns"
	"github.com/berth-dev/berth/runtime"
	"github.com/berth-dev/berth/runtime/image"
	"github.com/berth-dev/berth/volumes"
)

// executor does a plan's steps for one project. It decides nothing: which
// container, network or volume, and in what order, the plan says.
type executor struct {
	engine  *Engine
	project *types.Project
	obs     Observed
	hashes  map[string]string
	timeout *time.Duration
	events  func(Event)
	// removeVolumes: removing a container also removes its anonymous
	// volumes (down -v).
	removeVolumes bool
	// renewAnonymous: a recreated container gets new anonymous volumes.
	renewAnonymous bool
	mu             sync.Mutex
	created        map[string]string // container name -> ID, for steps after a create
}

func (x *executor) Do(ctx context.Context, op Op) error {
	e := x.engine
	switch op.Kind {
	case OpCreateNetwork:
		return x.createNetwork(ctx, op.Resource)
	case OpRemoveNetwork:
		err := e.net.RemoveNetwork(ctx, op.Resource, x.project.Name)
		if errors.Is(err, netdns.ErrNotFound) {
			return nil
		}
		return err
	case OpCreateVolume:
		return x.createVolume(ctx, op.Resource)
	case OpRemoveVolume:
		return e.volumes.Remove(ctx, op.Resource)
	case OpPullImage:
		_, err := e.images.Pull(ctx, op.Resource, image.PullOptions{Progress: func(ev image.Event) {
			x.events(Event{Op: op, Status: StatusWorking, Detail: fmt.Sprintf("%s %s", ev.Layer, ev.Status)})
		}})
		return err
	case OpRemoveImage:
		_, err := e.images.Remove(ctx, op.Resource, image.RemoveOptions{})
		if errors.Is(err, image.ErrNotFound) {
			return nil
		}
		return err
	case OpCreateContainer:
		return x.createContainer(ctx, op)
	case OpConnectContainer:
		return x.connectContainer(ctx, op)
	case OpStartContainer:
		return x.startContainer(ctx, op)
	case OpStopContainer:
		return x.stopContainer(ctx, op)
	case OpRemoveContainer:
		return x.removeContainer(ctx, op)
	case OpWaitService:
		return x.engine.waitDependency(ctx, x.project, op)
	}
	return fmt.Errorf("unknown operation %q", op.Kind)
}

// containerID is the container a step acts on: the one the plan names, or
// the one an earlier step of this plan created under that name.
func (x *executor) containerID(op Op) (string, error) {
	if op.ContainerID != "" {
		return op.ContainerID, nil
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if id, ok := x.created[op.Resource]; ok {
		return id, nil
	}
	return "", fmt.Errorf("container %s: %w", op.Resource, runtime.ErrNotFound)
}

func (x *executor) service(name string) *types.ServiceConfig {
	if s, ok := x.project.Services[name]; ok {
		return &s
	}
	return nil
}

func (x *executor) startContainer(ctx context.Context, op Op) error {
	id, err := x.containerID(op)
	if err != nil {
		return err
	}
	if err := x.engine.setManuallyStopped(id, false); err != nil {
		return err
	}
	c, err := x.engine.start(ctx, id)
	if err != nil {
		return err
	}
	// Watch before returning: a service_healthy wait that follows must
	// find the container's health being probed.
	x.engine.watch(id, c.Started)
	return nil
}

func (x *executor) stopContainer(ctx context.Context, op Op) error {
	id, err := x.containerID(op)
	if err != nil {
		return err
	}
	return x.engine.stop(ctx, id, stopGrace(x.timeout, x.service(op.Service)), false)
}

func (x *executor) createNetwork(ctx context.Context, name string) error {
	for _, n := range x.project.Networks {
		if n.Name == name {
			spec, err := networkSpec(x.project.Name, n)
			if err != nil {
				return err
			}
			_, err = x.engine.net.CreateNetwork(ctx, spec)
			return err
		}
	}
	return fmt.Errorf("network %s is not declared by project %s", name, x.project.Name)
}

func (x *executor) removeContainer(ctx context.Context, op Op) error {
	id, err := x.containerID(op)
	if err != nil {
		return err
	}
	return x.engine.removeContainer(ctx, id, x.removeVolumes)
}

func (x *executor) createVolume(ctx context.Context, name string) error {
	for key, v := range x.project.Volumes {
		if v.Name != name {
			continue
		}
		labels := map[string]string{volumes.LabelProject: x.project.Name, volumes.LabelVolume: key}
		for k, val := range v.Labels {
			labels[k] = val
		}
		_, err := x.engine.volumes.Create(ctx, volumes.CreateOptions{Name: name, Driver: v.Driver, DriverOpts: v.DriverOpts, Labels: labels})
		if errors.Is(err, volumes.ErrExists) {
			return nil
		}
		return err
	}
	return fmt.Errorf("volume %s is not declared by project %s", name, x.project.Name)
}
